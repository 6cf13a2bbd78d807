// Outbox: the notifier's durable state in the data directory's "notify" column family (formats in
// store/keys.h): the checkpoint, each rule's state, pending notifications and dead letters.
//
// Every change is one synced RocksDB WriteBatch, so after a crash the state is that of the last
// change that returned OK: the evaluator's Commit writes the new notifications, the rules' states
// and the checkpoint together (a restart neither loses nor repeats a decision), and each delivery
// outcome moves one notification (delivered: gone; failed: rescheduled or dead).
//
// Thread-safe (RocksDB is); the notifier keeps one writer per pending key (its rule's sender).
#ifndef SALESTRACK_NOTIFY_OUTBOX_H_
#define SALESTRACK_NOTIFY_OUTBOX_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "salestrack/v1/kpi_service.pb.h"
#include "store/keys.h"
#include "store/log_store.h"

namespace salestrack::notify {

class Outbox {
 public:
  // REQUIRES: `store` outlives this, opened writable (it has the notify family).
  explicit Outbox(const store::LogStore* store) : store_(store) {}

  // The last seq whose notifications are decided; nullopt in a directory never notified from.
  absl::StatusOr<std::optional<uint64_t>> ReadCheckpoint() const;
  absl::StatusOr<std::optional<store::NotifyRuleState>> ReadRuleState(
      const std::string& rule) const;

  // The pending notifications, by rule (every rule that has any, configured or not).
  absl::Status LoadPending(std::vector<v1::Notification>* out) const;

  // One evaluation step, atomically.
  struct Step {
    std::vector<v1::Notification> pending;
    std::vector<v1::Notification> dead;  // Found their rule's queue full.
    std::vector<std::pair<std::string, store::NotifyRuleState>> states;
    std::optional<uint64_t> checkpoint;
    bool empty() const { return pending.empty() && dead.empty() && states.empty() && !checkpoint; }
  };
  absl::Status Commit(const Step& step);

  // Delivery outcomes of one pending notification.
  absl::Status Delivered(const v1::Notification& n);
  absl::Status Reschedule(const v1::Notification& n);  // Writes n (attempts, next_attempt_at).
  absl::Status Bury(const v1::Notification& n);        // Pending -> dead letter.

  // Dead letters of `rule` ("": all) in idempotency-key order: the first `limit`, and how many.
  absl::Status ListDead(const std::string& rule, size_t limit, std::vector<v1::Notification>* out,
                        uint64_t* total) const;
  // Moves dead letters back to pending with attempts reset (due now): those named by `keys`, or
  // with `all` every one of `rule` ("": of every rule). NOT_FOUND naming a key that is not a dead
  // letter (then nothing moves). `revivable(rule)` says whether the rule is configured: a key of
  // another rule is refused with FAILED_PRECONDITION, `all` leaves them. Returns what moved.
  absl::StatusOr<std::vector<v1::Notification>> Revive(
      const std::vector<std::string>& keys, bool all, const std::string& rule,
      const std::function<bool(const std::string&)>& revivable);

 private:
  absl::Status Write(rocksdb::WriteBatch* batch);
  const store::LogStore* const store_;
};

}  // namespace salestrack::notify

#endif  // SALESTRACK_NOTIFY_OUTBOX_H_
