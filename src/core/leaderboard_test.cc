#include "salestrack/leaderboard.h"

#include <random>

#include "absl/container/flat_hash_set.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salestrack/proto_time.h"

namespace salestrack {
namespace {

using ::testing::ElementsAre;

BoardEntry E(std::string member, std::optional<double> value, int rank) {
  return {std::move(member), value, rank};
}

std::vector<BoardEntry> Ranked(std::vector<BoardEntry> entries, bool lower = false) {
  RankEntries(entries, lower);
  return entries;
}

TEST(RankEntriesTest, CompetitionRankingTiesByIdUndefinedLast) {
  EXPECT_THAT(Ranked({E("d", 5, 0), E("a", std::nullopt, 0), E("c", 7, 0), E("b", 7, 0),
                      E("e", 1, 0), E("f", 0, 0)}),
              ElementsAre(E("b", 7, 1), E("c", 7, 1), E("d", 5, 3), E("e", 1, 4), E("f", 0, 5),
                          E("a", std::nullopt, 0)));
}

TEST(RankEntriesTest, LowerIsBetterAscending) {
  EXPECT_THAT(Ranked({E("a", 30, 0), E("b", 10, 0), E("c", std::nullopt, 0), E("d", 10, 0)}, true),
              ElementsAre(E("b", 10, 1), E("d", 10, 1), E("a", 30, 3), E("c", std::nullopt, 0)));
}

TEST(RankEntriesTest, AllTiedShareRankOne) {
  EXPECT_THAT(Ranked({E("b", 0, 0), E("a", 0, 0), E("c", 0, 0)}),
              ElementsAre(E("a", 0, 1), E("b", 0, 1), E("c", 0, 1)));
}

// The incremental board against a from-scratch ranking, and its changes against a diff, over random
// value changes, joins and leaves (values drawn from a small range so ties are common). Rounds of a
// few changes take the in-place path once the board has grown; every tenth round changes enough
// members to re-sort it whole.
TEST(RankedBoardTest, IncrementalEqualsFromScratch) {
  for (bool lower : {false, true}) {
    std::mt19937 rng(lower ? 7 : 11);
    RankedBoard board(lower);
    absl::flat_hash_map<std::string, std::optional<double>> values;
    for (int round = 0; round < 1500; ++round) {
      std::vector<BoardEntry> before = board.entries();
      std::vector<RankedBoard::Set> sets;
      absl::flat_hash_set<std::string> picked;
      int n = 1 + rng() % (round % 10 == 0 ? 40 : 4);
      for (int i = 0; i < n; ++i) {
        std::string member = "rep-" + std::to_string(rng() % 300);
        if (!picked.insert(member).second) continue;
        RankedBoard::Set s{member, rng() % 9 != 0, std::nullopt};
        if (rng() % 7 != 0) s.value = static_cast<double>(rng() % 6);
        if (s.present) {
          values[member] = s.value;
        } else {
          values.erase(member);
        }
        sets.push_back(s);
      }
      std::vector<EntryChange> changes;
      board.Apply(sets, &changes);

      std::vector<BoardEntry> expected;
      for (const auto& [m, v] : values) expected.push_back({m, v, 0});
      RankEntries(expected, lower);
      ASSERT_EQ(board.entries(), expected) << "round " << round;
      // The changes are exactly the diff, and replay both ways.
      std::vector<EntryChange> diff = DiffViews(before, board.entries());
      auto by_member = [](std::vector<EntryChange> v) {
        std::sort(v.begin(), v.end(),
                  [](const EntryChange& a, const EntryChange& b) { return a.member < b.member; });
        return v;
      };
      ASSERT_EQ(by_member(changes), by_member(diff)) << "round " << round;
      ASSERT_EQ(ApplyChanges(before, changes, lower), board.entries());
      ASSERT_EQ(UndoChanges(board.entries(), changes, lower), before);
      for (const RankedBoard::Set& s : sets) {
        const int pos = board.PositionOf(s.member);
        if (!s.present) {
          ASSERT_EQ(pos, -1) << s.member;
        } else {
          ASSERT_GE(pos, 0) << s.member;
          ASSERT_EQ(board.entries()[static_cast<size_t>(pos)].member, s.member);
        }
      }
    }
  }
}

TEST(FoldChangesTest, FoldedEqualsDiffOfEnds) {
  std::vector<BoardEntry> a = Ranked({E("x", 5, 0), E("y", 3, 0), E("z", 1, 0)});
  std::vector<BoardEntry> b = Ranked({E("x", 5, 0), E("y", 6, 0), E("w", 2, 0)});
  std::vector<BoardEntry> c = Ranked({E("x", 5, 0), E("y", 3, 0), E("z", 1, 0), E("v", 9, 0)});
  absl::flat_hash_map<std::string, EntryChange> pending;
  FoldChanges(pending, DiffViews(a, b));
  FoldChanges(pending, DiffViews(b, c));
  std::vector<EntryChange> folded;
  for (auto& [m, ch] : pending) folded.push_back(ch);
  // y went 3 -> 6 -> 3 and z left and came back at the same rank... but v (9) pushes both down.
  EXPECT_EQ(ApplyChanges(a, folded, false), c);
  std::vector<EntryChange> direct = DiffViews(a, c);
  EXPECT_EQ(folded.size(), direct.size());
  // A round trip to the same board folds to nothing.
  absl::flat_hash_map<std::string, EntryChange> round_trip;
  FoldChanges(round_trip, DiffViews(a, b));
  FoldChanges(round_trip, DiffViews(b, a));
  EXPECT_TRUE(round_trip.empty());
}

// ---- Boards over a projector --------------------------------------------------------------------

absl::Time Utc(int y, int m, int d, int hh = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), absl::UTCTimeZone());
}

