// BoardHub's rounds (boards.h): after commits, and as the clock passes a point-in-time board's
// next step, read the changed members' values under the views' reader lock, re-rank, and work out
// each subscriber's changes.
#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "engine/boards.h"
#include "google/protobuf/util/message_differencer.h"
#include "salestrack/status_macros.h"

namespace salestrack::engine {
namespace {

std::vector<BoardEntry> Prefix(const std::vector<BoardEntry>& entries, size_t n) {
  return {entries.begin(), entries.begin() + std::min(n, entries.size())};
}

}  // namespace

void BoardHub::Round() {
  std::vector<Refreshed> refreshed;
  std::vector<Delivery> deliveries;
  std::vector<std::shared_ptr<Subscription>> woken;
  std::vector<std::pair<std::shared_ptr<Subscription>, absl::Status>> closed;
  const absl::Time now = clock_->Now();
  // Under the views' reader lock: only read the values that changed (and handle rollovers, which
  // build boards). Boards are erased here and nowhere else, so the pointers in `refreshed` stay
  // valid until they are published below.
  views_->ReadWholeGroups([&](const Projector& p) {
    salestrack::MutexLock lock(&mu_);
    absl::flat_hash_set<std::string> reps;
    bool everything;
    std::vector<SignedContract> signed_contracts;
    {
      salestrack::MutexLock pending_lock(&pending_mu_);
      reps.swap(pending_reps_);
      signed_contracts.swap(pending_signed_);
      everything = pending_everything_;
      pending_everything_ = false;
      pending_ = false;
    }
    ValueCache cache;
    for (auto it = boards_.begin(); it != boards_.end();) {
      LiveBoard& b = *it->second;
      absl::StatusOr<Refreshed> r = Collect(p, b, reps, everything, now, cache);
      if (!r.ok()) {
        for (auto& sub : b.subscribers) closed.emplace_back(sub, r.status());
        subscribers_ -= b.subscribers.size();
        boards_.erase(it++);
        continue;
      }
      if (b.subscribers.empty() && now - b.last_used > options_.idle_board_ttl) {
        boards_.erase(it++);
        continue;
      }
      if (!b.subscribers.empty()) {
        r->signings = SigningsOnBoard(p, b.spec, r->shape ? *r->shape : b.shape,
                                      r->shape ? r->members : b.members, signed_contracts);
      }
      refreshed.push_back(*std::move(r));
      ++it;
    }
    // Subscriptions to "the current period" roll over at its end, in the org time zone.
    std::array<Period, kAllPeriodKinds.size()> current;
    for (size_t k = 0; k < kAllPeriodKinds.size(); ++k)
      current[k] = PeriodOf(kAllPeriodKinds[k], now, zone_);
    auto current_of = [&](PeriodKind kind) { return current[static_cast<int>(kind) - 1]; };
    std::vector<std::shared_ptr<Subscription>> rolling;
    for (auto& [key, b] : boards_) {
      for (auto& sub : b->subscribers) {
        if (sub->rolling && current_of(*sub->rolling) != sub->spec.period) rolling.push_back(sub);
      }
    }
    for (auto& sub : rolling) {
      Detach(*sub);
      sub->spec.period = current_of(*sub->rolling);
      absl::StatusOr<LiveBoard*> next = BoardFor(p, sub->spec);
      if (!next.ok()) {
        closed.emplace_back(sub, next.status());
        continue;
      }
      sub->board_key = sub->spec.Key();
      Attach(**next, sub);
      SendSnapshot(**next, *sub, v1::LeaderboardUpdate::ROLLOVER, 0);
      woken.push_back(sub);
    }
  });
  // The writer may commit again meanwhile: rank and work out each subscriber's changes.
  {
    salestrack::MutexLock lock(&mu_);
    for (Refreshed& r : refreshed) Publish(r, deliveries);
  }
  // Hand out the changes outside the locks: a subscriber's fold never delays the writer. Each is
  // woken as soon as its outbox holds the change, so its writer starts while the rest are filled.
  for (auto& sub : woken) WithSink(*sub, [](SubscriberSink& sink) { sink.Wake(); });
  for (Delivery& d : deliveries) {
    if (!d.changes.empty() || d.info.has_board() || !d.signings.empty()) {
      d.subscription->PushChanges(d.seq, d.info, d.info_changed, d.changes, d.names, d.signings,
                                  std::move(d.shared));
    }
    WithSink(*d.subscription, [](SubscriberSink& sink) { sink.Wake(); });
  }
  for (auto& [sub, status] : closed) {
    // An init-capture: clang 14 cannot capture a structured binding.
    WithSink(*sub, [&status = status](SubscriberSink& sink) { sink.Close(status); });
  }
}

absl::StatusOr<BoardHub::Refreshed> BoardHub::Collect(const Projector& p, LiveBoard& b,
                                                      const absl::flat_hash_set<std::string>& reps,
                                                      bool everything, absl::Time now,
                                                      ValueCache& cache) {
  Refreshed r{&b, p.applied_seq(), {}};
  absl::flat_hash_map<std::string, BoardValue>* shared = nullptr;
  if (b.spec.competition_id.empty() && !everything) {
    shared = &cache[absl::StrCat(PeriodName(b.spec.period), " ", b.shape.metric)];
  }
  // A member's value, and on a point-in-time board when it next moves with the clock.
  auto value_of = [&](const BoardShape& shape, const std::string& m) -> absl::StatusOr<BoardValue> {
    if (shape.as_of_now) {
      ASSIGN_OR_RETURN(std::optional<absl::Time> wake, MemberNextClockStep(p, shape, m, now));
      r.wakes.emplace_back(m, wake);
    }
    if (shared != nullptr) {
      if (auto it = shared->find(m); it != shared->end()) return it->second;
    }
    ASSIGN_OR_RETURN(BoardValue v, MemberValue(p, b.spec, shape, m, now));
    if (shared != nullptr) shared->emplace(m, v);
    return v;
  };
  auto set = [&](const BoardShape& shape, const std::string& m) -> absl::Status {
    ASSIGN_OR_RETURN(BoardValue v, value_of(shape, m));
    r.sets.push_back({m, true, std::move(v.value), std::move(v.exact)});
    return absl::OkStatus();
  };
  if (everything) {
    // The shape is installed by Publish, with the ranking it goes with: a reader between the two
    // sees the board as of one seq.
    ASSIGN_OR_RETURN(BoardShape shape, ResolveBoard(p, b.spec));
    r.reshaped = shape.metric != b.shape.metric || shape.team != b.shape.team;
    r.members = {shape.members.begin(), shape.members.end()};
    for (const std::string& m : b.members) {
      if (r.members.contains(m)) continue;
      r.wakes.emplace_back(m, std::nullopt);
      if (!r.reshaped) r.sets.push_back({m, false, std::nullopt});
    }
    for (const std::string& m : shape.members) RETURN_IF_ERROR(set(shape, m));
    r.name = BoardName(p, b.spec);
    r.names = BoardMemberNames(p.org(), shape);
    r.shape = std::move(shape);
  } else if (b.shape.team) {
    if (reps.empty()) return r;
    for (const std::string& m : b.shape.members) {  // A handful of units: recompute them all.
      RETURN_IF_ERROR(set(b.shape, m));
    }
  } else {
    // The members an event touched, and on a point-in-time board those whose next step the clock
    // has passed (each taken off `wakes` when Publish files its next one).
    std::vector<std::string> due;
    for (auto it = b.wakes.begin(); it != b.wakes.end() && it->first <= now; ++it) {
      if (!reps.contains(it->second)) due.push_back(it->second);
    }
    for (const std::string& rep : reps) {
      if (b.members.contains(rep)) RETURN_IF_ERROR(set(b.shape, rep));
    }
    for (const std::string& rep : due) RETURN_IF_ERROR(set(b.shape, rep));
  }
  return r;
}

void BoardHub::SetWake(LiveBoard& b, const std::string& member, std::optional<absl::Time> at) {
  auto it = b.wake_of.find(member);
  if (it != b.wake_of.end()) {
    if (at && *at == it->second) return;
    b.wakes.erase({it->second, member});
    b.wake_of.erase(it);
  }
  if (!at) return;
  b.wake_of.emplace(member, *at);
  b.wakes.emplace(*at, member);
}

void BoardHub::Publish(Refreshed& r, std::vector<Delivery>& out) {
  LiveBoard& b = *r.board;
  b.seq = r.seq;
  // With the values they go with: a reader that finds no step passed finds the board re-ranked.
  for (const auto& [member, at] : r.wakes) SetWake(b, member, at);
  if (r.sets.empty() && !r.shape && r.signings.empty()) return;  // Nothing changed.
  const v1::BoardInfo info_before = Info(b);
  std::shared_ptr<const MemberNames> names_before = b.names;
  if (r.shape) {
    b.shape = *std::move(r.shape);
    b.members = std::move(r.members);
    b.name = std::move(r.name);
    b.names = std::move(r.names);
  }
  if (r.reshaped) {  // Start afresh, with new snapshots.
    b.ranked = std::make_unique<RankedBoard>(b.shape.lower_is_better);
    std::vector<EntryChange> ignored;
    b.ranked->Apply(r.sets, &ignored);
    b.history.clear();
    b.history_entries = 0;
    b.history_base_seq = b.seq;
    for (auto& sub : b.subscribers) {
      SendSnapshot(b, *sub, v1::LeaderboardUpdate::RESYNC, 0);
      // Nothing to fold in but the signings: it wakes the writer.
      out.push_back({sub, {}, b.seq, {}, false, b.names, r.signings});
    }
    return;
  }
  uint32_t max_top = 0;
  for (auto& sub : b.subscribers) max_top = std::max(max_top, sub->filter.top);
  std::vector<BoardEntry> before_top = Prefix(b.ranked->entries(), max_top);
  std::vector<EntryChange> changes;
  if (!r.sets.empty()) b.ranked->Apply(r.sets, &changes);
  if (b.names != names_before && names_before != nullptr) {
    // A renamed member's entry goes out again, with its new name.
    for (EntryChange& c : Renamed(b, *names_before)) {
      if (std::none_of(changes.begin(), changes.end(),
                       [&](const EntryChange& e) { return e.member == c.member; })) {
        changes.push_back(std::move(c));
      }
    }
  }
  const v1::BoardInfo info = Info(b);
  // Members or the window may change with no entry in a subscriber's view changing: every
  // subscriber then gets the new info (an empty DELTA).
  const bool info_changed = !google::protobuf::util::MessageDifferencer::Equals(info, info_before);
  if (changes.empty() && !info_changed && r.signings.empty()) return;
  if (!changes.empty()) {
    // The history resumes draw on. Past a board's worth of changes a snapshot is the cheaper
    // resume.
    b.history_entries += changes.size();
    b.history.emplace_back(b.seq, changes);
    const size_t max_entries = std::max<size_t>(1024, b.ranked->entries().size());
    while (b.history.size() > options_.history_commits ||
           (b.history.size() > 1 && b.history_entries > max_entries)) {
      b.history_entries -= b.history.front().second.size();
      b.history_base_seq = b.history.front().first;
      b.history.pop_front();
    }
  }
  absl::flat_hash_map<Subscription*, std::vector<EntryChange>> followed;
  if (!b.followers.empty()) {
    for (const EntryChange& c : changes) {
      auto it = b.followers.find(c.member);
      if (it == b.followers.end()) continue;
      for (Subscription* sub : it->second) followed[sub].push_back(c);
    }
  }
  // A view's message is built once for all its subscribers (the whole board, or the top N).
  struct View {
    std::vector<EntryChange> changes;
    std::shared_ptr<const v1::LeaderboardUpdate> message;
  };
  auto message_of = [&](View& view) {
    const bool sends = !view.changes.empty() || info_changed || !r.signings.empty();
    if (sends && view.message == nullptr) {
      view.message = Subscription::Delta(b.seq, info, view.changes, *b.names, r.signings);
    }
    return view.message;
  };
  std::optional<View> whole;
  absl::flat_hash_map<uint32_t, View> top_views;  // By N.
  for (auto& sub : b.subscribers) {
    const Subscription::Filter& f = sub->filter;
    std::vector<EntryChange> mine;
    std::shared_ptr<const v1::LeaderboardUpdate> shared;
    if (f.top != 0) {
      auto [it, inserted] = top_views.try_emplace(f.top);
      if (inserted) {
        it->second.changes =
            DiffViews(Prefix(before_top, f.top), Prefix(b.ranked->entries(), f.top));
      }
      mine = it->second.changes;
      shared = message_of(it->second);
    } else if (!f.members.empty()) {
      if (auto it = followed.find(sub.get()); it != followed.end()) mine = std::move(it->second);
    } else {
      if (!whole) whole = View{changes, nullptr};
      mine = changes;
      shared = message_of(*whole);
    }
    if (!mine.empty() || info_changed || !r.signings.empty()) {
      out.push_back({sub, std::move(mine), b.seq, info, info_changed, b.names, r.signings,
                     std::move(shared)});
    }
  }
}

std::vector<EntryChange> BoardHub::Renamed(const LiveBoard& b, const MemberNames& before) const {
  std::vector<EntryChange> renamed;
  for (const BoardEntry& e : b.ranked->entries()) {
    auto now = b.names->find(e.member);
    auto then = before.find(e.member);
    const bool same = (now == b.names->end()) == (then == before.end()) &&
                      (now == b.names->end() || now->second == then->second);
    if (same) continue;
    renamed.push_back({e.member, true, e.value, e.rank, true, e.value, e.rank});
  }
  return renamed;
}

}  // namespace salestrack::engine
