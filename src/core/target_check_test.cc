// CheckTargets: targets of a region split into its teams and reps, and sums that cannot wrap.
#include "salestrack/scorecard.h"

#include <limits>

#include "core/scoring_test_log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salestrack::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(TargetCheckTest, RegionSplitIntoTeamsAndReps) {
  Log log;
  AddOrg(log);
  const absl::Time t = Utc(2026, 9, 20);
  const Period q4{PeriodKind::kQuarter, absl::CivilDay(2026, 10, 1)};
  auto target = [&](const std::string& subject, int64_t v) {
    log.Target(t, subject, q4, "sales_amount", v);
  };
  target("subject_unit_id: \"east\"", 10'000'000);
  target("subject_unit_id: \"sh\"", 4'000'000);
  target("subject_unit_id: \"hz\"", 3'000'000);
  target("subject_unit_id: \"nj\"", 3'000'000);
  target("subject_rep_id: \"ann\"", 1'500'000);
  target("subject_rep_id: \"bob\"", 1'300'000);
  target("subject_rep_id: \"cat\"", 1'200'000);
  target("subject_rep_id: \"dan\"", 1'000'000);
  target("subject_rep_id: \"eve\"", 1'500'000);                          // Hangzhou: 2.5M of 3M.
  target("subject_rep_id: \"fay\"", 3'000'000);                          // Nanjing: gus has none.
  log.Target(t, "subject_unit_id: \"east\"", q4, "gross_margin", 3500);  // A ratio: not summed.
  auto p = log.Replay();
  absl::StatusOr<TargetCheck> check = CheckTargets(*p, "east", q4);
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->checked, 4);  // east, sh, hz, nj for sales_amount.
  ASSERT_EQ(check->gaps.size(), 2u);
  EXPECT_EQ(check->gaps[0].unit_id, "hz");
  EXPECT_EQ(check->gaps[0].children_sum, 2'500'000);
  EXPECT_THAT(check->gaps[0].children,
              ElementsAre(Pair("rep dan", 1'000'000), Pair("rep eve", 1'500'000)));
  EXPECT_EQ(check->gaps[1].unit_id, "nj");
  EXPECT_EQ(check->gaps[1].children_sum, 3'000'000);
  EXPECT_THAT(check->gaps[1].missing, ElementsAre("rep gus"));
  // Only the Shanghai subtree: it adds up.
  check = CheckTargets(*p, "sh", q4, "sales_amount");
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->checked, 1);
  EXPECT_TRUE(check->gaps.empty());
  EXPECT_TRUE(absl::IsNotFound(CheckTargets(*p, "west", q4).status()));
}

TEST(TargetCheckTest, ChildrenSumSaturatesInsteadOfWrapping) {
  // 9,224 reps with the largest target each: their sum is past int64.
  Log log;
  const absl::Time t = Utc(2026, 9, 1);
  const Period q4{PeriodKind::kQuarter, absl::CivilDay(2026, 10, 1)};
  log.Add(t, R"txt(unit_defined { unit_id: "big" name: "Big" })txt");
  log.Target(t, "subject_unit_id: \"big\"", q4, "sales_amount", kMaxEventAmount);
  for (int i = 0; i < 9224; ++i) {
    const std::string rep = absl::StrCat("r", i);
    log.Add(t, absl::StrCat("rep_defined { rep_id: \"", rep, "\" name: \"", rep,
                            "\" unit_id: \"big\" active: true }"));
    log.Target(t, absl::StrCat("subject_rep_id: \"", rep, "\""), q4, "sales_amount",
               kMaxEventAmount);
  }
  auto p = log.Replay();
  absl::StatusOr<TargetCheck> check = CheckTargets(*p, "big", q4, "sales_amount");
  ASSERT_TRUE(check.ok()) << check.status();
  ASSERT_EQ(check->gaps.size(), 1u);
  EXPECT_EQ(check->gaps[0].children_sum, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(check->gaps[0].unit_target, kMaxEventAmount);
}

}  // namespace
}  // namespace salestrack::testing
