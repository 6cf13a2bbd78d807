// Event validation: the stateless rules of KPI_SPEC §1 and §3.
//
// A pure function of the event and the clock reading. It checks everything that can be checked
// without the log: identifiers, required fields, enum values, amounts, installment sums, time
// precision and future events. Rules that need the log (duplicate ids, void targets, known units
// and stages) are the sequencer's and the projector's.
//
//   absl::Status s = ValidateBatch(request.events(), clock->Now(), options);
//   // s.message(): "events[2].contract_signed.amount: must be >= 0 (got -1)"
//   // GetEventErrorLocation(s): {2, "contract_signed.amount"}
#ifndef SALESTRACK_VALIDATION_H_
#define SALESTRACK_VALIDATION_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack {

// The largest money amount (minor units: ten trillion yuan in fen) or line quantity one event may
// carry, in any money field (costs, amounts, prices, installments, payments, targets) and any line
// quantity. Far above any real deal, it leaves room for 9,223 such events in each log-wide total
// (log_totals.h) and keeps a contract's line sum (at most 1000 lines) within int64.
inline constexpr int64_t kMaxEventAmount = 1'000'000'000'000'000;

struct ValidationOptions {
  // occurred_at may be at most this far after the daemon's clock.
  absl::Duration max_future_skew = absl::Minutes(5);
  // Events per batch.
  size_t max_batch_events = 1000;
};

// A problem with one field of one event.
struct FieldProblem {
  std::string field;   // Path inside the event, e.g. "contract_signed.installments[1].amount".
  std::string reason;  // e.g. "must be >= 0 (got -5)".
};

// The first problem of `event`, or nullopt when it is valid.
std::optional<FieldProblem> ValidateEvent(const v1::Event& event, absl::Time now,
                                          const ValidationOptions& options);

// OK, or INVALID_ARGUMENT naming the first bad event and field (see event_error.h).
absl::Status ValidateBatch(const google::protobuf::RepeatedPtrField<v1::Event>& events,
                           absl::Time now, const ValidationOptions& options);

// Identifier rule of KPI_SPEC §1: 1..128 bytes of UTF-8 without control characters.
// Returns the reason it is not one, or nullopt.
std::optional<std::string> CheckIdentifier(absl::string_view id);

// The byte offset of the first malformed UTF-8 sequence of `text`, or nullopt when it is valid.
std::optional<size_t> FindInvalidUtf8(absl::string_view text);

// True for the activity payloads that require Event.rep_id (KPI_SPEC §3 "R").
bool IsActivityEvent(const v1::Event& event);

}  // namespace salestrack

#endif  // SALESTRACK_VALIDATION_H_
