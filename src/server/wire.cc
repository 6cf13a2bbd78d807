#include "server/wire.h"

#include "absl/strings/str_cat.h"
#include "salestrack/validation.h"

namespace salestrack::server {

// The period of the requested kind containing the requested date (default: today, org time).
absl::StatusOr<Period> DecodePeriod(const v1::Period& p, absl::Time now, absl::TimeZone zone) {
  if (p.kind() == v1::PERIOD_KIND_UNSPECIFIED || !v1::PeriodKind_IsValid(p.kind())) {
    return absl::InvalidArgumentError("period.kind: one of DAY, WEEK, MONTH, QUARTER, YEAR is required");
  }
  absl::CivilDay day = absl::ToCivilDay(now, zone);
  if (p.has_date()) {
    const v1::Date& d = p.date();
    if (std::optional<FieldProblem> bad = CheckDate("period.date", d)) {
      return absl::InvalidArgumentError(absl::StrCat(bad->field, ": ", bad->reason));
    }
    day = absl::CivilDay(d.year(), d.month(), d.day());
  }
  return PeriodContaining(static_cast<PeriodKind>(p.kind()), day);
}

v1::Period EncodePeriod(const Period& p) {
  v1::Period out;
  out.set_kind(static_cast<v1::PeriodKind>(p.kind));
  out.mutable_date()->set_year(static_cast<int32_t>(p.start.year()));
  out.mutable_date()->set_month(p.start.month());
  out.mutable_date()->set_day(p.start.day());
  return out;
}

}  // namespace salestrack::server
