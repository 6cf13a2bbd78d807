#include "notify/notifier.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "salestrack/status_macros.h"
#include "spdlog/spdlog.h"

namespace salestrack::notify {
namespace {

constexpr size_t kMaxListed = 1000;
constexpr size_t kMaxRetryKeys = 1000;
const Principal kNotifier{.name = "notifier", .role = Role::kAdmin};
// After a failed round (a full disk, say), the next one waits this long.
constexpr absl::Duration kRoundRetry = absl::Seconds(1);

}  // namespace

struct Notifier::Wake {
  Mutex mu;
  bool stopping ABSL_GUARDED_BY(mu) = false;
  bool moved ABSL_GUARDED_BY(mu) = false;       // The log moved past the waited seq.
  bool registered ABSL_GUARDED_BY(mu) = false;  // A sequencer waiter is out.
  bool closed ABSL_GUARDED_BY(mu) = false;      // The sequencer closed its waiters.
};

Notifier::Notifier(engine::Engine* engine, const NotifyOptions& options, const Clock* clock)
    : engine_(engine),
      options_(options),
      clock_(clock),
      outbox_(&engine->store()),
      triggers_(engine, options),
      wake_(std::make_shared<Wake>()) {}

absl::StatusOr<std::unique_ptr<Notifier>> Notifier::Start(engine::Engine* engine,
                                                          const NotifyOptions& options,
                                                          const Clock* clock) {
  std::unique_ptr<Notifier> n(new Notifier(engine, options, clock));
  ASSIGN_OR_RETURN(std::optional<uint64_t> checkpoint, n->outbox_.ReadCheckpoint());
  if (!checkpoint) {
    Outbox::Step first;
    first.checkpoint = engine->sequencer().committed_seq();
    RETURN_IF_ERROR(n->outbox_.Commit(first));
    checkpoint = first.checkpoint;
  }
  n->checkpoint_ = *checkpoint;
  RETURN_IF_ERROR(n->triggers_.Load(n->outbox_));
  for (const v1::NotifyRule& rule : options.rules) {
    n->senders_[rule.name()] =
        std::make_unique<RuleSender>(rule, options.delivery, &n->outbox_, &n->stats_, clock);
  }
  std::vector<v1::Notification> pending;
  RETURN_IF_ERROR(n->outbox_.LoadPending(&pending));
  std::map<std::string, std::vector<v1::Notification>> by_rule;
  for (v1::Notification& p : pending) {
    if (!n->senders_.contains(p.rule())) {
      p.set_last_error(absl::StrCat("rule \"", p.rule(), "\" is no longer configured"));
      RETURN_IF_ERROR(n->outbox_.Bury(p));
      ++n->stats_.dead_lettered;
      continue;
    }
    by_rule[p.rule()].push_back(std::move(p));
  }
  for (auto& [rule, list] : by_rule) n->senders_[rule]->Add(std::move(list));
  for (auto& [rule, sender] : n->senders_) sender->Start();
  spdlog::info("event=notify_started rules={} checkpoint={} pending={}", options.rules.size(),
               n->checkpoint_, pending.size());
  n->thread_ = std::thread([raw = n.get()] { raw->Run(); });
  return n;
}

Notifier::~Notifier() { Stop(); }

void Notifier::Stop() {
  {
    MutexLock lock(&wake_->mu);
    wake_->stopping = true;
  }
  if (thread_.joinable()) thread_.join();
  for (auto& [rule, sender] : senders_) sender->Stop();
}

void Notifier::Run() {
  for (;;) {
    {
      MutexLock lock(&wake_->mu);
      if (wake_->stopping) return;
    }
    if (absl::Status s = Round(); !s.ok()) {
      spdlog::error("event=notify_round_failed checkpoint={} error=\"{}\"", checkpoint_,
                    std::string(s.message()));
      // What the failed round changed in memory is taken back from the outbox.
      if (absl::Status reload = triggers_.Load(outbox_); !reload.ok()) {
        spdlog::error("event=notify_reload_failed error=\"{}\"", std::string(reload.message()));
      }
      MutexLock lock(&wake_->mu);
      wake_->mu.AwaitWithTimeout(absl::Condition(&wake_->stopping), kRoundRetry);
      continue;
    }
    if (checkpoint_ >= engine_->sequencer().committed_seq()) Wait();
  }
}

absl::Status Notifier::Round() {
  Outbox::Step step;
  const absl::Time now = clock_->Now();
  const uint64_t head = engine_->sequencer().committed_seq();
  if (checkpoint_ < head) {
    // The engine's log reader, without follow (so it takes no follower place): this round's
    // records, at most a message's worth.
    v1::ReadEventsRequest request;
    request.set_from_seq(checkpoint_ + 1);
    ASSIGN_OR_RETURN(std::unique_ptr<engine::LogReader> reader,
                     engine_->ReadEvents(kNotifier, request));
    v1::ReadEventsResponse response;
    ASSIGN_OR_RETURN(engine::LogReader::Step read, reader->Read(&response));
    if (read == engine::LogReader::Step::kRecords) {
      RETURN_IF_ERROR(triggers_.OnRecords(response.records(), now, &step));
      step.checkpoint = response.records().rbegin()->seq();
    }
  }
  RETURN_IF_ERROR(triggers_.OnClock(now, step.checkpoint.value_or(checkpoint_), &step));
  if (step.empty()) return absl::OkStatus();
  RouteOverflow(&step);
  RETURN_IF_ERROR(outbox_.Commit(step));
  stats_.dead_lettered += step.dead.size();
  std::map<std::string, std::vector<v1::Notification>> by_rule;
  for (v1::Notification& n : step.pending) by_rule[n.rule()].push_back(std::move(n));
  for (auto& [rule, list] : by_rule) senders_[rule]->Add(std::move(list));
  if (step.checkpoint) checkpoint_ = *step.checkpoint;
  return absl::OkStatus();
}

void Notifier::RouteOverflow(Outbox::Step* step) {
  std::map<std::string, size_t> depth;
  std::vector<v1::Notification> kept;
  for (v1::Notification& n : step->pending) {
    auto [it, fresh] = depth.try_emplace(n.rule(), 0);
    if (fresh) it->second = senders_[n.rule()]->pending();
    if (it->second >= options_.delivery.max_pending_per_rule) {
      n.set_last_error(absl::StrCat("rule \"", n.rule(), "\" already has ",
                                    options_.delivery.max_pending_per_rule,
                                    " pending notifications (notify_delivery."
                                    "max_pending_per_rule)"));
      spdlog::warn("event=notify_queue_full rule={} key={}", n.rule(), n.idempotency_key());
      step->dead.push_back(std::move(n));
      continue;
    }
    ++it->second;
    kept.push_back(std::move(n));
  }
  step->pending = std::move(kept);
}

void Notifier::Wait() {
  std::shared_ptr<Wake> wake = wake_;
  bool register_waiter = false;
  {
    MutexLock lock(&wake->mu);
    wake->moved = false;
    register_waiter = !wake->registered && !wake->closed;
    wake->registered = wake->registered || register_waiter;
  }
  if (register_waiter) {
    // Outside the lock: a stopped sequencer runs the callback at once, on this thread.
    v1::ReadEventsRequest request;
    request.set_from_seq(checkpoint_ + 1);
    absl::StatusOr<std::unique_ptr<engine::LogReader>> reader =
        engine_->ReadEvents(kNotifier, request);
    if (!reader.ok()) return;
    (*reader)->WaitForMore([wake](bool live) {
      MutexLock lock(&wake->mu);
      wake->registered = false;
      wake->moved = true;
      wake->closed = wake->closed || !live;
    });
  }
  const absl::Time now = clock_->Now();
  const absl::Duration until_digest = triggers_.NextDigest(now) - now;
  MutexLock lock(&wake->mu);
  wake->mu.AwaitWithTimeout(
      absl::Condition(
          +[](Wake* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu) { return w->stopping || w->moved; },
          wake.get()),
      std::clamp(until_digest, absl::ZeroDuration(), absl::Seconds(1)));
}

absl::Status Notifier::List(const v1::ListDeadLettersRequest& request,
                            v1::ListDeadLettersResponse* response) {
  const size_t limit =
      request.limit() == 0 ? kMaxListed : std::min<size_t>(request.limit(), kMaxListed);
  std::vector<v1::Notification> dead;
  uint64_t total = 0;
  RETURN_IF_ERROR(outbox_.ListDead(request.rule(), limit, &dead, &total));
  for (v1::Notification& n : dead) *response->add_dead_letters() = std::move(n);
  response->set_total(total);
  return absl::OkStatus();
}

absl::Status Notifier::Retry(const v1::RetryDeadLettersRequest& request,
                             v1::RetryDeadLettersResponse* response) {
  if (request.all() == (request.idempotency_keys_size() > 0)) {
    return absl::InvalidArgumentError(
        "idempotency_keys: name the dead letters to retry, or set all (not both)");
  }
  if (static_cast<size_t>(request.idempotency_keys_size()) > kMaxRetryKeys) {
    return absl::InvalidArgumentError(
        absl::StrCat("idempotency_keys: at most ", kMaxRetryKeys, " per call"));
  }
  if (!request.rule().empty() && !request.all()) {
    return absl::InvalidArgumentError("rule: only with all");
  }
  const std::vector<std::string> keys(request.idempotency_keys().begin(),
                                      request.idempotency_keys().end());
  ASSIGN_OR_RETURN(
      std::vector<v1::Notification> revived,
      outbox_.Revive(keys, request.all(), request.rule(),
                     [&](const std::string& rule) { return senders_.contains(rule); }));
  response->set_requeued(static_cast<uint32_t>(revived.size()));
  std::map<std::string, std::vector<v1::Notification>> by_rule;
  for (v1::Notification& n : revived) by_rule[n.rule()].push_back(std::move(n));
  for (auto& [rule, list] : by_rule) senders_.at(rule)->Add(std::move(list));
  spdlog::info("event=notify_requeued count={}", response->requeued());
  return absl::OkStatus();
}

}  // namespace salestrack::notify
