#include "salestrack/time_range.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace salestrack {
namespace {

std::string Join(absl::string_view prefix, absl::string_view field) {
  return prefix.empty() ? std::string(field) : absl::StrCat(prefix, ".", field);
}

}  // namespace

std::optional<FieldProblem> CheckInstant(absl::string_view field,
                                         const google::protobuf::Timestamp& ts) {
  if (ts.seconds() < kMinInstantSeconds || ts.seconds() > kMaxInstantSeconds) {
    return FieldProblem{
        std::string(field),
        absl::StrCat("must be between 1970-01-01T00:00:00Z and 9999-12-30T23:59:59.999999Z (got ",
                     ts.seconds(), " seconds since the epoch)")};
  }
  if (ts.nanos() < 0 || ts.nanos() > 999'999'999) {
    return FieldProblem{absl::StrCat(field, ".nanos"),
                        absl::StrCat("must be in [0, 999999999] (got ", ts.nanos(), ")")};
  }
  if (ts.nanos() % 1000 != 0) {
    return FieldProblem{std::string(field),
                        "must have microsecond precision (nanos a multiple of 1000)"};
  }
  return std::nullopt;
}

bool PeriodInRange(const Period& p) {
  return p.start <= kLastDay && NextPeriod(p).start > kFirstDay;
}

std::optional<FieldProblem> CheckPeriodDate(absl::string_view field, PeriodKind kind,
                                            const v1::Date& d) {
  if (d.month() < 1 || d.month() > 12) {
    return FieldProblem{Join(field, "month"),
                        absl::StrCat("must be in [1, 12] (got ", d.month(), ")")};
  }
  const absl::CivilDay day(d.year(), d.month(), d.day());
  if (d.day() < 1 || day.day() != d.day() || day.month() != d.month()) {
    return FieldProblem{Join(field, "day"), absl::StrCat("not a day of ", d.year(), "-", d.month(),
                                                         " (got ", d.day(), ")")};
  }
  const Period p = PeriodContaining(kind, day);
  if (!PeriodInRange(p)) {
    return FieldProblem{
        std::string(field),
        absl::StrCat(PeriodName(p), " is outside the accepted range: periods that overlap ",
                     absl::FormatCivilTime(kFirstDay), " .. ", absl::FormatCivilTime(kLastDay),
                     " (got ", absl::FormatCivilTime(day), ")")};
  }
  return std::nullopt;
}

}  // namespace salestrack
