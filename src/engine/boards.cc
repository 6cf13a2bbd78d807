#include "engine/boards.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "engine/retry_hint.h"
#include "engine/wire.h"
#include "salestrack/proto_time.h"
#include "salestrack/status_macros.h"

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

}  // namespace

// ---- BoardHub
// -------------------------------------------------------------------------------------

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
  const absl::Time now = clock_->Now();
  ASSIGN_OR_RETURN(Board board, ComputeBoard(p, spec, now));
  auto live = std::make_unique<LiveBoard>();
  live->spec = spec;
  live->name = BoardName(p, spec);
  live->names = BoardMemberNames(p.org(), board.shape);
  live->shape = std::move(board.shape);
  live->members = {live->shape.members.begin(), live->shape.members.end()};
  live->ranked = std::make_unique<RankedBoard>(live->shape.lower_is_better);
  std::vector<RankedBoard::Set> sets;
  for (BoardEntry& e : board.entries) {
    ASSIGN_OR_RETURN(std::optional<absl::Time> wake,
                     MemberNextClockStep(p, live->shape, e.member, now));
    SetWake(*live, e.member, wake);
    sets.push_back({std::move(e.member), true, e.value, std::move(e.exact)});
  }
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
  info.set_as_of_now(b.shape.as_of_now);
  return info;
}

void BoardHub::SendSnapshot(LiveBoard& b, Subscription& s, v1::LeaderboardUpdate::Reason reason,
                            uint64_t resume_after) {
  const std::vector<BoardEntry>& now = b.ranked->entries();
  // A point-in-time board moves with the clock at an unchanged seq: a seq cannot say what a
  // resuming client missed.
  if (resume_after != 0 && !b.shape.as_of_now && resume_after >= b.history_base_seq &&
      resume_after <= b.seq) {
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
  const absl::Time now = clock_->Now();
  auto caught_up = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    auto it = boards_.find(key);
    if (it == boards_.end()) return true;
    const LiveBoard& b = *it->second;
    return b.seq >= target && (b.wakes.empty() || b.wakes.begin()->first > now);
  };
  if (!caught_up()) {  // A clock step passed since the last round: ask for one now.
    salestrack::MutexLock lock(&pending_mu_);
    pending_ = true;
  }
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
