#include "engine/boards.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "engine/retry_hint.h"
#include "engine/wire.h"
#include "google/protobuf/util/message_differencer.h"
#include "salestrack/proto_time.h"
#include "salestrack/status_macros.h"
#include "spdlog/spdlog.h"

namespace salestrack::engine {
namespace {

constexpr uint32_t kDefaultTop = 50;
constexpr uint32_t kMaxTop = 10000;
constexpr uint32_t kMaxChosenMembers = 1000;

absl::Status ShuttingDown() {
  return absl::UnavailableError(
      "salestrackd is shutting down; subscribe again with resume_after_seq = the last update's "
      "seq");
}

std::vector<BoardEntry> Prefix(const std::vector<BoardEntry>& entries, size_t n) {
  return {entries.begin(), entries.begin() + std::min(n, entries.size())};
}

}  // namespace

// ---- BoardHub
// -------------------------------------------------------------------------------------

template <typename F>
void BoardHub::WithSink(Subscription& sub, F&& fn) {
  SubscriberSink* sink;
  {
    salestrack::MutexLock lock(&sub.mu);
    sink = sub.sink;
    if (sink != nullptr) sink->Ref();
  }
  if (sink == nullptr) return;
  fn(*sink);
  sink->Unref();
}

BoardHub::BoardHub(Views* views, const Clock* clock, BoardHubOptions options)
    : views_(views), clock_(clock), options_(options), zone_(views->zone()) {
  views_->SetChangeListener([this](std::vector<std::string> reps, bool everything,
                                   const std::vector<SignedContract>& signed_contracts) {
    OnChanged(std::move(reps), everything, signed_contracts);
  });
  thread_ = std::thread([this] { Run(); });
}

BoardHub::~BoardHub() {
  views_->SetChangeListener(nullptr);
  {
    salestrack::MutexLock lock(&pending_mu_);
    stop_ = true;
  }
  thread_.join();
  // Subscribers still attached are finished by the gRPC server's shutdown; drop our references.
  salestrack::MutexLock lock(&mu_);
  for (auto& [key, board] : boards_) {
    for (auto& s : board->subscribers) {
      salestrack::MutexLock sub_lock(&s->mu);
      s->sink = nullptr;
    }
  }
}

void BoardHub::OnChanged(std::vector<std::string> reps, bool everything,
                         const std::vector<SignedContract>& signed_contracts) {
  salestrack::MutexLock lock(&pending_mu_);
  KeepLatest(pending_signed_, signed_contracts);
  for (std::string& r : reps) pending_reps_.insert(std::move(r));
  pending_everything_ = pending_everything_ || everything;
  pending_ = true;
}

void BoardHub::Run() {
  for (;;) {
    {
      salestrack::MutexLock lock(&pending_mu_);
      auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(pending_mu_) { return pending_ || stop_; };
      pending_mu_.AwaitWithTimeout(absl::Condition(&ready), options_.tick);
      if (stop_) return;
    }
    Round();
  }
}

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
      absl::StatusOr<Refreshed> r = Collect(p, b, reps, everything, cache);
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
                                                      bool everything, ValueCache& cache) {
  Refreshed r{&b, p.applied_seq(), {}};
  absl::flat_hash_map<std::string, std::optional<double>>* shared = nullptr;
  if (b.spec.competition_id.empty() && !everything) {
    shared = &cache[absl::StrCat(PeriodName(b.spec.period), " ", b.shape.metric)];
  }
  auto value_of = [&](const BoardShape& shape,
                      const std::string& m) -> absl::StatusOr<std::optional<double>> {
    if (shared != nullptr) {
      if (auto it = shared->find(m); it != shared->end()) return it->second;
    }
    ASSIGN_OR_RETURN(std::optional<double> v, MemberValue(p, b.spec, shape, m));
    if (shared != nullptr) shared->emplace(m, v);
    return v;
  };
  if (everything) {
    // The shape is installed by Publish, with the ranking it goes with: a reader between the two
    // sees the board as of one seq.
    ASSIGN_OR_RETURN(BoardShape shape, ResolveBoard(p, b.spec));
    r.reshaped = shape.metric != b.shape.metric || shape.team != b.shape.team;
    r.members = {shape.members.begin(), shape.members.end()};
    if (!r.reshaped) {
      for (const std::string& m : b.members) {
        if (!r.members.contains(m)) r.sets.push_back({m, false, std::nullopt});
      }
    }
    for (const std::string& m : shape.members) {
      ASSIGN_OR_RETURN(std::optional<double> v, value_of(shape, m));
      r.sets.push_back({m, true, v});
    }
    r.name = BoardName(p, b.spec);
    r.names = BoardMemberNames(p.org(), shape);
    r.shape = std::move(shape);
  } else if (b.shape.team) {
    if (reps.empty()) return r;
    for (const std::string& m : b.shape.members) {  // A handful of units: recompute them all.
      ASSIGN_OR_RETURN(std::optional<double> v, value_of(b.shape, m));
      r.sets.push_back({m, true, v});
    }
  } else {
    for (const std::string& rep : reps) {
      if (!b.members.contains(rep)) continue;
      ASSIGN_OR_RETURN(std::optional<double> v, value_of(b.shape, rep));
      r.sets.push_back({rep, true, v});
    }
  }
  return r;
}

