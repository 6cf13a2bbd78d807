// The one place an absl::Status becomes a Connect protocol error (connectrpc.com/docs/protocol):
// its code name ("invalid_argument"), the HTTP status a unary error is sent with, and the error
// JSON `{"code":"invalid_argument","message":"..."}`. The message is the engine's, word for word,
// so a refusal reads the same over HTTP as over gRPC.
//
// Retry hints (engine/retry_hint.h) travel as response headers on a unary error
// ("Retry-After-Ms: N", and "Max-Batch-Events: N" for a batch too big), and as the end-of-stream
// message's metadata on a stream.
#ifndef SALESTRACK_HTTP_CONNECT_STATUS_H_
#define SALESTRACK_HTTP_CONNECT_STATUS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace salestrack::http {

inline constexpr char kRetryAfterHeader[] = "Retry-After-Ms";
inline constexpr char kMaxBatchEventsHeader[] = "Max-Batch-Events";

// "invalid_argument", "canceled", ... (Connect spells CANCELLED "canceled"). REQUIRES: not OK.
absl::string_view ConnectCode(absl::StatusCode code);
// The HTTP status of a unary error with `code` (400, 401, 403, 404, 409, 429, 499, 500, 501, 503,
// 504).
int HttpStatusOf(absl::StatusCode code);
// `{"code":"...","message":"..."}`. REQUIRES: !status.ok().
std::string ConnectErrorJson(const absl::Status& status);
// The status's hints as (header, value) pairs; empty without any.
std::vector<std::pair<std::string, std::string>> HintHeaders(const absl::Status& status);
// A JSON string literal, quotes included, every control character and non-ASCII-safe byte escaped.
std::string JsonQuote(absl::string_view text);

}  // namespace salestrack::http

#endif  // SALESTRACK_HTTP_CONNECT_STATUS_H_
