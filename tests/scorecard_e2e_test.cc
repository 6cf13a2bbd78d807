// Scoring end to end (KPI_SPEC §6): targets, schemes, scorecards, target checks and composite-score
// boards through a real salestrackd and the real CLI, on the seeds' worked example (the figures are
// worked out in src/core/scorecard_test.cc: Ann's November scores 75.25, x1.0, commission 2,000).
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "salestrack/v1/kpi_service.pb.h"
#include "salestrack/v1/leaderboard_service.grpc.pb.h"
#include "scoring_fixture.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::testing::HasSubstr;

class ScorecardE2eTest : public testing::ScoringDaemonTest {
 protected:
  void SetUp() override {
    ScoringDaemonTest::SetUp();
    ASSERT_EQ(Append(testing::kScoringEvents).code, 0);
  }
};

TEST_F(ScorecardE2eTest, SeedsExampleScorecardAsJsonAndTable) {
  v1::GetScorecardResponse card = Scorecard("--rep ann --date 2026-11-01");
  EXPECT_EQ(card.seq(), 23u);
  EXPECT_EQ(card.scheme_id(), "seed");
  ASSERT_EQ(card.rows_size(), 4);
  EXPECT_NEAR(card.rows(1).attainment(), 0.9, 1e-9);
  EXPECT_EQ(card.rows(1).kind(), v1::MetricValue::RATIO);
  EXPECT_FALSE(card.rows(2).score() > 0);
  EXPECT_EQ(card.rows(3).target_from(), "unit east");
  EXPECT_DOUBLE_EQ(card.composite_score(), 75.25);
  EXPECT_EQ(card.multiplier_bp(), 10000);
  EXPECT_EQ(card.commission(), 2000);

  testing::CliResult text = Cli("scorecard --rep ann --date 2026-11-01");
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("scorecard for rep ann, MONTH 2026-11-01, scheme seed (Seeds "
                                  "example, role seed), at seq 23"));
  EXPECT_THAT(text.out, HasSubstr("gross_margin"));
  EXPECT_THAT(text.out, HasSubstr("32.0%"));   // Baseline 3200 of a ratio.
  EXPECT_THAT(text.out, HasSubstr("36.0%"));   // Actual margin.
  EXPECT_THAT(text.out, HasSubstr("90.00%"));  // Its attainment, in basis points.
  EXPECT_THAT(text.out, HasSubstr("target of unit east"));
  EXPECT_THAT(text.out, HasSubstr("composite score   75.25"));
  EXPECT_THAT(text.out, HasSubstr("bonus multiplier  x1.00"));
  EXPECT_THAT(text.out, HasSubstr("commission        2,000 (20.00)"));
  // --locale: money in the org currency, in the table and the totals.
  text = Cli("scorecard --rep ann --date 2026-11-01 --locale zh-CN");
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("¥8,000.00"));  // Ann's sales_amount baseline.
  EXPECT_THAT(text.out, HasSubstr("commission        ¥20.00"));

  // The Shanghai team: the reps' figures merged, scored by its reps' scheme.
  card = Scorecard("--unit sh --date 2026-11-01");
  EXPECT_EQ(card.role(), "seed");
  EXPECT_EQ(card.sales_amount(), 1'450'000);

  testing::CliResult none = Cli("scorecard --rep dan --date 2026-11-01");
  EXPECT_EQ(none.code, 1);
  EXPECT_THAT(none.err, HasSubstr("no scheme for role \"nobody-scores-me\""));
  EXPECT_EQ(Cli("scorecard --date 2026-11-01").code, 2);
  EXPECT_EQ(Cli("verify").code, 0);
}

TEST_F(ScorecardE2eTest, TargetsCheckFindsTheTeamsThatDoNotAddUp) {
  testing::CliResult r = Cli("targets check --unit east --period quarter --date 2026-10-01");
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("3 checked, 2 not adding up"));
  // East: 4M + 3M = 7M of 10M. Hangzhou: Dan has no target. Shanghai adds up.
  EXPECT_THAT(r.out, HasSubstr("unit hz 3,000,000, unit sh 4,000,000"));
  EXPECT_THAT(r.out, HasSubstr("-3,000,000"));
  EXPECT_THAT(r.out, HasSubstr("rep dan (none)"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("\nsh ")));
  Append(
      R"txt(event_id: "q-dan" occurred_at { seconds: 1792454400 } target_set { subject_rep_id: "dan" period { kind: QUARTER date { year: 2026 month: 10 day: 1 } } metric: "sales_amount" target: 3000000 }
event_id: "q-nj" occurred_at { seconds: 1792454400 } unit_defined { unit_id: "nj" name: "Nanjing" parent_unit_id: "east" }
event_id: "q-nj-t" occurred_at { seconds: 1792454400 } target_set { subject_unit_id: "nj" period { kind: QUARTER date { year: 2026 month: 10 day: 1 } } metric: "sales_amount" target: 3000000 }
)txt");
  r = Cli("targets check --unit east --period quarter --date 2026-10-01");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("3 checked, 0 not adding up"));  // Nanjing has no children yet.
  EXPECT_EQ(Cli("targets check --period quarter").code, 2);
}