void BoardHub::Publish(Refreshed& r, std::vector<Delivery>& out) {
  LiveBoard& b = *r.board;
  b.seq = r.seq;
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

absl::StatusOr<BoardSpec> BoardHub::DecodeBoard(const v1::BoardRef& ref, absl::Time now,
                                                std::optional<PeriodKind>* rolling) const {
  switch (ref.scope_case()) {
    case v1::BoardRef::kUnitId: {
      if (ref.unit_id().empty()) break;
      if (ref.metric().empty()) {
        return absl::InvalidArgumentError("board.metric: required for a unit board");
      }
      absl::StatusOr<Period> period = DecodePeriod(ref.period(), now, zone_);
      if (!period.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("board.", period.status().message()));
      }
      if (rolling != nullptr && !ref.period().has_date()) rolling->emplace(period->kind);
      return BoardSpec::ForUnit(ref.unit_id(), *period, ref.metric());
    }
    case v1::BoardRef::kCompetitionId:
      if (ref.competition_id().empty()) break;
      if (!ref.metric().empty()) {
        return absl::InvalidArgumentError(
            "board.metric: a competition ranks by its own metric; leave it empty");
      }
      return BoardSpec::ForCompetition(ref.competition_id());
    case v1::BoardRef::SCOPE_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("board: one of unit_id or competition_id is required");
}

absl::StatusOr<BoardHub::LiveBoard*> BoardHub::BoardFor(const Projector& p, const BoardSpec& spec) {
  auto it = boards_.find(spec.Key());
  if (it != boards_.end()) return it->second.get();
  ASSIGN_OR_RETURN(Board board, ComputeBoard(p, spec));
  auto live = std::make_unique<LiveBoard>();
  live->spec = spec;
  live->name = BoardName(p, spec);
  live->names = BoardMemberNames(p.org(), board.shape);
  live->shape = std::move(board.shape);
  live->members = {live->shape.members.begin(), live->shape.members.end()};
  live->ranked = std::make_unique<RankedBoard>(live->shape.lower_is_better);
  std::vector<RankedBoard::Set> sets;
  for (BoardEntry& e : board.entries) sets.push_back({std::move(e.member), true, e.value});
  std::vector<EntryChange> ignored;
  live->ranked->Apply(sets, &ignored);
  live->seq = board.seq;
  live->history_base_seq = board.seq;
  live->last_used = clock_->Now();
  LiveBoard* raw = live.get();
  boards_.emplace(spec.Key(), std::move(live));
  return raw;
}

v1::BoardInfo BoardHub::Info(const LiveBoard& b) const {
  v1::BoardInfo info;
  v1::BoardRef* ref = info.mutable_board();
  if (b.spec.competition_id.empty()) {
    ref->set_unit_id(b.spec.unit_id);
    ref->set_metric(b.spec.metric);
    *ref->mutable_period() = EncodePeriod(b.spec.period);
  } else {
    ref->set_competition_id(b.spec.competition_id);
  }
  info.set_metric(b.shape.metric);
  info.set_lower_is_better(b.shape.lower_is_better);
  info.set_team(b.shape.team);
  info.set_kind(EncodeKind(b.shape.kind));
  info.set_members(static_cast<uint32_t>(b.ranked->entries().size()));
  if (b.shape.start) *info.mutable_start() = ToProto(*b.shape.start);
  if (b.shape.end) *info.mutable_end() = ToProto(*b.shape.end);
  info.set_name(b.name);
  return info;
}

void BoardHub::SendSnapshot(LiveBoard& b, Subscription& s, v1::LeaderboardUpdate::Reason reason,
                            uint64_t resume_after) {
  const std::vector<BoardEntry>& now = b.ranked->entries();
  if (resume_after != 0 && resume_after >= b.history_base_seq && resume_after <= b.seq) {
    std::vector<EntryChange> since;
    for (const auto& [seq, changes] : b.history) {
      if (seq > resume_after) since.insert(since.end(), changes.begin(), changes.end());
    }
    std::vector<BoardEntry> then = UndoChanges(now, since, b.shape.lower_is_better);
    s.PushSnapshot(b.seq, v1::LeaderboardUpdate::RESUMED, Info(b), b.names, {},
                   DiffViews(s.View(then), s.View(now)));
    return;
  }
  if (resume_after != 0) reason = v1::LeaderboardUpdate::RESYNC;
  s.PushSnapshot(b.seq, reason, Info(b), b.names, s.View(now));
}

void BoardHub::AwaitCaughtUp(const std::string& key) {
  // Answer at least as new as the views are now: wait (briefly) for the hub's thread to catch up.
  const uint64_t target = views_->applied_seq();
  auto caught_up = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    auto it = boards_.find(key);
    return it == boards_.end() || it->second->seq >= target;
  };
  mu_.AwaitWithTimeout(absl::Condition(&caught_up), absl::Milliseconds(200));
}

