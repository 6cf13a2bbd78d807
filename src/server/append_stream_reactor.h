// AppendStreamReactor: one AppendStream call. Each request is an atomic batch answered by exactly one
// response, in request order. Up to max_in_flight requests may be awaiting their commit at once;
// past that the reactor stops reading, so a fast connector is slowed by the writer, not buffered.
//
// Lifetime: gRPC holds one reference until OnDone; each batch submitted to the sequencer holds
// another until its answer is queued. The reactor deletes itself when both are gone.
#ifndef SALESTRACK_SERVER_APPEND_STREAM_REACTOR_H_
#define SALESTRACK_SERVER_APPEND_STREAM_REACTOR_H_

#include <deque>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "salestrack/v1/log_service.pb.h"
#include "server/append_admission.h"
#include "server/metrics.h"
#include "store/sequencer.h"

namespace salestrack::server {

class AppendStreamReactor final
    : public grpc::ServerBidiReactor<v1::AppendRequest, v1::AppendStreamResponse> {
 public:
  // Every request goes through `admission` (the caller's checks, then the writer); a refusal
  // answers that request alone. `metrics` counts every answer.
  AppendStreamReactor(AppendAdmission admission, size_t max_in_flight, Metrics* metrics);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  struct Slot {
    std::unique_ptr<v1::AppendRequest> request;
    v1::AppendStreamResponse response;
    bool ready = false;
  };
  // What to do once mu_ is released: reactions are never started while holding the lock.
  struct Actions {
    const v1::AppendStreamResponse* write = nullptr;
    bool read = false;
    bool finish = false;
  };

  void OnCommitted(Slot* slot, absl::StatusOr<store::AppendResult> result);
  // REQUIRES: mu_ held. Decides the next write / read / finish.
  Actions NextActions() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Run(const Actions& actions);
  // Drops one reference; deletes this at zero. REQUIRES: mu_ not held.
  void Unref();

  const AppendAdmission admission_;
  const size_t max_in_flight_;
  Metrics* const metrics_;

  absl::Mutex mu_;
  int refs_ ABSL_GUARDED_BY(mu_) = 1;
  std::deque<std::unique_ptr<Slot>> slots_ ABSL_GUARDED_BY(mu_);  // Unanswered, in request order.
  std::unique_ptr<v1::AppendRequest> next_request_;               // The buffer being read into.
  bool reading_ ABSL_GUARDED_BY(mu_) = true;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;  // Cancelled or a write failed.
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_APPEND_STREAM_REACTOR_H_
