#include "salestrack/histogram.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace salestrack {
namespace {

double ExactQuantile(std::vector<int64_t> v, double q) {
  std::sort(v.begin(), v.end());
  int64_t rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * v.size())));
  return static_cast<double>(v[rank - 1]);
}

TEST(HistogramTest, QuantilesWithinOnePercentAndExactMean) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(13, 2);  // Microseconds: seconds to months.
  std::vector<int64_t> values;
  Histogram h;
  absl::int128 sum = 0;
  for (int i = 0; i < 20000; ++i) {
    int64_t v = static_cast<int64_t>(dist(rng));
    values.push_back(v);
    h.Add(v);
    sum += v;
  }
  EXPECT_EQ(h.count(), 20000);
  EXPECT_EQ(h.sum(), sum);
  EXPECT_DOUBLE_EQ(h.Mean(), static_cast<double>(sum) / 20000);
  for (double q : {0.01, 0.5, 0.9, 0.99, 1.0}) {
    double exact = ExactQuantile(values, q);
    EXPECT_NEAR(h.Quantile(q), exact, exact * 0.01) << "q=" << q;
  }
}

TEST(HistogramTest, RemovalLeavesWhatTheRemainingSamplesBuild) {
  Histogram all, kept;
  for (int64_t v :
       {int64_t{0}, int64_t{5}, int64_t{5}, int64_t{1000}, int64_t{86'400'000'000}, int64_t{7}}) {
    all.Add(v);
  }
  for (int64_t v : {0, 5, 7}) kept.Add(v);
  all.Remove(5);
  all.Remove(1000);
  all.Remove(86'400'000'000);
  EXPECT_EQ(all, kept);
  EXPECT_EQ(all.Quantile(0.5), kept.Quantile(0.5));
}

TEST(HistogramTest, MergeEqualsAddingEverything) {
  Histogram a, b, both;
  for (int64_t v = 0; v < 100; ++v) {
    (v % 3 ? a : b).Add(v * v);
    both.Add(v * v);
  }
  a.Merge(b);
  EXPECT_EQ(a, both);
}

TEST(HistogramTest, ZeroLengthIntervalsCount) {
  Histogram h;
  h.Add(0);
  h.Add(0);
  h.Add(10);
  EXPECT_EQ(h.count(), 3);
  EXPECT_EQ(h.Quantile(0.5), 0);
  EXPECT_NEAR(h.Quantile(0.9), 10, 0.1);
}

TEST(HistogramTest, EmptyIsZero) {
  Histogram h;
  EXPECT_EQ(h.Mean(), 0);
  EXPECT_EQ(h.Quantile(0.5), 0);
  EXPECT_TRUE(h.empty());
}

}  // namespace
}  // namespace salestrack
