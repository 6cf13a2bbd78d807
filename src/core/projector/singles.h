// Singles: a FeedbackRecorded or ScoreRecorded, each its own entity.
//
// Holds one event's figures; contributes its value to a sum metric and 1 to a count metric
// (satisfaction, score:NAME are their means). Needs the cells' touches.
#ifndef SALESTRACK_CORE_PROJECTOR_SINGLES_H_
#define SALESTRACK_CORE_PROJECTOR_SINGLES_H_

#include <cstdint>

#include "core/projector/cells.h"
#include "core/projector/common.h"

namespace salestrack::projection {

struct Single {
  uint64_t seq;
  Micros at;
  Id rep;
  MetricId sum_metric, count_metric;
  int32_t value;
  bool voided;
};

inline void SingleTouches(const Single& s, TouchList t) {
  t.Sum(s.rep, s.at, s.sum_metric, s.value);
  t.Sum(s.rep, s.at, s.count_metric, 1);
}

}  // namespace salestrack::projection

#endif  // SALESTRACK_CORE_PROJECTOR_SINGLES_H_
