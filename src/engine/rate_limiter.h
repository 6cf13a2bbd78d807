// RateLimiter: the per-API-key append rate limit (issue 6), a token bucket per key.
//
// Each key has a bucket of `burst` tokens, refilled at `events_per_second`. Appending a batch of n
// events takes n tokens. When fewer are left the batch is refused and takes nothing:
//
//   absl::Status s = limiter.Take(who, request.events_size());
//   // RESOURCE_EXHAUSTED "key \"li-phone\" (role rep) is over its append rate limit of 20 events/s
//   //   (burst 1000): ... retry in 450 ms", with RetryAfter(s) == 450ms
//   // (retry_hint.h; gRPC sends it as trailing metadata "retry-after-ms": server/grpc_status.h)
//   // INVALID_ARGUMENT when n > burst: that batch could never pass; split it.
//
// Only work that is let through costs tokens: the caller checks the bucket (Check) before it
// validates a batch, takes the tokens (Take) once the batch passed scope and validation, and gives
// them back (Refund) when the writer refuses it after all.
//
// Refused work has a bucket of its own, of the same rate and burst: each refused batch takes its
// events from it (Refused), and it may run into debt by one burst. While it is in debt the key's
// appends are refused at once (CheckRefusals: RESOURCE_EXHAUSTED with the wait until it is out of
// debt), so a key sending bad batches in a loop cannot keep the daemon busy validating them; one
// burst of refused events, or the rate of them, costs a well-behaved key nothing.
//
// A key's limit is its own (ApiKey.rate_limit), else its role's (Limits.rate_limits), else the
// role's default (kDefaultRateLimits). With authentication off every caller is the same principal,
// so all share one bucket under the admin role's limit.
//
// Thread-safe.
#ifndef SALESTRACK_ENGINE_RATE_LIMITER_H_
#define SALESTRACK_ENGINE_RATE_LIMITER_H_

#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/options.h"
#include "salestrack/access.h"
#include "salestrack/clock.h"
#include "salestrack/mutex.h"

namespace salestrack::engine {

struct RateLimit {
  double events_per_second = 0;  // 0: no limit.
  double burst = 0;
  bool unlimited() const { return events_per_second <= 0; }
};

// The limits every key of a role has unless configured otherwise: admin none (imports, restores);
// connector 20000 events/s (a tenth of what the writer sustains, so one runaway connector cannot
// starve the others); rep and manager 20 events/s with a burst of 1000 (a phone syncing a long
// offline spell sends it at once; no person logs 20 events a second); screen none (it cannot
// append).
RateLimit DefaultRateLimit(Role role);

class RateLimiter {
 public:
  // Resolves every key's limit from `options` (rate_limits, api_keys[].rate_limit). Errors name
  // the config field: an unknown role, a negative rate, a role listed twice.
  static absl::StatusOr<std::unique_ptr<RateLimiter>> Create(const EngineOptions& options,
                                                             const Clock* clock);

  // Takes `events` tokens from who's bucket: OK; RESOURCE_EXHAUSTED with a retry hint when the
  // bucket has fewer (nothing is taken); INVALID_ARGUMENT when `events` exceeds the burst.
  absl::Status Take(const Principal& who, size_t events);
  // What Take would answer now, taking nothing: a cheap refusal before a batch is validated.
  absl::Status Check(const Principal& who, size_t events);
  // Gives back `events` tokens Take took for a batch that was refused later (up to the burst).
  void Refund(const Principal& who, size_t events);

  // OK unless who's refused-work bucket is in debt: RESOURCE_EXHAUSTED with a retry hint.
  absl::Status CheckRefusals(const Principal& who);
  // Takes a refused batch of `events` events (at least 1) from who's refused-work bucket.
  void Refused(const Principal& who, size_t events);

  // The limit that applies to `who`.
  RateLimit LimitOf(const Principal& who) const;

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time refilled;
    // Adds what `limit` refills since `refilled` (up to the burst).
    void Refill(const RateLimit& limit, absl::Time now);
  };
  struct Buckets {
    Bucket valid;
    Bucket refused;  // May be below 0: refused events not yet paid for.
  };
  // who's buckets, refilled up to now; created full. REQUIRES: mu_ held.
  Buckets& BucketsOf(const Principal& who, const RateLimit& limit, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status TakeOrCheck(const Principal& who, size_t events, bool take);
  explicit RateLimiter(const Clock* clock) : clock_(clock) {}

  const Clock* const clock_;
  absl::flat_hash_map<Role, RateLimit> by_role_;
  absl::flat_hash_map<std::string, RateLimit> by_key_;  // Keys with their own limit, by name.
  salestrack::Mutex mu_;
  absl::flat_hash_map<std::string, Buckets> buckets_ ABSL_GUARDED_BY(mu_);  // By key name.
};

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_RATE_LIMITER_H_
