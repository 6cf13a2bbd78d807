// A naive reference model of KPI_SPEC §4–§5, written separately from the projector for the
// property test: it recomputes every figure from scratch from the whole log with the spec's words
// as directly as possible (group, sort, filter, count), trading all speed for obviousness.
#ifndef SALESTRACK_TESTS_NAIVE_MODEL_H_
#define SALESTRACK_TESTS_NAIVE_MODEL_H_

#include <map>
#include <string>
#include <vector>

#include "salestrack/projector.h"

namespace salestrack::testing {

class NaiveModel {
 public:
  NaiveModel(std::vector<v1::EventRecord> log, absl::TimeZone zone);

  // The reps whose figures a subject merges (current membership).
  std::vector<std::string> Members(const Subject& subject) const;
  std::map<std::string, MetricValue> Metrics(const std::vector<std::string>& reps,
                                             const Period& period) const;
  std::map<std::string, MetricValue> PointInTime(const std::vector<std::string>& reps,
                                                 absl::Time now) const;

 private:
  std::vector<v1::EventRecord> live_;  // Not voided, sorted by seq.
  absl::TimeZone zone_;
};

}  // namespace salestrack::testing

#endif  // SALESTRACK_TESTS_NAIVE_MODEL_H_
