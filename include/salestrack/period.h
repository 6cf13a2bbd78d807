// Calendar periods (KPI_SPEC §2): DAY, ISO WEEK (Monday), MONTH, QUARTER, YEAR, computed in the org
// time zone. A period is identified by its kind and its first civil day.
//
//   absl::TimeZone shanghai;  absl::LoadTimeZone("Asia/Shanghai", &shanghai);
//   Period p = PeriodOf(PeriodKind::kDay, instant, shanghai);   // 2026-11-23T17:00Z -> DAY
//   2026-11-24 absl::Time begin = PeriodBegin(p, shanghai);                // 2026-11-23T16:00Z
//
// Values are plain data: copy them freely, from any thread.
#ifndef SALESTRACK_PERIOD_H_
#define SALESTRACK_PERIOD_H_

#include <array>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"

namespace salestrack {

// Numbered as salestrack.v1.PeriodKind.
enum class PeriodKind : int { kDay = 1, kWeek = 2, kMonth = 3, kQuarter = 4, kYear = 5 };

inline constexpr std::array<PeriodKind, 5> kAllPeriodKinds = {
    PeriodKind::kDay, PeriodKind::kWeek, PeriodKind::kMonth, PeriodKind::kQuarter,
    PeriodKind::kYear};

struct Period {
  PeriodKind kind = PeriodKind::kDay;
  absl::CivilDay start;

  friend bool operator==(const Period& a, const Period& b) {
    return a.kind == b.kind && a.start == b.start;
  }
  friend bool operator<(const Period& a, const Period& b) {
    return a.kind != b.kind ? a.kind < b.kind : a.start < b.start;
  }
  template <typename H>
  friend H AbslHashValue(H h, const Period& p) {
    return H::combine(std::move(h), static_cast<int>(p.kind), p.start);
  }
};

// The period of `kind` that contains civil day `day`.
Period PeriodContaining(PeriodKind kind, absl::CivilDay day);

// The period of `kind` that contains `instant` in `zone`.
Period PeriodOf(PeriodKind kind, absl::Time instant, absl::TimeZone zone);

// The period right after `p`.
Period NextPeriod(const Period& p);

// The first instant of `p` in `zone` (its start day's first instant; DST-safe).
absl::Time PeriodBegin(const Period& p, absl::TimeZone zone);
// The first instant after `p`.
absl::Time PeriodEnd(const Period& p, absl::TimeZone zone);

// "DAY", "WEEK", ... and back.
absl::string_view PeriodKindName(PeriodKind kind);
absl::optional<PeriodKind> ParsePeriodKind(absl::string_view name);

// "WEEK 2026-11-23".
std::string PeriodName(const Period& p);

}  // namespace salestrack

#endif  // SALESTRACK_PERIOD_H_
