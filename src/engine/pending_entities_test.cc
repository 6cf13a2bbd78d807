#include "engine/pending_entities.h"

#include "gtest/gtest.h"
#include "test_base.h"

namespace salestrack::engine {
namespace {

v1::Event Opened(const std::string& id, const std::string& rep, int64_t seconds) {
  return testing::OpportunityOpened(id, rep, "opp-1", absl::FromUnixSeconds(seconds));
}

// The rep of the opening that defines opp-1, or "" when none does.
std::string Owner(const Projector& p, const PendingEntities& pending) {
  std::optional<EntityOpening> o = pending.Defining(p, EntityKind::kOpportunity, "opp-1");
  return o ? o->rep : "";
}

TEST(PendingEntitiesTest, TheEarliestOfAppliedAndPendingOpeningsDefinesLessPendingVoids) {
  Projector p{ProjectorOptions()};
  PendingEntities pending;
  store::Events applied, batch, voids;
  *applied.Add() = Opened("wang-open", "wang", 1'790'000'100);
  p.Apply(1, applied[0]);
  EXPECT_EQ(Owner(p, pending), "wang");
  *batch.Add() = Opened("li-open", "li", 1'790'000'050);  // Earlier: it would define opp-1.
  pending.Add(batch, {0}, {2}, {});
  EXPECT_EQ(Owner(p, pending), "li");
  *voids.Add() = testing::Void("v-li", "li-open", absl::FromUnixSeconds(1'790'000'200));
  *voids.Add() = testing::Void("v-wang", "wang-open", absl::FromUnixSeconds(1'790'000'200));
  pending.Add(voids, {0}, {3, 0}, {2});
  EXPECT_EQ(Owner(p, pending), "wang");
  pending.Add(voids, {1}, {0, 4}, {1});  // A pending void of an applied opening.
  EXPECT_EQ(Owner(p, pending), "");

  pending.DropFrom(4);  // That group's write failed.
  EXPECT_EQ(Owner(p, pending), "wang");
  pending.DropFrom(3);
  EXPECT_EQ(Owner(p, pending), "li");
  // The projector applies seq 2; pruned, it is the projector's to say.
  p.Apply(2, batch[0]);
  pending.Prune(2);
  EXPECT_EQ(Owner(p, pending), "li");
  Projector empty{ProjectorOptions()};
  EXPECT_EQ(Owner(empty, pending), "");  // Nothing of seq <= 2 is left pending.
}

// A void applied before its target (both in one batch, the void first) stays pending until the
// target is applied too: the projector skips the target then.
TEST(PendingEntitiesTest, AVoidStaysUntilItsTargetIsApplied) {
  ProjectorOptions options;
  options.index_events = false;  // As in the daemon.
  Projector p{options};
  PendingEntities pending;
  store::Events batch;
  *batch.Add() = testing::Void("v", "late-open", absl::FromUnixSeconds(1'790'000'200));
  *batch.Add() = Opened("late-open", "li", 1'790'000'100);
  pending.Add(batch, {0, 1}, {1, 2}, {2});
  EXPECT_EQ(Owner(p, pending), "");
  v1::EventRecord target;  // As the daemon passes it: read from the log.
  target.set_seq(2);
  *target.mutable_event() = batch[1];
  p.Apply(1, batch[0], &target);  // The void first: its target is not applied yet.
  pending.Prune(1);
  EXPECT_EQ(Owner(p, pending), "");
  p.Apply(2, batch[1]);
  pending.Prune(2);
  EXPECT_EQ(Owner(p, pending), "");
}

}  // namespace
}  // namespace salestrack::engine
