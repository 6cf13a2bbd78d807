#include "engine/names.h"

#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace salestrack::engine {

std::string RepName(const OrgState& org, absl::string_view rep_id) {
  const OrgState::Rep* rep = org.FindRep(rep_id);
  return rep == nullptr ? std::string() : rep->name;
}

std::string UnitName(const OrgState& org, absl::string_view unit_id) {
  const OrgState::Unit* unit = org.FindUnit(unit_id);
  return unit == nullptr ? std::string() : unit->name;
}

std::string CompetitionName(const Projector& p, const std::string& competition_id) {
  const Competition* c = p.FindCompetition(competition_id);
  return c == nullptr ? std::string() : c->name;
}

std::string SubjectName(const OrgState& org, const v1::Subject& subject) {
  switch (subject.kind_case()) {
    case v1::Subject::kRepId:
      return RepName(org, subject.rep_id());
    case v1::Subject::kUnitId:
      return UnitName(org, subject.unit_id());
    case v1::Subject::KIND_NOT_SET:
      break;
  }
  return "";
}

std::string DescribedSubjectName(const OrgState& org, absl::string_view described) {
  if (absl::ConsumePrefix(&described, "rep ")) return RepName(org, described);
  if (absl::ConsumePrefix(&described, "unit ")) return UnitName(org, described);
  return "";
}

std::shared_ptr<const MemberNames> BoardMemberNames(const OrgState& org, const BoardShape& shape) {
  auto names = std::make_shared<MemberNames>();
  for (const std::string& m : shape.members) {
    std::string name = shape.team ? UnitName(org, m) : RepName(org, m);
    if (!name.empty()) names->emplace(m, std::move(name));
  }
  return names;
}

std::string BoardName(const Projector& p, const BoardSpec& spec) {
  return spec.competition_id.empty() ? UnitName(p.org(), spec.unit_id)
                                     : CompetitionName(p, spec.competition_id);
}

}  // namespace salestrack::engine
