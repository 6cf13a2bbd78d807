// Conversions between the v1 messages and the domain types shared by the engine's methods: periods,
// subjects, metric kinds.
#ifndef SALESTRACK_ENGINE_WIRE_H_
#define SALESTRACK_ENGINE_WIRE_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "salestrack/period.h"
#include "salestrack/projector.h"
#include "salestrack/v1/events.pb.h"
#include "salestrack/v1/kpi_service.pb.h"

namespace salestrack::engine {

// The period of the requested kind containing the requested date (default: the day of `now` in
// `zone`). INVALID_ARGUMENT naming period.kind or period.date.
absl::StatusOr<Period> DecodePeriod(const v1::Period& p, absl::Time now, absl::TimeZone zone);
// A request's rep or unit. INVALID_ARGUMENT when neither is set.
absl::StatusOr<Subject> DecodeSubject(const v1::Subject& s);
v1::MetricValue::Kind EncodeKind(MetricValue::Kind k);
// The period as its kind and first day.
v1::Period EncodePeriod(const Period& p);

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_WIRE_H_
