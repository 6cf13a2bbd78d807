#include "cli/scorecard_format.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/output.h"

namespace salestrack::cli {
namespace {

constexpr char kNone[] = "—";

}  // namespace

std::string TargetUnitValue(double v, v1::MetricValue::Kind kind) {
  switch (kind) {
    case v1::MetricValue::RATIO:
      return Percent(v / 10000);
    case v1::MetricValue::MEAN:
      return Decimal2(v / 10000);
    case v1::MetricValue::DISTRIBUTION:
      return Duration(v, DurationUnit(v));
    default:
      return Grouped(std::llround(v));
  }
}

std::vector<std::string> ScorecardColumns() {
  return {"dimension", "metric", "weight",     "rule",  "baseline", "target",
          "challenge", "actual", "attainment", "score", "note"};
}

std::vector<std::vector<std::string>> ScorecardCells(const v1::GetScorecardResponse& card) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::ScorecardRow& r : card.rows()) {
    auto value = [&](double v) { return TargetUnitValue(v, r.kind()); };
    std::string metric = r.metric();
    if (r.direction() == v1::LOWER_IS_BETTER) absl::StrAppend(&metric, " (lower is better)");
    std::string note = r.note();
    const bool inherited = r.target_from() != absl::StrCat("rep ", card.subject().rep_id()) &&
                           r.target_from() != absl::StrCat("unit ", card.subject().unit_id());
    if (r.has_target() && inherited) {
      note = note.empty() ? absl::StrCat("target of ", r.target_from())
                          : absl::StrCat(note, "; target of ", r.target_from());
    }
    rows.push_back({r.dimension(), metric, absl::StrFormat("%g%%", r.weight_bp() / 100.0), r.rule(),
                    r.has_target() ? value(r.baseline()) : kNone,
                    r.has_target() ? value(r.target()) : kNone,
                    r.has_target() && r.challenge() != 0 ? value(r.challenge()) : kNone,
                    r.has_actual() ? value(r.actual()) : kNone,
                    r.has_attainment() ? Percent(r.attainment()) : kNone,
                    r.has_score() ? absl::StrFormat("%.1f", r.score()) : kNone, note});
  }
  return rows;
}

std::string CompositeText(const v1::GetScorecardResponse& card) {
  return absl::StrFormat("%.2f", card.composite_score());
}

std::string MultiplierText(const v1::GetScorecardResponse& card) {
  return absl::StrFormat("x%.2f", card.multiplier_bp() / 10000.0);
}

std::string ScorecardText(const v1::GetScorecardResponse& card) {
  std::string out = absl::StrFormat("scorecard for %s, %s, scheme %s (%s, role %s), at seq %d\n\n",
                                    FormatSubject(card.subject()), FormatPeriod(card.period()),
                                    card.scheme_id(), card.scheme_name(), card.role(), card.seq());
  std::vector<Table::Column> columns;
  for (const std::string& title : ScorecardColumns()) {
    bool right = title != "dimension" && title != "metric" && title != "rule" && title != "note";
    columns.push_back({title, right ? Table::Align::kRight : Table::Align::kLeft});
  }
  Table table(std::move(columns));
  for (std::vector<std::string>& row : ScorecardCells(card)) table.AddRow(std::move(row));
  absl::StrAppend(&out, table.Render(), "\n");
  Table totals({{"result"}, {"value"}});
  totals.AddRow({"composite score", CompositeText(card)});
  totals.AddRow({"bonus multiplier", MultiplierText(card)});
  totals.AddRow({"sales_amount", Money(card.sales_amount())});
  totals.AddRow({"sales target", card.has_sales_target() ? Money(card.sales_target()) : kNone});
  totals.AddRow({"commission", Money(card.commission())});
  absl::StrAppend(&out, totals.Render());
  if (!card.notes().empty()) {
    absl::StrAppend(&out, "\nnotes:\n- ", absl::StrJoin(card.notes(), "\n- "), "\n");
  }
  return out;
}

}  // namespace salestrack::cli