TEST_F(ScorecardE2eTest, CompositeScoreBoardsRankAndStreamChanges) {
  testing::CliResult top = Cli("top --unit sh --metric composite_score --date 2026-11-01");
  ASSERT_EQ(top.code, 0) << top.err;
  // Ann 75.25; Bob 300,000 of 2,000,000 is below the threshold: 0.
  EXPECT_THAT(top.out, HasSubstr("   1  ann  75.25"));
  EXPECT_THAT(top.out, HasSubstr("   2  bob   0.00"));

  auto stub = v1::LeaderboardService::NewStub(daemon_->NewChannel());
  v1::SubscribeLeaderboardRequest request;
  request.mutable_board()->set_unit_id("sh");
  request.mutable_board()->set_metric("composite_score");
  request.mutable_board()->mutable_period()->set_kind(v1::MONTH);
  *request.mutable_board()->mutable_period()->mutable_date() = [] {
    v1::Date d;
    d.set_year(2026);
    d.set_month(11);
    d.set_day(1);
    return d;
  }();
  grpc::ClientContext context;
  auto reader = stub->SubscribeLeaderboard(&context, request);
  v1::LeaderboardUpdate update;
  ASSERT_TRUE(reader->Read(&update));
  ASSERT_EQ(update.kind(), v1::LeaderboardUpdate::SNAPSHOT);
  ASSERT_EQ(update.entries_size(), 2);
  EXPECT_EQ(update.entries(0).member_id(), "ann");

  // Bob signs 1,900,000 more: 2,200,000 of 2,000,000 -> sales scores 100 -> 40 points; his margin
  // has no target. Only his sales_amount changed, and his composite moves with it.
  Append(
      R"txt(event_id: "kb2" occurred_at { seconds: 1795305600 } rep_id: "bob" contract_signed { contract_id: "kb2" customer_id: "c8" amount: 1900000 cost: 1000000 })txt");
  ASSERT_TRUE(reader->Read(&update));
  EXPECT_EQ(update.kind(), v1::LeaderboardUpdate::DELTA);
  ASSERT_EQ(update.entries_size(), 1);
  EXPECT_EQ(update.entries(0).member_id(), "bob");
  EXPECT_DOUBLE_EQ(update.entries(0).value(), 40);
  EXPECT_EQ(update.entries(0).rank(), 2u);

  // A target change moves composites without any activity: Ann's sales target doubles, so her
  // 1,150,000 is 57.5 % of it: 0 points for sales -> 35.25, below Bob.
  Append(
      R"txt(event_id: "t1b" occurred_at { seconds: 1792540800 } target_set { subject_rep_id: "ann" period { kind: MONTH date { year: 2026 month: 11 day: 1 } } metric: "sales_amount" target: 2000000 })txt");
  ASSERT_TRUE(reader->Read(&update));
  EXPECT_EQ(update.kind(), v1::LeaderboardUpdate::DELTA);
  std::map<std::string, std::pair<double, uint32_t>> got;
  for (const auto& e : update.entries()) got[e.member_id()] = {e.value(), e.rank()};
  EXPECT_EQ(got["ann"], std::make_pair(35.25, 2u));
  EXPECT_EQ(got["bob"], std::make_pair(40.0, 1u));
  context.TryCancel();
  EXPECT_EQ(Cli("verify").code, 0);
}

TEST_F(ScorecardE2eTest, ACompetitionRanksByItsSchemeOverItsWindow) {
  // A November PK between the Shanghai reps and Dan, whose role no scheme scores: by the PK's
  // scheme he is scored too (0: no targets of his own, nothing signed).
  Append(
      R"txt(event_id: "pk" occurred_at { seconds: 1792454400 } competition_defined { competition_id: "nov-pk" name: "November PK" start { seconds: 1793491200 } end { seconds: 1796083200 } scheme_id: "seed" participant_unit_ids: "sh" participant_rep_ids: "dan" mode: INDIVIDUAL })txt");
  testing::CliResult top = Cli("top --competition nov-pk");
  ASSERT_EQ(top.code, 0) << top.err;
  EXPECT_THAT(top.out, HasSubstr("composite_score"));
  EXPECT_THAT(top.out, HasSubstr("   1  ann  75.25"));
  EXPECT_THAT(top.out, HasSubstr("   2  bob   0.00"));
  EXPECT_THAT(top.out, HasSubstr("   2  dan   0.00"));
}

}  // namespace
}  // namespace salestrack
