// Cells: where the projector's figures add up, and the touches that change them.
//
// Holds nothing itself; defines the stores the projector keeps per subject:
// - RepCells: a rep's sums per civil day, each day's nonzero sums coded as varints, and its
//   distribution samples;
// - AggCell / PeriodRow: a unit's (or a competition window's) dense sums and histograms per period;
// - Pit / StepSum: point-in-time running sums and step functions of `now`.
// And the change language every entity speaks: a Touch (add a value to a metric of a rep at an
// instant), collected with a sign in a TouchList and netted (NetTouches) so that an entity's
// retraction and re-addition cost only what changed; Presence likewise for distinct customers.
// Needs nothing from the other rooms; periods are indexed by the calendar's day numbers.
#ifndef SALESTRACK_CORE_PROJECTOR_CELLS_H_
#define SALESTRACK_CORE_PROJECTOR_CELLS_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "core/projector/common.h"
#include "salestrack/histogram.h"
#include "salestrack/varint.h"

namespace salestrack::projection {

using Entry = std::pair<MetricId, int64_t>;  // (metric, value) of a cell.

// ---- Touches ------------------------------------------------------------------------------------
enum class TouchKind : uint8_t { kSum, kHist, kPitSum, kPitStep };
// Outstanding is kept as its two non-negative parts (contract amounts, payments), like gross
// profit (margin_base, contract_cost): every stored sum is then a sub-sum of a log-wide total, so
// none can wrap (log_totals.h). Queries take the differences.
enum PitSumSlot : MetricId { kContracted, kPaid, kPipeline, kOpenFollowUps };
enum PitStepSlot : MetricId { kOverdueMoney, kOverdueFollowUps };

// One unit of an entity's contribution to `rep` (and, through it, to the rep's units): add `value`
// to `metric` at instant `at` (kSum), add `count` samples `value` (kHist), add `value` to a
// point-in-time sum (kPitSum; `at` unused) or a step of `value` at `at` to a point-in-time step
// function (kPitStep).
struct Touch {
  Micros at;
  Id rep;
  TouchKind kind;
  MetricId metric;
  int32_t count;
  int64_t value;
};

// Collects touches with a sign: the old contribution is retracted (-1), the new one added (+1).
struct TouchList {
  std::vector<Touch>* out;
  int sign;
  void Sum(Id rep, Micros at, MetricId m, int64_t v) {
    if (v != 0) out->push_back({at, rep, TouchKind::kSum, m, 0, sign * v});
  }
  void Hist(Id rep, Micros at, MetricId m, int64_t sample) {
    out->push_back({at, rep, TouchKind::kHist, m, sign, sample});
  }
  void PitSum(Id rep, PitSumSlot slot, int64_t v) {
    if (v != 0) out->push_back({0, rep, TouchKind::kPitSum, slot, 0, sign * v});
  }
  void PitStep(Id rep, Micros at, PitStepSlot slot, int64_t v) {
    if (v != 0) out->push_back({at, rep, TouchKind::kPitStep, slot, 0, sign * v});
  }
};

// Sorts touches by (rep, at, kind, metric) and nets them: a retraction and an addition of the same
// figure cancel, and what cancels to nothing is dropped.
void NetTouches(std::vector<Touch>& ts);

// ---- Aggregates ---------------------------------------------------------------------------------
// Where aggregated figures live: a subject's calendar period (kind 1-5 = PeriodKind, index = the
// period's first day) or a competition window (kind kWindow, index = the competition's Id).
constexpr uint8_t kWindow = 6;
struct AggKey {
  SubjectId subject;
  uint8_t kind;
  int32_t index;
  friend bool operator==(const AggKey&, const AggKey&) = default;
  friend auto operator<=>(const AggKey&, const AggKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const AggKey& k) {
    return H::combine(std::move(h), k.subject, k.kind, k.index);
  }
};

// A customer's presence in one aggregate: it counts once towards customers_signed there, and
// towards returning_customers too when its first contract precedes the aggregate's start.
struct Presence {
  AggKey key;
  bool returning;
  int32_t count;
};
// (customers signed, returning customers) by aggregate.
using CustomerCells = absl::flat_hash_map<AggKey, std::pair<int32_t, int32_t>>;
// Adds the presences (netted) to `cells` and clears them.
void CommitPresence(std::vector<Presence>& ps, CustomerCells& cells);

// Distributions by metric: a few per cell, so a vector searched in order.
using Hists = std::vector<std::pair<MetricId, Histogram>>;
inline Hists::iterator HistFor(Hists& hists, MetricId m) {
  auto it = std::find_if(hists.begin(), hists.end(), [&](const auto& h) { return h.first == m; });
  return it != hists.end() ? it : hists.insert(hists.end(), {m, Histogram()});
}

// A unit's or a window's figures: dense sums by metric, and the few distributions.
struct AggCell {
  int32_t start = 0;  // A unit period's first day.
  std::vector<int64_t> sums;
  Hists hists;
  void Add(MetricId m, int64_t v) {
    if (sums.size() <= m) sums.resize(m + 1, 0);
    sums[m] += v;
  }
  void AddSamples(MetricId m, int64_t sample, int32_t count) {
    auto it = HistFor(hists, m);
    for (int32_t i = 0; i < count; ++i) it->second.Add(sample);
    for (int32_t i = 0; i > count; --i) it->second.Remove(sample);
    if (it->second.empty()) hists.erase(it);
  }
};

// A unit's aggregates of one period kind, by period ordinal (calendar.h): a vector, so the writer
// reaches the 5 periods x the units of a touched day without hashing. The vector spans at most
// kMaxDense ordinals from where it started; a period farther off (a follow-up due in 9999 beside
// this year's visits) gets a cell in `far`, so a date costs one cell, never a slot for every period
// in between.
struct PeriodRow {
  static constexpr int64_t kMaxDense = 4096;
  int32_t base = 0;
  std::vector<std::unique_ptr<AggCell>> cells;  // cells[i] is ordinal base + i.
  absl::flat_hash_map<int32_t, std::unique_ptr<AggCell>> far;

