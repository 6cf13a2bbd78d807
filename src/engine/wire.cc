#include "engine/wire.h"

#include "absl/strings/str_cat.h"
#include "salestrack/time_range.h"

namespace salestrack::engine {

// The period of the requested kind containing the requested date (default: today, org time).
absl::StatusOr<Period> DecodePeriod(const v1::Period& p, absl::Time now, absl::TimeZone zone) {
  if (p.kind() == v1::PERIOD_KIND_UNSPECIFIED || !v1::PeriodKind_IsValid(p.kind())) {
    return absl::InvalidArgumentError(
        "period.kind: one of DAY, WEEK, MONTH, QUARTER, YEAR is required");
  }
  const PeriodKind kind = static_cast<PeriodKind>(p.kind());
  absl::CivilDay day = absl::ToCivilDay(now, zone);
  if (p.has_date()) {
    const v1::Date& d = p.date();
    if (std::optional<FieldProblem> bad = CheckPeriodDate("period.date", kind, d)) {
      return absl::InvalidArgumentError(absl::StrCat(bad->field, ": ", bad->reason));
    }
    day = absl::CivilDay(d.year(), d.month(), d.day());
  }
  return PeriodContaining(kind, day);
}

absl::StatusOr<Subject> DecodeSubject(const v1::Subject& s) {
  switch (s.kind_case()) {
    case v1::Subject::kRepId:
      if (s.rep_id().empty()) break;
      return Subject::Rep(s.rep_id());
    case v1::Subject::kUnitId:
      if (s.unit_id().empty()) break;
      return Subject::Unit(s.unit_id());
    case v1::Subject::KIND_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("subject: one of rep_id or unit_id is required");
}

v1::Period EncodePeriod(const Period& p) {
  v1::Period out;
  out.set_kind(static_cast<v1::PeriodKind>(p.kind));
  out.mutable_date()->set_year(static_cast<int32_t>(p.start.year()));
  out.mutable_date()->set_month(p.start.month());
  out.mutable_date()->set_day(p.start.day());
  return out;
}

v1::MetricValue::Kind EncodeKind(MetricValue::Kind k) {
  switch (k) {
    case MetricValue::Kind::kCount:
      return v1::MetricValue::COUNT;
    case MetricValue::Kind::kMoney:
      return v1::MetricValue::MONEY;
    case MetricValue::Kind::kRatio:
      return v1::MetricValue::RATIO;
    case MetricValue::Kind::kMean:
      return v1::MetricValue::MEAN;
    case MetricValue::Kind::kDistribution:
      return v1::MetricValue::DISTRIBUTION;
  }
  return v1::MetricValue::KIND_UNSPECIFIED;
}

}  // namespace salestrack::engine
