// Exact scores, the scheme a unit is scored by, and pacing, through a real salestrackd and the real
// CLI (issue 21 items 5–7; docs/decisions.md, Scoring).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "salestrack/v1/kpi_service.pb.h"
#include "scoring_fixture.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// One rep "eve" (role "one") in unit "solo", scored by a one-component scheme on sales_amount with
// the rule `rule` and the seeds' multiplier tiers (>= 90 x1.2, >= 70 x1.0, else x0.8).
std::string OneComponentOrg(const std::string& rule,
                            const std::string& direction = "HIGHER_IS_BETTER") {
  return absl::StrCat(
      R"txt(event_id: "u-solo" occurred_at { seconds: 1788220800 } unit_defined { unit_id: "solo" name: "Solo" }
event_id: "r-eve" occurred_at { seconds: 1788220800 } rep_defined { rep_id: "eve" name: "Eve" unit_id: "solo" role: "one" active: true }
event_id: "s-one" occurred_at { seconds: 1788220800 } scheme_defined { scheme_id: "one" name: "One" role: "one" components { dimension: "result" metric: "sales_amount" weight_bp: 10000 )txt",
      rule, " direction: ", direction,
      R"txt( } multiplier_tiers { min_score_centi: 9000 multiplier_bp: 12000 } multiplier_tiers { min_score_centi: 7000 multiplier_bp: 10000 } multiplier_tiers { min_score_centi: 0 multiplier_bp: 8000 } }
)txt");
}

// Eve signs `amount` on 2026-11-10 against a November sales_amount target of `target`.
std::string SignedAgainst(int64_t amount, int64_t target) {
  return absl::StrFormat(
      R"txt(event_id: "k" occurred_at { seconds: 1794268800 } rep_id: "eve" contract_signed { contract_id: "k" customer_id: "c" amount: %d }
event_id: "t" occurred_at { seconds: 1792454400 } target_set { subject_rep_id: "eve" period { kind: MONTH date { year: 2026 month: 11 day: 1 } } metric: "sales_amount" target: %d }
)txt",
      amount, target);
}

using ScoreFiguresE2eTest = testing::ScoringDaemonTest;

// 13,999 of 20,000 is exactly 69.995 points: half away from zero is 70.00, which pays x1.0. In
// floating point 13999 / 20000 x 100 is 69.99499..., which showed 69.99 and paid x0.8.
TEST_F(ScoreFiguresE2eTest, AnExactHalfRoundsAwayAndReachesTheTier) {
  Append(OneComponentOrg("linear {}") + SignedAgainst(13'999, 20'000));
  v1::GetScorecardResponse card = Scorecard("--rep eve --date 2026-11-01");
  EXPECT_EQ(card.composite_centi(), 7000);
  EXPECT_DOUBLE_EQ(card.composite_score(), 70.0);
  EXPECT_EQ(card.multiplier_bp(), 10000);
  ASSERT_EQ(card.rows_size(), 1);
  EXPECT_EQ(card.rows(0).attainment_bp(), 6999);  // 69.995 %: toward minus infinity.
  EXPECT_EQ(card.rows(0).score_centi(), 7000);
  testing::CliResult text = Cli("scorecard --rep eve --date 2026-11-01");
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("composite score   70.00"));
  EXPECT_THAT(text.out, HasSubstr("bonus multiplier  x1.00"));
  EXPECT_THAT(text.out, HasSubstr("69.99%"));
  EXPECT_THAT(text.out, HasSubstr("scheme chosen: the rep's role (one)"));
}

// Just below THRESHOLD's floor: 0 points, and the attainment never reads 80.00 % beside them.
TEST_F(ScoreFiguresE2eTest, AnAttainmentBelowTheFloorNeverReadsAsTheFloor) {
  Append(OneComponentOrg("threshold {}") + SignedAgainst(7'999'999, 10'000'000));
  v1::GetScorecardResponse card = Scorecard("--rep eve --date 2026-11-01");
  ASSERT_EQ(card.rows_size(), 1);
  EXPECT_EQ(card.rows(0).attainment_bp(), 7999);
  EXPECT_EQ(card.rows(0).score_centi(), 0);
  EXPECT_EQ(card.composite_centi(), 0);
  testing::CliResult text = Cli("scorecard --rep eve --date 2026-11-01");
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("79.99%"));
  EXPECT_THAT(text.out, Not(HasSubstr("80.0%")));
  EXPECT_THAT(text.out, Not(HasSubstr("80.00%")));
}

