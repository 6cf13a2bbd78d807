// AppendAdmission: the way of every append request of one caller (an Append call, or each request
// of an AppendStream) to the writer and back:
//   0. the method's row of the role table (auth.h; the front door's Authenticate checked it too);
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
#ifndef SALESTRACK_ENGINE_APPEND_ADMISSION_H_
#define SALESTRACK_ENGINE_APPEND_ADMISSION_H_

#include <memory>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "engine/auth.h"
#include "engine/rate_limiter.h"
#include "engine/views.h"
#include "salestrack/access.h"
#include "salestrack/clock.h"
#include "salestrack/validation.h"
#include "store/sequencer.h"

namespace salestrack::engine {

class AppendAdmission {
 public:
  // The pointers must outlive every batch submitted.
  // `method`: the one the caller called (methods::kAppend or kAppendStream).
  AppendAdmission(Principal who, absl::string_view method, const Auth* auth, const Views* views,
                  RateLimiter* limiter, store::Sequencer* sequencer, const Clock* clock,
                  ValidationOptions validation)
      : who_(std::make_shared<const Principal>(std::move(who))),
        method_(method),
        auth_(auth),
        views_(views),
        limiter_(limiter),
        sequencer_(sequencer),
        clock_(clock),
        validation_(validation) {}

  // The caller.
  const Principal& who() const { return *who_; }

  // Steps 0-5: OK when the batch may go to the writer (its tokens are then taken).
  absl::Status Admit(const store::Events& events) const;

  // Step 6 for a batch Admit passed: `done` gets the writer's answer.
  // REQUIRES: *events stays alive and unchanged until `done` has run.
  void Submit(const store::Events* events, store::AppendDone done) const;

 private:
  std::shared_ptr<const Principal> who_;
  std::string method_;
  const Auth* auth_;
  const Views* views_;
  RateLimiter* limiter_;
  store::Sequencer* sequencer_;
  const Clock* clock_;
  ValidationOptions validation_;
};

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_APPEND_ADMISSION_H_
