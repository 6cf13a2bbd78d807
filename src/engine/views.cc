#include "engine/views.h"

#include <malloc.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/arena.h"
#include "salestrack/entity_access.h"
#include "salestrack/event_error.h"
#include "salestrack/proto_time.h"
#include "salestrack/status_macros.h"
#include "spdlog/spdlog.h"
#include "store/views_checkpoint.h"

namespace salestrack::engine {
namespace {

bool ChangesOrg(const v1::Event& e) {
  return e.has_unit_defined() || e.has_rep_defined() || e.has_stages_defined();
}

}  // namespace

Views::Views(const store::LogStore* store, ProjectorOptions options)
    : store_(store),
      options_(WithoutIndex(options)),
      projector_(std::make_unique<Projector>(options_)) {}

ProjectorOptions Views::WithoutIndex(ProjectorOptions options) {
  options.index_events = false;  // Voids' targets come from the log: see ApplyRecord.
  return options;
}

absl::StatusOr<v1::EventRecord> Views::ReadVoidTarget(uint64_t seq, const v1::Event& e) const {
  const absl::string_view target_id = e.event_voided().target_event_id();
  std::vector<std::optional<store::IdEntry>> found;
  RETURN_IF_ERROR(store_->LookupIds({&target_id, 1}, &found, /*fill_cache=*/false));
  if (!found[0]) {
    return absl::DataLossError(
        absl::StrCat("record ", seq, " voids \"", target_id, "\", which is not in the log"));
  }
  // Looked up and read once, without filling the block cache: a replay's voids (1 % of the events)
  // would fill it with blocks read once.
  return store_->ReadRecord(found[0]->seq, /*fill_cache=*/false);
}

absl::Status Views::ApplyRecord(uint64_t seq, const v1::Event& e, Projector* p) const {
  if (!e.has_event_voided()) {
    p->Apply(seq, e);
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(v1::EventRecord target, ReadVoidTarget(seq, e));
  p->Apply(seq, e, &target);
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Views::Replay(uint64_t from, uint64_t to, Projector* p) const {
  if (from > to) return 0;
  // A replay from nothing (start-up, rebuild, verify) sums the units' figures once at the end.
  const bool bulk = p->applied_seq() == 0;
  if (bulk) p->BeginBulkReplay();
  absl::Cleanup end_bulk = [&] {
    if (bulk) p->EndBulkReplay();
  };
  // Two stages on two cores. A reader thread scans and parses the log into chunks of records, reads
  // each void's target and, in a bulk replay, interns the records' ids (Projector::Prepare); this
  // thread only applies them (Apply is the slower stage: everything that needs no projector state,
  // and the id table, are the reader's). A chunk's records live in its arena, which a
  // refill resets at once: parsing allocates by bumping a pointer and frees nothing record by
  // record (per-record malloc and free were ~36 % of the reader's samples, ~50 % with the parsed
  // messages' destructors).
  constexpr size_t kChunk = 4096;
  constexpr size_t kInFlight = 4;
  constexpr size_t kArenaBlock = 2 << 20;  // Holds a chunk of the bench's records (~1.2 MiB).
  struct Chunk {
    Chunk() : block(new char[kArenaBlock]), arena(ArenaOptionsFor(block.get())) {}
    static google::protobuf::ArenaOptions ArenaOptionsFor(char* block) {
      google::protobuf::ArenaOptions o;
      o.initial_block = block;  // Kept by Reset: a refill mallocs nothing unless records are big.
      o.initial_block_size = kArenaBlock;
      o.max_block_size = kArenaBlock;
      return o;
    }
    std::unique_ptr<char[]> block;
    google::protobuf::Arena arena;
    std::vector<v1::EventRecord*> records;  // On the arena.
    std::vector<v1::EventRecord*> targets;  // A void's target (on the arena), else nullptr.
    std::vector<EventIds> ids;              // In a bulk replay: each record's, from Prepare.
  };
  std::mutex mu;
  std::condition_variable changed;
  std::vector<std::unique_ptr<Chunk>> free_chunks;
  std::deque<std::unique_ptr<Chunk>> ready;
  bool done = false, stop = false;
  absl::Status read_status;
  for (size_t i = 0; i < kInFlight; ++i) free_chunks.push_back(std::make_unique<Chunk>());

  std::thread reader([&] {
    std::unique_ptr<Chunk> chunk;
    auto hand_over = [&] {
      std::lock_guard lock(mu);
      ready.push_back(std::move(chunk));
      changed.notify_all();
    };
    absl::Status s = store_->ScanRange(from, to, [&](uint64_t seq, std::string_view bytes) {
      if (chunk == nullptr) {
        std::unique_lock lock(mu);
        changed.wait(lock, [&] { return !free_chunks.empty() || stop; });
        if (stop) return false;
        chunk = std::move(free_chunks.back());
        free_chunks.pop_back();
        chunk->records.clear();
        chunk->targets.clear();
        chunk->ids.clear();
        chunk->arena.Reset();
      }
      auto* r = google::protobuf::Arena::CreateMessage<v1::EventRecord>(&chunk->arena);
      if (!r->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
        read_status = absl::DataLossError(absl::StrCat("log record ", seq, " is malformed"));
        return false;
      }
      r->set_seq(seq);
      v1::EventRecord* target = nullptr;
      if (r->event().has_event_voided()) {
        absl::StatusOr<v1::EventRecord> t = ReadVoidTarget(seq, r->event());
        if (!t.ok()) {
          read_status = t.status();
          return false;
        }
        target = google::protobuf::Arena::CreateMessage<v1::EventRecord>(&chunk->arena);
        target->Swap(&*t);  // Across arenas Swap copies; 1 % of the records.
      }
      if (bulk) p->Prepare(r->event(), &chunk->ids.emplace_back());
      chunk->records.push_back(r);
      chunk->targets.push_back(target);
      if (chunk->records.size() == kChunk) hand_over();
      return true;
    });
    if (chunk != nullptr && !chunk->records.empty()) hand_over();
    std::lock_guard lock(mu);
    if (read_status.ok()) read_status = s;
    done = true;
    changed.notify_all();
  });

  uint64_t applied = 0, expected = from;
  absl::Status status;
  while (status.ok()) {
    std::unique_ptr<Chunk> chunk;
    {
      std::unique_lock lock(mu);
      changed.wait(lock, [&] { return !ready.empty() || done; });
      if (ready.empty()) break;  // Done, and nothing left.
      chunk = std::move(ready.front());
      ready.pop_front();
    }
    for (size_t i = 0; i < chunk->records.size(); ++i) {
      const v1::EventRecord& r = *chunk->records[i];
      if (r.seq() != expected) {
        status = absl::DataLossError(absl::StrCat("log record ", expected, " is missing"));
        break;
      }
      p->Apply(r.seq(), r.event(), chunk->targets[i], bulk ? &chunk->ids[i] : nullptr);
      ++expected;
      ++applied;
    }
    std::lock_guard lock(mu);
    free_chunks.push_back(std::move(chunk));
    changed.notify_all();
  }
  {
    std::lock_guard lock(mu);
    stop = true;
    changed.notify_all();
  }
  reader.join();
  RETURN_IF_ERROR(status);
  RETURN_IF_ERROR(read_status);
  if (expected != to + 1)
    return absl::DataLossError(absl::StrCat("log record ", expected, " is missing"));
  return applied;
}

absl::Status Views::FillScheduledBy(std::vector<FollowUp>* follow_ups) const {
  std::vector<uint64_t> seqs;
  for (const FollowUp& f : *follow_ups) seqs.push_back(f.scheduled_by_seq);
  std::vector<std::string> ids;
  RETURN_IF_ERROR(ReadEventIds(seqs, &ids));
  for (size_t i = 0; i < ids.size(); ++i) (*follow_ups)[i].scheduled_by = std::move(ids[i]);
  return absl::OkStatus();
}

absl::Status Views::ReadEventIds(const std::vector<uint64_t>& seqs,
                                 std::vector<std::string>* ids) const {
  std::vector<v1::EventRecord> records;
  RETURN_IF_ERROR(store_->ReadRecords(seqs, &records));
  for (v1::EventRecord& r : records)
    ids->push_back(std::move(*r.mutable_event()->mutable_event_id()));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Projector>> Views::LoadCheckpoint(uint64_t head, bool use_checkpoint,
                                                                 std::string* why) const {
  ASSIGN_OR_RETURN(std::optional<store::ViewsManifest> m, store::ReadViewsManifest(*store_));
  if (!use_checkpoint) {
    *why = "asked to replay the log (--replay_views)";
  } else if (!m) {
    *why = "there is none";
  } else if (m->state_format != Projector::kStateFormat) {
    *why = absl::StrCat("its state format is ", m->state_format, "; this build's is ",
                        Projector::kStateFormat);
  } else if (m->zone != options_.zone.name()) {
    *why = absl::StrCat("it was computed in time zone ", m->zone, "; the org's is ",
                        options_.zone.name());
  } else if (m->seq > head) {
    *why = absl::StrCat("it reflects record ", m->seq, ", past the log's head ", head);
  } else {
    store::CheckpointReader reader(store_, *m);
    absl::StatusOr<std::unique_ptr<Projector>> p =
        Projector::LoadState(options_, [&](std::string* chunk) { return reader.Next(chunk); });
    if (!p.ok()) {
      *why = absl::StrCat("it could not be read: ", p.status().ToString());
    } else if ((*p)->applied_seq() != m->seq) {
      *why = absl::StrCat("its state is at record ", (*p)->applied_seq(), "; its manifest says ",
                          m->seq);
    } else {
      return p;
    }
  }
  return nullptr;
}

absl::Status Views::Load(uint64_t head, bool use_checkpoint) {
  absl::Time start = absl::Now();
  salestrack::MutexLock lock(&mu_);
  std::string why;
  ASSIGN_OR_RETURN(std::unique_ptr<Projector> loaded, LoadCheckpoint(head, use_checkpoint, &why));
  if (loaded != nullptr) {
    projector_ = std::move(loaded);
    checkpoint_seq_.store(projector_->applied_seq());
    spdlog::info("event=views_checkpoint_loaded seq={} head={} seconds={:.2f}",
                 projector_->applied_seq(), head, absl::ToDoubleSeconds(absl::Now() - start));
  } else if (head > 0) {
    spdlog::info("event=views_checkpoint_unused reason=\"{}\" msg=\"replaying the whole log\"",
                 why);
  }
  ASSIGN_OR_RETURN(uint64_t n, Replay(projector_->applied_seq() + 1, head, projector_.get()));
  applied_seq_.store(projector_->applied_seq());
  totals_ = projector_->totals();
  if (totals_.over_limit()) {
    spdlog::error(
        "event=log_totals_over_limit msg=\"the log holds events whose sums pass {}, the "
        "most a figure can hold (written before the limit): figures of those sums may be "
        "wrong, and events adding to them are refused. See docs/data-safety.md.\"",
        LogTotals::kMaxTotal);
  }
  projector_->TrackChanges();  // Boards built from now on start from this state.
  malloc_trim(0);  // The replay's freed buffers and outgrown tables: back to the system.
  const absl::Time replayed = absl::Now();
  projector_->WarmUp(replayed);  // Before serving: the first queries are as fast as the rest.
  double seconds = absl::ToDoubleSeconds(replayed - start);
  spdlog::info(
      "event=views_replayed events={} seconds={:.2f} events_per_second={:.0f} "
      "warm_up_seconds={:.3f}",
      n, seconds, seconds > 0 ? n / seconds : 0.0, absl::ToDoubleSeconds(absl::Now() - replayed));
  return absl::OkStatus();
}

absl::StatusOr<Views::CheckpointFigures> Views::Checkpoint() {
  salestrack::MutexLock one_at_a_time(&checkpoint_mu_);
  const absl::Time start = absl::Now();
  ASSIGN_OR_RETURN(std::optional<store::ViewsManifest> current, store::ReadViewsManifest(*store_));
  store::CheckpointWriter writer(store_, current);
  CheckpointFigures figures;
  absl::Status saved;
  absl::Time locked_at;
  {
    salestrack::ReaderMutexLock lock(&mu_);
    locked_at = absl::Now();
    figures.seq = projector_->applied_seq();
    if (current && current->seq == figures.seq &&
        current->state_format == Projector::kStateFormat && current->zone == options_.zone.name()) {
      figures.bytes = current->bytes;
      figures.chunks = current->chunks;
      return figures;
    }
    saved = projector_->SaveState([&](std::string_view chunk) { return writer.Add(chunk); });
  }
  figures.locked = absl::Now() - locked_at;
  RETURN_IF_ERROR(saved);
  RETURN_IF_ERROR(writer.Finish(Projector::kStateFormat, figures.seq, options_.zone.name()));
  checkpoint_seq_.store(figures.seq);
  figures.bytes = writer.manifest().bytes;
  figures.chunks = writer.manifest().chunks;
  figures.total = absl::Now() - start;
  figures.written = true;
  spdlog::info(
      "event=views_checkpoint_written seq={} bytes={} chunks={} locked_seconds={:.3f} "
      "seconds={:.3f}",
      figures.seq, figures.bytes, figures.chunks, absl::ToDoubleSeconds(figures.locked),
      absl::ToDoubleSeconds(figures.total));
  return figures;
}

void Views::BeginGroup() {
  const uint64_t applied = applied_seq_.load();
  if (scratch_ && applied >= scratch_seq_) scratch_.reset();
  group_base_ = scratch_;
  group_base_seq_ = scratch_seq_;
  pending_.Prune(applied);
  group_first_seq_.reset();
  group_base_totals_ = totals_;
}

void Views::Abort() {
  scratch_ = group_base_;
  scratch_seq_ = group_base_seq_;
  totals_ = group_base_totals_;
  if (group_first_seq_) pending_.DropFrom(*group_first_seq_);
}

absl::Status Views::CheckBatch(const store::Events& events, const std::vector<int>& fresh,
                               const std::vector<uint64_t>& seqs,
                               const std::vector<uint64_t>& void_targets) {
  LogTotals totals = totals_;
  for (int i : fresh) {
    if (std::optional<FieldProblem> p = totals.Add(events[i])) {
      return EventError(absl::StatusCode::kFailedPrecondition, i, p->field, p->reason);
    }
  }
  RETURN_IF_ERROR(CheckOrg(events, fresh, seqs));
  totals_ = totals;
  pending_.Add(events, fresh, seqs, void_targets);
  if (!group_first_seq_) group_first_seq_ = seqs[fresh.front()];
  return absl::OkStatus();
}

absl::Status Views::CheckEntities(const Principal& who, const store::Events& events,
                                  const std::vector<int>& fresh) const {
  // Actions, feedback: no entity to look up, so do not wait for the applier's lock.
  if (std::none_of(fresh.begin(), fresh.end(), [&](int i) {
        return events[i].has_opportunity_opened() || events[i].has_opportunity_stage_changed() ||
               events[i].has_opportunity_closed() || events[i].has_contract_signed() ||
               events[i].has_payment_received();
      })) {
    return absl::OkStatus();
  }
  salestrack::ReaderMutexLock lock(&mu_);
  return CheckEntityAccess(who, events, fresh, WrittenEntities(*projector_, pending_));
}

absl::Status Views::CheckOrg(const store::Events& events, const std::vector<int>& fresh,
                             const std::vector<uint64_t>& seqs) {
  bool changes_org =
      std::any_of(fresh.begin(), fresh.end(), [&](int i) { return ChangesOrg(events[i]); });
  // Most batches are plain activity: no rule to check, so do not wait for the applier's lock.
  if (!changes_org && std::none_of(fresh.begin(), fresh.end(),
                                   [&](int i) { return OrgState::NeedsCheck(events[i]); })) {
    return absl::OkStatus();
  }
  salestrack::ReaderMutexLock lock(&mu_);
  const OrgState& committed = projector_->org();
  if (!changes_org) {
    const OrgState& org = scratch_ ? *scratch_ : committed;
    for (int i : fresh) RETURN_IF_ERROR(org.Check(events[i], i));
    return absl::OkStatus();
  }
  // Check in batch order against a copy that takes each org event in as it passes.
  OrgState trial = scratch_ ? *scratch_ : committed;
  for (int i : fresh) {
    const v1::Event& e = events[i];
    RETURN_IF_ERROR(trial.Check(e, i));
    if (ChangesOrg(e)) {
      trial.Add(OrderOf(e, seqs[i]), e);
      scratch_seq_ = std::max(scratch_seq_, seqs[i]);
    }
  }
  scratch_ = std::move(trial);
  return absl::OkStatus();
}

void Views::Commit(const std::vector<std::pair<uint64_t, const v1::Event*>>& records) {
  salestrack::MutexLock group(&group_mu_);
  for (size_t i = 0; i < records.size();) {
    // Bounded: a reader that is slow to be scheduled cannot stall the applier.
    for (int n = 0; i > 0 && n < 1000 && readers_waiting_.load(std::memory_order_relaxed) > 0;
         ++n) {
      std::this_thread::yield();
    }
    salestrack::MutexLock lock(&mu_);
    for (const size_t first = i, end = std::min(records.size(), i + kSlice); i < end; ++i) {
      if (i > first && readers_waiting_.load(std::memory_order_relaxed) > 0) break;
      const auto& [seq, event] = records[i];
      if (absl::Status s = ApplyRecord(seq, *event, projector_.get()); !s.ok()) {
        // The record is durable, so a replay (salestrack verify, rebuild) will apply it.
        spdlog::error("event=view_apply_failed seq={} error=\"{}\"", seq, s.ToString());
      }
    }
  }
  std::vector<SignedContract> signed_contracts;
  for (auto it = records.rbegin();
       it != records.rend() && signed_contracts.size() < kMaxPendingSignings; ++it) {
    if (it->second->has_contract_signed()) {
      signed_contracts.push_back(SignedContractOf(it->first, *it->second));
    }
  }
  std::reverse(signed_contracts.begin(), signed_contracts.end());
  salestrack::MutexLock lock(&mu_);
  applied_seq_.store(projector_->applied_seq());
  NotifyChanged(signed_contracts);
}

void Views::NotifyChanged(const std::vector<SignedContract>& signed_contracts) {
  bool everything = false;
  std::vector<std::string> reps = projector_->TakeChanged(&everything);
  if (listener_) listener_(std::move(reps), everything, signed_contracts);
}

void Views::SetChangeListener(ChangeListener listener) {
  salestrack::MutexLock lock(&mu_);
  listener_ = std::move(listener);
}

absl::StatusOr<v1::VerifyResponse> Views::Verify() {
  salestrack::MutexLock one_at_a_time(&rebuild_mu_);
  uint64_t target = Read([](const Projector& p) { return p.applied_seq(); });
  Projector fresh(options_);
  RETURN_IF_ERROR(Replay(1, target, &fresh).status());
  salestrack::ReaderMutexLock lock(&mu_);
  // Catch up with what was committed meanwhile, then compare at the same seq.
  RETURN_IF_ERROR(Replay(target + 1, projector_->applied_seq(), &fresh).status());
  std::vector<std::string> live = projector_->DumpCells();
  std::vector<std::string> replay = fresh.DumpCells();
  v1::VerifyResponse response;
  response.set_seq(projector_->applied_seq());
  response.set_cells_compared(live.size());
  std::vector<std::string> only_live, only_replay;
  std::set_difference(live.begin(), live.end(), replay.begin(), replay.end(),
                      std::back_inserter(only_live));
  std::set_difference(replay.begin(), replay.end(), live.begin(), live.end(),
                      std::back_inserter(only_replay));
  for (const std::string& l : only_live) {
    if (response.differences_size() < 1000) response.add_differences("live: " + l);
  }
  for (const std::string& l : only_replay) {
    if (response.differences_size() < 1000) response.add_differences("replay: " + l);
  }
  response.set_ok(only_live.empty() && only_replay.empty());
  return response;
}

absl::StatusOr<v1::RebuildResponse> Views::Rebuild() {
  salestrack::MutexLock one_at_a_time(&rebuild_mu_);
  // The views a rebuild before this one replaced must be gone first: at most two sets at a time.
  if (retiring_.joinable()) retiring_.join();
  absl::Time start = absl::Now();
  uint64_t target = Read([](const Projector& p) { return p.applied_seq(); });
  auto fresh = std::make_unique<Projector>(options_);
  ASSIGN_OR_RETURN(uint64_t n, Replay(1, target, fresh.get()));
  fresh->WarmUp(absl::Now());  // Outside the lock: the first queries after the swap are fast.
  v1::RebuildResponse response;
  uint64_t more;
  {
    salestrack::MutexLock group(&group_mu_);  // Swap between commit groups.
    salestrack::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(more, Replay(target + 1, projector_->applied_seq(), fresh.get()));
    // Swap under the lock; free the old views after it (that takes a while for a big log).
    std::swap(projector_, fresh);
    response.set_seq(projector_->applied_seq());
    projector_->TrackChanges();
    if (listener_) listener_({}, /*everything=*/true, {});
  }
  response.set_events_replayed(n + more);
  response.set_seconds(absl::ToDoubleSeconds(absl::Now() - start));
  spdlog::info("event=views_rebuilt events={} seconds={:.2f}", n + more, response.seconds());
  // The old views are freed after the reply, on a thread of their own: millions of entities take a
  // while (0.77 s at 10.9M events), and queries have been reading the new views since the swap.
  // Then their pages go back to the system: glibc keeps freed memory for reuse, and a rebuild frees
  // as much as the views hold (measured at 10M events: RSS 1.1 GiB before, 2.1 after).
  // The checkpoint follows the new views: a rebuild is asked for when the views are in doubt.
  if (absl::Status s = Checkpoint().status(); !s.ok()) {
    spdlog::warn("event=views_checkpoint_failed after=rebuild error=\"{}\"", s.ToString());
    if (absl::Status d = store::DropViewsCheckpoint(store_); !d.ok()) return d;
  }
  retiring_ = std::thread([old = std::move(fresh)]() mutable {
    const absl::Time freeing = absl::Now();
    old.reset();
    malloc_trim(0);
    spdlog::info("event=old_views_freed seconds={:.2f}",
                 absl::ToDoubleSeconds(absl::Now() - freeing));
  });
  return response;
}

Views::~Views() {
  if (retiring_.joinable()) retiring_.join();
}

}  // namespace salestrack::engine