void BoardHub::Attach(LiveBoard& b, std::shared_ptr<Subscription> s) {
  for (const std::string& m : s->filter.members) b.followers[m].push_back(s.get());
  b.subscribers.push_back(std::move(s));
  ++subscribers_;
}

void BoardHub::Detach(Subscription& s) {
  auto it = boards_.find(s.board_key);
  if (it == boards_.end()) return;
  LiveBoard& b = *it->second;
  auto pos = std::find_if(b.subscribers.begin(), b.subscribers.end(),
                          [&](const auto& p) { return p.get() == &s; });
  if (pos == b.subscribers.end()) return;
  b.subscribers.erase(pos);
  for (const std::string& m : s.filter.members) {
    auto f = b.followers.find(m);
    if (f == b.followers.end()) continue;
    std::erase(f->second, &s);
    if (f->second.empty()) b.followers.erase(f);
  }
  --subscribers_;
  b.last_used = clock_->Now();
}

absl::StatusOr<v1::GetLeaderboardResponse> BoardHub::Get(const v1::GetLeaderboardRequest& request) {
  ASSIGN_OR_RETURN(BoardSpec spec, DecodeBoard(request.board(), clock_->Now(), nullptr));
  if (request.selection_case() == v1::GetLeaderboardRequest::kTop && request.top() > kMaxTop) {
    return absl::InvalidArgumentError(absl::StrCat("top: at most ", kMaxTop));
  }
  {
    salestrack::MutexLock lock(&mu_);
    AwaitCaughtUp(spec.Key());
    if (auto it = boards_.find(spec.Key()); it != boards_.end())
      return Answer(*it->second, request);
  }
  // A new board: built under the views' reader lock (lock order: views, then hub).
  return views_->ReadWholeGroups(
      [&](const Projector& p) -> absl::StatusOr<v1::GetLeaderboardResponse> {
        salestrack::MutexLock lock(&mu_);
        ASSIGN_OR_RETURN(LiveBoard * b, BoardFor(p, spec));
        return Answer(*b, request);
      });
}

