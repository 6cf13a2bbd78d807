// Conversions between google.protobuf.Timestamp and Abseil time, at the microsecond precision the
// log uses (KPI_SPEC §1). Pure functions; safe from any thread.
#ifndef SALESTRACK_PROTO_TIME_H_
#define SALESTRACK_PROTO_TIME_H_

#include <cstdint>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace salestrack {

inline int64_t ToUnixMicros(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1'000'000 + ts.nanos() / 1000;
}

inline absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

// Truncates to whole microseconds; nanos stay in [0, 1e9) for instants before 1970 too.
inline google::protobuf::Timestamp ToProto(absl::Time t) {
  int64_t us = absl::ToUnixMicros(t);
  int64_t seconds = us / 1'000'000, rem = us % 1'000'000;
  if (rem < 0) rem += 1'000'000, --seconds;
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(rem * 1000));
  return ts;
}

}  // namespace salestrack

#endif  // SALESTRACK_PROTO_TIME_H_
