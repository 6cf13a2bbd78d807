// The scoring rules alone: component scores, attainment, multipliers and commission brackets.
#include "salestrack/scorecard.h"

#include <limits>

#include "core/scoring_test_log.h"
#include "gtest/gtest.h"

namespace salestrack::testing {
namespace {

TEST(ScoreRulesTest, ThresholdAndLinearScores) {
  v1::SchemeDefined::Component threshold, linear, capped;
  threshold.mutable_threshold();
  linear.mutable_linear();
  capped.mutable_linear()->set_cap_bp(11000);
  const Target plain{800, 1000, 0}, challenge{800, 1000, 1300};
  struct Case {
    const v1::SchemeDefined::Component* rule;
    Target target;
    double a;
    double score;
  } cases[] = {
      {&threshold, plain, 1.2, 100},  {&threshold, plain, 1.0, 100}, {&threshold, plain, 0.95, 95},
      {&threshold, plain, 0.8, 80},   {&threshold, plain, 0.79, 0},  {&threshold, plain, 0, 0},
      {&linear, plain, 0.5, 50},      {&linear, plain, 1.5, 120},  // Default cap 120 %.
      {&linear, challenge, 1.5, 130},                              // Cap = challenge / target.
      {&capped, challenge, 1.5, 110},                              // cap_bp wins.
  };
  for (const Case& c : cases) {
    EXPECT_DOUBLE_EQ(RuleScore(*c.rule, c.a, c.target, false), c.score)
        << "a=" << c.a << " rule=" << c.rule->ShortDebugString();
  }
  v1::SchemeDefined::Component floor60;
  floor60.mutable_threshold()->set_floor_bp(6000);
  EXPECT_DOUBLE_EQ(RuleScore(floor60, 0.65, plain, false), 65);
  EXPECT_DOUBLE_EQ(RuleScore(floor60, 0.59, plain, false), 0);
  // LOWER is better: a sales cycle target of 30 days with a 20-day challenge caps at 30/20.
  EXPECT_DOUBLE_EQ(RuleScore(linear, 2.0, Target{40, 30, 20}, true), 150);
}

TEST(ScoreRulesTest, AttainmentByDirection) {
  EXPECT_DOUBLE_EQ(Attainment(1'150'000, 1'000'000, false), 1.15);
  EXPECT_DOUBLE_EQ(Attainment(24, 30, true), 1.25);  // Faster than the target: above 100 %.
  EXPECT_DOUBLE_EQ(Attainment(12'500, 10'000, true), 0.8);
  EXPECT_TRUE(std::isinf(Attainment(0, 10'000, true)));
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
