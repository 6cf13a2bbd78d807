// Snapshots of the cells room (cells.h): the reps' day cells and samples, the competition windows'
// aggregates, the customer counts, the point-in-time figures and the units' period rows. Framing
// and the other sections: snapshot.cc.
//
//   rep_cells       U(rep) U(n) (day: S(first) then U(+gap), U(cell bytes))[n] Str(bytes)
//                   U(m) (S(day) U(metric) S(value))[m]                 samples, sorted
//   window_aggs     Key AggCell
//   customer_cells  Key S(customers) S(returning)
//   pits            U(subject) S(sum)[4] (U(n) (U(+t) S(step))[n])[2]   t from kMinTime, rising
//   unit_rows       U(unit) (S(base) U(n) (Byte(has) AggCell?)[n] U(m) (S(ordinal) AggCell)[m])[5]
//   Key             U(subject) Byte(kind) S(index)
//   AggCell         S(start) U(n) S(sum)[n] U(m) (U(metric) Histogram)[m]
//   Histogram       S(count) S(sum high) U(sum low) U(n) (S(+bucket) S(samples))[n]
//
// A day cell's bytes are checked as they are read, since queries decode them without bounds
// checks; a StepSum's query cursor starts at kMinTime.
#include <limits>

#include "core/projector/impl.h"

