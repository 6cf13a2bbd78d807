#include "salestrack/leaderboard.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "salestrack/metric_names.h"
#include "salestrack/scorecard.h"
#include "salestrack/status_macros.h"

namespace salestrack {
namespace {

absl::Status CheckRankable(const std::string& metric, bool competition) {
  if (!IsBoardMetric(metric)) {
    return absl::InvalidArgumentError(
        InFamily(metric, metric::kAttainment)
            ? absl::StrCat("metric \"", metric, "\": an attainment is of a per-period metric, ",
                           "e.g. \"attainment:sales_amount\"")
            : absl::StrCat("unknown metric \"", metric, "\""));
  }
  if (competition && IsPointInTimeMetric(metric)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metric \"", metric, "\" is a point-in-time figure: a competition ranks over its window"));
  }
  return absl::OkStatus();
}

void AddActiveReps(const OrgState& org, const std::string& unit, std::vector<std::string>& out) {
  for (std::string& rep : org.RepsUnder(unit)) {
    const OrgState::Rep* r = org.FindRep(rep);
    if (r != nullptr && r->active) out.push_back(std::move(rep));
  }
}

}  // namespace

std::optional<double> RankValue(const MetricValue& v) {
  switch (v.kind) {
    case MetricValue::Kind::kCount:
    case MetricValue::Kind::kMoney:
      return static_cast<double>(v.integer);
    case MetricValue::Kind::kRatio:
    case MetricValue::Kind::kMean:
      return v.real;
    case MetricValue::Kind::kDistribution:
      if (v.count == 0) return std::nullopt;
      return v.mean_seconds;
  }
  return std::nullopt;
}

std::string BoardSpec::Key() const {
  if (!competition_id.empty()) return absl::StrCat("competition ", competition_id);
  return absl::StrCat("unit ", unit_id, " ", PeriodName(period), " ", metric);
}

absl::StatusOr<BoardShape> ResolveBoard(const Projector& p, const BoardSpec& spec) {
  const OrgState& org = p.org();
  BoardShape shape;
  if (spec.competition_id.empty()) {
    if (org.FindUnit(spec.unit_id) == nullptr) {
      return absl::NotFoundError(absl::StrCat("unit \"", spec.unit_id, "\" is not defined"));
    }
    RETURN_IF_ERROR(CheckRankable(spec.metric, /*competition=*/false));
    shape.metric = spec.metric;
    AddActiveReps(org, spec.unit_id, shape.members);
  } else {
    const Competition* c = p.FindCompetition(spec.competition_id);
    if (c == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("competition \"", spec.competition_id, "\" is not defined"));
    }
    // Ranked by a scheme: its composite score over the window (scorecard.h).
    shape.metric = c->metric.empty() ? "composite_score" : c->metric;
    RETURN_IF_ERROR(CheckRankable(shape.metric, /*competition=*/true));
    shape.team = c->team;
    shape.start = c->start;
    shape.end = c->end;
    for (const std::string& unit : c->unit_ids) {
      if (org.FindUnit(unit) == nullptr) continue;  // Not (or no longer) defined: not a member.
      if (c->team) {
        shape.members.push_back(unit);
      } else {
        AddActiveReps(org, unit, shape.members);
      }
    }
    for (const std::string& rep : c->rep_ids) {
      const OrgState::Rep* r = org.FindRep(rep);
      if (r == nullptr || r->active) shape.members.push_back(rep);
    }
  }
  std::sort(shape.members.begin(), shape.members.end());
  shape.members.erase(std::unique(shape.members.begin(), shape.members.end()), shape.members.end());
  shape.lower_is_better = BoardRanksAscending(shape.metric);
  if (IsSchemeMetric(shape.metric)) {  // Points (a mean-like real) or money.
    shape.kind =
        shape.metric == "commission" ? MetricValue::Kind::kMoney : MetricValue::Kind::kMean;
    return shape;
  }
  if (IsAttainmentMetric(shape.metric)) {  // 1.0 = 100 %.
    shape.kind = MetricValue::Kind::kRatio;
    return shape;
  }
  if (IsPointInTimeMetric(shape.metric)) {
    shape.as_of_now = true;
    ASSIGN_OR_RETURN(MetricValue probe,
                     p.PointInTimeMetric(Subject::Rep(""), shape.metric, absl::UnixEpoch()));
    shape.kind = probe.kind;
    return shape;
  }
  ASSIGN_OR_RETURN(MetricValue probe, p.Metric(Subject::Rep(""), spec.period, shape.metric));
  shape.kind = probe.kind;
  return shape;
}

