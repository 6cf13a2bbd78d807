#include "server/read_events_reactor.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "server/grpc_status.h"
#include "server/raw_call.h"

namespace salestrack::server {

ReadEventsReactor::ReadEventsReactor(store::LogStore* store, store::Sequencer* sequencer,
                                     const v1::ReadEventsRequest& request,
                                     std::atomic<size_t>* followers,
                                     grpc::CallbackServerContext* context, StallWatch* watch)
    : store_(store),
      sequencer_(sequencer),
      followers_(followers),
      context_(context),
      watch_(watch),
      follow_(request.follow()),
      limit_(request.limit()),
      next_seq_(std::max<uint64_t>(1, request.from_seq())) {
  if (watch_ != nullptr) watch_->Add(this);
  Next();
}

void ReadEventsReactor::Next() {
  if (limit_ != 0 && sent_ >= limit_) return FinishOnce(grpc::Status::OK);
  // Shutting down: a follower still catching up ends too, not only one waiting for new records.
  if (follow_ && sequencer_->waiters_closed()) return FinishShuttingDown();
  const uint64_t head = sequencer_->committed_seq();
  if (next_seq_ > head) {
    if (!follow_) return FinishOnce(grpc::Status::OK);
    {
      salestrack::MutexLock lock(&mu_);
      if (finished_) return;
      ++refs_;
    }
    sequencer_->WaitPast(next_seq_ - 1, [this](bool live) { OnWoken(live); });
    return;
  }
  size_t max_records = kMaxRecordsPerMessage;
  if (limit_ != 0) max_records = std::min<uint64_t>(max_records, limit_ - sent_);
  std::vector<v1::EventRecord> records;
  absl::Status s = store_->ReadRange(next_seq_, head, max_records, kMaxBytesPerMessage, &records);
  if (!s.ok()) return FinishOnce(ToGrpcStatus(s));
  if (records.empty()) {
    return FinishOnce(grpc::Status(grpc::StatusCode::DATA_LOSS,
                                   absl::StrCat("log record ", next_seq_, " is missing")));
  }
  v1::ReadEventsResponse response;
  for (v1::EventRecord& r : records) *response.add_records() = std::move(r);
  response.set_head_seq(head);
  next_seq_ = response.records().rbegin()->seq() + 1;
  sent_ += response.records_size();
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
    FinishShuttingDown();
  }
  Unref();
}

void ReadEventsReactor::FinishShuttingDown() {
  FinishOnce(
      grpc::Status(grpc::StatusCode::UNAVAILABLE,
                   absl::StrCat("salestrackd is shutting down; resume with from_seq ", next_seq_)));
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
  if (followers_ != nullptr) followers_->fetch_sub(1);
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
