#include "store/sequencer.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "salestrack/event_error.h"
#include "spdlog/spdlog.h"

namespace salestrack::store {
namespace {

using v1::Event;

// An event id the group has already placed: stored in the log, or accepted earlier in this group.
struct Known {
  uint64_t seq = 0;
  int payload_case = 0;
  const Event* event = nullptr;  // Null for events that are only in the store.
};

using KnownMap = absl::flat_hash_map<absl::string_view, Known>;

bool SameContent(const Event& a, const Event& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// Decides one batch against the log and the batches accepted before it in the group. On success,
// fills result->seqs (new events get seqs from *next on) and `fresh` with the new events' indexes.
class BatchDecider {
 public:
  BatchDecider(const LogStore& store, const KnownMap& stored, const KnownMap& group)
      : store_(store), stored_(stored), group_(group) {}

  absl::Status Decide(const Events& events, uint64_t next, AppendResult* result,
                      std::vector<int>* fresh, std::vector<uint64_t>* void_targets,
                      KnownMap* batch) {
    result->seqs.assign(events.size(), 0);
    for (int i = 0; i < events.size(); ++i) {
      const Event& e = events[i];
      absl::string_view id = e.event_id();
      if (auto it = batch->find(id); it != batch->end()) {
        if (!SameContent(*it->second.event, e)) {
          return EventError(
              absl::StatusCode::kAlreadyExists, i, "event_id",
              absl::StrCat("\"", id, "\" appears earlier in this batch with other content"));
        }
        result->seqs[i] = it->second.seq;
        ++result->duplicates;
        continue;
      }
      std::optional<Known> known = Find(id);
      if (known) {
        absl::Status same = CheckSame(*known, e, i);
        if (!same.ok()) return same;
        result->seqs[i] = known->seq;
        ++result->duplicates;
        // Later repeats in the batch compare against this one.
        (*batch)[id] = Known{known->seq, known->payload_case, &e};
        continue;
      }
      uint64_t seq = next + fresh->size();
      result->seqs[i] = seq;
      fresh->push_back(i);
      (*batch)[id] = Known{seq, static_cast<int>(e.payload_case()), &e};
    }
    // Voids last, so a void may name any event of its own batch.
    for (int i : *fresh) {
      const Event& e = events[i];
      if (e.payload_case() != Event::kEventVoided) continue;
      absl::string_view target = e.event_voided().target_event_id();
      std::optional<Known> known;
      if (auto it = batch->find(target); it != batch->end()) known = it->second;
      if (!known) known = Find(target);
      if (!known) {
        return EventError(absl::StatusCode::kFailedPrecondition, i, "event_voided.target_event_id",
                          absl::StrCat("no event \"", target, "\" in the log"));
      }
      if (known->payload_case == Event::kEventVoided) {
        return EventError(
            absl::StatusCode::kFailedPrecondition, i, "event_voided.target_event_id",
            absl::StrCat("\"", target, "\" is itself a void; a void cannot be voided"));
      }
      void_targets->push_back(known->seq);
    }
    return absl::OkStatus();
  }

 private:
  std::optional<Known> Find(absl::string_view id) const {
    if (auto it = group_.find(id); it != group_.end()) return it->second;
    if (auto it = stored_.find(id); it != stored_.end()) return it->second;
    return std::nullopt;
  }

  absl::Status CheckSame(const Known& known, const Event& e, int index) const {
    bool same;
    if (known.event != nullptr) {
      same = SameContent(*known.event, e);
    } else {
      absl::StatusOr<v1::EventRecord> record = store_.ReadRecord(known.seq);
      if (!record.ok()) return record.status();
      same = SameContent(record->event(), e);
    }
    if (same) return absl::OkStatus();
    return EventError(absl::StatusCode::kAlreadyExists, index, "event_id",
                      absl::StrCat("\"", e.event_id(), "\" is already in the log (seq ", known.seq,
                                   ") with other content"));
  }

  const LogStore& store_;
  const KnownMap& stored_;
  const KnownMap& group_;
};

}  // namespace

Sequencer::Sequencer(LogStore* store, const Clock* clock, CommitHook* hook, SequencerProbe* probe)
    : store_(store), clock_(clock), hook_(hook), probe_(probe) {
  committed_seq_.store(store->head_at_open());
  written_seq_ = store->head_at_open();
  notified_seq_ = store->head_at_open();
  writer_ = std::thread([this] { WriterLoop(); });
  applier_ = std::thread([this] { ApplierLoop(); });
  notifier_ = std::thread([this] { NotifierLoop(); });
}

Sequencer::~Sequencer() { Stop(); }

void Sequencer::Submit(const Events* events, AppendDone done, BatchCheck check) {
  std::vector<std::string> encoded;
  encoded.reserve(events->size());
  std::string bytes;
  for (const Event& e : *events) {
    bytes.clear();
    e.SerializeToString(&bytes);
    encoded.push_back(EncodeLogValuePrefix(bytes));
  }
  {
    salestrack::MutexLock lock(&mu_);
    if (!stopping_) {
      queue_.push_back(Pending{events, std::move(encoded), std::move(done), std::move(check)});
      return;
    }
  }
  std::move(done)(
      absl::UnavailableError("salestrackd is shutting down; retry on another instance"));
}

void Sequencer::WaitPast(uint64_t seq, absl::AnyInvocable<void(bool) &&> fn) {
  {
    salestrack::MutexLock lock(&mu_);
    if (!applier_done_) {
      kick_ |= waiters_closed_ || seq < committed_seq();
      waiters_.push_back(Waiter{seq, std::move(fn)});
      return;
    }
  }
  // Stopped: the notifier is gone or going, and nothing will be committed any more.
  std::move(fn)(committed_seq() > seq);
}

void Sequencer::CloseWaiters() {
  salestrack::MutexLock lock(&mu_);
  waiters_closed_ = true;
  kick_ = true;
}

bool Sequencer::waiters_closed() const {
  salestrack::MutexLock lock(&mu_);
  return waiters_closed_;
}

void Sequencer::Stop() {
  std::call_once(stop_once_, [this] {
    {
      salestrack::MutexLock lock(&mu_);
      stopping_ = true;
    }
    writer_.join();
    applier_.join();
    notifier_.join();
  });
}

SequencerStats Sequencer::stats() const {
  salestrack::MutexLock lock(&mu_);
  return stats_;
}

void Sequencer::WriterLoop() {
  std::vector<Pending> group;
  while (true) {
    {
      salestrack::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Sequencer* s)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) { return !s->queue_.empty() || s->stopping_; },
          this));
      if (queue_.empty()) {
        writer_done_ = true;
        return;
      }
      group.swap(queue_);
    }
    CommitGroup(std::move(group));
    group.clear();
  }
}

