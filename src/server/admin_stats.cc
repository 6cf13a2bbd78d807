// AdminService.GetStats: the metrics (metrics.h) over gRPC, so `salestrack stats` works wherever
// the API does (TLS, keys) without the Prometheus endpoint.
#include "salestrack/status_macros.h"
#include "server/kpi_service.h"

namespace salestrack::server {

absl::Status AdminServiceImpl::HandleGetStats(const Principal& who,
                                              const v1::GetStatsRequest& request,
                                              v1::GetStatsResponse* response) {
  RETURN_IF_ERROR(engine_->Authorize(who, methods::kGetStats));
  *response = metrics_->Stats();
  return absl::OkStatus();
}

}  // namespace salestrack::server
