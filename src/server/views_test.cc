#include "server/views.h"

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
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

v1::Event ActionEvent(int i) {
  v1::Event e;
  e.set_event_id(absl::StrCat("a-", i));
  e.set_rep_id("li");
  *e.mutable_occurred_at() = testing::ToProto(absl::FromUnixSeconds(1'790'000'000 + i));
  e.mutable_action_logged()->set_customer_id("acme");
  return e;
}

// The applier lets readers in within a group (between slices, and after any record once a reader
// queues). Whatever a reader sees is a prefix of the log that its seq names exactly;
// ReadWholeGroups only ever sees whole groups.
TEST(ViewsTest, ReadersSeeExactPrefixesAndWholeGroupReadersWholeGroups) {
  Views views(nullptr, ProjectorOptions());
  constexpr int kGroups = 20;
  const int group_size = static_cast<int>(3 * Views::kSlice + 5);
  std::vector<v1::Event> events;
  for (int i = 0; i < kGroups * group_size; ++i) events.push_back(ActionEvent(i));
  const Period year = PeriodOf(PeriodKind::kYear, absl::FromUnixSeconds(1'790'000'000),
                               absl::UTCTimeZone());
  auto actions = [&](const Projector& p) {
    absl::StatusOr<MetricValue> m = p.Metric(Subject::Rep("li"), year, "actions");
    return std::make_pair(p.applied_seq(), m.ok() ? m->integer : -1);
  };
  std::atomic<bool> done{false};
  int mismatches = 0, torn_groups = 0, reads = 0;
  std::thread reader([&] {
    while (!done.load()) {
      auto [seq, n] = views.Read(actions);
      auto [whole_seq, whole_n] = views.ReadWholeGroups(actions);
      mismatches += static_cast<int>(n != static_cast<int64_t>(seq)) +
                    static_cast<int>(whole_n != static_cast<int64_t>(whole_seq));
      torn_groups += static_cast<int>(whole_seq % group_size != 0);
      ++reads;
    }
  });
  uint64_t seq = 0;
  for (int g = 0; g < kGroups; ++g) {
    std::vector<std::pair<uint64_t, const v1::Event*>> records;
    for (int i = 0; i < group_size; ++i, ++seq) records.push_back({seq + 1, &events[seq]});
    views.Commit(records);
  }
  done = true;
  reader.join();
  EXPECT_GT(reads, 0);
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(torn_groups, 0);
  EXPECT_EQ(views.Read(actions), std::make_pair(seq, static_cast<int64_t>(seq)));
}

}  // namespace
}  // namespace salestrack::server
