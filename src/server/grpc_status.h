// The one place an absl::Status becomes a grpc::Status (and back, for clients of the core).
#ifndef SALESTRACK_SERVER_GRPC_STATUS_H_
#define SALESTRACK_SERVER_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"

namespace salestrack::server {

grpc::StatusCode ToGrpcCode(absl::StatusCode code);
grpc::Status ToGrpcStatus(const absl::Status& status);

// Finishes a unary callback call with `status`: `return FinishUnary(context, s);`.
grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* context,
                                      const absl::Status& status);

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_GRPC_STATUS_H_
