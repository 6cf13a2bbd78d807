// Opportunities: an opportunity's Opened, StageChanged and Closed events, and its timeline.
//
// Holds nothing itself: the projector keeps each opportunity's events encoded (EncodeOpp) by id.
// BuildTimeline turns them, with the WON closes its contracts add, into stage intervals and a
// close (KPI_SPEC §4); the opportunity contributes opened, funnel reached / won (at opened_at),
// won or lost, stage durations, the sales cycle, and its open pipeline. Needs the org's stages
// (StageTable) and the contracts that name it.
#ifndef SALESTRACK_CORE_PROJECTOR_OPPORTUNITIES_H_
#define SALESTRACK_CORE_PROJECTOR_OPPORTUNITIES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "core/projector/common.h"

namespace salestrack::projection {

enum class OppKind : uint8_t { kOpened, kStage, kClosed };
struct OppEvent {
  Micros at;
  uint64_t seq;
  int64_t expected;  // Opened.
  Id rep;
  Id stage;  // Opened: the initial stage (kNoId: the first); Stage: the new stage.
  OppKind kind;
  bool won;  // Closed.
};

// Per event, after its (at, seq) (coding.h): varint rep, then a byte kind | won << 2 |
// has_stage << 3 | has_expected << 4, then stage and zigzag(expected) when present. `events`
// sorted by (at, seq).
void EncodeOpp(const std::vector<OppEvent>& events, std::string& out);
void DecodeOpp(const std::string& bytes, std::vector<OppEvent>& out);

// The org's funnel stages, interned, in order; and their metrics.
struct StageTable {
  std::vector<Id> ids;
  absl::flat_hash_map<Id, int> index;
  std::vector<MetricId> reached_metrics;               // funnel_reached:<stage>, by stage index.
  absl::flat_hash_map<Id, MetricId> duration_metrics;  // stage_duration:<stage>, as met.

  // The stage's place in the funnel; -1 for a stage not in it.
  int IndexOf(Id stage) const {
    auto it = index.find(stage);
    return it == index.end() ? -1 : it->second;
  }
};

// The opportunity's timeline (KPI_SPEC §4), as stage intervals and an optional close.
struct Interval {
  Id stage;
  Micros start, end;  // end < 0: still open.
};
struct Timeline {
  const OppEvent* opened = nullptr;  // Points into the events given; nullptr: never opened.
  std::vector<Interval> intervals;
  std::optional<std::pair<bool, Micros>> close;  // (won, at)
};
// `events` are the opportunity's own; `contract_closes` the closes its contracts add. An event
// before the opening counts at the opening; a change to the current stage or to a stage not in the
// funnel changes nothing; the first close ends the timeline. REQUIRES: stages.ids not empty.
Timeline BuildTimeline(const std::vector<OppEvent>& events,
                       const std::vector<OppEvent>& contract_closes, const StageTable& stages);

// The rep of the opening, if the opportunity has been opened.
std::optional<Id> OppOwner(const std::vector<OppEvent>& events);

}  // namespace salestrack::projection

#endif  // SALESTRACK_CORE_PROJECTOR_OPPORTUNITIES_H_
