// Scorecards (KPI_SPEC §6, 团队级KPI评估表): a rep's or unit's figures in one period scored against
// its targets by a KPI scheme, computed at query time from Projector::Metric() and the plans.
//
//   absl::StatusOr<Scorecard> card = ComputeScorecard(projector, Subject::Rep("rep-li"), november);
//   card->composite_centi   // 8725 = 87.25 points
//
// Which scheme: an explicit scheme id, else for a rep the scheme of its role, else for a unit the
// scheme of the role most of its active reps have; in each case the latest definition dated before
// the period's end (so a change applies from its event time, and old periods keep their scheme).
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
  std::optional<double>
      actual;  // In the target's unit (ratios and means x 10000); absent: undefined.
  std::optional<double>
      attainment;               // 1.0 = 100 %; absent when unscored or infinite (LOWER, actual 0).
  std::optional<double> score;  // Points (0..100, LINEAR up to 100 x cap); absent: unscored.
  std::string note;             // Why the component is unscored, or a remark.
};

inline constexpr int64_t kMaxCompositeCenti = 1'000'000'000'000'000'000;  // 10^16 points.

struct Scorecard {
  uint64_t seq = 0;
  Subject subject;
  Period period;
  std::string scheme_id, scheme_name, role;
  std::vector<ScoreRow> rows;
  // Σ weight x score / 10000, in points x 100, rounded half away; at most kMaxCompositeCenti (a
  // LINEAR cap of challenge / target can make a score as large as 10^17 points).
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
                                           const Period& period, const std::string& scheme_id = "");

// A competition's scorecard (a PK ranked by a scheme): the competition's scheme (latest definition
// dated before the window's end), the subject's figures over the window, and the targets of the
// shortest calendar period that holds the whole window (WindowPeriod), e.g. a Q4 PK uses Q4's
// targets, a two-week PK inside November November's. NOT_FOUND: unknown competition or scheme.
absl::StatusOr<Scorecard> ComputeCompetitionScorecard(const Projector& p,
                                                      const std::string& competition_id,
                                                      const Subject& subject);
// The shortest period (DAY .. YEAR) containing [start, end), else the year of start.
Period WindowPeriod(absl::Time start, absl::Time end, absl::TimeZone zone);

// ---- The rules of §6, one at a time (exposed for tests) --------------------------------------

// actual / target (LOWER: target / actual; +infinity when actual is 0).
double Attainment(double actual, double target, bool lower_is_better);
// THRESHOLD or LINEAR score of attainment `a` with `target` (for LINEAR's default cap).
double RuleScore(const v1::SchemeDefined::Component& c, double a, const Target& target,
                 bool lower_is_better);
// The multiplier of the first tier the composite reaches; 10000 with no tiers, 0 below them all.
int32_t MultiplierFor(const v1::SchemeDefined& scheme, int64_t composite_centi);
// Marginal commission on `sales` against `sales_target`, like tax brackets; rounded down.
int64_t CommissionFor(const v1::SchemeDefined& scheme, int64_t sales, int64_t sales_target);
// A metric value in its target unit: counts and money as is, ratios and means x 10000,
// distributions by their mean in seconds; absent when undefined.
std::optional<double> InTargetUnits(const MetricValue& v);

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
