#include "server/leaderboard_service.h"

#include <atomic>

#include "server/grpc_status.h"
#include "server/raw_call.h"
#include "server/rejected_reactor.h"

namespace salestrack::server {
namespace {

// One subscriber's stream: one write in flight at a time; whatever piles up meanwhile is folded in
// its Subscription. Reference-counted: gRPC holds one reference until OnDone, and the hub takes one
// around each Wake/Close, so neither runs on a deleted reactor.
class SubscribeReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
                               public engine::SubscriberSink,
                               public WatchedStream {
 public:
  // Subscribes `who` (the engine refuses what they may not see). `watch` (may be null) ends the
  // stream when its client stops taking updates.
  SubscribeReactor(engine::Engine* engine, grpc::CallbackServerContext* context, StallWatch* watch,
                   const Principal& who, const v1::SubscribeLeaderboardRequest& request)
      : engine_(engine), context_(context), watch_(watch) {
    if (watch_ != nullptr) watch_->Add(this);
    absl::StatusOr<std::shared_ptr<engine::Subscription>> sub =
        engine_->SubscribeLeaderboard(who, request, this);
    if (!sub.ok()) {
      FinishOnce(ToGrpcStatus(sub.status(), context));
      return;
    }
    subscription_ = *std::move(sub);
    Wake();
  }

  // Atomic, not under mu_: the hub takes a reference while holding the subscription's lock, and
  // Wake takes that lock under mu_.
  void Ref() override { refs_.fetch_add(1); }
  void Unref() override {
    if (refs_.fetch_sub(1) == 1) delete this;
  }

  void Wake() override {
    absl::Status encoded;
    {
      salestrack::MutexLock lock(&mu_);
      if (finished_ || writing_ || subscription_ == nullptr) return;
      std::optional<v1::LeaderboardUpdate> next = subscription_->Take();
      if (!next) return;
      encoded = SerializeReply(*next, &update_);
      writing_ = encoded.ok();
    }
    // A well-formed update always encodes; if one did not, end the stream rather than skip it.
    if (!encoded.ok()) return FinishOnce(ToGrpcStatus(encoded));
    WriteStarted();
    StartWrite(&update_);
  }

  void Close(const absl::Status& status) override { FinishOnce(ToGrpcStatus(status)); }

  void OnWriteDone(bool ok) override {
    WriteDone();
    {
      salestrack::MutexLock lock(&mu_);
      writing_ = false;
      ok = ok && !cancelled_;
    }
    if (!ok) return FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    Wake();
  }

  void OnCancel() override {
    {
      salestrack::MutexLock lock(&mu_);
      cancelled_ = true;
      if (writing_) return;  // OnWriteDone(false) finishes.
    }
    FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
  }

  void OnDone() override {
    if (watch_ != nullptr) watch_->Remove(this);
    if (subscription_ != nullptr) engine_->Unsubscribe(subscription_);
    {
      salestrack::MutexLock lock(&mu_);
      done_ = true;
    }
    Unref();
  }

  void OnStalled(const absl::Status& status) override { FinishOnce(ToGrpcStatus(status)); }

  void CancelStalled() override {
    // Under mu_ so OnDone cannot free the context meanwhile; gRPC runs OnCancel and OnDone later
    // on its own threads, not inside TryCancel.
    salestrack::MutexLock lock(&mu_);
    if (!done_) context_->TryCancel();
  }

 private:
  void FinishOnce(const grpc::Status& status) {
    {
      salestrack::MutexLock lock(&mu_);
      if (finished_) return;
      finished_ = true;
    }
    Finish(status);
  }

  engine::Engine* const engine_;
  grpc::CallbackServerContext* const context_;
  StallWatch* const watch_;
  std::shared_ptr<engine::Subscription> subscription_;
  salestrack::Mutex mu_;
  std::atomic<int> refs_{1};
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;  // OnDone ran: context_ is gone.
  grpc::ByteBuffer update_;                 // The write in flight.
};

}  // namespace

grpc::ServerWriteReactor<grpc::ByteBuffer>* LeaderboardServiceImpl::SubscribeLeaderboard(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  using Rejected = RejectedReactor<grpc::ServerWriteReactor<grpc::ByteBuffer>>;
  absl::StatusOr<Principal> who = Authorize(*engine_, *context, methods::kSubscribeLeaderboard);
  if (!who.ok()) return new Rejected(who.status());
  v1::SubscribeLeaderboardRequest request;
  if (absl::Status s = ParseRequest(*raw_request, &request); !s.ok()) return new Rejected(s);
  return new SubscribeReactor(engine_, context, watch_, *who, request);
}

}  // namespace salestrack::server
