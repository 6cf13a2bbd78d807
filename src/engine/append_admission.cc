#include "engine/append_admission.h"

namespace salestrack::engine {
namespace {

// Whether a refusal is about what the batch holds (so its sender should correct it), rather than
// about load or the daemon's own trouble (RESOURCE_EXHAUSTED, UNAVAILABLE, INTERNAL, ...).
bool IsAboutTheBatch(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::Status AppendAdmission::Admit(const store::Events& events) const {
  absl::Status s = auth_->Authorize(*who_, method_);
  if (!s.ok()) return s;
  s = limiter_->CheckRefusals(*who_);
  if (!s.ok()) return s;
  if (who_->role != Role::kAdmin && who_->role != Role::kConnector) {
    s = views_->Read([&](const Projector& p) { return CheckAppendScope(*who_, events, p.org()); });
  }
  if (!s.ok()) {
    limiter_->Refused(*who_, events.size());
    return s;
  }
  // Over the rate: refused before the work of validating it, taking nothing.
  s = limiter_->Check(*who_, events.size());
  if (!s.ok()) return s;
  s = ValidateBatch(events, clock_->Now(), validation_);
  if (!s.ok()) {
    if (IsAboutTheBatch(s.code())) limiter_->Refused(*who_, events.size());
    return s;
  }
  return limiter_->Take(*who_, events.size());
}

void AppendAdmission::Submit(const store::Events* events, store::AppendDone done) const {
  store::BatchCheck check;
  if (who_->role == Role::kRep) {
    check = [views = views_, who = who_](const store::Events& batch,
                                         const std::vector<int>& fresh) {
      return views->CheckEntities(*who, batch, fresh);
    };
  }
  sequencer_->Submit(
      events,
      [who = who_, limiter = limiter_, n = events->size(),
       done = std::move(done)](absl::StatusOr<store::AppendResult> result) mutable {
        if (!result.ok()) {
          limiter->Refund(*who, n);
          if (IsAboutTheBatch(result.status().code())) limiter->Refused(*who, n);
        }
        std::move(done)(std::move(result));
      },
      std::move(check));
}

}  // namespace salestrack::engine
