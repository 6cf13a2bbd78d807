#include "core/projector/calendar.h"

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

using projection::Calendar;
using projection::CivilOf;
using projection::DayIndex;
using projection::Ordinal;

TEST(CalendarTest, DaysAreZoneDaysAndFollowTheCaches) {
  Calendar cal(Shanghai());
  const int32_t d = DayIndex(absl::CivilDay(2026, 11, 24));
  EXPECT_EQ(cal.DayStart(d), absl::ToUnixMicros(Utc(2026, 11, 23, 16)));
  EXPECT_EQ(cal.DayOf(absl::ToUnixMicros(Utc(2026, 11, 23, 16))), d);
  EXPECT_EQ(cal.DayOf(absl::ToUnixMicros(Utc(2026, 11, 23, 16)) - 1), d - 1);
  EXPECT_EQ(cal.DayOf(absl::ToUnixMicros(Utc(2026, 11, 24, 15, 59))), d);
  EXPECT_EQ(cal.DayOf(absl::ToUnixMicros(Utc(1969, 12, 31))),
            DayIndex(absl::CivilDay(1969, 12, 31)));
  EXPECT_EQ(CivilOf(d), absl::CivilDay(2026, 11, 24));
}

// Consecutive periods have consecutive ordinals, across year ends and before 1970.
TEST(CalendarTest, OrdinalsAreConsecutive) {
  for (PeriodKind kind : kAllPeriodKinds) {
    Period p = PeriodContaining(kind, absl::CivilDay(1969, 12, 1));
    for (int i = 0; i < 60; ++i) {
      const Period next = NextPeriod(p);
      EXPECT_EQ(Ordinal(kind, next.start), Ordinal(kind, p.start) + 1) << PeriodName(p);
      p = next;
    }
  }
}

TEST(CalendarTest, PeriodsOfADay) {
  Calendar cal(absl::UTCTimeZone());
  const auto& p = cal.PeriodsOf(DayIndex(absl::CivilDay(2027, 1, 1)));  // A Friday.
  EXPECT_EQ(CivilOf(p.start[0]), absl::CivilDay(2027, 1, 1));
  EXPECT_EQ(CivilOf(p.start[1]), absl::CivilDay(2026, 12, 28));
  EXPECT_EQ(CivilOf(p.start[2]), absl::CivilDay(2027, 1, 1));
  EXPECT_EQ(CivilOf(p.start[3]), absl::CivilDay(2027, 1, 1));
  EXPECT_EQ(p.ordinal[4], 2027);
}

// Through the whole projector.
TEST(ProjectorTest, ShanghaiDayBoundaryDecidesTheDay) {
  Log log;
  log.Action("li", "c1", Utc(2026, 11, 23, 15, 59));  // 23:59 in Shanghai, the 23rd.
  log.Action("li", "c1", Utc(2026, 11, 23, 16, 0));   // 00:00 in Shanghai, the 24th.
  log.Action("li", "c1", Utc(2026, 11, 23, 17, 0));   // The spec's example: DAY 2026-11-24.
  auto p = log.Project(Shanghai());
  EXPECT_EQ(Int(*p, "li", PeriodKind::kDay, absl::CivilDay(2026, 11, 23), "actions"), 1);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kDay, absl::CivilDay(2026, 11, 24), "actions"), 2);
  auto utc = log.Project();
  EXPECT_EQ(Int(*utc, "li", PeriodKind::kDay, absl::CivilDay(2026, 11, 23), "actions"), 3);
}

TEST(ProjectorTest, IsoWeekAcrossNewYearAndQuarterEdges) {
  Log log;
  log.Contract("li", "k1", "c1", 100, Utc(2026, 12, 31, 12));  // Thursday, Q4 2026.
  log.Contract("li", "k2", "c2", 200, Utc(2027, 1, 2, 12));    // Saturday, Q1 2027, same ISO week.
  log.Contract("li", "k3", "c3", 400, Utc(2027, 1, 4, 0));     // Monday: the next week.
  auto p = log.Project();
  EXPECT_EQ(Int(*p, "li", PeriodKind::kWeek, absl::CivilDay(2026, 12, 28), "sales_amount"), 300);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kWeek, absl::CivilDay(2027, 1, 4), "sales_amount"), 400);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kQuarter, absl::CivilDay(2026, 10, 1), "sales_amount"), 100);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kQuarter, absl::CivilDay(2027, 1, 1), "sales_amount"), 600);
  EXPECT_EQ(Int(*p, "li", PeriodKind::kYear, absl::CivilDay(2027, 1, 1), "signings"), 2);
  // In Shanghai the Thursday noon is still 2026, but 2026-12-31T16:00Z would already be 2027.
  Log edge;
  edge.Contract("li", "k9", "c9", 7, Utc(2026, 12, 31, 16));
  auto sh = edge.Project(Shanghai());
  EXPECT_EQ(Int(*sh, "li", PeriodKind::kQuarter, absl::CivilDay(2027, 1, 1), "sales_amount"), 7);
  EXPECT_EQ(Int(*sh, "li", PeriodKind::kQuarter, absl::CivilDay(2026, 10, 1), "sales_amount"), 0);
}

}  // namespace
}  // namespace salestrack
