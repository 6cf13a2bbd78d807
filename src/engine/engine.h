// Engine: salestrackd without a transport. It owns the data directory (store, single writer,
// views, live boards) and answers every method of the v1 API as plain C++ calls: requests and
// responses are the v1 messages, refusals are absl::Status (with retry hints, retry_hint.h). A
// front door (gRPC today: src/server/; HTTP next) decodes bytes, calls the engine, and encodes.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Open(options, RealClock::Get()));
//   ASSIGN_OR_RETURN(Principal who, engine->Authenticate(bearer_header, methods::kGetKpis));
//   RETURN_IF_ERROR(engine->GetKpis(who, request, &response));
//
// Access is decided here and only here: Authenticate maps the key to a Principal and checks the
// method's row of the role table (auth.h); every method then checks that row again for the
// principal it is given, and the request's scope (subject, board, or a batch's events and
// entities, access.h), so a front door cannot skip either. Authenticate runs before the request's
// bytes are decoded, so a caller without a valid key learns nothing from them.
//
// Streaming methods get transport-free primitives a front door loops over: an AppendAdmission per
// caller (each request of an AppendStream goes through it), a LogReader (ReadEvents, with follow),
// and a board Subscription that wakes a SubscriberSink (SubscribeLeaderboard).
//
// Thread-safe.
#ifndef SALESTRACK_ENGINE_ENGINE_H_
#define SALESTRACK_ENGINE_ENGINE_H_

#include <atomic>
#include <memory>
#include <optional>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/append_admission.h"
#include "engine/append_budget.h"
#include "engine/auth.h"
#include "engine/boards.h"
#include "engine/checkpointer.h"
#include "engine/dead_letters.h"
#include "engine/log_reader.h"
#include "engine/options.h"
#include "engine/rate_limiter.h"
#include "engine/views.h"
#include "salestrack/clock.h"
#include "salestrack/v1/kpi_service.pb.h"
#include "salestrack/v1/leaderboard_service.pb.h"
#include "salestrack/v1/log_service.pb.h"
#include "store/currency_binding.h"
#include "store/log_store.h"
#include "store/sequencer.h"

namespace salestrack::engine {

// Where the engine reports its timings (the daemon's metrics); each may be null.
struct EngineProbes {
  store::SequencerProbe* sequencer = nullptr;
  const Views::ReadProbe* reads = nullptr;
};

class Engine {
 public:
  // Checks the keys and limits, restores a backup if asked, opens the data directory, binds the
  // org time zone, replays the log into the views and starts the writer and the board hub. Errors
  // name the config field or the directory's problem.
  static absl::StatusOr<std::unique_ptr<Engine>> Open(const EngineOptions& options,
                                                      const Clock* clock, EngineProbes probes = {});
  ~Engine();  // StopWriter()s, then closes the store.
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // ---- Access (auth.h)
  // The caller of `method` (a full method name, methods::k*): `authorization` is the request's
  // authorization value, "Bearer TOKEN" (nullopt: none was sent); `peer` names the caller in the
  // debug log. UNAUTHENTICATED without a key or with an unknown one; PERMISSION_DENIED when the
  // key's role may not call the method. With auth off every caller is an admin.
  absl::StatusOr<Principal> Authenticate(std::optional<absl::string_view> authorization,
                                         absl::string_view method,
                                         absl::string_view peer = {}) const;
  // PERMISSION_DENIED unless who's role may call `method`.
  absl::Status Authorize(const Principal& who, absl::string_view method) const;
  bool auth_enabled() const { return auth_->enabled(); }

  // ---- KpiService (kpi_queries.cc, scoring_queries.cc)
  absl::Status GetKpis(const Principal& who, const v1::GetKpisRequest& request,
                       v1::GetKpisResponse* response) const;
  absl::Status GetFunnel(const Principal& who, const v1::GetFunnelRequest& request,
                         v1::GetFunnelResponse* response) const;
  absl::Status ListFollowUps(const Principal& who, const v1::ListFollowUpsRequest& request,
                             v1::ListFollowUpsResponse* response) const;
  absl::Status GetScorecard(const Principal& who, const v1::GetScorecardRequest& request,
                            v1::GetScorecardResponse* response) const;
  absl::Status ExplainScore(const Principal& who, const v1::ExplainScoreRequest& request,
                            v1::ExplainScoreResponse* response) const;
  absl::Status CheckTargets(const Principal& who, const v1::CheckTargetsRequest& request,
                            v1::CheckTargetsResponse* response) const;
  // The evaluation report rendered (report_query.cc, src/report/render.h): the scorecards, the
  // ranking and the funnel as who may read them, so the same refusals as GetScorecard.
  absl::Status GetReport(const Principal& who, const v1::GetReportRequest& request,
                         v1::GetReportResponse* response) const;
  // Every role; what it lists is cut to the caller's scope (org_info.cc, docs/access.md).
  absl::Status GetOrgInfo(const Principal& who, const v1::GetOrgInfoRequest& request,
                          v1::GetOrgInfoResponse* response) const;

