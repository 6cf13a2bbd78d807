// OrgState: the org tree, the reps and the funnel stages, as the log defines them (KPI_SPEC §3).
//
// Every definition is kept with its order key (occurred_at, seq); the effective one is the latest.
// Removing a definition (a void) falls back to the one before it, so a void leaves exactly the
// state the log without that event would give.
//
// Not thread-safe; a value type (the writer copies it to check a group that redefines the org).
#ifndef SALESTRACK_ORG_STATE_H_
#define SALESTRACK_ORG_STATE_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "salestrack/event_order.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack {

// (occurred_at in microseconds, seq): the order of KPI_SPEC §1.
using OrderKey = EventOrder;

struct Stage {
  std::string id;
  std::string name;
};

class OrgState {
 public:
  struct Unit {
    std::string name;
    std::string parent;  // Empty for a root.
  };
  struct Rep {
    std::string name;
    std::string unit;
    std::string role;
    bool active = true;
  };

  // Applies or removes an org event (UnitDefined, RepDefined, StagesDefined); others are ignored.
  void Add(OrderKey key, const v1::Event& event);
  void Remove(OrderKey key, const v1::Event& event);

  const Unit* FindUnit(absl::string_view id) const;
  const Rep* FindRep(absl::string_view id) const;
  // Every defined unit's and rep's id (a rep active or not), sorted.
  std::vector<std::string> UnitIds() const;
  std::vector<std::string> RepIds() const;
  // The effective stages: the latest StagesDefined, else contact / value / negotiation.
  const std::vector<Stage>& stages() const;
  // Index of `stage_id` in stages(), or -1.
  int StageIndex(const std::string& stage_id) const;

  // `unit` and the units above it, nearest first: the walk up the tree stops at a root or at a
  // unit that is not defined (which is still listed). Bounded even on a corrupt state.
  std::vector<std::string> UnitsAbove(const std::string& unit) const;
  // True when `unit` is `root` or below it.
  bool InSubtree(const std::string& unit, const std::string& root) const;
  // Every rep (active or not) whose current unit is in the subtree of `root`, sorted by id.
  std::vector<std::string> RepsUnder(const std::string& root) const;
  // RepsUnder of every unit with a rep under it, in one pass over the reps (a unit missing from
  // the map has none).
  absl::flat_hash_map<std::string, std::vector<std::string>> RepsUnderEachUnit() const;
  // The units whose parent is `unit`, and the reps (active or not) whose current unit is `unit`:
  // its direct children, each sorted by id.
  std::vector<std::string> ChildUnits(const std::string& unit) const;
  std::vector<std::string> RepsIn(const std::string& unit) const;

  // The stateful rules for one event of a batch at `index`: a unit's parent must be defined and
  // the tree acyclic; a rep's unit must be defined; stages named by activity events must be
  // defined; a target's unit must be defined. Errors name events[index] and the field.
  absl::Status Check(const v1::Event& event, int index) const;
  // False when Check() is OK for `event` whatever the org: most activity events. Lets the writer
  // skip the org (and its lock) for them.
  static bool NeedsCheck(const v1::Event& event);

 private:
  template <typename T>
  using History = std::map<OrderKey, T>;

  // Calls fn(unit) for `unit` and each unit above it until fn returns false; see UnitsAbove.
  template <typename Fn>
  void WalkUp(const std::string& unit, Fn fn) const;

  absl::flat_hash_map<std::string, History<Unit>> units_;
  absl::flat_hash_map<std::string, History<Rep>> reps_;
  History<std::vector<Stage>> stages_;
};

}  // namespace salestrack

#endif  // SALESTRACK_ORG_STATE_H_
