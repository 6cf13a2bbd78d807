// Leaderboards (KPI_SPEC §7): who ranks where on a board, and what changed between two boards.
//
// A board is (scope, period, metric). Its members are the scope's active reps (or, in a TEAM
// competition, its units), including those with zero. Order: value descending (ascending for
// LOWER-is-better metrics); equal values share a rank (1, 2, 2, 4) and are listed by id; undefined
// values are unranked (rank 0) and listed last.
//
// Beyond §7's metrics a board ranks attainments ("attainment:sales_amount": actual over target,
// compared exactly as rationals) and point-in-time figures (as of `now`, whatever the period:
// such a board is a function of the log and the clock). docs/decisions.md has the choices.
//
//   BoardSpec spec = BoardSpec::ForUnit("east", PeriodOf(PeriodKind::kWeek, now, zone),
//   "signings"); absl::StatusOr<Board> board = ComputeBoard(projector, spec);   // from scratch
//
//   RankedBoard live(board->lower_is_better);                       // incrementally
//   live.Apply(changes, &delta);                                     // the entries that moved
//
// Pure values and functions; RankedBoard is not thread-safe.
#ifndef SALESTRACK_LEADERBOARD_H_
#define SALESTRACK_LEADERBOARD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "salestrack/period.h"
#include "salestrack/projector.h"
#include "salestrack/score_math.h"

namespace salestrack {

struct BoardSpec {
  // Scope: a unit's subtree, or a competition (its own window, metric and participants).
  std::string unit_id;
  std::string competition_id;
  Period period;       // Unit boards.
  std::string metric;  // Unit boards.

