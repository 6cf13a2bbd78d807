#include "engine/append_budget.h"

#include "engine/retry_hint.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salestrack::engine {
namespace {

using ::testing::HasSubstr;

TEST(AppendBudgetTest, TryChargeKeepsEachKeyAndTheTotalWithinTheirBudgets) {
  AppendBudget budget(/*per_key_bytes=*/100, /*total_bytes=*/150);
  EXPECT_TRUE(budget.TryCharge("a", 60).ok());
  absl::Status key_full = budget.TryCharge("a", 50);
  EXPECT_EQ(key_full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(key_full.message(), HasSubstr("limits.max_key_append_bytes"));
  EXPECT_TRUE(RetryAfter(key_full).has_value());
  EXPECT_TRUE(budget.TryCharge("b", 80).ok());
  absl::Status total_full = budget.TryCharge("c", 20);
  EXPECT_EQ(total_full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(total_full.message(), HasSubstr("limits.max_append_bytes"));
  EXPECT_EQ(budget.held(), 140);
  budget.Release("a", 60);
  EXPECT_EQ(budget.held("a"), 0);
  EXPECT_TRUE(budget.TryCharge("c", 20).ok());
  EXPECT_EQ(budget.held(), 100);
}

TEST(AppendBudgetTest, AWaiterRunsOnTheNextReleaseAndNotWhenThereIsRoom) {
  AppendBudget budget(/*per_key_bytes=*/100, /*total_bytes=*/1000);
  int woken = 0;
  EXPECT_FALSE(budget.WaitForRoom("a", [&] { ++woken; }).has_value());  // Room: no wait.
  budget.Charge("a", 100);                                              // Streams overshoot.
  std::optional<uint64_t> wait = budget.WaitForRoom("a", [&] { ++woken; });
  ASSERT_TRUE(wait.has_value());
  EXPECT_FALSE(budget.WaitForRoom("b", [&] { ++woken; }).has_value());  // Another key has room.
  budget.Release("a", 10);
  EXPECT_EQ(woken, 1);
  EXPECT_FALSE(budget.CancelWait(*wait));  // It ran.
  budget.Release("a", 10);
  EXPECT_EQ(woken, 1);  // Once.
  budget.Charge("a", 20);
  wait = budget.WaitForRoom("a", [&] { ++woken; });
  ASSERT_TRUE(wait.has_value());
  EXPECT_TRUE(budget.CancelWait(*wait));
  budget.Release("a", 100);
  EXPECT_EQ(woken, 1);
  EXPECT_EQ(budget.held(), 0);
}

TEST(AppendBudgetTest, AFullTotalHoldsBackEveryKey) {
  AppendBudget budget(/*per_key_bytes=*/100, /*total_bytes=*/100);
  budget.Charge("a", 100);
  EXPECT_TRUE(budget.WaitForRoom("b", [] {}).has_value());
  budget.Release("a", 1);
  EXPECT_FALSE(budget.WaitForRoom("b", [] {}).has_value());
}

TEST(AppendBudgetTest, ReleasingMoreThanChargedCannotWrap) {
  AppendBudget budget(100, 100);
  budget.Charge("a", 5);
  budget.Release("a", 50);
  budget.Release("b", 50);
  EXPECT_EQ(budget.held(), 0);
  EXPECT_TRUE(budget.TryCharge("a", 100).ok());
}

}  // namespace
}  // namespace salestrack::engine
