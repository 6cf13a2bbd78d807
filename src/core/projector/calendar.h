// Calendar: the org zone's civil days as numbers, and the periods of each kind a day falls in.
//
// Holds per-day caches (day starts, the day's 5 periods) filled as the writer meets days; the
// projector's rooms number days and periods through it and nothing else. Not thread-safe: DayOf and
// PeriodsOf fill the caches (writer only); the free functions are pure.
#ifndef SALESTRACK_CORE_PROJECTOR_CALENDAR_H_
#define SALESTRACK_CORE_PROJECTOR_CALENDAR_H_

#include <array>
#include <cstdint>

#include "absl/container/flat_hash_map.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/projector/common.h"
#include "salestrack/period.h"

namespace salestrack::projection {

constexpr absl::CivilDay kEpochDay(1970, 1, 1);

// A civil day as the number of days since 1970-01-01, and back.
inline int32_t DayIndex(absl::CivilDay d) { return static_cast<int32_t>(d - kEpochDay); }
inline absl::CivilDay CivilOf(int32_t d) { return kEpochDay + d; }
// a / b rounded towards negative infinity. REQUIRES: b != 0.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// A period's ordinal among the periods of its kind: consecutive periods, consecutive ordinals.
int32_t Ordinal(PeriodKind kind, absl::CivilDay start);

class Calendar {
 public:
  // The periods of each kind (in kAllPeriodKinds order) that contain a day.
  struct DayPeriods {
    std::array<int32_t, 5> start;    // First days.
    std::array<int32_t, 5> ordinal;  // Ordinals.
  };

  explicit Calendar(absl::TimeZone zone);

  const absl::TimeZone& zone() const { return zone_; }
  // The instant day d begins in the zone.
  Micros DayStart(int32_t d) {
    auto [it, inserted] = day_starts_.try_emplace(d, 0);
    if (inserted) it->second = ComputeDayStart(d);
    return it->second;
  }
  // The day containing instant `at`.
  int32_t DayOf(Micros at) {
    if (at >= last_day_begin_ && at < last_day_end_) return last_day_;
    return FindDay(at);
  }
  const DayPeriods& PeriodsOf(int32_t d) {
    auto [it, inserted] = day_periods_.try_emplace(d);
    if (inserted) it->second = ComputePeriods(d);
    return it->second;
  }

 private:
  Micros ComputeDayStart(int32_t d) const;
  int32_t FindDay(Micros at);
  static DayPeriods ComputePeriods(int32_t d);

  absl::TimeZone zone_;
  Micros offset_guess_ = 0;  // A first guess of the zone's offset; FindDay corrects it.
  absl::flat_hash_map<int32_t, Micros> day_starts_;
  absl::flat_hash_map<int32_t, DayPeriods> day_periods_;
  int32_t last_day_ = 0;
  Micros last_day_begin_ = 0, last_day_end_ = 0;
};

}  // namespace salestrack::projection

#endif  // SALESTRACK_CORE_PROJECTOR_CALENDAR_H_
