#include "salestrack/log_totals.h"

#include <algorithm>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"

namespace salestrack {
namespace {

struct Part {
  LogTotals::Quantity quantity;
  int64_t amount;
  const char* field;
};

// What an event adds to each total. Amounts are >= 0 in any log; a line sum is clamped, since a
// log written before the per-event maximum may hold lines whose sum leaves int64.
std::vector<Part> PartsOf(const v1::Event& e) {
  switch (e.payload_case()) {
    case v1::Event::kActionLogged:
      return {{LogTotals::kActionCosts, e.action_logged().cost(), "action_logged.cost"}};
    case v1::Event::kOpportunityOpened:
      return {{LogTotals::kExpectedAmounts, e.opportunity_opened().expected_amount(),
               "opportunity_opened.expected_amount"}};
    case v1::Event::kContractSigned: {
      const v1::ContractSigned& c = e.contract_signed();
      absl::int128 quantity = 0;
      for (const auto& line : c.lines()) quantity += std::max<int64_t>(0, line.quantity());
      std::vector<Part> parts = {
          {LogTotals::kContractAmounts, c.amount(), "contract_signed.amount"},
          {LogTotals::kLineQuantities,
           static_cast<int64_t>(std::min<absl::int128>(quantity, LogTotals::kMaxTotal)),
           "contract_signed.lines"}};
      if (c.has_cost())
        parts.push_back({LogTotals::kContractCosts, c.cost(), "contract_signed.cost"});
      return parts;
    }
    case v1::Event::kPaymentReceived:
      return {{LogTotals::kPayments, e.payment_received().amount(), "payment_received.amount"}};
    default:
      return {};
  }
}

}  // namespace

const char* LogTotals::Describe(Quantity q) {
  switch (q) {
    case kContractAmounts:
      return "contract amounts (sales_amount, amount_due, margin_base, outstanding)";
    case kContractCosts:
      return "contract costs (gross_profit)";
    case kLineQuantities:
      return "line quantities (products_sold)";
    case kPayments:
      return "payments (payments, outstanding)";
    case kActionCosts:
      return "action costs (action_cost)";
    case kExpectedAmounts:
      return "expected amounts (open_pipeline)";
  }
  return "?";
}

std::optional<FieldProblem> LogTotals::Add(const v1::Event& event) {
  const std::vector<Part> parts = PartsOf(event);
  for (const Part& p : parts) {
    if (p.amount > kMaxTotal - totals_[p.quantity]) {
      return FieldProblem{
          p.field, absl::StrCat("would take the log's total of ", Describe(p.quantity), " past ",
                                kMaxTotal, ", the most a figure can hold (total ",
                                totals_[p.quantity], ", this event adds ", p.amount,
                                "); refused so that no figure wraps around")};
    }
  }
  for (const Part& p : parts) totals_[p.quantity] += p.amount;
  return std::nullopt;
}

void LogTotals::AddSaturating(const v1::Event& event) {
  for (const Part& p : PartsOf(event)) {
    const int64_t amount = std::max<int64_t>(0, p.amount);
    if (amount > kMaxTotal - totals_[p.quantity]) {
      totals_[p.quantity] = kMaxTotal;
      over_limit_ = true;
    } else {
      totals_[p.quantity] += amount;
    }
  }
}

}  // namespace salestrack
