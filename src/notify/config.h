// The notifier's configuration (config.proto's notify_rules and notify_delivery), checked and with
// its defaults filled in. docs/notifications.md describes the rules; docs/configuration.md the
// fields.
#ifndef SALESTRACK_NOTIFY_CONFIG_H_
#define SALESTRACK_NOTIFY_CONFIG_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "salestrack/v1/config.pb.h"

namespace salestrack::notify {

inline constexpr size_t kMaxRules = 64;
inline constexpr size_t kMaxRuleNameBytes = 64;
inline constexpr size_t kMaxUrlBytes = 2048;
inline constexpr uint32_t kMaxTopN = 1000;

struct DeliveryOptions {
  uint32_t max_attempts = 8;
  absl::Duration initial_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Minutes(5);
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration attempt_timeout = absl::Seconds(10);
  size_t max_pending_per_rule = 10000;
};

struct NotifyOptions {
  std::vector<v1::NotifyRule> rules;
  DeliveryOptions delivery;
  bool enabled() const { return !rules.empty(); }
};

// The rules and delivery settings of `config`, checked: unique names, a trigger and a target each,
// http(s) URLs, amounts >= 0, 1 <= n <= 1000, known metric names, "HH:MM" times, a secret only for
// DingTalk, settings in their ranges. Errors name the field ("notify_rules[2].top_n.n: ...").
absl::StatusOr<NotifyOptions> NotifyOptionsOf(const v1::DaemonConfig& config);

// "HH:MM" (00:00 .. 23:59) as minutes after midnight; nullopt otherwise.
std::optional<int> ParseLocalTime(absl::string_view text);

}  // namespace salestrack::notify

#endif  // SALESTRACK_NOTIFY_CONFIG_H_
