// KpiService and AdminService over gRPC: each handler decodes the request, calls the engine
// (engine/engine.h, which decides access and does the work), times it, and encodes the answer.
#ifndef SALESTRACK_SERVER_KPI_SERVICE_H_
#define SALESTRACK_SERVER_KPI_SERVICE_H_

#include "engine/engine.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "server/metrics.h"
#include "server/raw_call.h"

namespace salestrack::server {

// Every method raw (raw_call.h): requests are parsed by ServeUnary, after the caller's key.
using KpiServiceBase =
    v1::KpiService::WithRawCallbackMethod_GetKpis<v1::KpiService::WithRawCallbackMethod_GetFunnel<
        v1::KpiService::WithRawCallbackMethod_ListFollowUps<
            v1::KpiService::WithRawCallbackMethod_GetScorecard<
                v1::KpiService::WithRawCallbackMethod_CheckTargets<
                    v1::KpiService::WithRawCallbackMethod_GetOrgInfo<
                        v1::KpiService::WithRawCallbackMethod_ExplainScore<
                            v1::KpiService::WithRawCallbackMethod_GetReport<
                                v1::KpiService::Service>>>>>>>>;
using AdminServiceBase = v1::AdminService::WithRawCallbackMethod_Verify<
    v1::AdminService::WithRawCallbackMethod_Rebuild<v1::AdminService::WithRawCallbackMethod_Backup<
        v1::AdminService::WithRawCallbackMethod_GetStats<
            v1::AdminService::WithRawCallbackMethod_ListDeadLetters<
                v1::AdminService::WithRawCallbackMethod_RetryDeadLetters<
                    v1::AdminService::Service>>>>>>;

class KpiServiceImpl final : public KpiServiceBase {
 public:
  // `metrics`: where the handlers' times go (nullptr: not timed).
  KpiServiceImpl(const engine::Engine* engine, const Metrics* metrics)
      : engine_(engine), metrics_(metrics) {}

  grpc::ServerUnaryReactor* GetKpis(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override {
    return ServeTimed(*engine_, metrics_, methods::kGetKpis, context, request, response,
                      &engine::Engine::GetKpis);
  }
  grpc::ServerUnaryReactor* GetFunnel(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override {
    return ServeTimed(*engine_, metrics_, methods::kGetFunnel, context, request, response,
                      &engine::Engine::GetFunnel);
  }
  grpc::ServerUnaryReactor* ListFollowUps(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override {
    return ServeTimed(*engine_, metrics_, methods::kListFollowUps, context, request, response,
                      &engine::Engine::ListFollowUps);
  }
  grpc::ServerUnaryReactor* GetScorecard(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override {
    return ServeTimed(*engine_, metrics_, methods::kGetScorecard, context, request, response,
                      &engine::Engine::GetScorecard);
  }
  grpc::ServerUnaryReactor* CheckTargets(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override {
    return ServeTimed(*engine_, metrics_, methods::kCheckTargets, context, request, response,
                      &engine::Engine::CheckTargets);
  }
  grpc::ServerUnaryReactor* GetOrgInfo(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override {
    return ServeTimed(*engine_, metrics_, methods::kGetOrgInfo, context, request, response,
                      &engine::Engine::GetOrgInfo);
  }
  grpc::ServerUnaryReactor* ExplainScore(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override {
    return ServeTimed(*engine_, metrics_, methods::kExplainScore, context, request, response,
                      &engine::Engine::ExplainScore);
  }
  grpc::ServerUnaryReactor* GetReport(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override {
    return ServeTimed(*engine_, metrics_, methods::kGetReport, context, request, response,
                      &engine::Engine::GetReport);
  }

 private:
  const engine::Engine* const engine_;
  const Metrics* const metrics_;
};

class AdminServiceImpl final : public AdminServiceBase {
 public:
  AdminServiceImpl(engine::Engine* engine, const Metrics* metrics)
      : engine_(engine), metrics_(metrics) {}

  grpc::ServerUnaryReactor* Verify(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override {
    return ServeUnary(*engine_, methods::kVerify, context, request, response, engine_,
                      &engine::Engine::Verify);
  }
  grpc::ServerUnaryReactor* Rebuild(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override {
    return ServeUnary(*engine_, methods::kRebuild, context, request, response, engine_,
                      &engine::Engine::Rebuild);
  }
  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override {
    return ServeUnary(*engine_, methods::kBackup, context, request, response, engine_,
                      &engine::Engine::Backup);
  }
  grpc::ServerUnaryReactor* GetStats(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override {
    return ServeUnary(*engine_, methods::kGetStats, context, request, response, this,
                      &AdminServiceImpl::HandleGetStats);
  }
  grpc::ServerUnaryReactor* ListDeadLetters(grpc::CallbackServerContext* context,
                                            const grpc::ByteBuffer* request,
                                            grpc::ByteBuffer* response) override {
    return ServeUnary(*engine_, methods::kListDeadLetters, context, request, response, engine_,
                      &engine::Engine::ListDeadLetters);
  }
  grpc::ServerUnaryReactor* RetryDeadLetters(grpc::CallbackServerContext* context,
                                             const grpc::ByteBuffer* request,
                                             grpc::ByteBuffer* response) override {
    return ServeUnary(*engine_, methods::kRetryDeadLetters, context, request, response, engine_,
                      &engine::Engine::RetryDeadLetters);
  }

 private:
  // GetStats (admin_stats.cc): the daemon's metrics, which the engine does not hold.
  absl::Status HandleGetStats(const Principal& who, const v1::GetStatsRequest& request,
                              v1::GetStatsResponse* response);

  engine::Engine* const engine_;
  const Metrics* const metrics_;
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_KPI_SERVICE_H_