absl::StatusOr<v1::GetLeaderboardResponse> BoardHub::Answer(
    LiveBoard& board, const v1::GetLeaderboardRequest& request) {
  LiveBoard* b = &board;
  b->last_used = clock_->Now();
  v1::GetLeaderboardResponse response;
  response.set_seq(b->seq);
  *response.mutable_info() = Info(*b);
  const std::vector<BoardEntry>& entries = b->ranked->entries();
  size_t from = 0, to = std::min<size_t>(kDefaultTop, entries.size());
  switch (request.selection_case()) {
    case v1::GetLeaderboardRequest::kTop:
      to = std::min<size_t>(request.top(), entries.size());
      break;
    case v1::GetLeaderboardRequest::kAround:
    case v1::GetLeaderboardRequest::kMemberId: {
      const bool around = request.selection_case() == v1::GetLeaderboardRequest::kAround;
      const std::string& member = around ? request.around().member_id() : request.member_id();
      const char* field = around ? "around.member_id" : "member_id";
      if (member.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
      const int found = b->ranked->PositionOf(member);
      if (found < 0) {
        return absl::NotFoundError(absl::StrCat(
            field, ": \"", member, "\" is not on this board (not a member, or inactive)"));
      }
      // In 64 bits: any uint32 radius clips to the board.
      const uint64_t pos = static_cast<uint64_t>(found);
      const uint64_t radius = around ? request.around().radius() : 0;
      from = pos > radius ? pos - radius : 0;
      to = std::min<uint64_t>(entries.size(), pos + radius + 1);
      break;
    }
    case v1::GetLeaderboardRequest::SELECTION_NOT_SET:
      break;
  }
  for (size_t i = from; i < to; ++i) EncodeEntry(entries[i], *b->names, response.add_entries());
  return response;
}

absl::StatusOr<std::shared_ptr<Subscription>> BoardHub::Subscribe(
    const v1::SubscribeLeaderboardRequest& request, SubscriberSink* sink) {
  auto sub = std::make_shared<Subscription>();
  ASSIGN_OR_RETURN(sub->spec, DecodeBoard(request.board(), clock_->Now(), &sub->rolling));
  if (request.top() != 0 && request.member_ids_size() != 0) {
    return absl::InvalidArgumentError("top and member_ids: choose one filter");
  }
  if (request.top() > kMaxTop)
    return absl::InvalidArgumentError(absl::StrCat("top: at most ", kMaxTop));
  if (request.member_ids_size() > static_cast<int>(kMaxChosenMembers)) {
    return absl::InvalidArgumentError(absl::StrCat("member_ids: at most ", kMaxChosenMembers));
  }
  sub->filter.top = request.top();
  sub->filter.members = {request.member_ids().begin(), request.member_ids().end()};
  sub->board_key = sub->spec.Key();
  {
    salestrack::MutexLock lock(&sub->mu);
    sub->sink = sink;
  }
  {
    salestrack::MutexLock lock(&mu_);
    AwaitCaughtUp(sub->board_key);
  }
  absl::Status status = views_->ReadWholeGroups([&](const Projector& p) -> absl::Status {
    salestrack::MutexLock lock(&mu_);
    if (closed_) return ShuttingDown();
    if (subscribers_ >= options_.max_subscribers) {
      absl::Status full = absl::ResourceExhaustedError(absl::StrCat(
          "this daemon serves at most ", options_.max_subscribers,
          " leaderboard subscribers (limits.max_board_subscribers); retry later or read "
          "GetLeaderboard"));
      SetRetryAfter(&full, kFullRetryAfter);
      return full;
    }
    ASSIGN_OR_RETURN(LiveBoard * b, BoardFor(p, sub->spec));
    Attach(*b, sub);
    SendSnapshot(*b, *sub, v1::LeaderboardUpdate::SUBSCRIBED, request.resume_after_seq());
    return absl::OkStatus();
  });
  if (!status.ok()) {
    salestrack::MutexLock lock(&sub->mu);
    sub->sink = nullptr;
    return status;
  }
  return sub;
}

void BoardHub::Unsubscribe(const std::shared_ptr<Subscription>& subscription) {
  {
    salestrack::MutexLock lock(&subscription->mu);
    subscription->sink = nullptr;
  }
  salestrack::MutexLock lock(&mu_);
  Detach(*subscription);
}

void BoardHub::CloseSubscribers() {
  std::vector<std::shared_ptr<Subscription>> open;
  {
    salestrack::MutexLock lock(&mu_);
    closed_ = true;
    for (const auto& [key, b] : boards_) {
      open.insert(open.end(), b->subscribers.begin(), b->subscribers.end());
    }
  }
  const absl::Status status = ShuttingDown();
  for (auto& sub : open) WithSink(*sub, [&](SubscriberSink& sink) { sink.Close(status); });
}

BoardHubStats BoardHub::stats() const {
  salestrack::MutexLock lock(&mu_);
  BoardHubStats s;
  s.boards = boards_.size();
  s.subscribers = subscribers_;
  for (const auto& [key, b] : boards_) {
    for (const auto& sub : b->subscribers) {
      s.updates_folded += sub->folded();
      s.largest_outbox = std::max(s.largest_outbox, sub->waiting());
    }
  }
  return s;
}

}  // namespace salestrack::engine
