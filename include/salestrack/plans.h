// Plans: the targets (TargetSet) and KPI schemes (SchemeDefined) of KPI_SPEC §6, as the log defines
// them. The scorecard (scorecard.h) reads them; the projector keeps them beside the org.
//
// Like OrgState, every definition is kept with its order key (occurred_at, seq) and the effective
// one is the latest; a void removes exactly its definition, falling back to the one before.
//
//   const Target* t = plans.FindTarget(TargetSubject{false, "rep-li"}, november, "sales_amount");
//   const v1::SchemeDefined* s = plans.SchemeForRole("hunter", PeriodEnd(november, zone));
//
// Not thread-safe; the projector's lock guards it.
#ifndef SALESTRACK_PLANS_H_
#define SALESTRACK_PLANS_H_

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "salestrack/org_state.h"
#include "salestrack/period.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack {

// 基准值 / 目标值 / 挑战值, in the metric's target unit (see TargetSet in events.proto).
struct Target {
  int64_t baseline = 0;
  int64_t target = 0;
  int64_t challenge = 0;
  std::string event_id;  // The TargetSet that set it, and its seq (ExplainScore).
  uint64_t seq = 0;
  friend bool operator==(const Target&, const Target&) = default;
};

struct TargetSubject {
  bool is_unit = false;
  std::string id;
  friend bool operator<(const TargetSubject& a, const TargetSubject& b) {
    return std::tie(a.is_unit, a.id) < std::tie(b.is_unit, b.id);
  }
  friend bool operator==(const TargetSubject&, const TargetSubject&) = default;
};

class PlanState {
 public:
  // Applies or removes a TargetSet or SchemeDefined; other events are ignored.
  void Add(OrderKey key, const v1::Event& event);
  void Remove(OrderKey key, const v1::Event& event);

  // The effective target of `subject` for `metric` in exactly `period`, or nullptr.
  const Target* FindTarget(const TargetSubject& subject, const Period& period,
                           const std::string& metric) const;
  // Every effective target in `period` for `metric` (any subject), by subject.
  std::map<TargetSubject, Target> TargetsIn(const Period& period, const std::string& metric) const;
  // The metrics with any target in `period`, sorted.
  std::vector<std::string> TargetMetricsIn(const Period& period) const;

  // The scheme a rep of `role` is evaluated by at `before` (exclusive): the latest SchemeDefined
  // for that role with occurred_at < before, by (occurred_at, seq). nullptr if none.
  const v1::SchemeDefined* SchemeForRole(const std::string& role, absl::Time before) const;
  // The latest definition of `scheme_id` with occurred_at < before, or nullptr.
  const v1::SchemeDefined* SchemeById(const std::string& scheme_id, absl::Time before) const;

  // Every definition as sorted text lines: for comparing live state with a replay (verify).
  std::vector<std::string> Dump() const;

 private:
  struct TargetKey {
    TargetSubject subject;
    Period period;
    std::string metric;
    friend bool operator<(const TargetKey& a, const TargetKey& b) {
      return std::tie(a.period, a.metric, a.subject) < std::tie(b.period, b.metric, b.subject);
    }
  };
  template <typename T>
  using History = std::map<OrderKey, T>;
  using SchemeHistory = History<v1::SchemeDefined>;

  static const v1::SchemeDefined* LatestBefore(const SchemeHistory& h, absl::Time before);

  std::map<TargetKey, History<Target>> targets_;
  absl::flat_hash_map<std::string, SchemeHistory> schemes_by_role_;
  absl::flat_hash_map<std::string, SchemeHistory> schemes_by_id_;
};

}  // namespace salestrack

#endif  // SALESTRACK_PLANS_H_
