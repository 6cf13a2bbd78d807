// Text forms of a scorecard (KPI_SPEC §6), shared by `salestrack scorecard` and `salestrack
// report`.
#ifndef SALESTRACK_TOOLS_CLI_SCORECARD_FORMAT_H_
#define SALESTRACK_TOOLS_CLI_SCORECARD_FORMAT_H_

#include <string>
#include <vector>

#include "salestrack/v1/kpi_service.pb.h"

namespace salestrack::cli {

// A value in its metric's target unit (see TargetSet): counts and money grouped, ratios as
// percentages (3500 -> "35.0%"), means with 2 decimals (45000 -> "4.50"), durations in d/h/m/s.
std::string TargetUnitValue(double v, v1::MetricValue::Kind kind);

// "79.97%" for 7997 basis points.
std::string BasisPointsPercent(int64_t bp);

// The evaluation table's cells, one row per component, in the column order of ScorecardColumns()
// (a card of a running period adds "paced target" and "pace").
std::vector<std::string> ScorecardColumns(const v1::GetScorecardResponse& card);
std::vector<std::vector<std::string>> ScorecardCells(const v1::GetScorecardResponse& card);
// "75.25" (from composite_centi), "x1.20".
std::string CompositeText(const v1::GetScorecardResponse& card);
// "scheme chosen: the rep's role" (+ "; period in progress, 45.16% elapsed: ...").
std::string SchemeText(const v1::GetScorecardResponse& card);
std::string MultiplierText(const v1::GetScorecardResponse& card);

// The whole scorecard as the CLI prints it: a title, the table, the totals and the notes.
std::string ScorecardText(const v1::GetScorecardResponse& card);

}  // namespace salestrack::cli

#endif  // SALESTRACK_TOOLS_CLI_SCORECARD_FORMAT_H_
