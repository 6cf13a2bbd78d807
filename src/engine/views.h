// Views: the live KPI projector, fed by the writer (it is the sequencer's CommitHook) and read by
// the engine's queries under a reader lock. See docs/projections.md.
//
// Start-up loads the views' checkpoint (store/views_checkpoint.h) and replays the log after it, or
// the whole log when there is no usable checkpoint (Load); Checkpoint writes the views as they are;
// Verify replays the log into a second projector and compares; Rebuild replays it into a new
// projector and swaps it in. Replays read records straight from the store.
#ifndef SALESTRACK_ENGINE_VIEWS_H_
#define SALESTRACK_ENGINE_VIEWS_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "engine/board_signings.h"
#include "engine/pending_entities.h"
#include "salestrack/access.h"
#include "salestrack/mutex.h"
#include "salestrack/projector.h"
#include "salestrack/v1/kpi_service.pb.h"
#include "store/log_store.h"
#include "store/sequencer.h"

namespace salestrack::engine {

class Views final : public store::CommitHook {
 public:
  Views(const store::LogStore* store, ProjectorOptions options);
  ~Views() override;  // Waits for a rebuild's old views to be freed.

  // Loads the views as of record `head`: the checkpoint when its state format, time zone and seq
  // (at most head) fit and it decodes, then the records after it; otherwise (logged, with why)
  // records 1..head, as when `use_checkpoint` is false. Call before the sequencer starts.
  absl::Status Load(uint64_t head, bool use_checkpoint = true);

  // What a checkpoint wrote.
  struct CheckpointFigures {
    uint64_t seq = 0;  // The last record the checkpoint reflects.
    uint64_t bytes = 0, chunks = 0;
    absl::Duration locked;  // How long the applier waited: the state is read under the lock.
    absl::Duration total;
    bool written = false;  // False: the checkpoint was already at this seq.
  };
  // Writes the views as they are now to the checkpoint, replacing it. The projector's state is
  // serialised under the reader lock (the applier waits meanwhile) and written to the store
  // chunk by chunk; one checkpoint at a time.
  absl::StatusOr<CheckpointFigures> Checkpoint();
  // The seq of the last checkpoint loaded or written (0: none).
  uint64_t checkpoint_seq() const { return checkpoint_seq_.load(); }

  // Runs fn(const Projector&) under the reader lock and returns what it returns. It sees a prefix
  // of the log, p.applied_seq() says which, possibly in the middle of a commit group: the writer
  // applies a group in slices of at most kSlice records, and ends a slice early, after the record
  // in hand, as soon as a reader queues; so a query waits for one record's apply, not a group's.
  template <typename F>
  auto Read(F&& fn) const {
    WaitTimer timer(read_probe_, /*whole_groups=*/false);  // Reports after the lock is released.
    readers_waiting_.fetch_add(1, std::memory_order_relaxed);
    salestrack::ReaderMutexLock lock(&mu_);
    readers_waiting_.fetch_sub(1, std::memory_order_relaxed);
    timer.Locked();
    return fn(static_cast<const Projector&>(*projector_));
  }
  // Like Read, but only between commit groups: for the leaderboards, whose rounds pair what they
  // read with the change set of whole groups (see SetChangeListener).
  template <typename F>
  auto ReadWholeGroups(F&& fn) const {
    WaitTimer timer(read_probe_, /*whole_groups=*/true);
    salestrack::ReaderMutexLock group(&group_mu_);
    salestrack::ReaderMutexLock lock(&mu_);
    timer.Locked();
    return fn(static_cast<const Projector&>(*projector_));
  }

  // Told how long each Read / ReadWholeGroups waited for the views' lock (the metrics). Called
  // after the lock is released, on the reader's thread; must be cheap and thread-safe.
  class ReadProbe {
   public:
    virtual ~ReadProbe() = default;
    virtual void OnReadWait(absl::Duration wait, bool whole_groups) const = 0;
  };
  // Before serving (not synchronised with readers); nullptr: no timing.
  void SetReadProbe(const ReadProbe* probe) { read_probe_ = probe; }
  static constexpr size_t kSlice = 64;

  // The org time zone (fixed for the daemon's life).
  absl::TimeZone zone() const { return options_.zone; }

  // Fills each follow-up's scheduled_by from the log (the projector keeps seqs, not event ids).
  absl::Status FillScheduledBy(std::vector<FollowUp>* follow_ups) const;
  // The record that record `seq`, a void, voids: looked up by id and read from the store (the
  // notifier's void of an announced deal). DATA_LOSS if the log lacks it.
  absl::StatusOr<v1::EventRecord> ReadVoidTarget(uint64_t seq, const v1::Event& e) const;
  // The event ids of the records `seqs` (committed), in order.
  absl::Status ReadEventIds(const std::vector<uint64_t>& seqs, std::vector<std::string>* ids) const;

  // The seq the views reflect.
  uint64_t applied_seq() const { return applied_seq_.load(); }

