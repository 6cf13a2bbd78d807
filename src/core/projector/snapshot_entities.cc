// Snapshots of the entities: action chains, opportunities, contracts and payments, singles, and
// the event index (index_events). Framing and the other sections: snapshot.cc.
//
//   chains                    U(rep) U(customer) Str(EncodeChain bytes)
//   customers_by_rep          U(rep) U(n) U(customer)[n]
//   opportunities             U(id) Str(EncodeOpp bytes)
//   contracts                 U(id) U(n) Def[n] U(m) U(payment)[m]
//   Def                       S(at) U(seq) U(rep) U(customer) S(amount) S(cost) Byte(has_cost)
//                             S(quantity) U(opportunity + 1, 0: none)
//                             U(k >= 1) (S(due) S(amount))[k]
//   contracts_by_customer     U(customer) U(n) U(contract)[n]
//   contracts_by_opportunity  U(opportunity) U(n) U(contract)[n]
//   payments                  U(id) U(n) (S(at) U(seq) U(contract) S(amount))[n]
//   singles                   U(seq) S(at) U(rep) U(sum metric) U(count metric) S(value)
//                             Byte(voided)                                   in seq order
//   events_by_id              Str(event_id) U(seq) Str(v1::Event)
//   ids_by_seq                U(seq) Str(event_id)
//
// Chains and opportunities are stored as they are kept; their bytes are checked as they are read
// (the rooms decode them without bounds checks), ids and enum values included.
#include "core/projector/impl.h"

