// Plain-text figures and tables shared by the CLI's output and the evaluation report (render.h):
// grouped counts, money in minor units, percents, durations, periods and subjects, and aligned
// text tables. Pure functions; no locale (format/money.h does money in a locale).
#ifndef SALESTRACK_REPORT_TEXT_H_
#define SALESTRACK_REPORT_TEXT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "salestrack/v1/kpi_service.pb.h"

namespace salestrack::report {

// A text table: a header row, a rule, then the rows; columns separated by two spaces, padded by
// display width (so "—" and CJK stage names line up), no trailing spaces.
class Table {
 public:
  enum class Align { kLeft, kRight };
  struct Column {
    std::string title;
    Align align = Align::kLeft;
  };
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  bool empty() const { return rows_.empty(); }
  std::string Render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// Terminal columns taken by UTF-8 text: East Asian wide characters count 2.
size_t DisplayWidth(absl::string_view s);

// 1234567 -> "1,234,567".
std::string Grouped(int64_t v);
// Minor units, also as major units with 2 decimals: 1200000 -> "1,200,000 (12,000.00)".
std::string Money(int64_t minor);
// 0.41666 -> "41.7%".
std::string Percent(double ratio);
// 2 decimals, grouped: 1200000.5 -> "1,200,000.50".
std::string Decimal2(double v);
// Seconds in the largest unit (s, m, h, d) that keeps the value >= 1, 1 decimal: 216000 -> "2.5d".
std::string Duration(double seconds, char unit);
char DurationUnit(double seconds);

// "MONTH 2026-11-01".
std::string FormatPeriod(const v1::Period& p);
// "rep rep-li" / "unit team-east".
std::string FormatSubject(const v1::Subject& s);

}  // namespace salestrack::report

#endif  // SALESTRACK_REPORT_TEXT_H_
