#include "salestrack/event_error.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace salestrack {
namespace {

// Payload: "<index>\n<field>".
constexpr absl::string_view kPayloadUrl = "type.salestrack.dev/salestrack.EventErrorLocation";
constexpr absl::string_view kMaxBatchUrl = "type.salestrack.dev/salestrack.MaxBatchEvents";

absl::Status WithLocation(absl::StatusCode code, int event_index, absl::string_view field,
                          std::string message) {
  absl::Status status(code, message);
  SetEventErrorLocation(&status, event_index, field);
  return status;
}

}  // namespace

void SetEventErrorLocation(absl::Status* status, int event_index, absl::string_view field) {
  status->SetPayload(kPayloadUrl, absl::Cord(absl::StrCat(event_index, "\n", field)));
}

absl::Status EventError(absl::StatusCode code, int event_index, absl::string_view field,
                        absl::string_view reason) {
  std::string where = absl::StrCat("events[", event_index, "]");
  if (!field.empty()) absl::StrAppend(&where, ".", field);
  return WithLocation(code, event_index, field, absl::StrCat(where, ": ", reason));
}

absl::Status BatchError(absl::StatusCode code, absl::string_view field, absl::string_view reason) {
  return WithLocation(code, -1, field, absl::StrCat(field, ": ", reason));
}

std::optional<EventErrorLocation> GetEventErrorLocation(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kPayloadUrl);
  if (!payload) return std::nullopt;
  std::pair<std::string, std::string> parts =
      absl::StrSplit(std::string(*payload), absl::MaxSplits('\n', 1));
  EventErrorLocation location;
  if (!absl::SimpleAtoi(parts.first, &location.event_index)) return std::nullopt;
  location.field = parts.second;
  return location;
}

absl::Status TooBigBatch(absl::string_view reason, size_t max_events) {
  absl::Status status = BatchError(absl::StatusCode::kResourceExhausted, "events", reason);
  status.SetPayload(kMaxBatchUrl, absl::Cord(absl::StrCat(max_events)));
  return status;
}

std::optional<size_t> MaxBatchEventsHint(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kMaxBatchUrl);
  size_t n = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &n)) return std::nullopt;
  return n;
}

}  // namespace salestrack
