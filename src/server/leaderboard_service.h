// LeaderboardService: the wire face of the BoardHub. GetLeaderboard is a unary read of a live board;
// SubscribeLeaderboard streams a snapshot and then each subscriber's (folded) changes.
#ifndef SALESTRACK_SERVER_LEADERBOARD_SERVICE_H_
#define SALESTRACK_SERVER_LEADERBOARD_SERVICE_H_

#include "salestrack/v1/leaderboard_service.grpc.pb.h"
#include "server/auth.h"
#include "server/boards.h"

namespace salestrack::server {

class LeaderboardServiceImpl final : public v1::LeaderboardService::CallbackService {
 public:
  LeaderboardServiceImpl(BoardHub* hub, const Auth* auth) : hub_(hub), auth_(auth) {}

  grpc::ServerUnaryReactor* GetLeaderboard(grpc::CallbackServerContext* context,
                                           const v1::GetLeaderboardRequest* request,
                                           v1::GetLeaderboardResponse* response) override;
  grpc::ServerWriteReactor<v1::LeaderboardUpdate>* SubscribeLeaderboard(
      grpc::CallbackServerContext* context,
      const v1::SubscribeLeaderboardRequest* request) override;

 private:
  BoardHub* const hub_;
  const Auth* const auth_;
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_LEADERBOARD_SERVICE_H_