namespace salestrack {

using projection::ChainKey;
using projection::CheckedBytes;
using projection::Contract;
using projection::ContractDef;
using projection::Id;
using projection::kNoId;
using projection::MalformedSection;
using projection::MetricId;
using projection::PaymentDef;
using projection::PaymentDefs;
using projection::Single;
using projection::StateReader;
using projection::StateWriter;

namespace {

// As EncodeChain writes them: flags channel | purpose << 3 | has_due << 6 | has_cost << 7.
bool ChainOk(std::string_view bytes) {
  for (CheckedBytes c(bytes); !c.done();) {
    uint8_t flags;
    if (!c.Skip() || !c.Skip() || !c.Byte(&flags)) return false;
    if ((flags & 7u) > v1::Channel_MAX || ((flags >> 3) & 7u) > v1::Purpose_MAX) return false;
    if ((flags & 0x40) && !c.Skip()) return false;
    if ((flags & 0x80) && !c.Skip()) return false;
  }
  return true;
}

// As EncodeOpp writes them: rep, flags kind | won << 2 | has_stage << 3 | has_expected << 4.
bool OppOk(std::string_view bytes, size_t ids) {
  for (CheckedBytes c(bytes); !c.done();) {
    uint64_t rep, stage;
    uint8_t flags;
    if (!c.Skip() || !c.Skip() || !c.Varint(&rep) || !c.Byte(&flags)) return false;
    if (rep >= ids || (flags & 3) > 2 || flags >= 32) return false;
    if ((flags & 8) && (!c.Varint(&stage) || stage >= ids)) return false;
    if ((flags & 16) && !c.Skip()) return false;
  }
  return true;
}

template <typename V>
void PutIds(StateWriter& w, const V& ids) {
  w.U(ids.size());
  for (Id id : ids) w.U(id);
}

}  // namespace

void Projector::Impl::SaveEntities(StateWriter& w) const {
  w.Begin(projection::kChains);
  for (const auto& [key, chain] : chains_) {
    w.Entry();
    w.U(key >> 32);
    w.U(key & 0xffffffffu);
    w.Str(chain);
    w.EndEntry();
  }
  w.End();
  auto id_lists = [&](projection::Section s, const auto& table) {
    w.Begin(s);
    for (const auto& [id, list] : table) {
      w.Entry();
      w.U(id);
      PutIds(w, list);
      w.EndEntry();
    }
    w.End();
  };
  id_lists(projection::kCustomersByRep, customers_by_rep_);
  w.Begin(projection::kOpportunities);
  for (const auto& [id, events] : opportunities_) {
    w.Entry();
    w.U(id);
    w.Str(events);
    w.EndEntry();
  }
  w.End();
  w.Begin(projection::kContracts);
  for (const auto& [id, c] : contracts_) {
    w.Entry();
    w.U(id);
    w.U(c.defs.size());
    for (const ContractDef& d : c.defs) {
      w.S(d.at);
      w.U(d.seq);
      w.U(d.rep);
      w.U(d.customer);
      w.S(d.amount);
      w.S(d.cost);
      w.Byte(d.has_cost ? 1 : 0);
      w.S(d.quantity);
      w.U(d.opportunity == kNoId ? 0 : uint64_t{d.opportunity} + 1);
      w.U(d.installments.size());
      for (const auto& [due, amount] : d.installments) {
        w.S(due);
        w.S(amount);
      }
    }
    PutIds(w, c.payments);
    w.EndEntry();
  }
  w.End();
  id_lists(projection::kContractsByCustomer, contracts_by_customer_);
  id_lists(projection::kContractsByOpportunity, contracts_by_opportunity_);
  w.Begin(projection::kPayments);
  for (const auto& [id, defs] : payments_) {
    w.Entry();
    w.U(id);
    w.U(defs.size());
    for (const PaymentDef& p : defs) {
      w.S(p.at);
      w.U(p.seq);
      w.U(p.contract);
      w.S(p.amount);
    }
    w.EndEntry();
  }
  w.End();
  w.Begin(projection::kSingles);
  for (const Single& s : singles_) {
    w.Entry();
    w.U(s.seq);
    w.S(s.at);
    w.U(s.rep);
    w.U(s.sum_metric);
    w.U(s.count_metric);
    w.S(s.value);
    w.Byte(s.voided ? 1 : 0);
    w.EndEntry();
  }
  w.End();
  w.Begin(projection::kEventsById);
  std::string bytes;
  for (const auto& [event_id, event] : events_by_id_) {
    w.Entry();
    w.Str(event_id);
    w.U(event.first);
    event.second.SerializeToString(&bytes);
    w.Str(bytes);
    w.EndEntry();
  }
  w.End();
  w.Begin(projection::kIdsBySeq);
  for (const auto& [seq, event_id] : ids_by_seq_) {
    w.Entry();
    w.U(seq);
    w.Str(event_id);
    w.EndEntry();
  }
  w.End();
}

absl::Status Projector::Impl::LoadEntities(Section s, uint32_t count, StateReader& r) {
  const auto malformed = MalformedSection(s);
  // Reads an id list into `out` (a vector or an inlined vector of ids).
  auto get_ids = [&](auto& out) {
    out.resize(r.Count(1));
    for (Id& id : out) {
      const uint64_t v = r.U();
      if (!IdOk(v)) return false;
      id = static_cast<Id>(v);
    }
    return r.ok();
  };
  // Reads a table of id lists; `holds(key, id)` checks each listed id.
  auto id_lists = [&](auto& table, auto holds) {
    table.reserve(table.size() + count);
    for (uint32_t i = 0; i < count; ++i) {
      const uint64_t id = r.U();
      if (!IdOk(id)) return malformed;
      auto [it, inserted] = table.try_emplace(static_cast<Id>(id));
      if (!inserted || !get_ids(it->second)) return malformed;
      for (Id listed : it->second) {
        if (!holds(it->first, listed)) return malformed;
      }
    }
    return absl::OkStatus();
  };
  auto any = [](Id, Id) { return true; };
  switch (s) {
    case projection::kChains:
      chains_.reserve(chains_.size() + count);
      for (uint32_t i = 0; i < count; ++i) {
        const uint64_t rep = r.U(), customer = r.U();
        const std::string_view chain = r.Str();
        if (!r.ok() || !IdOk(rep) || !IdOk(customer) || !ChainOk(chain)) return malformed;
        if (!chains_.try_emplace(ChainKey(static_cast<Id>(rep), static_cast<Id>(customer)), chain)
                 .second)
          return malformed;
      }
      return absl::OkStatus();
    case projection::kCustomersByRep:
      // FollowUps reads the chain of each (rep, customer) listed.
      return id_lists(customers_by_rep_, [&](Id rep, Id customer) {
        return chains_.contains(ChainKey(rep, customer));
      });
    case projection::kOpportunities:
      opportunities_.reserve(opportunities_.size() + count);
      for (uint32_t i = 0; i < count; ++i) {
        const uint64_t id = r.U();
        const std::string_view events = r.Str();
        if (!r.ok() || !IdOk(id) || !OppOk(events, ids_.size())) return malformed;
        if (!opportunities_.try_emplace(static_cast<Id>(id), events).second) return malformed;
      }
      return absl::OkStatus();
    case projection::kContracts:
      contracts_.reserve(contracts_.size() + count);
      for (uint32_t i = 0; i < count; ++i) {
        const uint64_t id = r.U();
        if (!IdOk(id)) return malformed;
        auto [it, inserted] = contracts_.try_emplace(static_cast<Id>(id));
        if (!inserted) return malformed;
        Contract& c = it->second;
        c.defs.resize(r.Count(12));
        for (ContractDef& d : c.defs) {
          d.at = r.S();
          d.seq = r.U();
          const uint64_t rep = r.U(), customer = r.U();
          d.amount = r.S();
          d.cost = r.S();
          const uint8_t has_cost = r.Byte();
          d.quantity = r.S();
          const uint64_t opportunity = r.U();
          if (!IdOk(rep) || !IdOk(customer) || has_cost > 1 ||
              (opportunity != 0 && !IdOk(opportunity - 1))) {
            return malformed;
          }
          d.rep = static_cast<Id>(rep);
          d.customer = static_cast<Id>(customer);
          d.has_cost = has_cost == 1;
          d.opportunity = opportunity == 0 ? kNoId : static_cast<Id>(opportunity - 1);
          d.installments.resize(r.Count(2));
          if (d.installments.empty()) return malformed;
          for (auto& [due, amount] : d.installments) {
            due = r.S();
            amount = r.S();
          }
        }
        if (!get_ids(c.payments)) return malformed;
      }
      return absl::OkStatus();
    case projection::kContractsByCustomer:
      return id_lists(contracts_by_customer_, any);
    case projection::kContractsByOpportunity:
      return id_lists(contracts_by_opportunity_, any);
    case projection::kPayments:
      payments_.reserve(payments_.size() + count);
      for (uint32_t i = 0; i < count; ++i) {
        const uint64_t id = r.U();
        if (!IdOk(id)) return malformed;
        auto [it, inserted] = payments_.try_emplace(static_cast<Id>(id));
        if (!inserted) return malformed;
        PaymentDefs& defs = it->second;
        defs.resize(r.Count(4));
        for (PaymentDef& p : defs) {
          p.at = r.S();
          p.seq = r.U();
          const uint64_t contract = r.U();
          p.amount = r.S();
          if (!IdOk(contract)) return malformed;
          p.contract = static_cast<Id>(contract);
        }
        if (!r.ok()) return malformed;
      }
      return absl::OkStatus();
    case projection::kSingles:
      for (uint32_t i = 0; i < count; ++i) {
        Single x;
        x.seq = r.U();
        x.at = r.S();
        const uint64_t rep = r.U(), sum = r.U(), n = r.U();
        const int64_t value = r.S();
        const uint8_t voided = r.Byte();
        if (!r.ok() || !IdOk(rep) || !MetricOk(sum) || !MetricOk(n) || voided > 1 ||
            value < INT32_MIN || value > INT32_MAX ||
            (!singles_.empty() && singles_.back().seq > x.seq)) {
          return malformed;
        }
        x.rep = static_cast<Id>(rep);
        x.sum_metric = static_cast<MetricId>(sum);
        x.count_metric = static_cast<MetricId>(n);
        x.value = static_cast<int32_t>(value);
        x.voided = voided == 1;
        singles_.push_back(x);
      }
      return absl::OkStatus();
    case projection::kEventsById:
      events_by_id_.reserve(events_by_id_.size() + count);
      for (uint32_t i = 0; i < count; ++i) {
        std::string event_id(r.Str());
        const uint64_t seq = r.U();
        const std::string_view bytes = r.Str();
        v1::Event e;
        if (!r.ok() || !e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
          return malformed;
        }
        if (!events_by_id_.try_emplace(std::move(event_id), seq, std::move(e)).second) {
          return malformed;
        }
      }
      return absl::OkStatus();
    case projection::kIdsBySeq:
      ids_by_seq_.reserve(ids_by_seq_.size() + count);
      for (uint32_t i = 0; i < count; ++i) {
        const uint64_t seq = r.U();
        const std::string_view event_id = r.Str();
        if (!r.ok() || !ids_by_seq_.try_emplace(seq, event_id).second) return malformed;
      }
      return absl::OkStatus();
    default:
      return malformed;
  }
}

}  // namespace salestrack
