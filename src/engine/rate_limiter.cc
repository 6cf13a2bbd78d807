#include "engine/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/retry_hint.h"
#include "salestrack/event_error.h"
#include "spdlog/spdlog.h"

namespace salestrack::engine {
namespace {

absl::StatusOr<RateLimit> Resolve(const v1::RateLimit& config, size_t max_batch_events,
                                  absl::string_view field) {
  if (!(config.events_per_second() >= 0) || std::isinf(config.events_per_second())) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".events_per_second: must be >= 0 (0: no limit)"));
  }
  RateLimit limit{config.events_per_second(), static_cast<double>(config.burst())};
  if (limit.burst == 0) {
    limit.burst =
        std::max(static_cast<double>(max_batch_events), std::ceil(limit.events_per_second));
  }
  return limit;
}

std::string Describe(const RateLimit& limit) {
  return absl::StrFormat("%g events/s (burst %g)", limit.events_per_second, limit.burst);
}

}  // namespace

RateLimit DefaultRateLimit(Role role) {
  switch (role) {
    case Role::kAdmin:
      return {};
    case Role::kConnector:
      return {20000, 20000};
    case Role::kRep:
      return {20, 1000};
    case Role::kManager:
      return {20, 1000};
    case Role::kScreen:
      return {};
  }
  return {};
}

absl::StatusOr<std::unique_ptr<RateLimiter>> RateLimiter::Create(const EngineOptions& options,
                                                                 const Clock* clock) {
  std::unique_ptr<RateLimiter> limiter(new RateLimiter(clock));
  for (Role r : {Role::kAdmin, Role::kConnector, Role::kRep, Role::kManager, Role::kScreen}) {
    limiter->by_role_[r] = DefaultRateLimit(r);
  }
  absl::flat_hash_map<Role, bool> configured;
  for (size_t i = 0; i < options.rate_limits.size(); ++i) {
    const v1::RateLimit& config = options.rate_limits[i];
    const std::string at = absl::StrCat("limits.rate_limits[", i, "]");
    Role role;
    if (!ParseRole(config.role(), &role)) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ".role: \"", config.role(),
                       "\" is not one of admin, connector, rep, manager, screen"));
    }
    if (configured[role]) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ".role: \"", config.role(), "\" has another entry"));
    }
    configured[role] = true;
    absl::StatusOr<RateLimit> limit = Resolve(config, options.validation.max_batch_events, at);
    if (!limit.ok()) return limit.status();
    limiter->by_role_[role] = *limit;
  }
  for (size_t i = 0; i < options.api_keys.size(); ++i) {
    const v1::ApiKey& key = options.api_keys[i];
    if (!key.has_rate_limit()) continue;
    absl::StatusOr<RateLimit> limit = Resolve(key.rate_limit(), options.validation.max_batch_events,
                                              absl::StrCat("api_keys[", i, "].rate_limit"));
    if (!limit.ok()) return limit.status();
    limiter->by_key_[key.name()] = *limit;
  }
  return limiter;
}

void RateLimiter::Bucket::Refill(const RateLimit& limit, absl::Time now) {
  if (now > refilled) {
    tokens = std::min(limit.burst,
                      tokens + absl::ToDoubleSeconds(now - refilled) * limit.events_per_second);
  }
  refilled = std::max(refilled, now);
}

RateLimiter::Buckets& RateLimiter::BucketsOf(const Principal& who, const RateLimit& limit,
                                             absl::Time now) {
  auto [it, fresh] =
      buckets_.try_emplace(who.name, Buckets{{limit.burst, now}, {limit.burst, now}});
  if (!fresh) {
    it->second.valid.Refill(limit, now);
    it->second.refused.Refill(limit, now);
  }
  return it->second;
}

