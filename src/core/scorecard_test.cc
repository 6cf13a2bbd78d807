#include "salestrack/scorecard.h"

#include <algorithm>
#include <limits>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/scoring_test_log.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "salestrack/leaderboard.h"
#include "salestrack/proto_time.h"
#include "salestrack/validation.h"

namespace salestrack::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ScorecardTest, CompositeOfAnEnormousLinearScoreIsCappedNotWrapped) {
  // LINEAR capped at challenge / target = 10^15: a score of 10^17 points, a composite of 10^19
  // hundredths, past int64.
  Log log;
  AddOrg(log);
  log.Add(Utc(2026, 10, 1), R"txt(scheme_defined {
    scheme_id: "steep" name: "Steep" role: "hunter"
    components { dimension: "result" metric: "sales_amount" weight_bp: 10000 linear {} direction: HIGHER_IS_BETTER }
  })txt");
  log.Contract("ann", "k0", "c1", kMaxEventAmount, 0, Utc(2026, 11, 3));
  log.Target(Utc(2026, 10, 20), "subject_rep_id: \"ann\"", kNov, "sales_amount", 1,
             kMaxEventAmount);
  auto p = log.Replay();
  absl::StatusOr<Scorecard> card = ComputeScorecard(*p, Subject::Rep("ann"), kNov);
  ASSERT_TRUE(card.ok()) << card.status();
  ASSERT_TRUE(card->rows[0].score);
  EXPECT_DOUBLE_EQ(*card->rows[0].score, 1e17);
  EXPECT_EQ(card->composite_centi, kMaxCompositeCenti);
}

