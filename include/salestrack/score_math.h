// Exact scoring arithmetic (KPI_SPEC §6): attainments, rule scores and the composite as rationals
// (GMP), so no figure is ever rounded before the display edge and nothing can wrap. The roundings
// at that edge (docs/decisions.md, Scoring):
//   - the composite and component scores: to hundredths of a point, half away from zero;
//   - attainments: to basis points (0.01 %), toward minus infinity, so a displayed attainment
//     never crosses a rule's edge (every edge a rule can name, floor_bp and 100 %, is a whole
//     basis point): 79.97 % shows as 79.97 %, 79.999 % as 79.99 %, never 80.00 %.
//
//   std::optional<Exact> actual = ExactInTargetUnits(value);           // 13'999
//   std::optional<Exact> a = ExactAttainment(*actual, 20'000, false);  // 13999/20000
//   Exact points = ExactRuleScore(linear, a, target, false);           // 69.995
//   RoundHalfAway(points * 100);                                       // 7000
#ifndef SALESTRACK_SCORE_MATH_H_
#define SALESTRACK_SCORE_MATH_H_

#include <gmpxx.h>

#include <cstdint>
#include <optional>

#include "absl/numeric/int128.h"
#include "salestrack/plans.h"
#include "salestrack/projector.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack {

using Exact = mpq_class;

// `v` as an exact rational.
Exact ExactOf(absl::int128 v);

// A metric value in its target unit (see TargetSet), exactly: counts and money as they are, ratios
// and means x 10000, distributions by their mean in seconds. Absent when undefined.
std::optional<Exact> ExactInTargetUnits(const MetricValue& v);

// actual / target (LOWER: target / actual). Absent means infinite: LOWER with an actual <= 0, the
// best possible. REQUIRES: target > 0 (validation refuses other targets).
std::optional<Exact> ExactAttainment(const Exact& actual, int64_t target, bool lower_is_better);

// THRESHOLD{floor} (default 0.8) or LINEAR{cap} of attainment `a` (absent: infinite), in points.
// LINEAR's cap: cap_bp / 10000, else the challenge's attainment when it lies beyond the target,
// else 1.2. Scores may be negative (LINEAR of a negative actual, e.g. a gross profit below 0).
Exact ExactRuleScore(const v1::SchemeDefined::Component& c, const std::optional<Exact>& a,
                     const Target& target, bool lower_is_better);
// The effective LINEAR cap (see above), and THRESHOLD floor, as attainments.
Exact LinearCap(const v1::SchemeDefined::Component& c, const Target& target, bool lower_is_better);
Exact ThresholdFloor(const v1::SchemeDefined::Component& c);

// x rounded to an integer half away from zero, clamped to [-limit, limit].
int64_t RoundHalfAway(const Exact& x, int64_t limit = INT64_MAX);
// floor(x), clamped to [-limit, limit].
int64_t FloorClamped(const Exact& x, int64_t limit = INT64_MAX);

}  // namespace salestrack

#endif  // SALESTRACK_SCORE_MATH_H_
