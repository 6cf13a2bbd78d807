// The org room's writer: the reps' units and the stages as the aggregates see them, and the org,
// stage and competition changes that move figures (MoveReps, re-summed windows). Targets and
// schemes are scored at query time (plans.h) and move nothing here.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/projector/impl.h"
#include "salestrack/metric_names.h"
#include "salestrack/proto_time.h"

namespace salestrack {

using projection::ActionItem;
using projection::ActionTouches;
using projection::AggKey;
using projection::DecodeChain;
using projection::DecodeOpp;
using projection::FollowUpTouches;
using projection::Id;
using projection::kUnitBit;
using projection::kWindow;
using projection::MetricId;
using projection::OppOwner;
using projection::SingleTouches;
using projection::SubjectId;

// A rep's units, its own first: where its figures add up.
std::vector<SubjectId> Projector::Impl::ComputeUnits(Id rep) {
  std::vector<SubjectId> units;
  const OrgState::Rep* r = org_.FindRep(Name(rep));
  if (r == nullptr) return units;
  for (const std::string& unit : org_.UnitsAbove(r->unit)) units.push_back(Intern(unit) | kUnitBit);
  return units;
}

void Projector::Impl::RefreshStages() {
  stages_.ids.clear();
  stages_.index.clear();
  stages_.reached_metrics.clear();
  for (const Stage& s : org_.stages()) {
    Id id = Intern(s.id);
    stages_.index.emplace(id, static_cast<int>(stages_.ids.size()));
    stages_.ids.push_back(id);
    stages_.reached_metrics.push_back(
        InternMetric(absl::StrCat(metric::kFunnelReached, ":", s.id)));
  }
}

MetricId Projector::Impl::DurationMetric(Id stage) {
  auto [it, inserted] = stages_.duration_metrics.try_emplace(stage, 0);
  if (inserted) it->second = InternMetric(absl::StrCat(metric::kStageDuration, ":", Name(stage)));
  return it->second;
}

void Projector::Impl::ChangeOrg(EventOrder key, const v1::Event& e, int sign) {
  changed_everything_ = true;
  if (e.has_competition_defined()) return ChangeCompetition(key, e.competition_defined(), sign);
  if (e.has_target_set() || e.has_scheme_defined()) {  // Scored at query time: nothing moves.
    sign > 0 ? plans_.Add(key, e) : plans_.Remove(key, e);
    return;
  }
  {
    salestrack::MutexLock lock(&members_mu_);
    members_.clear();
    members_built_ = false;
  }
  if (e.has_stages_defined()) {  // Every opportunity's funnel and durations depend on the stages.
    ForEachOpportunity(-1);
    sign > 0 ? org_.Add(key, e) : org_.Remove(key, e);
    RefreshStages();
    ForEachOpportunity(+1);
    return;
  }
  // A rep's move takes its whole history to its new units; a unit's new parent takes its
  // members'. Only the reps already seen can have figures to move.
  std::vector<Id> candidates;
  if (e.has_rep_defined()) {
    std::optional<Id> rep = Lookup(e.rep_defined().rep_id());
    if (rep && rep_units_.contains(*rep)) candidates.push_back(*rep);
  } else {
    for (const auto& [rep, units] : rep_units_) candidates.push_back(rep);
  }
  sign > 0 ? org_.Add(key, e) : org_.Remove(key, e);
  absl::flat_hash_map<Id, std::vector<SubjectId>> moved;
  for (Id rep : candidates) {
    std::vector<SubjectId> now = ComputeUnits(rep);
    if (now != rep_units_[rep]) moved.emplace(rep, std::move(now));
  }
  if (!moved.empty()) MoveReps(moved);
}

// Moves the reps' figures from their cached units to `moved`'s: every contribution the reps
// have is retracted from the old units' aggregates and added to the new ones'.
void Projector::Impl::MoveReps(const absl::flat_hash_map<Id, std::vector<SubjectId>>& moved) {
  const Scope units_only{.reps = false};
  for (int sign : {-1, +1}) {
    if (sign > 0) {
      for (const auto& [rep, units] : moved) rep_units_[rep] = units;
    }
    ForEachContribution(
        units_only, [&](Id owner) { return moved.contains(owner); }, sign);
  }
}

// Applies (with `sign`) every entity's current contribution within `scope`, for the entities
// whose rep `owned` accepts (customers: any of whose contracts' reps it accepts).
void Projector::Impl::ForEachContribution(const Scope& scope, absl::FunctionRef<bool(Id)> owned,
                                          int sign) {
  std::vector<ActionItem> items;
  for (const auto& [key, chain] : chains_) {
    const Id rep = static_cast<Id>(key >> 32);
    if (!owned(rep)) continue;
    DecodeChain(chain, items);
    for (size_t i = 0; i < items.size(); ++i) {
      ActionTouches(action_metrics_, rep, items[i], {&touches_, sign});
      FollowUpTouches(action_metrics_, rep, items, i, {&touches_, sign});
    }
    Commit(touches_, scope);
  }
  std::vector<OppEvent> events;
  for (const auto& [id, encoded] : opportunities_) {
    DecodeOpp(encoded, events);
    std::optional<Id> owner = OppOwner(events);
    if (!owner || !owned(*owner)) continue;
    OppTouches(id, events, {&touches_, sign});
    Commit(touches_, scope);
  }
  for (const auto& [id, c] : contracts_) {
    if (c.defs.empty() || !owned(c.defs.front().rep)) continue;
    ContractTouches(id, c, {&touches_, sign});
    Commit(touches_, scope);
  }
  std::vector<Id> customers;
  for (const auto& [customer, contracts] : contracts_by_customer_) {
    for (Id cid : contracts) {
      auto c = contracts_.find(cid);
      if (c != contracts_.end() && !c->second.defs.empty() && owned(c->second.defs.front().rep)) {
        customers.push_back(customer);
        break;
      }
    }
  }
  for (Id customer : customers) {
    CustomerTouches(customer, {&touches_, sign}, presence_, scope);
    Commit(touches_, scope);
    projection::CommitPresence(presence_, customer_cells_);
  }
  for (const Single& s : singles_) {
    if (s.voided || !owned(s.rep)) continue;
    SingleTouches(s, {&touches_, sign});
  }
  Commit(touches_, scope);
}

Competition Projector::Impl::CompetitionOf(const v1::CompetitionDefined& c) {
  return Competition{c.competition_id(),
                     c.name(),
                     FromProto(c.start()),
                     FromProto(c.end()),
                     c.metric(),
                     c.scheme_id(),
                     {c.participant_rep_ids().begin(), c.participant_rep_ids().end()},
                     {c.participant_unit_ids().begin(), c.participant_unit_ids().end()},
                     c.mode() == v1::CompetitionDefined::TEAM};
}

// The latest definition of a competition counts; when its window changes, its aggregates are
// summed afresh from every entity's contribution (competitions are few and rarely redefined).
void Projector::Impl::ChangeCompetition(EventOrder key, const v1::CompetitionDefined& c, int sign) {
  auto& history = competitions_[c.competition_id()];
  auto window = [&]() -> std::optional<std::pair<absl::Time, absl::Time>> {
    if (history.empty()) return std::nullopt;
    const Competition& latest = history.rbegin()->second;
    return std::make_pair(latest.start, latest.end);
  };
  auto before = window();
  if (sign > 0) {
    history[key] = CompetitionOf(c);
  } else {
    history.erase(key);
  }
  auto after = window();
  if (history.empty()) competitions_.erase(c.competition_id());
  if (before == after) return;
  const Id comp = Intern(c.competition_id());
  windows_.erase(std::remove_if(windows_.begin(), windows_.end(),
                                [&](const CompWindow& w) { return w.comp == comp; }),
                 windows_.end());
  const auto in_window = [&](const AggKey& k) {
    return k.kind == kWindow && k.index == static_cast<int32_t>(comp);
  };
  absl::erase_if(agg_, [&](const auto& kv) { return in_window(kv.first); });
  absl::erase_if(customer_cells_, [&](const auto& kv) { return in_window(kv.first); });
  if (!after) return;
  windows_.push_back({comp, absl::ToUnixMicros(after->first), absl::ToUnixMicros(after->second)});
  ForEachContribution(
      Scope{.only_window = comp}, [](Id) { return true; }, +1);
}

}  // namespace salestrack
