#include "salestrack/org_state.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "salestrack/event_error.h"

namespace salestrack {
namespace {

const std::vector<Stage>& DefaultStages() {
  static const auto* stages = new std::vector<Stage>{{"contact", "初期接触 initial contact"},
                                                     {"value", "产品价值了解 value understood"},
                                                     {"negotiation", "商务谈判 negotiation"}};
  return *stages;
}

template <typename Map, typename T = typename Map::mapped_type::mapped_type>
const T* Latest(const Map& map, absl::string_view id) {
  auto it = map.find(id);
  if (it == map.end() || it->second.empty()) return nullptr;
  return &it->second.rbegin()->second;
}

}  // namespace

void OrgState::Add(OrderKey key, const v1::Event& e) {
  switch (e.payload_case()) {
    case v1::Event::kUnitDefined:
      units_[e.unit_defined().unit_id()][key] =
          Unit{e.unit_defined().name(), e.unit_defined().parent_unit_id()};
      break;
    case v1::Event::kRepDefined: {
      const auto& r = e.rep_defined();
      reps_[r.rep_id()][key] = Rep{r.name(), r.unit_id(), r.role(), r.active()};
      break;
    }
    case v1::Event::kStagesDefined: {
      std::vector<Stage> stages;
      for (const auto& s : e.stages_defined().stages()) stages.push_back({s.stage_id(), s.name()});
      stages_[key] = std::move(stages);
      break;
    }
    default:
      break;
  }
}

void OrgState::Remove(OrderKey key, const v1::Event& e) {
  switch (e.payload_case()) {
    case v1::Event::kUnitDefined: {
      auto it = units_.find(e.unit_defined().unit_id());
      if (it != units_.end() && it->second.erase(key) && it->second.empty()) units_.erase(it);
      break;
    }
    case v1::Event::kRepDefined: {
      auto it = reps_.find(e.rep_defined().rep_id());
      if (it != reps_.end() && it->second.erase(key) && it->second.empty()) reps_.erase(it);
      break;
    }
    case v1::Event::kStagesDefined:
      stages_.erase(key);
      break;
    default:
      break;
  }
}

const OrgState::Unit* OrgState::FindUnit(absl::string_view id) const { return Latest(units_, id); }
const OrgState::Rep* OrgState::FindRep(absl::string_view id) const { return Latest(reps_, id); }

namespace {
template <typename T>
std::vector<std::string> DefinedIds(const absl::flat_hash_map<std::string, T>& histories) {
  std::vector<std::string> ids;
  for (const auto& [id, history] : histories) {
    if (!history.empty()) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}
}  // namespace

std::vector<std::string> OrgState::UnitIds() const { return DefinedIds(units_); }
std::vector<std::string> OrgState::RepIds() const { return DefinedIds(reps_); }

const std::vector<Stage>& OrgState::stages() const {
  return stages_.empty() ? DefaultStages() : stages_.rbegin()->second;
}

int OrgState::StageIndex(const std::string& stage_id) const {
  const std::vector<Stage>& s = stages();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i].id == stage_id) return static_cast<int>(i);
  }
  return -1;
}

template <typename Fn>
void OrgState::WalkUp(const std::string& unit, Fn fn) const {
  const std::string* current = &unit;
  // Bounded walk: the tree is acyclic by Check, but never loop on a corrupt state.
  for (size_t depth = 0; depth <= units_.size() && !current->empty(); ++depth) {
    if (!fn(*current)) return;
    const Unit* u = FindUnit(*current);
    if (u == nullptr) return;
    current = &u->parent;
  }
}

std::vector<std::string> OrgState::UnitsAbove(const std::string& unit) const {
  std::vector<std::string> chain;
  WalkUp(unit, [&](const std::string& u) {
    chain.push_back(u);
    return true;
  });
  return chain;
}

bool OrgState::InSubtree(const std::string& unit, const std::string& root) const {
  bool found = false;
  WalkUp(unit, [&](const std::string& u) { return !(found = u == root); });
  return found;
}

std::vector<std::string> OrgState::RepsUnder(const std::string& root) const {
  std::vector<std::string> reps;
  for (const auto& [id, history] : reps_) {
    if (!history.empty() && InSubtree(history.rbegin()->second.unit, root)) reps.push_back(id);
  }
  std::sort(reps.begin(), reps.end());
  return reps;
}

