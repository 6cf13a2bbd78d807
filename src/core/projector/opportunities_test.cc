#include "core/projector/opportunities.h"

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

using projection::Interval;
using projection::kNoId;
using projection::OppEvent;
using projection::OppKind;
using projection::StageTable;
using projection::Timeline;

StageTable Stages() {  // Stages 100, 101, 102 in that order.
  StageTable s;
  for (projection::Id id : {100u, 101u, 102u}) {
    s.index[id] = static_cast<int>(s.ids.size());
    s.ids.push_back(id);
  }
  return s;
}

TEST(OpportunitiesTest, CodingRoundTrips) {
  const std::vector<OppEvent> events = {
      {-5, 9, INT64_MIN, 1, kNoId, OppKind::kOpened, false},
      {-5, 3, 0, 2, 101, OppKind::kStage, false},
      {1'000'000, 12, 0, kNoId - 1, kNoId, OppKind::kClosed, true},
  };
  std::string bytes;
  projection::EncodeOpp(events, bytes);
  std::vector<OppEvent> back;
  projection::DecodeOpp(bytes, back);
  ASSERT_EQ(back.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(back[i].at, events[i].at);
    EXPECT_EQ(back[i].seq, events[i].seq);
    EXPECT_EQ(back[i].expected, events[i].expected);
    EXPECT_EQ(back[i].rep, events[i].rep);
    EXPECT_EQ(back[i].stage, events[i].stage);
    EXPECT_EQ(back[i].kind, events[i].kind);
    EXPECT_EQ(back[i].won, events[i].won);
  }
}

// KPI_SPEC §4: an event dated before the opening counts at the opening; a move to the current
// stage or to a stage outside the funnel changes nothing; the first close (a contract's included)
// ends the timeline.
TEST(OpportunitiesTest, TimelineRules) {
  const StageTable stages = Stages();
  const std::vector<OppEvent> events = {
      {50, 1, 0, 7, 101, OppKind::kStage, false},  // Before the opening.
      {100, 2, 0, 7, kNoId, OppKind::kOpened, false},
      {200, 3, 0, 7, 101, OppKind::kStage, false},  // Already there.
      {300, 4, 0, 7, 999, OppKind::kStage, false},  // Not a stage.
      {400, 5, 0, 7, 102, OppKind::kStage, false},
      {600, 6, 0, 7, kNoId, OppKind::kClosed, false},
  };
  const std::vector<OppEvent> closes = {{500, 8, 0, 7, kNoId, OppKind::kClosed, true}};
  Timeline t = projection::BuildTimeline(events, closes, stages);
  ASSERT_NE(t.opened, nullptr);
  EXPECT_EQ(t.opened->seq, 2u);
  ASSERT_EQ(t.intervals.size(), 3u);
  EXPECT_EQ(t.intervals[0].stage, 100u);  // The first stage, until the early move.
  EXPECT_EQ(t.intervals[0].end, 100);
  EXPECT_EQ(t.intervals[1].stage, 101u);
  EXPECT_EQ(t.intervals[1].end, 400);
  EXPECT_EQ(t.intervals[2].stage, 102u);
  EXPECT_EQ(t.intervals[2].end, 500);
  ASSERT_TRUE(t.close.has_value());
  EXPECT_EQ(*t.close, std::make_pair(true, projection::Micros{500}));

  t = projection::BuildTimeline({events[1]}, {}, stages);
  ASSERT_EQ(t.intervals.size(), 1u);
  EXPECT_EQ(t.intervals[0].end, -1);  // Still open.
  EXPECT_FALSE(t.close.has_value());
  EXPECT_EQ(projection::BuildTimeline({events[0]}, {}, stages).opened, nullptr);
  EXPECT_EQ(projection::OppOwner(events), 7u);
  EXPECT_EQ(projection::OppOwner({events[0]}), std::nullopt);
}

// Through the whole projector.
TEST(ProjectorTest, MonthLateStageChangeMovesDurationsIntoTheRightPeriods) {
  Log log;
  log.Opened("li", "o1", Utc(2026, 9, 1), 5000);
  log.Stage("o1", "negotiation", Utc(2026, 10, 11));
  log.Closed("o1", true, Utc(2026, 11, 5));
  auto before = log.Project();
  // contact lasted Sep 1 -> Oct 11 (40 days), ending in October.
  MetricValue contact = Get(*before, Subject::Rep("li"), PeriodKind::kMonth,
                            absl::CivilDay(2026, 10, 1), "stage_duration:contact");
  EXPECT_EQ(contact.count, 1);
  EXPECT_DOUBLE_EQ(contact.mean_seconds, 40 * 86400);
  // A month late, the mobile app uploads the stage change to "value" made on Sep 11.
  log.Stage("o1", "value", Utc(2026, 9, 11));
  auto after = log.Project();
  MetricValue sep = Get(*after, Subject::Rep("li"), PeriodKind::kMonth, absl::CivilDay(2026, 9, 1),
                        "stage_duration:contact");
  EXPECT_EQ(sep.count, 1);
  EXPECT_DOUBLE_EQ(sep.mean_seconds, 10 * 86400);
  MetricValue value = Get(*after, Subject::Rep("li"), PeriodKind::kMonth,
                          absl::CivilDay(2026, 10, 1), "stage_duration:value");
  EXPECT_EQ(value.count, 1);
  EXPECT_DOUBLE_EQ(value.mean_seconds, 30 * 86400);
  EXPECT_EQ(Get(*after, Subject::Rep("li"), PeriodKind::kMonth, absl::CivilDay(2026, 10, 1),
                "stage_duration:contact")
                .count,
            0);
  // negotiation Oct 11 -> Nov 5 (25 days) ends at the close, in November; the cycle is 65 days.
  MetricValue nego = Get(*after, Subject::Rep("li"), PeriodKind::kMonth,
                         absl::CivilDay(2026, 11, 1), "stage_duration:negotiation");
  EXPECT_DOUBLE_EQ(nego.mean_seconds, 25 * 86400);
  MetricValue cycle = Get(*after, Subject::Rep("li"), PeriodKind::kMonth,
                          absl::CivilDay(2026, 11, 1), "sales_cycle");
  EXPECT_EQ(cycle.count, 1);
  EXPECT_DOUBLE_EQ(cycle.mean_seconds, 65 * 86400);
}

