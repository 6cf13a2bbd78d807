// The scoring rules alone: component scores, attainment, multipliers and commission brackets.
#include "salestrack/score_math.h"
#include "salestrack/scorecard.h"

#include <limits>

#include "core/scoring_test_log.h"
#include "gtest/gtest.h"

namespace salestrack::testing {
namespace {

Exact Q(int64_t num, int64_t den = 1) {
  Exact q(num, den);
  q.canonicalize();
  return q;
}

TEST(ScoreRulesTest, ThresholdAndLinearScores) {
  v1::SchemeDefined::Component threshold, linear, capped;
  threshold.mutable_threshold();
  linear.mutable_linear();
  capped.mutable_linear()->set_cap_bp(11000);
  const Target plain{800, 1000, 0}, challenge{800, 1000, 1300};
  struct Case {
    const v1::SchemeDefined::Component* rule;
    Target target;
    Exact a;
    Exact score;
  } cases[] = {
      {&threshold, plain, Q(6, 5), Q(100)},
      {&threshold, plain, Q(1), Q(100)},
      {&threshold, plain, Q(95, 100), Q(95)},
      {&threshold, plain, Q(4, 5), Q(80)},  // The floor itself scores.
      {&threshold, plain, Q(7999, 10000), Q(0)},
      {&threshold, plain, Q(79'999'999, 100'000'000), Q(0)},  // Just below the floor.
      {&threshold, plain, Q(99'999'999, 100'000'000), Q(99'999'999, 1'000'000)},
      {&threshold, plain, Q(0), Q(0)},
      {&threshold, plain, Q(-3, 10), Q(0)},  // A negative actual (a gross loss).
      {&linear, plain, Q(1, 2), Q(50)},
      {&linear, plain, Q(3, 2), Q(120)},   // Default cap 120 %.
      {&linear, plain, Q(-1, 4), Q(-25)},  // LINEAR is 100 x a below the cap: negative too.
      {&linear, plain, Q(119'999, 100'000), Q(119'999, 1000)},
      {&linear, challenge, Q(3, 2), Q(130)},  // Cap = challenge / target.
      {&capped, challenge, Q(3, 2), Q(110)},  // cap_bp wins.
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ExactRuleScore(*c.rule, c.a, c.target, false), c.score)
        << "a=" << c.a.get_str() << " rule=" << c.rule->ShortDebugString();
  }
  v1::SchemeDefined::Component floor60;
  floor60.mutable_threshold()->set_floor_bp(6000);
  EXPECT_EQ(ExactRuleScore(floor60, Q(65, 100), plain, false), 65);
  EXPECT_EQ(ExactRuleScore(floor60, Q(59, 100), plain, false), 0);
  EXPECT_EQ(ExactRuleScore(floor60, Q(6, 10), plain, false), 60);
  // LOWER is better: a sales cycle target of 30 days with a 20-day challenge caps at 30/20.
  EXPECT_EQ(ExactRuleScore(linear, Q(2), Target{40, 30, 20}, true), 150);
  // An infinite attainment (LOWER, actual 0): THRESHOLD's 100, LINEAR's cap.
  EXPECT_EQ(ExactRuleScore(threshold, std::nullopt, plain, true), 100);
  EXPECT_EQ(ExactRuleScore(linear, std::nullopt, Target{40, 30, 20}, true), 150);
}

TEST(ScoreRulesTest, AttainmentByDirection) {
  EXPECT_EQ(ExactAttainment(1'150'000, 1'000'000, false), Q(115, 100));
  EXPECT_EQ(ExactAttainment(24, 30, true), Q(5, 4));  // Faster than the target: above 100 %.
  EXPECT_EQ(ExactAttainment(12'500, 10'000, true), Q(4, 5));
  EXPECT_FALSE(ExactAttainment(0, 10'000, true));
  EXPECT_EQ(ExactAttainment(-500, 1000, false), Q(-1, 2));
}

TEST(ScoreRulesTest, ExactFiguresAtTheLimits) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  // A ratio's exact fraction, x 10000 in the target unit: 1/3 is 10000/3, not 3333.33...
  MetricValue third{MetricValue::Kind::kRatio};
  third.num = 1;
  third.den = 3;
  EXPECT_EQ(*ExactInTargetUnits(third), Q(10000, 3));
  MetricValue undefined{MetricValue::Kind::kRatio};
  EXPECT_FALSE(ExactInTargetUnits(undefined));
  MetricValue cycle{MetricValue::Kind::kDistribution};
  cycle.count = 3;
  cycle.sum_micros = absl::int128(kMax) * 3;  // Beyond int64: the sum of three huge samples.
  EXPECT_EQ(*ExactInTargetUnits(cycle), ExactOf(kMax) / 1'000'000);
  // Huge actual over the smallest target, and the largest target with a tiny actual.
  EXPECT_EQ(*ExactAttainment(ExactOf(kMax), 1, false), ExactOf(kMax));
  EXPECT_EQ(RoundHalfAway(*ExactAttainment(ExactOf(kMax), 1, false) * 10000), kMax);  // Clamped.
  EXPECT_EQ(FloorClamped(*ExactAttainment(1, kMax, false) * 10000), 0);
  EXPECT_EQ(FloorClamped(*ExactAttainment(ExactOf(-kMax), 1, false) * 10000), -kMax);
}

TEST(ScoreRulesTest, RoundingHalfAwayAndTowardMinusInfinity) {
  EXPECT_EQ(RoundHalfAway(Q(139'990, 20)), 7000);  // 6999.5 centi-points: 70.00.
  EXPECT_EQ(RoundHalfAway(Q(-139'990, 20)), -7000);
  EXPECT_EQ(RoundHalfAway(Q(69'994'999, 10'000)), 6999);
  EXPECT_EQ(RoundHalfAway(Q(5, 1), 3), 3);
  EXPECT_EQ(FloorClamped(Q(79'97, 100) * 100), 7997);
  EXPECT_EQ(FloorClamped(Q(7'999'999, 1000)), 7999);  // 79.99999 %: never 80.00 %.
  EXPECT_EQ(FloorClamped(Q(-1, 3)), -1);
}

TEST(ScoreRulesTest, SeedMultipliers) {
  const v1::SchemeDefined s = SeedScheme();
  for (auto [centi, bp] : {std::pair{10000, 12000},
                           {9000, 12000},
                           {8999, 10000},
                           {7000, 10000},
                           {6999, 8000},
                           {0, 8000}}) {
    EXPECT_EQ(MultiplierFor(s, centi), bp) << centi;
  }
  v1::SchemeDefined none;
  EXPECT_EQ(MultiplierFor(none, 5000), 10000);  // No tiers: x1.0.
  v1::SchemeDefined high_only;
  auto* tier = high_only.add_multiplier_tiers();
  tier->set_min_score_centi(9000);
  tier->set_multiplier_bp(12000);
  EXPECT_EQ(MultiplierFor(high_only, 8000), 0);  // Below every tier: no bonus.
}

TEST(ScoreRulesTest, SeedCommissionIsMarginalLikeTaxBrackets) {
  const v1::SchemeDefined s = SeedScheme();
  for (auto [sales, commission] : {std::pair<int64_t, int64_t>{900'000, 0},
                                   {1'000'000, 0},
                                   {1'050'000, 500},
                                   {1'100'000, 1'000},
                                   {1'150'000, 2'000},
                                   {1'200'000, 3'000},
                                   {1'500'000, 3'000}}) {
    EXPECT_EQ(CommissionFor(s, sales, 1'000'000), commission) << sales;
  }
  EXPECT_EQ(CommissionFor(s, 1'000'199, 1'000'000), 1);  // 1 % of 199 fen, rounded down.
}

TEST(ScoreRulesTest, CommissionAtTheLargestSalesDoesNotWrap) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  // The seeds' brackets on a target at the per-event maximum: 1 % of 10^14 and 2 % of 10^14.
  EXPECT_EQ(CommissionFor(SeedScheme(), kMax, kMaxEventAmount), 3'000'000'000'000);
  // A single open-ended bracket at 100 % from the first unit: the whole of the largest figure.
  v1::SchemeDefined all = SeedScheme();
  all.clear_commission_tiers();
  auto* tier = all.add_commission_tiers();
  tier->set_from_bp(0);
  tier->set_rate_bp(10000);
  EXPECT_EQ(CommissionFor(all, kMax, kMaxEventAmount), kMax);
}

}  // namespace
}  // namespace salestrack::testing