absl::flat_hash_map<std::string, std::vector<std::string>> OrgState::RepsUnderEachUnit() const {
  absl::flat_hash_map<std::string, std::vector<std::string>> out;
  for (const auto& [id, history] : reps_) {
    if (history.empty()) continue;
    WalkUp(history.rbegin()->second.unit, [&, &id = id](const std::string& u) {
      out[u].push_back(id);
      return true;
    });
  }
  for (auto& [unit, reps] : out) std::sort(reps.begin(), reps.end());
  return out;
}

std::vector<std::string> OrgState::ChildUnits(const std::string& unit) const {
  std::vector<std::string> out;
  for (const auto& [id, history] : units_) {
    if (!history.empty() && history.rbegin()->second.parent == unit) out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> OrgState::RepsIn(const std::string& unit) const {
  std::vector<std::string> out;
  for (const auto& [id, history] : reps_) {
    if (!history.empty() && history.rbegin()->second.unit == unit) out.push_back(id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool OrgState::NeedsCheck(const v1::Event& e) {
  switch (e.payload_case()) {
    case v1::Event::kUnitDefined:
      return !e.unit_defined().parent_unit_id().empty();
    case v1::Event::kRepDefined:
      return true;
    case v1::Event::kTargetSet:
      return e.target_set().has_subject_unit_id();
    case v1::Event::kOpportunityOpened:
      return !e.opportunity_opened().initial_stage().empty();
    case v1::Event::kOpportunityStageChanged:
      return true;
    case v1::Event::kActionLogged:
      return !e.action_logged().stage().empty();
    default:
      return false;
  }
}

absl::Status OrgState::Check(const v1::Event& e, int index) const {
  auto fail = [index](absl::string_view field, std::string reason) {
    return EventError(absl::StatusCode::kFailedPrecondition, index, field, reason);
  };
  auto stage_known = [&](const std::string& stage) {
    return stage.empty() || StageIndex(stage) >= 0;
  };
  switch (e.payload_case()) {
    case v1::Event::kUnitDefined: {
      const auto& u = e.unit_defined();
      if (u.parent_unit_id().empty()) return absl::OkStatus();
      if (FindUnit(u.parent_unit_id()) == nullptr) {
        return fail("unit_defined.parent_unit_id",
                    absl::StrCat("unknown unit \"", u.parent_unit_id(), "\"; define it first"));
      }
      // Would this definition be the effective one, and would it close a loop?
      if (InSubtree(u.parent_unit_id(), u.unit_id())) {
        return fail("unit_defined.parent_unit_id",
                    absl::StrCat("\"", u.parent_unit_id(), "\" is inside \"", u.unit_id(),
                                 "\"; the org tree would have a cycle"));
      }
      return absl::OkStatus();
    }
    case v1::Event::kRepDefined:
      if (FindUnit(e.rep_defined().unit_id()) == nullptr) {
        return fail("rep_defined.unit_id",
                    absl::StrCat("unknown unit \"", e.rep_defined().unit_id(), "\""));
      }
      return absl::OkStatus();
    case v1::Event::kTargetSet:
      if (e.target_set().has_subject_unit_id() &&
          FindUnit(e.target_set().subject_unit_id()) == nullptr) {
        return fail("target_set.subject_unit_id",
                    absl::StrCat("unknown unit \"", e.target_set().subject_unit_id(), "\""));
      }
      return absl::OkStatus();
    case v1::Event::kOpportunityOpened:
      if (!stage_known(e.opportunity_opened().initial_stage())) {
        return fail("opportunity_opened.initial_stage",
                    absl::StrCat("\"", e.opportunity_opened().initial_stage(),
                                 "\" is not a defined stage"));
      }
      return absl::OkStatus();
    case v1::Event::kOpportunityStageChanged:
      if (!stage_known(e.opportunity_stage_changed().stage())) {
        return fail(
            "opportunity_stage_changed.stage",
            absl::StrCat("\"", e.opportunity_stage_changed().stage(), "\" is not a defined stage"));
      }
      return absl::OkStatus();
    case v1::Event::kActionLogged:
      if (!stage_known(e.action_logged().stage())) {
        return fail("action_logged.stage",
                    absl::StrCat("\"", e.action_logged().stage(), "\" is not a defined stage"));
      }
      return absl::OkStatus();
    default:
      return absl::OkStatus();
  }
}

}  // namespace salestrack