namespace {

// attainment:M of one member (see MemberValue).
absl::StatusOr<BoardValue> AttainmentValue(const Projector& p, const BoardSpec& spec,
                                           const BoardShape& shape, const Subject& subject) {
  const std::string of(AttainmentOf(shape.metric));
  const bool competition = !spec.competition_id.empty();
  ASSIGN_OR_RETURN(MetricValue actual, competition
                                           ? p.CompetitionMetric(spec.competition_id, subject, of)
                                           : p.Metric(subject, spec.period, of));
  const Period period = competition && shape.start && shape.end
                            ? WindowPeriod(*shape.start, *shape.end, p.options().zone)
                            : spec.period;
  auto target = FindTargetFor(p, subject, period, of);
  std::optional<Exact> exact_actual = ExactInTargetUnits(actual);
  if (!target || !exact_actual) return BoardValue{};
  std::optional<Exact> a =
      ExactAttainment(*exact_actual, target->first.target, IsLowerBetterMetric(of));
  if (!a) return BoardValue{std::numeric_limits<double>::infinity(), std::nullopt};
  return BoardValue{a->get_d(), *std::move(a)};
}

}  // namespace

absl::StatusOr<BoardValue> MemberValue(const Projector& p, const BoardSpec& spec,
                                       const BoardShape& shape, const std::string& member,
                                       absl::Time now) {
  Subject subject = shape.team ? Subject::Unit(member) : Subject::Rep(member);
  if (IsAttainmentMetric(shape.metric)) return AttainmentValue(p, spec, shape, subject);
  if (shape.as_of_now) {
    ASSIGN_OR_RETURN(MetricValue v, p.PointInTimeMetric(subject, shape.metric, now));
    return BoardValue{RankValue(v), std::nullopt};
  }
  if (IsSchemeMetric(shape.metric)) {
    // A member no scheme applies to (no role, no scheme for it yet) is on the board, unranked.
    absl::StatusOr<Scorecard> card =
        spec.competition_id.empty() ? ComputeScorecard(p, subject, spec.period)
                                    : ComputeCompetitionScorecard(p, spec.competition_id, subject);
    // No scheme applies (FAILED_PRECONDITION), or a competition's scheme is not defined (yet):
    // unranked, like an undefined ratio.
    if (absl::IsFailedPrecondition(card.status()) ||
        (!spec.competition_id.empty() && absl::IsNotFound(card.status()))) {
      return BoardValue{};
    }
    if (!card.ok()) return card.status();
    if (shape.metric == "commission") {
      return BoardValue{static_cast<double>(card->commission), std::nullopt};
    }
    return BoardValue{card->composite_centi / 100.0, std::nullopt};
  }
  absl::StatusOr<MetricValue> v =
      spec.competition_id.empty() ? p.Metric(subject, spec.period, shape.metric)
                                  : p.CompetitionMetric(spec.competition_id, subject, shape.metric);
  if (!v.ok()) return v.status();
  return BoardValue{RankValue(*v), std::nullopt};
}

absl::StatusOr<std::optional<absl::Time>> MemberNextClockStep(const Projector& p,
                                                              const BoardShape& shape,
                                                              const std::string& member,
                                                              absl::Time now) {
  if (!shape.as_of_now || shape.team) return std::optional<absl::Time>();
  return p.NextClockStep(Subject::Rep(member), shape.metric, now);
}

