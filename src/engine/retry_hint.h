// Retry hints: a refusal the caller should retry later (a rate limit, a full subscriber table, a
// full append budget) carries how long to wait as a payload of its absl::Status. Each front door
// puts it on its wire (gRPC: trailing metadata "retry-after-ms", server/grpc_status.h).
#ifndef SALESTRACK_ENGINE_RETRY_HINT_H_
#define SALESTRACK_ENGINE_RETRY_HINT_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace salestrack::engine {

// The hint for a full table (board subscribers, log followers): a slot frees when a client leaves,
// which the daemon cannot foresee; a second spreads the retries of a reconnecting crowd.
inline constexpr absl::Duration kFullRetryAfter = absl::Seconds(1);

// Attaches / reads the retry hint of a status.
void SetRetryAfter(absl::Status* status, absl::Duration after);
std::optional<absl::Duration> RetryAfter(const absl::Status& status);
// A hint in whole milliseconds, rounded up, at least 1.
int64_t RetryAfterMs(absl::Duration after);

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_RETRY_HINT_H_
