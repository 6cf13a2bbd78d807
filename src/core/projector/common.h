// The projector's vocabulary, shared by its rooms (see docs/projections.md): interned ids, times in
// microseconds, and sorted-vector helpers. Internal to src/core.
#ifndef SALESTRACK_CORE_PROJECTOR_COMMON_H_
#define SALESTRACK_CORE_PROJECTOR_COMMON_H_

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

#include "absl/strings/string_view.h"
#include "salestrack/event_order.h"

namespace salestrack::projection {

using Micros = int64_t;
using Id = uint32_t;        // An interned id string (rep, unit, customer, opportunity, ...).
using MetricId = uint16_t;  // An interned metric name.
// A rep's Id, or a unit's Id with kUnitBit set: reps and units may share an id string.
using SubjectId = uint32_t;
constexpr SubjectId kUnitBit = 1u << 31;
constexpr Id kNoId = std::numeric_limits<Id>::max();
constexpr Micros kDay = 86'400'000'000;
constexpr Micros kNoDue = std::numeric_limits<Micros>::min();
constexpr Micros kMinTime = std::numeric_limits<Micros>::min();

// The cells' own sums that §5 metrics are computed from (metric_names.h names the metrics):
// gross profit from margin_base − contract_cost, satisfaction and score:NAME as sum / count.
namespace cell {
inline constexpr absl::string_view kMarginBase = "margin_base";
inline constexpr absl::string_view kContractCost = "contract_cost";
inline constexpr absl::string_view kSatisfactionSum = "satisfaction_sum";
inline constexpr absl::string_view kSatisfactionCount = "satisfaction_count";
inline constexpr absl::string_view kScoreSum = "score_sum";      // A family: "score_sum:NAME".
inline constexpr absl::string_view kScoreCount = "score_count";  // A family: "score_count:NAME".
}  // namespace cell

// Inserts `item` into `v`, sorted by (at, seq), after any equal one.
template <typename V, typename T = typename V::value_type>
void InsertSorted(V& v, T item) {
  auto it = std::upper_bound(v.begin(), v.end(), item, EarlierEvent<T>);
  v.insert(it, std::move(item));
}

// Erases the element with this seq; false if there is none.
template <typename V>
bool EraseBySeq(V& v, uint64_t seq) {
  auto it = std::find_if(v.begin(), v.end(), [&](const auto& x) { return x.seq == seq; });
  if (it == v.end()) return false;
  v.erase(it);
  return true;
}

// Inserts `id` into the sorted set `v` unless it is there.
template <typename V>
void InsertUnique(V& v, Id id) {
  auto it = std::lower_bound(v.begin(), v.end(), id);
  if (it == v.end() || *it != id) v.insert(it, id);
}

}  // namespace salestrack::projection

#endif  // SALESTRACK_CORE_PROJECTOR_COMMON_H_
