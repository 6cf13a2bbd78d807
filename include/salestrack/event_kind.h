// Questions about an event's kind that several parts of core ask: one answer for each.
#ifndef SALESTRACK_EVENT_KIND_H_
#define SALESTRACK_EVENT_KIND_H_

#include <string>

#include "salestrack/v1/events.pb.h"

namespace salestrack {

// The org, its stages, competitions and plans (UnitDefined, RepDefined, StagesDefined,
// CompetitionDefined, TargetSet, SchemeDefined): definitions whose latest by (occurred_at, seq)
// counts, voided by event id.
inline bool IsOrgEvent(const v1::Event& e) {
  switch (e.payload_case()) {
    case v1::Event::kUnitDefined:
    case v1::Event::kRepDefined:
    case v1::Event::kStagesDefined:
    case v1::Event::kCompetitionDefined:
    case v1::Event::kTargetSet:
    case v1::Event::kSchemeDefined:
      return true;
    default:
      return false;
  }
}

// OpportunityOpened, OpportunityStageChanged or OpportunityClosed.
inline bool IsOpportunityEvent(const v1::Event& e) {
  return e.has_opportunity_opened() || e.has_opportunity_stage_changed() ||
         e.has_opportunity_closed();
}

// The opportunity an opportunity event names. REQUIRES: IsOpportunityEvent(e).
inline const std::string& OpportunityIdOf(const v1::Event& e) {
  return e.has_opportunity_opened()          ? e.opportunity_opened().opportunity_id()
         : e.has_opportunity_stage_changed() ? e.opportunity_stage_changed().opportunity_id()
                                             : e.opportunity_closed().opportunity_id();
}

// The stage an opportunity event puts its opportunity in: an OpportunityOpened's initial stage
// (empty: the first stage) or an OpportunityStageChanged's stage; nullptr for any other event.
inline const std::string* StageSetBy(const v1::Event& e) {
  return e.has_opportunity_opened()          ? &e.opportunity_opened().initial_stage()
         : e.has_opportunity_stage_changed() ? &e.opportunity_stage_changed().stage()
                                             : nullptr;
}

}  // namespace salestrack

#endif  // SALESTRACK_EVENT_KIND_H_
