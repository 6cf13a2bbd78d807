#include "salestrack/log_totals.h"

#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salestrack {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

v1::Event Payment(int64_t amount) {
  v1::Event e;
  e.mutable_payment_received()->set_amount(amount);
  return e;
}

v1::Event Contract(int64_t amount, std::optional<int64_t> cost, std::vector<int64_t> lines) {
  v1::Event e;
  v1::ContractSigned* c = e.mutable_contract_signed();
  c->set_amount(amount);
  if (cost) c->set_cost(*cost);
  for (int64_t q : lines) c->add_lines()->set_quantity(q);
  return e;
}

TEST(LogTotalsTest, RefusesTheEventThatWouldPassTheLimitAndAddsNothingOfIt) {
  LogTotals totals;
  for (int i = 0; i < 9223; ++i) ASSERT_FALSE(totals.Add(Payment(kMaxEventAmount)));
  const int64_t rest = kMax - totals.total(LogTotals::kPayments);
  EXPECT_FALSE(totals.Add(Payment(rest)));
  EXPECT_EQ(totals.total(LogTotals::kPayments), kMax);
  std::optional<FieldProblem> p = totals.Add(Payment(1));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->field, "payment_received.amount");
  EXPECT_THAT(p->reason, HasSubstr("payments (payments, outstanding) past 9223372036854775807"));
  EXPECT_EQ(totals.total(LogTotals::kPayments), kMax);
  EXPECT_FALSE(totals.Add(Payment(0)));  // Adds nothing: still fine.
}

TEST(LogTotalsTest, AContractIsAllOrNothing) {
  LogTotals totals;
  for (int i = 0; i < 9223; ++i) ASSERT_FALSE(totals.Add(Contract(0, kMaxEventAmount, {})));
  // Its amount and lines fit, its cost does not: none of it is added.
  std::optional<FieldProblem> p = totals.Add(Contract(5, kMax, {1, 2}));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->field, "contract_signed.cost");
  EXPECT_EQ(totals.total(LogTotals::kContractAmounts), 0);
  EXPECT_EQ(totals.total(LogTotals::kLineQuantities), 0);
  EXPECT_FALSE(totals.Add(Contract(5, std::nullopt, {1, 2})));
  EXPECT_EQ(totals.total(LogTotals::kContractAmounts), 5);
  EXPECT_EQ(totals.total(LogTotals::kLineQuantities), 3);
}

TEST(LogTotalsTest, AReplayOfAnOlderLogSaturatesAndSaysSo) {
  LogTotals totals;
  totals.AddSaturating(Payment(kMax));
  EXPECT_FALSE(totals.over_limit());
  totals.AddSaturating(Payment(kMax));  // Accepted before the limit existed.
  EXPECT_TRUE(totals.over_limit());
  EXPECT_EQ(totals.total(LogTotals::kPayments), kMax);
  // Lines whose sum leaves int64 are clamped, not wrapped.
  totals.AddSaturating(Contract(0, std::nullopt, {kMax, kMax}));
  EXPECT_EQ(totals.total(LogTotals::kLineQuantities), kMax);
  EXPECT_TRUE(totals.Add(Payment(1)));  // Nothing more can go in.
}

}  // namespace
}  // namespace salestrack
