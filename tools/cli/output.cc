#include "cli/output.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/commands.h"
#include "google/protobuf/util/json_util.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"

ABSL_FLAG(bool, json, false,
          "kpis, funnel, followups, verify, rebuild: print the daemon's response as JSON "
          "(protobuf JSON mapping, proto field names) instead of a table.");
ABSL_FLAG(std::string, locale, "",
          "kpis, scorecard, report, top, watch, targets check, followups: show money in the org "
          "currency and percents in this locale (en, zh-CN, ...; zh_CN.UTF-8 as LANG spells it "
          "works too), and display names beside ids. Default: money in minor units with major "
          "units in brackets, ids alone.");

namespace salestrack::cli {
namespace {

constexpr char kUndefined[] = "—";

// Means that are amounts of money (in minor units) rather than plain numbers.
bool IsMoneyMean(const std::string& name) { return name == "avg_deal_size"; }

}  // namespace

std::string FormatMetric(const v1::MetricValue& m, const format::MoneyFormatter* money) {
  if (!m.defined()) return kUndefined;
  if (money != nullptr) {
    if (m.kind() == v1::MetricValue::MONEY) return money->Format(m.integer());
    if (m.kind() == v1::MetricValue::RATIO) return money->FormatRatio(m.real());
    if (m.kind() == v1::MetricValue::MEAN && IsMoneyMean(m.name()) && std::isfinite(m.real()) &&
        std::fabs(m.real()) < 9e18) {
      return money->Format(std::llround(m.real()));
    }
  }
  switch (m.kind()) {
    case v1::MetricValue::COUNT:
      return Grouped(m.integer());
    case v1::MetricValue::MONEY:
      return Money(m.integer());
    case v1::MetricValue::RATIO:
      return Percent(m.real());
    case v1::MetricValue::MEAN:
      if (IsMoneyMean(m.name())) {
        return absl::StrCat(Decimal2(m.real()), " (", Decimal2(m.real() / 100), ")");
      }
      return Decimal2(m.real());
    case v1::MetricValue::DISTRIBUTION: {
      const v1::Distribution& d = m.distribution();
      if (d.count() == 0) return kUndefined;
      char unit = DurationUnit(d.mean_seconds());
      return absl::StrCat("n=", Grouped(d.count()), " mean=", Duration(d.mean_seconds(), unit),
                          " p50=", Duration(d.p50_seconds(), unit),
                          " p90=", Duration(d.p90_seconds(), unit));
    }
    default:
      // A kind this CLI does not know yet: show what the daemon sent.
      return m.integer() != 0 ? Grouped(m.integer()) : absl::StrFormat("%g", m.real());
  }
}

std::string FormatTimestamp(const google::protobuf::Timestamp& ts) {
  absl::Time t = absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
  return absl::FormatTime(ts.nanos() == 0 ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%E*SZ", t,
                          absl::UTCTimeZone());
}

void PrintJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string text;
  (void)google::protobuf::util::MessageToJsonString(message, &text, options);
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), stdout);
}

bool NamesFromFlags() { return !absl::GetFlag(FLAGS_locale).empty(); }

std::string WithName(absl::string_view id, absl::string_view name, bool names) {
  if (!names || name.empty()) return std::string(id);
  return absl::StrCat(id, " (", name, ")");
}

grpc::Status MoneyFormatterFromFlags(const Context& ctx,
                                     std::unique_ptr<format::MoneyFormatter>* money) {
  const std::string locale = absl::GetFlag(FLAGS_locale);
  if (locale.empty()) return grpc::Status::OK;
  v1::GetOrgInfoResponse org;
  grpc::ClientContext context;
  SetDeadline(context, ctx);
  grpc::Status status =
      v1::KpiService::NewStub(ctx.channel)->GetOrgInfo(&context, v1::GetOrgInfoRequest(), &org);
  if (!status.ok()) return status;
  *money = std::make_unique<format::MoneyFormatter>(
      format::CurrencySpec{org.currency().code(), org.currency().minor_unit_exponent()},
      format::LocaleFromLang(locale));
  return grpc::Status::OK;
}

int RpcFailed(absl::string_view command, const Context& ctx, const grpc::Status& status) {
  const bool unreachable = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                           status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
  std::string where = unreachable ? ctx.server + ": " : "";
  std::fprintf(stderr, "salestrack %.*s: %s%s\n", static_cast<int>(command.size()), command.data(),
               where.c_str(), status.error_message().c_str());
  return 1;
}

int UsageError(absl::string_view command, absl::string_view message) {
  std::fprintf(stderr, "salestrack %.*s: %.*s (see 'salestrack --help')\n",
               static_cast<int>(command.size()), command.data(), static_cast<int>(message.size()),
               message.data());
  return 2;
}

}  // namespace salestrack::cli
