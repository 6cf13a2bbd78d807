// The cells room's writer: netted touches applied to a rep's day cells, its units' period rows,
// the competition windows and the point-in-time figures; and a bulk replay's unit sums (cells.h).
#include <algorithm>
#include <functional>

#include "absl/container/node_hash_map.h"
#include "core/projector/impl.h"

namespace salestrack {

using projection::Calendar;
using projection::HistFor;
using projection::kUnitBit;
using projection::kWindow;
using projection::RepCells;
using projection::Sample;
using projection::TouchKind;
using projection::UnitRows;

void Projector::Impl::Commit(std::vector<Touch>& ts, const Scope& scope) {
  projection::NetTouches(ts);
  for (size_t i = 0; i < ts.size();) {
    size_t j = i;
    while (j < ts.size() && ts[j].rep == ts[i].rep) ++j;
    ApplyRep(ts.data() + i, ts.data() + j, scope);
    i = j;
  }
  ts.clear();
}

// Applies one rep's netted touches, sorted by instant.
void Projector::Impl::ApplyRep(const Touch* begin, const Touch* end, const Scope& scope) {
  const Id rep = begin->rep;
  if (track_changes_) changed_reps_.insert(rep);
  const std::vector<SubjectId>& units = UnitsOf(rep);
  // The units whose calendar periods and point-in-time figures this reaches: none in a bulk
  // replay, which sums them at the end (SumUnits).
  static const std::vector<SubjectId> kNoUnits;
  const std::vector<SubjectId>& period_units = bulk_ ? kNoUnits : units;
  const bool periods = !scope.only_window.has_value();
  RepCells* cells = scope.reps && periods ? &rep_cells_[rep] : nullptr;
  day_deltas_.clear();
  int32_t cached_day = 0;
  bool have_day = false;
  agg_cells_.clear();  // The units' period aggregates of cached_day.
  pits_.clear();       // The point-in-time figures of the rep and its units, once needed.
  for (const Touch* t = begin; t != end; ++t) {
    switch (t->kind) {
      case TouchKind::kSum:
      case TouchKind::kHist: {
        const bool sum = t->kind == TouchKind::kSum;
        if (periods) {
          const int32_t day = calendar_.DayOf(t->at);
          if (cells != nullptr) {
            if (sum) {
              day_deltas_.push_back({day, {t->metric, t->value}});
            } else {
              cells->AddSamples(day, t->metric, t->value, t->count);
            }
          }
          if (!period_units.empty()) {
            if (!have_day || day != cached_day) {
              agg_cells_.clear();
              const Calendar::DayPeriods& periods = calendar_.PeriodsOf(day);
              for (SubjectId u : period_units) {
                UnitRows& rows = unit_rows_[u];
                for (size_t k = 0; k < rows.size(); ++k) {
                  agg_cells_.push_back(&rows[k].At(periods.ordinal[k], periods.start[k]));
                }
              }
              cached_day = day;
              have_day = true;
            }
            for (AggCell* c : agg_cells_) {
              sum ? c->Add(t->metric, t->value) : c->AddSamples(t->metric, t->value, t->count);
            }
          }
        }
        for (const CompWindow& w : windows_) {
          if (scope.only_window && w.comp != *scope.only_window) continue;
          if (t->at < w.start || t->at >= w.end) continue;
          auto add = [&](SubjectId s) {
            AggCell& c = agg_[{s, kWindow, static_cast<int32_t>(w.comp)}];
            sum ? c.Add(t->metric, t->value) : c.AddSamples(t->metric, t->value, t->count);
          };
          if (scope.reps) add(rep);
          for (SubjectId u : units) add(u);
        }
        break;
      }
      case TouchKind::kPitSum:
      case TouchKind::kPitStep: {
        if (!periods) break;
        if (pits_.empty()) {
          if (scope.reps) pits_.push_back(&pit_[rep]);
          for (SubjectId u : period_units) pits_.push_back(&pit_[u]);
        }
        for (Pit* p : pits_) {
          if (t->kind == TouchKind::kPitSum) {
            p->sums[t->metric] += t->value;
          } else {
            p->steps[t->metric].Add(t->at, t->value);
          }
        }
        break;
      }
    }
  }
  if (cells == nullptr || day_deltas_.empty()) return;
  std::sort(day_deltas_.begin(), day_deltas_.end());
  for (size_t i = 0; i < day_deltas_.size();) {
    const int32_t day = day_deltas_[i].first;
    entries_.clear();
    for (; i < day_deltas_.size() && day_deltas_[i].first == day; ++i) {
      const Entry& e = day_deltas_[i].second;
      if (!entries_.empty() && entries_.back().first == e.first) {
        entries_.back().second += e.second;
        if (entries_.back().second == 0) entries_.pop_back();
      } else {
        entries_.push_back(e);
      }
    }
    if (!entries_.empty())
      cells->AddToDay(day, entries_, decode_scratch_, merge_scratch_, encode_scratch_);
  }
}

// Every unit's calendar aggregates and point-in-time figures, summed afresh from its current
// members'. Bottom up: a unit's figures are its own reps' plus its child units' (a rep's units
// list its own unit first, then each parent), so each rep's day cells are decoded once, not once
// per unit above it. A unit's day sums (and day histograms) are added up first, then each day
// goes once into its 5 periods.
void Projector::Impl::SumUnits() {
  unit_rows_.clear();
  absl::erase_if(pit_, [](const auto& kv) { return (kv.first & kUnitBit) != 0; });
  struct Sums {
    std::vector<Id> reps;  // The unit's own reps (not its child units').
    std::optional<SubjectId> parent;
    size_t height = 0;  // Its units above it.
    // Day sums by metric, and samples by (day, metric). Maps, not arrays spanning the first to
    // the last day: validation allows any day up to 9999.
    absl::flat_hash_map<int32_t, std::vector<int64_t>> days;
    absl::flat_hash_map<std::pair<int32_t, MetricId>, Histogram> samples;
    std::optional<Pit> pit;
  };
  absl::node_hash_map<SubjectId, Sums> units;  // Node map: references survive inserts.
  for (const auto& [rep, chain] : rep_units_) {
    if (chain.empty()) continue;
    units[chain[0]].reps.push_back(rep);
    for (size_t i = 0; i < chain.size(); ++i) {
      Sums& u = units[chain[i]];
      if (i + 1 < chain.size()) u.parent = chain[i + 1];
      u.height = chain.size() - 1 - i;
    }
  }
  std::vector<std::pair<size_t, SubjectId>> order;  // Deepest first: children before parents.
  for (const auto& [unit, sums] : units) order.push_back({sums.height, unit});
  std::sort(order.begin(), order.end(), std::greater<>());
  auto add_days = [](const absl::flat_hash_map<int32_t, std::vector<int64_t>>& from, auto& to) {
    for (const auto& [day, sums] : from) {
      std::vector<int64_t>& into = to[day];
      if (into.size() < sums.size()) into.resize(sums.size(), 0);
      for (size_t m = 0; m < sums.size(); ++m) into[m] += sums[m];
    }
  };
  auto add_pit = [](const Pit& from, std::optional<Pit>& to) {
    if (!to) to.emplace();
    for (size_t i = 0; i < from.sums.size(); ++i) to->sums[i] += from.sums[i];
    for (size_t i = 0; i < from.steps.size(); ++i) {
      for (const auto& [t, d] : from.steps[i].steps) to->steps[i].Add(t, d);
    }
  };
  std::vector<Entry> entries;
  for (const auto& [height, unit] : order) {
    Sums& u = units[unit];
    for (Id rep : u.reps) {
      if (auto c = rep_cells_.find(rep); c != rep_cells_.end()) {
        const RepCells& cells = c->second;
        for (size_t i = 0; i < cells.days.size(); ++i) {
          entries.clear();
          cells.Decode(i, entries);
          std::vector<int64_t>& sums = u.days[cells.days[i]];
          for (const auto& [m, v] : entries) {
            if (sums.size() <= m) sums.resize(m + 1, 0);
            sums[m] += v;
          }
        }
        for (const Sample& s : cells.samples) u.samples[{s.day, s.metric}].Add(s.value);
      }
      if (auto p = pit_.find(rep); p != pit_.end()) add_pit(p->second, u.pit);
    }
    UnitRows& rows = unit_rows_[unit];
    auto cell = [&](size_t k, int32_t day) -> AggCell& {
      const Calendar::DayPeriods& periods = calendar_.PeriodsOf(day);
      return rows[k].At(periods.ordinal[k], periods.start[k]);
    };
    for (const auto& [day, sums] : u.days) {
      for (size_t k = 0; k < rows.size(); ++k) {
        AggCell& c = cell(k, day);
        for (size_t m = 0; m < sums.size(); ++m) {
          if (sums[m] != 0) c.Add(static_cast<MetricId>(m), sums[m]);
        }
      }
    }
    for (const auto& [day_metric, h] : u.samples) {
      for (size_t k = 0; k < rows.size(); ++k) {
        HistFor(cell(k, day_metric.first).hists, day_metric.second)->second.Merge(h);
      }
    }
    if (u.parent) {
      Sums& parent = units[*u.parent];
      add_days(u.days, parent.days);
      for (const auto& [day_metric, h] : u.samples) parent.samples[day_metric].Merge(h);
      if (u.pit) add_pit(*u.pit, parent.pit);
    }
    if (u.pit) pit_[unit] = std::move(*u.pit);
    u = Sums();  // Its figures are in its rows and its parent's sums now.
  }
}

}  // namespace salestrack
