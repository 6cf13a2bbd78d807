// Output helpers shared by the salestrack CLI's read commands: aligned text tables, the number
// formats of the KPI tables, JSON output (--json) and the error conventions (daemon errors exit 1,
// usage errors exit 2).
#ifndef SALESTRACK_TOOLS_CLI_OUTPUT_H_
#define SALESTRACK_TOOLS_CLI_OUTPUT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "format/money.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/grpcpp.h"
#include "salestrack/v1/kpi_service.pb.h"

ABSL_DECLARE_FLAG(bool, json);

namespace salestrack::cli {

struct Context;

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

// The text of one KPI figure: counts as integers, money as Money(), ratios as percentages, means
// with 2 decimals, distributions as "n=3 mean=2.5d p50=2.0d p90=4.1d", undefined as "—".
// With `money` (--locale): money and money means in the org currency ("¥12,000.00"), ratios as
// the locale's percents.
std::string FormatMetric(const v1::MetricValue& m, const format::MoneyFormatter* money = nullptr);
// The org's currency (GetOrgInfo) in the --locale flag's locale, in *money; none without
// --locale (tables then show minor units with major units in brackets). The daemon's error if the
// call fails.
grpc::Status MoneyFormatterFromFlags(const Context& ctx,
                                     std::unique_ptr<format::MoneyFormatter>* money);

// "2026-11-05T02:00:00Z" (UTC; fractional seconds only when present).
std::string FormatTimestamp(const google::protobuf::Timestamp& ts);
// "MONTH 2026-11-01".
std::string FormatPeriod(const v1::Period& p);
// "rep rep-li" / "unit team-east".
std::string FormatSubject(const v1::Subject& s);

// Prints `message` as one line of JSON (protobuf JSON mapping, proto field names).
void PrintJson(const google::protobuf::Message& message);

// "salestrack <command>: <message>" on stderr (with the server address when it could not be
// reached); returns 1.
int RpcFailed(absl::string_view command, const Context& ctx, const grpc::Status& status);
// "salestrack <command>: <message>" on stderr; returns 2.
int UsageError(absl::string_view command, absl::string_view message);

}  // namespace salestrack::cli

#endif  // SALESTRACK_TOOLS_CLI_OUTPUT_H_
