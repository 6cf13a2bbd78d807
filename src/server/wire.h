// Wire conversions shared by the services: periods in and out.
#ifndef SALESTRACK_SERVER_WIRE_H_
#define SALESTRACK_SERVER_WIRE_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "salestrack/period.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack::server {

// The period of the requested kind containing the requested date (default: the day of `now` in
// `zone`). INVALID_ARGUMENT naming period.kind or period.date.
absl::StatusOr<Period> DecodePeriod(const v1::Period& p, absl::Time now, absl::TimeZone zone);
// The period as its kind and first day.
v1::Period EncodePeriod(const Period& p);

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_WIRE_H_
