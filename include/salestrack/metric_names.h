// The metric names of KPI_SPEC §5, as they appear in TargetSet, SchemeDefined and CompetitionDefined.
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

#include "absl/strings/string_view.h"


namespace salestrack {

// True when `name` follows the grammar above. Stage ids are not checked against StagesDefined here
// (that needs the org state); channel and purpose names are checked against the enums.
bool IsKnownMetricName(absl::string_view name);

}  // namespace salestrack

#endif  // SALESTRACK_METRIC_NAMES_H_
