// Sequencer: the single writer of the log.
//
// Handlers validate a batch (validation.h) and Submit() it. One writer thread drains every batch
// waiting at that moment (group commit), and for each batch, in submission order:
//   - drops duplicates (same event_id, identical content) and gives them their original seq;
//   - refuses the whole batch if an id is reused with other content (ALREADY_EXISTS) or a void
//   names
//     an unknown event or another void (FAILED_PRECONDITION);
//   - otherwise assigns the next seqs to its new events.
// All accepted batches of the group go into ONE RocksDB WriteBatch with the ids index; the WAL is
// synced. The group then passes to the applier thread, which applies it to derived state (the
// CommitHook: the KPI views), publishes the new committed seq and only then runs each caller's
// `done`. While the applier works on group N the writer already decides and writes group N+1, so
// the two halves of a commit use both cores; answers still come strictly in group order and never
// before the views include them. A refused batch writes nothing and consumes no seq, so seqs stay
// dense.
//
// Thread-safety: Submit(), committed_seq(), WaitPast() and Stop() may be called from any thread.
#ifndef SALESTRACK_STORE_SEQUENCER_H_
#define SALESTRACK_STORE_SEQUENCER_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "salestrack/clock.h"
#include "salestrack/mutex.h"
#include "salestrack/v1/events.pb.h"
#include "store/log_store.h"

namespace salestrack::store {

struct AppendResult {
  std::vector<uint64_t> seqs;  // seqs[i] for events[i]; duplicates carry their original seq.
  uint32_t duplicates = 0;
};

using Events = google::protobuf::RepeatedPtrField<v1::Event>;

// What the sequencer tells derived state (the KPI projector) about each group: BeginGroup,
// CheckBatch for each batch that passed the log's own rules, then Abort if the write failed -- all
// on the writer thread. Commit runs on the applier thread for each durable group, in seq order,
// possibly while the writer already checks later groups: CheckBatch must account for groups written
// but not yet committed to the hook.
class CommitHook {
 public:
  virtual ~CommitHook() = default;
  virtual void BeginGroup() = 0;
  // May refuse the batch (an error naming events[i] and the field). `fresh` are the indexes of its
  // new events and seqs[i] their seqs; void_targets[k] is the seq of the event that the k-th
  // EventVoided among `fresh` voids. The hook must take the batches it accepted earlier in this
  // group into account, and forget a refused batch.
  virtual absl::Status CheckBatch(const Events& events, const std::vector<int>& fresh,
                                  const std::vector<uint64_t>& seqs,
                                  const std::vector<uint64_t>& void_targets) = 0;
  // Applies a durable group's new records in seq order (applier thread). Runs before any caller of
  // the group is answered and before committed_seq() moves, so derived state is never behind an
  // acknowledged append.
  virtual void Commit(const std::vector<std::pair<uint64_t, const v1::Event*>>& records) = 0;
  virtual void Abort() = 0;
};
// What the sequencer tells the metrics (server/metrics.h) about each group. Must be cheap.
class SequencerProbe {
 public:
  virtual ~SequencerProbe() = default;
  // The synced RocksDB write of one group (WAL append + fsync) took `d` (writer thread).
  virtual void OnWalWrite(absl::Duration d) = 0;
  // A group of `batches` went from being taken off the queue to being ready to answer its callers
  // (decided, written, applied to the views) in `d` (applier thread, before the answers).
  virtual void OnGroupCommitted(absl::Duration d, size_t batches) = 0;
};

using AppendDone = absl::AnyInvocable<void(absl::StatusOr<AppendResult>) &&>;

// A check of one batch that depends on who sent it (e.g. may its key touch the entities it names),
// run on the writer thread once the log's own rules passed and before the hook's CheckBatch, with
// `fresh` the indexes of its new events (never empty). The hook's writer-side state then reflects
// exactly the batches accepted before this one, and cannot change until the batch is decided. An
// error refuses this batch alone.
using BatchCheck =
    absl::AnyInvocable<absl::Status(const Events& events, const std::vector<int>& fresh)>;

struct SequencerStats {
  uint64_t commits = 0;  // WriteBatches written.
  uint64_t batches = 0;  // Submitted batches answered.
  uint64_t events_written = 0;
};

class Sequencer {
 public:
  // `hook` and `probe` may be null; they must outlive the sequencer.
  Sequencer(LogStore* store, const Clock* clock, CommitHook* hook = nullptr,
            SequencerProbe* probe = nullptr);
  ~Sequencer();  // Stop()s.
  Sequencer(const Sequencer&) = delete;
  Sequencer& operator=(const Sequencer&) = delete;

