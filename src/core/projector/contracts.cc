// The contracts-and-payments room's writer: re-deriving contracts, their customers and the
// opportunities they win around a change (contracts.h).
#include "core/projector/contracts.h"

#include <algorithm>

#include "core/projector/impl.h"

namespace salestrack {

using projection::DecodeOpp;
using projection::InsertUnique;
using projection::kNoId;

void Projector::Impl::WithContracts(const std::vector<Id>& ids, bool defs_change,
                                    std::vector<Id> customers, absl::FunctionRef<void()> change,
                                    std::optional<Id> signing) {
  std::vector<Id>& opps = opp_ids_scratch_;
  opps.clear();
  if (signing) {
    if (*signing != kNoId) opps.push_back(*signing);
    for (Id id : ids) {
      for (const ContractDef& d : contracts_[id].defs) {
        if (d.opportunity != kNoId) opps.push_back(d.opportunity);
      }
    }
    std::sort(opps.begin(), opps.end());
    opps.erase(std::unique(opps.begin(), opps.end()), opps.end());
    std::erase_if(opps, [&](Id o) { return !opportunities_.contains(o); });
  }
  std::vector<std::vector<OppEvent>>& opp_events = opp_events_scratch_;
  if (opp_events.size() < opps.size()) opp_events.resize(opps.size());
  for (size_t i = 0; i < opps.size(); ++i) {
    DecodeOpp(opportunities_[opps[i]], opp_events[i]);
    OppTouches(opps[i], opp_events[i], {&touches_, -1});
  }
  if (defs_change) {
    for (Id id : ids) {
      for (const ContractDef& d : contracts_[id].defs) customers.push_back(d.customer);
    }
    std::sort(customers.begin(), customers.end());
    customers.erase(std::unique(customers.begin(), customers.end()), customers.end());
  } else {
    customers.clear();
  }
  for (Id id : ids) ContractTouches(id, contracts_[id], {&touches_, -1});
  for (Id cust : customers) CustomerTouches(cust, {&touches_, -1}, presence_, {});
  change();
  for (Id id : ids) ContractTouches(id, contracts_[id], {&touches_, +1});
  for (Id cust : customers) CustomerTouches(cust, {&touches_, +1}, presence_, {});
  for (size_t i = 0; i < opps.size(); ++i) OppTouches(opps[i], opp_events[i], {&touches_, +1});
  Commit(touches_);
  projection::CommitPresence(presence_, customer_cells_);
}

void Projector::Impl::ChangePayment(Id payment, std::optional<Id> new_contract,
                                    absl::FunctionRef<void(PaymentDefs&)> change) {
  std::vector<Id> contracts;
  if (new_contract) contracts.push_back(*new_contract);
  for (const PaymentDef& d : payments_[payment]) contracts.push_back(d.contract);
  std::sort(contracts.begin(), contracts.end());
  contracts.erase(std::unique(contracts.begin(), contracts.end()), contracts.end());
  WithContracts(contracts, /*defs_change=*/false, {}, [&] {
    PaymentDefs& defs = payments_[payment];
    change(defs);
    if (new_contract) InsertUnique(contracts_[*new_contract].payments, payment);
    if (defs.empty()) payments_.erase(payment);
  });
}

}  // namespace salestrack
