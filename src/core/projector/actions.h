// Actions: a rep's ActionLogged events with one customer (an action chain), and the follow-ups
// they schedule.
//
// Holds nothing itself: the projector keeps each chain encoded (EncodeChain) by ChainKey, and
// decodes it to change it. A chain contributes actions, cost, counts by channel and purpose, and
// each scheduled follow-up: due, on time (the chain's next action within 24 h after due), or open
// (a point-in-time count, and overdue once past due). Needs the cells' touches.
#ifndef SALESTRACK_CORE_PROJECTOR_ACTIONS_H_
#define SALESTRACK_CORE_PROJECTOR_ACTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/projector/cells.h"
#include "core/projector/common.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack::projection {

struct ActionItem {
  Micros at;
  Micros due;  // kNoDue: schedules no follow-up.
  int64_t cost;
  uint64_t seq : 48;
  uint64_t channel : 8;
  uint64_t purpose : 8;
};

inline uint64_t ChainKey(Id rep, Id customer) {
  return (static_cast<uint64_t>(rep) << 32) | customer;
}

// A chain is a few actions (at 10M events in kpi_bench: 1.1M chains of 5.4 actions on average,
// 184 MiB with their table against 328 MiB as vectors of 32-byte structs), and a short one fits
// inside the string itself. Per action, after its (at, seq) (coding.h): a byte channel |
// purpose << 3 | has_due << 6 | has_cost << 7, then zigzag(due − at) and zigzag(cost) when present.
// `items` sorted by (at, seq).
void EncodeChain(const std::vector<ActionItem>& items, std::string& out);
void DecodeChain(const std::string& bytes, std::vector<ActionItem>& out);

// The metrics an action chain adds to, interned.
struct ActionMetrics {
  MetricId actions, action_cost, follow_ups_due, follow_ups_on_time;
  std::vector<MetricId> by_channel, by_purpose;  // By enum value.
};

// Action i's own contribution (not its follow-up's).
inline void ActionTouches(const ActionMetrics& m, Id rep, const ActionItem& a, TouchList t) {
  t.Sum(rep, a.at, m.actions, 1);
  t.Sum(rep, a.at, m.action_cost, a.cost);
  t.Sum(rep, a.at, m.by_channel[a.channel], 1);
  t.Sum(rep, a.at, m.by_purpose[a.purpose], 1);
}

// The follow-up action i of the chain `items` schedules, if any: due at its time, on time if the
// chain's next action comes within 24 h after due, open (and overdue once past due) while no
// action follows.
inline void FollowUpTouches(const ActionMetrics& m, Id rep, const std::vector<ActionItem>& items,
                            size_t i, TouchList t) {
  const ActionItem& a = items[i];
  if (a.due == kNoDue) return;
  t.Sum(rep, a.due, m.follow_ups_due, 1);
  if (i + 1 < items.size()) {
    if (items[i + 1].at <= a.due + kDay) t.Sum(rep, a.due, m.follow_ups_on_time, 1);
  } else {
    t.PitSum(rep, kOpenFollowUps, 1);
    t.PitStep(rep, a.due + 1, kOverdueFollowUps, 1);  // Overdue when due < now.
  }
}

}  // namespace salestrack::projection

#endif  // SALESTRACK_CORE_PROJECTOR_ACTIONS_H_
