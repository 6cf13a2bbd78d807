// Contracts, payments and customers: ContractSigned and PaymentReceived, by the ids they name.
//
// Holds the defs of each contract and payment (sorted by (at, seq); the first defines the entity,
// a later one is a correction) and which payments name a contract. A contract contributes
// signings, products, sales, cost and margin base, amounts due, payments into it, and the
// outstanding and overdue figures; a customer (its defining contracts) contributes new_customers
// at its first contract and its presence in every aggregate its contracts fall in (the distinct
// customer counts). Needs the cells' touches and, for presence, the calendar and the rep's units.
#ifndef SALESTRACK_CORE_PROJECTOR_CONTRACTS_H_
#define SALESTRACK_CORE_PROJECTOR_CONTRACTS_H_

#include <cstdint>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "core/projector/cells.h"
#include "core/projector/common.h"

namespace salestrack::projection {

struct ContractDef {
  Micros at;
  uint64_t seq;
  Id rep;
  Id customer;
  int64_t amount = 0;
  int64_t cost = 0;
  bool has_cost = false;
  int64_t quantity = 0;
  Id opportunity = kNoId;  // The opportunity it names: a defining def wins it (KPI_SPEC §4).
  // (due, amount) by due; never empty. Inline: most contracts are paid in one installment.
  absl::InlinedVector<std::pair<Micros, int64_t>, 1> installments;
};
// A contract's defs and payments, inline in the table's slot for the usual one def (a second is a
// correction) and one or two payments.
struct Contract {
  absl::InlinedVector<ContractDef, 1> defs;  // Sorted by (at, seq); defs[0] defines the contract.
  absl::InlinedVector<Id, 2> payments;       // Sorted: payments with any def naming this contract.
};

struct PaymentDef {
  Micros at;
  uint64_t seq;
  Id contract;
  int64_t amount;
};
// A payment's defs: one, nearly always (a second is a correction of the first), so it lives
// inline in the table's slot.
using PaymentDefs = absl::InlinedVector<PaymentDef, 1>;

// The metrics a contract adds to, interned.
struct ContractMetrics {
  MetricId signings, products, sales, contract_cost, margin_base, amount_due, payments;
};

// Contract `id`'s contribution. `paying(pid)` gives payment pid's defining def (nullptr: none);
// the payments whose defining def names this contract count for it.
template <typename Paying>
void ContractTouches(const ContractMetrics& m, Id id, const Contract& c, Paying paying,
                     TouchList t) {
  if (c.defs.empty()) return;
  const ContractDef& d = c.defs.front();
  t.Sum(d.rep, d.at, m.signings, 1);
  t.Sum(d.rep, d.at, m.products, d.quantity);
  t.Sum(d.rep, d.at, m.sales, d.amount);
  if (d.has_cost) {
    t.Sum(d.rep, d.at, m.contract_cost, d.cost);
    t.Sum(d.rep, d.at, m.margin_base, d.amount);
  }
  for (const auto& [due, amount] : d.installments) t.Sum(d.rep, due, m.amount_due, amount);
  int64_t paid = 0;
  for (Id pid : c.payments) {
    const PaymentDef* p = paying(pid);
    if (p != nullptr && p->contract == id) {
      t.Sum(d.rep, p->at, m.payments, p->amount);
      paid += p->amount;
    }
  }
  t.PitSum(d.rep, kContracted, d.amount);
  t.PitSum(d.rep, kPaid, paid);
  // Overdue as of now is max(0, due by now − paid): a step at each installment's due time.
  const auto& dues = d.installments;
  int64_t due = 0, before = std::max<int64_t>(0, -paid);
  t.PitStep(d.rep, kMinTime, kOverdueMoney, before);
  for (size_t i = 0; i < dues.size(); ++i) {
    due += dues[i].second;
    if (i + 1 < dues.size() && dues[i + 1].first == dues[i].first) continue;
    const int64_t now = std::max<int64_t>(0, due - paid);
    t.PitStep(d.rep, dues[i].first, kOverdueMoney, now - before);
    before = now;
  }
}

}  // namespace salestrack::projection

#endif  // SALESTRACK_CORE_PROJECTOR_CONTRACTS_H_
