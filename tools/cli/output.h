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
#include "report/text.h"
#include "salestrack/v1/kpi_service.pb.h"

ABSL_DECLARE_FLAG(bool, json);

namespace salestrack::cli {

struct Context;

// The plain figures and tables live in report/text.h (the daemon's reports use them too).
using report::Decimal2;
using report::DisplayWidth;
using report::Duration;
using report::DurationUnit;
using report::FormatPeriod;
using report::FormatSubject;
using report::Grouped;
using report::Money;
using report::Percent;
using report::Table;

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

// Whether --locale was given: then the commands show display names beside ids ("nj-sun (孙磊)").
bool NamesFromFlags();
// `id`, with `name` in brackets after it when `names` and the name is known.
std::string WithName(absl::string_view id, absl::string_view name, bool names);

// "2026-11-05T02:00:00Z" (UTC; fractional seconds only when present).
std::string FormatTimestamp(const google::protobuf::Timestamp& ts);
// Prints `message` as one line of JSON (protobuf JSON mapping, proto field names).
void PrintJson(const google::protobuf::Message& message);

// "salestrack <command>: <message>" on stderr (with the server address when it could not be
// reached); returns 1.
int RpcFailed(absl::string_view command, const Context& ctx, const grpc::Status& status);
// "salestrack <command>: <message>" on stderr; returns 2.
int UsageError(absl::string_view command, absl::string_view message);

}  // namespace salestrack::cli

#endif  // SALESTRACK_TOOLS_CLI_OUTPUT_H_
