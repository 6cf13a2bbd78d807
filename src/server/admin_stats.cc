// AdminService.GetStats: the metrics (metrics.h) over gRPC, so `salestrack stats` works wherever
// the API does (TLS, keys) without the Prometheus endpoint.
#include "server/grpc_status.h"
#include "server/kpi_service.h"

namespace salestrack::server {

grpc::ServerUnaryReactor* AdminServiceImpl::GetStats(grpc::CallbackServerContext* context,
                                                     const v1::GetStatsRequest* request,
                                                     v1::GetStatsResponse* response) {
  if (auto who = auth_->Authorize(*context, methods::kGetStats); !who.ok()) {
    return FinishUnary(context, who.status());
  }
  *response = metrics_->Stats();
  return FinishUnary(context, absl::OkStatus());
}

}  // namespace salestrack::server
