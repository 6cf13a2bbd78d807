#include "server/append_stream_reactor.h"

#include "server/log_service.h"

namespace salestrack::server {

AppendStreamReactor::AppendStreamReactor(AppendAdmission admission, size_t max_in_flight,
                                         Metrics* metrics)
    : admission_(std::move(admission)),
      max_in_flight_(max_in_flight),
      metrics_(metrics),
      next_request_(std::make_unique<v1::AppendRequest>()) {
  StartRead(next_request_.get());
}

void AppendStreamReactor::OnReadDone(bool ok) {
  Actions actions;
  if (!ok) {
    absl::MutexLock lock(&mu_);
    reading_ = false;
    reads_done_ = true;
    actions = NextActions();
  } else {
    auto slot = std::make_unique<Slot>();
    Slot* raw = slot.get();
    slot->request = std::move(next_request_);
    next_request_ = std::make_unique<v1::AppendRequest>();
    slot->response.set_request_id(slot->request->request_id());
    absl::Status invalid = admission_.Admit(slot->request->events());
    if (!invalid.ok()) {
      metrics_->AppendAnswered(slot->request->events_size(), invalid);
      ToAppendError(invalid, slot->response.mutable_error());
      slot->ready = true;
    }
    {
      absl::MutexLock lock(&mu_);
      reading_ = false;
      slots_.push_back(std::move(slot));
      if (invalid.ok()) ++refs_;
    }
    if (invalid.ok()) {
      admission_.Submit(&raw->request->events(),
                        [this, raw](absl::StatusOr<store::AppendResult> result) {
                          OnCommitted(raw, std::move(result));
                        });
    }
    absl::MutexLock lock(&mu_);
    actions = NextActions();
  }
  Run(actions);
}

void AppendStreamReactor::OnCommitted(Slot* slot, absl::StatusOr<store::AppendResult> result) {
  metrics_->AppendAnswered(slot->request->events_size(), result);
  if (result.ok()) {
    v1::AppendResponse* ok = slot->response.mutable_ok();
    ok->mutable_seqs()->Add(result->seqs.begin(), result->seqs.end());
    ok->set_duplicates(result->duplicates);
  } else {
    ToAppendError(result.status(), slot->response.mutable_error());
  }
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    slot->ready = true;
    actions = NextActions();
  }
  Run(actions);
  Unref();
}

void AppendStreamReactor::OnWriteDone(bool ok) {
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    slots_.pop_front();
    if (!ok) broken_ = true;
    actions = NextActions();
  }
  Run(actions);
}

void AppendStreamReactor::OnCancel() {
  Actions actions;
  {
    absl::MutexLock lock(&mu_);
    broken_ = true;
    actions = NextActions();
  }
  Run(actions);
}

void AppendStreamReactor::OnDone() { Unref(); }

AppendStreamReactor::Actions AppendStreamReactor::NextActions() {
  Actions actions;
  if (finished_) return actions;
  if (broken_) {
    // The client is gone: no more reads or writes; batches already submitted still commit (their
    // callers may retry, and duplicates are harmless).
    if (!writing_ && !reading_) {
      finished_ = true;
      actions.finish = true;
    }
    return actions;
  }
  if (!writing_ && !slots_.empty() && slots_.front()->ready) {
    writing_ = true;
    actions.write = &slots_.front()->response;
  }
  if (!reading_ && !reads_done_ && slots_.size() < max_in_flight_) {
    reading_ = true;
    actions.read = true;
  }
  if (reads_done_ && slots_.empty() && !writing_) {
    finished_ = true;
    actions.finish = true;
  }
  return actions;
}

void AppendStreamReactor::Run(const Actions& actions) {
  if (actions.write != nullptr) StartWrite(actions.write);
  if (actions.read) StartRead(next_request_.get());
  if (actions.finish) Finish(grpc::Status::OK);
}

void AppendStreamReactor::Unref() {
  bool last;
  {
    absl::MutexLock lock(&mu_);
    last = --refs_ == 0;
  }
  if (last) delete this;
}

}  // namespace salestrack::server