namespace salestrack {

using projection::AggCell;
using projection::AggKey;
using projection::Hists;
using projection::kMinTime;
using projection::kWindow;
using projection::MetricId;
using projection::PeriodRow;
using projection::Pit;
using projection::RepCells;
using projection::Sample;
using projection::StateReader;
using projection::StateWriter;
using projection::StepSum;
using projection::SubjectId;
using projection::UnitRows;

namespace {

void PutHist(StateWriter& w, const Histogram& h) {
  w.S(h.count());
  w.S(absl::Int128High64(h.sum()));
  w.U(absl::Int128Low64(h.sum()));
  w.U(h.buckets().size());
  int64_t prev = -1;
  for (const auto& [bucket, n] : h.buckets()) {
    w.S(bucket - prev);
    w.S(n);
    prev = bucket;
  }
}

bool GetHist(StateReader& r, Histogram* h) {
  const int64_t count = r.S();
  const int64_t high = r.S();
  const uint64_t low = r.U();
  std::vector<std::pair<int32_t, int64_t>> buckets(r.Count(2));
  int64_t prev = -1;
  for (auto& [bucket, n] : buckets) {
    const int64_t b = prev + r.S();
    if (b < std::numeric_limits<int32_t>::min() || b > std::numeric_limits<int32_t>::max()) {
      return false;
    }
    bucket = static_cast<int32_t>(b);
    n = r.S();
    prev = b;
  }
  if (!r.ok()) return false;
  std::optional<Histogram> got =
      Histogram::FromParts(count, absl::MakeInt128(high, low), std::move(buckets));
  if (!got) return false;
  *h = std::move(*got);
  return true;
}

void PutAgg(StateWriter& w, const AggCell& c) {
  w.S(c.start);
  w.U(c.sums.size());
  for (int64_t v : c.sums) w.S(v);
  w.U(c.hists.size());
  for (const auto& [m, h] : c.hists) {
    w.U(m);
    PutHist(w, h);
  }
}

bool GetAgg(StateReader& r, size_t metrics, AggCell* c) {
  c->start = static_cast<int32_t>(r.S());
  const size_t sums = r.Count(1);
  if (sums > metrics) return false;
  c->sums.resize(sums);
  for (int64_t& v : c->sums) v = r.S();
  const size_t hists = r.Count(5);
  if (hists > metrics) return false;
  c->hists.resize(hists);
  for (auto& [m, h] : c->hists) {
    const uint64_t metric = r.U();
    if (metric >= metrics || !GetHist(r, &h)) return false;
    m = static_cast<MetricId>(metric);
  }
  return r.ok();
}

void PutKey(StateWriter& w, const AggKey& k) {
  w.U(k.subject);
  w.Byte(k.kind);
  w.S(k.index);
}

// Whether a day cell's bytes are whole (metric, value) varint pairs with rising metrics below
// `metrics`, as RepCells::Decode reads them unchecked.
bool DayCellOk(std::string_view cell, size_t metrics) {
  if (cell.empty()) return false;
  uint64_t m = 0;
  bool first = true;
  for (projection::CheckedBytes c(cell); !c.done(); first = false) {
    uint64_t dm;
    if (!c.Varint(&dm) || !c.Skip()) return false;
    if ((!first && dm == 0) || dm >= metrics || m + dm >= metrics) return false;
    m += dm;
  }
  return true;
}

}  // namespace

void Projector::Impl::SaveCells(StateWriter& w) const {
  w.Begin(projection::kRepCells);
  for (const auto& [rep, c] : rep_cells_) {
    w.Entry();
    w.U(rep);
    w.U(c.days.size());
    for (size_t i = 0; i < c.days.size(); ++i) {
      if (i == 0) {
        w.S(c.days[0]);
      } else {
        w.U(static_cast<uint32_t>(c.days[i] - c.days[i - 1]));
      }
      w.U(c.ends[i] - c.Begin(i));
    }
    w.Str(c.bytes);
    w.U(c.samples.size());
    for (const Sample& s : c.samples) {
      w.S(s.day);
      w.U(s.metric);
      w.S(s.value);
    }
    w.EndEntry();
  }
  w.End();
  w.Begin(projection::kWindowAggs);
  for (const auto& [key, cell] : agg_) {
    w.Entry();
    PutKey(w, key);
    PutAgg(w, cell);
    w.EndEntry();
  }
  w.End();
  w.Begin(projection::kCustomerCells);
  for (const auto& [key, n] : customer_cells_) {
    w.Entry();
    PutKey(w, key);
    w.S(n.first);
    w.S(n.second);
    w.EndEntry();
  }
  w.End();
  w.Begin(projection::kPits);
  for (const auto& [subject, p] : pit_) {
    w.Entry();
    w.U(subject);
    for (int64_t v : p.sums) w.S(v);
    for (const StepSum& s : p.steps) {
      w.U(s.steps.size());
      uint64_t prev = static_cast<uint64_t>(kMinTime);
      for (const auto& [t, d] : s.steps) {
        w.U(static_cast<uint64_t>(t) - prev);
        w.S(d);
        prev = static_cast<uint64_t>(t);
      }
    }
    w.EndEntry();
  }
  w.End();
  w.Begin(projection::kUnitRows);
  for (const auto& [unit, rows] : unit_rows_) {
    w.Entry();
    w.U(unit);
    for (const PeriodRow& row : rows) {
      w.S(row.base);
      w.U(row.cells.size());
      for (const auto& c : row.cells) {
        w.Byte(c != nullptr ? 1 : 0);
        if (c != nullptr) PutAgg(w, *c);
      }
      w.U(row.far.size());
      for (const auto& [ordinal, c] : row.far) {
        w.S(ordinal);
        PutAgg(w, *c);
      }
    }
    w.EndEntry();
  }
  w.End();
}

absl::Status Projector::Impl::LoadCells(Section s, uint32_t count, StateReader& r) {
  const size_t metrics = metrics_.size();
  auto get_key = [&](AggKey* k) {
    const uint64_t subject = r.U();
    const uint8_t kind = r.Byte();
    const int64_t index = r.S();
    if (!SubjectOk(subject) || kind < 1 || kind > kWindow || index < INT32_MIN ||
        index > INT32_MAX || (kind == kWindow && !IdOk(static_cast<uint64_t>(index)))) {
      return false;
    }
    *k = {static_cast<SubjectId>(subject), kind, static_cast<int32_t>(index)};
    return r.ok();
  };
  switch (s) {
    case projection::kRepCells:
      rep_cells_.reserve(rep_cells_.size() + count);
      for (uint32_t i = 0; i < count; ++i) {
        const uint64_t rep = r.U();
        if (!IdOk(rep)) return MalformedSection(s);
        auto [it, inserted] = rep_cells_.try_emplace(static_cast<projection::Id>(rep));
        if (!inserted) return MalformedSection(s);
        RepCells& c = it->second;
        const size_t days = r.Count(2);
        c.days.resize(days);
        c.ends.resize(days);
        uint64_t end = 0;
        for (size_t d = 0; d < days; ++d) {
          const int64_t day = d == 0 ? r.S() : int64_t{c.days[d - 1]} + r.UpTo(INT32_MAX);
          if ((d > 0 && day == c.days[d - 1]) || day < INT32_MIN || day > INT32_MAX) {
            return MalformedSection(s);
          }
          c.days[d] = static_cast<int32_t>(day);
          end += r.UpTo(UINT32_MAX);
          if (end > UINT32_MAX) return MalformedSection(s);
          c.ends[d] = static_cast<uint32_t>(end);
        }
        const std::string_view bytes = r.Str();
        if (!r.ok() || bytes.size() != end) return MalformedSection(s);
        for (size_t d = 0; d < days; ++d) {
          if (!DayCellOk(bytes.substr(c.Begin(d), c.ends[d] - c.Begin(d)), metrics)) {
            return MalformedSection(s);
          }
        }
        c.bytes.assign(bytes);
        c.samples.resize(r.Count(3));
        for (size_t k = 0; k < c.samples.size(); ++k) {
          Sample& x = c.samples[k];
          const int64_t day = r.S();
          const uint64_t m = r.U();
          x.value = r.S();
          if (day < INT32_MIN || day > INT32_MAX || m >= metrics) return MalformedSection(s);
          x.day = static_cast<int32_t>(day);
          x.metric = static_cast<MetricId>(m);
          if (k > 0 && x < c.samples[k - 1]) return MalformedSection(s);
        }
        if (!r.ok()) return MalformedSection(s);
      }
      return absl::OkStatus();
    case projection::kWindowAggs:
      for (uint32_t i = 0; i < count; ++i) {
        AggKey key;
        if (!get_key(&key) || key.kind != kWindow) return MalformedSection(s);
        auto [it, inserted] = agg_.try_emplace(key);
        if (!inserted || !GetAgg(r, metrics, &it->second)) return MalformedSection(s);
      }
      return absl::OkStatus();
    case projection::kCustomerCells:
      customer_cells_.reserve(customer_cells_.size() + count);
      for (uint32_t i = 0; i < count; ++i) {
        AggKey key;
        if (!get_key(&key)) return MalformedSection(s);
        const int64_t customers = r.S(), returning = r.S();
        if (!r.ok() || customers < INT32_MIN || customers > INT32_MAX || returning < INT32_MIN ||
            returning > INT32_MAX) {
          return MalformedSection(s);
        }
        const std::pair<int32_t, int32_t> n(customers, returning);
        if (!customer_cells_.try_emplace(key, n).second) return MalformedSection(s);
      }
      return absl::OkStatus();
    case projection::kPits:
      pit_.reserve(pit_.size() + count);
      for (uint32_t i = 0; i < count; ++i) {
        const uint64_t subject = r.U();
        if (!SubjectOk(subject)) return MalformedSection(s);
        auto [it, inserted] = pit_.try_emplace(static_cast<SubjectId>(subject));
        if (!inserted) return MalformedSection(s);
        Pit& p = it->second;
        for (int64_t& v : p.sums) v = r.S();
        for (StepSum& steps : p.steps) {
          const size_t n = r.Count(2);
          uint64_t prev = static_cast<uint64_t>(kMinTime);
          for (size_t k = 0; k < n; ++k) {
            const uint64_t gap = r.U();
            const int64_t t = static_cast<int64_t>(prev + gap);
            if (k > 0 && t <= static_cast<int64_t>(prev)) return MalformedSection(s);
            steps.steps.insert(steps.steps.end(), {t, r.S()});
            prev = static_cast<uint64_t>(t);
          }
          // The cursor sits at kMinTime, so `below` holds the step there, as StepSum::Add keeps it.
          if (!steps.steps.empty() && steps.steps.begin()->first == kMinTime) {
            steps.below = steps.steps.begin()->second;
          }
        }
        if (!r.ok()) return MalformedSection(s);
      }
      return absl::OkStatus();
    case projection::kUnitRows:
      unit_rows_.reserve(unit_rows_.size() + count);
      for (uint32_t i = 0; i < count; ++i) {
        const uint64_t unit = r.U();
        if (!SubjectOk(unit)) return MalformedSection(s);
        auto [it, inserted] = unit_rows_.try_emplace(static_cast<SubjectId>(unit));
        if (!inserted) return MalformedSection(s);
        for (PeriodRow& row : it->second) {
          const int64_t base = r.S();
          const size_t n = r.Count(1);
          if (base < INT32_MIN || base + static_cast<int64_t>(n) > int64_t{INT32_MAX} + 1 ||
              n > static_cast<size_t>(PeriodRow::kMaxDense)) {
            return MalformedSection(s);
          }
          row.base = static_cast<int32_t>(base);
          row.cells.resize(n);
          for (auto& c : row.cells) {
            const uint8_t has = r.Byte();
            if (has > 1) return MalformedSection(s);
            if (has == 0) continue;
            c = std::make_unique<AggCell>();
            if (!GetAgg(r, metrics, c.get())) return MalformedSection(s);
          }
          const size_t far = r.Count(4);
          row.far.reserve(far);
          for (size_t k = 0; k < far; ++k) {
            const int64_t ordinal = r.S();
            if (ordinal < INT32_MIN || ordinal > INT32_MAX) return MalformedSection(s);
            auto cell = std::make_unique<AggCell>();
            if (!GetAgg(r, metrics, cell.get())) return MalformedSection(s);
            if (!row.far.try_emplace(static_cast<int32_t>(ordinal), std::move(cell)).second) {
              return MalformedSection(s);
            }
          }
        }
        if (!r.ok()) return MalformedSection(s);
      }
      return absl::OkStatus();
    default:
      return MalformedSection(s);
  }
}

}  // namespace salestrack