absl::StatusOr<Board> ComputeBoard(const Projector& p, const BoardSpec& spec, absl::Time now) {
  Board board;
  board.seq = p.applied_seq();
  ASSIGN_OR_RETURN(board.shape, ResolveBoard(p, spec));
  board.entries.reserve(board.shape.members.size());
  for (const std::string& member : board.shape.members) {
    ASSIGN_OR_RETURN(BoardValue v, MemberValue(p, spec, board.shape, member, now));
    board.entries.push_back({member, v.value, 0, std::move(v.exact)});
  }
  RankEntries(board.entries, board.shape.lower_is_better);
  return board;
}

bool BoardOrder(const BoardEntry& a, const BoardEntry& b, bool lower_is_better) {
  if (a.value.has_value() != b.value.has_value()) return a.value.has_value();
  if (a.value && *a.value != *b.value) {
    return lower_is_better ? *a.value < *b.value : *a.value > *b.value;
  }
  // Equal doubles: the exact values decide (attainment boards; both or neither have one).
  if (a.exact && b.exact && *a.exact != *b.exact) {
    return lower_is_better ? *a.exact < *b.exact : *a.exact > *b.exact;
  }
  return a.member < b.member;
}

namespace {

// Assigns competition ranks to entries already in board order, from position `from` on (the ranks
// before it must be right already); calls on_rank(i, old_rank) for each entry it ranks.
template <typename F>
void AssignRanks(std::vector<BoardEntry>& entries, size_t from, F&& on_rank) {
  for (size_t i = from; i < entries.size(); ++i) {
    BoardEntry& e = entries[i];
    int rank = 0;
    if (e.value) {
      const bool tie = i > 0 && entries[i - 1].value == e.value && entries[i - 1].exact == e.exact;
      rank = tie ? entries[i - 1].rank : static_cast<int>(i) + 1;
    }
    int old = e.rank;
    e.rank = rank;
    on_rank(i, old);
  }
}

}  // namespace

void RankEntries(std::vector<BoardEntry>& entries, bool lower_is_better) {
  std::sort(entries.begin(), entries.end(), [&](const BoardEntry& a, const BoardEntry& b) {
    return BoardOrder(a, b, lower_is_better);
  });
  AssignRanks(entries, 0, [](size_t, int) {});
}

std::vector<EntryChange> DiffViews(const std::vector<BoardEntry>& before,
                                   const std::vector<BoardEntry>& after) {
  absl::flat_hash_map<std::string, const BoardEntry*> old;
  for (const BoardEntry& e : before) old[e.member] = &e;
  std::vector<EntryChange> changes;
  for (const BoardEntry& e : after) {
    auto it = old.find(e.member);
    if (it == old.end()) {
      changes.push_back({e.member, true, e.value, e.rank, false, std::nullopt, 0, e.exact, {}});
      continue;
    }
    const BoardEntry& o = *it->second;
    if (o.value != e.value || o.exact != e.exact || o.rank != e.rank) {
      changes.push_back({e.member, true, e.value, e.rank, true, o.value, o.rank, e.exact, o.exact});
    }
    old.erase(it);
  }
  for (const BoardEntry& o : before) {
    if (old.contains(o.member)) {
      changes.push_back({o.member, false, std::nullopt, 0, true, o.value, o.rank, {}, o.exact});
    }
  }
  return changes;
}

