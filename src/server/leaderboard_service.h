// LeaderboardService: the wire face of the BoardHub. GetLeaderboard is a unary read of a live board;
// SubscribeLeaderboard streams a snapshot and then each subscriber's (folded) changes.
#ifndef SALESTRACK_SERVER_LEADERBOARD_SERVICE_H_
#define SALESTRACK_SERVER_LEADERBOARD_SERVICE_H_

#include "salestrack/v1/leaderboard_service.grpc.pb.h"
#include "server/auth.h"
#include "server/boards.h"
#include "server/metrics.h"

namespace salestrack::server {

class LeaderboardServiceImpl final : public v1::LeaderboardService::CallbackService {
 public:
  // `metrics`: where GetLeaderboard's times go (nullptr: not timed).
  LeaderboardServiceImpl(BoardHub* hub, const Auth* auth, const Metrics* metrics)
      : hub_(hub), auth_(auth), metrics_(metrics) {}

  grpc::ServerUnaryReactor* GetLeaderboard(grpc::CallbackServerContext* context,
                                           const v1::GetLeaderboardRequest* request,
                                           v1::GetLeaderboardResponse* response) override;
  grpc::ServerWriteReactor<v1::LeaderboardUpdate>* SubscribeLeaderboard(
      grpc::CallbackServerContext* context,
      const v1::SubscribeLeaderboardRequest* request) override;

 private:
  BoardHub* const hub_;
  const Auth* const auth_;
  const Metrics* const metrics_;
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_LEADERBOARD_SERVICE_H_
