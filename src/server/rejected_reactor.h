// RejectedReactor: a streaming call refused before it starts (e.g. by Auth::Authorize). It finishes
// at once with the refusal and deletes itself when gRPC is done with it.
#ifndef SALESTRACK_SERVER_REJECTED_REACTOR_H_
#define SALESTRACK_SERVER_REJECTED_REACTOR_H_

#include "absl/status/status.h"
#include "server/grpc_status.h"

namespace salestrack::server {

// Reactor: grpc::ServerBidiReactor<Req, Resp>, grpc::ServerWriteReactor<Resp> or
// grpc::ServerReadReactor<Req>.
template <typename Reactor>
class RejectedReactor final : public Reactor {
 public:
  explicit RejectedReactor(const absl::Status& status) { this->Finish(ToGrpcStatus(status)); }
  // With the status's retry hint in the call's trailing metadata.
  RejectedReactor(const absl::Status& status, grpc::ServerContextBase* context) {
    this->Finish(ToGrpcStatus(status, context));
  }
  void OnDone() override { delete this; }
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_REJECTED_REACTOR_H_
