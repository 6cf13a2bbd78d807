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

#include <deque>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "salestrack/mutex.h"

namespace salestrack::http {

inline constexpr int kMaxJsonDepth = 32;

// Parses `json` into `message` (cleared first). An empty body is the empty message.
absl::Status ParseJson(absl::string_view json, google::protobuf::Message* message);

// The message as JSON (one line).
absl::StatusOr<std::string> PrintJson(const google::protobuf::Message& message);

// The JSON of recently printed messages, by their binary encoding: the streams of one board send
// the same update to every subscriber, and protobuf's JSON printer costs far more than encoding
// and hashing, so N subscribers print an update once. Bounded: kEntries entries of at most
// kMaxBytes each (larger messages are printed every time). Thread-safe.
class JsonMemo {
 public:
  static constexpr size_t kEntries = 64;
  static constexpr size_t kMaxBytes = 256 << 10;

  absl::StatusOr<std::shared_ptr<const std::string>> Print(const google::protobuf::Message& m);

 private:
  Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const std::string>> by_bytes_
      ABSL_GUARDED_BY(mu_);
  std::deque<std::string> order_ ABSL_GUARDED_BY(mu_);  // Oldest first, for eviction.
};

}  // namespace salestrack::http

#endif  // SALESTRACK_HTTP_JSON_CODEC_H_
