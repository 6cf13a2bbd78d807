// A realistic quarter of field activity for the example org of deploy/examples/ (`salestrack
// demo`): visits, calls and entertainment with follow-ups, opportunities moving through the stages,
// won deals signed as contracts with installments, payments (some late), customer feedback. Hunters
// open opportunities with new leads; farmers sell again to accounts they signed in the quarter
// before.
//
// Deterministic: the same options give the same events, in the same order, with the same ids.
#ifndef SALESTRACK_TOOLS_CLI_DEMO_DATA_H_
#define SALESTRACK_TOOLS_CLI_DEMO_DATA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack::cli {

struct DemoRep {
  std::string id;
  std::string role;  // "hunter" or "farmer"; anything else is treated as a hunter.
};

struct DemoOptions {
  std::vector<DemoRep> reps;
  absl::CivilDay from;  // First working day of activity (org time zone).
  absl::Time until;     // Nothing happens at or after this instant.
  absl::TimeZone zone;
  uint64_t seed = 1;
  double late_share = 0.04;       // Events sent after everything else, as offline phones do.
  double duplicate_share = 0.02;  // Events sent twice (retries).
};

// The activity, in the order to send it: event-time order, except the late events (moved to the
// end) and the duplicates (sent again, with the same id and content, a little later).
std::vector<v1::Event> DemoActivity(const DemoOptions& options);

}  // namespace salestrack::cli

#endif  // SALESTRACK_TOOLS_CLI_DEMO_DATA_H_
