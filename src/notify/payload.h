// The bodies posted for a notification, per target format (docs/notifications.md shows each). The
// JSON is produced by protobuf's JSON printer from a google.protobuf.Struct, never by pasting
// strings, so every text is escaped.
#ifndef SALESTRACK_NOTIFY_PAYLOAD_H_
#define SALESTRACK_NOTIFY_PAYLOAD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/struct.pb.h"
#include "salestrack/v1/config.pb.h"

namespace salestrack::notify {

// What a trigger says, independent of the format.
struct Content {
  std::string kind;   // "deal_signed", "deal_voided", "top_n", "overdue_digest", "target_reached".
  std::string title;  // One line.
  std::vector<std::string> lines;  // The details, one per line (plain text).
  google::protobuf::Struct data;   // Machine-readable details (the generic JSON's "data").
};

// Where a notification comes from; the generic JSON carries all of it.
struct Origin {
  std::string rule;
  std::string idempotency_key;
  uint64_t seq = 0;
  int64_t created_at_micros = 0;
};

// The JSON body for `format`: GENERIC_JSON {idempotency_key, rule, kind, seq, created_at, title,
// text, data}; DINGTALK and WECOM robots' markdown messages; SLACK {text}; TEAMS a message with an
// Adaptive Card.
absl::StatusOr<std::string> RenderBody(v1::NotifyTarget::Format format, const Origin& origin,
                                       const Content& content);

}  // namespace salestrack::notify

#endif  // SALESTRACK_NOTIFY_PAYLOAD_H_
