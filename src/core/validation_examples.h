// Test support for the validation tests (validation_*test.cc): one valid event of every payload
// type, and a table runner. Each case mutates one valid example and names the field and the reason
// ValidateEvent must give.
#ifndef SALESTRACK_CORE_VALIDATION_EXAMPLES_H_
#define SALESTRACK_CORE_VALIDATION_EXAMPLES_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack::testing {

// The validation clock of every example: 2026-11-23 12:00 UTC.
extern const absl::Time kNow;

google::protobuf::Timestamp Ts(absl::Time t);
// An envelope (id "evt-1", `rep`, an hour before kNow) without a payload.
v1::Event Base(const std::string& rep = "rep-1");

// One valid event of every payload type.
v1::Event ValidAction();
v1::Event ValidContract();
v1::Event ValidOpportunity();
v1::Event ValidStageChange();
v1::Event ValidClose();
v1::Event ValidPayment();
v1::Event ValidFeedback();
v1::Event ValidScore();
v1::Event ValidUnit();
v1::Event ValidRep();
v1::Event ValidStages();
v1::Event ValidTarget();
v1::Event ValidScheme();
v1::Event ValidCompetition();
v1::Event ValidVoid();

struct Case {
  const char* name;
  std::function<v1::Event()> make;
  const char* field;   // Expected field path.
  const char* reason;  // Expected substring of the reason.
};

// `e` after `change`.
v1::Event With(v1::Event e, const std::function<void(v1::Event&)>& change);

// Checks that ValidateEvent refuses each case's event, naming its field and reason.
void ExpectEachCaseRefused(const std::vector<Case>& cases);

}  // namespace salestrack::testing

#endif  // SALESTRACK_CORE_VALIDATION_EXAMPLES_H_
