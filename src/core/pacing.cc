#include "salestrack/pacing.h"

namespace salestrack {

std::optional<Exact> ElapsedShare(absl::Time start, absl::Time end, absl::Time now) {
  if (now < start || now >= end) return std::nullopt;
  // Accepted instants are years 1970..9999 (time_range.h): microseconds fit int64.
  const int64_t elapsed = absl::ToInt64Microseconds(now - start);
  const int64_t length = absl::ToInt64Microseconds(end - start);
  Exact share(ExactOf(elapsed).get_num(), ExactOf(length).get_num());
  share.canonicalize();
  return share;
}

Pace PaceOf(const Exact& actual, const Target& target, MetricValue::Kind kind, bool lower_is_better,
            const Exact& share) {
  const bool sum = kind == MetricValue::Kind::kCount || kind == MetricValue::Kind::kMoney;
  const Exact paced = sum ? Exact(ExactOf(target.target) * share) : ExactOf(target.target);
  Pace pace;
  pace.paced_target = -FloorClamped(-paced);  // Rounded up.
  pace.gap = FloorClamped(lower_is_better ? Exact(paced - actual) : Exact(actual - paced));
  return pace;
}

}  // namespace salestrack
