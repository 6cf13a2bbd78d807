// The dump and memory room: every cell as canonical text (verify's comparison) and the bytes each
// structure holds.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/projector/impl.h"

namespace salestrack {

using projection::AggCell;
using projection::AggKey;
using projection::CivilOf;
using projection::ContractDef;
using projection::Entry;
using projection::kUnitBit;
using projection::kWindow;
using projection::MetricId;
using projection::PeriodRow;
using projection::Pit;
using projection::Sample;
using projection::StepSum;
using projection::SubjectId;

std::string Projector::Impl::SubjectName(SubjectId s) const {
  return s & kUnitBit ? absl::StrCat("unit:", Name(s & ~kUnitBit)) : std::string(Name(s));
}

std::string Projector::Impl::AggName(const AggKey& k) const {
  if (k.kind == kWindow)
    return absl::StrCat(SubjectName(k.subject), " COMPETITION ", Name(k.index));
  return absl::StrCat(SubjectName(k.subject), " ",
                      PeriodName({static_cast<PeriodKind>(k.kind), CivilOf(k.index)}));
}

std::vector<std::string> Projector::Impl::DumpCells() const {
  std::vector<std::string> lines;
  auto hist_line = [&](const std::string& prefix, MetricId m, const Histogram& h) {
    lines.push_back(absl::StrCat(prefix, MetricName(m), " = n ", h.count(), " sum ",
                                 static_cast<double>(h.sum()), " p50 ", h.Quantile(0.5), " p90 ",
                                 h.Quantile(0.9)));
  };
  std::vector<Entry> entries;
  for (const auto& [rep, cells] : rep_cells_) {
    for (size_t i = 0; i < cells.days.size(); ++i) {
      const std::string prefix =
          absl::StrCat(Name(rep), " ", PeriodName({PeriodKind::kDay, CivilOf(cells.days[i])}), " ");
      entries.clear();
      cells.Decode(i, entries);
      for (const auto& [m, v] : entries)
        lines.push_back(absl::StrCat(prefix, MetricName(m), " = ", v));
    }
    for (const Sample& s : cells.samples) {
      lines.push_back(absl::StrCat(Name(rep), " ", PeriodName({PeriodKind::kDay, CivilOf(s.day)}),
                                   " ", MetricName(s.metric), " sample ", s.value));
    }
  }
  auto dump_agg = [&](const AggKey& key, const AggCell& cell) {
    const std::string prefix = AggName(key) + " ";
    for (size_t m = 0; m < cell.sums.size(); ++m) {
      if (cell.sums[m] != 0)
        lines.push_back(absl::StrCat(prefix, MetricName(m), " = ", cell.sums[m]));
    }
    for (const auto& [m, h] : cell.hists) hist_line(prefix, m, h);
  };
  for (const auto& [key, cell] : agg_) dump_agg(key, cell);
  for (const auto& [unit_id, rows] : unit_rows_) {
    const SubjectId unit = unit_id;  // A lambda cannot capture a structured binding (C++20).
    for (size_t k = 0; k < rows.size(); ++k) {
      rows[k].ForEach([&](const AggCell& cell) {
        dump_agg({unit, static_cast<uint8_t>(k + 1), cell.start}, cell);
      });
    }
  }
  for (const auto& [key, n] : customer_cells_) {
    lines.push_back(absl::StrCat(AggName(key), " customers ", n.first, " returning ", n.second));
  }
  static constexpr const char* kPitSums[] = {"contracted", "paid", "open_pipeline",
                                             "open_follow_ups"};
  static constexpr const char* kPitSteps[] = {"overdue", "overdue_follow_ups"};
  for (const auto& [subject, p] : pit_) {
    const std::string prefix = SubjectName(subject) + " NOW ";
    for (size_t i = 0; i < p.sums.size(); ++i) {
      if (p.sums[i] != 0) lines.push_back(absl::StrCat(prefix, kPitSums[i], " = ", p.sums[i]));
    }
    for (size_t i = 0; i < p.steps.size(); ++i) {
      for (const auto& [t, d] : p.steps[i].steps) {
        lines.push_back(absl::StrCat(prefix, kPitSteps[i], " step at ", t, " = ", d));
      }
    }
  }
  for (std::string& line : plans_.Dump()) lines.push_back(std::move(line));
  std::sort(lines.begin(), lines.end());
  return lines;
}

// Bytes held by each structure, estimated from capacities (allocator overhead counted as 16 B per
// heap block): where the RSS goes, for the benchmark and operators.
std::vector<std::pair<std::string, size_t>> Projector::Impl::Memory() const {
  constexpr size_t kBlock = 16;
  auto vec = [](const auto& v) -> size_t {
    return v.capacity() == 0 ? 0 : v.capacity() * sizeof(v[0]) + kBlock;
  };
  auto inlined = [](const auto& v, size_t n) -> size_t {  // An absl::InlinedVector<T, n>.
    return v.capacity() > n ? v.capacity() * sizeof(v[0]) + kBlock : 0;
  };
  auto str = [](const std::string& s) -> size_t {
    return s.capacity() > 15 ? s.capacity() + 1 + kBlock : 0;
  };
  auto table = [](const auto& m) -> size_t {
    using V = typename std::decay_t<decltype(m)>::value_type;
    return m.capacity() == 0 ? 0 : m.capacity() * (sizeof(V) + 1) + kBlock;
  };
  std::vector<std::pair<std::string, size_t>> out;
  size_t n = table(chains_);
  for (const auto& [k, v] : chains_) n += str(v);
  out.push_back({absl::StrCat("actions (", chains_.size(), " chains)"), n});
  n = table(customers_by_rep_);
  for (const auto& [k, v] : customers_by_rep_) n += vec(v);
  out.push_back({"customers_by_rep", n});
  n = table(opportunities_);
  for (const auto& [k, v] : opportunities_) n += str(v);
  out.push_back({absl::StrCat("opportunities (", opportunities_.size(), ")"), n});
  n = table(contracts_);
  for (const auto& [k, c] : contracts_) {
    n += inlined(c.defs, 1) + inlined(c.payments, 2);
    for (const ContractDef& d : c.defs) n += inlined(d.installments, 1);
  }
  out.push_back({absl::StrCat("contracts (", contracts_.size(), ")"), n});
  n = table(contracts_by_customer_);
  for (const auto& [k, v] : contracts_by_customer_) n += vec(v);
  n += table(contracts_by_opportunity_);
  out.push_back({"contracts_by_customer and _by_opportunity", n});
  n = table(payments_);
  for (const auto& [k, v] : payments_) n += inlined(v, 1);
  out.push_back({absl::StrCat("payments (", payments_.size(), ")"), n});
  out.push_back({"singles", vec(singles_)});
  out.push_back({absl::StrCat("interned ids (", ids_.size(), ")"), ids_.Bytes()});
  n = table(rep_cells_);
  size_t samples = 0;
  for (const auto& [k, c] : rep_cells_) {
    n += vec(c.days) + vec(c.ends) + str(c.bytes);
    samples += vec(c.samples);
  }
  out.push_back({"rep day cells", n});
  out.push_back({"rep samples", samples});
  n = table(unit_rows_);
  for (const auto& [k, rows] : unit_rows_) {
    for (const PeriodRow& row : rows) {
      n += vec(row.cells) + table(row.far);
      row.ForEach([&](const AggCell& c) {
        n += sizeof(AggCell) + kBlock + vec(c.sums) + vec(c.hists);
        for (const auto& [m, h] : c.hists) n += h.Bytes();
      });
    }
  }
  out.push_back({"unit rows", n});
  out.push_back({"customer cells", table(customer_cells_)});
  n = table(pit_);
  for (const auto& [k, p] : pit_) {
    n += sizeof(Pit) + kBlock;
    for (const StepSum& s : p.steps) n += s.steps.size() * 24;  // btree nodes: ~1.5 x 16 B
  }
  out.push_back({"point in time", n});
  out.push_back({"rep_units", table(rep_units_)});
  out.push_back({"pending voids", table(pending_voids_)});
  n = table(events_by_id_) + table(ids_by_seq_);
  for (const auto& [k, v] : events_by_id_) n += str(k) + v.second.SpaceUsedLong();
  for (const auto& [k, v] : ids_by_seq_) n += str(v);
  out.push_back({"event index (index_events)", n});
  return out;
}

}  // namespace salestrack