// Edges of THRESHOLD at the largest figures an event may carry (10^15): a hair below the floor
// scores 0, a hair above it 80, a hair below 100 % just under 100 points.
TEST_F(ScoreFiguresE2eTest, RuleEdgesAtHugeFiguresAreExact) {
  constexpr int64_t kMax = 1'000'000'000'000'000;  // kMaxEventAmount.
  Append(OneComponentOrg("threshold {}") + SignedAgainst(kMax / 10 * 8 - 1, kMax));
  v1::GetScorecardResponse card = Scorecard("--rep eve --date 2026-11-01");
  ASSERT_EQ(card.rows_size(), 1);
  EXPECT_EQ(card.rows(0).attainment_bp(), 7999);  // 79.9999999999999 %.
  EXPECT_EQ(card.rows(0).score_centi(), 0);
  Append(
      R"txt(event_id: "t2" occurred_at { seconds: 1792540800 } target_set { subject_rep_id: "eve" period { kind: MONTH date { year: 2026 month: 11 day: 1 } } metric: "sales_amount" target: 999999999999998 })txt");
  card = Scorecard("--rep eve --date 2026-11-01");  // 80.0000000000000 ... 8 %: scores.
  EXPECT_EQ(card.rows(0).attainment_bp(), 8000);
  EXPECT_EQ(card.rows(0).score_centi(), 8000);
  Append(
      R"txt(event_id: "t3" occurred_at { seconds: 1792627200 } target_set { subject_rep_id: "eve" period { kind: MONTH date { year: 2026 month: 11 day: 1 } } metric: "sales_amount" target: 1000000000000000 }
event_id: "k2" occurred_at { seconds: 1794268800 } rep_id: "eve" contract_signed { contract_id: "k2" customer_id: "c" amount: 200000000000000 })txt");
  card = Scorecard("--rep eve --date 2026-11-01");  // 10^15 - 1 of 10^15.
  EXPECT_EQ(card.rows(0).attainment_bp(), 9999);
  EXPECT_EQ(card.rows(0).score_centi(), 10000);  // 99.9999999999999 points, rounded once.
  EXPECT_EQ(card.composite_centi(), 10000);
  EXPECT_EQ(card.multiplier_bp(), 12000);
}

// A LINEAR component of a negative actual (a gross loss) scores below 0, exactly.
TEST_F(ScoreFiguresE2eTest, ANegativeActualScoresLinearlyBelowZero) {
  Append(absl::StrCat(
      R"txt(event_id: "u-solo" occurred_at { seconds: 1788220800 } unit_defined { unit_id: "solo" name: "Solo" }
event_id: "r-eve" occurred_at { seconds: 1788220800 } rep_defined { rep_id: "eve" name: "Eve" unit_id: "solo" role: "gp" active: true }
event_id: "s-gp" occurred_at { seconds: 1788220800 } scheme_defined { scheme_id: "gp" name: "GP" role: "gp" components { dimension: "result" metric: "gross_profit" weight_bp: 10000 linear {} direction: HIGHER_IS_BETTER } }
event_id: "k" occurred_at { seconds: 1794268800 } rep_id: "eve" contract_signed { contract_id: "k" customer_id: "c" amount: 1000 cost: 1333 }
event_id: "t" occurred_at { seconds: 1792454400 } target_set { subject_rep_id: "eve" period { kind: MONTH date { year: 2026 month: 11 day: 1 } } metric: "gross_profit" target: 2000 }
)txt"));
  v1::GetScorecardResponse card = Scorecard("--rep eve --date 2026-11-01");
  ASSERT_EQ(card.rows_size(), 1);
  EXPECT_EQ(card.rows(0).attainment_bp(), -1665);  // -333 / 2000 = -16.65 %.
  EXPECT_EQ(card.rows(0).score_centi(), -1665);
  EXPECT_EQ(card.composite_centi(), -1665);
}

// A unit is scored by a unit scheme when there is one (role "unit:<id>", else "unit"), not by
// whatever scheme its reps' most common role has; the card says which and why.
TEST_F(ScoreFiguresE2eTest, AUnitSchemeScoresUnitsAndTheCardSaysWhy) {
  Append(testing::kScoringEvents);
  v1::GetScorecardResponse card = Scorecard("--unit sh --date 2026-11-01");
  EXPECT_EQ(card.scheme_id(), "seed");
  EXPECT_THAT(card.scheme_reason(), HasSubstr("no unit scheme"));
  EXPECT_THAT(card.scheme_reason(), HasSubstr("(seed, 2 reps)"));
  Append(
      R"txt(event_id: "s-unit" occurred_at { seconds: 1790812800 } scheme_defined { scheme_id: "units" name: "Units" role: "unit" components { dimension: "result" metric: "sales_amount" weight_bp: 10000 linear {} direction: HIGHER_IS_BETTER } }
event_id: "s-unit-hz" occurred_at { seconds: 1790812800 } scheme_defined { scheme_id: "hz-only" name: "Hangzhou" role: "unit:hz" components { dimension: "result" metric: "sales_amount" weight_bp: 10000 threshold {} direction: HIGHER_IS_BETTER } }
)txt");
  card = Scorecard("--unit sh --date 2026-11-01");
  EXPECT_EQ(card.scheme_id(), "units");
  EXPECT_EQ(card.role(), "unit");
  EXPECT_EQ(card.scheme_reason(), "the unit scheme (role \"unit\")");
  EXPECT_EQ(Scorecard("--unit hz --date 2026-11-01").scheme_id(), "hz-only");
  // A rep is still scored by its role's scheme; --scheme still wins.
  EXPECT_EQ(Scorecard("--rep ann --date 2026-11-01").scheme_id(), "seed");
  card = Scorecard("--unit sh --date 2026-11-01 --scheme seed");
  EXPECT_EQ(card.scheme_id(), "seed");
  EXPECT_EQ(card.scheme_reason(), "requested (scheme_id)");
  testing::CliResult text = Cli("scorecard --unit hz --date 2026-11-01");
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("scheme chosen: the unit scheme (role \"unit:hz\")"));
}

