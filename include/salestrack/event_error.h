// Errors about one event of a batch, carrying where the problem is.
//
// Every refusal of an append names the event (its index in the batch) and the field path inside it,
// so a connector or the CLI can point at the offending line. The location travels as a payload of
// the absl::Status, and the message reads:
//
//   events[3].contract_signed.installments[1].amount: must be >= 0 (got -5)
#ifndef SALESTRACK_EVENT_ERROR_H_
#define SALESTRACK_EVENT_ERROR_H_

#include <cstddef>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace salestrack {

struct EventErrorLocation {
  int event_index = -1;  // -1: about the whole batch.
  std::string field;     // Path inside the event, e.g. "contract_signed.amount"; may be empty.
};

// Builds a status for a problem with events[event_index].field.
absl::Status EventError(absl::StatusCode code, int event_index, absl::string_view field,
                        absl::string_view reason);

// Builds a status for a problem with the batch as a whole (e.g. too many events).
absl::Status BatchError(absl::StatusCode code, absl::string_view field, absl::string_view reason);

// Attaches a location to a status whose message already names it (e.g. a request that does not
// decode: "request does not decode as ...: events[3].note: ...").
void SetEventErrorLocation(absl::Status* status, int event_index, absl::string_view field);

// The location attached by EventError/BatchError/SetEventErrorLocation, if any.
std::optional<EventErrorLocation> GetEventErrorLocation(const absl::Status& status);

// A batch with more events than the caller may send at once (max_batch_events, or its key's
// rate-limit burst): RESOURCE_EXHAUSTED about "events", carrying the most it may send as its hint.
// The same request can never pass; split into batches of at most that many, it will.
absl::Status TooBigBatch(absl::string_view reason, size_t max_events);
// The hint attached by TooBigBatch, if any.
std::optional<size_t> MaxBatchEventsHint(const absl::Status& status);

}  // namespace salestrack

#endif  // SALESTRACK_EVENT_ERROR_H_
