#include "report/render.h"

#include <algorithm>

#include "csv.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "report/scorecard_text.h"
#include "report/text.h"

namespace salestrack::report {
namespace {

constexpr char kNone[] = "—";

std::string Title(const ReportData& r) {
  const bool unit = r.subject.has_unit_id();
  return absl::StrCat(unit ? "Team evaluation report: unit " : "Evaluation report: rep ",
                      IdWithName(unit ? r.subject.unit_id() : r.subject.rep_id(), r.subject_name),
                      ", ", FormatPeriod(r.period));
}

std::string MoneyText(const ReportStyle& style, int64_t minor) {
  return style.money != nullptr ? style.money->Format(minor) : Money(minor);
}

// The totals lines: compact ("¥1200万") when the style asks for it.
std::string TotalText(const ReportStyle& style, int64_t minor) {
  return style.money != nullptr && style.short_totals ? style.money->FormatShort(minor)
                                                      : MoneyText(style, minor);
}

std::string MoneyNote(const ReportStyle& style) {
  return style.money != nullptr ? "money in the org currency"
                                : "money in minor units (major units in brackets)";
}

std::string RankText(const v1::LeaderboardEntry& e) {
  return e.rank() == 0 ? kNone : absl::StrCat(e.rank());
}

std::string ScoreText(const v1::LeaderboardEntry& e) {
  return e.defined() ? absl::StrFormat("%.2f", e.value()) : kNone;
}

const RepCard* CardOf(const ReportData& r, const std::string& rep) {
  for (const RepCard& c : r.reps) {
    if (c.rep_id == rep) return &c;
  }
  return nullptr;
}

std::string SalesText(const v1::GetScorecardResponse& c, const ReportStyle& style) {
  return absl::StrCat(TotalText(style, c.sales_amount()), " of target ",
                      c.has_sales_target() ? TotalText(style, c.sales_target()) : kNone);
}

// ---- Markdown ----------------------------------------------------------------------------------

// Text from the log (names, notes) as Markdown shows it: no table breaks, no raw HTML, one line.
std::string MdCell(const std::string& s) {
  return absl::StrReplaceAll(
      s, {{"|", "\\|"}, {"<", "&lt;"}, {">", "&gt;"}, {"&", "&amp;"}, {"\n", " "}, {"\r", " "}});
}

std::string MdTable(const std::vector<std::string>& header,
                    const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::string> cells;
  for (const std::string& h : header) cells.push_back(MdCell(h));
  std::string out = absl::StrCat("| ", absl::StrJoin(cells, " | "), " |\n|");
  for (size_t i = 0; i < header.size(); ++i) out += " --- |";
  out += "\n";
  for (const auto& row : rows) {
    cells.clear();
    for (const std::string& c : row) cells.push_back(MdCell(c));
    absl::StrAppend(&out, "| ", absl::StrJoin(cells, " | "), " |\n");
  }
  return out;
}

std::string MdCard(const v1::GetScorecardResponse& c, const ReportStyle& style) {
  std::string out =
      absl::StrCat("Scheme `", MdCell(c.scheme_id()), "` (", MdCell(c.scheme_name()), ", role ",
                   MdCell(c.role()), "); ", MdCell(SchemeText(c)), ".\n\n");
  absl::StrAppend(&out, MdTable(ScorecardColumns(c), ScorecardCells(c, style.money)), "\n");
  absl::StrAppend(&out, "**Composite score ", CompositeText(c), "**, bonus multiplier ",
                  MultiplierText(c), ", sales ", SalesText(c, style), ", commission ",
                  TotalText(style, c.commission()), ".\n");
  for (const std::string& note : c.notes()) absl::StrAppend(&out, "\n- ", MdCell(note));
  if (!c.notes().empty()) out += "\n";
  return out;
}

std::vector<std::vector<std::string>> RankingRows(const ReportData& r, const ReportStyle& style) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::LeaderboardEntry& e : r.ranking.entries()) {
    const RepCard* card = CardOf(r, e.member_id());
    bool scored = card != nullptr && card->scored;
    rows.push_back({RankText(e), e.member_id(), e.display_name(), ScoreText(e),
                    scored ? MultiplierText(card->card) : kNone,
                    scored ? MoneyText(style, card->card.commission()) : kNone,
                    scored ? card->card.scheme_id() : (card ? card->why_not : "")});
  }
  return rows;
}

const std::vector<std::string> kRankingHeader = {
    "rank", "rep", "name", "composite score", "multiplier", "commission", "scheme"};

