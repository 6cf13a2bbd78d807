// The team evaluation report (团队业绩评估报告) of `salestrack report`: what the daemon answered,
// rendered as Markdown, CSV and one self-contained HTML page (inline CSS and SVG charts, no
// external fetches). Pure functions of the report data: the same answers give the same bytes.
#ifndef SALESTRACK_TOOLS_CLI_REPORT_RENDER_H_
#define SALESTRACK_TOOLS_CLI_REPORT_RENDER_H_

#include <string>
#include <vector>

#include "salestrack/v1/kpi_service.pb.h"
#include "salestrack/v1/leaderboard_service.pb.h"

namespace salestrack::cli {

struct RepCard {
  std::string rep_id;
  bool scored = false;
  v1::GetScorecardResponse card;  // When scored.
  std::string why_not;            // When not: the daemon's reason (e.g. no scheme for the role).
};

struct ReportData {
  std::string unit_id;
  v1::Period period;
  uint64_t seq = 0;  // The newest seq among the answers.
  bool team_scored = false;
  v1::GetScorecardResponse team;  // The unit's own scorecard, when scored.
  std::string team_why_not;
  v1::GetLeaderboardResponse ranking;  // composite_score board of the unit.
  std::vector<RepCard> reps;           // In ranking order.
  v1::GetFunnelResponse funnel;
};

std::string ReportMarkdown(const ReportData& r);
std::string ReportCsv(const ReportData& r);
std::string ReportHtml(const ReportData& r);

}  // namespace salestrack::cli

#endif  // SALESTRACK_TOOLS_CLI_REPORT_RENDER_H_
