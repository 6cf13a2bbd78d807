#include "core/projector/actions.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/projector/test_log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salestrack {
namespace {

using ::testing::ElementsAre;

using projection::ActionItem;
using projection::ActionMetrics;
using projection::kNoDue;
using projection::Touch;
using projection::TouchKind;
using projection::TouchList;

bool Same(const ActionItem& a, const ActionItem& b) {
  return a.at == b.at && a.due == b.due && a.cost == b.cost && a.seq == b.seq &&
         a.channel == b.channel && a.purpose == b.purpose;
}

// Times before 1970 and far ahead, seqs out of time order, negative and huge costs, with and
// without a follow-up: a chain decodes to what was encoded.
TEST(ActionsTest, ChainCodingRoundTrips) {
  const std::vector<ActionItem> items = {
      {-86'400'000'000, kNoDue, 0, 7, 1, 2},
      {0, 5, -3, 3, 7, 7},
      {253'402'300'799'000'000, 253'402'300'799'000'000, INT64_MAX, (uint64_t{1} << 48) - 1, 0, 0},
  };
  std::string bytes;
  projection::EncodeChain(items, bytes);
  std::vector<ActionItem> back = {{1, 1, 1, 1, 1, 1}};  // Decoding replaces what was there.
  projection::DecodeChain(bytes, back);
  ASSERT_EQ(back.size(), items.size());
  for (size_t i = 0; i < items.size(); ++i) EXPECT_TRUE(Same(back[i], items[i])) << i;
  projection::EncodeChain({}, bytes);
  EXPECT_TRUE(bytes.empty());
}

// A follow-up is on time when the next action comes within 24 h after due, open (and overdue
// after due) while none follows, and neither when it is late.
TEST(ActionsTest, FollowUpTouches) {
  const ActionMetrics m{
      1, 2, 3, 4, {10, 11, 12, 13, 14, 15, 16, 17}, {20, 21, 22, 23, 24, 25, 26, 27}};
  const projection::Micros due = 1000;
  std::vector<ActionItem> items = {{0, due, 0, 1, 1, 1},
                                   {due + projection::kDay, kNoDue, 0, 2, 1, 1}};
  std::vector<Touch> ts;
  projection::FollowUpTouches(m, 9, items, 0, TouchList{&ts, +1});
  ASSERT_EQ(ts.size(), 2u);
  EXPECT_EQ(ts[1].metric, m.follow_ups_on_time);
  EXPECT_EQ(ts[1].at, due);
  ts.clear();
  items[1].at += 1;  // Late.
  projection::FollowUpTouches(m, 9, items, 0, TouchList{&ts, +1});
  ASSERT_EQ(ts.size(), 1u);
  EXPECT_EQ(ts[0].metric, m.follow_ups_due);
  ts.clear();
  items.pop_back();  // Open.
  projection::FollowUpTouches(m, 9, items, 0, TouchList{&ts, -1});
  ASSERT_EQ(ts.size(), 3u);
  EXPECT_EQ(ts[1].kind, TouchKind::kPitSum);
  EXPECT_EQ(ts[1].value, -1);
  EXPECT_EQ(ts[2].kind, TouchKind::kPitStep);
  EXPECT_EQ(ts[2].at, due + 1);
  ts.clear();
  projection::ActionTouches(m, 9, {0, kNoDue, 0, 1, 2, 3}, TouchList{&ts, +1});
  ASSERT_EQ(ts.size(), 3u);  // No cost: no cost touch.
  EXPECT_EQ(ts[1].metric, 12);
  EXPECT_EQ(ts[2].metric, 23);
}

// Through the whole projector.
TEST(ProjectorTest, ActionsCostAndBreakdowns) {
  Log log;
  log.Action("li", "c1", Utc(2026, 11, 2), v1::VISIT, 8800);
  log.Action("li", "c2", Utc(2026, 11, 3), v1::PHONE, 0);
  log.Action("li", "c1", Utc(2026, 11, 4), v1::VISIT, 1200);
  log.Action("wang", "c1", Utc(2026, 11, 4), v1::VISIT, 5);
  auto p = log.Project();
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "actions"), 3);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "action_cost"), 10000);
  EXPECT_EQ(
      Int(*p, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "actions_by_channel:VISIT"),
      2);
  EXPECT_EQ(
      Int(*p, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "actions_by_channel:PHONE"),
      1);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1),
                "actions_by_purpose:NEGOTIATE"),
            3);
}

TEST(ProjectorTest, FollowUpsDueOnTimeLateAndOpen) {
  Log log;
  const absl::Time due = Utc(2026, 11, 10, 9);
  log.Action("li", "c1", Utc(2026, 11, 8), v1::VISIT, 0, due);
  log.Action("li", "c1", due + absl::Hours(23));  // Done within 24 h: on time.
  log.Action("li", "c2", Utc(2026, 11, 8), v1::VISIT, 0, due);
  log.Action("li", "c2", due + absl::Hours(25));                // Done, late.
  log.Action("li", "c3", Utc(2026, 11, 8), v1::VISIT, 0, due);  // Never done.
  log.Action("wang", "c3", Utc(2026, 11, 9));  // Another rep's visit does not complete li's.
  auto p = log.Project();
  const absl::CivilDay nov{2026, 11, 1};
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "follow_ups_due"), 3);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "follow_ups_on_time"), 1);
  EXPECT_DOUBLE_EQ(*Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "follow_up_rate").real,
                   1.0 / 3);
  MetricValue open =
      Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "open_follow_ups", Utc(2026, 11, 20));
  EXPECT_EQ(open.integer, 1);
  absl::StatusOr<std::vector<FollowUp>> overdue =
      p->FollowUps(Subject::Rep("li"), Utc(2026, 11, 1), Utc(2026, 12, 1), FollowUpState::kOverdue,
                   Utc(2026, 11, 20));
  ASSERT_TRUE(overdue.ok());
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_EQ((*overdue)[0].customer, "c3");
  EXPECT_EQ(p->FollowUps(Subject::Rep("li"), Utc(2026, 11, 1), Utc(2026, 12, 1),
                         FollowUpState::kOnTime, Utc(2026, 11, 20))
                ->size(),
            1u);
}

// A list is the first `limit` in (due, rep, customer) order however the chains hold them, with the
// count of all that match.
TEST(ProjectorTest, FollowUpListIsTheEarliestLimitAndCountsTheRest) {
  Log log;
  const int days[] = {9, 3, 7, 1, 5};
  for (int i = 0; i < 5; ++i) {
    log.Action("li", "c" + std::to_string(i), Utc(2026, 10, 1), v1::VISIT, 0,
               Utc(2026, 11, days[i]));
  }
  auto p = log.Project();
  size_t total = 0;
  absl::StatusOr<std::vector<FollowUp>> first = p->FollowUps(
      Subject::Rep("li"), Utc(2026, 1, 1), Utc(2027, 1, 1), FollowUpState::kOpen, Utc(2026, 10, 2),
      /*limit=*/2, &total);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(total, 5u);
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].customer, "c3");  // Due Nov 1.
  EXPECT_EQ((*first)[1].customer, "c1");  // Due Nov 3.
  EXPECT_TRUE(p->FollowUps(Subject::Rep("li"), Utc(2026, 1, 1), Utc(2027, 1, 1),
                           FollowUpState::kOpen, Utc(2026, 10, 2), 0, &total)
                  ->empty());
  EXPECT_EQ(total, 5u);
}

}  // namespace
}  // namespace salestrack
