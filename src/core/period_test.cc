#include "salestrack/period.h"

#include "gtest/gtest.h"

namespace salestrack {
namespace {

absl::TimeZone Zone(const char* name) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(name, &tz)) << name;
  return tz;
}

absl::Time Utc(int y, int m, int d, int hh, int mm = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), absl::UTCTimeZone());
}

TEST(PeriodTest, ShanghaiDayBoundaryIsSixteenHundredUtc) {
  absl::TimeZone sh = Zone("Asia/Shanghai");
  EXPECT_EQ(PeriodOf(PeriodKind::kDay, Utc(2026, 11, 23, 15, 59), sh).start,
            absl::CivilDay(2026, 11, 23));
  EXPECT_EQ(PeriodOf(PeriodKind::kDay, Utc(2026, 11, 23, 16, 0), sh).start,
            absl::CivilDay(2026, 11, 24));
  EXPECT_EQ(PeriodOf(PeriodKind::kDay, Utc(2026, 11, 23, 17, 0), sh).start,
            absl::CivilDay(2026, 11, 24));  // The spec's example.
  EXPECT_EQ(PeriodBegin({PeriodKind::kDay, absl::CivilDay(2026, 11, 24)}, sh),
            Utc(2026, 11, 23, 16, 0));
}

TEST(PeriodTest, IsoWeekStartsMondayAndCrossesNewYear) {
  // 2026-11-23 is a Monday.
  EXPECT_EQ(PeriodContaining(PeriodKind::kWeek, absl::CivilDay(2026, 11, 29)).start,
            absl::CivilDay(2026, 11, 23));
  EXPECT_EQ(PeriodContaining(PeriodKind::kWeek, absl::CivilDay(2026, 11, 23)).start,
            absl::CivilDay(2026, 11, 23));
  // Friday 2027-01-01 belongs to the week of Monday 2026-12-28.
  EXPECT_EQ(PeriodContaining(PeriodKind::kWeek, absl::CivilDay(2027, 1, 1)).start,
            absl::CivilDay(2026, 12, 28));
  EXPECT_EQ(PeriodContaining(PeriodKind::kWeek, absl::CivilDay(2027, 1, 3)).start,
            absl::CivilDay(2026, 12, 28));
  EXPECT_EQ(PeriodContaining(PeriodKind::kWeek, absl::CivilDay(2027, 1, 4)).start,
            absl::CivilDay(2027, 1, 4));
}

TEST(PeriodTest, MonthsQuartersAndYears) {
  EXPECT_EQ(PeriodContaining(PeriodKind::kMonth, absl::CivilDay(2026, 2, 28)).start,
            absl::CivilDay(2026, 2, 1));
  EXPECT_EQ(PeriodContaining(PeriodKind::kQuarter, absl::CivilDay(2026, 9, 30)).start,
            absl::CivilDay(2026, 7, 1));
  EXPECT_EQ(PeriodContaining(PeriodKind::kQuarter, absl::CivilDay(2026, 10, 1)).start,
            absl::CivilDay(2026, 10, 1));
  EXPECT_EQ(PeriodContaining(PeriodKind::kQuarter, absl::CivilDay(2026, 12, 31)).start,
            absl::CivilDay(2026, 10, 1));
  EXPECT_EQ(PeriodContaining(PeriodKind::kYear, absl::CivilDay(2026, 12, 31)).start,
            absl::CivilDay(2026, 1, 1));
  // A quarter edge in Shanghai: 2026-09-30T16:00Z is already Q4 there.
  absl::TimeZone sh = Zone("Asia/Shanghai");
  EXPECT_EQ(PeriodOf(PeriodKind::kQuarter, Utc(2026, 9, 30, 16, 0), sh).start,
            absl::CivilDay(2026, 10, 1));
  EXPECT_EQ(PeriodOf(PeriodKind::kQuarter, Utc(2026, 9, 30, 16, 0), absl::UTCTimeZone()).start,
            absl::CivilDay(2026, 7, 1));
}

TEST(PeriodTest, NextPeriodAndEnds) {
  EXPECT_EQ(NextPeriod({PeriodKind::kMonth, absl::CivilDay(2026, 12, 1)}).start,
            absl::CivilDay(2027, 1, 1));
  EXPECT_EQ(NextPeriod({PeriodKind::kQuarter, absl::CivilDay(2026, 10, 1)}).start,
            absl::CivilDay(2027, 1, 1));
  EXPECT_EQ(NextPeriod({PeriodKind::kWeek, absl::CivilDay(2026, 12, 28)}).start,
            absl::CivilDay(2027, 1, 4));
  absl::TimeZone sh = Zone("Asia/Shanghai");
  EXPECT_EQ(PeriodEnd({PeriodKind::kYear, absl::CivilDay(2026, 1, 1)}, sh),
            Utc(2026, 12, 31, 16, 0));
}

TEST(PeriodTest, DayStartsAtTheTransitionWhereDstSkipsMidnight) {
  // America/Santiago moved clocks from 00:00 to 01:00 on 2022-09-11.
  absl::TimeZone santiago = Zone("America/Santiago");
  absl::Time begin = PeriodBegin({PeriodKind::kDay, absl::CivilDay(2022, 9, 11)}, santiago);
  EXPECT_EQ(absl::ToCivilDay(begin, santiago), absl::CivilDay(2022, 9, 11));
  EXPECT_EQ(absl::ToCivilDay(begin - absl::Seconds(1), santiago), absl::CivilDay(2022, 9, 10));
}

TEST(PeriodTest, NamesRoundTrip) {
  EXPECT_EQ(PeriodName({PeriodKind::kWeek, absl::CivilDay(2026, 11, 23)}), "WEEK 2026-11-23");
  for (PeriodKind k : kAllPeriodKinds) EXPECT_EQ(ParsePeriodKind(PeriodKindName(k)), k);
  EXPECT_EQ(ParsePeriodKind("quarter"), PeriodKind::kQuarter);
  EXPECT_FALSE(ParsePeriodKind("fortnight").has_value());
}

}  // namespace
}  // namespace salestrack
