// AdminService.GetStats: the metrics (metrics.h) over gRPC, so `salestrack stats` works wherever
// the API does (TLS, keys) without the Prometheus endpoint.
#include "server/grpc_status.h"
#include "server/kpi_service.h"

namespace salestrack::server {

absl::Status AdminServiceImpl::HandleGetStats(const Principal& who,
                                              const v1::GetStatsRequest& request,
                                              v1::GetStatsResponse* response) {
  *response = metrics_->Stats();
  return absl::OkStatus();
}

}  // namespace salestrack::server
