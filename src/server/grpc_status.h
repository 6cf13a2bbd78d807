// The one place an absl::Status becomes a grpc::Status (and back, for clients of the core).
//
// A refusal the caller should retry later (a rate limit, a full subscriber table) carries a retry
// hint as a payload of its absl::Status (engine/retry_hint.h); on the wire it becomes trailing
// metadata "retry-after-ms: N" (and AppendError.retry_after_ms on AppendStream). Debian packages no
// C++ build of googleapis' google.rpc.RetryInfo, so the hint is plain metadata a client reads with
// ClientContext::GetServerTrailingMetadata().
#ifndef SALESTRACK_SERVER_GRPC_STATUS_H_
#define SALESTRACK_SERVER_GRPC_STATUS_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "engine/retry_hint.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"

namespace salestrack::server {

inline constexpr char kRetryAfterMetadata[] = "retry-after-ms";
// The hint of a batch too big for the caller (TooBigBatch): the most events it may send at once.
inline constexpr char kMaxBatchEventsMetadata[] = "max-batch-events";

grpc::StatusCode ToGrpcCode(absl::StatusCode code);
grpc::Status ToGrpcStatus(const absl::Status& status);
// The same, and puts the status's hints, if any, in the call's trailing metadata.
// REQUIRES: before the call is finished.
grpc::Status ToGrpcStatus(const absl::Status& status, grpc::ServerContextBase* context);

// Finishes a unary callback call with `status` (and its retry hint): `return FinishUnary(context,
// s);`.
grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context,
                                      const absl::Status& status);

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_GRPC_STATUS_H_
