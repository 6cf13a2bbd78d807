// Scorecards (KPI_SPEC §6, 团队级KPI评估表): a rep's or unit's figures in one period scored against
// its targets by a KPI scheme, computed at query time from Projector::Metric() and the plans.
//
//   absl::StatusOr<Scorecard> card = ComputeScorecard(projector, Subject::Rep("rep-li"), november);
//   card->composite_centi   // 8725 = 87.25 points
//
// Which scheme: an explicit scheme id, else for a rep the scheme of its role, else for a unit a
// unit scheme (role "unit:<unit id>", else role "unit"), else the scheme of the role most of its
// active reps have; in each case the latest definition dated before the period's end (so a change
// applies from its event time, and old periods keep their scheme). The card says which and why.
// `now`: when it falls inside the scored time, the card carries pacing (pacing.h).
// Which target: the subject's own TargetSet for the metric and period, else the nearest unit above
// it that has one. Every choice is in docs/decisions.md.
//
// Pure functions of the projector's state; call under its reader lock.
#ifndef SALESTRACK_SCORECARD_H_
#define SALESTRACK_SCORECARD_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "salestrack/plans.h"
#include "salestrack/projector.h"

namespace salestrack {

// One component of the evaluation table.
struct ScoreRow {
  std::string dimension;
  std::string metric;
  int32_t weight_bp = 0;
  bool lower_is_better = false;
  MetricValue::Kind kind = MetricValue::Kind::kCount;
  std::string rule;              // "threshold 80%" or "linear cap 120%".
  std::optional<Target> target;  // Absent: no target anywhere up the tree.
  std::string target_from;       // "rep rep-li" or "unit east" (where the target was set).
  // The figures below are the nearest doubles to exact rationals (score_math.h); the integer
  // fields are what to display (docs/decisions.md, Scoring: Rounding).
  std::optional<double> actual;  // In the target's unit (ratios, means x 10000); absent: undefined.
  std::optional<double> attainment;  // 1.0 = 100 %; absent: unscored or infinite (LOWER, actual 0).
  std::optional<int64_t> attainment_bp;  // Basis points, rounded toward minus infinity.
  std::optional<double> score;         // Points (0..100, LINEAR up to 100 x cap); absent: unscored.
  std::optional<int64_t> score_centi;  // Points x 100, rounded half away from zero.
  std::optional<int64_t> paced_target, pace_gap;  // While the period runs: see pacing.h.
  std::string note;                               // Why the component is unscored, or a remark.
};

// The role of schemes written for units: "unit" scores every unit, "unit:<unit id>" one unit.
inline constexpr char kUnitSchemeRole[] = "unit";

inline constexpr int64_t kMaxCompositeCenti = 1'000'000'000'000'000'000;  // 10^16 points.

struct Scorecard {
  uint64_t seq = 0;
  Subject subject;
  Period period;
  std::string scheme_id, scheme_name, role;
  std::string scheme_reason;  // Why this scheme ("the rep's role", "the unit scheme (...)").
  bool in_progress = false;   // The scored time contains `now`: rows carry pace.
  int32_t elapsed_bp = 0;     // Its elapsed share, basis points rounded down.
  std::vector<ScoreRow> rows;
  // Σ weight x score / 10000 computed exactly, in points x 100, rounded once half away from zero;
  // within ±kMaxCompositeCenti (a LINEAR cap of challenge / target can make a score as large as
  // 10^17 points).
  int64_t composite_centi = 0;
  int32_t multiplier_bp = 10000;  // 12000 = x1.2.
  int64_t sales_amount = 0;       // Minor units.
  std::optional<int64_t> sales_target;
  int64_t commission = 0;  // Minor units, rounded down.
  std::vector<std::string> notes;
};

// The scorecard of `subject` in `period`. `scheme_id` empty: the subject's scheme (see above).
// NOT_FOUND: an undefined unit, or an unknown scheme id. FAILED_PRECONDITION: no scheme applies
// (a rep without a role, or no scheme for the role dated before the period's end).
absl::StatusOr<Scorecard> ComputeScorecard(const Projector& p, const Subject& subject,
                                           const Period& period, const std::string& scheme_id = "",
                                           absl::Time now = absl::InfiniteFuture());

// A competition's scorecard (a PK ranked by a scheme): the competition's scheme (latest definition
// dated before the window's end), the subject's figures over the window, and the targets of the
// shortest calendar period that holds the whole window (WindowPeriod), e.g. a Q4 PK uses Q4's
// targets, a two-week PK inside November November's. NOT_FOUND: unknown competition or scheme.
absl::StatusOr<Scorecard> ComputeCompetitionScorecard(const Projector& p,
                                                      const std::string& competition_id,
                                                      const Subject& subject,
                                                      absl::Time now = absl::InfiniteFuture());
// The target `subject` is scored against for `metric` in `period`, and where it was set: the
// subject's own TargetSet, else the nearest unit above it that has one; nullopt when none has.
std::optional<std::pair<Target, TargetSubject>> FindTargetFor(const Projector& p,
                                                              const Subject& subject,
                                                              const Period& period,
                                                              const std::string& metric);
// The shortest period (DAY .. YEAR) containing [start, end), else the year of start.
Period WindowPeriod(absl::Time start, absl::Time end, absl::TimeZone zone);

// ---- The rules of §6, one at a time (exposed for tests) --------------------------------------

// Attainment and rule scores: score_math.h.
// The multiplier of the first tier the composite reaches; 10000 with no tiers, 0 below them all.
int32_t MultiplierFor(const v1::SchemeDefined& scheme, int64_t composite_centi);
// Marginal commission on `sales` against `sales_target`, like tax brackets; rounded down.
int64_t CommissionFor(const v1::SchemeDefined& scheme, int64_t sales, int64_t sales_target);

// ---- targets check -------------------------------------------------------------------------

// Where a unit's children's targets for a metric and period do not add up to the unit's own. The
// children of a unit are its child units and the reps directly in it.
struct TargetGap {
  std::string unit_id;
  std::string metric;
  int64_t unit_target = 0;
  int64_t children_sum = 0;  // Saturates at INT64_MAX (thousands of children at the maximum).
  std::vector<std::pair<std::string, int64_t>> children;  // "unit X" / "rep Y" -> target.
  std::vector<std::string> missing;                       // Children without a target.
};
struct TargetCheck {
  uint64_t seq = 0;
  Period period;
  int checked = 0;  // (unit, metric) pairs with a unit target that were compared.
  std::vector<TargetGap> gaps;
};
// Checks `unit_id` and every unit below it, for `metric` (empty: every metric with a target in
// the period). Only sum metrics (counts and money) are checked: ratio targets need not add up.
absl::StatusOr<TargetCheck> CheckTargets(const Projector& p, const std::string& unit_id,
                                         const Period& period, const std::string& metric = "");

}  // namespace salestrack

#endif  // SALESTRACK_SCORECARD_H_