std::vector<std::vector<std::string>> FunnelRows(const v1::GetFunnelResponse& f) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"opened", "", Grouped(f.opened()), ""});
  for (const auto& s : f.stages()) {
    rows.push_back({s.stage_id(), s.name(), Grouped(s.reached()),
                    s.has_conversion() ? Percent(s.conversion()) : kNone});
  }
  rows.push_back({"won", "", Grouped(f.won()), ""});
  return rows;
}

const std::vector<std::string> kFunnelHeader = {"stage", "name", "reached", "to next stage"};

// ---- CSV ---------------------------------------------------------------------------------------

// A text a spreadsheet would run as a formula ("=HYPERLINK(...)" as a rep's name): numbers such
// as "-5" are not.
bool LooksLikeFormula(const std::string& s) {
  if (s.empty()) return false;
  if (s[0] == '=' || s[0] == '+' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') return true;
  return s[0] == '-' && (s.size() == 1 || s[1] < '0' || s[1] > '9');
}

// One field: plain when it holds nothing CSV treats specially, else quoted by libcsv (quotes
// doubled) — RFC 4180 whatever the text holds. A formula-like text gets a leading "'" so a
// spreadsheet shows it as text.
std::string CsvField(const std::string& s) {
  const std::string text = LooksLikeFormula(s) ? absl::StrCat("'", s) : s;
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out(2 * text.size() + 2, '\0');  // The most csv_write needs: every byte a quote.
  out.resize(csv_write(out.data(), out.size(), text.data(), text.size()));
  return out;
}

std::string Num(double v) { return absl::StrFormat("%.10g", v); }

void CsvRow(std::string& out, const std::vector<std::string>& fields) {
  std::vector<std::string> quoted;
  for (const std::string& f : fields) quoted.push_back(CsvField(f));
  absl::StrAppend(&out, absl::StrJoin(quoted, ","), "\r\n");
}

void CsvCard(std::string& out, const std::string& subject, const std::string& name,
             const v1::GetScorecardResponse& c) {
  for (const v1::ScorecardRow& row : c.rows()) {
    CsvRow(out, {"scorecard", subject, name, "", row.dimension(), row.metric(),
                 absl::StrCat(row.weight_bp()), row.rule(),
                 row.has_target() ? absl::StrCat(row.baseline()) : "",
                 row.has_target() ? absl::StrCat(row.target()) : "",
                 row.has_target() ? absl::StrCat(row.challenge()) : "",
                 row.has_actual() ? Num(row.actual()) : "",
                 row.has_attainment() ? Num(row.attainment()) : "",
                 row.has_score() ? Num(row.score()) : "", row.note()});
  }
  auto total = [&](const std::string& what, const std::string& value) {
    CsvRow(out, {"total", subject, name, "", "", what, "", "", "", "", "", value, "", "", ""});
  };
  total("composite_score", Num(c.composite_score()));
  total("bonus_multiplier_bp", absl::StrCat(c.multiplier_bp()));
  total("sales_amount", absl::StrCat(c.sales_amount()));
  total("sales_target", c.has_sales_target() ? absl::StrCat(c.sales_target()) : "");
  total("commission", absl::StrCat(c.commission()));
}

// ---- HTML --------------------------------------------------------------------------------------

std::string Esc(const std::string& s) {
  return absl::StrReplaceAll(
      s, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}});
}

