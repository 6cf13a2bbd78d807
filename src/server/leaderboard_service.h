// LeaderboardService: the wire face of the BoardHub. GetLeaderboard is a unary read of a live
// board; SubscribeLeaderboard streams a snapshot and then each subscriber's (folded) changes.
#ifndef SALESTRACK_SERVER_LEADERBOARD_SERVICE_H_
#define SALESTRACK_SERVER_LEADERBOARD_SERVICE_H_

#include "salestrack/v1/leaderboard_service.grpc.pb.h"
#include "server/auth.h"
#include "server/boards.h"
#include "server/metrics.h"
#include "server/raw_call.h"
#include "server/stall_watch.h"

namespace salestrack::server {

// Every method raw (raw_call.h).
using LeaderboardServiceBase = v1::LeaderboardService::WithRawCallbackMethod_GetLeaderboard<
    v1::LeaderboardService::WithRawCallbackMethod_SubscribeLeaderboard<
        v1::LeaderboardService::Service>>;

class LeaderboardServiceImpl final : public LeaderboardServiceBase {
 public:
  // `metrics`: where GetLeaderboard's times go (nullptr: not timed).
  // `watch` (may be null) ends subscriptions whose client stops taking updates.
  LeaderboardServiceImpl(BoardHub* hub, const Auth* auth, const Metrics* metrics, StallWatch* watch)
      : hub_(hub), auth_(auth), metrics_(metrics), watch_(watch) {}

  grpc::ServerUnaryReactor* GetLeaderboard(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override {
    return ServeUnary(*auth_, methods::kGetLeaderboard, context, request, response, this,
                      &LeaderboardServiceImpl::HandleGetLeaderboard);
  }
  // Authorizes, parses, checks the board's scope, then subscribes.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* SubscribeLeaderboard(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) override;

 private:
  absl::Status HandleGetLeaderboard(const Principal& who, const v1::GetLeaderboardRequest& request,
                                    v1::GetLeaderboardResponse* response);

  BoardHub* const hub_;
  const Auth* const auth_;
  const Metrics* const metrics_;
  StallWatch* const watch_;
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_LEADERBOARD_SERVICE_H_
