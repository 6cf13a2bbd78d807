// Explaining one scorecard component (issue 21 item 6): the metric's formula, the target and the
// TargetSet that set it, the rule that turned attainment into points, each member's figure (a
// unit), and the contracts or payments that make up a sum.
//
//   absl::StatusOr<ScoreExplanation> e =
//       ExplainScore(projector, Subject::Rep("ann"), november, "", "sales_amount", now, 100);
//   e->formula   // "Σ amount of the contracts signed in the period (defining ContractSigned) ..."
//
// A pure function of the projector's state; call under its reader lock.
#ifndef SALESTRACK_SCORE_EXPLAIN_H_
#define SALESTRACK_SCORE_EXPLAIN_H_

#include <optional>
#include <string>
#include <vector>

#include "salestrack/scorecard.h"

namespace salestrack {

struct ScoreExplanation {
  Scorecard card;  // The whole card (scheme, reason, pace); `row` is the one explained.
  ScoreRow row;
  std::string formula;  // The metric's definition (KPI_SPEC §5) in words.
  std::string rule;     // The rule with its edges, e.g. "THRESHOLD floor 80%: a >= 100% -> 100 ..."
  struct Member {
    std::string rep;
    MetricValue value;
  };
  std::vector<Member> members;  // A unit: its members' own figures, the first `limit` by id.
  size_t member_count = 0;
  std::optional<std::vector<Contribution>> events;  // Absent: the metric is not itemised.
  size_t event_count = 0;
};

// NOT_FOUND (field-named "metric: ...") when `metric` is not a component of the scheme that
// scores the subject; otherwise ComputeScorecard's errors. `limit` bounds members and events.
absl::StatusOr<ScoreExplanation> ExplainScore(const Projector& p, const Subject& subject,
                                              const Period& period, const std::string& scheme_id,
                                              const std::string& metric, absl::Time now,
                                              size_t limit);

// The definition of a per-period metric in words (KPI_SPEC §5).
std::string MetricFormula(const std::string& metric);

}  // namespace salestrack

#endif  // SALESTRACK_SCORE_EXPLAIN_H_