std::string HtmlTable(const std::vector<std::string>& header,
                      const std::vector<std::vector<std::string>>& rows) {
  std::string out = "<table><thead><tr>";
  for (const std::string& h : header) absl::StrAppend(&out, "<th>", Esc(h), "</th>");
  out += "</tr></thead><tbody>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const std::string& c : row) absl::StrAppend(&out, "<td>", Esc(c), "</td>");
    out += "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

std::string HtmlCard(const v1::GetScorecardResponse& c, const ReportStyle& style) {
  std::string out = absl::StrCat("<p class=\"scheme\">Scheme <code>", Esc(c.scheme_id()),
                                 "</code> (", Esc(c.scheme_name()), ", role ", Esc(c.role()), "); ",
                                 Esc(SchemeText(c)), "</p>\n");
  absl::StrAppend(&out, HtmlTable(ScorecardColumns(c), ScorecardCells(c, style.money)));
  absl::StrAppend(&out, "<p class=\"totals\"><b>Composite score ", CompositeText(c),
                  "</b> · bonus multiplier ", MultiplierText(c), " · sales ",
                  Esc(SalesText(c, style)), " · commission ", Esc(TotalText(style, c.commission())),
                  "</p>\n");
  if (!c.notes().empty()) {
    out += "<ul class=\"notes\">";
    for (const std::string& n : c.notes()) absl::StrAppend(&out, "<li>", Esc(n), "</li>");
    out += "</ul>\n";
  }
  return out;
}

// A centred bar per funnel step, its width proportional to the opportunities opened.
std::string FunnelSvg(const v1::GetFunnelResponse& f) {
  struct Step {
    std::string label;
    int64_t n;
  };
  std::vector<Step> steps{{"opened", f.opened()}};
  for (const auto& s : f.stages()) steps.push_back({s.stage_id(), s.reached()});
  steps.push_back({"won", f.won()});
  constexpr int kRow = 36, kLabel = 120, kWidth = 480;
  const int height = static_cast<int>(steps.size()) * kRow + 10;
  std::string out = absl::StrFormat(
      "<svg class=\"chart\" id=\"funnel-chart\" width=\"%d\" "
      "height=\"%d\" role=\"img\" aria-label=\"funnel\">\n",
      kLabel + kWidth + 80, height);
  const double of = std::max<int64_t>(f.opened(), 1);
  for (size_t i = 0; i < steps.size(); ++i) {
    const int y = static_cast<int>(i) * kRow + 5;
    const double w = std::max(2.0, kWidth * static_cast<double>(steps[i].n) / of);
    const double x = kLabel + (kWidth - w) / 2;
    absl::StrAppendFormat(&out,
                          "<text x=\"%d\" y=\"%d\" class=\"label\">%s</text>"
                          "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"3\" "
                          "fill=\"%s\"/><text x=\"%d\" y=\"%d\" class=\"value\">%s</text>\n",
                          4, y + 22, Esc(steps[i].label), x, y, w, kRow - 8,
                          i + 1 == steps.size() ? "#2e8b57" : "#3b6fb6", kLabel + kWidth + 8,
                          y + 22, Grouped(steps[i].n));
  }
  return out + "</svg>\n";
}

// A bar per rep of its composite score, with the multiplier thresholds of 70 and 90 points.
std::string RankingSvg(const v1::GetLeaderboardResponse& board) {
  constexpr int kRow = 30, kLabel = 140, kWidth = 440;
  double max = 100;
  for (const auto& e : board.entries()) {
    if (e.defined()) max = std::max(max, e.value());
  }
  const int height = std::max(1, board.entries_size()) * kRow + 30;
  std::string out = absl::StrFormat(
      "<svg class=\"chart\" id=\"ranking-chart\" width=\"%d\" "
      "height=\"%d\" role=\"img\" aria-label=\"ranking\">\n",
      kLabel + kWidth + 80, height);
  for (int i = 0; i < board.entries_size(); ++i) {
    const auto& e = board.entries(i);
    const int y = i * kRow + 5;
    const double w = e.defined() ? std::max(1.0, kWidth * e.value() / max) : 0;
    absl::StrAppendFormat(&out,
                          "<text x=\"4\" y=\"%d\" class=\"label\">%s. %s</text>"
                          "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"3\" "
                          "fill=\"#d9822b\"/><text x=\"%.1f\" y=\"%d\" class=\"value\">%s</text>\n",
                          y + 19, RankText(e), Esc(IdWithName(e.member_id(), e.display_name())),
                          kLabel, y, w, kRow - 8, kLabel + w + 6, y + 19, ScoreText(e));
  }
  for (int mark : {70, 90}) {
    const double x = kLabel + kWidth * mark / max;
    absl::StrAppendFormat(&out,
                          "<line x1=\"%.1f\" y1=\"0\" x2=\"%.1f\" y2=\"%d\" class=\"mark\"/>"
                          "<text x=\"%.1f\" y=\"%d\" class=\"mark-label\">%d</text>\n",
                          x, x, height - 18, x - 8, height - 4, mark);
  }
  return out + "</svg>\n";
}

constexpr char kCss[] = R"css(
body { font-family: "Noto Sans CJK SC", "Noto Sans", "DejaVu Sans", sans-serif; margin: 24px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ccc; }
h3 { font-size: 15px; margin-top: 20px; }
table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: right; }
th:first-child, td:first-child, td:nth-child(2), th:nth-child(2) { text-align: left; }
thead { background: #eef2f8; }
.chart text { font-size: 13px; fill: #222; } .chart .mark { stroke: #888; stroke-dasharray: 4 3; }
.chart .mark-label { font-size: 11px; fill: #666; }
.totals { font-size: 14px; } .notes { font-size: 12px; color: #555; } .meta { color: #666; font-size: 12px; }
)css";

}  // namespace

std::string IdWithName(const std::string& id, const std::string& name) {
  return name.empty() || name == id ? id : absl::StrCat(id, " (", name, ")");
}

std::string ReportMarkdown(const ReportData& r, const ReportStyle& style) {
  std::string out =
      absl::StrCat("# ", MdCell(Title(r)), "\n\nAs of log seq ", r.seq, ". Scored by KPI_SPEC §6; ",
                   MoneyNote(style), "; ratio targets and actuals as percentages.\n\n");
  absl::StrAppend(&out, r.subject.has_unit_id() ? "## Team scorecard\n\n" : "## Scorecard\n\n",
                  r.team_scored ? MdCard(r.team, style)
                                : absl::StrCat("Not scored: ", MdCell(r.team_why_not), "\n"));
  if (r.subject.has_unit_id()) {
    absl::StrAppend(&out, "\n## Ranking by composite score\n\n",
                    MdTable(kRankingHeader, RankingRows(r, style)));
  }
  absl::StrAppend(&out, "\n## Funnel of the opportunities opened in the period\n\n",
                  MdTable(kFunnelHeader, FunnelRows(r.funnel)));
  if (r.reps.empty()) return out;
  absl::StrAppend(&out, "\n## Rep scorecards\n");
  for (const RepCard& c : r.reps) {
    absl::StrAppend(
        &out, "\n### ", MdCell(IdWithName(c.rep_id, c.rep_name)), "\n\n",
        c.scored ? MdCard(c.card, style) : absl::StrCat("Not scored: ", MdCell(c.why_not), "\n"));
  }
  return out;
}

std::string ReportCsv(const ReportData& r) {
  std::string out;
  CsvRow(out, {"section", "subject", "name", "rank", "dimension", "metric", "weight_bp", "rule",
               "baseline", "target", "challenge", "actual", "attainment", "score", "note"});
  const std::string subject = FormatSubject(r.subject);
  if (r.team_scored) CsvCard(out, subject, r.subject_name, r.team);
  for (const v1::LeaderboardEntry& e : r.ranking.entries()) {
    CsvRow(out, {"ranking", absl::StrCat("rep ", e.member_id()), e.display_name(),
                 absl::StrCat(e.rank()), "", "composite_score", "", "", "", "", "",
                 e.defined() ? Num(e.value()) : "", "", "", ""});
  }
  auto funnel = [&](const std::string& metric, int64_t n, std::string conversion) {
    CsvRow(out, {"funnel", subject, r.subject_name, "", "", metric, "", "", "", "", "",
                 absl::StrCat(n), std::move(conversion), "", ""});
  };
  funnel("opportunities_opened", r.funnel.opened(), "");
  for (const auto& s : r.funnel.stages()) {
    funnel(absl::StrCat("funnel_reached:", s.stage_id()), s.reached(),
           s.has_conversion() ? Num(s.conversion()) : "");
  }
  funnel("funnel_won", r.funnel.won(), "");
  for (const RepCard& c : r.reps) {
    if (c.scored) CsvCard(out, absl::StrCat("rep ", c.rep_id), c.rep_name, c.card);
  }
  return out;
}

std::string ReportHtml(const ReportData& r, const ReportStyle& style) {
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      // Self-contained: the page may load nothing at all, whoever edits it later.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">\n<title>",
      Esc(Title(r)), "</title>\n<style>", kCss, "</style></head>\n<body>\n<h1>", Esc(Title(r)),
      "</h1>\n", "<p class=\"meta\">As of log seq ", r.seq, ". Scored by KPI_SPEC §6; ",
      MoneyNote(style), ".</p>\n");
  absl::StrAppend(&out,
                  r.subject.has_unit_id() ? "<h2>Team scorecard</h2>\n" : "<h2>Scorecard</h2>\n",
                  r.team_scored ? HtmlCard(r.team, style)
                                : absl::StrCat("<p>Not scored: ", Esc(r.team_why_not), "</p>\n"));
  if (r.subject.has_unit_id()) {
    absl::StrAppend(&out, "<h2>Ranking by composite score</h2>\n", RankingSvg(r.ranking),
                    HtmlTable(kRankingHeader, RankingRows(r, style)));
  }
  absl::StrAppend(&out, "<h2>Funnel of the opportunities opened in the period</h2>\n",
                  FunnelSvg(r.funnel), HtmlTable(kFunnelHeader, FunnelRows(r.funnel)));
  if (r.reps.empty()) return out + "</body></html>\n";
  absl::StrAppend(&out, "<h2>Rep scorecards</h2>\n");
  for (const RepCard& c : r.reps) {
    absl::StrAppend(&out, "<h3>", Esc(IdWithName(c.rep_id, c.rep_name)), "</h3>\n",
                    c.scored ? HtmlCard(c.card, style)
                             : absl::StrCat("<p>Not scored: ", Esc(c.why_not), "</p>\n"));
  }
  return out + "</body></html>\n";
}

}  // namespace salestrack::report
