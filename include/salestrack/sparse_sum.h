// Sparse sums: (key, value) pairs sorted by key, each key once, no zero values. Histogram buckets
// and the projector's per-day cells are kept this way.
#ifndef SALESTRACK_SPARSE_SUM_H_
#define SALESTRACK_SPARSE_SUM_H_

#include <utility>
#include <vector>

namespace salestrack {

// out = a + b, key by key: the values of a key in both are summed, and a sum of zero is dropped.
// `out` must be neither input.
template <typename K, typename V>
void AddSparse(const std::vector<std::pair<K, V>>& a, const std::vector<std::pair<K, V>>& b,
               std::vector<std::pair<K, V>>& out) {
  out.clear();
  out.reserve(a.size() + b.size());
  auto x = a.cbegin();
  auto y = b.cbegin();
  while (x != a.cend() || y != b.cend()) {
    if (y == b.cend() || (x != a.cend() && x->first < y->first)) {
      out.push_back(*x++);
    } else if (x == a.cend() || y->first < x->first) {
      out.push_back(*y++);
    } else {
      if (V v = x->second + y->second; v != 0) out.push_back({x->first, v});
      ++x, ++y;
    }
  }
}

}  // namespace salestrack

#endif  // SALESTRACK_SPARSE_SUM_H_
