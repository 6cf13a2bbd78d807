// KpiService and AdminService: the wire face of the views. Handlers decode the request, ask the
// projector under the views' reader lock, and encode; no domain logic lives here.
#ifndef SALESTRACK_SERVER_KPI_SERVICE_H_
#define SALESTRACK_SERVER_KPI_SERVICE_H_

#include "salestrack/clock.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "server/auth.h"
#include "server/metrics.h"
#include "server/raw_call.h"
#include "server/views.h"
#include "store/log_store.h"

namespace salestrack::server {

// Every method raw (raw_call.h): requests are parsed by ServeUnary, after the caller's key.
using KpiServiceBase =
    v1::KpiService::WithRawCallbackMethod_GetKpis<v1::KpiService::WithRawCallbackMethod_GetFunnel<
        v1::KpiService::WithRawCallbackMethod_ListFollowUps<
            v1::KpiService::WithRawCallbackMethod_GetScorecard<
                v1::KpiService::WithRawCallbackMethod_CheckTargets<v1::KpiService::Service>>>>>;
using AdminServiceBase = v1::AdminService::WithRawCallbackMethod_Verify<
    v1::AdminService::WithRawCallbackMethod_Rebuild<v1::AdminService::WithRawCallbackMethod_Backup<
        v1::AdminService::WithRawCallbackMethod_GetStats<v1::AdminService::Service>>>>;

class KpiServiceImpl final : public KpiServiceBase {
 public:
  // `metrics`: where the handlers' times go (nullptr: not timed).
  KpiServiceImpl(const Views* views, const Auth* auth, const Clock* clock, const Metrics* metrics)
      : views_(views), auth_(auth), clock_(clock), metrics_(metrics) {}

  grpc::ServerUnaryReactor* GetKpis(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override {
    return ServeUnary(*auth_, methods::kGetKpis, context, request, response, this,
                      &KpiServiceImpl::HandleGetKpis);
  }
  grpc::ServerUnaryReactor* GetFunnel(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override {
    return ServeUnary(*auth_, methods::kGetFunnel, context, request, response, this,
                      &KpiServiceImpl::HandleGetFunnel);
  }
  grpc::ServerUnaryReactor* ListFollowUps(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override {
    return ServeUnary(*auth_, methods::kListFollowUps, context, request, response, this,
                      &KpiServiceImpl::HandleListFollowUps);
  }
  grpc::ServerUnaryReactor* GetScorecard(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override {
    return ServeUnary(*auth_, methods::kGetScorecard, context, request, response, this,
                      &KpiServiceImpl::HandleGetScorecard);
  }
  grpc::ServerUnaryReactor* CheckTargets(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override {
    return ServeUnary(*auth_, methods::kCheckTargets, context, request, response, this,
                      &KpiServiceImpl::HandleCheckTargets);
  }

 private:
  // The typed handlers: `who` holds a key allowed to call the method.
  absl::Status HandleGetKpis(const Principal& who, const v1::GetKpisRequest& request,
                             v1::GetKpisResponse* response) const;
  absl::Status HandleGetFunnel(const Principal& who, const v1::GetFunnelRequest& request,
                               v1::GetFunnelResponse* response) const;
  absl::Status HandleListFollowUps(const Principal& who, const v1::ListFollowUpsRequest& request,
                                   v1::ListFollowUpsResponse* response) const;
  // Scoring (scoring_handlers.cc).
  absl::Status HandleGetScorecard(const Principal& who, const v1::GetScorecardRequest& request,
                                  v1::GetScorecardResponse* response) const;
  absl::Status HandleCheckTargets(const Principal& who, const v1::CheckTargetsRequest& request,
                                  v1::CheckTargetsResponse* response) const;

  // Checks `subject` is in the caller's scope.
  absl::Status Allow(const Principal& who, const v1::Subject& subject) const;

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

class AdminServiceImpl final : public AdminServiceBase {
 public:
  AdminServiceImpl(Views* views, const store::LogStore* store, const Auth* auth,
                   const Metrics* metrics, BackupOptions backup)
      : views_(views), store_(store), auth_(auth), metrics_(metrics), backup_(std::move(backup)) {}

  grpc::ServerUnaryReactor* Verify(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override {
    return ServeUnary(*auth_, methods::kVerify, context, request, response, this,
                      &AdminServiceImpl::HandleVerify);
  }
  grpc::ServerUnaryReactor* Rebuild(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override {
    return ServeUnary(*auth_, methods::kRebuild, context, request, response, this,
                      &AdminServiceImpl::HandleRebuild);
  }
  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override {
    return ServeUnary(*auth_, methods::kBackup, context, request, response, this,
                      &AdminServiceImpl::HandleBackup);
  }
  grpc::ServerUnaryReactor* GetStats(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override {
    return ServeUnary(*auth_, methods::kGetStats, context, request, response, this,
                      &AdminServiceImpl::HandleGetStats);
  }

 private:
  // The typed handlers: `who` is an admin.
  absl::Status HandleVerify(const Principal& who, const v1::VerifyRequest& request,
                            v1::VerifyResponse* response);
  absl::Status HandleRebuild(const Principal& who, const v1::RebuildRequest& request,
                             v1::RebuildResponse* response);
  absl::Status HandleBackup(const Principal& who, const v1::BackupRequest& request,
                            v1::BackupResponse* response);
  absl::Status HandleGetStats(const Principal& who, const v1::GetStatsRequest& request,
                              v1::GetStatsResponse* response);

  Views* const views_;
  const store::LogStore* const store_;
  const Auth* const auth_;
  const Metrics* const metrics_;
  const BackupOptions backup_;
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_KPI_SERVICE_H_
