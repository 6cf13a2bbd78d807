#include "salestrack/histogram.h"

#include <algorithm>
#include <cmath>

#include "salestrack/sparse_sum.h"

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
  AddToBucket(BucketOf(value), delta);
}

void Histogram::AddToBucket(int32_t b, int64_t delta) {
  auto it =
      std::lower_bound(buckets_.begin(), buckets_.end(), b,
                       [](const std::pair<int32_t, int64_t>& x, int32_t k) { return x.first < k; });
  if (it == buckets_.end() || it->first != b) {
    buckets_.insert(it, {b, delta});
  } else if ((it->second += delta) == 0) {
    buckets_.erase(it);
  }
}

void Histogram::Merge(const Histogram& other) {
  count_ += other.count_;
  sum_ += other.sum_;
  if (buckets_.empty()) {
    buckets_ = other.buckets_;
    return;
  }
  std::vector<std::pair<int32_t, int64_t>> merged;
  AddSparse(buckets_, other.buckets_, merged);
  buckets_ = std::move(merged);
}

std::optional<Histogram> Histogram::FromParts(int64_t count, absl::int128 sum,
                                              std::vector<std::pair<int32_t, int64_t>> buckets) {
  absl::int128 samples = 0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (buckets[i].second == 0 || buckets[i].first < kZeroBucket) return std::nullopt;
    if (i > 0 && buckets[i].first <= buckets[i - 1].first) return std::nullopt;
    samples += buckets[i].second;
  }
  if (samples != count) return std::nullopt;
  Histogram h;
  h.count_ = count;
  h.sum_ = sum;
  h.buckets_ = std::move(buckets);
  return h;
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
  return Estimate(buckets_.back().first);
}

}  // namespace salestrack
