// The contributions room: which contracts and payments add to a per-period sum (ExplainScore).
#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "core/projector/impl.h"
#include "salestrack/metric_names.h"

namespace salestrack {

std::optional<std::vector<Contribution>> Projector::Impl::Contributions(
    const std::vector<std::string>& reps, absl::Time from, absl::Time to,
    const std::string& metric_name, size_t limit, size_t* total) const {
  namespace m = metric;
  const bool payments = metric_name == m::kPayments;
  if (!payments && metric_name != m::kSalesAmount && metric_name != m::kSignings &&
      metric_name != m::kProductsSold && metric_name != m::kGrossProfit) {
    return std::nullopt;
  }
  absl::flat_hash_set<Id> members;
  for (const std::string& rep : reps) {
    if (std::optional<Id> id = Lookup(rep)) members.insert(*id);
  }
  const Micros lo = absl::ToUnixMicros(from), hi = absl::ToUnixMicros(to);
  std::vector<Contribution> out;
  auto add = [&](uint64_t seq, Micros at, Id rep, Id entity, int64_t amount) {
    out.push_back(
        {seq, absl::FromUnixMicros(at), std::string(Name(rep)), std::string(Name(entity)), amount});
  };
  for (const auto& [id, contract] : contracts_) {
    if (contract.defs.empty() || !members.contains(contract.defs.front().rep)) continue;
    const projection::ContractDef& c = contract.defs.front();
    if (payments) {
      for (Id payment : contract.payments) {
        const projection::PaymentDef* p = DefiningPayment(payment);
        if (p != nullptr && p->contract == id && p->at >= lo && p->at < hi) {
          add(p->seq, p->at, c.rep, payment, p->amount);
        }
      }
      continue;
    }
    if (c.at < lo || c.at >= hi) continue;
    if (metric_name == m::kSalesAmount) add(c.seq, c.at, c.rep, id, c.amount);
    if (metric_name == m::kSignings) add(c.seq, c.at, c.rep, id, 1);
    if (metric_name == m::kProductsSold) add(c.seq, c.at, c.rep, id, c.quantity);
    if (metric_name == m::kGrossProfit && c.has_cost)
      add(c.seq, c.at, c.rep, id, c.amount - c.cost);
  }
  *total = out.size();
  auto by_time = [](const Contribution& a, const Contribution& b) {
    return std::tie(a.at, a.seq) < std::tie(b.at, b.seq);
  };
  if (out.size() > limit) {
    std::partial_sort(out.begin(), out.begin() + static_cast<ptrdiff_t>(limit), out.end(), by_time);
    out.resize(limit);
  } else {
    std::sort(out.begin(), out.end(), by_time);
  }
  return out;
}

}  // namespace salestrack
