#include "engine/pending_entities.h"

#include <algorithm>
#include <tuple>

#include "salestrack/proto_time.h"

namespace salestrack::engine {
namespace {

// The entity events[i] opens, if any.
std::optional<std::pair<EntityKind, EntityOpening>> OpeningOf(const v1::Event& e, uint64_t seq,
                                                              const std::string** id) {
  EntityOpening o{ToUnixMicros(e.occurred_at()), seq, "", ""};
  switch (e.payload_case()) {
    case v1::Event::kOpportunityOpened:
      *id = &e.opportunity_opened().opportunity_id();
      o.rep = e.rep_id();
      return std::make_pair(EntityKind::kOpportunity, std::move(o));
    case v1::Event::kContractSigned:
      *id = &e.contract_signed().contract_id();
      o.rep = e.rep_id();
      return std::make_pair(EntityKind::kContract, std::move(o));
    case v1::Event::kPaymentReceived:
      *id = &e.payment_received().payment_id();
      o.contract = e.payment_received().contract_id();
      return std::make_pair(EntityKind::kPayment, std::move(o));
    default:
      return std::nullopt;
  }
}

}  // namespace

void PendingEntities::Add(const store::Events& events, const std::vector<int>& fresh,
                          const std::vector<uint64_t>& seqs,
                          const std::vector<uint64_t>& void_targets) {
  size_t voids = 0;
  for (int i : fresh) {
    const v1::Event& e = events[i];
    if (e.has_event_voided()) {
      auto [it, inserted] = voided_.try_emplace(void_targets[voids++], seqs[i]);
      if (!inserted) it->second = std::min(it->second, seqs[i]);
      continue;
    }
    const std::string* id = nullptr;
    auto opening = OpeningOf(e, seqs[i], &id);
    if (!opening) continue;
    openings_[static_cast<int>(opening->first)][*id].push_back(std::move(opening->second));
    order_.emplace_back(opening->first, *id);
  }
}

void PendingEntities::Prune(uint64_t applied) {
  while (!order_.empty()) {
    auto& [kind, id] = order_.front();
    auto& by_id = openings_[static_cast<int>(kind)];
    auto it = by_id.find(id);
    if (it->second.front().seq > applied) break;
    it->second.erase(it->second.begin());
    if (it->second.empty()) by_id.erase(it);
    order_.pop_front();
  }
  absl::erase_if(voided_, [&](const auto& target_void) {
    return std::max(target_void.first, target_void.second) <= applied;
  });
}

void PendingEntities::DropFrom(uint64_t first) {
  while (!order_.empty()) {
    auto& [kind, id] = order_.back();
    auto& by_id = openings_[static_cast<int>(kind)];
    auto it = by_id.find(id);
    if (it->second.back().seq < first) break;
    it->second.pop_back();
    if (it->second.empty()) by_id.erase(it);
    order_.pop_back();
  }
  absl::erase_if(voided_, [&](const auto& target_void) { return target_void.second >= first; });
}

std::optional<EntityOpening> PendingEntities::Defining(const Projector& p, EntityKind kind,
                                                       absl::string_view id) const {
  std::optional<EntityOpening> best;
  auto consider = [&](const EntityOpening& o) {
    if (voided_.contains(o.seq)) return;
    if (!best || o.order() < best->order()) best = o;
  };
  for (const EntityOpening& o : p.Openings(kind, id)) consider(o);
  const auto& by_id = openings_[static_cast<int>(kind)];
  if (auto it = by_id.find(id); it != by_id.end()) {
    for (const EntityOpening& o : it->second) consider(o);
  }
  return best;
}

}  // namespace salestrack::engine
