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
                   std::vector<std::string> units, bool team, std::vector<std::string> reps = {},
                   const std::string& metric = "sales_amount") {
    auto* c = Add("", Utc(2026, 1, 1)).mutable_competition_defined();
    c->set_competition_id(id);
    c->set_name(id);
    *c->mutable_start() = ToProto(start);
    *c->mutable_end() = ToProto(end);
    c->set_metric(metric);
    for (auto& u : units) c->add_participant_unit_ids(u);
    for (auto& r : reps) c->add_participant_rep_ids(r);
    c->set_mode(team ? v1::CompetitionDefined::TEAM : v1::CompetitionDefined::INDIVIDUAL);
    Commit();
  }
  // A November target of a rep ("rep") or a unit.
  void Target(bool unit, const std::string& id, const std::string& metric, int64_t target) {
    auto* t = Add("", Utc(2026, 1, 1)).mutable_target_set();
    unit ? t->set_subject_unit_id(id) : t->set_subject_rep_id(id);
    t->mutable_period()->set_kind(v1::MONTH);
    t->mutable_period()->mutable_date()->set_year(2026);
    t->mutable_period()->mutable_date()->set_month(11);
    t->mutable_period()->mutable_date()->set_day(1);
    t->set_metric(metric);
    t->set_target(target);
    Commit();
  }
  void Won(const std::string& rep, const std::string& opp, absl::Time opened, absl::Time won) {
    auto* o = Add(rep, opened).mutable_opportunity_opened();
    o->set_opportunity_id(opp);
    o->set_customer_id("cust-" + opp);
    Commit();
    auto* c = Add(rep, won).mutable_opportunity_closed();
    c->set_opportunity_id(opp);
    c->set_outcome(v1::OpportunityClosed::WON);
    Commit();
  }
  void Visit(const std::string& rep, const std::string& customer, absl::Time at,
             std::optional<absl::Time> follow_up) {
    auto* a = Add(rep, at).mutable_action_logged();
    a->set_customer_id(customer);
    if (follow_up) *a->mutable_next_follow_up_at() = ToProto(*follow_up);
    Commit();
  }
  std::vector<BoardEntry> Entries(const BoardSpec& spec, absl::Time now = absl::InfiniteFuture()) {
    absl::StatusOr<Board> b = ComputeBoard(p_, spec, now);
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
  EXPECT_EQ(
      ComputeBoard(p_, BoardSpec::ForUnit("east", nov_, "attainment:outstanding")).status().code(),
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

// ---- Attainment boards
// ---------------------------------------------------------------------------

// Values as (member, value, rank) with the exact attainment beside them.
BoardEntry A(std::string member, int64_t num, int64_t den, int rank) {
  const Exact q = ExactOf(num) / ExactOf(den);
  return {std::move(member), q.get_d(), rank, q};
}

TEST(RankEntriesTest, EqualDoublesAreOrderedAndTiedByTheirExactValues) {
  // 1 + 10^-16 and 1 are the same double; ranked as doubles they would tie at rank 1.
  const int64_t big = 10'000'000'000'000'000;
  std::vector<BoardEntry> board =
      Ranked({A("a", 3, 3, 0), A("b", big + 1, big, 0), A("c", 7, 7, 0), A("d", 2, 3, 0)});
  EXPECT_EQ(board[0].value, board[1].value);
  EXPECT_THAT(board, ElementsAre(A("b", big + 1, big, 1), A("a", 1, 1, 2), A("c", 1, 1, 2),
                                 A("d", 2, 3, 4)));
  // The incremental board agrees, and a change of the exact value alone moves the entry.
  RankedBoard live(false);
  std::vector<EntryChange> changes;
  live.Apply({{"a", true, 1.0, Exact(1)}, {"b", true, 1.0, Exact(Exact(big + 1) / big)}}, &changes);
  EXPECT_EQ(live.entries()[0].member, "b");
  changes.clear();
  live.Apply({{"a", true, 1.0, Exact(Exact(big + 2) / big)}}, &changes);
  EXPECT_EQ(live.entries()[0].member, "a");
  EXPECT_EQ(changes.size(), 2u);  // a up to 1, b down to 2.
}

TEST_F(BoardFixture, AttainmentRanksActualOverTargetExactly) {
  Unit("east", "");
  Unit("sh", "east");
  Rep("ann", "sh");    // 2/3 of her target.
  Rep("bob", "sh");    // 666,666 of 1,000,000.
  Rep("cat", "sh");    // 1 + 10^-16: above 100 %, though its nearest double is 1.0.
  Rep("dan", "sh");    // Exactly 100 %.
  Rep("eve", "east");  // No target of her own or her unit's: unranked.
  Rep("fay", "sh");    // No target of her own: her unit's.
  const int64_t big = 1'000'000'000'000'000;
  Target(false, "ann", "sales_amount", 3);
  Target(false, "bob", "sales_amount", 1'000'000);
  Target(false, "cat", "sales_amount", big);
  Target(false, "dan", "sales_amount", 500);
  Target(true, "sh", "sales_amount", 1'000);
  Signed("ann", "k1", 2, Utc(2026, 11, 3));
  Signed("bob", "k2", 666'666, Utc(2026, 11, 3));
  Signed("cat", "k3", big, Utc(2026, 11, 3));
  Signed("cat", "k4", 1, Utc(2026, 11, 4));
  Signed("dan", "k5", 500, Utc(2026, 11, 5));
  Signed("eve", "k6", 900, Utc(2026, 11, 5));
  Signed("fay", "k7", 250, Utc(2026, 11, 5));
  std::vector<BoardEntry> board =
      Entries(BoardSpec::ForUnit("east", nov_, "attainment:sales_amount"));
  EXPECT_THAT(board, ElementsAre(A("cat", big + 1, big, 1), A("dan", 1, 1, 2), A("ann", 2, 3, 3),
                                 A("bob", 666'666, 1'000'000, 4), A("fay", 1, 4, 5),
                                 E("eve", std::nullopt, 0)));
  absl::StatusOr<BoardShape> shape =
      ResolveBoard(p_, BoardSpec::ForUnit("east", nov_, "attainment:sales_amount"));
  ASSERT_TRUE(shape.ok());
  EXPECT_EQ(shape->kind, MetricValue::Kind::kRatio);
  EXPECT_FALSE(shape->lower_is_better);
  // A target set later re-ranks: eve's own 100 puts her at 900 %.
  Target(false, "eve", "sales_amount", 100);
  EXPECT_EQ(Entries(BoardSpec::ForUnit("east", nov_, "attainment:sales_amount"))[0],
            A("eve", 9, 1, 1));
  // Not attainments of a per-period metric.
  for (const char* bad : {"attainment:outstanding", "attainment:bogus", "attainment:",
                          "attainment:attainment:sales_amount", "attainment:composite_score"}) {
    EXPECT_EQ(ComputeBoard(p_, BoardSpec::ForUnit("east", nov_, bad)).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST_F(BoardFixture, AttainmentOfALowerIsBetterMetricIsTargetOverActual) {
  Unit("east", "");
  Rep("fast", "east");
  Rep("slow", "east");
  Rep("none", "east");  // A target, but no won deal: no actual, unranked.
  Target(true, "east", "sales_cycle", 7 * 86400);          // 7 days, in seconds.
  Won("fast", "o1", Utc(2026, 11, 1), Utc(2026, 11, 6));   // 5 days: 7/5.
  Won("slow", "o2", Utc(2026, 11, 1), Utc(2026, 11, 15));  // 14 days: 1/2.
  EXPECT_THAT(Entries(BoardSpec::ForUnit("east", nov_, "attainment:sales_cycle")),
              ElementsAre(A("fast", 7, 5, 1), A("slow", 1, 2, 2), E("none", std::nullopt, 0)));
}

TEST_F(BoardFixture, TeamCompetitionRanksEachUnitByItsOwnTarget) {
  Unit("east", "");
  Unit("sh", "east");
  Unit("hz", "east");
  Unit("nj", "east");  // No target of its own: east's.
  Rep("ann", "sh");
  Rep("hal", "hz");
  Rep("ned", "nj");
  Target(true, "sh", "sales_amount", 1'000);
  Target(true, "hz", "sales_amount", 300);
  Target(true, "east", "sales_amount", 10'000);
  Signed("ann", "k1", 900, Utc(2026, 11, 12));    // 90 %, the most sold.
  Signed("hal", "k2", 300, Utc(2026, 11, 12));    // 100 %.
  Signed("ned", "k3", 2'000, Utc(2026, 10, 12));  // Before the window.
  Signed("ned", "k4", 500, Utc(2026, 11, 13));    // 5 % of east's.
  // A November window: November's targets.
  Competition("pk", Utc(2026, 11, 10), Utc(2026, 11, 20), {"sh", "hz", "nj"}, /*team=*/true, {},
              "attainment:sales_amount");
  EXPECT_THAT(Entries(BoardSpec::ForCompetition("pk")),
              ElementsAre(A("hz", 1, 1, 1), A("sh", 9, 10, 2), A("nj", 1, 20, 3)));
}

// ---- Point-in-time boards -----------------------------------------------------------------------

TEST_F(BoardFixture, OverdueFollowUpsRankFewestFirstAsOfNow) {
  Unit("east", "");
  Rep("ann", "east");
  Rep("bob", "east");
  Rep("cat", "east");
  Visit("ann", "c1", Utc(2026, 11, 2), Utc(2026, 11, 5));
  Visit("ann", "c2", Utc(2026, 11, 2), Utc(2026, 11, 9));
  Visit("bob", "c3", Utc(2026, 11, 2), Utc(2026, 11, 7));
  const BoardSpec spec = BoardSpec::ForUnit("east", nov_, "overdue_follow_ups");
  absl::StatusOr<BoardShape> shape = ResolveBoard(p_, spec);
  ASSERT_TRUE(shape.ok()) << shape.status();
  EXPECT_TRUE(shape->as_of_now);
  EXPECT_TRUE(shape->lower_is_better);
  EXPECT_THAT(Entries(spec, Utc(2026, 11, 4)),
              ElementsAre(E("ann", 0, 1), E("bob", 0, 1), E("cat", 0, 1)));
  EXPECT_THAT(Entries(spec, Utc(2026, 11, 8)),
              ElementsAre(E("cat", 0, 1), E("ann", 1, 2), E("bob", 1, 2)));
  EXPECT_THAT(Entries(spec, Utc(2026, 11, 10)),
              ElementsAre(E("cat", 0, 1), E("bob", 1, 2), E("ann", 2, 3)));
  // Due at 00:00 on the 5th: overdue from the next microsecond on.
  auto next = MemberNextClockStep(p_, *shape, "ann", Utc(2026, 11, 4));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(*next, Utc(2026, 11, 5) + absl::Microseconds(1));
  next = MemberNextClockStep(p_, *shape, "ann", Utc(2026, 11, 6));
  EXPECT_EQ(*next, Utc(2026, 11, 9) + absl::Microseconds(1));
  next = MemberNextClockStep(p_, *shape, "cat", Utc(2026, 11, 6));
  EXPECT_EQ(*next, std::nullopt);
  // A visit to the customer does the follow-up: ann moves up.
  Visit("ann", "c2", Utc(2026, 11, 9, 12), std::nullopt);
  EXPECT_THAT(Entries(spec, Utc(2026, 11, 10)),
              ElementsAre(E("cat", 0, 1), E("ann", 1, 2), E("bob", 1, 2)));
  // A figure that moves only with events has no clock step; competitions rank over a window.
  absl::StatusOr<BoardShape> pipeline =
      ResolveBoard(p_, BoardSpec::ForUnit("east", nov_, "open_pipeline"));
  ASSERT_TRUE(pipeline.ok());
  EXPECT_FALSE(pipeline->lower_is_better);
  EXPECT_EQ(*MemberNextClockStep(p_, *pipeline, "ann", Utc(2026, 11, 1)), std::nullopt);
  Competition("pit", Utc(2026, 11, 1), Utc(2026, 11, 30), {"east"}, false, {}, "overdue");
  EXPECT_EQ(ComputeBoard(p_, BoardSpec::ForCompetition("pit")).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace salestrack