TEST(ProjectorTest, FunnelWinRateAndTimelineRules) {
  Log log;
  log.Opened("li", "o1", Utc(2026, 11, 1));
  log.Stage("o1", "negotiation", Utc(2026, 11, 2));  // Skips "value": passes it.
  log.Closed("o1", false, Utc(2026, 11, 3));
  log.Stage("o1", "value", Utc(2026, 11, 4));  // After the close: ignored.
  log.Opened("li", "o2", Utc(2026, 11, 5));
  log.Closed("o2", true, Utc(2026, 11, 6));  // Won: reached every stage.
  log.Opened("li", "o3", Utc(2026, 11, 7));
  log.Stage("o3", "contact", Utc(2026, 11, 8));  // Change to the current stage: ignored.
  log.Stage("o4", "value", Utc(2026, 11, 8));    // Never opened: counts nothing.
  auto p = log.Project();
  absl::StatusOr<FunnelReport> f = p->Funnel(
      Subject::Rep("li"), PeriodContaining(PeriodKind::kMonth, absl::CivilDay(2026, 11, 1)));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->opened, 3);
  ASSERT_EQ(f->stages.size(), 3u);
  EXPECT_EQ(f->stages[0].reached, 3);  // contact
  EXPECT_EQ(f->stages[1].reached, 2);  // value (o1 skipped past it, o2 won)
  EXPECT_EQ(f->stages[2].reached, 2);  // negotiation
  EXPECT_EQ(f->won, 1);
  EXPECT_DOUBLE_EQ(*f->stages[0].conversion, 2.0 / 3);
  EXPECT_DOUBLE_EQ(*f->stages[2].conversion, 0.5);
  EXPECT_DOUBLE_EQ(
      *Get(*p, Subject::Rep("li"), PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "win_rate")
           .real,
      0.5);
  // o3 is open: contact is its only, unfinished interval.
  EXPECT_EQ(Get(*p, Subject::Rep("li"), PeriodKind::kMonth, absl::CivilDay(2026, 11, 1),
                "stage_duration:contact")
                .count,
            2);
}

// KPI_SPEC §4: a contract that names an opportunity closes it WON at the signing, unless an earlier
// close exists; voiding the contract takes its close away.
TEST(ProjectorTest, ASigningWinsTheOpportunityItNamesUntilVoided) {
  Log log;
  log.Opened("li", "o1", Utc(2026, 11, 2), 5000);
  log.Stage("o1", "value", Utc(2026, 11, 5));
  const std::string k1 = log.Contract("wang", "k1", "acme", 5000, Utc(2026, 11, 20));
  log.NamesOpportunity("o1");  // Another rep's contract: the win is still the owner's.
  log.Opened("li", "o2", Utc(2026, 11, 3), 700);
  log.Closed("o2", false, Utc(2026, 11, 10));
  log.Contract("li", "k2", "acme", 700, Utc(2026, 11, 15));
  log.NamesOpportunity("o2");  // An earlier close (lost) stands.
  const absl::CivilDay nov(2026, 11, 1);
  auto p = log.Project();
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "opportunities_won"), 1);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "opportunities_lost"), 1);
  EXPECT_EQ(Int(*p, "wang", PeriodKind::kMonth, nov, "opportunities_won"), 0);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "funnel_won"), 1);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "funnel_reached:negotiation"), 1);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "open_pipeline"), 0);
  MetricValue cycle = Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "sales_cycle");
  EXPECT_EQ(cycle.count, 1);
  EXPECT_DOUBLE_EQ(cycle.mean_seconds, 18 * 86400.0);
  // The value stage ended at the signing.
  MetricValue value = Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "stage_duration:value");
  EXPECT_EQ(value.count, 1);
  EXPECT_DOUBLE_EQ(value.mean_seconds, 15 * 86400.0);

  log.Void(k1, Utc(2026, 11, 25));
  auto reopened = log.Project();
  EXPECT_EQ(Int(*reopened, "li", PeriodKind::kMonth, nov, "opportunities_won"), 0);
  EXPECT_EQ(Int(*reopened, "li", PeriodKind::kMonth, nov, "funnel_won"), 0);
  EXPECT_EQ(Int(*reopened, "li", PeriodKind::kMonth, nov, "open_pipeline"), 5000);
  EXPECT_EQ(Get(*reopened, Subject::Rep("li"), PeriodKind::kMonth, nov, "sales_cycle").count, 0);
}

}  // namespace
}  // namespace salestrack
