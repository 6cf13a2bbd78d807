// LogService over gRPC: the wire face of ingest and the log. Handlers decode, hand each batch to
// the engine's AppendAdmission (engine/append_admission.h: access, limits, validation, the writer)
// and map results to wire errors; ReadEvents streams an engine LogReader. No domain logic here.
#ifndef SALESTRACK_SERVER_LOG_SERVICE_H_
#define SALESTRACK_SERVER_LOG_SERVICE_H_

#include <atomic>

#include "engine/engine.h"
#include "salestrack/v1/log_service.grpc.pb.h"
#include "server/metrics.h"
#include "server/stall_watch.h"

namespace salestrack::server {

struct LogServiceOptions {
  size_t max_stream_in_flight = 64;
  size_t max_stream_bytes = 16 << 20;
};

// Every method raw (raw_call.h): each parses its requests after checking the caller's key.
using LogServiceBase =
    v1::LogService::WithRawCallbackMethod_Append<v1::LogService::WithRawCallbackMethod_AppendStream<
        v1::LogService::WithRawCallbackMethod_ReadEvents<
            v1::LogService::WithRawCallbackMethod_GetLogInfo<v1::LogService::Service>>>>;

class LogServiceImpl final : public LogServiceBase {
 public:
  // Every append request is admitted in this order: key (Engine::Authenticate), memory (the
  // engine's AppendBudget: a unary Append is refused when its key or the daemon holds too much; a
  // stream stops reading instead), decoding (raw_call.h), then the engine's AppendAdmission
  // (append_admission.h: access, refused-work budget, scope, rate, validation, the writer);
  // `metrics` counts each answer of a caller with a key. `watch` ends streams whose client takes
  // nothing (AppendStream, ReadEvents).
  LogServiceImpl(engine::Engine* engine, Metrics* metrics, StallWatch* watch,
                 LogServiceOptions options)
      : engine_(engine), metrics_(metrics), watch_(watch), options_(options) {}

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
  engine::Engine* const engine_;
  Metrics* const metrics_;
  StallWatch* const watch_;
  const LogServiceOptions options_;
};

// Fills an AppendError (for AppendStream) from a refusal, with its retry hint.
void ToAppendError(const absl::Status& status, v1::AppendError* error);

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_LOG_SERVICE_H_
