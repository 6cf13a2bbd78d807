#include "engine/board_signings.h"

#include "engine/names.h"
#include "salestrack/proto_time.h"

namespace salestrack::engine {
namespace {

template <typename T>
void DropOldest(std::vector<T>& v) {
  if (v.size() > kMaxPendingSignings) v.erase(v.begin(), v.end() - kMaxPendingSignings);
}

bool SignedByMember(const OrgState& org, const BoardShape& shape,
                    const absl::flat_hash_set<std::string>& members, const std::string& rep) {
  if (!shape.team) return members.contains(rep);
  const OrgState::Rep* r = org.FindRep(rep);
  if (r == nullptr) return false;
  for (const std::string& unit : org.UnitsAbove(r->unit)) {
    if (members.contains(unit)) return true;
  }
  return false;
}

}  // namespace

SignedContract SignedContractOf(uint64_t seq, const v1::Event& event) {
  const v1::ContractSigned& c = event.contract_signed();
  return {seq,
          event.rep_id(),
          c.contract_id(),
          c.customer_id(),
          c.amount(),
          FromProto(event.occurred_at())};
}

void KeepLatest(std::vector<SignedContract>& pending, std::vector<SignedContract> next) {
  for (SignedContract& s : next) pending.push_back(std::move(s));
  DropOldest(pending);
}

void KeepLatest(std::vector<v1::Signing>& pending, const std::vector<v1::Signing>& next) {
  pending.insert(pending.end(), next.begin(), next.end());
  DropOldest(pending);
}

std::vector<v1::Signing> SigningsOnBoard(const Projector& p, const BoardSpec& spec,
                                         const BoardShape& shape,
                                         const absl::flat_hash_set<std::string>& members,
                                         const std::vector<SignedContract>& signed_contracts) {
  std::vector<v1::Signing> out;
  if (signed_contracts.empty()) return out;
  absl::Time begin, end;
  if (spec.competition_id.empty()) {
    begin = PeriodBegin(spec.period, p.options().zone);
    end = PeriodEnd(spec.period, p.options().zone);
  } else {
    begin = shape.start.value_or(absl::InfinitePast());
    end = shape.end.value_or(absl::InfiniteFuture());
  }
  for (const SignedContract& s : signed_contracts) {
    if (s.at < begin || s.at >= end) continue;
    if (!SignedByMember(p.org(), shape, members, s.rep)) continue;
    v1::Signing& out_signing = out.emplace_back();
    out_signing.set_seq(s.seq);
    out_signing.set_rep_id(s.rep);
    out_signing.set_rep_name(RepName(p.org(), s.rep));
    out_signing.set_contract_id(s.contract);
    out_signing.set_amount(s.amount);
    out_signing.set_customer_id(s.customer);
    *out_signing.mutable_occurred_at() = ToProto(s.at);
  }
  return out;
}

}  // namespace salestrack::engine
