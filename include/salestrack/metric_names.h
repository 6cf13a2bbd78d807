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
#ifndef SALESTRACK_METRIC_NAMES_H_
#define SALESTRACK_METRIC_NAMES_H_

#include <array>

#include "absl/strings/string_view.h"

namespace salestrack {

// True when `name` follows the grammar above. Stage ids are not checked against StagesDefined here
// (that needs the org state); channel and purpose names are checked against the enums.
bool IsKnownMetricName(absl::string_view name);

// The per-period metrics without an argument, in KPI_SPEC §5 order.
inline constexpr std::array<absl::string_view, 25> kPlainPeriodMetrics = {"actions",
                                                                          "action_cost",
                                                                          "opportunities_opened",
                                                                          "opportunities_won",
                                                                          "opportunities_lost",
                                                                          "win_rate",
                                                                          "funnel_won",
                                                                          "sales_cycle",
                                                                          "signings",
                                                                          "products_sold",
                                                                          "sales_amount",
                                                                          "gross_profit",
                                                                          "gross_margin",
                                                                          "customers_signed",
                                                                          "new_customers",
                                                                          "returning_customers",
                                                                          "repeat_purchase_rate",
                                                                          "avg_deal_size",
                                                                          "payments",
                                                                          "amount_due",
                                                                          "collection_rate",
                                                                          "satisfaction",
                                                                          "follow_ups_due",
                                                                          "follow_ups_on_time",
                                                                          "follow_up_rate"};

// outstanding, overdue, overdue_ratio, open_pipeline, open_follow_ups, overdue_follow_ups: figures
// as of now, not per period.
bool IsPointInTimeMetric(absl::string_view name);
// composite_score, commission: a scheme's results (KPI_SPEC §6).
bool IsSchemeMetric(absl::string_view name);
// A known name that is neither of the above: what a period's cells hold.
bool IsPerPeriodMetric(absl::string_view name);
// KPI_SPEC §7: sales_cycle and stage_duration rank ascending.
bool IsLowerBetterMetric(absl::string_view name);

}  // namespace salestrack

#endif  // SALESTRACK_METRIC_NAMES_H_
