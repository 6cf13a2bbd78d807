// LogTotals: the log-wide total of each non-negative quantity that figures sum, kept so that no
// figure can wrap around (docs/decisions.md, "Sums that cannot wrap").
//
// Every summed figure of any rep, unit, period or competition window is a sub-sum of one of these
// totals (sales_amount, amount_due, margin_base: contract amounts; the cost half of gross_profit:
// contract costs; products_sold: line quantities; payments; action_cost; open_pipeline: expected
// amounts), or the difference of two sub-sums (gross_profit = amounts − costs, outstanding =
// amounts − payments). The projector stores only such non-negative sums, and each event's quantity
// lands at a fixed instant, so the partial sums of a retraction (new − old) are sub-sums too. So
// while every total stays within kMaxTotal = INT64_MAX, no figure, difference or intermediate sum
// leaves int64. Installments need no total of their own: they sum to their contract's amount.
//
// The writer refuses an event that would take a total past kMaxTotal (Add); a replay recomputes the
// totals (AddSaturating). Every appended event counts: a void gives nothing back, and a contract or
// payment id defined twice counts twice (an upper bound is all the argument needs).
//
//   LogTotals totals;
//   if (std::optional<FieldProblem> p = totals.Add(event)) ...  // refuse, naming p->field
//
// A value type; not thread-safe.
#ifndef SALESTRACK_LOG_TOTALS_H_
#define SALESTRACK_LOG_TOTALS_H_

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "salestrack/v1/events.pb.h"
#include "salestrack/validation.h"

namespace salestrack {

class LogTotals {
 public:
  enum Quantity : int {
    kContractAmounts,
    kContractCosts,
    kLineQuantities,
    kPayments,
    kActionCosts,
    kExpectedAmounts,
  };
  static constexpr int kQuantities = 6;
  static constexpr int64_t kMaxTotal = std::numeric_limits<int64_t>::max();

  // Adds the event's quantities, or, when one would take its total past kMaxTotal, adds nothing and
  // returns the problem: the field (e.g. "contract_signed.amount") and a reason naming the total,
  // the figures it bounds and the limit. REQUIRES: the event is valid (ValidateEvent).
  std::optional<FieldProblem> Add(const v1::Event& event);
  // Adds the event's quantities for a replay, which cannot refuse: a total past kMaxTotal (a log
  // written without this rule) stays at kMaxTotal, and over_limit() turns true.
  void AddSaturating(const v1::Event& event);

  // The totals a projector's snapshot saved (total() of each quantity, over_limit()).
  static LogTotals FromParts(const std::array<int64_t, kQuantities>& totals, bool over_limit) {
    LogTotals t;
    t.totals_ = totals;
    t.over_limit_ = over_limit;
    return t;
  }

  int64_t total(Quantity q) const { return totals_[q]; }
  // True once AddSaturating met a total past kMaxTotal: that total's figures may have wrapped.
  bool over_limit() const { return over_limit_; }
  // "contract amounts (sales_amount, amount_due, outstanding, margin_base)", for messages.
  static const char* Describe(Quantity q);

 private:
  std::array<int64_t, kQuantities> totals_{};
  bool over_limit_ = false;
};

}  // namespace salestrack

#endif  // SALESTRACK_LOG_TOTALS_H_
