// Histogram: a mergeable distribution of non-negative durations that supports removal, for
// stage_duration and sales_cycle (KPI_SPEC §5: exact count and mean; p50/p90 within 1 % relative).
//
// Samples are integers (microseconds). Buckets are logarithmic with ratio gamma = 1.02/0.98, so
// every bucket's midpoint estimate 2·gamma^i/(gamma+1) is within 1 % of any value in it (the
// DDSketch construction); zero has its own bucket. Removing a sample decrements its bucket, so a
// retraction (new − old contribution) leaves exactly the histogram the remaining samples would
// build.
//
// Not thread-safe; a value type.
#ifndef SALESTRACK_HISTOGRAM_H_
#define SALESTRACK_HISTOGRAM_H_

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/numeric/int128.h"

namespace salestrack {

class Histogram {
 public:
  void Add(int64_t value) { Update(value, +1); }
  void Remove(int64_t value) { Update(value, -1); }
  void Merge(const Histogram& other);

  int64_t count() const { return count_; }
  absl::int128 sum() const { return sum_; }
  // Exact; 0 when empty.
  double Mean() const;
  // q in [0, 1]; within 1 % of the exact nearest-rank quantile. 0 when empty.
  double Quantile(double q) const;
  bool empty() const { return count_ == 0; }

  friend bool operator==(const Histogram& a, const Histogram& b) {
    return a.count_ == b.count_ && a.sum_ == b.sum_ && a.buckets_ == b.buckets_;
  }

  // The exact contents, for a projector's snapshot: count(), sum() and the buckets, (index,
  // samples) sorted by index, none empty.
  const std::vector<std::pair<int32_t, int64_t>>& buckets() const { return buckets_; }
  // The histogram of those contents; nullopt when they are not a histogram's (buckets out of
  // order, repeated, empty or below the zero bucket, or not summing to `count`).
  static std::optional<Histogram> FromParts(int64_t count, absl::int128 sum,
                                            std::vector<std::pair<int32_t, int64_t>> buckets);

  // Heap bytes held (the buckets).
  size_t Bytes() const { return buckets_.capacity() * sizeof(buckets_[0]); }

 private:
  void Update(int64_t value, int64_t delta);
  void AddToBucket(int32_t bucket, int64_t delta);

  int64_t count_ = 0;
  absl::int128 sum_ = 0;
  // (bucket index, samples), sorted by index, no zero counts; index -1 holds zeros. A sorted
  // vector: a histogram holds tens of buckets, and the projector keeps many small ones.
  std::vector<std::pair<int32_t, int64_t>> buckets_;
};

}  // namespace salestrack

#endif  // SALESTRACK_HISTOGRAM_H_