  // ---- AdminService (GetStats is the front door's: its figures are the daemon's metrics)
  absl::Status Verify(const Principal& who, const v1::VerifyRequest& request,
                      v1::VerifyResponse* response);
  absl::Status Rebuild(const Principal& who, const v1::RebuildRequest& request,
                       v1::RebuildResponse* response);
  absl::Status Backup(const Principal& who, const v1::BackupRequest& request,
                      v1::BackupResponse* response);  // backup.cc
  // The notifier's dead letters: FAILED_PRECONDITION until SetDeadLetters gave them.
  absl::Status ListDeadLetters(const Principal& who, const v1::ListDeadLettersRequest& request,
                               v1::ListDeadLettersResponse* response);
  absl::Status RetryDeadLetters(const Principal& who, const v1::RetryDeadLettersRequest& request,
                                v1::RetryDeadLettersResponse* response);
  // REQUIRES: `dead_letters` outlives the engine's calls, or SetDeadLetters(nullptr) is called
  // before it goes (calls in flight then still finish on it).
  void SetDeadLetters(DeadLetters* dead_letters) { dead_letters_.store(dead_letters); }

  // ---- LeaderboardService
  absl::Status GetLeaderboard(const Principal& who, const v1::GetLeaderboardRequest& request,
                              v1::GetLeaderboardResponse* response) const;
  // Registers `sink` (REQUIRES: it outlives the subscription, or Unsubscribe is called first) on
  // the board the request names, whose outbox then holds its first message: the caller wakes its
  // writer. Refusals: the role table, the board's scope, a full subscriber table
  // (RESOURCE_EXHAUSTED with a retry hint), the board's own errors.
  absl::StatusOr<std::shared_ptr<Subscription>> SubscribeLeaderboard(
      const Principal& who, const v1::SubscribeLeaderboardRequest& request, SubscriberSink* sink);
  void Unsubscribe(const std::shared_ptr<Subscription>& subscription);

  // ---- LogService
  // The way of who's append requests to the writer (append_admission.h). `method` is the one the
  // caller called (kAppend or kAppendStream): Admit checks its row again.
  AppendAdmission Appender(const Principal& who, absl::string_view method) const;
  // The memory appending clients hold (append_budget.h), charged by the front door as it reads.
  AppendBudget& append_budget() { return *append_budget_; }
  // A reader of the log from request.from_seq. Refusals: the role table, a full follower table
  // (RESOURCE_EXHAUSTED with a retry hint) when it follows.
  absl::StatusOr<std::unique_ptr<LogReader>> ReadEvents(const Principal& who,
                                                        const v1::ReadEventsRequest& request);
  absl::Status GetLogInfo(const Principal& who, const v1::GetLogInfoRequest& request,
                          v1::GetLogInfoResponse* response) const;

  // ---- The daemon's life
  // Ends live readers (their WaitForMore gets false) and board subscribers (Close with
  // UNAVAILABLE), and refuses new ones: the first step of a graceful shutdown, so live streams do
  // not hold it up while appends still commit.
  void CloseStreams();
  // Commits what is queued and stops the writer; later appends are refused with UNAVAILABLE.
  // Idempotent.
  void StopWriter();

  // For metrics and stats.
  const store::LogStore& store() const { return *store_; }
  const store::Sequencer& sequencer() const { return *sequencer_; }
  const BoardHub& boards() const { return *boards_; }
  // The KPI views, for in-process consumers of the figures (the notifier).
  const Views& views() const { return *views_; }
  const std::atomic<size_t>& log_followers() const { return followers_; }
  absl::TimeZone zone() const { return views_->zone(); }
  // The zone's name as the data directory holds it.
  const std::string& zone_name() const { return zone_name_; }
  // The org currency, as the data directory holds it.
  const store::Currency& currency() const { return currency_; }

 private:
  Engine(const EngineOptions& options, const Clock* clock) : options_(options), clock_(clock) {}

  // Checks `subject` is in the caller's scope (access.h).
  absl::Status CheckSubject(const Principal& who, const v1::Subject& subject) const;
  // Checks the board is in the caller's scope (access.h).
  absl::Status CheckBoard(const Principal& who, const v1::BoardRef& board) const;

  const EngineOptions options_;
  const Clock* const clock_;
  std::unique_ptr<Auth> auth_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<store::LogStore> store_;
  std::unique_ptr<Views> views_;
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unique_ptr<store::Sequencer> sequencer_;
  std::unique_ptr<AppendBudget> append_budget_;
  std::unique_ptr<BoardHub> boards_;
  std::string zone_name_;
  store::Currency currency_;
  std::atomic<size_t> followers_{0};  // Live ReadEvents readers with follow.
  std::atomic<DeadLetters*> dead_letters_{nullptr};
};

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_ENGINE_H_
