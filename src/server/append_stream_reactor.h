// AppendStreamReactor: one AppendStream call. Each request is an atomic batch answered by exactly
// one response, in request order; a request that does not decode is answered with an AppendError
// (INVALID_ARGUMENT naming the field) and the stream goes on.
//
// Memory held for the client is bounded. A request is held from its read until it is committed or
// refused, then only its encoded answer, until the client takes it. The reactor stops reading, so
// gRPC's flow control slows the client, while any of these holds:
//   - max_in_flight requests are unanswered or their answers untaken;
//   - the stream holds max_bytes or more (requests' wire bytes + answers' bytes);
//   - the caller's key or the daemon is at its AppendBudget; it reads again once bytes free.
// So one stream holds at most max_bytes + one request. A client that takes no answer for the
// StallWatch's limit is ended (stall_watch.h).
//
// Lifetime: gRPC holds one reference until OnDone; each batch submitted to the sequencer, a pending
// AppendBudget wait and the StallWatch's calls each hold another. The reactor deletes itself when
// all are gone, returning to the budget what it still held.
#ifndef SALESTRACK_SERVER_APPEND_STREAM_REACTOR_H_
#define SALESTRACK_SERVER_APPEND_STREAM_REACTOR_H_

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "engine/append_admission.h"
#include "engine/append_budget.h"
#include "grpcpp/grpcpp.h"
#include "salestrack/clock.h"
#include "salestrack/mutex.h"
#include "salestrack/v1/log_service.pb.h"
#include "server/metrics.h"
#include "server/stall_watch.h"
#include "store/sequencer.h"

namespace salestrack::server {

// What every AppendStream of a daemon shares.
struct AppendStreamShared {
  size_t max_in_flight = 64;               // limits.max_stream_in_flight
  size_t max_bytes = 16 << 20;             // limits.max_stream_bytes
  Metrics* metrics = nullptr;              // Counts every answer.
  engine::AppendBudget* budget = nullptr;  // Per key and total.
  StallWatch* watch = nullptr;
};

class AppendStreamReactor final
    : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
      public WatchedStream {
 public:
  // Every decoded request goes through `admission` (the caller's checks, then the writer); a
  // refusal answers that request alone. `key` names the caller's API key in the budget.
  AppendStreamReactor(const AppendStreamShared& shared, grpc::CallbackServerContext* context,
                      std::string key, engine::AppendAdmission admission);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  // WatchedStream.
  void Ref() override;
  void Unref() override;
  void OnStalled(const absl::Status& status) override;
  void CancelStalled() override;
  // Stops reading; finishes with UNAVAILABLE once every request taken in is answered.
  void OnShutdown() override;

 private:
  struct Slot {
    std::unique_ptr<v1::AppendRequest> request;  // Until committed or refused.
    uint64_t request_id = 0;
    grpc::ByteBuffer answer;  // The encoded AppendStreamResponse, once ready.
    size_t charged = 0;       // Bytes charged for it: request, then answer.
    bool ready = false;
  };
  // What to do once mu_ is released: reactions and Release are never started while holding it.
  struct Actions {
    const grpc::ByteBuffer* write = nullptr;
    bool read = false;
    bool finish = false;
    grpc::Status status;  // With finish.
    size_t release = 0;   // Bytes to return to the budget.
  };

  void OnCommitted(Slot* slot, absl::StatusOr<store::AppendResult> result);
  // Drops the slot's request and makes `answer` (taken) its answer, charged instead of the request
  // (or dropped, when the stream is broken).
  void Answer(Slot* slot, grpc::ByteBuffer* answer, Actions* actions)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // REQUIRES: mu_ held. Decides the next write / read / finish.
  Actions NextActions() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run(const Actions& actions);
  void OnBudgetRoom();

  const AppendStreamShared shared_;
  grpc::CallbackServerContext* const context_;
  const std::string key_;
  const engine::AppendAdmission admission_;

  salestrack::Mutex mu_;
  int refs_ ABSL_GUARDED_BY(mu_) = 1;
  std::deque<std::unique_ptr<Slot>> slots_ ABSL_GUARDED_BY(mu_);  // Unanswered, in request order.
  size_t held_ ABSL_GUARDED_BY(mu_) = 0;                          // Sum of the slots' charges.
  grpc::ByteBuffer next_request_;                                 // The buffer being read into.
  std::optional<uint64_t> budget_wait_ ABSL_GUARDED_BY(mu_);      // A pending AppendBudget wait.
  bool reading_ ABSL_GUARDED_BY(mu_) = true;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;  // Cancelled, a write failed, or stalled.
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;  // The daemon is stopping: no more reads.
  bool done_ ABSL_GUARDED_BY(mu_) = false;     // OnDone ran: context_ is gone.
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_APPEND_STREAM_REACTOR_H_
