// LogService: the wire face of ingest and the log. Handlers decode, validate (a pure function),
// hand batches to the sequencer and map results to wire errors; they hold no domain logic.
#ifndef SALESTRACK_SERVER_LOG_SERVICE_H_
#define SALESTRACK_SERVER_LOG_SERVICE_H_

#include <atomic>

#include "salestrack/clock.h"
#include "salestrack/v1/log_service.grpc.pb.h"
#include "salestrack/validation.h"
#include "server/append_admission.h"
#include "server/append_budget.h"
#include "server/auth.h"
#include "server/metrics.h"
#include "server/rate_limiter.h"
#include "server/stall_watch.h"
#include "server/views.h"
#include "store/log_store.h"
#include "store/sequencer.h"

namespace salestrack::server {

struct LogServiceOptions {
  ValidationOptions validation;
  size_t max_stream_in_flight = 64;
  size_t max_stream_bytes = 16 << 20;
  size_t max_log_followers = 1000;
};

// Every method raw (raw_call.h): each parses its requests after checking the caller's key.
using LogServiceBase =
    v1::LogService::WithRawCallbackMethod_Append<v1::LogService::WithRawCallbackMethod_AppendStream<
        v1::LogService::WithRawCallbackMethod_ReadEvents<
            v1::LogService::WithRawCallbackMethod_GetLogInfo<v1::LogService::Service>>>>;

class LogServiceImpl final : public LogServiceBase {
 public:
  // `views` supplies the org and the entities for the access checks. Every append request is
  // admitted in this order: key (auth), memory (`budget`: a unary Append is refused when its key or
  // the daemon holds too much; a stream stops reading instead), decoding (raw_call.h), then an
  // AppendAdmission (append_admission.h: refused-work budget, scope, rate, validation, the writer);
  // `metrics` counts each answer of a caller with a key. `watch` ends streams whose client takes
  // nothing (AppendStream, ReadEvents).
  LogServiceImpl(store::LogStore* store, store::Sequencer* sequencer, const Views* views,
                 const Auth* auth, RateLimiter* limiter, Metrics* metrics, const Clock* clock,
                 AppendBudget* budget, StallWatch* watch, LogServiceOptions options)
      : store_(store),
        sequencer_(sequencer),
        views_(views),
        auth_(auth),
        limiter_(limiter),
        metrics_(metrics),
        clock_(clock),
        budget_(budget),
        watch_(watch),
        options_(options) {}

  // Live ReadEvents streams with follow.
  const std::atomic<size_t>& log_followers() const { return followers_; }

  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override;
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* AppendStream(
      grpc::CallbackServerContext* context) override;
  grpc::ServerWriteReactor<grpc::ByteBuffer>* ReadEvents(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request) override;
  grpc::ServerUnaryReactor* GetLogInfo(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;

 private:
  AppendAdmission AdmissionOf(Principal who) const;
  absl::Status HandleGetLogInfo(const Principal& who, const v1::GetLogInfoRequest& request,
                                v1::GetLogInfoResponse* response) const;

  store::LogStore* const store_;
  store::Sequencer* const sequencer_;
  const Views* const views_;
  const Auth* const auth_;
  RateLimiter* const limiter_;
  Metrics* const metrics_;
  const Clock* const clock_;
  AppendBudget* const budget_;
  StallWatch* const watch_;
  const LogServiceOptions options_;
  std::atomic<size_t> followers_{0};
};

// Fills an AppendError (for AppendStream) from a refusal, with its retry hint.
void ToAppendError(const absl::Status& status, v1::AppendError* error);

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_LOG_SERVICE_H_
