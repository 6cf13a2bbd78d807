#include "salestrack/access.h"

#include "absl/strings/str_cat.h"
#include "salestrack/event_error.h"
#include "salestrack/validation.h"

namespace salestrack {
namespace {

using v1::Event;

// Activity events (validation.h) other than scores, which are given by others (scored_by).
bool IsOwnActivity(const Event& e) { return IsActivityEvent(e) && !e.has_score_recorded(); }

// Whether a manager of `root` may see rep `rep_id` (its current unit is in the subtree).
bool RepUnder(const OrgState& org, const std::string& rep_id, const std::string& root) {
  const OrgState::Rep* rep = org.FindRep(rep_id);
  return rep != nullptr && org.InSubtree(rep->unit, root);
}

absl::Status Denied(const Principal& who, absl::string_view what) {
  return absl::PermissionDeniedError(absl::StrCat(DescribeKey(who), " may not ", what));
}

}  // namespace

std::string DescribeKey(const Principal& who) {
  switch (who.role) {
    case Role::kRep:
      return absl::StrCat("key \"", who.name, "\" (rep ", who.rep_id, ")");
    case Role::kManager:
      return absl::StrCat("key \"", who.name, "\" (manager of ", who.unit_id, ")");
    case Role::kAdmin:
    case Role::kConnector:
    case Role::kScreen:
      break;
  }
  return absl::StrCat("key \"", who.name, "\" (", RoleName(who.role), ")");
}

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAdmin:
      return "admin";
    case Role::kConnector:
      return "connector";
    case Role::kRep:
      return "rep";
    case Role::kManager:
      return "manager";
    case Role::kScreen:
      return "screen";
  }
  return "unknown";
}

bool ParseRole(absl::string_view name, Role* role) {
  for (Role r : {Role::kAdmin, Role::kConnector, Role::kRep, Role::kManager, Role::kScreen}) {
    if (RoleName(r) == name) {
      *role = r;
      return true;
    }
  }
  return false;
}

absl::StatusOr<Principal> PrincipalOfKey(const v1::ApiKey& key) {
  Principal p;
  p.name = key.name();
  if (p.name.empty()) return absl::InvalidArgumentError("name: required");
  if (!ParseRole(key.role(), &p.role)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "role: \"", key.role(), "\" is not one of admin, connector, rep, manager, screen"));
  }
  if ((p.role == Role::kRep) != !key.rep_id().empty()) {
    return absl::InvalidArgumentError(p.role == Role::kRep ? "rep_id: required for role rep"
                                                           : "rep_id: only for role rep");
  }
  if ((p.role == Role::kManager) != !key.unit_id().empty()) {
    return absl::InvalidArgumentError(p.role == Role::kManager
                                          ? "unit_id: required for role manager"
                                          : "unit_id: only for role manager");
  }
  p.rep_id = key.rep_id();
  p.unit_id = key.unit_id();
  return p;
}

bool RoleAllows(Role role, Permission permission) {
  if (permission == Permission::kReadOrg) return true;
  switch (role) {
    case Role::kAdmin:
      return true;
    case Role::kConnector:
      return permission == Permission::kAppend || permission == Permission::kReadLog;
    case Role::kRep:
      return permission == Permission::kAppend || permission == Permission::kReadKpis ||
             permission == Permission::kReadBoards;
    case Role::kManager:
      return permission == Permission::kAppend || permission == Permission::kReadKpis ||
             permission == Permission::kReadBoards;
    case Role::kScreen:
      return permission == Permission::kReadBoards;
  }
  return false;
}

absl::Status CheckAppendScope(const Principal& who,
                              const google::protobuf::RepeatedPtrField<Event>& events,
                              const OrgState& org) {
  if (who.role == Role::kAdmin || who.role == Role::kConnector) return absl::OkStatus();
  for (int i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    if (who.role == Role::kRep) {
      if (!IsOwnActivity(e)) {
        return EventError(absl::StatusCode::kPermissionDenied, i, "",
                          absl::StrCat(DescribeKey(who),
                                       " may append only its own activity events "
                                       "(actions, opportunities, contracts, payments, "
                                       "feedback)"));
      }
      if (e.rep_id() != who.rep_id) {
        return EventError(
            absl::StatusCode::kPermissionDenied, i, "rep_id",
            absl::StrCat(DescribeKey(who), " may not append events of rep \"", e.rep_id(), "\""));
      }
      continue;
    }
    if (who.role == Role::kManager && e.has_target_set()) {
      const v1::TargetSet& t = e.target_set();
      bool inside = t.has_subject_unit_id() ? org.InSubtree(t.subject_unit_id(), who.unit_id)
                                            : RepUnder(org, t.subject_rep_id(), who.unit_id);
      if (inside) continue;
      return EventError(
          absl::StatusCode::kPermissionDenied, i,
          t.has_subject_unit_id() ? "target_set.subject_unit_id" : "target_set.subject_rep_id",
          absl::StrCat(DescribeKey(who), " may set targets only inside unit ", who.unit_id));
    }
    return EventError(absl::StatusCode::kPermissionDenied, i, "",
                      absl::StrCat(DescribeKey(who), " may append only TargetSet events"));
  }
  return absl::OkStatus();
}

absl::Status CheckSubjectScope(const Principal& who, const std::string& rep_id,
                               const std::string& unit_id, const OrgState& org) {
  switch (who.role) {
    case Role::kAdmin:
      return absl::OkStatus();
    case Role::kRep:
      if (unit_id.empty() && rep_id == who.rep_id) return absl::OkStatus();
      break;
    case Role::kManager:
      if (!unit_id.empty() ? org.InSubtree(unit_id, who.unit_id)
                           : RepUnder(org, rep_id, who.unit_id)) {
        return absl::OkStatus();
      }
      break;
    case Role::kConnector:
    case Role::kScreen:
      break;
  }
  return Denied(who, unit_id.empty() ? absl::StrCat("read the figures of rep \"", rep_id, "\"")
                                     : absl::StrCat("read the figures of unit \"", unit_id, "\""));
}

absl::Status CheckBoardScope(const Principal& who, const std::string& unit_id,
                             const OrgState& org) {
  switch (who.role) {
    case Role::kAdmin:
    case Role::kScreen:
      return absl::OkStatus();
    case Role::kRep: {
      if (unit_id.empty()) return absl::OkStatus();
      const OrgState::Rep* rep = org.FindRep(who.rep_id);
      if (rep != nullptr && org.InSubtree(rep->unit, unit_id)) return absl::OkStatus();
      break;
    }
    case Role::kManager:
      if (!unit_id.empty() && org.InSubtree(unit_id, who.unit_id)) return absl::OkStatus();
      break;
    case Role::kConnector:
      break;
  }
  return Denied(who, absl::StrCat("read the board of ",
                                  unit_id.empty() ? "the company" : "unit \"" + unit_id + "\""));
}

}  // namespace salestrack
