#include "engine/board_subscription.h"

#include "engine/board_signings.h"

#include <algorithm>

namespace salestrack::engine {
void EncodeEntry(const BoardEntry& e, const MemberNames& names, v1::LeaderboardEntry* out) {
  out->set_member_id(e.member);
  if (auto it = names.find(e.member); it != names.end()) out->set_display_name(it->second);
  out->set_defined(e.value.has_value());
  if (e.value) out->set_value(*e.value);
  out->set_rank(static_cast<uint32_t>(e.rank));
  // Whole basis points toward minus infinity, as a scorecard shows an attainment.
  if (e.exact) out->set_attainment_bp(FloorClamped(*e.exact * 10000));
}

std::vector<BoardEntry> Subscription::View(const std::vector<BoardEntry>& board) const {
  if (filter.top != 0) {
    return {board.begin(), board.begin() + std::min<size_t>(filter.top, board.size())};
  }
  if (filter.members.empty()) return board;
  std::vector<BoardEntry> view;
  for (const BoardEntry& e : board) {
    if (filter.members.contains(e.member)) view.push_back(e);
  }
  return view;
}

void Subscription::PushSnapshot(uint64_t at, v1::LeaderboardUpdate::Reason why,
                                const v1::BoardInfo& board_info,
                                std::shared_ptr<const MemberNames> board_names,
                                std::vector<BoardEntry> view, std::vector<EntryChange> resumed) {
  salestrack::MutexLock lock(&mu);
  ready = nullptr;
  info = board_info;
  names = std::move(board_names);
  info_changed = false;  // The snapshot (or the resume's delta) carries it.
  lower_is_better = board_info.lower_is_better();
  seq = at;
  reason = why;
  pending.clear();
  if (why == v1::LeaderboardUpdate::RESUMED) {
    snapshot.reset();
    FoldChanges(pending, resumed);
    has_pending = true;  // Sent even when empty: it confirms the resume and its seq.
  } else {
    snapshot = std::move(view);
    has_pending = false;
  }
}

void Subscription::PushChanges(uint64_t at, const v1::BoardInfo& board_info, bool new_info,
                               const std::vector<EntryChange>& changes,
                               std::shared_ptr<const MemberNames> board_names,
                               const std::vector<v1::Signing>& signed_now,
                               std::shared_ptr<const v1::LeaderboardUpdate> shared) {
  salestrack::MutexLock lock(&mu);
  if (changes.empty() && !new_info && signed_now.empty()) return;
  // Nothing waits: the next message is exactly this commit's, which `shared` is.
  const bool empty = !snapshot && !has_pending && signings.empty() && !info_changed &&
                     reason == v1::LeaderboardUpdate::COMMIT &&
                     lower_is_better == board_info.lower_is_better();
  ready = empty ? std::move(shared) : nullptr;
  seq = at;
  info = board_info;
  if (board_names != nullptr) names = std::move(board_names);
  KeepLatest(signings, signed_now);
  if (snapshot) {
    *snapshot = ApplyChanges(std::move(*snapshot), changes, lower_is_better);
    return;
  }
  if (has_pending) ++folded_;
  FoldChanges(pending, changes);
  info_changed = info_changed || new_info;
  has_pending = has_pending || !pending.empty() || info_changed;
}

namespace {

// A DELTA's entries from folded changes: the entries in board order, the removed members sorted.
void EncodeDelta(const absl::flat_hash_map<std::string, EntryChange>& pending,
                 const MemberNames& names, bool lower, v1::LeaderboardUpdate* u) {
  u->set_kind(v1::LeaderboardUpdate::DELTA);
  std::vector<const EntryChange*> changed;
  for (const auto& [member, c] : pending) {
    if (c.present) {
      changed.push_back(&c);
    } else {
      u->add_removed(member);
    }
  }
  std::sort(changed.begin(), changed.end(), [lower](const EntryChange* a, const EntryChange* b) {
    return BoardOrder({a->member, a->value, a->rank, a->exact},
                      {b->member, b->value, b->rank, b->exact}, lower);
  });
  std::sort(u->mutable_removed()->begin(), u->mutable_removed()->end());
  for (const EntryChange* c : changed) {
    v1::LeaderboardEntry* e = u->add_entries();
    EncodeEntry({c->member, c->value, c->rank, c->exact}, names, e);
    e->set_was_present(c->was_present);
    e->set_previous_rank(c->was_present ? static_cast<uint32_t>(c->previous_rank) : 0);
  }
}

}  // namespace

std::shared_ptr<const v1::LeaderboardUpdate> Subscription::Delta(
    uint64_t at, const v1::BoardInfo& board_info, const std::vector<EntryChange>& changes,
    const MemberNames& board_names, const std::vector<v1::Signing>& signed_now) {
  absl::flat_hash_map<std::string, EntryChange> folded;
  FoldChanges(folded, changes);
  auto u = std::make_shared<v1::LeaderboardUpdate>();
  EncodeDelta(folded, board_names, board_info.lower_is_better(), u.get());
  std::vector<v1::Signing> kept;
  KeepLatest(kept, signed_now);
  for (v1::Signing& signing : kept) *u->add_signings() = std::move(signing);
  u->set_seq(at);
  u->set_reason(v1::LeaderboardUpdate::COMMIT);
  *u->mutable_info() = board_info;
  return u;
}

std::optional<v1::LeaderboardUpdate> Subscription::Take() {
  std::shared_ptr<const v1::LeaderboardUpdate> u = TakeShared();
  if (u == nullptr) return std::nullopt;
  return *u;
}

std::shared_ptr<const v1::LeaderboardUpdate> Subscription::TakeShared() {
  salestrack::MutexLock lock(&mu);
  if (ready != nullptr) {
    // What the branch below would build from the same state.
    pending.clear();
    has_pending = false;
    signings.clear();
    info_changed = false;
    reason = v1::LeaderboardUpdate::COMMIT;
    return std::move(ready);
  }
  auto u = std::make_shared<v1::LeaderboardUpdate>();
  if (snapshot) {
    u->set_kind(v1::LeaderboardUpdate::SNAPSHOT);
    for (const BoardEntry& e : *snapshot) EncodeEntry(e, *names, u->add_entries());
    snapshot.reset();
  } else if ((has_pending &&
              (!pending.empty() || info_changed || reason == v1::LeaderboardUpdate::RESUMED)) ||
             !signings.empty()) {
    EncodeDelta(pending, *names, lower_is_better, u.get());
    pending.clear();
    has_pending = false;
  } else {
    return nullptr;
  }
  for (v1::Signing& signing : signings) *u->add_signings() = std::move(signing);
  signings.clear();
  u->set_seq(seq);
  u->set_reason(reason);
  *u->mutable_info() = info;
  info_changed = false;
  reason = v1::LeaderboardUpdate::COMMIT;
  return u;
}

size_t Subscription::waiting() const {
  salestrack::MutexLock lock(&mu);
  return snapshot ? snapshot->size() : pending.size();
}

uint64_t Subscription::folded() const {
  salestrack::MutexLock lock(&mu);
  return folded_;
}

}  // namespace salestrack::engine
