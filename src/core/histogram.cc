#include "salestrack/histogram.h"

#include <cmath>

namespace salestrack {
namespace {

constexpr double kAlpha = 0.01;
const double kGamma = (1 + kAlpha) / (1 - kAlpha);
const double kLogGamma = std::log(kGamma);
constexpr int32_t kZeroBucket = -1;

int32_t BucketOf(int64_t value) {
  if (value <= 0) return kZeroBucket;
  return static_cast<int32_t>(std::ceil(std::log(static_cast<double>(value)) / kLogGamma));
}

double Estimate(int32_t bucket) {
  if (bucket == kZeroBucket) return 0;
  return 2 * std::pow(kGamma, bucket) / (kGamma + 1);
}

}  // namespace

void Histogram::Update(int64_t value, int64_t delta) {
  count_ += delta;
  sum_ += absl::int128(value) * delta;
  int32_t b = BucketOf(value);
  if ((buckets_[b] += delta) == 0) buckets_.erase(b);
}

void Histogram::Merge(const Histogram& other) {
  count_ += other.count_;
  sum_ += other.sum_;
  for (const auto& [b, n] : other.buckets_) {
    if ((buckets_[b] += n) == 0) buckets_.erase(b);
  }
}

double Histogram::Mean() const {
  if (count_ == 0) return 0;
  // Exact to double precision: the integer sum divided once.
  return static_cast<double>(sum_) / static_cast<double>(count_);
}

double Histogram::Quantile(double q) const {
  if (count_ <= 0) return 0;
  // Nearest rank: the smallest value with at least ceil(q * n) samples at or below it.
  int64_t rank = static_cast<int64_t>(std::ceil(q * static_cast<double>(count_)));
  if (rank < 1) rank = 1;
  int64_t seen = 0;
  for (const auto& [b, n] : buckets_) {
    seen += n;
    if (seen >= rank) return Estimate(b);
  }
  return Estimate(buckets_.rbegin()->first);
}

}  // namespace salestrack