  // Serializes the events on the calling thread (off the writer's critical path) and queues the
  // validated batch. `done` runs exactly once, on the writer thread, after the batch is
  // durable or refused (or at once with UNAVAILABLE after Stop()); it must be short. `check`, if
  // set, may refuse the batch (see BatchCheck).
  // REQUIRES: *events stays alive and unchanged until `done` has run.
  void Submit(const Events* events, AppendDone done, BatchCheck check = nullptr);

  // The seq of the last durable record.
  uint64_t committed_seq() const { return committed_seq_.load(std::memory_order_acquire); }

  // Runs fn(true) on the notifier thread once committed_seq() > seq, or fn(false) when the
  // sequencer stops first. Never runs fn on the calling thread, except after Stop(), when it runs
  // at once.
  void WaitPast(uint64_t seq, absl::AnyInvocable<void(bool) &&> fn);

  // Releases every current and future waiter with fn(false): the first step of a graceful shutdown,
  // so live readers end while appends still commit.
  void CloseWaiters();
  // True once CloseWaiters ran: live readers end at their next step.
  bool waiters_closed() const;

  // Commits what is queued, answers later Submits with UNAVAILABLE, releases waiters with false and
  // joins the threads. Idempotent.
  void Stop();

  SequencerStats stats() const;

 private:
  struct Pending {
    const Events* events;
    std::vector<std::string> encoded;  // Log values minus recorded_at, built by Submit's caller.
    AppendDone done;
    BatchCheck check;
  };
  struct Waiter {
    uint64_t seq;
    absl::AnyInvocable<void(bool) &&> fn;
  };
  // A decided (and, if it wrote anything, durable) group on its way to the applier.
  struct Decided {
    std::vector<Pending> group;
    std::vector<absl::StatusOr<AppendResult>> results;
    std::vector<std::pair<uint64_t, const v1::Event*>> records;  // New records, in seq order.
    uint64_t head = 0;   // The log head once this group is applied.
    absl::Time started;  // When the writer took the group (for the probe).
  };

  void WriterLoop();
  void ApplierLoop();
  void NotifierLoop();
  // Decides and writes one group of batches, and queues it for the applier.
  void CommitGroup(std::vector<Pending> group);

  LogStore* const store_;
  const Clock* const clock_;
  CommitHook* const hook_;
  SequencerProbe* const probe_;
  std::atomic<uint64_t> committed_seq_{0};

  mutable salestrack::Mutex mu_;
  std::vector<Pending> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<Waiter> waiters_ ABSL_GUARDED_BY(mu_);
  std::deque<Decided> decided_ ABSL_GUARDED_BY(mu_);
  bool applier_done_ ABSL_GUARDED_BY(mu_) = false;
  // The head of the log as written (writer thread only); committed_seq_ follows once applied.
  uint64_t written_seq_ = 0;
  uint64_t notified_seq_ ABSL_GUARDED_BY(mu_) = 0;
  bool kick_ ABSL_GUARDED_BY(mu_) = false;
  bool waiters_closed_ ABSL_GUARDED_BY(mu_) = false;  // A waiter arrived that is already past.
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool writer_done_ ABSL_GUARDED_BY(mu_) = false;
  SequencerStats stats_ ABSL_GUARDED_BY(mu_);

  std::once_flag stop_once_;
  std::thread writer_;
  std::thread applier_;
  std::thread notifier_;
};

}  // namespace salestrack::store

#endif  // SALESTRACK_STORE_SEQUENCER_H_
