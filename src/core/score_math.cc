#include "salestrack/score_math.h"

namespace salestrack {
namespace {

int64_t Clamp(const mpz_class& z, int64_t limit) {
  if (cmp(z, mpz_class(static_cast<long>(limit))) > 0) return limit;    // NOLINT(runtime/int)
  if (cmp(z, mpz_class(-static_cast<long>(limit))) < 0) return -limit;  // NOLINT(runtime/int)
  return z.get_si();
}

Exact Ratio(int64_t num, int64_t den) {
  Exact q(ExactOf(num).get_num(), ExactOf(den).get_num());
  q.canonicalize();
  return q;
}

}  // namespace

static_assert(sizeof(long) == 8, "GMP's si conversions carry int64 on LP64");  // NOLINT

Exact ExactOf(absl::int128 v) {
  const bool negative = v < 0;
  const absl::uint128 m = negative ? -static_cast<absl::uint128>(v) : static_cast<absl::uint128>(v);
  mpz_class z(static_cast<unsigned long>(absl::Uint128High64(m)));  // NOLINT(runtime/int)
  z <<= 64;
  z += static_cast<unsigned long>(absl::Uint128Low64(m));  // NOLINT(runtime/int)
  if (negative) z = -z;
  return Exact(z);
}

std::optional<Exact> ExactInTargetUnits(const MetricValue& v) {
  switch (v.kind) {
    case MetricValue::Kind::kCount:
    case MetricValue::Kind::kMoney:
      return ExactOf(v.integer);
    case MetricValue::Kind::kRatio:
    case MetricValue::Kind::kMean:
      if (v.den == 0) return std::nullopt;
      return Ratio(v.num, v.den) * 10000;
    case MetricValue::Kind::kDistribution: {
      if (v.count == 0) return std::nullopt;
      Exact mean_seconds = ExactOf(v.sum_micros) / (ExactOf(v.count) * 1'000'000);
      return mean_seconds;
    }
  }
  return std::nullopt;
}

std::optional<Exact> ExactAttainment(const Exact& actual, int64_t target, bool lower_is_better) {
  if (!lower_is_better) return Exact(actual / ExactOf(target));
  if (sgn(actual) <= 0) return std::nullopt;
  return Exact(ExactOf(target) / actual);
}

Exact LinearCap(const v1::SchemeDefined::Component& c, const Target& t, bool lower_is_better) {
  if (c.linear().cap_bp() > 0) return Ratio(c.linear().cap_bp(), 10000);
  if (!lower_is_better && t.challenge > t.target) return Ratio(t.challenge, t.target);
  if (lower_is_better && t.challenge > 0 && t.challenge < t.target) {
    return Ratio(t.target, t.challenge);
  }
  return Ratio(6, 5);
}

Exact ThresholdFloor(const v1::SchemeDefined::Component& c) {
  return c.threshold().floor_bp() > 0 ? Ratio(c.threshold().floor_bp(), 10000) : Ratio(4, 5);
}

Exact ExactRuleScore(const v1::SchemeDefined::Component& c, const std::optional<Exact>& a,
                     const Target& target, bool lower_is_better) {
  if (c.has_threshold()) {
    if (!a || *a >= 1) return Exact(100);
    return *a >= ThresholdFloor(c) ? Exact(100 * *a) : Exact(0);
  }
  const Exact cap = LinearCap(c, target, lower_is_better);
  return 100 * (a && *a < cap ? *a : cap);
}

int64_t RoundHalfAway(const Exact& x, int64_t limit) {
  // |x| + 1/2, floored, with x's sign.
  Exact magnitude = abs(x) + Exact(1, 2);
  mpz_class z;
  mpz_fdiv_q(z.get_mpz_t(), magnitude.get_num_mpz_t(), magnitude.get_den_mpz_t());
  if (sgn(x) < 0) z = -z;
  return Clamp(z, limit);
}

int64_t FloorClamped(const Exact& x, int64_t limit) {
  mpz_class z;
  mpz_fdiv_q(z.get_mpz_t(), x.get_num_mpz_t(), x.get_den_mpz_t());
  return Clamp(z, limit);
}

}  // namespace salestrack
