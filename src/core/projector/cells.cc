#include "core/projector/cells.h"

#include <tuple>

#include "salestrack/sparse_sum.h"
#include "salestrack/varint.h"

namespace salestrack::projection {

void NetTouches(std::vector<Touch>& ts) {
  auto key = [](const Touch& t) {
    return std::make_tuple(t.rep, t.at, t.kind, t.metric, t.kind == TouchKind::kHist ? t.value : 0);
  };
  std::sort(ts.begin(), ts.end(), [&](const Touch& a, const Touch& b) { return key(a) < key(b); });
  size_t out = 0;
  for (size_t i = 0; i < ts.size();) {
    Touch merged = ts[i];
    size_t j = i + 1;
    for (; j < ts.size() && key(ts[j]) == key(merged); ++j) {
      if (merged.kind == TouchKind::kHist) {
        merged.count += ts[j].count;
      } else {
        merged.value += ts[j].value;
      }
    }
    bool zero = merged.kind == TouchKind::kHist ? merged.count == 0 : merged.value == 0;
    if (!zero) ts[out++] = merged;
    i = j;
  }
  ts.resize(out);
}

void CommitPresence(std::vector<Presence>& ps, CustomerCells& cells) {
  std::sort(ps.begin(), ps.end(), [](const Presence& a, const Presence& b) {
    return std::tie(a.key, a.returning) < std::tie(b.key, b.returning);
  });
  for (size_t i = 0; i < ps.size();) {
    int32_t n = 0;
    size_t j = i;
    for (; j < ps.size() && ps[j].key == ps[i].key && ps[j].returning == ps[i].returning; ++j) {
      n += ps[j].count;
    }
    if (n != 0) {
      auto it = cells.try_emplace(ps[i].key, 0, 0).first;
      it->second.first += n;
      if (ps[i].returning) it->second.second += n;
      if (it->second.first == 0 && it->second.second == 0) cells.erase(it);
    }
    i = j;
  }
  ps.clear();
}

void RepCells::AddToDay(int32_t day, const std::vector<Entry>& deltas, std::vector<Entry>& scratch,
                        std::vector<Entry>& merged, std::string& encoded) {
  // A replay, and live events in time order, mostly touch the rep's last day or a new one after it.
  auto it = !days.empty() && day >= days.back() ? (day == days.back() ? days.end() - 1 : days.end())
                                                : std::lower_bound(days.begin(), days.end(), day);
  size_t i = it - days.begin();
  if (it == days.end() || *it != day) {
    uint32_t at = static_cast<uint32_t>(Begin(i));
    days.insert(it, day);
    ends.insert(ends.begin() + i, at);
  }
  scratch.clear();
  Decode(i, scratch);
  AddSparse(scratch, deltas, merged);
  encoded.clear();
  MetricId prev = 0;
  for (const auto& [m, v] : merged) {
    PutVarint(encoded, m - prev);
    PutVarint(encoded, ZigZag(v));
    prev = m;
  }
  const size_t begin = Begin(i), old_size = ends[i] - begin;
  bytes.replace(begin, old_size, encoded);
  const int64_t grow = static_cast<int64_t>(encoded.size()) - static_cast<int64_t>(old_size);
  for (size_t j = i; j < ends.size(); ++j) ends[j] = static_cast<uint32_t>(ends[j] + grow);
  if (encoded.empty()) {
    days.erase(days.begin() + i);
    ends.erase(ends.begin() + i);
  }
}

void RepCells::AddSamples(int32_t day, MetricId m, int64_t value, int32_t count) {
  const Sample s{day, m, value};
  for (int32_t i = 0; i < count; ++i) {
    samples.insert(std::upper_bound(samples.begin(), samples.end(), s), s);
  }
  for (int32_t i = 0; i > count; --i) {
    auto it = std::lower_bound(samples.begin(), samples.end(), s);
    if (it != samples.end() && *it == s) samples.erase(it);
  }
}

int64_t StepSum::UpTo(Micros t) const {
  if (t > cursor) {
    for (auto it = steps.upper_bound(cursor); it != steps.end() && it->first <= t; ++it) {
      below += it->second;
    }
  } else if (t < cursor) {
    for (auto it = steps.upper_bound(t); it != steps.end() && it->first <= cursor; ++it) {
      below -= it->second;
    }
  }
  cursor = t;
  return below;
}

}  // namespace salestrack::projection
