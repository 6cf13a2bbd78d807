#include "server/append_stream_reactor.h"

#include "server/grpc_status.h"
#include "server/log_service.h"
#include "server/raw_call.h"
#include "server/undecodable.h"

namespace salestrack::server {

AppendStreamReactor::AppendStreamReactor(const AppendStreamShared& shared,
                                         grpc::CallbackServerContext* context, std::string key,
                                         engine::AppendAdmission admission)
    : shared_(shared), context_(context), key_(std::move(key)), admission_(std::move(admission)) {
  if (shared_.watch != nullptr) shared_.watch->Add(this);
  Actions actions;
  {
    salestrack::MutexLock lock(&mu_);
    reading_ = false;
    actions = NextActions();  // The first read waits for room like every other.
  }
  Run(actions);
}

void AppendStreamReactor::OnReadDone(bool ok) {
  Actions actions;
  if (!ok) {
    salestrack::MutexLock lock(&mu_);
    reading_ = false;
    reads_done_ = true;
    actions = NextActions();
  } else {
    const size_t bytes = next_request_.Length();
    auto slot = std::make_unique<Slot>();
    Slot* raw = slot.get();
    slot->request = std::make_unique<v1::AppendRequest>();
    absl::Status invalid = ParseRequest(next_request_, slot->request.get());
    if (invalid.ok()) {
      slot->request_id = slot->request->request_id();
    } else {
      // Its request_id if the bytes still show one, so the client can match the answer.
      slot->request_id =
          FindTopLevelVarint(FlattenBuffer(next_request_), v1::AppendRequest::kRequestIdFieldNumber)
              .value_or(0);
    }
    next_request_.Clear();
    bool closing;
    {
      salestrack::MutexLock lock(&mu_);
      closing = closing_;
    }
    if (invalid.ok() && closing) {
      invalid = absl::UnavailableError(
          "salestrackd is shutting down; nothing of this request was "
          "stored, send it again once it is back");
    }
    if (invalid.ok()) invalid = admission_.Admit(slot->request->events());
    grpc::ByteBuffer refusal;
    if (!invalid.ok()) {
      shared_.metrics->AppendAnswered(slot->request->events_size(), invalid);
      v1::AppendStreamResponse response;
      response.set_request_id(slot->request_id);
      ToAppendError(invalid, response.mutable_error());
      (void)SerializeReply(response, &refusal);  // A small, well-formed message: always encodes.
    }
    bool submit = false;
    {
      salestrack::MutexLock lock(&mu_);
      reading_ = false;
      if (broken_) {
        // Ended meanwhile (cancelled or stalled): nobody will take the answer.
      } else {
        slot->charged = bytes;
        held_ += bytes;
        shared_.budget->Charge(key_, bytes);
        slots_.push_back(std::move(slot));
        if (invalid.ok()) {
          submit = true;
          ++refs_;
        } else {
          Answer(raw, &refusal, &actions);
        }
      }
    }
    if (submit) {
      admission_.Submit(&raw->request->events(),
                        [this, raw](absl::StatusOr<store::AppendResult> result) {
                          OnCommitted(raw, std::move(result));
                        });
    }
    salestrack::MutexLock lock(&mu_);
    const size_t release = actions.release;
    actions = NextActions();
    actions.release += release;
  }
  Run(actions);
}

void AppendStreamReactor::OnCommitted(Slot* slot, absl::StatusOr<store::AppendResult> result) {
  shared_.metrics->AppendAnswered(slot->request->events_size(), result);
  v1::AppendStreamResponse response;
  response.set_request_id(slot->request_id);
  if (result.ok()) {
    v1::AppendResponse* ok = response.mutable_ok();
    ok->mutable_seqs()->Add(result->seqs.begin(), result->seqs.end());
    ok->set_duplicates(result->duplicates);
  } else {
    ToAppendError(result.status(), response.mutable_error());
  }
  grpc::ByteBuffer answer;
  (void)SerializeReply(response, &answer);  // Seqs and a message: always encodes.
  Actions actions;
  {
    salestrack::MutexLock lock(&mu_);
    Answer(slot, &answer, &actions);
    const size_t release = actions.release;
    actions = NextActions();
    actions.release += release;
  }
  Run(actions);
  Unref();
}

void AppendStreamReactor::Answer(Slot* slot, grpc::ByteBuffer* answer, Actions* actions) {
  actions->release += slot->charged;
  held_ -= slot->charged;
  slot->charged = 0;
  slot->request.reset();
  slot->ready = true;
  if (broken_) return;  // Nobody will take it.
  slot->answer.Swap(answer);
  slot->charged = slot->answer.Length();
  held_ += slot->charged;
  shared_.budget->Charge(key_, slot->charged);
}

void AppendStreamReactor::OnWriteDone(bool ok) {
  WriteDone();
  Actions actions;
  {
    salestrack::MutexLock lock(&mu_);
    writing_ = false;
    Slot* sent = slots_.front().get();
    actions.release = sent->charged;
    held_ -= sent->charged;
    slots_.pop_front();
    if (!ok) broken_ = true;
    const size_t release = actions.release;
    actions = NextActions();
    actions.release += release;
  }
  Run(actions);
}

void AppendStreamReactor::OnCancel() {
  Actions actions;
  {
    salestrack::MutexLock lock(&mu_);
    broken_ = true;
    actions = NextActions();
  }
  Run(actions);
}

void AppendStreamReactor::OnDone() {
  if (shared_.watch != nullptr) shared_.watch->Remove(this);
  {
    salestrack::MutexLock lock(&mu_);
    done_ = true;
  }
  Unref();
}

void AppendStreamReactor::OnStalled(const absl::Status& status) {
  Actions actions;
  {
    salestrack::MutexLock lock(&mu_);
    if (finished_ || done_) return;
    broken_ = true;
    actions = NextActions();  // Frees what it can.
    // Finishes now, even with the write still pending: the status goes after it.
    finished_ = true;
    actions.finish = true;
    actions.status = ToGrpcStatus(status);
  }
  Run(actions);
}

void AppendStreamReactor::OnShutdown() {
  Actions actions;
  {
    salestrack::MutexLock lock(&mu_);
    if (finished_ || done_) return;
    closing_ = true;
    if (budget_wait_ && shared_.budget->CancelWait(*budget_wait_)) {
      budget_wait_.reset();
      --refs_;  // The wait's reference; EndAll holds another.
    }
    actions = NextActions();
  }
  Run(actions);
}

void AppendStreamReactor::CancelStalled() {
  // Under mu_ so OnDone (which takes it) cannot free the context meanwhile; gRPC runs OnCancel and
  // OnDone later on its own threads, not inside TryCancel.
  salestrack::MutexLock lock(&mu_);
  if (!done_) context_->TryCancel();
}

void AppendStreamReactor::OnBudgetRoom() {
  Actions actions;
  {
    salestrack::MutexLock lock(&mu_);
    budget_wait_.reset();
    actions = NextActions();
  }
  Run(actions);
  Unref();
}

AppendStreamReactor::Actions AppendStreamReactor::NextActions() {
  Actions actions;
  if (broken_) {
    // The client is gone or ended: no more reads or writes. Answers it will never take are freed;
    // batches already submitted still commit (their callers may retry; duplicates are harmless).
    for (size_t i = writing_ ? 1 : 0; i < slots_.size(); ++i) {
      Slot* slot = slots_[i].get();
      if (!slot->ready || slot->charged == 0) continue;
      actions.release += slot->charged;
      held_ -= slot->charged;
      slot->charged = 0;
      slot->answer.Clear();
    }
    if (budget_wait_ && shared_.budget->CancelWait(*budget_wait_)) {
      budget_wait_.reset();
      --refs_;  // The wait's reference; the caller holds another.
    }
    if (!finished_ && !writing_ && !reading_) {
      finished_ = true;
      actions.finish = true;
    }
    return actions;
  }
  if (finished_) return actions;
  if (!writing_ && !slots_.empty() && slots_.front()->ready) {
    writing_ = true;
    actions.write = &slots_.front()->answer;
  }
  if (closing_) {
    // A read still pending ends with the call; nothing it brings was acknowledged.
    if (slots_.empty() && !writing_) {
      finished_ = true;
      actions.finish = true;
      actions.status = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                    "salestrackd is shutting down; every request answered so far "
                                    "stands, send the rest again once it is back");
    }
    return actions;
  }
  if (!reading_ && !reads_done_ && !budget_wait_ && slots_.size() < shared_.max_in_flight &&
      held_ < shared_.max_bytes) {
    std::optional<uint64_t> wait = shared_.budget->WaitForRoom(key_, [this]() { OnBudgetRoom(); });
    if (wait) {
      budget_wait_ = wait;
      ++refs_;
    } else {
      reading_ = true;
      actions.read = true;
    }
  }
  if (reads_done_ && slots_.empty() && !writing_) {
    finished_ = true;
    actions.finish = true;
  }
  return actions;
}

void AppendStreamReactor::Run(const Actions& actions) {
  if (actions.release > 0) shared_.budget->Release(key_, actions.release);
  if (actions.write != nullptr) {
    WriteStarted();
    StartWrite(actions.write);
  }
  if (actions.read) StartRead(&next_request_);
  if (actions.finish) Finish(actions.status);
}

void AppendStreamReactor::Ref() {
  salestrack::MutexLock lock(&mu_);
  ++refs_;
}

void AppendStreamReactor::Unref() {
  bool last;
  size_t rest = 0;
  {
    salestrack::MutexLock lock(&mu_);
    last = --refs_ == 0;
    if (last) rest = held_;
  }
  if (!last) return;
  // Every commit and write has ended; whatever is still charged goes back.
  if (rest > 0) shared_.budget->Release(key_, rest);
  delete this;
}

}  // namespace salestrack::server
