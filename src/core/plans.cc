#include "salestrack/plans.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "salestrack/proto_time.h"

namespace salestrack {
namespace {

// A TargetSet's period, normalised to its first day (any date inside it names it).
Period TargetPeriod(const v1::TargetSet& t) {
  const v1::Date& d = t.period().date();
  return PeriodContaining(static_cast<PeriodKind>(t.period().kind()),
                          absl::CivilDay(d.year(), d.month(), d.day()));
}

TargetSubject SubjectOf(const v1::TargetSet& t) {
  return t.has_subject_unit_id() ? TargetSubject{true, t.subject_unit_id()}
                                 : TargetSubject{false, t.subject_rep_id()};
}

template <typename Map, typename Key>
void EraseFrom(Map& map, const Key& id, OrderKey key) {
  auto it = map.find(id);
  if (it != map.end() && it->second.erase(key) && it->second.empty()) map.erase(it);
}

}  // namespace

void PlanState::Add(OrderKey key, const v1::Event& e) {
  if (e.has_target_set()) {
    const v1::TargetSet& t = e.target_set();
    targets_[{SubjectOf(t), TargetPeriod(t), t.metric()}][key] =
        Target{t.baseline(), t.target(), t.challenge(), e.event_id(), key.seq};
  } else if (e.has_scheme_defined()) {
    const v1::SchemeDefined& s = e.scheme_defined();
    schemes_by_role_[s.role()][key] = s;
    schemes_by_id_[s.scheme_id()][key] = s;
  }
}

void PlanState::Remove(OrderKey key, const v1::Event& e) {
  if (e.has_target_set()) {
    const v1::TargetSet& t = e.target_set();
    EraseFrom(targets_, TargetKey{SubjectOf(t), TargetPeriod(t), t.metric()}, key);
  } else if (e.has_scheme_defined()) {
    EraseFrom(schemes_by_role_, e.scheme_defined().role(), key);
    EraseFrom(schemes_by_id_, e.scheme_defined().scheme_id(), key);
  }
}

const Target* PlanState::FindTarget(const TargetSubject& subject, const Period& period,
                                    const std::string& metric) const {
  auto it = targets_.find({subject, period, metric});
  if (it == targets_.end() || it->second.empty()) return nullptr;
  return &it->second.rbegin()->second;
}

std::map<TargetSubject, Target> PlanState::TargetsIn(const Period& period,
                                                     const std::string& metric) const {
  std::map<TargetSubject, Target> out;
  for (auto it = targets_.lower_bound({TargetSubject{false, ""}, period, metric});
       it != targets_.end() && it->first.period == period && it->first.metric == metric; ++it) {
    if (!it->second.empty()) out[it->first.subject] = it->second.rbegin()->second;
  }
  return out;
}

std::vector<std::string> PlanState::TargetMetricsIn(const Period& period) const {
  std::vector<std::string> out;
  for (auto it = targets_.lower_bound({TargetSubject{false, ""}, period, ""});
       it != targets_.end() && it->first.period == period; ++it) {
    if (out.empty() || out.back() != it->first.metric) out.push_back(it->first.metric);
  }
  return out;
}

const v1::SchemeDefined* PlanState::LatestBefore(const SchemeHistory& h, absl::Time before) {
  // Keys are (occurred_at micros, seq): the first key at `before` bounds the candidates.
  auto it = h.lower_bound({absl::ToUnixMicros(before), 0});
  if (it == h.begin()) return nullptr;
  return &std::prev(it)->second;
}

const v1::SchemeDefined* PlanState::SchemeForRole(const std::string& role,
                                                  absl::Time before) const {
  auto it = schemes_by_role_.find(role);
  return it == schemes_by_role_.end() ? nullptr : LatestBefore(it->second, before);
}

const v1::SchemeDefined* PlanState::SchemeById(const std::string& scheme_id,
                                               absl::Time before) const {
  auto it = schemes_by_id_.find(scheme_id);
  return it == schemes_by_id_.end() ? nullptr : LatestBefore(it->second, before);
}

std::vector<std::string> PlanState::Dump() const {
  // What scoring can observe, independent of arrival order (seqs differ between two arrival orders
  // of one log): each key's effective target, and each scheme definition by its event time.
  std::vector<std::string> lines;
  for (const auto& [k, history] : targets_) {
    if (history.empty()) continue;
    const Target& t = history.rbegin()->second;
    lines.push_back(absl::StrCat("target ", k.subject.is_unit ? "unit " : "rep ", k.subject.id, " ",
                                 PeriodName(k.period), " ", k.metric, " = ", t.baseline, " ",
                                 t.target, " ", t.challenge));
  }
  for (const auto& [role, history] : schemes_by_role_) {
    for (const auto& [order, s] : history) {
      lines.push_back(
          absl::StrCat("scheme role ", role, " from ", order.at, " = ", s.ShortDebugString()));
    }
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

}  // namespace salestrack