class BoardFixture : public ::testing::Test {
 protected:
  BoardFixture() { p_.TrackChanges(); }

  v1::Event& Add(const std::string& rep, absl::Time t) {
    event_ = v1::Event();
    event_.set_event_id("e" + std::to_string(++seq_));
    event_.set_rep_id(rep);
    *event_.mutable_occurred_at() = ToProto(t);
    return event_;
  }
  void Commit() { p_.Apply(seq_, event_); }
  void Unit(const std::string& id, const std::string& parent) {
    auto* u = Add("", Utc(2026, 1, 1)).mutable_unit_defined();
    u->set_unit_id(id);
    u->set_name(id);
    u->set_parent_unit_id(parent);
    Commit();
  }
  void Rep(const std::string& id, const std::string& unit, bool active = true) {
    auto* r = Add("", Utc(2026, 1, 1)).mutable_rep_defined();
    r->set_rep_id(id);
    r->set_name(id);
    r->set_unit_id(unit);
    r->set_active(active);
    Commit();
  }
  void Signed(const std::string& rep, const std::string& contract, int64_t amount, absl::Time t) {
    auto* c = Add(rep, t).mutable_contract_signed();
    c->set_contract_id(contract);
    c->set_customer_id("cust-" + contract);
    c->set_amount(amount);
    Commit();
  }
  void Competition(const std::string& id, absl::Time start, absl::Time end,
                   std::vector<std::string> units, bool team, std::vector<std::string> reps = {}) {
    auto* c = Add("", Utc(2026, 1, 1)).mutable_competition_defined();
    c->set_competition_id(id);
    c->set_name(id);
    *c->mutable_start() = ToProto(start);
    *c->mutable_end() = ToProto(end);
    c->set_metric("sales_amount");
    for (auto& u : units) c->add_participant_unit_ids(u);
    for (auto& r : reps) c->add_participant_rep_ids(r);
    c->set_mode(team ? v1::CompetitionDefined::TEAM : v1::CompetitionDefined::INDIVIDUAL);
    Commit();
  }
  std::vector<BoardEntry> Entries(const BoardSpec& spec) {
    absl::StatusOr<Board> b = ComputeBoard(p_, spec);
    EXPECT_TRUE(b.ok()) << b.status();
    return b.ok() ? b->entries : std::vector<BoardEntry>{};
  }

  Projector p_{ProjectorOptions{absl::UTCTimeZone()}};
  v1::Event event_;
  uint64_t seq_ = 0;
  const Period nov_ = PeriodOf(PeriodKind::kMonth, Utc(2026, 11, 1), absl::UTCTimeZone());
};

