// Notifier: salestrackd's outgoing webhooks (docs/notifications.md). A log consumer with a durable
// checkpoint: one thread follows the log from the checkpoint (the store, woken by the sequencer),
// asks the rules (triggers.h) what each batch of records and each day's digest time produce, and
// writes those notifications, the rules' states and the new checkpoint in one synced batch
// (outbox.h); each rule's RuleSender (sender.h) then posts them. So delivery is at-least-once: a
// decision is never lost or taken twice, and a notification acknowledged (2xx) and recorded is
// never posted again; one acknowledged but not yet recorded when the daemon dies is posted again
// after the restart, with the same Idempotency-Key.
//
// A directory never notified from starts at the log head: history is not announced. Pending
// notifications of a rule no longer configured become dead letters at start.
//
// Ingest never waits for it: it reads the store and the views like a query. Memory is bounded by
// delivery.max_pending_per_rule per rule (past it, new notifications go straight to the dead
// letters) and by the log reader's message (engine::LogReader::kMaxRecordsPerMessage).
//
// Thread-safe. The engine must outlive it.
#ifndef SALESTRACK_NOTIFY_NOTIFIER_H_
#define SALESTRACK_NOTIFY_NOTIFIER_H_

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "engine/dead_letters.h"
#include "engine/engine.h"
#include "notify/config.h"
#include "notify/outbox.h"
#include "notify/sender.h"
#include "notify/stats.h"
#include "notify/triggers.h"
#include "salestrack/clock.h"
#include "salestrack/mutex.h"

namespace salestrack::notify {

class Notifier final : public engine::DeadLetters {
 public:
  // Reads the checkpoint (writing the log head as the first one), the rules' states and the
  // pending notifications, and starts the threads. REQUIRES: options.enabled().
  static absl::StatusOr<std::unique_ptr<Notifier>> Start(engine::Engine* engine,
                                                         const NotifyOptions& options,
                                                         const Clock* clock);
  ~Notifier() override;  // Stop()s.
  // Stops the threads: a post in flight is aborted and stays pending. Idempotent.
  void Stop();

  const NotifyStats& stats() const { return stats_; }

  // engine::DeadLetters.
  absl::Status List(const v1::ListDeadLettersRequest& request,
                    v1::ListDeadLettersResponse* response) override;
  absl::Status Retry(const v1::RetryDeadLettersRequest& request,
                     v1::RetryDeadLettersResponse* response) override;

 private:
  Notifier(engine::Engine* engine, const NotifyOptions& options, const Clock* clock);
  void Run();
  // One round: the records after the checkpoint (a batch of them) and the digests due.
  absl::Status Round();
  // Hands the step's pending notifications to their senders; those over a rule's bound become
  // dead letters instead (before the step is written).
  void RouteOverflow(Outbox::Step* step);
  // Waits until the log moves past the checkpoint, a digest is due, Stop, or 1 s.
  void Wait();

  engine::Engine* const engine_;
  const NotifyOptions options_;
  const Clock* const clock_;
  NotifyStats stats_;
  Outbox outbox_;
  Triggers triggers_;
  std::map<std::string, std::unique_ptr<RuleSender>> senders_;  // By rule; fixed after Start.
  uint64_t checkpoint_ = 0;                                     // The thread's.

  struct Wake;  // Shared with the sequencer's waiter, which may outlive a round.
  std::shared_ptr<Wake> wake_;
  std::thread thread_;
};

}  // namespace salestrack::notify

#endif  // SALESTRACK_NOTIFY_NOTIFIER_H_
