// One SubscribeLeaderboard stream read on its own thread, for the end-to-end tests of boards.
#ifndef SALESTRACK_TESTS_BOARD_STREAM_H_
#define SALESTRACK_TESTS_BOARD_STREAM_H_

#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "salestrack/mutex.h"
#include "salestrack/v1/leaderboard_service.grpc.pb.h"

namespace salestrack::testing {

// One SubscribeLeaderboard stream, read on its own thread.
class Stream {
 public:
  Stream(v1::LeaderboardService::Stub& stub, v1::SubscribeLeaderboardRequest request)
      : request_(std::move(request)) {
    reader_ = stub.SubscribeLeaderboard(&context_, request_);
    thread_ = std::thread([this] {
      v1::LeaderboardUpdate u;
      while (reader_->Read(&u)) {
        salestrack::MutexLock lock(&mu_);
        updates_.push_back(u);
      }
    });
  }
  ~Stream() {
    context_.TryCancel();
    thread_.join();
    reader_->Finish();
  }
  const v1::BoardRef& board() const { return request_.board(); }

  // The last update once one with seq >= `seq` arrived (waits up to 5 s), else nullopt.
  std::optional<v1::LeaderboardUpdate> AtLeast(uint64_t seq) {
    salestrack::MutexLock lock(&mu_);
    auto arrived = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return !updates_.empty() && updates_.back().seq() >= seq;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&arrived), absl::Seconds(5))) return std::nullopt;
    return updates_.back();
  }
  // The first update `pred` accepts (waits up to 5 s for it), else nullopt.
  template <typename Pred>
  std::optional<v1::LeaderboardUpdate> First(Pred pred) {
    salestrack::MutexLock lock(&mu_);
    std::optional<v1::LeaderboardUpdate> found;
    auto arrived = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      for (const v1::LeaderboardUpdate& u : updates_) {
        if (pred(u)) {
          found = u;
          return true;
        }
      }
      return false;
    };
    mu_.AwaitWithTimeout(absl::Condition(&arrived), absl::Seconds(5));
    return found;
  }
  std::optional<v1::LeaderboardUpdate> Last() {
    salestrack::MutexLock lock(&mu_);
    if (updates_.empty()) return std::nullopt;
    return updates_.back();
  }

 private:
  v1::SubscribeLeaderboardRequest request_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::LeaderboardUpdate>> reader_;
  std::thread thread_;
  salestrack::Mutex mu_;
  std::vector<v1::LeaderboardUpdate> updates_ ABSL_GUARDED_BY(mu_);
};

}  // namespace salestrack::testing

#endif  // SALESTRACK_TESTS_BOARD_STREAM_H_