  static BoardSpec ForUnit(std::string unit, const Period& period, std::string metric) {
    return {std::move(unit), "", period, std::move(metric)};
  }
  static BoardSpec ForCompetition(std::string id) { return {"", std::move(id), {}, ""}; }
  // A canonical name, e.g. "unit east WEEK 2026-11-23 signings" or "competition q4-pk".
  std::string Key() const;
};

struct BoardEntry {
  std::string member;
  std::optional<double> value;  // Absent: undefined (a ratio with a zero denominator, ...).
  int rank = 0;                 // 1-based; 0: unranked.
  // Attainment boards: the exact rational behind `value` (which is it rounded toward zero, so two
  // values that differ order the same way as their exacts). Equal values are ordered, and tie, by
  // it. Absent on other boards, and for an infinite attainment (value +inf).
  std::optional<Exact> exact;
  friend bool operator==(const BoardEntry&, const BoardEntry&) = default;
};

// A member's value as a board ranks it.
struct BoardValue {
  std::optional<double> value;
  std::optional<Exact> exact;  // See BoardEntry::exact.
  friend bool operator==(const BoardValue&, const BoardValue&) = default;
};

// What a board is, once its scope is resolved against the org.
struct BoardShape {
  std::string metric;
  bool lower_is_better = false;
  bool team = false;                                   // Members are units.
  MetricValue::Kind kind = MetricValue::Kind::kCount;  // RATIO for attainments.
  bool as_of_now = false;  // A point-in-time figure: the period is not used, the clock is.
  std::optional<absl::Time> start, end;  // Competitions: the window.
  std::vector<std::string> members;      // Sorted.
};

struct Board {
  uint64_t seq = 0;
  BoardShape shape;
  std::vector<BoardEntry> entries;  // In board order.
};

// The board's members and metric. NOT_FOUND for an undefined unit or competition;
// INVALID_ARGUMENT for a metric that cannot rank (unknown; point-in-time in a competition). Boards
// rank by composite_score and commission too, and a competition with a scheme_id by its composite
// score (scorecard.h); members no scheme applies to are unranked.
absl::StatusOr<BoardShape> ResolveBoard(const Projector& p, const BoardSpec& spec);
// One member's ranking value: a distribution ranks by its mean; absent when undefined.
//   attainment:M  the member's M over its target for M (FindTargetFor in scorecard.h: its own,
//                 else the nearest unit's above it) in the board's period (a competition: the
//                 targets of WindowPeriod), exact, LOWER-is-better M turned round as a scorecard
//                 does (score_math.h ExactAttainment); undefined without a target or an actual;
//                 +inf when infinite (LOWER, actual 0).
//   point in time as of `now`.
absl::StatusOr<BoardValue> MemberValue(const Projector& p, const BoardSpec& spec,
                                       const BoardShape& shape, const std::string& member,
                                       absl::Time now);
// When a member's value on a point-in-time board next changes with the clock alone (a follow-up
// or an installment falls due after `now`); absent when never, or on any other board.
absl::StatusOr<std::optional<absl::Time>> MemberNextClockStep(const Projector& p,
                                                              const BoardShape& shape,
                                                              const std::string& member,
                                                              absl::Time now);
// A figure as a number: counts and money as is, ratios and means as their real, distributions by
// their mean; absent when undefined.
std::optional<double> RankValue(const MetricValue& v);
// The whole board, from scratch; `now` for point-in-time boards.
absl::StatusOr<Board> ComputeBoard(const Projector& p, const BoardSpec& spec,
                                   absl::Time now = absl::InfiniteFuture());

// True when `a` is listed before `b`.
bool BoardOrder(const BoardEntry& a, const BoardEntry& b, bool lower_is_better);
// Sorts entries into board order and assigns ranks.
void RankEntries(std::vector<BoardEntry>& entries, bool lower_is_better);

// One entry's change between two boards.
struct EntryChange {
  std::string member;
  bool present = true;  // False: the member left the board.
  std::optional<double> value;
  int rank = 0;
  bool was_present = false;  // False: the member joined the board.
  std::optional<double> previous_value;
  int previous_rank = 0;
  std::optional<Exact> exact, previous_exact;  // See BoardEntry::exact.
  friend bool operator==(const EntryChange&, const EntryChange&) = default;
};

// The changes that turn board view `before` into `after` (entries in board order, any subset).
std::vector<EntryChange> DiffViews(const std::vector<BoardEntry>& before,
                                   const std::vector<BoardEntry>& after);
// `view` with `changes` applied, in board order.
std::vector<BoardEntry> ApplyChanges(std::vector<BoardEntry> view,
                                     const std::vector<EntryChange>& changes, bool lower_is_better);
// `view` with `changes` undone, in board order.
std::vector<BoardEntry> UndoChanges(std::vector<BoardEntry> view,
                                    const std::vector<EntryChange>& changes, bool lower_is_better);
// Folds `next` into `pending` (both keyed by member): the earliest previous state, the latest new
// state; a member whose net change is nothing drops out.
void FoldChanges(absl::flat_hash_map<std::string, EntryChange>& pending,
                 const std::vector<EntryChange>& next);

// A board kept ranked as member values change. A few changes move their entries within the sorted
// board (binary search by the old and the new value, then a rotation of the entries between the
// two places) and re-rank from the first position touched; many changes (over 1/16 of the board)
// re-sort it whole.
class RankedBoard {
 public:
  explicit RankedBoard(bool lower_is_better) : lower_is_better_(lower_is_better) {}

  // Sets members' values (present = false: the member leaves the board) and re-ranks. Appends to
  // `changes` every entry whose presence, value or rank changed. REQUIRES: a member at most once.
  struct Set {
    std::string member;
    bool present = true;
    std::optional<double> value;
    std::optional<Exact> exact;
  };
  void Apply(const std::vector<Set>& sets, std::vector<EntryChange>* changes);

  const std::vector<BoardEntry>& entries() const { return entries_; }
  bool lower_is_better() const { return lower_is_better_; }
  // Position of the member in entries(), or -1. O(log n).
  int PositionOf(const std::string& member) const;

 private:
  // What a touched entry was before this Apply; its rank field holds -(index + 1) meanwhile.
  struct Old {
    bool was_present;
    std::optional<double> value;
    int rank;
    std::optional<Exact> exact;
  };
  void ApplyInPlace(const std::vector<Set>& sets, std::vector<Old>& old, size_t* first_touched,
                    std::vector<EntryChange>* changes);
  // False when nothing changed.
  bool ApplyBySorting(const std::vector<Set>& sets, std::vector<Old>& old,
                      std::vector<EntryChange>* changes);
  // Where `e` is, or belongs, in entries_.
  size_t LowerBound(const BoardEntry& e) const;

  bool lower_is_better_;
  std::vector<BoardEntry> entries_;                      // Board order.
  absl::flat_hash_map<std::string, BoardValue> values_;  // Member -> value.
};

}  // namespace salestrack

#endif  // SALESTRACK_LEADERBOARD_H_
