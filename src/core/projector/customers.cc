// The customers room (contracts.h): a customer's first contract, new_customers, and its presence
// in each aggregate its defining contracts fall in (the distinct customer counts).
#include <algorithm>
#include <array>

#include "absl/algorithm/container.h"
#include "core/projector/contracts.h"
#include "core/projector/impl.h"

namespace salestrack {

using projection::AggKey;
using projection::ContractDef;
using projection::kWindow;
using projection::Micros;

// Calls f(def) for each contract that the customer's first signing defines (the contract's
// earliest def names the customer).
template <typename F>
void Projector::Impl::ForEachDefiningContract(Id customer, F f) const {
  auto it = contracts_by_customer_.find(customer);
  if (it == contracts_by_customer_.end()) return;
  for (Id cid : it->second) {
    auto c = contracts_.find(cid);
    if (c == contracts_.end() || c->second.defs.empty()) continue;
    const ContractDef& d = c->second.defs.front();
    if (d.customer == customer) f(d);
  }
}

// The customer's first contract: its earliest defining contract def, org-wide.
const ContractDef* Projector::Impl::FirstContract(Id customer) const {
  const ContractDef* first = nullptr;
  ForEachDefiningContract(customer, [&](const ContractDef& d) {
    if (first == nullptr || EarlierEvent(d, *first)) first = &d;
  });
  return first;
}

// The customer's contribution: new_customers at its first contract, and one presence in every
// aggregate (within `scope`) one of its defining contracts falls in.
void Projector::Impl::CustomerTouches(Id customer, TouchList t, std::vector<Presence>& ps,
                                      const Scope& scope) {
  const ContractDef* first = FirstContract(customer);
  if (first == nullptr) return;
  t.Sum(first->rep, first->at, m_new_customers_, 1);
  const size_t mark = ps.size();
  ForEachDefiningContract(customer, [&](const ContractDef& d) {
    PresenceSubjects(d.rep, scope, subjects_);
    ContractAggregates(d, first->at, subjects_, scope,
                       [&](size_t, size_t, const AggKey& key, bool returning) {
                         ps.push_back({key, returning, t.sign});
                       });
  });
  // One presence per aggregate, however many of its contracts fall in it.
  std::sort(ps.begin() + mark, ps.end(),
            [](const Presence& a, const Presence& b) { return a.key < b.key; });
  ps.erase(std::unique(ps.begin() + mark, ps.end(),
                       [](const Presence& a, const Presence& b) { return a.key == b.key; }),
           ps.end());
}

void Projector::Impl::PresenceSubjects(Id rep, const Scope& scope, Subjects& out) {
  out.clear();
  if (scope.reps) out.push_back(rep);
  const std::vector<SubjectId>& units = UnitsOf(rep);
  out.insert(out.end(), units.begin(), units.end());
}

// Calls emit(slot, i, key, returning) for each aggregate (within `scope`) that contract d falls
// in, for subject subjects[i] (PresenceSubjects of d's rep): slot k < 5 for its calendar period
// of kind k (kAllPeriodKinds order), 5 + w for competition windows_[w]. `returning`: the
// customer, whose first contract is at first_at, had signed before the aggregate's start.
template <typename Emit>
void Projector::Impl::ContractAggregates(const ContractDef& d, Micros first_at,
                                         const Subjects& subjects, const Scope& scope, Emit emit) {
  constexpr size_t kKinds = kAllPeriodKinds.size();
  if (!scope.only_window) {
    const std::array<int32_t, kKinds> starts = calendar_.PeriodsOf(calendar_.DayOf(d.at)).start;
    for (size_t k = 0; k < kKinds; ++k) {
      const bool returning = first_at < calendar_.DayStart(starts[k]);
      for (size_t i = 0; i < subjects.size(); ++i) {
        emit(k, i, AggKey{subjects[i], static_cast<uint8_t>(k + 1), starts[k]}, returning);
      }
    }
  }
  for (size_t w = 0; w < windows_.size(); ++w) {
    const CompWindow& win = windows_[w];
    if (scope.only_window && win.comp != *scope.only_window) continue;
    if (d.at < win.start || d.at >= win.end) continue;
    for (size_t i = 0; i < subjects.size(); ++i) {
      emit(kKinds + w, i, AggKey{subjects[i], kWindow, static_cast<int32_t>(win.comp)},
           first_at < win.start);
    }
  }
}

// A contract new to the projector whose customer already has an earlier first contract: the
// customer's new_customers and returning flags hang on that first contract, which stays first,
// so its presence changes only by the aggregates the new contract falls in and none of its other
// contracts does. Appends those (+1) to `ps` and returns true; returns false, appending nothing,
// for any other contract (CustomerTouches then recounts the customer's presence from scratch,
// before and after). Same result, without sorting every aggregate of every contract twice.
bool Projector::Impl::LaterContractPresence(Id id, const ContractDef& d,
                                            std::vector<Presence>& ps) {
  if (contracts_.contains(id)) return false;  // Defined, or paid before it came: recount.
  const ContractDef* first = FirstContract(d.customer);
  if (first == nullptr || EarlierEvent(d, *first)) return false;
  PresenceSubjects(d.rep, {}, subjects_);
  const size_t n = subjects_.size();
  constexpr size_t kKinds = kAllPeriodKinds.size();
  const std::array<int32_t, kKinds> starts = calendar_.PeriodsOf(calendar_.DayOf(d.at)).start;
  // covered[slot * n + i] (ContractAggregates' slots): another contract of the customer falls in
  // that aggregate of subjects_[i]. Two contracts share one when they share the subject and the
  // period, or the window.
  std::vector<bool>& covered = covered_scratch_;
  covered.assign(n * (kKinds + windows_.size()), false);
  auto in = [](const CompWindow& w, Micros at) { return at >= w.start && at < w.end; };
  ForEachDefiningContract(d.customer, [&](const ContractDef& o) {
    PresenceSubjects(o.rep, {}, other_subjects_);
    const std::array<int32_t, kKinds> other_starts =
        calendar_.PeriodsOf(calendar_.DayOf(o.at)).start;
    for (size_t i = 0; i < n; ++i) {
      if (absl::c_find(other_subjects_, subjects_[i]) == other_subjects_.end()) continue;
      for (size_t k = 0; k < kKinds; ++k) {
        if (other_starts[k] == starts[k]) covered[k * n + i] = true;
      }
      for (size_t w = 0; w < windows_.size(); ++w) {
        if (in(windows_[w], d.at) && in(windows_[w], o.at)) covered[(kKinds + w) * n + i] = true;
      }
    }
  });
  ContractAggregates(d, first->at, subjects_, {},
                     [&](size_t slot, size_t i, const AggKey& key, bool returning) {
                       if (!covered[slot * n + i]) ps.push_back({key, returning, +1});
                     });
  return true;
}

}  // namespace salestrack
