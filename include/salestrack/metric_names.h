// The metric names of KPI_SPEC §5, as they appear in TargetSet, SchemeDefined and
// CompetitionDefined.
//
// Grammar:
//   name      := plain | family ":" arg
//   plain     := "actions" | "action_cost" | "opportunities_opened" | ... (see kPlainMetrics)
//   family    := "actions_by_channel" | "actions_by_purpose" | "funnel_reached" | "stage_duration"
//              | "score"
//   arg       := an enum value name (channel, purpose), a stage id, or a score name (an identifier)
//
// Examples: "sales_amount", "win_rate", "actions_by_channel:VISIT", "stage_duration:negotiation",
// "score:teamwork".
//
// Boards rank one more family, "attainment:" per-period-name (e.g. "attainment:sales_amount"): a
// member's actual over its target (KPI_SPEC §6 attainment). It is not a metric of §5, so it is not
// a known metric name (no target or scheme can name it); IsBoardMetric says what a board ranks.
#ifndef SALESTRACK_METRIC_NAMES_H_
#define SALESTRACK_METRIC_NAMES_H_

#include <array>

#include "absl/strings/string_view.h"

namespace salestrack {

// True when `name` follows the grammar above. Stage ids are not checked against StagesDefined here
// (that needs the org state); channel and purpose names are checked against the enums.
bool IsKnownMetricName(absl::string_view name);

// Each name once, for code that names a metric.
namespace metric {
// Per period, without an argument (KPI_SPEC §5 order).
inline constexpr absl::string_view kActions = "actions";
inline constexpr absl::string_view kActionCost = "action_cost";
inline constexpr absl::string_view kOpportunitiesOpened = "opportunities_opened";
inline constexpr absl::string_view kOpportunitiesWon = "opportunities_won";
inline constexpr absl::string_view kOpportunitiesLost = "opportunities_lost";
inline constexpr absl::string_view kWinRate = "win_rate";
inline constexpr absl::string_view kFunnelWon = "funnel_won";
inline constexpr absl::string_view kSalesCycle = "sales_cycle";
inline constexpr absl::string_view kSignings = "signings";
inline constexpr absl::string_view kProductsSold = "products_sold";
inline constexpr absl::string_view kSalesAmount = "sales_amount";
inline constexpr absl::string_view kGrossProfit = "gross_profit";
inline constexpr absl::string_view kGrossMargin = "gross_margin";
inline constexpr absl::string_view kCustomersSigned = "customers_signed";
inline constexpr absl::string_view kNewCustomers = "new_customers";
inline constexpr absl::string_view kReturningCustomers = "returning_customers";
inline constexpr absl::string_view kRepeatPurchaseRate = "repeat_purchase_rate";
inline constexpr absl::string_view kAvgDealSize = "avg_deal_size";
inline constexpr absl::string_view kPayments = "payments";
inline constexpr absl::string_view kAmountDue = "amount_due";
inline constexpr absl::string_view kCollectionRate = "collection_rate";
inline constexpr absl::string_view kSatisfaction = "satisfaction";
inline constexpr absl::string_view kFollowUpsDue = "follow_ups_due";
inline constexpr absl::string_view kFollowUpsOnTime = "follow_ups_on_time";
inline constexpr absl::string_view kFollowUpRate = "follow_up_rate";
// Point in time.
inline constexpr absl::string_view kOutstanding = "outstanding";
inline constexpr absl::string_view kOverdue = "overdue";
inline constexpr absl::string_view kOverdueRatio = "overdue_ratio";
inline constexpr absl::string_view kOpenPipeline = "open_pipeline";
inline constexpr absl::string_view kOpenFollowUps = "open_follow_ups";
inline constexpr absl::string_view kOverdueFollowUps = "overdue_follow_ups";
// Families: family ":" arg.
inline constexpr absl::string_view kActionsByChannel = "actions_by_channel";
inline constexpr absl::string_view kActionsByPurpose = "actions_by_purpose";
inline constexpr absl::string_view kFunnelReached = "funnel_reached";
inline constexpr absl::string_view kStageDuration = "stage_duration";
inline constexpr absl::string_view kScore = "score";
// Boards only: "attainment:" per-period metric.
inline constexpr absl::string_view kAttainment = "attainment";
}  // namespace metric

// Whether the metric's figures (and its targets) are amounts of money, in the org currency's minor
// units: sums of amounts and the point-in-time balances.
inline bool IsMoneyMetric(absl::string_view name) {
  return name == metric::kActionCost || name == metric::kSalesAmount ||
         name == metric::kGrossProfit || name == metric::kPayments || name == metric::kAmountDue ||
         name == metric::kOutstanding || name == metric::kOverdue || name == metric::kOpenPipeline;
}

// Whether `name` is family ":" something, e.g. InFamily("score:teamwork", metric::kScore).
inline bool InFamily(absl::string_view name, absl::string_view family) {
  return name.size() > family.size() && name.substr(0, family.size()) == family &&
         name[family.size()] == ':';
}

// The per-period metrics without an argument, in KPI_SPEC §5 order.
inline constexpr std::array<absl::string_view, 25> kPlainPeriodMetrics = {
    metric::kActions,
    metric::kActionCost,
    metric::kOpportunitiesOpened,
    metric::kOpportunitiesWon,
    metric::kOpportunitiesLost,
    metric::kWinRate,
    metric::kFunnelWon,
    metric::kSalesCycle,
    metric::kSignings,
    metric::kProductsSold,
    metric::kSalesAmount,
    metric::kGrossProfit,
    metric::kGrossMargin,
    metric::kCustomersSigned,
    metric::kNewCustomers,
    metric::kReturningCustomers,
    metric::kRepeatPurchaseRate,
    metric::kAvgDealSize,
    metric::kPayments,
    metric::kAmountDue,
    metric::kCollectionRate,
    metric::kSatisfaction,
    metric::kFollowUpsDue,
    metric::kFollowUpsOnTime,
    metric::kFollowUpRate,
};

// outstanding, overdue, overdue_ratio, open_pipeline, open_follow_ups, overdue_follow_ups: figures
// as of now, not per period.
bool IsPointInTimeMetric(absl::string_view name);
// composite_score, commission: a scheme's results (KPI_SPEC §6).
bool IsSchemeMetric(absl::string_view name);
// A known name that is neither of the above: what a period's cells hold.
bool IsPerPeriodMetric(absl::string_view name);
// KPI_SPEC §7: sales_cycle and stage_duration rank ascending.
bool IsLowerBetterMetric(absl::string_view name);

// "attainment:" + a per-period metric, e.g. "attainment:sales_amount".
bool IsAttainmentMetric(absl::string_view name);
// The metric an attainment is of: "sales_amount" for "attainment:sales_amount".
// REQUIRES: IsAttainmentMetric(name).
absl::string_view AttainmentOf(absl::string_view name);
// What a unit board ranks: a per-period metric, a scheme result, an attainment, or a point-in-time
// figure (as of now). A competition ranks a per-period metric or an attainment over its window.
bool IsBoardMetric(absl::string_view name);
bool IsCompetitionMetric(absl::string_view name);
// The direction a board ranks `name` in: ascending for IsLowerBetterMetric and for the
// point-in-time figures a manager wants few of (overdue, overdue_ratio, overdue_follow_ups;
// docs/decisions.md); descending for the rest, attainments included (an attainment is already
// turned round for a LOWER-is-better metric).
bool BoardRanksAscending(absl::string_view name);

}  // namespace salestrack

#endif  // SALESTRACK_METRIC_NAMES_H_
