#include "http/engine_methods.h"

#include <algorithm>
#include <memory>

#include "absl/synchronization/notification.h"
#include "http/streams.h"

namespace salestrack::http {
namespace {

namespace methods = engine::methods;

// Append, as LogServiceImpl::Append does it over gRPC, waiting on this thread for the commit.
absl::Status AppendAndWait(engine::Engine* engine, const EngineMethodsOptions& options,
                           const Principal& who, const v1::AppendRequest& request,
                           v1::AppendResponse* response) {
  auto answered = [&](size_t events, const absl::StatusOr<store::AppendResult>& result) {
    if (options.append_answered) options.append_answered(events, result);
  };
  const size_t bytes = request.ByteSizeLong();
  engine::AppendBudget& budget = engine->append_budget();
  if (absl::Status full = budget.TryCharge(who.name, bytes); !full.ok()) {
    answered(0, full);
    return full;
  }
  engine::AppendAdmission admission = engine->Appender(who, methods::kAppend);
  if (absl::Status s = admission.Admit(request.events()); !s.ok()) {
    budget.Release(who.name, bytes);
    answered(request.events_size(), s);
    return s;
  }
  absl::Notification done;
  absl::StatusOr<store::AppendResult> result;
  admission.Submit(&request.events(), [&](absl::StatusOr<store::AppendResult> r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  budget.Release(who.name, bytes);
  answered(request.events_size(), result);
  if (!result.ok()) return result.status();
  response->mutable_seqs()->Add(result->seqs.begin(), result->seqs.end());
  response->set_duplicates(result->duplicates);
  return absl::OkStatus();
}

}  // namespace

void AddEngineMethods(engine::Engine* engine, const EngineMethodsOptions& options,
                      MethodTable* table) {
  // LogService.
  table->AddUnary<v1::AppendRequest, v1::AppendResponse>(
      methods::kAppend, [engine, options](const Principal& who, const v1::AppendRequest& request,
                                          v1::AppendResponse* response) {
        return AppendAndWait(engine, options, who, request, response);
      });
  table->AddRefused(methods::kAppendStream,
                    absl::UnimplementedError(
                        "AppendStream is not served over HTTP/1.1 (a client stream): send each "
                        "batch with /salestrack.v1.LogService/Append, or use gRPC"));
  table->AddStream<v1::ReadEventsRequest>(
      methods::kReadEvents,
      [engine, options](const Principal& who, const v1::ReadEventsRequest& request,
                        StreamWriter* writer) {
        return StreamEvents(engine, who, request, writer, options.heartbeat, options.stopping);
      },
      [](v1::ReadEventsRequest* request, uint64_t seq) { request->set_from_seq(seq + 1); });
  table->AddUnary(methods::kGetLogInfo, engine, &engine::Engine::GetLogInfo);
  // KpiService.
  table->AddUnary(methods::kGetKpis, engine, &engine::Engine::GetKpis);
  table->AddUnary(methods::kGetFunnel, engine, &engine::Engine::GetFunnel);
  table->AddUnary(methods::kListFollowUps, engine, &engine::Engine::ListFollowUps);
  table->AddUnary(methods::kGetScorecard, engine, &engine::Engine::GetScorecard);
  table->AddUnary(methods::kCheckTargets, engine, &engine::Engine::CheckTargets);
  table->AddUnary(methods::kGetOrgInfo, engine, &engine::Engine::GetOrgInfo);
  table->AddUnary(methods::kExplainScore, engine, &engine::Engine::ExplainScore);
  table->AddUnary(methods::kGetReport, engine, &engine::Engine::GetReport);
  // AdminService.
  table->AddUnary(methods::kVerify, engine, &engine::Engine::Verify);
  table->AddUnary(methods::kRebuild, engine, &engine::Engine::Rebuild);
  table->AddUnary(methods::kBackup, engine, &engine::Engine::Backup);
  table->AddUnary(methods::kListDeadLetters, engine, &engine::Engine::ListDeadLetters);
  table->AddUnary(methods::kRetryDeadLetters, engine, &engine::Engine::RetryDeadLetters);
  table->AddUnary<v1::GetStatsRequest, v1::GetStatsResponse>(
      methods::kGetStats,
      [engine, stats = options.stats](const Principal& who, const v1::GetStatsRequest&,
                                      v1::GetStatsResponse* response) {
        if (absl::Status s = engine->Authorize(who, methods::kGetStats); !s.ok()) return s;
        if (!stats) return absl::UnimplementedError("this daemon keeps no statistics");
        *response = stats();
        return absl::OkStatus();
      });
  // LeaderboardService.
  table->AddUnary(methods::kGetLeaderboard, engine, &engine::Engine::GetLeaderboard);
  table->AddStream<v1::SubscribeLeaderboardRequest>(
      methods::kSubscribeLeaderboard,
      [engine, options](const Principal& who, const v1::SubscribeLeaderboardRequest& request,
                        StreamWriter* writer) {
        return StreamBoard(engine, who, request, writer, options.heartbeat, options.stopping,
                           options.fanout);
      },
      [](v1::SubscribeLeaderboardRequest* request, uint64_t seq) {
        request->set_resume_after_seq(std::max(request->resume_after_seq(), seq));
      });
}

}  // namespace salestrack::http
