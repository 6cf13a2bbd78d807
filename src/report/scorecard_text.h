// Text forms of a scorecard (KPI_SPEC §6), shared by `salestrack scorecard` and the
// evaluation report (render.h).
#ifndef SALESTRACK_REPORT_SCORECARD_TEXT_H_
#define SALESTRACK_REPORT_SCORECARD_TEXT_H_

#include <string>
#include <vector>

#include "format/money.h"
#include "salestrack/v1/kpi_service.pb.h"

namespace salestrack::report {

// A value in its metric's target unit (see TargetSet): counts and money grouped, ratios as
// percentages (3500 -> "35.0%"), means with 2 decimals (45000 -> "4.50"), durations in d/h/m/s.
// With `money`, money in the org currency ("¥12,000.00").
std::string TargetUnitValue(double v, v1::MetricValue::Kind kind,
                            const format::MoneyFormatter* money = nullptr);

// "79.97%" for 7997 basis points.
std::string BasisPointsPercent(int64_t bp);

// The evaluation table's cells, one row per component, in the column order of ScorecardColumns()
// (a card of a running period adds "paced target" and "pace").
std::vector<std::string> ScorecardColumns(const v1::GetScorecardResponse& card);
std::vector<std::vector<std::string>> ScorecardCells(const v1::GetScorecardResponse& card,
                                                     const format::MoneyFormatter* money = nullptr);
// "75.25" (from composite_centi), "x1.20".
std::string CompositeText(const v1::GetScorecardResponse& card);
// "scheme chosen: the rep's role" (+ "; period in progress, 45.16% elapsed: ...").
std::string SchemeText(const v1::GetScorecardResponse& card);
std::string MultiplierText(const v1::GetScorecardResponse& card);

// The whole scorecard as the CLI prints it: a title, the table, the totals and the notes; money
// as TargetUnitValue says.
std::string ScorecardText(const v1::GetScorecardResponse& card,
                          const format::MoneyFormatter* money = nullptr);

}  // namespace salestrack::report

#endif  // SALESTRACK_REPORT_SCORECARD_TEXT_H_
