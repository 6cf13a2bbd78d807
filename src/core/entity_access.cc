#include "salestrack/entity_access.h"

#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "salestrack/event_error.h"

namespace salestrack {
namespace {

using v1::Event;

absl::string_view KindName(EntityKind kind) {
  switch (kind) {
    case EntityKind::kOpportunity:
      return "opportunity";
    case EntityKind::kContract:
      return "contract";
    case EntityKind::kPayment:
      return "payment";
  }
  return "entity";
}

// One entity id an event names, and in which role.
struct Named {
  EntityKind kind;
  const std::string* id;
  absl::string_view field;
  enum class Use { kOpens, kChanges, kSignsOn, kPaysInto } use;
};

// The ids events[i] names, openings first.
std::vector<Named> NamedBy(const Event& e) {
  using Use = Named::Use;
  switch (e.payload_case()) {
    case Event::kOpportunityOpened:
      return {{EntityKind::kOpportunity, &e.opportunity_opened().opportunity_id(),
               "opportunity_opened.opportunity_id", Use::kOpens}};
    case Event::kOpportunityStageChanged:
      return {{EntityKind::kOpportunity, &e.opportunity_stage_changed().opportunity_id(),
               "opportunity_stage_changed.opportunity_id", Use::kChanges}};
    case Event::kOpportunityClosed:
      return {{EntityKind::kOpportunity, &e.opportunity_closed().opportunity_id(),
               "opportunity_closed.opportunity_id", Use::kChanges}};
    case Event::kContractSigned: {
      std::vector<Named> named = {{EntityKind::kContract, &e.contract_signed().contract_id(),
                                   "contract_signed.contract_id", Use::kOpens}};
      if (!e.contract_signed().opportunity_id().empty()) {
        named.push_back({EntityKind::kOpportunity, &e.contract_signed().opportunity_id(),
                         "contract_signed.opportunity_id", Use::kSignsOn});
      }
      return named;
    }
    case Event::kPaymentReceived:
      return {{EntityKind::kPayment, &e.payment_received().payment_id(),
               "payment_received.payment_id", Use::kOpens},
              {EntityKind::kContract, &e.payment_received().contract_id(),
               "payment_received.contract_id", Use::kPaysInto}};
    default:
      return {};
  }
}

// Who owns what, as the log leaves it (`table`) and as this batch would: the ids the batch opens
// that the log does not define are the key's rep's.
class Owners {
 public:
  Owners(const Principal& who, const EntityTable& table) : who_(who), table_(table) {}

  void Open(EntityKind kind, const std::string& id) {
    if (!table_.Defining(kind, id)) opened_.insert({kind, id});
  }

  // The owner: set when the id is defined (by the log or the batch); "" for a payment into a
  // contract that is not. `contract` gets a payment's contract.
  std::optional<std::string> Of(EntityKind kind, const std::string& id,
                                std::string* contract = nullptr) const {
    std::optional<EntityOpening> defining = table_.Defining(kind, id);
    if (!defining) {
      if (opened_.contains(std::make_pair(kind, absl::string_view(id)))) return who_.rep_id;
      return std::nullopt;
    }
    if (kind != EntityKind::kPayment) return defining->rep;
    if (contract != nullptr) *contract = defining->contract;
    return Of(EntityKind::kContract, defining->contract).value_or("");
  }

 private:
  const Principal& who_;
  const EntityTable& table_;
  absl::flat_hash_set<std::pair<EntityKind, absl::string_view>> opened_;
};

absl::Status Check(const Principal& who, const Owners& owners, int index, const Named& n) {
  using Use = Named::Use;
  std::string contract;
  const std::optional<std::string> owner = owners.Of(n.kind, *n.id, &contract);
  if (owner && *owner == who.rep_id) return absl::OkStatus();
  if (!owner) {
    if (n.use == Use::kOpens) return absl::OkStatus();  // New: the key's rep's.
    const bool opp = n.kind == EntityKind::kOpportunity;
    return EventError(
        absl::StatusCode::kFailedPrecondition, index, n.field,
        absl::StrCat(KindName(n.kind), " \"", *n.id, "\" is not in the log; append its ",
                     opp ? "OpportunityOpened" : "ContractSigned", " first"));
  }
  std::string what;
  switch (n.use) {
    case Use::kOpens:
      what = absl::StrCat("reuse ", KindName(n.kind), " \"", *n.id, "\"");
      break;
    case Use::kChanges:
      what = absl::StrCat("change opportunity \"", *n.id, "\"");
      break;
    case Use::kSignsOn:
      what = absl::StrCat("sign a contract on opportunity \"", *n.id, "\"");
      break;
    case Use::kPaysInto:
      what = absl::StrCat("pay into contract \"", *n.id, "\"");
      break;
  }
  const std::string whose = owner->empty() ? absl::StrCat(", which pays into contract \"", contract,
                                                          "\" (not in the log)")
                                           : absl::StrCat(" of rep \"", *owner, "\"");
  return EventError(absl::StatusCode::kPermissionDenied, index, n.field,
                    absl::StrCat(DescribeKey(who), " may not ", what, whose));
}

}  // namespace

absl::Status CheckEntityAccess(const Principal& who,
                               const google::protobuf::RepeatedPtrField<Event>& events,
                               const std::vector<int>& fresh, const EntityTable& table) {
  if (who.role != Role::kRep) return absl::OkStatus();
  Owners owners(who, table);
  for (int i : fresh) {
    for (const Named& n : NamedBy(events[i])) {
      if (n.use == Named::Use::kOpens) owners.Open(n.kind, *n.id);
    }
  }
  for (int i : fresh) {
    for (const Named& n : NamedBy(events[i])) {
      absl::Status s = Check(who, owners, i, n);
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace salestrack
