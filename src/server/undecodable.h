// Why bytes do not parse as a protobuf message: the first field at fault and what is wrong with it.
//
// protobuf's parser says only "no"; a client needs to know which field to fix. This walks the wire
// format against the message's descriptor, as the parser does, and stops at the first thing the
// parser refuses: a truncated or malformed field, a proto3 string that is not UTF-8, nesting deeper
// than protobuf's limit.
//
//   UndecodableField f = FindUndecodableField(*v1::AppendRequest::descriptor(), bytes);
//   // f.path == "events[3].action_logged.customer_id", f.reason == "is not valid UTF-8 ..."
#ifndef SALESTRACK_SERVER_UNDECODABLE_H_
#define SALESTRACK_SERVER_UNDECODABLE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace salestrack::server {

struct UndecodableField {
  // Field names from the top message, repeated fields with their index: "events[3].note". A field
  // the descriptor does not know is named by number ("#7"). Empty: the message itself.
  std::string path;
  std::string reason;
};

// The first problem in `bytes` as a `type`. When the walk finds none (the parser refused for a
// reason not checked here), path is empty and the reason says so.
UndecodableField FindUndecodableField(const google::protobuf::Descriptor& type,
                                      absl::string_view bytes);

// The last value of the top-level varint field `field_number` in `bytes`, read as far as the bytes
// decode (a request that does not parse may still show its id).
std::optional<uint64_t> FindTopLevelVarint(absl::string_view bytes, int field_number);

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_UNDECODABLE_H_
