// KpiService and AdminService: the wire face of the views. Handlers decode the request, ask the
// projector under the views' reader lock, and encode; no domain logic lives here.
#ifndef SALESTRACK_SERVER_KPI_SERVICE_H_
#define SALESTRACK_SERVER_KPI_SERVICE_H_

#include "salestrack/clock.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "server/auth.h"
#include "server/metrics.h"
#include "server/views.h"
#include "store/log_store.h"

namespace salestrack::server {

class KpiServiceImpl final : public v1::KpiService::CallbackService {
 public:
  // `metrics`: where the handlers' times go (nullptr: not timed).
  KpiServiceImpl(const Views* views, const Auth* auth, const Clock* clock, const Metrics* metrics)
      : views_(views), auth_(auth), clock_(clock), metrics_(metrics) {}

  grpc::ServerUnaryReactor* GetKpis(grpc::CallbackServerContext* context,
                                    const v1::GetKpisRequest* request,
                                    v1::GetKpisResponse* response) override;
  grpc::ServerUnaryReactor* GetFunnel(grpc::CallbackServerContext* context,
                                      const v1::GetFunnelRequest* request,
                                      v1::GetFunnelResponse* response) override;
  grpc::ServerUnaryReactor* ListFollowUps(grpc::CallbackServerContext* context,
                                          const v1::ListFollowUpsRequest* request,
                                          v1::ListFollowUpsResponse* response) override;
  // Scoring (scoring_handlers.cc).
  grpc::ServerUnaryReactor* GetScorecard(grpc::CallbackServerContext* context,
                                         const v1::GetScorecardRequest* request,
                                         v1::GetScorecardResponse* response) override;
  grpc::ServerUnaryReactor* CheckTargets(grpc::CallbackServerContext* context,
                                         const v1::CheckTargetsRequest* request,
                                         v1::CheckTargetsResponse* response) override;

 private:
  // Authorizes `method` and checks `subject` is in the caller's scope.
  absl::Status Allow(const grpc::CallbackServerContext& context, const char* method,
                     const v1::Subject& subject) const;

  const Views* const views_;
  const Auth* const auth_;
  const Clock* const clock_;
  const Metrics* const metrics_;
};

// Backup is in admin_backup.cc, GetStats in admin_stats.cc.
// What AdminService.Backup needs besides the store.
struct BackupOptions {
  std::string backup_dir;   // Where backups requested by name go ("": clients give absolute paths).
  std::string config_path;  // The daemon's config file, for the restore command ("": none).
  bool auth_off = false;    // The daemon runs with --insecure_no_auth (so must a literal restore).
};

class AdminServiceImpl final : public v1::AdminService::CallbackService {
 public:
  AdminServiceImpl(Views* views, const store::LogStore* store, const Auth* auth,
                   const Metrics* metrics, BackupOptions backup)
      : views_(views),
        store_(store),
        auth_(auth),
        metrics_(metrics),
        backup_(std::move(backup)) {}
  grpc::ServerUnaryReactor* Verify(grpc::CallbackServerContext* context,
                                   const v1::VerifyRequest* request,
                                   v1::VerifyResponse* response) override;
  grpc::ServerUnaryReactor* Rebuild(grpc::CallbackServerContext* context,
                                    const v1::RebuildRequest* request,
                                    v1::RebuildResponse* response) override;
  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* context,
                                   const v1::BackupRequest* request,
                                   v1::BackupResponse* response) override;
  grpc::ServerUnaryReactor* GetStats(grpc::CallbackServerContext* context,
                                     const v1::GetStatsRequest* request,
                                     v1::GetStatsResponse* response) override;

 private:
  Views* const views_;
  const store::LogStore* const store_;
  const Auth* const auth_;
  const Metrics* const metrics_;
  const BackupOptions backup_;
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_KPI_SERVICE_H_
