// Subscription: one SubscribeLeaderboard stream's outbox, filled by the BoardHub (boards.h) and
// drained by the stream's writer, the SubscriberSink a front door implements (gRPC:
// server/leaderboard_service.cc).
//
// Every message carries the board's info (members, window, ...) as of the message's seq: the hub
// hands the outbox the board's info with every change, and a change of the info alone (a member
// left outside a top-N view, a competition's window moved) is itself a message, an empty DELTA.
#ifndef SALESTRACK_ENGINE_BOARD_SUBSCRIPTION_H_
#define SALESTRACK_ENGINE_BOARD_SUBSCRIPTION_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "engine/names.h"
#include "salestrack/leaderboard.h"
#include "salestrack/mutex.h"
#include "salestrack/v1/leaderboard_service.pb.h"

namespace salestrack::engine {

// Wakes a subscriber's writer. Called by the hub's thread, never under the hub's locks.
class SubscriberSink {
 public:
  virtual ~SubscriberSink() = default;
  virtual void Ref() = 0;
  virtual void Unref() = 0;
  virtual void Wake() = 0;
  // Ends the stream: the board is gone (unit undefined, ...) or the daemon is shutting down.
  virtual void Close(const absl::Status& status) = 0;
};

// A board entry as the wire carries it, with the member's name from `names`.
void EncodeEntry(const BoardEntry& e, const MemberNames& names, v1::LeaderboardEntry* out);

// One subscriber's outbox.
class Subscription {
 public:
  // The next message to send, if any: a pending snapshot, else the folded changes.
  std::optional<v1::LeaderboardUpdate> Take();
  // The same, shared: when the outbox held exactly one commit's changes, the message the hub built
  // once for every subscriber of the same view (same pointer), so a front door can encode it once.
  std::shared_ptr<const v1::LeaderboardUpdate> TakeShared();

  // The message an empty outbox holds after PushChanges(seq, info, _, changes, names, signings):
  // what the hub builds once per view and hands to each PushChanges as `shared`.
  static std::shared_ptr<const v1::LeaderboardUpdate> Delta(
      uint64_t seq, const v1::BoardInfo& info, const std::vector<EntryChange>& changes,
      const MemberNames& names, const std::vector<v1::Signing>& signings);
  uint64_t folded() const;  // Updates folded into a pending one so far.
  size_t waiting() const;   // Entries waiting to be sent.

 private:
  friend class BoardHub;
  struct Filter {
    uint32_t top = 0;  // 0: no top-N filter.
    absl::flat_hash_set<std::string> members;
    bool Keeps(const std::string& member) const {
      return members.empty() || members.contains(member);
    }
  };
  std::vector<BoardEntry> View(const std::vector<BoardEntry>& board) const;
  // `names`: the members' names as of seq (entries are encoded with the latest pushed).
  void PushSnapshot(uint64_t seq, v1::LeaderboardUpdate::Reason reason, const v1::BoardInfo& info,
                    std::shared_ptr<const MemberNames> names, std::vector<BoardEntry> view,
                    std::vector<EntryChange> resumed = {});
  // The board at `seq`: its info then (`new_info`: it differs from the board's info at the previous
  // push), the changes of this subscriber's view (maybe none), and the contracts its members
  // signed (kept until taken, the latest kMaxPendingSignings). `shared` (may be null): Delta() of
  // the same arguments, kept as the next message when the outbox was empty.
  void PushChanges(uint64_t seq, const v1::BoardInfo& info, bool new_info,
                   const std::vector<EntryChange>& changes,
                   std::shared_ptr<const MemberNames> names,
                   const std::vector<v1::Signing>& signings,
                   std::shared_ptr<const v1::LeaderboardUpdate> shared = nullptr);

  // Set at subscribe time (hub's lock); spec and period change on rollover (hub's thread).
  BoardSpec spec;
  std::optional<PeriodKind> rolling;  // Follows the current period of this kind.
  Filter filter;
  std::string board_key;

  mutable salestrack::Mutex mu;
  SubscriberSink* sink ABSL_GUARDED_BY(mu) = nullptr;
  bool lower_is_better ABSL_GUARDED_BY(mu) = false;
  v1::BoardInfo info ABSL_GUARDED_BY(mu);
  std::shared_ptr<const MemberNames> names ABSL_GUARDED_BY(mu);
  std::vector<v1::Signing> signings ABSL_GUARDED_BY(mu);  // Not yet taken.
  bool info_changed ABSL_GUARDED_BY(mu) = false;          // Since the last message taken.
  // A snapshot not yet taken (changes after it are applied to it), or folded changes.
  std::optional<std::vector<BoardEntry>> snapshot ABSL_GUARDED_BY(mu);
  v1::LeaderboardUpdate::Reason reason ABSL_GUARDED_BY(mu) = v1::LeaderboardUpdate::SUBSCRIBED;
  absl::flat_hash_map<std::string, EntryChange> pending ABSL_GUARDED_BY(mu);
  bool has_pending ABSL_GUARDED_BY(mu) = false;
  uint64_t seq ABSL_GUARDED_BY(mu) = 0;
  // The next message as the hub built it for the whole view, while the outbox holds nothing else
  // (the fields above stay current, so dropping it loses nothing).
  std::shared_ptr<const v1::LeaderboardUpdate> ready ABSL_GUARDED_BY(mu);
  uint64_t folded_ ABSL_GUARDED_BY(mu) = 0;
};

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_BOARD_SUBSCRIPTION_H_
