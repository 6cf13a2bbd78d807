// Access control: who may do what (issue 6). Pure: the server authenticates the caller (an API key
// becomes a Principal) and asks these functions; they know nothing of gRPC or where keys come from.
//
// Two steps, both before any work is done:
//   1. RoleAllows(role, permission): may this role call a method needing `permission` at all?
//      (the server's method table says which permission each RPC needs);
//   2. the scope checks below, given the request: a rep appends only its own activity events and
//      reads only its own figures; a manager reads its subtree and sets targets there; boards are
//      read by screens, and by reps and managers for their own units.
// Refusals are PERMISSION_DENIED with a message naming what is out of scope.
//
//   if (!RoleAllows(who.role, Permission::kReadKpis)) ...
//   RETURN_IF_ERROR(CheckSubjectScope(who, request.subject().rep_id(), request.subject().unit_id(),
//   org));
#ifndef SALESTRACK_ACCESS_H_
#define SALESTRACK_ACCESS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "salestrack/org_state.h"
#include "salestrack/v1/config.pb.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack {

enum class Role {
  kAdmin,      // Everything.
  kConnector,  // Append any event, read the log.
  kRep,        // Bound to a rep: its own activity events, its own figures, its units' boards.
  kManager,    // Bound to a unit: read its subtree, set targets there.
  kScreen,     // Read and subscribe to boards.
};

enum class Permission {
  kAppend,      // LogService.Append / AppendStream.
  kReadLog,     // LogService.ReadEvents.
  kReadKpis,    // KPIs, funnels, follow-ups, scorecards of a subject.
  kReadBoards,  // Leaderboards (get and subscribe).
  kAdmin,       // Verify, rebuild, backup, stats.
  kReadOrg,     // The org's names, zone, currency and metric catalogue (every role; scoped).
};

struct Principal {
  std::string name;  // The API key's name, for logs and error messages.
  Role role = Role::kScreen;
  std::string rep_id;   // kRep only.
  std::string unit_id;  // kManager only.
};

absl::string_view RoleName(Role role);
// The key as refusals name it: key "li-phone" (rep rep-li), key "crm" (connector).
std::string DescribeKey(const Principal& who);
// "admin", "connector", "rep", "manager", "screen" -> Role; false for anything else.
bool ParseRole(absl::string_view name, Role* role);

// The principal an API key entry of the config stands for, checking the name is set, the role is
// known and rep_id / unit_id are given exactly for rep / manager keys. Errors name the field
// ("role: ..."); the caller prefixes the key's place. Does not look at the hash.
absl::StatusOr<Principal> PrincipalOfKey(const v1::ApiKey& key);

// Whether `role` may use methods that need `permission` (before any scope check).
bool RoleAllows(Role role, Permission permission);

// Appending `events`: admins and connectors anything; a rep only activity events (actions,
// opportunities, contracts, payments, feedback) with its own rep_id; a manager only TargetSet
// events for its unit's subtree (a unit in it, or a rep whose current unit is in it). REQUIRES:
// RoleAllows(who.role, kAppend).
absl::Status CheckAppendScope(const Principal& who,
                              const google::protobuf::RepeatedPtrField<v1::Event>& events,
                              const OrgState& org);

// Reading the figures of a rep (rep_id) or a unit's subtree (unit_id); one of them is set. A rep
// reads only itself; a manager a unit in its subtree or a rep whose current unit is in it.
// REQUIRES: RoleAllows(who.role, kReadKpis).
absl::Status CheckSubjectScope(const Principal& who, const std::string& rep_id,
                               const std::string& unit_id, const OrgState& org);

// Reading the board of `unit_id` ("" for the whole company). Screens and admins read any board; a
// rep the boards of its unit and the units above it (and the company board); a manager the boards
// of its subtree.
// REQUIRES: RoleAllows(who.role, kReadBoards).
absl::Status CheckBoardScope(const Principal& who, const std::string& unit_id, const OrgState& org);

}  // namespace salestrack

#endif  // SALESTRACK_ACCESS_H_
