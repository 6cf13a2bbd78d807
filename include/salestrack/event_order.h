// The order of events that every figure follows (KPI_SPEC §1): by occurred_at, then by the seq the
// log gave them. The one definition of it for the org state, the plans, the projector's entities
// and the engine's pending openings.
#ifndef SALESTRACK_EVENT_ORDER_H_
#define SALESTRACK_EVENT_ORDER_H_

#include <compare>
#include <cstdint>

#include "salestrack/proto_time.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack {

struct EventOrder {
  int64_t at = 0;  // occurred_at, in Unix microseconds.
  uint64_t seq = 0;
  friend bool operator==(const EventOrder&, const EventOrder&) = default;
  friend auto operator<=>(const EventOrder&, const EventOrder&) = default;
};

inline EventOrder OrderOf(const v1::Event& e, uint64_t seq) {
  return {ToUnixMicros(e.occurred_at()), seq};
}

// Whether a comes before b, for anything with `at` and `seq` members (the projector's entity
// records).
template <typename T>
bool EarlierEvent(const T& a, const T& b) {
  return EventOrder{a.at, a.seq} < EventOrder{b.at, b.seq};
}

}  // namespace salestrack

#endif  // SALESTRACK_EVENT_ORDER_H_
