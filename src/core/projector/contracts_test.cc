#include "core/projector/contracts.h"

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

using projection::Contract;
using projection::ContractDef;
using projection::ContractMetrics;
using projection::PaymentDef;
using projection::Touch;
using projection::TouchKind;
using projection::TouchList;

// Overdue as of now is max(0, due by now − paid): steps at the installments' due times, two
// installments due at one instant making one step, and a payment that covers the first.
TEST(ContractsTest, OverdueStepsFollowInstallmentsAndPayments) {
  const ContractMetrics m{1, 2, 3, 4, 5, 6, 7};
  ContractDef d{10, 1, 9, 8};
  d.amount = 100;
  d.installments = {{20, 30}, {40, 30}, {40, 40}};
  Contract c;
  c.defs.push_back(d);
  c.payments = {50, 51};
  const PaymentDef paid{15, 2, 5, 35}, elsewhere{16, 3, 6, 1000};
  auto paying = [&](projection::Id p) { return p == 50 ? &paid : p == 51 ? &elsewhere : nullptr; };
  std::vector<Touch> ts;
  projection::ContractTouches(m, 5, c, paying, TouchList{&ts, +1});
  std::vector<std::pair<projection::Micros, int64_t>> steps;
  int64_t paid_sum = 0;
  for (const Touch& t : ts) {
    if (t.kind == TouchKind::kPitStep) steps.push_back({t.at, t.value});
    if (t.kind == TouchKind::kPitSum && t.metric == projection::kPaid) paid_sum = t.value;
  }
  EXPECT_EQ(paid_sum, 35);  // Payment 51 pays another contract.
  EXPECT_THAT(steps, ElementsAre(std::make_pair(projection::Micros{40}, int64_t{65})));
  ts.clear();
  projection::ContractTouches(m, 5, Contract{}, paying, TouchList{&ts, +1});
  EXPECT_TRUE(ts.empty());  // Paid before it was signed: no contribution yet.
}

// Through the whole projector.
TEST(ProjectorTest, BackdatedContractChangesTheCustomersFirstContract) {
  Log log;
  log.Contract("li", "k1", "acme", 1000, Utc(2026, 11, 10));
  auto p1 = log.Project();
  EXPECT_EQ(Int(*p1, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "new_customers"), 1);
  EXPECT_EQ(Int(*p1, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "returning_customers"),
            0);
  // A CRM import brings Wang's older contract with the same customer.
  log.Contract("wang", "k0", "acme", 500, Utc(2026, 10, 5));
  auto p2 = log.Project();
  EXPECT_EQ(Int(*p2, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "new_customers"), 0);
  EXPECT_EQ(Int(*p2, "wang", PeriodKind::kMonth, absl::CivilDay(2026, 10, 1), "new_customers"), 1);
  EXPECT_EQ(Int(*p2, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "returning_customers"),
            1);
  EXPECT_DOUBLE_EQ(*Get(*p2, Subject::Rep("li"), PeriodKind::kMonth, absl::CivilDay(2026, 11, 1),
                        "repeat_purchase_rate")
                        .real,
                   1.0);
  // Voiding the backdated contract removes every knock-on effect.
  log.Void("e2", Utc(2026, 11, 20));
  auto p3 = log.Project();
  EXPECT_EQ(Int(*p3, "li", PeriodKind::kMonth, absl::CivilDay(2026, 11, 1), "new_customers"), 1);
  EXPECT_EQ(Int(*p3, "wang", PeriodKind::kMonth, absl::CivilDay(2026, 10, 1), "new_customers"), 0);
  EXPECT_EQ(Int(*p3, "wang", PeriodKind::kMonth, absl::CivilDay(2026, 10, 1), "sales_amount"), 0);
  EXPECT_EQ(p3->DumpCells(), p1->DumpCells());
}

TEST(ProjectorTest, SalesProfitPaymentsAndCollection) {
  Log log;
  log.Contract("li", "k1", "c1", 1000, Utc(2026, 11, 1), 600);
  log.Contract("li", "k2", "c1", 3000, Utc(2026, 11, 2));  // No cost: not in the margin.
  log.Payment("p1", "k1", 400, Utc(2026, 11, 5));
  log.Payment("p1", "k2", 999,
              Utc(2026, 11, 6));  // A later event with the same payment id: ignored.
  log.Payment("p2", "k-unknown", 50, Utc(2026, 11, 7));  // Contract unknown: counts nothing.
  auto p = log.Project();
  const absl::CivilDay nov{2026, 11, 1};
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "sales_amount"), 4000);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "gross_profit"), 400);
  EXPECT_DOUBLE_EQ(*Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "gross_margin").real, 0.4);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "customers_signed"), 1);
  EXPECT_DOUBLE_EQ(*Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "avg_deal_size").real,
                   4000);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "payments"), 400);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kMonth, nov, "amount_due"), 4000);  // Due at signing.
  EXPECT_DOUBLE_EQ(*Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "collection_rate").real,
                   0.1);
  EXPECT_EQ(Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "outstanding").integer, 3600);
  EXPECT_EQ(Get(*p, Subject::Rep("li"), PeriodKind::kMonth, nov, "overdue").integer, 3600);
  EXPECT_FALSE(
      Get(*p, Subject::Rep("li"), PeriodKind::kMonth, absl::CivilDay(2026, 12, 1), "gross_margin")
          .real.has_value());
}

}  // namespace
}  // namespace salestrack
