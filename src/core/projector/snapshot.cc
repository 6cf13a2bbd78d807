// Snapshots: the projector's state as a stream of chunks (state_coding.h) and back. This file
// holds the framing, the header, the interned names, the org and the small tables; the cells and
// the entities are in snapshot_cells.cc and snapshot_entities.cc. What is saved and what is
// recomputed, and why a snapshot gives the same figures: docs/projections.md, "Snapshots".
//
//   header            Str(magic) U(kStateFormat) Str(zone name) Byte(index_events)
//                     U(applied_seq) S(total)[6] Byte(over_limit)                      one entry
//   id_names          Str(name)                                       in id order, from id 0
//   metric_names      Str(name)                                       in id order, from id 0
//   org_events        Str(event_id) S(at) U(seq) Str(v1::Event)       org_, plans_ and
//                                                                     competitions_ are rebuilt
//   duration_metrics  U(stage) U(metric)
//   rep_units         U(rep) U(n) U(subject)[n]
//   windows           U(competition) S(start) S(end)                  in windows_ order
//   pending_voids     U(seq)
//   ... cells and entities ..., end (no entries)
#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/projector/impl.h"
#include "salestrack/status_macros.h"

namespace salestrack {

using projection::Id;
using projection::MetricId;
using projection::Section;
using projection::StateReader;
using projection::StateWriter;
using projection::SubjectId;

namespace {

constexpr std::string_view kMagic = "salestrack projector state";

}  // namespace

void Projector::Impl::SaveState(StateWriter& w) const {
  w.Begin(projection::kHeader);
  w.Entry();
  w.Str(kMagic);
  w.U(kStateFormat);
  w.Str(options_.zone.name());
  w.Byte(options_.index_events ? 1 : 0);
  w.U(applied_seq_);
  for (int q = 0; q < LogTotals::kQuantities; ++q) {
    w.S(totals_.total(static_cast<LogTotals::Quantity>(q)));
  }
  w.Byte(totals_.over_limit() ? 1 : 0);
  w.EndEntry();
  w.End();

  w.Begin(projection::kIdNames);
  for (Id id = 0; id < ids_.size(); ++id) {
    w.Entry();
    const absl::string_view name = ids_.Name(id);
    w.Str({name.data(), name.size()});
    w.EndEntry();
  }
  w.End();
  w.Begin(projection::kMetricNames);
  for (size_t m = 0; m < metrics_.size(); ++m) {
    w.Entry();
    const absl::string_view name = metrics_.Name(static_cast<MetricId>(m));
    w.Str({name.data(), name.size()});
    w.EndEntry();
  }
  w.End();

  w.Begin(projection::kOrgEvents);
  std::string bytes;
  for (const auto& [event_id, keyed] : org_events_) {
    w.Entry();
    w.Str(event_id);
    w.S(keyed.first.at);
    w.U(keyed.first.seq);
    keyed.second.SerializeToString(&bytes);
    w.Str(bytes);
    w.EndEntry();
  }
  w.End();
  w.Begin(projection::kDurationMetrics);
  for (const auto& [stage, m] : stages_.duration_metrics) {
    w.Entry();
    w.U(stage);
    w.U(m);
    w.EndEntry();
  }
  w.End();
  w.Begin(projection::kRepUnits);
  for (const auto& [rep, units] : rep_units_) {
    w.Entry();
    w.U(rep);
    w.U(units.size());
    for (SubjectId u : units) w.U(u);
    w.EndEntry();
  }
  w.End();
  w.Begin(projection::kWindows);
  for (const CompWindow& win : windows_) {
    w.Entry();
    w.U(win.comp);
    w.S(win.start);
    w.S(win.end);
    w.EndEntry();
  }
  w.End();
  w.Begin(projection::kPendingVoids);
  for (uint64_t seq : pending_voids_) {
    w.Entry();
    w.U(seq);
    w.EndEntry();
  }
  w.End();

  SaveCells(w);
  SaveEntities(w);
  w.Begin(projection::kEnd);
  w.End();
}

absl::Status Projector::Impl::LoadState(NextChunk next) {
  int section = 0;  // The last section met; kEnd once the stream is complete.
  uint32_t index = 0;
  std::string chunk;
  for (;;) {
    ASSIGN_OR_RETURN(const bool more, next(&chunk));
    if (!more) break;
    if (section == projection::kEnd) {
      return absl::DataLossError("projector state: chunks after the end");
    }
    StateReader r(chunk);
    if (r.Fixed32() != index || !r.ok()) {
      return absl::DataLossError(
          absl::StrCat("projector state: chunk ", index, " missing or out of order"));
    }
    ++index;
    if (r.done()) return absl::DataLossError("projector state: an empty chunk");
    while (!r.done()) {
      const uint8_t tag = r.Byte();
      const uint32_t count = r.Entries(1);
      if (!r.ok()) return absl::DataLossError("projector state: a truncated record");
      if (tag == 0 || (tag != section && tag != section + 1)) {
        return absl::DataLossError(absl::StrCat("projector state: section ", tag, " after ",
                                                section, " (missing or out of order)"));
      }
      if (tag != section) RETURN_IF_ERROR(EndSection(static_cast<Section>(section)));
      section = tag;
      if (section == projection::kEnd) {
        if (count != 0 || !r.done())
          return absl::DataLossError("projector state: bytes after the end");
        break;
      }
      RETURN_IF_ERROR(LoadRecord(static_cast<Section>(section), count, r));
    }
  }
  if (section != projection::kEnd) {
    return absl::DataLossError(absl::StrCat("projector state: truncated after ", index,
                                            " chunks (section ", section, ")"));
  }
  return absl::OkStatus();
}

absl::Status Projector::Impl::EndSection(Section s) {
  switch (s) {
    case projection::kIdNames:
      if (names_loaded_ != ids_.size() || !ids_.Index()) return MalformedSection(s);
      break;
    case projection::kMetricNames:
      if (metrics_loaded_ != metrics_.size() || !metrics_.Index()) return MalformedSection(s);
      break;
    case projection::kOrgEvents:
      // The org is whole: the stages as the aggregates see them follow from it.
      RefreshStages();
      if (stages_.ids.empty()) return MalformedSection(s);
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

absl::Status Projector::Impl::LoadRecord(Section s, uint32_t count, StateReader& r) {
  // The first names are the constructor's, the same in every projector; the rest are appended
  // and indexed once the section ends (EndSection).
  auto names = [&](auto& interner, size_t& loaded, uint64_t max_names) -> absl::Status {
    for (uint32_t i = 0; i < count; ++i, ++loaded) {
      const std::string_view name = r.Str();
      if (!r.ok() || loaded >= max_names) return MalformedSection(s);
      if (loaded < interner.size()) {
        const absl::string_view have = interner.Name(loaded);
        if (name != std::string_view(have.data(), have.size())) return MalformedSection(s);
      } else {
        interner.Append(name);
      }
    }
    return absl::OkStatus();
  };
  switch (s) {
    case projection::kHeader: {
      if (count != 1 || r.Str() != kMagic) {
        return absl::DataLossError("projector state: not a projector's state");
      }
      const uint64_t format = r.U();
      if (!r.ok()) return MalformedSection(s);
      if (format != kStateFormat) {
        return absl::FailedPreconditionError(absl::StrCat(
            "projector state: format ", format, ", this build reads format ", kStateFormat));
      }
      const std::string_view zone = r.Str();
      const uint8_t index_events = r.Byte();
      if (!r.ok() || index_events > 1) return MalformedSection(s);
      if (zone != options_.zone.name() || (index_events == 1) != options_.index_events) {
        return absl::FailedPreconditionError(absl::StrCat(
            "projector state: saved with zone ", std::string(zone), " and index_events ",
            index_events, ", asked for zone ", options_.zone.name(), " and index_events ",
            options_.index_events ? 1 : 0));
      }
      applied_seq_ = r.U();
      std::array<int64_t, LogTotals::kQuantities> totals;
      for (int64_t& t : totals) t = r.S();
      const uint8_t over_limit = r.Byte();
      // Totals are sums of non-negative amounts; a negative one would overflow the next check.
      const bool negative =
          std::any_of(totals.begin(), totals.end(), [](int64_t t) { return t < 0; });
      if (!r.ok() || over_limit > 1 || negative) return MalformedSection(s);
      totals_ = LogTotals::FromParts(totals, over_limit == 1);
      return absl::OkStatus();
    }
    case projection::kIdNames:
      return names(ids_, names_loaded_, uint64_t{projection::kNoId});
    case projection::kMetricNames:
      return names(metrics_, metrics_loaded_, uint64_t{1} << 16);
    case projection::kOrgEvents:
      for (uint32_t i = 0; i < count; ++i) {
        std::string event_id(r.Str());
        const EventOrder key{r.S(), r.U()};
        const std::string_view bytes = r.Str();
        if (!r.ok()) return MalformedSection(s);
        v1::Event e;
        if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
          return MalformedSection(s);
        if (e.has_competition_defined()) {
          const v1::CompetitionDefined& c = e.competition_defined();
          competitions_[c.competition_id()][key] = CompetitionOf(c);
        } else if (e.has_target_set() || e.has_scheme_defined()) {
          plans_.Add(key, e);
        } else {
          org_.Add(key, e);
        }
        if (!org_events_.try_emplace(std::move(event_id), key, std::move(e)).second) {
          return MalformedSection(s);
        }
      }
      return absl::OkStatus();
    case projection::kDurationMetrics:
      for (uint32_t i = 0; i < count; ++i) {
        const uint64_t stage = r.U(), m = r.U();
        if (!r.ok() || !IdOk(stage) || !MetricOk(m)) return MalformedSection(s);
        if (!stages_.duration_metrics.try_emplace(stage, m).second) return MalformedSection(s);
      }
      return absl::OkStatus();
    case projection::kRepUnits:
      rep_units_.reserve(rep_units_.size() + count);
      for (uint32_t i = 0; i < count; ++i) {
        const uint64_t rep = r.U();
        std::vector<SubjectId> units(r.Count(1));
        for (SubjectId& u : units) {
          const uint64_t v = r.U();
          if (!SubjectOk(v)) return MalformedSection(s);
          u = static_cast<SubjectId>(v);
        }
        if (!r.ok() || !IdOk(rep)) return MalformedSection(s);
        if (!rep_units_.try_emplace(rep, std::move(units)).second) return MalformedSection(s);
      }
      return absl::OkStatus();
    case projection::kWindows:
      for (uint32_t i = 0; i < count; ++i) {
        const uint64_t comp = r.U();
        const int64_t start = r.S(), end = r.S();
        if (!r.ok() || !IdOk(comp)) return MalformedSection(s);
        windows_.push_back({static_cast<Id>(comp), start, end});
      }
      return absl::OkStatus();
    case projection::kPendingVoids:
      pending_voids_.reserve(pending_voids_.size() + count);
      for (uint32_t i = 0; i < count; ++i) {
        const uint64_t seq = r.U();
        if (!r.ok() || !pending_voids_.insert(seq).second) return MalformedSection(s);
      }
      return absl::OkStatus();
    case projection::kRepCells:
    case projection::kWindowAggs:
    case projection::kCustomerCells:
    case projection::kPits:
    case projection::kUnitRows:
      return LoadCells(s, count, r);
    case projection::kChains:
    case projection::kCustomersByRep:
    case projection::kOpportunities:
    case projection::kContracts:
    case projection::kContractsByCustomer:
    case projection::kContractsByOpportunity:
    case projection::kPayments:
    case projection::kSingles:
    case projection::kEventsById:
    case projection::kIdsBySeq:
      return LoadEntities(s, count, r);
    case projection::kEnd:
      break;
  }
  return MalformedSection(s);
}

absl::Status Projector::SaveState(absl::FunctionRef<absl::Status(std::string_view chunk)> sink,
                                  size_t chunk_bytes) const {
  if (impl_->bulk_) {
    return absl::FailedPreconditionError("projector state: saved during a bulk replay");
  }
  StateWriter w(sink, chunk_bytes);
  impl_->SaveState(w);
  return w.Finish();
}

absl::StatusOr<std::unique_ptr<Projector>> Projector::LoadState(
    ProjectorOptions options, absl::FunctionRef<absl::StatusOr<bool>(std::string* chunk)> next) {
  auto p = std::make_unique<Projector>(options);
  RETURN_IF_ERROR(p->impl_->LoadState(next));
  return p;
}

}  // namespace salestrack
