#include "core/projector/cells.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/projector/test_log.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salestrack {
namespace {

using ::testing::ElementsAre;

using projection::AggCell;
using projection::AggKey;
using projection::CustomerCells;
using projection::Entry;
using projection::kUnitBit;
using projection::NetTouches;
using projection::PeriodRow;
using projection::Presence;
using projection::RepCells;
using projection::StepSum;
using projection::Touch;
using projection::TouchKind;
using projection::TouchList;

std::vector<Entry> Day(const RepCells& c, int32_t day) {
  std::vector<Entry> out;
  auto it = std::find(c.days.begin(), c.days.end(), day);
  if (it != c.days.end()) c.Decode(it - c.days.begin(), out);
  return out;
}

void AddToDay(RepCells& c, int32_t day, std::vector<Entry> deltas) {
  std::vector<Entry> scratch, merged;
  std::string encoded;
  c.AddToDay(day, deltas, scratch, merged, encoded);
}

// A day's sums come back as added, of any size and sign, in days added out of order; a day whose
// sums cancel is gone and the other days' bytes stay where they belong.
TEST(CellsTest, RepDaysRoundTripAndEmptyDaysVanish) {
  RepCells c;
  AddToDay(c, 20, {{0, 1}, {3, -5}});
  AddToDay(c, 10, {{1, INT64_MAX}, {65535, INT64_MIN}});
  AddToDay(c, 30, {{2, 7}});
  AddToDay(c, 20, {{0, 2}, {4, 1}});
  EXPECT_THAT(c.days, ElementsAre(10, 20, 30));
  EXPECT_THAT(Day(c, 10), ElementsAre(Entry{1, INT64_MAX}, Entry{65535, INT64_MIN}));
  EXPECT_THAT(Day(c, 20), ElementsAre(Entry{0, 3}, Entry{3, -5}, Entry{4, 1}));
  AddToDay(c, 20, {{0, -3}, {3, 5}, {4, -1}});
  EXPECT_THAT(c.days, ElementsAre(10, 30));
  EXPECT_THAT(Day(c, 30), ElementsAre(Entry{2, 7}));
  EXPECT_EQ(c.ends.back(), c.bytes.size());
}

TEST(CellsTest, SamplesAreAMultiset) {
  RepCells c;
  c.AddSamples(5, 1, 100, 2);
  c.AddSamples(4, 1, 50, 1);
  c.AddSamples(5, 1, 100, -1);
  c.AddSamples(5, 1, 999, -1);  // Absent: nothing to remove.
  ASSERT_EQ(c.samples.size(), 2u);
  EXPECT_EQ(c.samples[0].day, 4);
  EXPECT_EQ(c.samples[1].value, 100);
}

// A retraction and an addition of the same figure cancel; what differs survives, summed.
TEST(CellsTest, NettingCancelsWhatDidNotChange) {
  std::vector<Touch> ts;
  TouchList before{&ts, -1}, after{&ts, +1};
  before.Sum(1, 100, 0, 5);
  before.Hist(1, 100, 2, 30);
  before.PitSum(1, projection::kPipeline, 10);
  after.Sum(1, 100, 0, 5);
  after.Hist(1, 100, 2, 30);
  after.Hist(1, 200, 2, 40);
  after.PitSum(1, projection::kPipeline, 12);
  after.Sum(0, 100, 0, 0);  // A zero sum is never a touch.
  NetTouches(ts);
  ASSERT_EQ(ts.size(), 2u);
  EXPECT_EQ(ts[0].kind, TouchKind::kPitSum);
  EXPECT_EQ(ts[0].value, 2);
  EXPECT_EQ(ts[1].kind, TouchKind::kHist);
  EXPECT_EQ(ts[1].at, 200);
  EXPECT_EQ(ts[1].count, 1);
}

TEST(CellsTest, PeriodRowKeepsFarOrdinalsApart) {
  PeriodRow row;
  row.At(1000, 1).Add(0, 1);
  row.At(990, 2).Add(0, 2);  // Grows the dense part downwards.
  row.At(1000 + PeriodRow::kMaxDense, 3).Add(0, 3);
  EXPECT_EQ(row.cells.size(), 11u);
  EXPECT_EQ(row.far.size(), 1u);
  ASSERT_NE(row.Find(990), nullptr);
  EXPECT_EQ(row.Find(990)->start, 2);
  EXPECT_EQ(row.Find(1000 + PeriodRow::kMaxDense)->sums[0], 3);
  EXPECT_EQ(row.Find(995), nullptr);
  int cells = 0;
  row.ForEach([&](const AggCell&) { ++cells; });
  EXPECT_EQ(cells, 3);
}

// The cursor follows the clock either way, and a step added behind it counts at once.
TEST(CellsTest, StepSumUpToMovesEitherWay) {
  StepSum s;
  s.Add(10, 5);
  s.Add(20, -2);
  s.Add(30, 7);
  EXPECT_EQ(s.UpTo(25), 3);
  EXPECT_EQ(s.UpTo(5), 0);
  EXPECT_EQ(s.UpTo(30), 10);
  s.Add(15, 1);
  EXPECT_EQ(s.UpTo(30), 11);
  s.Add(15, -1);
  EXPECT_EQ(s.steps.size(), 3u);
  EXPECT_EQ(s.UpTo(100), 10);
}

TEST(CellsTest, PresenceCountsOncePerAggregateAndRetracts) {
  CustomerCells cells;
  const AggKey rep{1, 3, 100}, unit{2 | kUnitBit, 3, 100};
  std::vector<Presence> ps = {{rep, false, 1}, {unit, true, 1}, {unit, true, 1}};
  projection::CommitPresence(ps, cells);
  EXPECT_TRUE(ps.empty());
  EXPECT_EQ(cells[rep], std::make_pair(1, 0));
  EXPECT_EQ(cells[unit], std::make_pair(2, 2));
  ps = {{rep, false, -1}, {unit, true, -2}};
  projection::CommitPresence(ps, cells);
  EXPECT_TRUE(cells.empty());
}

// Through the whole projector.
// A unit's figures by period are a vector around the periods it has; a date far from the rest (a
// follow-up due in 9999, a visit dated 1970) takes one cell, not a slot for every day in between.
TEST(ProjectorTest, FarApartDatesCostAUnitOneCellEach) {
  Log log;
  log.Unit("co", "");
  log.Rep("li", "co", Utc(2026, 1, 1));
  log.Action("li", "acme", Utc(2026, 11, 2), v1::VISIT, 0, Utc(9999, 12, 1));
  log.Action("li", "globex", Utc(1970, 1, 2), v1::VISIT, 0, Utc(9999, 12, 1));
  auto p = log.Project();
  size_t unit_rows = 0;
  for (const auto& [name, bytes] : p->Memory()) {
    if (name == "unit rows") unit_rows = bytes;
  }
  EXPECT_LT(unit_rows, 256u << 10);  // Dense, 1970..9999 would be ~27 MB.
  const Subject co = Subject::Unit("co");
  EXPECT_EQ(Get(*p, co, PeriodKind::kDay, absl::CivilDay(9999, 12, 1), "follow_ups_due").integer,
            2);
  EXPECT_EQ(Get(*p, co, PeriodKind::kYear, absl::CivilDay(1970, 1, 1), "actions").integer, 1);
  EXPECT_EQ(Get(*p, co, PeriodKind::kWeek, absl::CivilDay(2026, 11, 2), "actions").integer, 1);
}

}  // namespace
}  // namespace salestrack
