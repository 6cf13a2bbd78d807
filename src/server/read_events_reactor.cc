#include "server/read_events_reactor.h"

#include "server/grpc_status.h"
#include "server/raw_call.h"

namespace salestrack::server {

ReadEventsReactor::ReadEventsReactor(std::unique_ptr<engine::LogReader> reader,
                                     grpc::CallbackServerContext* context, StallWatch* watch)
    : reader_(std::move(reader)), context_(context), watch_(watch) {
  if (watch_ != nullptr) watch_->Add(this);
  Next();
}

void ReadEventsReactor::Next() {
  v1::ReadEventsResponse response;
  absl::StatusOr<engine::LogReader::Step> step = reader_->Read(&response);
  if (!step.ok()) return FinishOnce(ToGrpcStatus(step.status()));
  if (*step == engine::LogReader::Step::kEnd) return FinishOnce(grpc::Status::OK);
  if (*step == engine::LogReader::Step::kWait) {
    {
      salestrack::MutexLock lock(&mu_);
      if (finished_) return;
      ++refs_;
    }
    reader_->WaitForMore([this](bool live) { OnWoken(live); });
    return;
  }
  if (absl::Status s = SerializeReply(response, &response_); !s.ok()) {
    return FinishOnce(ToGrpcStatus(s));
  }
  {
    salestrack::MutexLock lock(&mu_);
    if (finished_) return;
    writing_ = true;
  }
  WriteStarted();
  StartWrite(&response_);
}

void ReadEventsReactor::OnWoken(bool live) {
  if (live) {
    Next();
  } else {
    FinishOnce(ToGrpcStatus(reader_->ShuttingDown()));
  }
  Unref();
}

void ReadEventsReactor::OnWriteDone(bool ok) {
  WriteDone();
  {
    salestrack::MutexLock lock(&mu_);
    writing_ = false;
    ok = ok && !cancelled_;
  }
  if (!ok) return FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
  Next();
}

void ReadEventsReactor::OnCancel() {
  {
    // A write in flight completes first (with ok = false); OnWriteDone then finishes.
    salestrack::MutexLock lock(&mu_);
    cancelled_ = true;
    if (writing_) return;
  }
  FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
}

void ReadEventsReactor::OnDone() {
  if (watch_ != nullptr) watch_->Remove(this);
  reader_->LeaveFollowers();  // Now, not when a pending wait lets go.
  {
    salestrack::MutexLock lock(&mu_);
    done_ = true;
  }
  Unref();
}

void ReadEventsReactor::OnStalled(const absl::Status& status) { FinishOnce(ToGrpcStatus(status)); }

void ReadEventsReactor::CancelStalled() {
  // Under mu_ so OnDone (which takes it) cannot free the context meanwhile; gRPC runs OnCancel and
  // OnDone later on its own threads, not inside TryCancel.
  salestrack::MutexLock lock(&mu_);
  if (!done_) context_->TryCancel();
}

void ReadEventsReactor::Ref() {
  salestrack::MutexLock lock(&mu_);
  ++refs_;
}

void ReadEventsReactor::FinishOnce(const grpc::Status& status) {
  {
    salestrack::MutexLock lock(&mu_);
    if (finished_) return;
    finished_ = true;
  }
  Finish(status);
}

void ReadEventsReactor::Unref() {
  bool last;
  {
    salestrack::MutexLock lock(&mu_);
    last = --refs_ == 0;
  }
  if (last) delete this;
}

}  // namespace salestrack::server