namespace {

std::vector<BoardEntry> Replay(std::vector<BoardEntry> view,
                               const std::vector<EntryChange>& changes, bool lower_is_better,
                               bool undo) {
  absl::flat_hash_map<std::string, BoardEntry> by_member;
  for (BoardEntry& e : view) by_member[e.member] = std::move(e);
  auto apply = [&](const EntryChange& c) {
    bool present = undo ? c.was_present : c.present;
    if (!present) {
      by_member.erase(c.member);
    } else {
      by_member[c.member] = {c.member, undo ? c.previous_value : c.value,
                             undo ? c.previous_rank : c.rank, undo ? c.previous_exact : c.exact};
    }
  };
  if (undo) {
    std::for_each(changes.rbegin(), changes.rend(), apply);
  } else {
    std::for_each(changes.begin(), changes.end(), apply);
  }
  std::vector<BoardEntry> out;
  out.reserve(by_member.size());
  for (auto& [member, e] : by_member) out.push_back(std::move(e));
  std::sort(out.begin(), out.end(), [&](const BoardEntry& a, const BoardEntry& b) {
    return BoardOrder(a, b, lower_is_better);
  });
  return out;
}

}  // namespace

std::vector<BoardEntry> ApplyChanges(std::vector<BoardEntry> view,
                                     const std::vector<EntryChange>& changes,
                                     bool lower_is_better) {
  return Replay(std::move(view), changes, lower_is_better, /*undo=*/false);
}

std::vector<BoardEntry> UndoChanges(std::vector<BoardEntry> view,
                                    const std::vector<EntryChange>& changes, bool lower_is_better) {
  return Replay(std::move(view), changes, lower_is_better, /*undo=*/true);
}

void FoldChanges(absl::flat_hash_map<std::string, EntryChange>& pending,
                 const std::vector<EntryChange>& next) {
  for (const EntryChange& c : next) {
    auto [it, inserted] = pending.try_emplace(c.member, c);
    if (inserted) continue;
    EntryChange& m = it->second;
    m.present = c.present;
    m.value = c.value;
    m.rank = c.rank;
    m.exact = c.exact;
    bool no_change = m.present == m.was_present &&
                     (!m.present || (m.value == m.previous_value && m.rank == m.previous_rank &&
                                     m.exact == m.previous_exact));
    if (no_change) pending.erase(it);
  }
}

size_t RankedBoard::LowerBound(const BoardEntry& e) const {
  return static_cast<size_t>(std::lower_bound(entries_.begin(), entries_.end(), e,
                                              [&](const BoardEntry& a, const BoardEntry& b) {
                                                return BoardOrder(a, b, lower_is_better_);
                                              }) -
                             entries_.begin());
}

int RankedBoard::PositionOf(const std::string& member) const {
  auto it = values_.find(member);
  if (it == values_.end()) return -1;
  return static_cast<int>(LowerBound({member, it->second.value, 0, it->second.exact}));
}

void RankedBoard::Apply(const std::vector<Set>& sets, std::vector<EntryChange>* changes) {
  std::vector<Old> old;
  size_t first_touched = entries_.size();
  if (sets.size() * 16 > entries_.size()) {
    if (ApplyBySorting(sets, old, changes)) first_touched = 0;
  } else {
    ApplyInPlace(sets, old, &first_touched, changes);
  }
  // Ranks before the first touched position stand: nothing before it moved or changed value.
  AssignRanks(entries_, first_touched, [&](size_t i, int old_rank) {
    const BoardEntry& e = entries_[i];
    if (old_rank < 0) {
      const Old& o = old[-old_rank - 1];
      if (!o.was_present || o.value != e.value || o.exact != e.exact || o.rank != e.rank) {
        changes->push_back(
            {e.member, true, e.value, e.rank, o.was_present, o.value, o.rank, e.exact, o.exact});
      }
    } else if (old_rank != e.rank) {
      changes->push_back(
          {e.member, true, e.value, e.rank, true, e.value, old_rank, e.exact, e.exact});
    }
  });
}

