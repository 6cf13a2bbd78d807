// LogService: the wire face of ingest and the log. Handlers decode, validate (a pure function), hand
// batches to the sequencer and map results to wire errors; they hold no domain logic.
#ifndef SALESTRACK_SERVER_LOG_SERVICE_H_
#define SALESTRACK_SERVER_LOG_SERVICE_H_

#include <atomic>

#include "salestrack/clock.h"
#include "salestrack/v1/log_service.grpc.pb.h"
#include "salestrack/validation.h"
#include "server/auth.h"
#include "server/metrics.h"
#include "server/rate_limiter.h"
#include "server/views.h"
#include "store/log_store.h"
#include "store/sequencer.h"

namespace salestrack::server {

struct LogServiceOptions {
  ValidationOptions validation;
  size_t max_stream_in_flight = 64;
  size_t max_log_followers = 1000;
};

class LogServiceImpl final : public v1::LogService::CallbackService {
 public:
  // `views` supplies the org for managers' access checks. Every append request is admitted in
  // this order: key (auth), scope (access.h), rate (limiter), validation; `metrics` counts each
  // answer.
  LogServiceImpl(store::LogStore* store, store::Sequencer* sequencer, const Views* views,
                 const Auth* auth, RateLimiter* limiter, Metrics* metrics, const Clock* clock,
                 LogServiceOptions options)
      : store_(store),
        sequencer_(sequencer),
        views_(views),
        auth_(auth),
        limiter_(limiter),
        metrics_(metrics),
        clock_(clock),
        options_(options) {}

  // Live ReadEvents streams with follow.
  const std::atomic<size_t>& log_followers() const { return followers_; }

  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* context,
                                   const v1::AppendRequest* request,
                                   v1::AppendResponse* response) override;
  grpc::ServerBidiReactor<v1::AppendRequest, v1::AppendStreamResponse>* AppendStream(
      grpc::CallbackServerContext* context) override;
  grpc::ServerWriteReactor<v1::ReadEventsResponse>* ReadEvents(
      grpc::CallbackServerContext* context, const v1::ReadEventsRequest* request) override;
  grpc::ServerUnaryReactor* GetLogInfo(grpc::CallbackServerContext* context,
                                       const v1::GetLogInfoRequest* request,
                                       v1::GetLogInfoResponse* response) override;

 private:
  store::LogStore* const store_;
  store::Sequencer* const sequencer_;
  const Views* const views_;
  const Auth* const auth_;
  RateLimiter* const limiter_;
  Metrics* const metrics_;
  const Clock* const clock_;
  const LogServiceOptions options_;
  std::atomic<size_t> followers_{0};
};

// Admission of one append request by `who`: its scope (CheckAppendScope of access.h against the
// current org; admins and connectors need no org), then its key's rate limit.
absl::Status AdmitAppend(const Principal& who, const store::Events& events, const Views& views,
                         RateLimiter& limiter);

// Fills an AppendError (for AppendStream) from a refusal, with its retry hint.
void ToAppendError(const absl::Status& status, v1::AppendError* error);

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_LOG_SERVICE_H_
