#include "notify/config.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "salestrack/metric_names.h"

namespace salestrack::notify {
namespace {

absl::Status Bad(const std::string& field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

bool IsRuleNameChar(char c) { return absl::ascii_isalnum(c) || c == '_' || c == '-' || c == '.'; }

absl::Status CheckPeriodKind(const std::string& field, v1::PeriodKind kind) {
  if (kind < v1::DAY || kind > v1::YEAR) {
    return Bad(field, "must be DAY, WEEK, MONTH, QUARTER or YEAR");
  }
  return absl::OkStatus();
}

absl::Status CheckMetric(const std::string& field, const std::string& metric) {
  if (metric.empty()) return Bad(field, "is required");
  if (!IsKnownMetricName(metric)) {
    return Bad(field, absl::StrCat("\"", metric, "\" is not a metric of KPI_SPEC §5"));
  }
  return absl::OkStatus();
}

absl::Status CheckTrigger(const std::string& at, const v1::NotifyRule& rule) {
  switch (rule.trigger_case()) {
    case v1::NotifyRule::kDealSigned:
      if (rule.deal_signed().min_amount() < 0) {
        return Bad(at + ".deal_signed.min_amount", "must be >= 0");
      }
      return absl::OkStatus();
    case v1::NotifyRule::kTopN: {
      const v1::TopNTrigger& t = rule.top_n();
      const std::string f = at + ".top_n";
      if (t.n() < 1 || t.n() > kMaxTopN) {
        return Bad(f + ".n", absl::StrCat("must be 1..", kMaxTopN, ", not ", t.n()));
      }
      if (t.unit_id().empty() == t.competition_id().empty()) {
        return Bad(f, "name exactly one of unit_id and competition_id");
      }
      if (!t.competition_id().empty()) {
        if (!t.metric().empty() || t.period_kind() != v1::PERIOD_KIND_UNSPECIFIED) {
          return Bad(f,
                     "a competition board has its own metric and window: leave metric and "
                     "period_kind empty");
        }
        return absl::OkStatus();
      }
      if (t.metric().empty()) return Bad(f + ".metric", "is required");
      if (!IsBoardMetric(t.metric())) {  // What GetLeaderboard ranks (metric_names.h).
        return Bad(f + ".metric",
                   absl::StrCat("\"", t.metric(), "\" is not a metric a board ranks"));
      }
      return CheckPeriodKind(f + ".period_kind", t.period_kind());
    }
    case v1::NotifyRule::kOverdueDigest:
      if (!ParseLocalTime(rule.overdue_digest().local_time())) {
        return Bad(at + ".overdue_digest.local_time",
                   absl::StrCat("\"", rule.overdue_digest().local_time(),
                                "\" is not a time of day HH:MM (00:00 .. 23:59)"));
      }
      return absl::OkStatus();
    case v1::NotifyRule::kTargetReached: {
      const std::string f = at + ".target_reached";
      if (absl::Status s = CheckMetric(f + ".metric", rule.target_reached().metric()); !s.ok()) {
        return s;
      }
      return CheckPeriodKind(f + ".period_kind", rule.target_reached().period_kind());
    }
    case v1::NotifyRule::TRIGGER_NOT_SET:
      break;
  }
  return Bad(at, "needs a trigger: deal_signed, top_n, overdue_digest or target_reached");
}

absl::Status CheckTarget(const std::string& at, const v1::NotifyTarget& target) {
  const std::string f = at + ".target";
  const std::string& url = target.url();
  if (url.empty()) return Bad(f + ".url", "is required");
  if (url.size() > kMaxUrlBytes) {
    return Bad(f + ".url", absl::StrCat("is longer than ", kMaxUrlBytes, " bytes"));
  }
  const bool http = absl::StartsWithIgnoreCase(url, "http://");
  const bool https = absl::StartsWithIgnoreCase(url, "https://");
  if (!http && !https) return Bad(f + ".url", "must start with http:// or https://");
  if (url.size() == (http ? 7u : 8u)) return Bad(f + ".url", "names no host");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return Bad(f + ".url", "must not contain spaces or control characters");
    }
  }
  if (target.format() < v1::NotifyTarget::GENERIC_JSON ||
      target.format() > v1::NotifyTarget::TEAMS) {
    return Bad(f + ".format", "must be GENERIC_JSON, DINGTALK, WECOM, SLACK or TEAMS");
  }
  if (!target.secret().empty() && target.format() != v1::NotifyTarget::DINGTALK) {
    return Bad(f + ".secret", "only a DINGTALK robot signs its URL with a secret");
  }
  if (const std::string& locale = target.locale(); !locale.empty()) {
    // The texts exist in English and Chinese; the rest of the name picks how money is written.
    const bool known_language =
        absl::StartsWithIgnoreCase(locale, "en") || absl::StartsWithIgnoreCase(locale, "zh");
    const bool well_formed =
        locale.size() <= 35 && (locale.size() == 2 || locale[2] == '-' || locale[2] == '_') &&
        std::all_of(locale.begin(), locale.end(),
                    [](char c) { return absl::ascii_isalnum(c) || c == '-' || c == '_'; });
    if (!known_language || !well_formed) {
      return Bad(
          f + ".locale",
          absl::StrCat("\"", locale, "\" is not en or zh-CN (or another en-*, zh-* locale)"));
    }
  }
  return absl::OkStatus();
}

// `value` ms in [1, max], or `fallback` when 0.
absl::StatusOr<absl::Duration> Millis(const std::string& field, uint32_t value, uint32_t max,
                                      absl::Duration fallback) {
  if (value == 0) return fallback;
  if (value > max) return Bad(field, absl::StrCat("must be 1..", max, " ms, not ", value));
  return absl::Milliseconds(value);
}

absl::StatusOr<DeliveryOptions> DeliveryOf(const v1::NotifyDelivery& d) {
  DeliveryOptions o;
  const std::string f = "notify_delivery.";
  if (d.max_attempts() > 100) return Bad(f + "max_attempts", "must be 1..100");
  if (d.max_attempts() != 0) o.max_attempts = d.max_attempts();
  constexpr uint32_t kDay = 86400000, kTenMinutes = 600000;
  absl::StatusOr<absl::Duration> v =
      Millis(f + "initial_backoff_ms", d.initial_backoff_ms(), kDay, o.initial_backoff);
  if (!v.ok()) return v.status();
  o.initial_backoff = *v;
  if (!(v = Millis(f + "max_backoff_ms", d.max_backoff_ms(), kDay, o.max_backoff)).ok()) {
    return v.status();
  }
  o.max_backoff = *v;
  if (o.max_backoff < o.initial_backoff) {
    return Bad(f + "max_backoff_ms", "must be at least initial_backoff_ms");
  }
  if (!(v = Millis(f + "connect_timeout_ms", d.connect_timeout_ms(), kTenMinutes,
                   o.connect_timeout))
           .ok()) {
    return v.status();
  }
  o.connect_timeout = *v;
  if (!(v = Millis(f + "attempt_timeout_ms", d.attempt_timeout_ms(), kTenMinutes,
                   o.attempt_timeout))
           .ok()) {
    return v.status();
  }
  o.attempt_timeout = *v;
  if (d.max_pending_per_rule() > 1000000) {
    return Bad(f + "max_pending_per_rule", "must be 1..1000000");
  }
  if (d.max_pending_per_rule() != 0) o.max_pending_per_rule = d.max_pending_per_rule();
  return o;
}

}  // namespace

