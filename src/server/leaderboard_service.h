// LeaderboardService over gRPC: GetLeaderboard is a unary read of a live board;
// SubscribeLeaderboard streams a snapshot and then each subscriber's (folded) changes, from the
// engine's Subscription (engine/board_subscription.h). The engine decides access and keeps the
// boards.
#ifndef SALESTRACK_SERVER_LEADERBOARD_SERVICE_H_
#define SALESTRACK_SERVER_LEADERBOARD_SERVICE_H_

#include "engine/engine.h"
#include "salestrack/v1/leaderboard_service.grpc.pb.h"
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
  LeaderboardServiceImpl(engine::Engine* engine, const Metrics* metrics, StallWatch* watch)
      : engine_(engine), metrics_(metrics), watch_(watch) {}

  grpc::ServerUnaryReactor* GetLeaderboard(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override {
    return ServeTimed(*engine_, metrics_, methods::kGetLeaderboard, context, request, response,
                      &engine::Engine::GetLeaderboard);
  }
  // Authenticates, parses, then subscribes (the engine checks the board's scope).
  grpc::ServerWriteReactor<grpc::ByteBuffer>* SubscribeLeaderboard(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) override;

 private:
  engine::Engine* const engine_;
  const Metrics* const metrics_;
  StallWatch* const watch_;
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_LEADERBOARD_SERVICE_H_