TEST(ScorecardTest, SeedsExampleHandComputed) {
  Log log;
  AddOrg(log);
  AddAnnsNovember(log);
  auto p = log.Replay();
  absl::StatusOr<Scorecard> card = ComputeScorecard(*p, Subject::Rep("ann"), kNov);
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ(card->scheme_id, "seed");
  EXPECT_EQ(card->role, "hunter");
  EXPECT_EQ(card->seq, log.size());
  ASSERT_EQ(card->rows.size(), 4u);
  struct Want {
    const char* metric;
    double actual, attainment, score;
  } want[] = {{"sales_amount", 1'150'000, 1.15, 100},
              {"gross_margin", 3600, 0.9, 90},
              {"repeat_purchase_rate", 5000, 5000.0 / 7000, 0},
              {"collection_rate", 6800, 0.85, 85}};
  for (size_t i = 0; i < 4; ++i) {
    const ScoreRow& r = card->rows[i];
    EXPECT_EQ(r.metric, want[i].metric);
    ASSERT_TRUE(r.actual && r.attainment && r.score) << r.metric << ": " << r.note;
    EXPECT_NEAR(*r.actual, want[i].actual, 1e-6) << r.metric;
    EXPECT_NEAR(*r.attainment, want[i].attainment, 1e-9) << r.metric;
    EXPECT_NEAR(*r.score, want[i].score, 1e-9) << r.metric;
    EXPECT_EQ(r.target_from, "rep ann");
    EXPECT_EQ(r.rule, "threshold 80%");
  }
  EXPECT_EQ(card->rows[1].target->baseline, 3200);
  EXPECT_EQ(card->composite_centi, 7525);
  EXPECT_EQ(card->multiplier_bp, 10000);
  EXPECT_EQ(card->sales_amount, 1'150'000);
  EXPECT_EQ(card->sales_target, 1'000'000);
  EXPECT_EQ(card->commission, 2'000);
}

TEST(ScorecardTest, MissingTargetLeavesComponentUnscored) {
  Log log;
  AddOrg(log);
  AddAnnsNovember(log, /*with_collection_target=*/false);
  auto p = log.Replay();
  absl::StatusOr<Scorecard> card = ComputeScorecard(*p, Subject::Rep("ann"), kNov);
  ASSERT_TRUE(card.ok()) << card.status();
  const ScoreRow& collection = card->rows[3];
  EXPECT_FALSE(collection.target);
  EXPECT_FALSE(collection.score);
  EXPECT_NEAR(*collection.actual, 6800, 1e-6);  // The actual is still shown.
  EXPECT_THAT(collection.note, HasSubstr("no target"));
  EXPECT_EQ(card->composite_centi, 6250);  // 40 + 22.5 + 0 + 0.
  EXPECT_EQ(card->multiplier_bp, 8000);    // < 70.
  EXPECT_THAT(card->notes, ElementsAre(HasSubstr("collection_rate is unscored")));
  // Bob has no targets at all: every component unscored, no commission, composite 0.
  card = ComputeScorecard(*p, Subject::Rep("bob"), kNov);
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ(card->composite_centi, 0);
  EXPECT_EQ(card->commission, 0);
  EXPECT_FALSE(card->sales_target);
  EXPECT_THAT(card->notes, ::testing::Contains(HasSubstr("no sales_amount target")));
}

TEST(ScorecardTest, UnitTargetsApplyToRepsWithoutTheirOwnAndToUnits) {
  Log log;
  AddOrg(log);
  AddAnnsNovember(log, /*with_collection_target=*/false);
  // A company-wide collection target on the region; Shanghai's own margin target for the team.
  log.Target(Utc(2026, 10, 21), "subject_unit_id: \"east\"", kNov, "collection_rate", 8000);
  log.Target(Utc(2026, 10, 21), "subject_unit_id: \"sh\"", kNov, "sales_amount", 4'000'000);
  auto p = log.Replay();
  absl::StatusOr<Scorecard> card = ComputeScorecard(*p, Subject::Rep("ann"), kNov);
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ(card->rows[3].target_from, "unit east");
  EXPECT_NEAR(*card->rows[3].score, 85, 1e-9);
  EXPECT_EQ(card->rows[0].target_from, "rep ann");  // Her own target wins over the team's.
  EXPECT_EQ(card->composite_centi, 7525);

  // The Shanghai team's card: its own sales target, the rep's figures merged (Ann is its only
  // seller).
  card = ComputeScorecard(*p, Subject::Unit("sh"), kNov);
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ(card->scheme_id, "seed");  // Its reps are hunters.
  EXPECT_EQ(card->rows[0].target_from, "unit sh");
  EXPECT_NEAR(*card->rows[0].attainment, 1'150'000.0 / 4'000'000, 1e-12);
  EXPECT_DOUBLE_EQ(*card->rows[0].score, 0);  // 28.75 % is below the 80 % threshold.
  EXPECT_FALSE(card->rows[1].score);          // No margin target for the team or the region.
  EXPECT_EQ(card->commission, 0);
  EXPECT_EQ(card->composite_centi, 1275);  // Collection 85 x 15 %.
}

constexpr char kSchemeV2[] = R"txt(
  scheme_defined {
    scheme_id: "seed" name: "Seeds example v2" role: "hunter"
    components { dimension: "result" metric: "sales_amount" weight_bp: 7000 linear {} direction: HIGHER_IS_BETTER }
    components { dimension: "result" metric: "gross_margin" weight_bp: 3000 threshold {} direction: HIGHER_IS_BETTER }
  })txt";

TEST(ScorecardTest, SchemeChangedMidPeriodAppliesFromItsEventTime) {
  Log log;
  AddOrg(log);
  AddAnnsNovember(log);
  const std::string v2 = log.Add(Utc(2026, 11, 15), kSchemeV2);
  const Period nov10{PeriodKind::kDay, absl::CivilDay(2026, 11, 10)};
  auto p = log.Replay();
  // November ends after the change: scored by v2. 0.7 x 115 + 0.3 x 90 = 107.5; no tiers: x1.0.
  absl::StatusOr<Scorecard> card = ComputeScorecard(*p, Subject::Rep("ann"), kNov);
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ(card->scheme_name, "Seeds example v2");
  ASSERT_EQ(card->rows.size(), 2u);
  EXPECT_EQ(card->rows[0].rule, "linear cap 120%");
  EXPECT_EQ(card->composite_centi, 10750);
  EXPECT_EQ(card->multiplier_bp, 10000);
  EXPECT_EQ(card->commission, 0);  // v2 pays no commission.
  // A day before the change still uses v1; so does October.
  card = ComputeScorecard(*p, Subject::Rep("ann"), nov10);
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ(card->scheme_name, "Seeds example");
  card = ComputeScorecard(*p, Subject::Rep("ann"), kOct);
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ(card->rows.size(), 4u);
  // Voiding v2 brings November back to v1: exactly the card without it.
  log.Void(v2, Utc(2026, 11, 16));
  p = log.Replay();
  card = ComputeScorecard(*p, Subject::Rep("ann"), kNov);
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ(card->composite_centi, 7525);
  // A scheme dated after the period's end does not apply: September has none.
  card = ComputeScorecard(*p, Subject::Rep("ann"),
                          Period{PeriodKind::kMonth, absl::CivilDay(2026, 9, 1)});
  EXPECT_TRUE(absl::IsFailedPrecondition(card.status())) << card.status();
}

