#include "salestrack/event_order.h"

#include <vector>

#include "gtest/gtest.h"
#include "salestrack/event_kind.h"

namespace salestrack {
namespace {

TEST(EventOrderTest, TimeFirstThenSeq) {
  EXPECT_LT((EventOrder{1, 9}), (EventOrder{2, 1}));
  EXPECT_LT((EventOrder{-5, 1}), (EventOrder{-5, 2}));
  EXPECT_EQ((EventOrder{3, 3}), (EventOrder{3, 3}));
  struct Record {
    int64_t at;
    uint64_t seq;
  };
  EXPECT_TRUE(EarlierEvent(Record{1, 5}, Record{1, 6}));
  EXPECT_FALSE(EarlierEvent(Record{1, 6}, Record{1, 6}));
  v1::Event e;
  e.mutable_occurred_at()->set_seconds(2);
  e.mutable_occurred_at()->set_nanos(3000);
  EXPECT_EQ(OrderOf(e, 7), (EventOrder{2'000'003, 7}));
}

TEST(EventKindTest, OrgAndOpportunityEvents) {
  v1::Event e;
  e.mutable_rep_defined();
  EXPECT_TRUE(IsOrgEvent(e));
  EXPECT_FALSE(IsOpportunityEvent(e));
  EXPECT_EQ(StageSetBy(e), nullptr);
  e.mutable_opportunity_stage_changed()->set_opportunity_id("o");
  e.mutable_opportunity_stage_changed()->set_stage("s");
  EXPECT_FALSE(IsOrgEvent(e));
  EXPECT_TRUE(IsOpportunityEvent(e));
  EXPECT_EQ(OpportunityIdOf(e), "o");
  EXPECT_EQ(*StageSetBy(e), "s");
  e.mutable_opportunity_closed()->set_opportunity_id("p");
  EXPECT_EQ(OpportunityIdOf(e), "p");
  EXPECT_EQ(StageSetBy(e), nullptr);
  e.mutable_scheme_defined();
  EXPECT_TRUE(IsOrgEvent(e));
}

}  // namespace
}  // namespace salestrack
