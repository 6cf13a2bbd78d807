// The projector as a whole: replay (voids in any order), queries (warm-up), unit roll-ups, singles
// and the org state. Each room's own tests are beside it in src/core/projector/.
#include "salestrack/projector.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/projector/test_log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salestrack {
namespace {

using ::testing::ElementsAre;

// The daemon's projector keeps no event index: it is handed each void's target from the log. A
// void may even come first (one batch may hold a void and, after it, its target): the target is
// skipped when it arrives, and a second void of it changes nothing.
TEST(ProjectorTest, VoidsWithTargetsFromTheLogInAnyOrder) {
  Log log;
  log.Action("li", "c1", Utc(2026, 11, 2), v1::VISIT, 100);
  log.Action("li", "c1", Utc(2026, 11, 3), v1::PHONE, 20);
  log.Void("e2", Utc(2026, 11, 4));
  std::vector<v1::EventRecord> records;
  for (size_t i = 0; i < 3; ++i) {
    v1::EventRecord& r = records.emplace_back();
    r.set_seq(i + 1);
    *r.mutable_event() = log.events()[i];
  }
  ProjectorOptions options;
  options.index_events = false;
  const Period nov = PeriodContaining(PeriodKind::kMonth, absl::CivilDay(2026, 11, 1));
  auto actions = [&](const Projector& p) {
    return p.Metric(Subject::Rep("li"), nov, "actions")->integer;
  };
  {  // In log order, the target given: the void undoes it; a repeat of the void does nothing.
    Projector p(options);
    p.Apply(1, records[0].event());
    p.Apply(2, records[1].event());
    p.Apply(3, records[2].event(), &records[1]);
    EXPECT_EQ(actions(p), 1);
    p.Apply(4, records[2].event(), &records[1]);
    EXPECT_EQ(actions(p), 1);
    EXPECT_EQ(p.Metric(Subject::Rep("li"), nov, "action_cost")->integer, 100);
  }
  {  // The void first (seq 2), its target after it (seq 3): the target never counts.
    Projector p(options);
    v1::EventRecord target = records[1];
    target.set_seq(3);
    p.Apply(1, records[0].event());
    p.Apply(2, records[2].event(), &target);
    p.Apply(3, records[1].event());
    EXPECT_EQ(actions(p), 1);
    Projector without_it(options);
    without_it.Apply(1, records[0].event());
    EXPECT_EQ(p.DumpCells(), without_it.DumpCells());
  }
  {  // Without an index and without a target, a void cannot be resolved and changes nothing.
    Projector p(options);
    p.Apply(1, records[0].event());
    p.Apply(2, records[1].event());
    p.Apply(3, records[2].event());
    EXPECT_EQ(actions(p), 2);
  }
}

// WarmUp builds the member lists and reads the step sums up to a time ahead of the queries; the
// figures at any `now`, earlier or later, are what a cold projector answers.
TEST(ProjectorTest, WarmUpChangesNoFigureAtAnyTime) {
  Log log;
  log.Unit("co", "");
  log.Unit("sh", "co");
  log.Rep("li", "sh", Utc(2026, 1, 1));
  log.Rep("wang", "co", Utc(2026, 1, 1));
  for (int d = 1; d <= 20; ++d) {  // Follow-ups due on every day of the month, some done.
    const std::string customer = absl::StrCat("c", d);
    log.Action(d % 2 ? "li" : "wang", customer, Utc(2026, 11, d), v1::VISIT, 0,
               Utc(2026, 11, d + 3));
    if (d % 3 == 0) log.Action(d % 2 ? "li" : "wang", customer, Utc(2026, 11, d + 2));
  }
  auto cold = log.Project();
  auto warm = log.Project();
  warm->WarmUp(Utc(2026, 11, 15));
  const absl::CivilDay nov{2026, 11, 1};
  int64_t overdue_seen = 0;
  for (int day : {25, 2, 10, 15, 16, 30, 5}) {  // Both ways around the warm-up time.
    for (const Subject& s : {Subject::Unit("co"), Subject::Unit("sh"), Subject::Rep("wang")}) {
      for (const char* m : {"open_follow_ups", "overdue_follow_ups", "follow_ups_due"}) {
        SCOPED_TRACE(absl::StrCat(s.id, " ", m, " on Nov ", day));
        const MetricValue c = Get(*cold, s, PeriodKind::kMonth, nov, m, Utc(2026, 11, day, 12));
        const MetricValue w = Get(*warm, s, PeriodKind::kMonth, nov, m, Utc(2026, 11, day, 12));
        EXPECT_EQ(c.integer, w.integer);
        if (std::string(m) == "overdue_follow_ups") overdue_seen += c.integer;
      }
    }
  }
  EXPECT_GT(overdue_seen, 0);  // The comparison is not vacuous.
}

TEST(ProjectorTest, UnitsRollUpCurrentMembersAndCountCustomersOnce) {
  Log log;
  log.Unit("co", "");
  log.Unit("sh", "co");
  log.Unit("bj", "co");
  log.Rep("li", "sh", Utc(2026, 1, 1));
  log.Rep("wang", "sh", Utc(2026, 1, 1));
  log.Rep("zhao", "bj", Utc(2026, 1, 1));
  log.Contract("li", "k1", "acme", 100, Utc(2026, 11, 1));
  log.Contract("wang", "k2", "acme", 200, Utc(2026, 11, 2));
  log.Contract("zhao", "k3", "beta", 400, Utc(2026, 11, 3));
  const absl::CivilDay nov{2026, 11, 1};
  auto p = log.Project();
  EXPECT_EQ(Get(*p, Subject::Unit("sh"), PeriodKind::kMonth, nov, "sales_amount").integer, 300);
  EXPECT_EQ(Get(*p, Subject::Unit("sh"), PeriodKind::kMonth, nov, "customers_signed").integer, 1);
  EXPECT_EQ(Get(*p, Subject::Unit("co"), PeriodKind::kMonth, nov, "customers_signed").integer, 2);
  EXPECT_DOUBLE_EQ(*Get(*p, Subject::Unit("co"), PeriodKind::kMonth, nov, "avg_deal_size").real,
                   350);
  // Wang moves to Beijing (latest by event time wins): the whole history moves with him.
  log.Rep("wang", "bj", Utc(2026, 12, 1));
  log.Rep("wang", "sh", Utc(2026, 6, 1));  // Older, arriving later: does not win.
  auto moved = log.Project();
  EXPECT_EQ(Get(*moved, Subject::Unit("sh"), PeriodKind::kMonth, nov, "sales_amount").integer, 100);
  EXPECT_EQ(Get(*moved, Subject::Unit("bj"), PeriodKind::kMonth, nov, "sales_amount").integer, 600);
  absl::StatusOr<KpiReport> bj =
      moved->Kpis(Subject::Unit("bj"), PeriodContaining(PeriodKind::kMonth, nov), Utc(2027, 1, 1));
  EXPECT_THAT(*bj->reps, ElementsAre("wang", "zhao"));
  EXPECT_EQ(moved
                ->Kpis(Subject::Unit("nowhere"), PeriodContaining(PeriodKind::kMonth, nov),
                       Utc(2027, 1, 1))
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST(ProjectorTest, SatisfactionAndScoresAreMeans) {
  Log log;
  log.Add("li", Utc(2026, 11, 1)).mutable_feedback_recorded()->set_score(5);
  log.Add("li", Utc(2026, 11, 2)).mutable_feedback_recorded()->set_score(4);
  auto* s = log.Add("li", Utc(2026, 11, 3)).mutable_score_recorded();
  s->set_metric("teamwork");
  s->set_value(90);
  auto p = log.Project();
  const absl::CivilDay nov{2026, 11, 1};
  EXPECT_DOUBLE_EQ(*Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "satisfaction").real, 4.5);
  EXPECT_DOUBLE_EQ(*Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "score:teamwork").real,
                   90);
  EXPECT_FALSE(
      Get(*p, Subject::Rep("li"), PeriodKind::kMonth, absl::CivilDay(2026, 12, 1), "satisfaction")
          .real.has_value());
}

TEST(OrgStateTest, RefusesUnknownParentsCyclesUnknownUnitsAndStages) {
  OrgState org;
  v1::Event co, east;
  co.mutable_unit_defined()->set_unit_id("co");
  east.mutable_unit_defined()->set_unit_id("east");
  east.mutable_unit_defined()->set_parent_unit_id("co");
  EXPECT_EQ(org.Check(east, 0).code(), absl::StatusCode::kFailedPrecondition);
  org.Add({1, 1}, co);
  EXPECT_TRUE(org.Check(east, 0).ok());
  org.Add({2, 2}, east);
  v1::Event loop;
  loop.mutable_unit_defined()->set_unit_id("co");
  loop.mutable_unit_defined()->set_parent_unit_id("east");
  absl::Status cycle = org.Check(loop, 3);
  EXPECT_EQ(cycle.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(cycle.message()),
              ::testing::HasSubstr("events[3].unit_defined.parent_unit_id"));
  v1::Event rep;
  rep.mutable_rep_defined()->set_unit_id("west");
  EXPECT_EQ(org.Check(rep, 0).code(), absl::StatusCode::kFailedPrecondition);
  v1::Event stage;
  stage.mutable_opportunity_stage_changed()->set_stage("proposal");
  EXPECT_EQ(org.Check(stage, 0).code(), absl::StatusCode::kFailedPrecondition);
  stage.mutable_opportunity_stage_changed()->set_stage("value");
  EXPECT_TRUE(org.Check(stage, 0).ok());
}

}  // namespace
}  // namespace salestrack
