// BoardHub: the live leaderboards (KPI_SPEC §7) and their subscribers.
//
// After every commit the views hand the hub the reps whose figures may have changed (under the
// views' writer lock, so the hand-over is exact). The hub's thread then, under the views' reader
// lock, recomputes just those members' values on every live board, re-ranks, and tags the board
// with the projector's seq; outside any lock it hands each subscriber the changes of its view (top
// N, chosen members, or all). A subscriber's outbox folds what it has not taken yet (latest entry
// per member), so a slow or stalled reader costs at most one board's worth of memory and never
// holds up the writer or the other subscribers.
//
// A live board exists while it has subscribers or was read in the last couple of minutes; it keeps
// the last changes so a reconnecting subscriber can resume with a delta.
//
// A point-in-time board (overdue_follow_ups, ...) also changes with the clock: it keeps, per
// member, when its value next moves with no event (Projector::NextClockStep), soonest first, and
// each round (every commit, else every tick) recomputes just the members whose time has come. Its
// changes then carry an unchanged seq, so it answers a resume with a fresh snapshot.
#ifndef SALESTRACK_ENGINE_BOARDS_H_
#define SALESTRACK_ENGINE_BOARDS_H_

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "engine/board_signings.h"
#include "engine/board_subscription.h"
#include "engine/names.h"
#include "engine/views.h"
#include "salestrack/clock.h"
#include "salestrack/leaderboard.h"
#include "salestrack/mutex.h"
#include "salestrack/v1/leaderboard_service.pb.h"

namespace salestrack::engine {

struct BoardHubOptions {
  size_t max_subscribers = 20000;
  size_t history_commits = 256;  // Per board: how far back a resume can go.
  absl::Duration idle_board_ttl = absl::Minutes(2);
  absl::Duration tick = absl::Milliseconds(100);  // Rollover checks and idle clean-up.
};

struct BoardHubStats {
  size_t boards = 0;
  size_t subscribers = 0;
  uint64_t updates_folded = 0;
  size_t largest_outbox = 0;  // Entries waiting in the fullest subscriber's outbox.
};

class BoardHub {
 public:
  BoardHub(Views* views, const Clock* clock, BoardHubOptions options = {});
  ~BoardHub();  // Stops the thread.

  absl::StatusOr<v1::GetLeaderboardResponse> Get(const v1::GetLeaderboardRequest& request);

  // Registers a subscriber whose outbox already holds its first message; the caller then wakes its
  // writer. RESOURCE_EXHAUSTED past max_subscribers; the board's errors as in Get.
  absl::StatusOr<std::shared_ptr<Subscription>> Subscribe(
      const v1::SubscribeLeaderboardRequest& request, SubscriberSink* sink);
  void Unsubscribe(const std::shared_ptr<Subscription>& subscription);

  // Ends every subscriber's stream with UNAVAILABLE (the CLI's watch resubscribes with
  // resume_after_seq) and refuses new subscribers from now on: the first step of a shutdown, so
  // live streams do not hold the server up for its grace period.
  void CloseSubscribers();

  BoardHubStats stats() const;

  // Runs fn(const Projector&) under the views' reader lock (for access checks against the org).
  template <typename F>
  auto Read(F&& fn) const {
    return views_->Read(std::forward<F>(fn));
  }

 private:
  struct LiveBoard {
    BoardSpec spec;
    BoardShape shape;
    std::string name;                          // The unit's or competition's, as of seq.
    std::shared_ptr<const MemberNames> names;  // The members', as of seq.
    std::unique_ptr<RankedBoard> ranked;
    absl::flat_hash_set<std::string> members;
    uint64_t seq = 0;
    // Point-in-time boards: when each member's value next moves with the clock, soonest first.
    absl::btree_set<std::pair<absl::Time, std::string>> wakes;
    absl::flat_hash_map<std::string, absl::Time> wake_of;
    // The last changes, for resumes: board states after history_base_seq are reachable.
    std::deque<std::pair<uint64_t, std::vector<EntryChange>>> history;
    size_t history_entries = 0;  // Changes held in `history`.
    uint64_t history_base_seq = 0;
    std::vector<std::shared_ptr<Subscription>> subscribers;
    // Subscribers with chosen members, by member: a commit's changes reach them by lookup.
    absl::flat_hash_map<std::string, std::vector<Subscription*>> followers;
    absl::Time last_used;
  };
  // One board's refresh: read under the views' reader lock, applied after it is released, so the
  // ranking and the fan-out never hold up the writer.
  struct Refreshed {
    LiveBoard* board;
    uint64_t seq;
    std::vector<RankedBoard::Set> sets;
    // The board's shape and members as of `seq`, when they were read afresh (org changes).
    std::optional<BoardShape> shape;
    absl::flat_hash_set<std::string> members;
    bool reshaped = false;  // Another metric or mode: the sets are the whole new board.
    // The names as of `seq`, when the shape was read afresh (a rename is an org change).
    std::string name;
    std::shared_ptr<const MemberNames> names;
    std::vector<v1::Signing> signings;  // Signed by members in the commits since the last round.
    // Point-in-time boards: the recomputed members' next clock steps (nullopt: none, or gone).
    std::vector<std::pair<std::string, std::optional<absl::Time>>> wakes;
  };
  struct Delivery {
    std::shared_ptr<Subscription> subscription;
    std::vector<EntryChange> changes;
    uint64_t seq;
    v1::BoardInfo info;         // The board's, as of seq.
    bool info_changed = false;  // Since the board's previous seq: every subscriber gets it.
    std::shared_ptr<const MemberNames> names;
    std::vector<v1::Signing> signings;
    // The message, built once for every subscriber of the same view (Subscription::Delta).
    std::shared_ptr<const v1::LeaderboardUpdate> shared;
  };

