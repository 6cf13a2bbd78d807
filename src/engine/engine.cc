#include "engine/engine.h"

#include "absl/strings/str_cat.h"
#include "engine/retry_hint.h"
#include "salestrack/status_macros.h"
#include "salestrack/v1/kpi_service.pb.h"
#include "spdlog/spdlog.h"
#include "store/backup.h"
#include "store/currency_binding.h"
#include "store/time_zone_binding.h"

namespace salestrack::engine {
namespace {

void LogTimeZoneChoice(const store::TimeZoneChoice& zone, uint64_t head) {
  if (zone.reprojected) {
    spdlog::warn(
        "event=time_zone_reprojected from={} to={} events={} msg=\"every figure is "
        "computed in {} from now on (it was {}); the data directory stores the new zone\"",
        zone.previous, zone.name, head, zone.name, zone.previous);
  } else if (zone.store && !zone.previous.empty()) {
    spdlog::info(
        "event=time_zone_stored zone={} previous={} msg=\"the log is empty: nothing to "
        "re-project\"",
        zone.name, zone.previous);
  } else if (zone.store) {
    spdlog::info(
        "event=time_zone_stored zone={} events={} msg=\"the data directory keeps this "
        "zone from now on\"",
        zone.name, head);
  }
}

absl::Status NoNotifier() {
  return absl::FailedPreconditionError(
      "this daemon sends no notifications (its config has no notify_rules)");
}

}  // namespace

absl::StatusOr<std::unique_ptr<Engine>> Engine::Open(const EngineOptions& options,
                                                     const Clock* clock, EngineProbes probes) {
  std::unique_ptr<Engine> engine(new Engine(options, clock));
  ASSIGN_OR_RETURN(engine->auth_, Auth::Create(options));
  ASSIGN_OR_RETURN(engine->limiter_, RateLimiter::Create(options, clock));
  // Every method of the API must have an access rule (deny by default would hide a forgotten one).
  RETURN_IF_ERROR(CheckMethodTable());
  const store::TimeZoneRequest zone_request{options.time_zone_name, options.reproject_time_zone};
  if (!options.restore_from.empty()) {
    ASSIGN_OR_RETURN(store::BackupInfo restored,
                     store::RestoreBackup(options.restore_from, options.data_dir, zone_request));
    spdlog::info(
        "event=backup_restored from={} head_seq={} files={} bytes={} data_dir={} "
        "time_zone={}",
        restored.dir, restored.head_seq, restored.files, restored.bytes, options.data_dir,
        restored.time_zone);
  }
  store::StoreOptions store_options;
  store_options.block_cache_bytes = options.block_cache_bytes;
  ASSIGN_OR_RETURN(engine->store_, store::LogStore::Open(options.data_dir, store_options));
  ASSIGN_OR_RETURN(store::TimeZoneChoice zone, store::BindTimeZone(*engine->store_, zone_request));
  LogTimeZoneChoice(zone, engine->store_->head_at_open());
  engine->zone_name_ = zone.name;
  ASSIGN_OR_RETURN(engine->currency_, store::BindCurrency(*engine->store_, options.currency));
  // The views replay the log before the writer starts, so the first answer is already complete.
  engine->views_ = std::make_unique<Views>(engine->store_.get(), ProjectorOptions{zone.zone});
  RETURN_IF_ERROR(engine->views_->Load(engine->store_->head_at_open(),
                                       /*use_checkpoint=*/!options.replay_views));
  engine->views_->SetReadProbe(probes.reads);
  engine->checkpointer_ =
      std::make_unique<Checkpointer>(engine->views_.get(), options.views_checkpoint_events);
  engine->sequencer_ = std::make_unique<store::Sequencer>(engine->store_.get(), clock,
                                                          engine->views_.get(), probes.sequencer);
  engine->append_budget_ =
      std::make_unique<AppendBudget>(options.max_key_append_bytes, options.max_append_bytes);
  engine->boards_ =
      std::make_unique<BoardHub>(engine->views_.get(), clock,
                                 BoardHubOptions{.max_subscribers = options.max_board_subscribers});
  return engine;
}

Engine::~Engine() {
  StopWriter();
  // Every acknowledged record is applied: the last checkpoint covers them all.
  if (checkpointer_ != nullptr) checkpointer_->Stop();
  // The hub reads the views, the views read the store.
  boards_.reset();
  sequencer_.reset();
  views_.reset();
  store_.reset();
}

void Engine::CloseStreams() {
  sequencer_->CloseWaiters();
  boards_->CloseSubscribers();
}

void Engine::StopWriter() {
  if (sequencer_ != nullptr) sequencer_->Stop();
}

absl::StatusOr<Principal> Engine::Authenticate(std::optional<absl::string_view> authorization,
                                               absl::string_view method,
                                               absl::string_view peer) const {
  return auth_->Authenticate(authorization, method, peer);
}

absl::Status Engine::Authorize(const Principal& who, absl::string_view method) const {
  return auth_->Authorize(who, method);
}

absl::Status Engine::CheckSubject(const Principal& who, const v1::Subject& subject) const {
  if (who.role == Role::kAdmin) return absl::OkStatus();
  return views_->Read([&](const Projector& p) {
    return CheckSubjectScope(who, subject.rep_id(), subject.unit_id(), p.org());
  });
}

// Boards are read by screens and admins, and by reps and managers for their own units (access.h).
// A competition board counts as a company board.
absl::Status Engine::CheckBoard(const Principal& who, const v1::BoardRef& board) const {
  if (who.role == Role::kAdmin || who.role == Role::kScreen) return absl::OkStatus();
  const std::string unit = board.has_unit_id() ? board.unit_id() : "";
  return views_->Read([&](const Projector& p) { return CheckBoardScope(who, unit, p.org()); });
}

absl::Status Engine::Verify(const Principal& who, const v1::VerifyRequest& /*request*/,
                            v1::VerifyResponse* response) {
  RETURN_IF_ERROR(Authorize(who, methods::kVerify));
  ASSIGN_OR_RETURN(*response, views_->Verify());
  return absl::OkStatus();
}

absl::Status Engine::Rebuild(const Principal& who, const v1::RebuildRequest& /*request*/,
                             v1::RebuildResponse* response) {
  RETURN_IF_ERROR(Authorize(who, methods::kRebuild));
  ASSIGN_OR_RETURN(*response, views_->Rebuild());
  return absl::OkStatus();
}

absl::Status Engine::ListDeadLetters(const Principal& who,
                                     const v1::ListDeadLettersRequest& request,
                                     v1::ListDeadLettersResponse* response) {
  RETURN_IF_ERROR(Authorize(who, methods::kListDeadLetters));
  DeadLetters* dead = dead_letters_.load();
  if (dead == nullptr) return NoNotifier();
  return dead->List(request, response);
}

absl::Status Engine::RetryDeadLetters(const Principal& who,
                                      const v1::RetryDeadLettersRequest& request,
                                      v1::RetryDeadLettersResponse* response) {
  RETURN_IF_ERROR(Authorize(who, methods::kRetryDeadLetters));
  DeadLetters* dead = dead_letters_.load();
  if (dead == nullptr) return NoNotifier();
  return dead->Retry(request, response);
}

absl::Status Engine::GetLeaderboard(const Principal& who, const v1::GetLeaderboardRequest& request,
                                    v1::GetLeaderboardResponse* response) const {
  RETURN_IF_ERROR(Authorize(who, methods::kGetLeaderboard));
  RETURN_IF_ERROR(CheckBoard(who, request.board()));
  ASSIGN_OR_RETURN(*response, boards_->Get(request));
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<Subscription>> Engine::SubscribeLeaderboard(
    const Principal& who, const v1::SubscribeLeaderboardRequest& request, SubscriberSink* sink) {
  RETURN_IF_ERROR(Authorize(who, methods::kSubscribeLeaderboard));
  RETURN_IF_ERROR(CheckBoard(who, request.board()));
  return boards_->Subscribe(request, sink);
}

void Engine::Unsubscribe(const std::shared_ptr<Subscription>& subscription) {
  boards_->Unsubscribe(subscription);
}

AppendAdmission Engine::Appender(const Principal& who, absl::string_view method) const {
  return AppendAdmission(who, method, auth_.get(), views_.get(), limiter_.get(), sequencer_.get(),
                         clock_, options_.validation);
}

absl::StatusOr<std::unique_ptr<LogReader>> Engine::ReadEvents(
    const Principal& who, const v1::ReadEventsRequest& request) {
  RETURN_IF_ERROR(Authorize(who, methods::kReadEvents));
  if (!request.follow()) {
    return std::make_unique<LogReader>(store_.get(), sequencer_.get(), request, nullptr);
  }
  // Counted up here and down when the reader is destroyed.
  if (followers_.fetch_add(1) >= options_.max_log_followers) {
    followers_.fetch_sub(1);
    absl::Status full = absl::ResourceExhaustedError(
        absl::StrCat("this daemon serves at most ", options_.max_log_followers,
                     " live ReadEvents streams (limits.max_log_followers); retry later"));
    SetRetryAfter(&full, kFullRetryAfter);
    return full;
  }
  return std::make_unique<LogReader>(store_.get(), sequencer_.get(), request, &followers_);
}

absl::Status Engine::GetLogInfo(const Principal& who, const v1::GetLogInfoRequest& /*request*/,
                                v1::GetLogInfoResponse* response) const {
  RETURN_IF_ERROR(Authorize(who, methods::kGetLogInfo));
  response->set_head_seq(sequencer_->committed_seq());
  response->set_time_zone(views_->zone().name());
  return absl::OkStatus();
}

}  // namespace salestrack::engine