void RateLimiter::Refund(const Principal& who, size_t events) {
  const RateLimit limit = LimitOf(who);
  if (limit.unlimited()) return;
  salestrack::MutexLock lock(&mu_);
  Bucket& b = BucketsOf(who, limit, clock_->Now()).valid;
  b.tokens = std::min(limit.burst, b.tokens + static_cast<double>(events));
}

absl::Status RateLimiter::CheckRefusals(const Principal& who) {
  const RateLimit limit = LimitOf(who);
  if (limit.unlimited()) return absl::OkStatus();
  double debt;
  {
    salestrack::MutexLock lock(&mu_);
    debt = -BucketsOf(who, limit, clock_->Now()).refused.tokens;
  }
  if (debt <= 1e-6) return absl::OkStatus();
  absl::Duration after = absl::Seconds(debt / limit.events_per_second);
  absl::Status refused = absl::ResourceExhaustedError(absl::StrFormat(
      "key \"%s\" (role %s) had more events refused than its append rate limit of %s allows for "
      "refused work: correct what it sends (the earlier answers say what was wrong); "
      "retry in %d ms",
      who.name, RoleName(who.role), Describe(limit), RetryAfterMs(after)));
  SetRetryAfter(&refused, after);
  spdlog::debug("event=refusals_limited key=\"{}\" role={} retry_after_ms={}", who.name,
                std::string(RoleName(who.role)), RetryAfterMs(after));
  return refused;
}

void RateLimiter::Refused(const Principal& who, size_t events) {
  const RateLimit limit = LimitOf(who);
  if (limit.unlimited()) return;
  salestrack::MutexLock lock(&mu_);
  Bucket& b = BucketsOf(who, limit, clock_->Now()).refused;
  b.tokens = std::max(-limit.burst, b.tokens - std::max(1.0, static_cast<double>(events)));
}

RateLimit RateLimiter::LimitOf(const Principal& who) const {
  if (auto it = by_key_.find(who.name); it != by_key_.end()) return it->second;
  return by_role_.at(who.role);
}

absl::Status RateLimiter::Take(const Principal& who, size_t events) {
  return TakeOrCheck(who, events, /*take=*/true);
}

absl::Status RateLimiter::Check(const Principal& who, size_t events) {
  return TakeOrCheck(who, events, /*take=*/false);
}

absl::Status RateLimiter::TakeOrCheck(const Principal& who, size_t events, bool take) {
  const RateLimit limit = LimitOf(who);
  if (limit.unlimited()) return absl::OkStatus();
  const double n = static_cast<double>(events);
  if (n > limit.burst) {
    return TooBigBatch(absl::StrCat("the batch has ", events, " events, more than key \"", who.name,
                                    "\" may send at once (its rate limit is ", Describe(limit),
                                    "): split it into batches of at most ", limit.burst),
                       static_cast<size_t>(limit.burst));
  }
  const absl::Time now = clock_->Now();
  double missing;
  {
    salestrack::MutexLock lock(&mu_);
    Bucket& b = BucketsOf(who, limit, now).valid;
    // The epsilon absorbs rounding, so a batch sent exactly after its hinted wait passes.
    if (b.tokens + 1e-6 >= n) {
      if (take) b.tokens = std::max(0.0, b.tokens - n);
      return absl::OkStatus();
    }
    missing = n - b.tokens;
  }
  absl::Duration after = absl::Seconds(missing / limit.events_per_second);
  absl::Status refused = absl::ResourceExhaustedError(absl::StrFormat(
      "key \"%s\" (role %s) is over its append rate limit of %s: this batch of %d events needs "
      "%g more tokens; retry in %d ms",
      who.name, RoleName(who.role), Describe(limit), events, std::ceil(missing),
      RetryAfterMs(after)));
  SetRetryAfter(&refused, after);
  spdlog::debug("event=rate_limited key=\"{}\" role={} events={} retry_after_ms={}", who.name,
                std::string(RoleName(who.role)), events, RetryAfterMs(after));
  return refused;
}

}  // namespace salestrack::engine
