#include "core/projector/calendar.h"

namespace salestrack::projection {

int32_t Ordinal(PeriodKind kind, absl::CivilDay start) {
  switch (kind) {
    case PeriodKind::kDay:
      return DayIndex(start);
    case PeriodKind::kWeek:
      return static_cast<int32_t>(FloorDiv(DayIndex(start) - 4, 7));  // 1970-01-05 was a Monday.
    case PeriodKind::kMonth:
      return static_cast<int32_t>(start.year() * 12 + start.month() - 1);
    case PeriodKind::kQuarter:
      return static_cast<int32_t>(start.year() * 4 + (start.month() - 1) / 3);
    case PeriodKind::kYear:
      return static_cast<int32_t>(start.year());
  }
  return 0;
}

Calendar::Calendar(absl::TimeZone zone)
    : zone_(zone), offset_guess_(static_cast<Micros>(zone.At(absl::Now()).offset) * 1'000'000) {}

Micros Calendar::ComputeDayStart(int32_t d) const {
  return absl::ToUnixMicros(PeriodBegin({PeriodKind::kDay, CivilOf(d)}, zone_));
}

int32_t Calendar::FindDay(Micros at) {
  auto d = static_cast<int32_t>(FloorDiv(at + offset_guess_, kDay));
  while (at < DayStart(d)) --d;
  while (at >= DayStart(d + 1)) ++d;
  last_day_ = d;
  last_day_begin_ = DayStart(d);
  last_day_end_ = DayStart(d + 1);
  return d;
}

Calendar::DayPeriods Calendar::ComputePeriods(int32_t d) {
  DayPeriods p;
  for (size_t k = 0; k < kAllPeriodKinds.size(); ++k) {
    absl::CivilDay start = PeriodContaining(kAllPeriodKinds[k], CivilOf(d)).start;
    p.start[k] = DayIndex(start);
    p.ordinal[k] = Ordinal(kAllPeriodKinds[k], start);
  }
  return p;
}

}  // namespace salestrack::projection
