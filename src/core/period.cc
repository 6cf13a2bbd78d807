#include "salestrack/period.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace salestrack {

Period PeriodContaining(PeriodKind kind, absl::CivilDay day) {
  switch (kind) {
    case PeriodKind::kDay:
      return {kind, day};
    case PeriodKind::kWeek: {
      // ISO weeks start on Monday.
      int since_monday =
          (static_cast<int>(absl::GetWeekday(day)) - static_cast<int>(absl::Weekday::monday) + 7) %
          7;
      return {kind, day - since_monday};
    }
    case PeriodKind::kMonth:
      return {kind, absl::CivilDay(day.year(), day.month(), 1)};
    case PeriodKind::kQuarter:
      return {kind, absl::CivilDay(day.year(), (day.month() - 1) / 3 * 3 + 1, 1)};
    case PeriodKind::kYear:
      return {kind, absl::CivilDay(day.year(), 1, 1)};
  }
  return {kind, day};
}

Period PeriodOf(PeriodKind kind, absl::Time instant, absl::TimeZone zone) {
  return PeriodContaining(kind, absl::ToCivilDay(instant, zone));
}

Period NextPeriod(const Period& p) {
  const absl::CivilDay s = p.start;
  switch (p.kind) {
    case PeriodKind::kDay:
      return {p.kind, s + 1};
    case PeriodKind::kWeek:
      return {p.kind, s + 7};
    case PeriodKind::kMonth:
      return {p.kind, absl::CivilDay(absl::CivilMonth(s) + 1)};
    case PeriodKind::kQuarter:
      return {p.kind, absl::CivilDay(absl::CivilMonth(s) + 3)};
    case PeriodKind::kYear:
      return {p.kind, absl::CivilDay(absl::CivilYear(s) + 1)};
  }
  return p;
}

absl::Time PeriodBegin(const Period& p, absl::TimeZone zone) {
  // Where DST skips midnight, the day starts at the transition, not at a midnight that never was.
  absl::TimeZone::TimeInfo info = zone.At(absl::CivilSecond(p.start));
  return info.kind == absl::TimeZone::TimeInfo::SKIPPED ? info.trans : info.pre;
}

absl::Time PeriodEnd(const Period& p, absl::TimeZone zone) {
  return PeriodBegin(NextPeriod(p), zone);
}

absl::string_view PeriodKindName(PeriodKind kind) {
  switch (kind) {
    case PeriodKind::kDay:
      return "DAY";
    case PeriodKind::kWeek:
      return "WEEK";
    case PeriodKind::kMonth:
      return "MONTH";
    case PeriodKind::kQuarter:
      return "QUARTER";
    case PeriodKind::kYear:
      return "YEAR";
  }
  return "?";
}

absl::optional<PeriodKind> ParsePeriodKind(absl::string_view name) {
  std::string upper = absl::AsciiStrToUpper(name);
  for (PeriodKind k : kAllPeriodKinds) {
    if (upper == PeriodKindName(k)) return k;
  }
  return absl::nullopt;
}

std::string PeriodName(const Period& p) {
  return absl::StrCat(PeriodKindName(p.kind), " ", absl::FormatCivilTime(p.start));
}

}  // namespace salestrack
