#include "report/scorecard_text.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "report/text.h"

namespace salestrack::report {
namespace {

constexpr char kNone[] = "—";

// An exact integer in hundredths: 7997 -> "79.97", -25 -> "-0.25".
std::string Hundredths(int64_t v) {
  const uint64_t m = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  return absl::StrFormat("%s%s.%02d", v < 0 ? "-" : "", Grouped(static_cast<int64_t>(m / 100)),
                         m % 100);
}

// "on pace (+120,000)" / "behind by 70,000", in the component's target unit.
std::string PaceText(const v1::ScorecardRow& r, const format::MoneyFormatter* money) {
  if (!r.has_pace_gap()) return kNone;
  const int64_t gap = r.pace_gap();
  // -gap of INT64_MIN is not an int64: show the clamped magnitude one unit short.
  const int64_t behind = gap == INT64_MIN ? INT64_MAX : -gap;
  return gap >= 0 ? absl::StrCat("on pace (+",
                                 TargetUnitValue(static_cast<double>(gap), r.kind(), money), ")")
                  : absl::StrCat("behind by ",
                                 TargetUnitValue(static_cast<double>(behind), r.kind(), money));
}

}  // namespace

std::string BasisPointsPercent(int64_t bp) { return absl::StrCat(Hundredths(bp), "%"); }

std::string TargetUnitValue(double v, v1::MetricValue::Kind kind,
                            const format::MoneyFormatter* money) {
  // Past 9e18 the value is no int64 of minor units: the plain number below says it.
  if (money != nullptr && kind == v1::MetricValue::MONEY && std::isfinite(v) &&
      std::fabs(v) < 9e18) {
    return money->Format(std::llround(v));
  }
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

std::vector<std::string> ScorecardColumns(const v1::GetScorecardResponse& card) {
  std::vector<std::string> columns = {"dimension", "metric",    "weight", "rule",       "baseline",
                                      "target",    "challenge", "actual", "attainment", "score"};
  if (card.in_progress()) {
    columns.push_back("paced target");
    columns.push_back("pace");
  }
  columns.push_back("note");
  return columns;
}

std::vector<std::vector<std::string>> ScorecardCells(const v1::GetScorecardResponse& card,
                                                     const format::MoneyFormatter* money) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::ScorecardRow& r : card.rows()) {
    auto value = [&](double v) { return TargetUnitValue(v, r.kind(), money); };
    std::string metric = r.metric();
    if (r.direction() == v1::LOWER_IS_BETTER) absl::StrAppend(&metric, " (lower is better)");
    std::string note = r.note();
    const bool inherited = r.target_from() != absl::StrCat("rep ", card.subject().rep_id()) &&
                           r.target_from() != absl::StrCat("unit ", card.subject().unit_id());
    if (r.has_target() && inherited) {
      note = note.empty() ? absl::StrCat("target of ", r.target_from())
                          : absl::StrCat(note, "; target of ", r.target_from());
    }
    std::vector<std::string> cells = {
        r.dimension(), metric, absl::StrFormat("%g%%", r.weight_bp() / 100.0), r.rule(),
        r.has_target() ? value(r.baseline()) : kNone, r.has_target() ? value(r.target()) : kNone,
        r.has_target() && r.challenge() != 0 ? value(r.challenge()) : kNone,
        r.has_actual() ? value(r.actual()) : kNone,
        // The exact figures, rounded as docs/decisions.md says (never across a rule's edge).
        r.has_attainment_bp() ? BasisPointsPercent(r.attainment_bp()) : kNone,
        r.has_score_centi() ? Hundredths(r.score_centi()) : kNone};
    if (card.in_progress()) {
      cells.push_back(r.has_paced_target() ? value(static_cast<double>(r.paced_target())) : kNone);
      cells.push_back(PaceText(r, money));
    }
    cells.push_back(note);
    rows.push_back(std::move(cells));
  }
  return rows;
}

std::string CompositeText(const v1::GetScorecardResponse& card) {
  return Hundredths(card.composite_centi());
}

std::string SchemeText(const v1::GetScorecardResponse& card) {
  std::string out = absl::StrCat("scheme chosen: ", card.scheme_reason());
  if (card.in_progress()) {
    absl::StrAppend(&out, "; period in progress, ", BasisPointsPercent(card.elapsed_bp()),
                    " elapsed: targets pro-rated");
  }
  return out;
}

std::string MultiplierText(const v1::GetScorecardResponse& card) {
  return absl::StrFormat("x%.2f", card.multiplier_bp() / 10000.0);
}

std::string ScorecardText(const v1::GetScorecardResponse& card,
                          const format::MoneyFormatter* money) {
  std::string out = absl::StrFormat("scorecard for %s, %s, scheme %s (%s, role %s), at seq %d\n\n",
                                    FormatSubject(card.subject()), FormatPeriod(card.period()),
                                    card.scheme_id(), card.scheme_name(), card.role(), card.seq());
  // The final-period view first, the same whether or not the period has ended; the pace of a
  // period in progress follows in a table of its own.
  v1::GetScorecardResponse final_view = card;
  final_view.set_in_progress(false);
  absl::StrAppend(&out, SchemeText(final_view), "\n\n");
  std::vector<Table::Column> columns;
  for (const std::string& title : ScorecardColumns(final_view)) {
    bool right = title != "dimension" && title != "metric" && title != "rule" && title != "note";
    columns.push_back({title, right ? Table::Align::kRight : Table::Align::kLeft});
  }
  Table table(std::move(columns));
  for (std::vector<std::string>& row : ScorecardCells(final_view, money))
    table.AddRow(std::move(row));
  absl::StrAppend(&out, table.Render(), "\n");
  if (card.in_progress()) {
    absl::StrAppend(&out, "period in progress, ", BasisPointsPercent(card.elapsed_bp()),
                    " elapsed: the targets pro-rated\n\n");
    Table pace({{"dimension"},
                {"metric"},
                {"paced target", Table::Align::kRight},
                {"actual", Table::Align::kRight},
                {"pace"}});
    for (const v1::ScorecardRow& r : card.rows()) {
      auto value = [&](double v) { return TargetUnitValue(v, r.kind(), money); };
      pace.AddRow({r.dimension(), r.metric(),
                   r.has_paced_target() ? value(static_cast<double>(r.paced_target())) : kNone,
                   r.has_actual() ? value(r.actual()) : kNone, PaceText(r, money)});
    }
    absl::StrAppend(&out, pace.Render(), "\n");
  }
  Table totals({{"result"}, {"value"}});
  totals.AddRow({"composite score", CompositeText(card)});
  totals.AddRow({"bonus multiplier", MultiplierText(card)});
  auto money_text = [&](int64_t v) { return money != nullptr ? money->Format(v) : Money(v); };
  totals.AddRow({"sales_amount", money_text(card.sales_amount())});
  totals.AddRow(
      {"sales target", card.has_sales_target() ? money_text(card.sales_target()) : kNone});
  totals.AddRow({"commission", money_text(card.commission())});
  absl::StrAppend(&out, totals.Render());
  if (!card.notes().empty()) {
    absl::StrAppend(&out, "\nnotes:\n- ", absl::StrJoin(card.notes(), "\n- "), "\n");
  }
  return out;
}

}  // namespace salestrack::report