void RankedBoard::ApplyInPlace(const std::vector<Set>& sets, std::vector<Old>& old,
                               size_t* first_touched, std::vector<EntryChange>* changes) {
  for (const Set& s : sets) {
    auto it = values_.find(s.member);
    if (it != values_.end()) {
      if (s.present && it->second.value == s.value && it->second.exact == s.exact) continue;
      const size_t pos = LowerBound({s.member, it->second.value, 0, it->second.exact});
      if (s.present) {
        // Move the entry to its new place by rotating only the entries between the two places (a
        // count that goes up by one passes only its ties), not the board's whole tail twice as an
        // erase and an insert would. `to` counts the entries that stay before it.
        size_t to = LowerBound({s.member, s.value, 0, s.exact});
        if (to > pos) --to;
        old.push_back({true, it->second.value, entries_[pos].rank, it->second.exact});
        it->second = {s.value, s.exact};
        entries_[pos].value = s.value;
        entries_[pos].exact = s.exact;
        entries_[pos].rank = -static_cast<int>(old.size());
        const auto at = [&](size_t i) { return entries_.begin() + static_cast<ptrdiff_t>(i); };
        if (to < pos) {
          std::rotate(at(to), at(pos), at(pos + 1));
        } else if (to > pos) {
          std::rotate(at(pos), at(pos + 1), at(to + 1));
        }
        *first_touched = std::min({*first_touched, pos, to});
        continue;
      }
      // The member leaves the board.
      *first_touched = std::min(*first_touched, pos);
      const BoardEntry& gone = entries_[pos];
      changes->push_back(
          {gone.member, false, std::nullopt, 0, true, gone.value, gone.rank, {}, gone.exact});
      entries_.erase(entries_.begin() + static_cast<ptrdiff_t>(pos));
      values_.erase(it);
      continue;
    }
    if (!s.present) continue;
    // A new member.
    old.push_back({false, std::nullopt, 0, std::nullopt});
    values_.emplace(s.member, BoardValue{s.value, s.exact});
    BoardEntry e{s.member, s.value, -static_cast<int>(old.size()), s.exact};
    const size_t pos = LowerBound(e);
    *first_touched = std::min(*first_touched, pos);
    entries_.insert(entries_.begin() + static_cast<ptrdiff_t>(pos), std::move(e));
  }
}

bool RankedBoard::ApplyBySorting(const std::vector<Set>& sets, std::vector<Old>& old,
                                 std::vector<EntryChange>* changes) {
  absl::flat_hash_map<std::string, size_t> position;
  position.reserve(entries_.size());
  for (size_t i = 0; i < entries_.size(); ++i) position[entries_[i].member] = i;
  std::vector<bool> erase(entries_.size(), false);
  std::vector<BoardEntry> added;
  for (const Set& s : sets) {
    auto it = position.find(s.member);
    if (it != position.end() && !erase[it->second]) {
      BoardEntry& e = entries_[it->second];
      if (!s.present) {
        changes->push_back({e.member, false, std::nullopt, 0, true, e.value, e.rank, {}, e.exact});
        erase[it->second] = true;
        values_.erase(e.member);
        continue;
      }
      if (e.value == s.value && e.exact == s.exact) continue;
      old.push_back({true, e.value, e.rank, e.exact});
      e.value = s.value;
      e.exact = s.exact;
      e.rank = -static_cast<int>(old.size());
      values_[e.member] = {s.value, s.exact};
    } else if (s.present) {
      old.push_back({false, std::nullopt, 0, std::nullopt});
      added.push_back({s.member, s.value, -static_cast<int>(old.size()), s.exact});
      values_[s.member] = {s.value, s.exact};
    }
  }
  if (old.empty() && std::none_of(erase.begin(), erase.end(), [](bool b) { return b; }))
    return false;
  std::vector<BoardEntry> next;
  next.reserve(entries_.size() + added.size());
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (!erase[i]) next.push_back(std::move(entries_[i]));
  }
  for (BoardEntry& a : added) next.push_back(std::move(a));
  std::sort(next.begin(), next.end(), [&](const BoardEntry& a, const BoardEntry& b) {
    return BoardOrder(a, b, lower_is_better_);
  });
  entries_ = std::move(next);
  return true;
}

}  // namespace salestrack
