// The evaluation report (团队业绩评估报告) of a unit or a rep for one period, rendered as Markdown,
// CSV and one self-contained HTML page (inline CSS and SVG charts, no external fetches). The
// daemon's GetReport renders it (engine/report_query.cc); `salestrack report` writes what that
// returns. Pure functions of the report data: the same data gives the same bytes.
#ifndef SALESTRACK_REPORT_RENDER_H_
#define SALESTRACK_REPORT_RENDER_H_

#include <string>
#include <vector>

#include "format/money.h"
#include "salestrack/v1/kpi_service.pb.h"
#include "salestrack/v1/leaderboard_service.pb.h"

namespace salestrack::report {

struct RepCard {
  std::string rep_id;
  std::string rep_name;  // Empty when the rep was never named.
  bool scored = false;
  v1::GetScorecardResponse card;  // When scored.
  std::string why_not;            // When not: the daemon's reason (e.g. no scheme for the role).
};

struct ReportData {
  v1::Subject subject;       // A unit (a team report) or a rep.
  std::string subject_name;  // Its display name; empty when never named.
  v1::Period period;
  uint64_t seq = 0;  // The newest seq among the figures.
  bool team_scored = false;
  v1::GetScorecardResponse team;  // The subject's own scorecard, when scored.
  std::string team_why_not;
  v1::GetLeaderboardResponse ranking;  // A unit's composite_score board; empty for a rep.
  std::vector<RepCard> reps;           // In ranking order.
  v1::GetFunnelResponse funnel;
};

// How money reads in the Markdown and HTML. Without `money`: minor units with major units in
// brackets ("1,200,000 (12,000.00)"). With it: the org currency in its locale ("¥12,000.00"), and
// with `short_totals` the totals lines in the locale's compact form ("¥1200万" in zh-CN).
struct ReportStyle {
  const format::MoneyFormatter* money = nullptr;
  bool short_totals = false;
};

std::string ReportMarkdown(const ReportData& r, const ReportStyle& style = {});
// Money in minor units and plain numbers whatever the style: a CSV is read by programs.
std::string ReportCsv(const ReportData& r);
std::string ReportHtml(const ReportData& r, const ReportStyle& style = {});

// "east (East region)", or the id alone when the name is empty or the id itself.
std::string IdWithName(const std::string& id, const std::string& name);

}  // namespace salestrack::report

#endif  // SALESTRACK_REPORT_RENDER_H_