void Sequencer::ApplierLoop() {
  while (true) {
    Decided d;
    {
      salestrack::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Sequencer* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
            return !s->decided_.empty() || s->writer_done_;
          },
          this));
      if (decided_.empty()) {
        applier_done_ = true;
        return;
      }
      d = std::move(decided_.front());
      decided_.pop_front();
    }
    if (hook_ != nullptr && !d.records.empty()) hook_->Commit(d.records);
    {
      salestrack::MutexLock lock(&mu_);
      if (d.head > committed_seq()) {
        ++stats_.commits;
        stats_.events_written += d.head - committed_seq();
        // Stored under mu_ so the notifier's Await sees it.
        committed_seq_.store(d.head, std::memory_order_release);
      }
      stats_.batches += d.group.size();
    }
    // Before the answers, so a caller that was answered finds its group counted. Latencies use the
    // real clock even under a fake clock_: they measure work, not event time.
    if (probe_ != nullptr) probe_->OnGroupCommitted(absl::Now() - d.started, d.group.size());
    for (size_t b = 0; b < d.group.size(); ++b) std::move(d.group[b].done)(std::move(d.results[b]));
  }
}

void Sequencer::CommitGroup(std::vector<Pending> group) {
  const absl::Time started = absl::Now();
  std::vector<absl::StatusOr<AppendResult>> results(group.size());

  // One MultiGet for every id the group names: event ids and void targets.
  std::vector<absl::string_view> ids;
  for (const Pending& p : group) {
    for (const Event& e : *p.events) {
      ids.push_back(e.event_id());
      if (e.has_event_voided()) ids.push_back(e.event_voided().target_event_id());
    }
  }
  std::vector<std::optional<IdEntry>> entries;
  absl::Status lookup = store_->LookupIds(ids, &entries);
  KnownMap stored;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (entries[i]) stored[ids[i]] = Known{entries[i]->seq, entries[i]->payload_case, nullptr};
  }

  KnownMap group_known;
  const uint64_t head = written_seq_;
  uint64_t next = head + 1;
  const int64_t recorded_us = absl::ToUnixMicros(clock_->Now());
  rocksdb::WriteBatch batch;
  std::vector<bool> wrote(group.size(), false);
  BatchDecider decider(*store_, stored, group_known);
  std::vector<std::pair<uint64_t, const Event*>> fresh_records;
  if (hook_ != nullptr) hook_->BeginGroup();

  for (size_t b = 0; b < group.size(); ++b) {
    if (!lookup.ok()) {
      results[b] = lookup;
      continue;
    }
    const Events& events = *group[b].events;
    AppendResult result;
    std::vector<int> fresh;
    std::vector<uint64_t> void_targets;
    KnownMap in_batch;
    absl::Status s = decider.Decide(events, next, &result, &fresh, &void_targets, &in_batch);
    if (s.ok() && group[b].check != nullptr && !fresh.empty()) s = group[b].check(events, fresh);
    if (s.ok() && hook_ != nullptr && !fresh.empty()) {
      s = hook_->CheckBatch(events, fresh, result.seqs, void_targets);
    }
    if (!s.ok()) {
      results[b] = std::move(s);
      continue;
    }
    for (int i : fresh) {
      const Event& e = events[i];
      uint64_t seq = result.seqs[i];
      std::string& value = group[b].encoded[i];
      AppendRecordedAt(recorded_us, &value);
      batch.Put(store_->log_family(), EncodeSeqKey(seq), value);
      fresh_records.push_back({seq, &e});
      batch.Put(store_->ids_family(), rocksdb::Slice(e.event_id()),
                EncodeIdEntry({seq, static_cast<int>(e.payload_case())}));
    }
    next += fresh.size();
    for (auto& [id, known] : in_batch) group_known.insert({id, known});
    wrote[b] = !fresh.empty();
    results[b] = std::move(result);
  }

  const uint64_t new_head = next - 1;
  if (new_head > head) {
    const absl::Time write_start = absl::Now();
    absl::Status s = store_->Commit(&batch);
    if (probe_ != nullptr) probe_->OnWalWrite(absl::Now() - write_start);
    if (!s.ok()) {
      if (hook_ != nullptr) hook_->Abort();
      spdlog::error("event=commit_failed seqs={}..{} error=\"{}\"", head + 1, new_head,
                    s.ToString());
      // Nothing of this group is durable. Every batch that needed this write fails, retryably; one
      // that only repeated events stored before the group still has its answer.
      for (size_t b = 0; b < group.size(); ++b) {
        if (!results[b].ok()) continue;
        bool needs_write = wrote[b];
        for (uint64_t seq : results[b]->seqs) needs_write |= seq > head;
        if (needs_write) {
          results[b] =
              absl::UnavailableError(absl::StrCat("the batch could not be made durable (",
                                                  s.message(), "); nothing was stored, retry"));
        }
      }
    } else {
      written_seq_ = new_head;
    }
  }

  salestrack::MutexLock lock(&mu_);
  decided_.push_back(
      Decided{std::move(group), std::move(results),
              written_seq_ == new_head ? std::move(fresh_records) : decltype(fresh_records)(),
              written_seq_, started});
}

void Sequencer::NotifierLoop() {
  std::vector<Waiter> ready;
  while (true) {
    bool done, closed;
    uint64_t committed;
    {
      salestrack::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Sequencer* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
            if (s->applier_done_) return true;
            return s->kick_ || s->committed_seq() > s->notified_seq_;
          },
          this));
      done = applier_done_;
      closed = waiters_closed_;
      committed = committed_seq();
      notified_seq_ = committed;
      kick_ = false;
      std::vector<Waiter> keep;
      for (Waiter& w : waiters_) {
        (done || closed || w.seq < committed ? ready : keep).push_back(std::move(w));
      }
      waiters_.swap(keep);
    }
    for (Waiter& w : ready) std::move(w.fn)(!closed && w.seq < committed);
    ready.clear();
    if (done) return;
  }
}

}  // namespace salestrack::store