  // The cell of `ordinal`, made (with first day `start`) if there is none.
  AggCell& At(int32_t ordinal, int32_t start) {
    if (cells.empty()) base = ordinal;
    const int64_t lo = std::min<int64_t>(base, ordinal);
    const int64_t hi = std::max<int64_t>(base + static_cast<int64_t>(cells.size()), ordinal + 1);
    std::unique_ptr<AggCell>* slot;
    if (hi - lo > kMaxDense) {
      slot = &far[ordinal];
    } else {
      if (ordinal < base) Extend(ordinal);
      const size_t i = ordinal - base;
      if (i >= cells.size()) cells.resize(i + 1);
      slot = &cells[i];
    }
    if (*slot == nullptr) {
      *slot = std::make_unique<AggCell>();
      (*slot)->start = start;
    }
    return **slot;
  }
  const AggCell* Find(int32_t ordinal) const {
    if (ordinal >= base && ordinal - base < static_cast<int64_t>(cells.size())) {
      if (const AggCell* c = cells[ordinal - base].get()) return c;
    }
    auto it = far.find(ordinal);
    return it == far.end() ? nullptr : it->second.get();
  }
  template <typename F>
  void ForEach(F f) const {
    for (const auto& c : cells) {
      if (c != nullptr) f(*c);
    }
    for (const auto& [ordinal, c] : far) f(*c);
  }

 private:
  void Extend(int32_t new_base) {  // Grows the dense part down to new_base.
    std::vector<std::unique_ptr<AggCell>> grown(base - new_base);
    std::move(cells.begin(), cells.end(), std::back_inserter(grown));
    cells = std::move(grown);
    base = new_base;
  }
};
using UnitRows = std::array<PeriodRow, 5>;  // By kAllPeriodKinds index.

// Which aggregates an application of touches reaches.
struct Scope {
  bool reps = true;  // The reps' own cells (their units' aggregates are reached, but not in a bulk
                     // replay, which sums them at the end).
  // Set: only this competition's window aggregates (re-summing a window); else every calendar
  // period, the point-in-time figures and every window.
  std::optional<Id> only_window;
};
// A competition's window, whose aggregates every touch inside it also adds to.
struct CompWindow {
  Id comp;
  Micros start, end;
};

// ---- A rep's days -------------------------------------------------------------------------------
// A distribution sample of a rep, on a day.
struct Sample {
  int32_t day;
  MetricId metric;
  int64_t value;
  friend auto operator<=>(const Sample&, const Sample&) = default;
};

// A rep's figures by civil day: days[i]'s cell is bytes[ends[i-1], ends[i]), its nonzero sums as
// varint(metric − previous metric) zigzag-varint(value), by metric.
struct RepCells {
  std::vector<int32_t> days;
  std::vector<uint32_t> ends;
  std::string bytes;
  std::vector<Sample> samples;  // Sorted; a multiset.

  size_t Begin(size_t i) const { return i == 0 ? 0 : ends[i - 1]; }
  // Appends days[i]'s sums to `out`, by metric.
  void Decode(size_t i, std::vector<Entry>& out) const {
    const char* p = bytes.data() + Begin(i);
    const char* end = bytes.data() + ends[i];
    MetricId m = 0;
    while (p < end) {
      uint64_t dm, v;
      p = GetVarintUnchecked(p, &dm);
      p = GetVarintUnchecked(p, &v);
      m = static_cast<MetricId>(m + dm);
      out.push_back({m, UnZigZag(v)});
    }
  }
  // Adds `deltas` (sorted by metric, each metric once) to the day's sums; the other vectors and the
  // string are the caller's scratch space.
  void AddToDay(int32_t day, const std::vector<Entry>& deltas, std::vector<Entry>& scratch,
                std::vector<Entry>& merged, std::string& encoded);
  // Adds `count` samples (removes -count when negative).
  void AddSamples(int32_t day, MetricId m, int64_t value, int32_t count);
};

// ---- Point in time ------------------------------------------------------------------------------
// A step function of time: the sum of the steps at or before t.
struct StepSum {
  absl::btree_map<Micros, int64_t> steps;
  // Queries follow the clock: `below` is the sum of the steps at or before `cursor`, so a query
  // only walks the steps between two queries.
  mutable Micros cursor = kMinTime;
  mutable int64_t below = 0;

  void Add(Micros t, int64_t delta) {
    auto [it, inserted] = steps.try_emplace(t, 0);
    if ((it->second += delta) == 0) steps.erase(it);
    if (t <= cursor) below += delta;
  }
  // REQUIRES: the caller serialises the queries (the cursor moves).
  int64_t UpTo(Micros t) const;
};

// A subject's point-in-time figures.
struct Pit {
  std::array<int64_t, 4> sums{};  // By PitSumSlot.
  std::array<StepSum, 2> steps;   // By PitStepSlot.
};

}  // namespace salestrack::projection

#endif  // SALESTRACK_CORE_PROJECTOR_CELLS_H_