std::optional<int> ParseLocalTime(absl::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  int hours = 0, minutes = 0;
  for (int i : {0, 1, 3, 4}) {
    if (!absl::ascii_isdigit(text[i])) return std::nullopt;
  }
  if (!absl::SimpleAtoi(text.substr(0, 2), &hours) ||
      !absl::SimpleAtoi(text.substr(3, 2), &minutes) || hours > 23 || minutes > 59) {
    return std::nullopt;
  }
  return hours * 60 + minutes;
}

absl::StatusOr<NotifyOptions> NotifyOptionsOf(const v1::DaemonConfig& config) {
  NotifyOptions options;
  if (static_cast<size_t>(config.notify_rules_size()) > kMaxRules) {
    return Bad("notify_rules",
               absl::StrCat("at most ", kMaxRules, " rules, not ", config.notify_rules_size()));
  }
  std::set<std::string> names;
  for (int i = 0; i < config.notify_rules_size(); ++i) {
    const v1::NotifyRule& rule = config.notify_rules(i);
    const std::string at = absl::StrCat("notify_rules[", i, "]");
    if (rule.name().empty() || rule.name().size() > kMaxRuleNameBytes) {
      return Bad(at + ".name", absl::StrCat("must be 1..", kMaxRuleNameBytes, " characters"));
    }
    for (char c : rule.name()) {
      if (!IsRuleNameChar(c)) {
        return Bad(at + ".name",
                   absl::StrCat("\"", rule.name(), "\": use letters, digits, '_', '-' and '.'"));
      }
    }
    if (!names.insert(rule.name()).second) {
      return Bad(at + ".name", absl::StrCat("\"", rule.name(), "\" names another rule too"));
    }
    if (absl::Status s = CheckTrigger(at, rule); !s.ok()) return s;
    if (!rule.has_target()) return Bad(at + ".target", "is required");
    if (absl::Status s = CheckTarget(at, rule.target()); !s.ok()) return s;
    options.rules.push_back(rule);
  }
  absl::StatusOr<DeliveryOptions> delivery = DeliveryOf(config.notify_delivery());
  if (!delivery.ok()) return delivery.status();
  options.delivery = *delivery;
  return options;
}

}  // namespace salestrack::notify
