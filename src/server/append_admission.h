// AppendAdmission: the way of every append request of one caller (an Append call, or each request
// of an AppendStream) to the writer and back:
//   1. the key's refused-work budget (RateLimiter::CheckRefusals);
//   2. its scope (CheckAppendScope, access.h), against the current org;
//   3. its rate limit, checked but not taken (RateLimiter::Check): the cheap refusal comes first;
//   4. validation (ValidateBatch);
//   5. the tokens are taken (RateLimiter::Take): only batches that got this far cost any;
//   6. the writer (Sequencer::Submit), which for a rep key also checks the entities the batch names
//      against the log as written (Views::CheckEntities, entity_access.h).
// A refusal by 2, 4 or 6 that is about the batch (scope, validity, the log's rules) counts against
// the refused-work budget; a refusal by 6 also gives back the tokens taken by 5. Admins and
// connectors skip 2 and the entity check.
//
// Thread-safe; cheap to copy (the principal is shared).
#ifndef SALESTRACK_SERVER_APPEND_ADMISSION_H_
#define SALESTRACK_SERVER_APPEND_ADMISSION_H_

#include <memory>

#include "absl/status/status.h"
#include "salestrack/access.h"
#include "salestrack/clock.h"
#include "salestrack/validation.h"
#include "server/rate_limiter.h"
#include "server/views.h"
#include "store/sequencer.h"

namespace salestrack::server {

class AppendAdmission {
 public:
  // The pointers must outlive every batch submitted.
  AppendAdmission(Principal who, const Views* views, RateLimiter* limiter,
                  store::Sequencer* sequencer, const Clock* clock, ValidationOptions validation)
      : who_(std::make_shared<const Principal>(std::move(who))),
        views_(views),
        limiter_(limiter),
        sequencer_(sequencer),
        clock_(clock),
        validation_(validation) {}

  // Steps 1-5: OK when the batch may go to the writer (its tokens are then taken).
  absl::Status Admit(const store::Events& events) const;

  // Step 6 for a batch Admit passed: `done` gets the writer's answer.
  // REQUIRES: *events stays alive and unchanged until `done` has run.
  void Submit(const store::Events* events, store::AppendDone done) const;

 private:
  std::shared_ptr<const Principal> who_;
  const Views* views_;
  RateLimiter* limiter_;
  store::Sequencer* sequencer_;
  const Clock* clock_;
  ValidationOptions validation_;
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_APPEND_ADMISSION_H_