TEST_F(BoardFixture, UnitBoardHasIdleMembersAndNoInactiveOrOutsideReps) {
  Unit("east", "");
  Unit("sh", "east");
  Unit("west", "");
  Rep("ann", "sh");
  Rep("bob", "east");
  Rep("cat", "sh");
  Rep("old", "sh", /*active=*/false);
  Rep("wes", "west");
  Signed("ann", "k1", 500, Utc(2026, 11, 3));
  Signed("old", "k2", 900, Utc(2026, 11, 3));
  Signed("wes", "k3", 900, Utc(2026, 11, 3));
  Signed("bob", "k4", 500, Utc(2026, 10, 31, 23));  // October.
  EXPECT_THAT(Entries(BoardSpec::ForUnit("east", nov_, "sales_amount")),
              ElementsAre(E("ann", 500, 1), E("bob", 0, 2), E("cat", 0, 2)));
  // A late event for October changes the October board only.
  Signed("cat", "k5", 700, Utc(2026, 10, 2));
  Period oct = PeriodOf(PeriodKind::kMonth, Utc(2026, 10, 1), absl::UTCTimeZone());
  EXPECT_THAT(Entries(BoardSpec::ForUnit("east", oct, "sales_amount")),
              ElementsAre(E("cat", 700, 1), E("bob", 500, 2), E("ann", 0, 3)));
  EXPECT_THAT(Entries(BoardSpec::ForUnit("sh", nov_, "sales_amount")),
              ElementsAre(E("ann", 500, 1), E("cat", 0, 2)));
  // Undefined values are unranked and last.
  EXPECT_THAT(Entries(BoardSpec::ForUnit("sh", nov_, "avg_deal_size")),
              ElementsAre(E("ann", 500, 1), E("cat", std::nullopt, 0)));
  bool everything = false;
  std::vector<std::string> changed = p_.TakeChanged(&everything);
  EXPECT_TRUE(everything);  // The org was defined since the start.
  Signed("bob", "k6", 1, Utc(2026, 11, 9));
  changed = p_.TakeChanged(&everything);
  EXPECT_FALSE(everything);
  EXPECT_THAT(changed, ElementsAre("bob"));
}

TEST_F(BoardFixture, BadBoardsAreRefused) {
  Unit("east", "");
  EXPECT_EQ(ComputeBoard(p_, BoardSpec::ForUnit("nowhere", nov_, "signings")).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ComputeBoard(p_, BoardSpec::ForUnit("east", nov_, "outstanding")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeBoard(p_, BoardSpec::ForUnit("east", nov_, "bogus")).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Scheme scores rank (scorecard_test has the values); with no scheme yet the board is empty.
  EXPECT_TRUE(ComputeBoard(p_, BoardSpec::ForUnit("east", nov_, "composite_score")).ok());
  EXPECT_EQ(ComputeBoard(p_, BoardSpec::ForCompetition("none")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(BoardFixture, CompetitionsCountOnlyTheirWindowInBothModes) {
  Unit("east", "");
  Unit("sh", "east");
  Unit("hz", "east");
  Rep("ann", "sh");
  Rep("amy", "sh");
  Rep("hal", "hz");
  Rep("out", "");
  // Before the competition is defined, and inside its window [Nov 10 12:00, Nov 20 12:00).
  Signed("ann", "k1", 100, Utc(2026, 11, 10, 12));  // First instant: in.
  Signed("hal", "k2", 300, Utc(2026, 11, 10, 11));  // Just before: out.
  Competition("pk", Utc(2026, 11, 10, 12), Utc(2026, 11, 20, 12), {"sh", "hz"}, /*team=*/true);
  Competition("solo", Utc(2026, 11, 10, 12), Utc(2026, 11, 20, 12), {"hz"}, false, {"ann", "out"});
  Signed("amy", "k3", 250, Utc(2026, 11, 20, 11));  // Last hour: in.
  Signed("hal", "k4", 200, Utc(2026, 11, 20, 12));  // End: out.
  Signed("hal", "k5", 50, Utc(2026, 11, 15));
  EXPECT_THAT(Entries(BoardSpec::ForCompetition("pk")),
              ElementsAre(E("sh", 350, 1), E("hz", 50, 2)));
  EXPECT_THAT(Entries(BoardSpec::ForCompetition("solo")),
              ElementsAre(E("ann", 100, 1), E("hal", 50, 2), E("out", 0, 3)));
  // Moving the window re-sums it from every entity; voiding the move restores the first one.
  Competition("pk", Utc(2026, 11, 1), Utc(2026, 11, 30), {"sh", "hz"}, true);
  const std::string move_event = event_.event_id();
  EXPECT_THAT(Entries(BoardSpec::ForCompetition("pk")),
              ElementsAre(E("hz", 550, 1), E("sh", 350, 2)));
  auto* v = Add("", Utc(2026, 11, 16)).mutable_event_voided();
  v->set_target_event_id(move_event);
  Commit();
  EXPECT_THAT(Entries(BoardSpec::ForCompetition("pk")),
              ElementsAre(E("sh", 350, 1), E("hz", 50, 2)));
}

}  // namespace
}  // namespace salestrack
