// Display names beside ids, for every response that names a rep, a unit or a competition.
//
// The names' one home is the log as the projector holds it: OrgState keeps each rep's and unit's
// latest definition by event order (RepDefined / UnitDefined; a rename shows at once, a void falls
// back), the projector each competition's (CompetitionDefined). These functions only read them:
// call them under the views' reader lock, with the projector the figures came from, so a name and
// a figure are of the same seq. An id never defined has the name "" (clients show the id).
// Customers have no names: no event carries one.
#ifndef SALESTRACK_ENGINE_NAMES_H_
#define SALESTRACK_ENGINE_NAMES_H_

#include <string>

#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "salestrack/leaderboard.h"
#include "salestrack/org_state.h"
#include "salestrack/projector.h"
#include "salestrack/v1/kpi_service.pb.h"

namespace salestrack::engine {

std::string RepName(const OrgState& org, absl::string_view rep_id);
std::string UnitName(const OrgState& org, absl::string_view unit_id);
std::string CompetitionName(const Projector& p, const std::string& competition_id);
// The name of a request's subject (a rep or a unit).
std::string SubjectName(const OrgState& org, const v1::Subject& subject);
// The name of a subject as scorecards and target checks describe it: "rep rep-li" or
// "unit east" (scorecard.h).
std::string DescribedSubjectName(const OrgState& org, absl::string_view described);

// A board's members' names by id (members never defined are left out), and the board's own name
// (its unit's or competition's).
using MemberNames = absl::flat_hash_map<std::string, std::string>;
std::shared_ptr<const MemberNames> BoardMemberNames(const OrgState& org, const BoardShape& shape);
std::string BoardName(const Projector& p, const BoardSpec& spec);

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_NAMES_H_