  // Called after every applied group (and after a rebuild, with everything = true) with the reps
  // whose figures may have changed, under the writer lock: see Projector::TakeChanged, and the
  // contracts the group signed (in log order, the latest kMaxPendingSignings). Must be cheap.
  // nullptr to stop.
  using ChangeListener = std::function<void(std::vector<std::string> reps, bool everything,
                                            const std::vector<SignedContract>& signed_contracts)>;
  void SetChangeListener(ChangeListener listener);

  absl::StatusOr<v1::VerifyResponse> Verify();
  absl::StatusOr<v1::RebuildResponse> Rebuild();

  // store::CommitHook. BeginGroup, CheckBatch and Abort run on the writer thread; Commit on the
  // applier thread. CheckBatch refuses (FAILED_PRECONDITION, naming the field) an event that
  // would take a log-wide total past what a figure can hold (log_totals.h), and an event that
  // breaks an org rule (OrgState::Check).
  void BeginGroup() override;
  absl::Status CheckBatch(const store::Events& events, const std::vector<int>& fresh,
                          const std::vector<uint64_t>& seqs,
                          const std::vector<uint64_t>& void_targets) override;
  void Commit(const std::vector<std::pair<uint64_t, const v1::Event*>>& records) override;
  void Abort() override;

  // CheckEntityAccess (entity_access.h) of a batch of `who` against the log as written: the
  // projector and the batches accepted since. Writer thread only: from a store::BatchCheck.
  absl::Status CheckEntities(const Principal& who, const store::Events& events,
                             const std::vector<int>& fresh) const;

 private:
  class WaitTimer {
   public:
    WaitTimer(const ReadProbe* probe, bool whole_groups)
        : probe_(probe), whole_groups_(whole_groups) {
      if (probe_ != nullptr) start_ = std::chrono::steady_clock::now();
    }
    void Locked() {
      if (probe_ != nullptr) locked_ = std::chrono::steady_clock::now();
    }
    ~WaitTimer() {
      if (probe_ != nullptr) probe_->OnReadWait(absl::FromChrono(locked_ - start_), whole_groups_);
    }
    WaitTimer(const WaitTimer&) = delete;
    WaitTimer& operator=(const WaitTimer&) = delete;

   private:
    const ReadProbe* const probe_;
    const bool whole_groups_;
    std::chrono::steady_clock::time_point start_, locked_;
  };

  static ProjectorOptions WithoutIndex(ProjectorOptions options);
  // The views from the checkpoint, if there is one that fits the log up to `head` (else, why not:
  // logged by the caller).
  absl::StatusOr<std::unique_ptr<Projector>> LoadCheckpoint(uint64_t head, bool use_checkpoint,
                                                            std::string* why) const;
  // The org rules of CheckBatch (OrgState::Check), against the org as written.
  absl::Status CheckOrg(const store::Events& events, const std::vector<int>& fresh,
                        const std::vector<uint64_t>& seqs);
  // Applies one record to `p`; a void's target is read from the store.
  absl::Status ApplyRecord(uint64_t seq, const v1::Event& e, Projector* p) const;
  // Applies records from..to (inclusive) from the store to `p`; returns how many.
  absl::StatusOr<uint64_t> Replay(uint64_t from, uint64_t to, Projector* p) const;

  void NotifyChanged(const std::vector<SignedContract>& signed_contracts = {})
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const store::LogStore* const store_;
  const ProjectorOptions options_;
  const ReadProbe* read_probe_ = nullptr;
  // Lock order: group_mu_, then mu_. The applier holds group_mu_ for a whole commit group and mu_
  // for each slice of it.
  mutable salestrack::Mutex group_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable salestrack::Mutex mu_;
  // Readers queued for mu_: the applier ends its slice when there are any, and lets them in before
  // it locks again (an salestrack::Mutex released and at once relocked by the same thread does not
  // hand over).
  mutable std::atomic<int> readers_waiting_{0};
  std::unique_ptr<Projector> projector_ ABSL_GUARDED_BY(mu_);
  // The org as the accepted but not yet applied batches leave it, when they changed it (writer
  // thread only): the applier may still be behind the writer. Dropped once the projector has
  // applied scratch_seq_, the last org event it holds.
  std::optional<OrgState> scratch_;
  uint64_t scratch_seq_ = 0;
  std::optional<OrgState> group_base_;  // scratch_ when the group began, for Abort.
  uint64_t group_base_seq_ = 0;
  // The entity openings accepted but not yet applied (writer thread only).
  PendingEntities pending_;
  std::optional<uint64_t> group_first_seq_;  // Of the group's accepted records, for Abort.
  // The log-wide totals with every accepted batch, applied or not (writer thread only; set by
  // Load), and as the group began, for Abort.
  LogTotals totals_;
  LogTotals group_base_totals_;
  std::atomic<uint64_t> applied_seq_{0};
  ChangeListener listener_ ABSL_GUARDED_BY(mu_);
  salestrack::Mutex rebuild_mu_;     // One Verify/Rebuild at a time.
  salestrack::Mutex checkpoint_mu_;  // One Checkpoint at a time.
  std::atomic<uint64_t> checkpoint_seq_{0};
  std::thread retiring_;  // Frees the views the last rebuild replaced (guarded by rebuild_mu_).
};

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_VIEWS_H_
