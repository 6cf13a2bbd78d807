// Requests and responses in protobuf's JSON mapping (developers.google.com/protocol-buffers/docs/
// proto3#json), as the Connect protocol's JSON codec carries them.
//
// Parsing is strict: an unknown field, a wrong type or a bad enum name is INVALID_ARGUMENT naming
// the message type and the field ("request does not decode as salestrack.v1.GetKpisRequest: ...").
// Nesting deeper than kMaxJsonDepth is refused before the parser sees it, so a hostile body cannot
// recurse the parser deep. Printing emits fields at their default values (a JS client reads 0, "",
// false and [] rather than a missing key), field names in lowerCamelCase, 64-bit integers as
// strings (the mapping's rule, since JavaScript numbers lose precision past 2^53).
#ifndef SALESTRACK_HTTP_JSON_CODEC_H_
#define SALESTRACK_HTTP_JSON_CODEC_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace salestrack::http {

inline constexpr int kMaxJsonDepth = 32;

// Parses `json` into `message` (cleared first). An empty body is the empty message.
absl::Status ParseJson(absl::string_view json, google::protobuf::Message* message);

// The message as JSON (one line).
absl::StatusOr<std::string> PrintJson(const google::protobuf::Message& message);

}  // namespace salestrack::http

#endif  // SALESTRACK_HTTP_JSON_CODEC_H_
