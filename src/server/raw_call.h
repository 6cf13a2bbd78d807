// Methods served raw: every method of salestrackd's services is registered with the generated
// WithRawCallbackMethod_X bases, so its requests arrive as bytes and are parsed here.
//
// gRPC's generated typed handlers answer a request that does not parse with UNIMPLEMENTED and no
// message, as if the method did not exist, and on a client stream they end the reads as if the
// client had closed it. Parsed here, such a request is INVALID_ARGUMENT naming the message type and
// the field at fault (undecodable.h), and a stream can answer it and go on.
//
// Order on every method, so a caller without a valid key learns nothing from the request's bytes:
//   1. the caller's key and role (Engine::Authenticate: UNAUTHENTICATED / PERMISSION_DENIED);
//   2. the request's bytes (INVALID_ARGUMENT when they do not parse);
//   3. the engine's method: its access checks again, the scope checks, then the work.
// Streams authorize when they open, before reading anything.
#ifndef SALESTRACK_SERVER_RAW_CALL_H_
#define SALESTRACK_SERVER_RAW_CALL_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engine/engine.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "server/grpc_status.h"
#include "server/metrics.h"

namespace salestrack::server {

// Parses `raw` into `message`. INVALID_ARGUMENT when it does not parse:
//   "request does not decode as salestrack.v1.AppendRequest: events[3].action_logged.customer_id:
//    is not valid UTF-8 (...)"
// The field path is also attached as a location (event_error.h) when it starts at "events[N]".
absl::Status ParseRequest(const grpc::ByteBuffer& raw, google::protobuf::Message* message);

// The bytes of `raw` in one piece (for diagnosing a request that did not parse).
std::string FlattenBuffer(const grpc::ByteBuffer& raw);

// Serializes `message` into `raw` (replacing what it held).
absl::Status SerializeReply(const google::protobuf::Message& message, grpc::ByteBuffer* raw);

// The caller of `method` on this call, by its "authorization" metadata (Engine::Authenticate).
absl::StatusOr<Principal> Authorize(const engine::Engine& engine,
                                    const grpc::ServerContextBase& context,
                                    absl::string_view method);

// Serves one raw unary call with a typed handler, in the order above:
//   absl::Status handler(const Principal& who, const Request& request, Response* response);
// The handler's status is the call's (with its retry hints as trailing metadata); the response is
// sent only when it is OK.
template <typename Request, typename Response, typename Handler>
grpc::ServerUnaryReactor* ServeUnary(const engine::Engine& engine, const char* method,
                                     grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* raw_request,
                                     grpc::ByteBuffer* raw_response, Handler&& handler) {
  absl::StatusOr<Principal> who = Authorize(engine, *context, method);
  if (!who.ok()) return FinishUnary(context, who.status());
  Request request;
  absl::Status status = ParseRequest(*raw_request, &request);
  Response response;
  if (status.ok()) status = handler(*who, request, &response);
  if (status.ok()) status = SerializeReply(response, raw_response);
  return FinishUnary(context, status);
}

// The same with a member function as the handler (an engine method, or the service's own):
//   return ServeUnary(*engine_, methods::kVerify, context, in, out, engine_,
//                     &engine::Engine::Verify);
template <typename Service, typename Request, typename Response>
grpc::ServerUnaryReactor* ServeUnary(
    const engine::Engine& engine, const char* method, grpc::CallbackServerContext* context,
    const grpc::ByteBuffer* raw_request, grpc::ByteBuffer* raw_response, Service* service,
    absl::Status (Service::*handler)(const Principal&, const Request&, Response*)) {
  return ServeUnary<Request, Response>(
      engine, method, context, raw_request, raw_response,
      [&](const Principal& who, const Request& request, Response* response) {
        return (service->*handler)(who, request, response);
      });
}

template <typename Service, typename Request, typename Response>
grpc::ServerUnaryReactor* ServeUnary(
    const engine::Engine& engine, const char* method, grpc::CallbackServerContext* context,
    const grpc::ByteBuffer* raw_request, grpc::ByteBuffer* raw_response, const Service* service,
    absl::Status (Service::*handler)(const Principal&, const Request&, Response*) const) {
  return ServeUnary<Request, Response>(
      engine, method, context, raw_request, raw_response,
      [&](const Principal& who, const Request& request, Response* response) {
        return (service->*handler)(who, request, response);
      });
}

// A query: an engine method, its time (from the parsed request to the answer) reported to
// `metrics` (nullptr: not timed).
template <typename Request, typename Response>
grpc::ServerUnaryReactor* ServeTimed(
    const engine::Engine& engine, const Metrics* metrics, const char* method,
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response,
    absl::Status (engine::Engine::*handler)(const Principal&, const Request&, Response*) const) {
  return ServeUnary<Request, Response>(
      engine, method, context, raw_request, raw_response,
      [&](const Principal& who, const Request& request, Response* response) {
        Metrics::QueryTimer timer(metrics, method);
        return (engine.*handler)(who, request, response);
      });
}

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_RAW_CALL_H_