  // Calls fn(sink) on the subscriber's writer, if it still has one, holding a reference to it but
  // not the subscription's lock (the writer takes that lock itself).
  template <typename F>
  static void WithSink(Subscription& sub, F&& fn);
  void OnChanged(std::vector<std::string> reps, bool everything,
                 const std::vector<SignedContract>& signed_contracts);
  void Run();
  void Round();
  absl::StatusOr<BoardSpec> DecodeBoard(const v1::BoardRef& ref, absl::Time now,
                                        std::optional<PeriodKind>* rolling) const;
  // The live board for `spec`, created from the projector if needed. REQUIRES: mu_, and the views'
  // reader lock held by the caller (p).
  absl::StatusOr<LiveBoard*> BoardFor(const Projector& p, const BoardSpec& spec)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Values read in one round, shared by the boards that rank reps by the same (period, metric): a
  // rep's value is the same on its team's, its region's and the company's board.
  using ValueCache = absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, BoardValue>>;
  // Reads what `b` needs from the projector to catch up: the values of the members in `reps` (all
  // when `everything`), and of those whose next clock step is at or before `now`. REQUIRES: mu_
  // and the views' reader lock.
  absl::StatusOr<Refreshed> Collect(const Projector& p, LiveBoard& b,
                                    const absl::flat_hash_set<std::string>& reps, bool everything,
                                    absl::Time now, ValueCache& cache)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Files when `member`'s value next moves with the clock (nullopt: never). REQUIRES: mu_.
  static void SetWake(LiveBoard& b, const std::string& member, std::optional<absl::Time> at);
  // The entries of members renamed by a refresh, unchanged but for the name. REQUIRES: mu_.
  std::vector<EntryChange> Renamed(const LiveBoard& b, const MemberNames& before) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Re-ranks the board with what Collect read and appends the subscribers' deliveries.
  void Publish(Refreshed& r, std::vector<Delivery>& out) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SendSnapshot(LiveBoard& b, Subscription& s, v1::LeaderboardUpdate::Reason reason,
                    uint64_t resume_after) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  v1::BoardInfo Info(const LiveBoard& b) const;
  // GetLeaderboard's answer from a live board.
  absl::StatusOr<v1::GetLeaderboardResponse> Answer(LiveBoard& b,
                                                    const v1::GetLeaderboardRequest& request)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Attach(LiveBoard& b, std::shared_ptr<Subscription> s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Detach(Subscription& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Waits (at most 200 ms) until the live board `key`, if any, reflects the views' seq as of now,
  // and (a point-in-time board) the clock as of now.
  void AwaitCaughtUp(const std::string& key) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Views* const views_;
  const Clock* const clock_;
  const BoardHubOptions options_;
  const absl::TimeZone zone_;

  mutable salestrack::Mutex mu_;  // Taken inside the views' reader lock, never around it.
  absl::flat_hash_map<std::string, std::unique_ptr<LiveBoard>> boards_ ABSL_GUARDED_BY(mu_);
  size_t subscribers_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;  // CloseSubscribers ran.

  salestrack::Mutex pending_mu_;
  absl::flat_hash_set<std::string> pending_reps_ ABSL_GUARDED_BY(pending_mu_);
  bool pending_everything_ ABSL_GUARDED_BY(pending_mu_) = false;
  bool pending_ ABSL_GUARDED_BY(pending_mu_) = false;
  std::vector<SignedContract> pending_signed_ ABSL_GUARDED_BY(pending_mu_);
  bool stop_ ABSL_GUARDED_BY(pending_mu_) = false;
  std::thread thread_;
};

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

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_BOARDS_H_
