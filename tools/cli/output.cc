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
          "kpis: show money in the org currency and percents in this locale (en, zh-CN, ...; "
          "zh_CN.UTF-8 as LANG spells it works too). Default: money in minor units with major "
          "units in brackets.");

namespace salestrack::cli {
namespace {

constexpr char kUndefined[] = "—";

bool IsWide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
         (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
}

// Inserts thousands separators into the leading run of digits of `s` (after an optional '-').
std::string GroupDigits(const std::string& s) {
  size_t begin = !s.empty() && s[0] == '-' ? 1 : 0;
  size_t end = begin;
  while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
  std::string out = s.substr(0, begin);
  for (size_t i = begin; i < end; ++i) {
    if (i > begin && (end - i) % 3 == 0) out += ',';
    out += s[i];
  }
  out += s.substr(end);
  return out;
}

// Means that are amounts of money (in minor units) rather than plain numbers.
bool IsMoneyMean(const std::string& name) { return name == "avg_deal_size"; }

}  // namespace

std::string Table::Render() const {
  std::vector<size_t> width(columns_.size(), 0);
  for (size_t i = 0; i < columns_.size(); ++i) width[i] = DisplayWidth(columns_[i].title);
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size() && i < columns_.size(); ++i) {
      width[i] = std::max(width[i], DisplayWidth(row[i]));
    }
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < columns_.size(); ++i) {
      const std::string empty;
      const std::string& cell = i < cells.size() ? cells[i] : empty;
      std::string pad(width[i] - DisplayWidth(cell), ' ');
      if (i > 0) text += "  ";
      text += columns_[i].align == Align::kRight ? pad + cell : cell + pad;
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text;
    out += '\n';
  };
  std::vector<std::string> titles, rules;
  for (size_t i = 0; i < columns_.size(); ++i) {
    titles.push_back(columns_[i].title);
    rules.push_back(std::string(width[i], '-'));
  }
  line(titles);
  line(rules);
  for (const auto& row : rows_) line(row);
  return out;
}

size_t DisplayWidth(absl::string_view s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c, len = 1;
    } else if ((c >> 5) == 0x6) {
      cp = c & 0x1F, len = 2;
    } else if ((c >> 4) == 0xE) {
      cp = c & 0x0F, len = 3;
    } else if ((c >> 3) == 0x1E) {
      cp = c & 0x07, len = 4;
    } else {  // A stray continuation byte: count it as one column.
      ++width, ++i;
      continue;
    }
    for (size_t k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    i += len;
    width += IsWide(cp) ? 2 : 1;
  }
  return width;
}

std::string Grouped(int64_t v) { return GroupDigits(std::to_string(v)); }

std::string Money(int64_t minor) {
  // Unsigned magnitude, so INT64_MIN does not overflow.
  uint64_t magnitude = minor < 0 ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string sign = minor < 0 ? "-" : "";
  return absl::StrCat(Grouped(minor), " (", sign, GroupDigits(std::to_string(magnitude / 100)),
                      absl::StrFormat(".%02d", static_cast<int>(magnitude % 100)), ")");
}

std::string Percent(double ratio) { return absl::StrFormat("%.1f%%", ratio * 100); }

std::string Decimal2(double v) { return GroupDigits(absl::StrFormat("%.2f", v)); }

char DurationUnit(double seconds) {
  double a = std::fabs(seconds);
  if (a >= 86400) return 'd';
  if (a >= 3600) return 'h';
  if (a >= 60) return 'm';
  return 's';
}

std::string Duration(double seconds, char unit) {
  double divisor = unit == 'd' ? 86400 : unit == 'h' ? 3600 : unit == 'm' ? 60 : 1;
  return absl::StrFormat("%.1f%c", seconds / divisor, unit);
}

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

std::string FormatPeriod(const v1::Period& p) {
  return absl::StrFormat("%s %04d-%02d-%02d", v1::PeriodKind_Name(p.kind()), p.date().year(),
                         p.date().month(), p.date().day());
}

std::string FormatSubject(const v1::Subject& s) {
  switch (s.kind_case()) {
    case v1::Subject::kRepId:
      return absl::StrCat("rep ", s.rep_id());
    case v1::Subject::kUnitId:
      return absl::StrCat("unit ", s.unit_id());
    case v1::Subject::KIND_NOT_SET:
      break;
  }
  return "(no subject)";
}

void PrintJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string text;
  (void)google::protobuf::util::MessageToJsonString(message, &text, options);
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), stdout);
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
