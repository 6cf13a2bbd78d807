#include "server/views.h"

#include "gtest/gtest.h"
#include "test_util.h"

namespace salestrack::server {
namespace {

v1::Event UnitEvent(const std::string& id, const std::string& parent) {
  v1::Event e;
  e.set_event_id("u-" + id);
  *e.mutable_occurred_at() = testing::ToProto(absl::FromUnixSeconds(1'790'000'000));
  e.mutable_unit_defined()->set_unit_id(id);
  e.mutable_unit_defined()->set_name(id);
  e.mutable_unit_defined()->set_parent_unit_id(parent);
  return e;
}

v1::Event RepEvent(const std::string& id, const std::string& unit) {
  v1::Event e;
  e.set_event_id("r-" + id);
  *e.mutable_occurred_at() = testing::ToProto(absl::FromUnixSeconds(1'790'000'000));
  e.mutable_rep_defined()->set_rep_id(id);
  e.mutable_rep_defined()->set_name(id);
  e.mutable_rep_defined()->set_unit_id(unit);
  return e;
}

// The writer checks group N+1 while the applier may not have applied group N yet.
TEST(ViewsTest, OrgChecksSeeGroupsWrittenButNotYetApplied) {
  Views views(nullptr, ProjectorOptions());
  store::Events g1;
  *g1.Add() = UnitEvent("co", "");
  views.BeginGroup();
  ASSERT_TRUE(views.CheckBatch(g1, {0}, {1}).ok());
  // Group 1 is durable; its Commit (applier) has not run yet.
  store::Events g2;
  *g2.Add() = RepEvent("li", "co");
  views.BeginGroup();
  EXPECT_TRUE(views.CheckBatch(g2, {0}, {2}).ok());
  // The applier catches up with both; later groups check against the projector itself.
  views.Commit({{1, &g1[0]}, {2, &g2[0]}});
  views.BeginGroup();
  store::Events g3;
  *g3.Add() = RepEvent("wang", "co");
  EXPECT_TRUE(views.CheckBatch(g3, {0}, {3}).ok());
  EXPECT_EQ(views.Read([](const Projector& p) { return p.org().FindRep("li")->unit; }), "co");
}

TEST(ViewsTest, AbortForgetsTheFailedGroupButKeepsEarlierPendingOnes) {
  Views views(nullptr, ProjectorOptions());
  store::Events g1, g2, g3;
  *g1.Add() = UnitEvent("co", "");
  *g2.Add() = UnitEvent("east", "co");
  *g3.Add() = RepEvent("li", "east");
  views.BeginGroup();
  ASSERT_TRUE(views.CheckBatch(g1, {0}, {1}).ok());
  views.BeginGroup();
  ASSERT_TRUE(views.CheckBatch(g2, {0}, {2}).ok());
  views.Abort();  // Group 2's write failed: "east" never existed...
  views.BeginGroup();
  EXPECT_EQ(views.CheckBatch(g3, {0}, {2}).code(), absl::StatusCode::kFailedPrecondition);
  store::Events g4;
  *g4.Add() = RepEvent("li", "co");  // ...but group 1's "co", still unapplied, did.
  EXPECT_TRUE(views.CheckBatch(g4, {0}, {2}).ok());
}

}  // namespace
}  // namespace salestrack::server
