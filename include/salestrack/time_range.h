// The range of time salestrack accepts: one definition for every instant and every period, in
// events and in queries alike (docs/decisions.md, "Time range").
//
// Instants (occurred_at, due_at, next_follow_up_at, a competition's start and end) lie in
// [1970-01-01T00:00:00Z, 9999-12-30T23:59:59.999999Z]. In any time zone within a day of UTC (every
// zone of the tz database), such an instant falls on a civil day in [kFirstDay, kLastDay] =
// [1969-12-31, 9999-12-31]. A period (its kind and any date in it) is accepted when it overlaps
// that span of days. So the periods of every accepted instant, in every org time zone, can be
// queried, and every period the daemon returns (named by its first day, e.g. WEEK 1969-12-29) is
// accepted back as input.
//
//   CheckInstant("occurred_at", ts);                   // nullopt, or {"occurred_at", "must be
//   ..."} CheckPeriodDate("period.date", PeriodKind::kWeek, date);
#ifndef SALESTRACK_TIME_RANGE_H_
#define SALESTRACK_TIME_RANGE_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/timestamp.pb.h"
#include "salestrack/period.h"
#include "salestrack/v1/events.pb.h"
#include "salestrack/validation.h"

namespace salestrack {

inline constexpr int64_t kMinInstantSeconds = 0;             // 1970-01-01T00:00:00Z
inline constexpr int64_t kMaxInstantSeconds = 253402214399;  // 9999-12-30T23:59:59Z (.999999)
inline constexpr absl::CivilDay kFirstDay(1969, 12, 31);
inline constexpr absl::CivilDay kLastDay(9999, 12, 31);

// The first problem of a timestamp: outside the instant range, nanos outside [0, 1e9), or finer
// than a microsecond. `field` names it in the problem ("occurred_at", "occurred_at.nanos").
std::optional<FieldProblem> CheckInstant(absl::string_view field,
                                         const google::protobuf::Timestamp& ts);

// Whether `p` shares a day with [kFirstDay, kLastDay].
bool PeriodInRange(const Period& p);

// The first problem of a period given by its kind and a date: the date must be a real day
// ("period.date.month", "period.date.day") and its period in range ("period.date").
std::optional<FieldProblem> CheckPeriodDate(absl::string_view field, PeriodKind kind,
                                            const v1::Date& date);

}  // namespace salestrack

#endif  // SALESTRACK_TIME_RANGE_H_
