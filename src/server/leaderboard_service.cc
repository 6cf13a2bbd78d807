#include "server/leaderboard_service.h"

#include <atomic>

#include "salestrack/status_macros.h"
#include "server/grpc_status.h"

namespace salestrack::server {
namespace {

// Boards are read by screens and admins, and by reps and managers for their own units (access.h).
// A competition board counts as a company board.
absl::Status Authorize(const Auth& auth, const grpc::ServerContextBase& context, const char* method,
                       const v1::BoardRef& board, const BoardHub& hub) {
  ASSIGN_OR_RETURN(Principal who, auth.Authorize(context, method));
  if (who.role == Role::kAdmin || who.role == Role::kScreen) return absl::OkStatus();
  const std::string unit = board.has_unit_id() ? board.unit_id() : "";
  return hub.Read([&](const Projector& p) { return CheckBoardScope(who, unit, p.org()); });
}

// One subscriber's stream: one write in flight at a time; whatever piles up meanwhile is folded in
// its Subscription. Reference-counted: gRPC holds one reference until OnDone, and the hub takes one
// around each Wake/Close, so neither runs on a deleted reactor.
class SubscribeReactor final : public grpc::ServerWriteReactor<v1::LeaderboardUpdate>,
                               public SubscriberSink {
 public:
  SubscribeReactor(BoardHub* hub, grpc::CallbackServerContext* context, const absl::Status& allowed,
                   const v1::SubscribeLeaderboardRequest& request)
      : hub_(hub) {
    if (!allowed.ok()) {
      FinishOnce(ToGrpcStatus(allowed));
      return;
    }
    absl::StatusOr<std::shared_ptr<Subscription>> sub = hub_->Subscribe(request, this);
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
    {
      absl::MutexLock lock(&mu_);
      if (finished_ || writing_ || subscription_ == nullptr) return;
      std::optional<v1::LeaderboardUpdate> next = subscription_->Take();
      if (!next) return;
      update_ = *std::move(next);
      writing_ = true;
    }
    StartWrite(&update_);
  }

  void Close(const absl::Status& status) override { FinishOnce(ToGrpcStatus(status)); }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      ok = ok && !cancelled_;
    }
    if (!ok) return FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    Wake();
  }

  void OnCancel() override {
    {
      absl::MutexLock lock(&mu_);
      cancelled_ = true;
      if (writing_) return;  // OnWriteDone(false) finishes.
    }
    FinishOnce(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
  }

  void OnDone() override {
    if (subscription_ != nullptr) hub_->Unsubscribe(subscription_);
    Unref();
  }

 private:
  void FinishOnce(const grpc::Status& status) {
    {
      absl::MutexLock lock(&mu_);
      if (finished_) return;
      finished_ = true;
    }
    Finish(status);
  }

  BoardHub* const hub_;
  std::shared_ptr<Subscription> subscription_;
  absl::Mutex mu_;
  std::atomic<int> refs_{1};
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  v1::LeaderboardUpdate update_;
};

}  // namespace

grpc::ServerUnaryReactor* LeaderboardServiceImpl::GetLeaderboard(
    grpc::CallbackServerContext* context, const v1::GetLeaderboardRequest* request,
    v1::GetLeaderboardResponse* response) {
  Metrics::QueryTimer timer(metrics_, methods::kGetLeaderboard);
  if (absl::Status allowed =
          Authorize(*auth_, *context, methods::kGetLeaderboard, request->board(), *hub_);
      !allowed.ok()) {
    return FinishUnary(context, allowed);
  }
  absl::StatusOr<v1::GetLeaderboardResponse> board = hub_->Get(*request);
  if (board.ok()) *response = *std::move(board);
  return FinishUnary(context, board.status());
}

grpc::ServerWriteReactor<v1::LeaderboardUpdate>* LeaderboardServiceImpl::SubscribeLeaderboard(
    grpc::CallbackServerContext* context, const v1::SubscribeLeaderboardRequest* request) {
  return new SubscribeReactor(
      hub_, context, Authorize(*auth_, *context, methods::kSubscribeLeaderboard, request->board(), *hub_),
      *request);
}

}  // namespace salestrack::server