// A running period shows its elapsed share and each sum component against its pro-rated target;
// a closed one shows neither. The clock is the real one, so expectations are bounded by the
// shares just before and just after the call.
TEST_F(ScoreFiguresE2eTest, ARunningPeriodShowsPace) {
  const absl::Time before = absl::Now();
  const absl::CivilDay today = absl::ToCivilDay(before, absl::UTCTimeZone());
  const absl::CivilMonth month(today);
  const absl::Time start = absl::FromCivil(month, absl::UTCTimeZone());
  const absl::Time end = absl::FromCivil(month + 1, absl::UTCTimeZone());
  const int64_t signed_at = absl::ToUnixSeconds(std::max(start, before - absl::Hours(1)));
  constexpr int64_t kTarget = 3'000'000, kSigned = 1'000;
  Append(
      OneComponentOrg("linear {}") +
      absl::StrFormat(
          R"txt(event_id: "k" occurred_at { seconds: %d } rep_id: "eve" contract_signed { contract_id: "k" customer_id: "c" amount: %d }
event_id: "t" occurred_at { seconds: 1792454400 } target_set { subject_rep_id: "eve" period { kind: MONTH date { year: %d month: %d day: 1 } } metric: "sales_amount" target: %d }
)txt",
          signed_at, kSigned, month.year(), month.month(), kTarget));
  const std::string date = absl::FormatCivilTime(absl::CivilDay(month));
  v1::GetScorecardResponse card = Scorecard("--rep eve --date " + date);
  const absl::Time after = absl::Now();
  auto share = [&](absl::Time t) { return absl::FDivDuration(t - start, end - start); };
  ASSERT_TRUE(card.in_progress());
  EXPECT_GE(card.elapsed_bp(), static_cast<uint32_t>(share(before) * 10000) - 1);
  EXPECT_LE(card.elapsed_bp(), static_cast<uint32_t>(share(after) * 10000) + 1);
  ASSERT_EQ(card.rows_size(), 1);
  const v1::ScorecardRow& row = card.rows(0);
  ASSERT_TRUE(row.has_paced_target() && row.has_pace_gap());
  EXPECT_GE(row.paced_target(), static_cast<int64_t>(kTarget * share(before)) - 1);
  EXPECT_LE(row.paced_target(), static_cast<int64_t>(kTarget * share(after)) + 2);
  EXPECT_EQ(row.pace_gap(), kSigned - row.paced_target());  // Both integers: the gap is exact.
  EXPECT_EQ(row.target(), kTarget);  // The final-period view is beside it, unchanged.
  testing::CliResult text = Cli("scorecard --rep eve --date " + date);
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("period in progress"));
  EXPECT_THAT(text.out, HasSubstr("paced target"));
  if (row.pace_gap() < 0) EXPECT_THAT(text.out, HasSubstr("behind by"));

  card = Scorecard("--rep eve --date 2026-11-01");  // Closed: no pace.
  EXPECT_FALSE(card.in_progress());
  EXPECT_FALSE(card.rows(0).has_paced_target());
  EXPECT_THAT(Cli("scorecard --rep eve --date 2026-11-01").out, Not(HasSubstr("paced")));
}

}  // namespace
}  // namespace salestrack
