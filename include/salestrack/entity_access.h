// Entity access: a rep key adds events only to its own rep's opportunities, contracts and payments,
// so it changes only its own figures (docs/access.md). Pure, like access.h: the caller says who
// owns what (an EntityTable) at the moment the batch is decided.
//
// The owner of an entity is the rep its figures count for (KPI_SPEC §4): the rep of the opening
// that defines it (the earliest OpportunityOpened / ContractSigned by (occurred_at, seq)); a
// payment's is its contract's owner. For a rep key, in a batch of its own events (CheckAppendScope
// passed):
//   - an opening (OpportunityOpened, ContractSigned, PaymentReceived) of an id that is already
//     defined needs the id's owner to be the key's rep: an earlier opening would take it over;
//   - a reference (OpportunityStageChanged / OpportunityClosed, ContractSigned.opportunity_id,
//     PaymentReceived.contract_id) needs the entity defined, by the log or by an opening in this
//     batch (in any order), and owned by the key's rep. An unknown entity is FAILED_PRECONDITION:
//     a later opening by another rep would adopt the event.
// Refusals are PERMISSION_DENIED naming the event, the field, the key and the owner:
//   events[0].payment_received.contract_id: key "li-phone" (rep rep-li) may not pay into contract
//   "ct-9" of rep "rep-wang"
// Other roles pass unchecked (admins and connectors append anything; managers only targets).
#ifndef SALESTRACK_ENTITY_ACCESS_H_
#define SALESTRACK_ENTITY_ACCESS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "salestrack/access.h"
#include "salestrack/projector.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack {

// What is defined now: the log's state, including every batch accepted before the one checked.
class EntityTable {
 public:
  virtual ~EntityTable() = default;
  // The opening that defines `id` (the earliest by (at, seq)), if any.
  virtual std::optional<EntityOpening> Defining(EntityKind kind, absl::string_view id) const = 0;
};

// Checks events[i] for i in `fresh` (the batch's events new to the log; the others change
// nothing) against `table`. OK for every role but kRep.
absl::Status CheckEntityAccess(const Principal& who,
                               const google::protobuf::RepeatedPtrField<v1::Event>& events,
                               const std::vector<int>& fresh, const EntityTable& table);

}  // namespace salestrack

#endif  // SALESTRACK_ENTITY_ACCESS_H_
