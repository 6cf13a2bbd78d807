// Pacing (issue 21 item 5): how far a scorecard's period has run, and each component's actual
// against its target pro-rated to that share. Calendar time in the org's zone: a month's share at
// noon on its 16th is 15.5 days over its days, weekends and holidays included (docs/decisions.md,
// Scoring: Pacing).
//
//   std::optional<Exact> share = ElapsedShare(start, end, now);  // 31/62 of a 31-day month
//   Pace pace = PaceOf(actual, target, MetricValue::Kind::kMoney, false, *share);
#ifndef SALESTRACK_PACING_H_
#define SALESTRACK_PACING_H_

#include <cstdint>
#include <optional>

#include "absl/time/time.h"
#include "salestrack/plans.h"
#include "salestrack/projector.h"
#include "salestrack/score_math.h"

namespace salestrack {

// The elapsed share of [start, end) at `now`, exactly, in [0, 1); absent when `now` is outside it
// (the period has not begun, or has ended: its scorecard is final).
std::optional<Exact> ElapsedShare(absl::Time start, absl::Time end, absl::Time now);

struct Pace {
  // Sums (counts and money): target x share, rounded up. Other kinds (ratios, means, durations)
  // are not pro-rated: a 35 % margin target is 35 % on any day.
  int64_t paced_target = 0;
  // actual - exact paced target (LOWER is better: the reverse), rounded toward minus infinity:
  // >= 0 on pace, else behind by -gap. Target units (minor units for money).
  int64_t gap = 0;
};
Pace PaceOf(const Exact& actual, const Target& target, MetricValue::Kind kind, bool lower_is_better,
            const Exact& share);

}  // namespace salestrack

#endif  // SALESTRACK_PACING_H_