TEST(ScorecardTest, LatestTargetWinsByEventTimeNotArrival) {
  Log log;
  AddOrg(log);
  AddAnnsNovember(log);
  // A late upload of an older target must not override the newer one; the newer one arrives first.
  log.Target(Utc(2026, 10, 25), "subject_rep_id: \"ann\"", kNov, "sales_amount", 1'100'000);
  const std::string old =
      log.Target(Utc(2026, 10, 22), "subject_rep_id: \"ann\"", kNov, "sales_amount", 500'000);
  auto p = log.Replay();
  absl::StatusOr<Scorecard> card = ComputeScorecard(*p, Subject::Rep("ann"), kNov);
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ(card->sales_target, 1'100'000);
  EXPECT_EQ(card->commission, 500);  // 1 % of the 50,000 above 1,100,000.
}

TEST(ScorecardTest, LowerIsBetterComponents) {
  Log log;
  AddOrg(log);
  log.Add(Utc(2026, 10, 1), R"txt(
    scheme_defined {
      scheme_id: "thrift" name: "Thrift" role: "hunter"
      components { metric: "action_cost" weight_bp: 5000 threshold {} direction: LOWER_IS_BETTER }
      components { metric: "sales_cycle" weight_bp: 5000 linear {} direction: LOWER_IS_BETTER }
    })txt");
  // Ann spends 12,500 against a 10,000 budget: a = 0.8 -> 80.
  for (int i = 0; i < 5; ++i) {
    log.Add(Utc(2026, 11, 2 + i),
            R"txt(action_logged { customer_id: "c" purpose: CLOSE channel: VISIT cost: 2500 })txt",
            "ann");
  }
  // Two deals won in 20 and 28 days (mean 24) against a 30-day target and a 20-day challenge:
  // a = 30 / 24 = 1.25, under the 30/20 cap -> 125.
  for (auto [opp, days] : {std::pair{"o1", 20}, {"o2", 28}}) {
    log.Add(Utc(2026, 10, 1),
            absl::StrCat("opportunity_opened { opportunity_id: \"", opp, "\" customer_id: \"c\" }"),
            "ann");
    log.Add(Utc(2026, 10, 1) + absl::Hours(24 * days),
            absl::StrCat("opportunity_closed { opportunity_id: \"", opp, "\" outcome: WON }"),
            "ann");
  }
  log.Target(Utc(2026, 10, 20), "subject_rep_id: \"ann\"", kNov, "action_cost", 10'000);
  log.Target(Utc(2026, 10, 20), "subject_rep_id: \"ann\"", kOct, "sales_cycle", 30 * 86400,
             20 * 86400);
  log.Target(Utc(2026, 10, 20), "subject_rep_id: \"bob\"", kNov, "action_cost", 10'000);
  auto p = log.Replay();
  absl::StatusOr<Scorecard> card = ComputeScorecard(*p, Subject::Rep("ann"), kNov);
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_TRUE(card->rows[0].lower_is_better);
  EXPECT_NEAR(*card->rows[0].attainment, 0.8, 1e-12);
  EXPECT_NEAR(*card->rows[0].score, 80, 1e-9);
  EXPECT_FALSE(card->rows[1].score);  // No sales_cycle target for November.
  card = ComputeScorecard(*p, Subject::Rep("ann"), kOct);
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ(card->rows[1].rule, "linear cap 150%");
  EXPECT_NEAR(*card->rows[1].attainment, 1.25, 1e-9);
  EXPECT_NEAR(*card->rows[1].score, 125, 1e-9);
  // Bob spent nothing: the best possible, scored 100, attainment not a number.
  card = ComputeScorecard(*p, Subject::Rep("bob"), kNov);
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_FALSE(card->rows[0].attainment);
  EXPECT_NEAR(*card->rows[0].score, 100, 1e-9);
  EXPECT_THAT(card->rows[0].note, HasSubstr("best possible"));
}

TEST(ScorecardTest, NoSchemeIsFailedPrecondition) {
  Log log;
  AddOrg(log);
  auto p = log.Replay();
  absl::StatusOr<Scorecard> card = ComputeScorecard(*p, Subject::Rep("ann"), kNov);
  EXPECT_TRUE(absl::IsFailedPrecondition(card.status())) << card.status();
  EXPECT_THAT(card.status().message(), HasSubstr("no scheme for role \"hunter\""));
  card = ComputeScorecard(*p, Subject::Rep("nobody"), kNov);
  EXPECT_THAT(card.status().message(), HasSubstr("has no role"));
  card = ComputeScorecard(*p, Subject::Rep("ann"), kNov, "missing");
  EXPECT_TRUE(absl::IsNotFound(card.status())) << card.status();
  card = ComputeScorecard(*p, Subject::Unit("west"), kNov);
  EXPECT_TRUE(absl::IsNotFound(card.status())) << card.status();
}

TEST(ScorecardTest, ReplayInAnyOrderGivesTheSameCardAndDump) {
  Log log;
  AddOrg(log);
  AddAnnsNovember(log);
  log.Add(Utc(2026, 11, 15), kSchemeV2);
  auto in_order = log.Replay();
  absl::StatusOr<Scorecard> want = ComputeScorecard(*in_order, Subject::Rep("ann"), kNov);
  ASSERT_TRUE(want.ok());
  std::mt19937 rng(7);
  for (int round = 0; round < 5; ++round) {
    // Org events first (the writer refuses a rep before its unit); everything else shuffled.
    std::vector<size_t> order(log.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin() + 11, order.end(), rng);
    auto p = log.Replay(order);
    absl::StatusOr<Scorecard> got = ComputeScorecard(*p, Subject::Rep("ann"), kNov);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->composite_centi, want->composite_centi);
    EXPECT_EQ(got->scheme_name, want->scheme_name);
    std::vector<std::string> got_dump = p->DumpCells(), want_dump = in_order->DumpCells();
    EXPECT_EQ(got_dump, want_dump);
  }
  std::vector<std::string> dump = in_order->DumpCells();
  EXPECT_TRUE(std::any_of(dump.begin(), dump.end(), [](const std::string& l) {
    return l.rfind("target rep ann MONTH 2026-11-01 sales_amount", 0) == 0;
  }));
  EXPECT_TRUE(std::any_of(dump.begin(), dump.end(), [](const std::string& l) {
    return l.rfind("scheme role hunter", 0) == 0;
  }));
}

TEST(ScorecardTest, CompositeScoreRanksABoard) {
  Log log;
  AddOrg(log);
  AddAnnsNovember(log);
  // Bob: only a sales target, exceeded: 40 points.
  log.Contract("bob", "kb", "c9", 300'000, 100'000, Utc(2026, 11, 4));
  log.Target(Utc(2026, 10, 20), "subject_rep_id: \"bob\"", kNov, "sales_amount", 200'000);
  auto p = log.Replay();
  absl::StatusOr<Board> board = ComputeBoard(*p, BoardSpec::ForUnit("sh", kNov, "composite_score"));
  ASSERT_TRUE(board.ok()) << board.status();
  ASSERT_EQ(board->entries.size(), 3u);
  EXPECT_EQ(board->entries[0].member, "ann");
  EXPECT_EQ(board->entries[0].value, 75.25);
  EXPECT_EQ(board->entries[1].member, "bob");
  EXPECT_EQ(board->entries[1].value, 40);
  EXPECT_EQ(board->entries[2].value, 0);  // Cat has the scheme but no targets.
  board = ComputeBoard(*p, BoardSpec::ForUnit("sh", kNov, "commission"));
  ASSERT_TRUE(board.ok()) << board.status();
  // Bob: 1 % of 20,000 + 2 % of 20,000 (120 % cap) = 600; Ann 2,000.
  EXPECT_EQ(board->entries[0].value, 2000);
  EXPECT_EQ(board->entries[1].value, 600);
}

TEST(ScorecardTest, CompetitionsRankByTheirSchemeOverTheirWindow) {
  Log log;
  AddOrg(log);
  AddAnnsNovember(log);
  log.Contract("bob", "kb", "c9", 300'000, 100'000, Utc(2026, 11, 4));
  log.Target(Utc(2026, 10, 20), "subject_rep_id: \"bob\"", kNov, "sales_amount", 200'000);
  // A November PK: the window is the month, so it scores exactly like the month.
  log.Add(Utc(2026, 10, 25), R"txt(competition_defined {
    competition_id: "nov-pk" name: "November PK" start { seconds: 1793491200 } end { seconds: 1796083200 }
    scheme_id: "seed" participant_unit_ids: "sh" mode: INDIVIDUAL })txt");
  // A PK of 10–20 November: November's targets, the window's figures. Ann signed k2 (550,000) in
  // it: 55 % of her target, 0 points for sales; her margin in the window is (550-336)/550 = 38.9 %,
  // 97.3 % of 40 %; no repeat purchase (c2 is new); collection 282,000 / 550,000 = 51.3 %: 0.
  log.Add(Utc(2026, 10, 25), R"txt(competition_defined {
    competition_id: "mid-pk" name: "Mid-November PK" start { seconds: 1794268800 } end { seconds: 1795132800 }
    scheme_id: "seed" participant_rep_ids: "ann" participant_rep_ids: "bob" mode: INDIVIDUAL })txt");
  log.Add(Utc(2026, 10, 25), R"txt(competition_defined {
    competition_id: "team-pk" name: "Team PK" start { seconds: 1793491200 } end { seconds: 1796083200 }
    scheme_id: "seed" participant_unit_ids: "sh" participant_unit_ids: "hz" mode: TEAM })txt");
  auto p = log.Replay();
  EXPECT_EQ(PeriodName(WindowPeriod(Utc(2026, 11, 10), Utc(2026, 11, 20), absl::UTCTimeZone())),
            "MONTH 2026-11-01");
  EXPECT_EQ(PeriodName(WindowPeriod(Utc(2026, 10, 1), Utc(2027, 1, 1), absl::UTCTimeZone())),
            "QUARTER 2026-10-01");
  EXPECT_EQ(PeriodName(WindowPeriod(Utc(2026, 11, 23), Utc(2026, 11, 24), absl::UTCTimeZone())),
            "DAY 2026-11-23");
  absl::StatusOr<Board> board = ComputeBoard(*p, BoardSpec::ForCompetition("nov-pk"));
  ASSERT_TRUE(board.ok()) << board.status();
  EXPECT_EQ(board->shape.metric, "composite_score");
  ASSERT_EQ(board->entries.size(), 3u);
  EXPECT_EQ(board->entries[0].member, "ann");
  EXPECT_EQ(board->entries[0].value, 75.25);
  EXPECT_EQ(board->entries[1].value, 40);

  absl::StatusOr<Scorecard> card = ComputeCompetitionScorecard(*p, "mid-pk", Subject::Rep("ann"));
  ASSERT_TRUE(card.ok()) << card.status();
  EXPECT_EQ(card->period, kNov);
  EXPECT_EQ(card->sales_amount, 550'000);
  EXPECT_NEAR(*card->rows[1].attainment, (214.0 / 550) / 0.4, 1e-9);
  EXPECT_EQ(card->composite_centi, std::llround(2500 * 100 * (214.0 / 550) / 0.4 / 100));
  board = ComputeBoard(*p, BoardSpec::ForCompetition("mid-pk"));
  ASSERT_TRUE(board.ok()) << board.status();
  EXPECT_EQ(board->entries[0].member, "ann");  // Bob signed nothing in the window: 0.

  // TEAM mode: units scored on their members' window figures with unit targets (none here but
  // the region's collection target): Shanghai 1,450,000 due, 782,000 paid = 53.9 %: 0 points.
  board = ComputeBoard(*p, BoardSpec::ForCompetition("team-pk"));
  ASSERT_TRUE(board.ok()) << board.status();
  EXPECT_TRUE(board->shape.team);
  ASSERT_EQ(board->entries.size(), 2u);
  EXPECT_EQ(board->entries[0].value, 0);
  EXPECT_EQ(board->entries[1].value, 0);
  EXPECT_TRUE(
      absl::IsNotFound(ComputeCompetitionScorecard(*p, "none", Subject::Rep("ann")).status()));
}

}  // namespace
}  // namespace salestrack::testing
