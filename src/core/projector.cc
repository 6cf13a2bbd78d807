// The projector: the public API over Projector::Impl, and the replay room (Apply, Void, Remove:
// which entity an event changes, and how). The design, the table of entities and the storage
// layout are in docs/projections.md; each room's contract is in its header under
// src/core/projector/.
#include "salestrack/projector.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "core/projector/impl.h"
#include "salestrack/event_kind.h"
#include "salestrack/metric_names.h"
#include "salestrack/proto_time.h"

namespace salestrack {

using projection::ActionItem;
namespace cell = projection::cell;
using projection::ContractDef;
using projection::EraseBySeq;
using projection::InsertSorted;
using projection::InsertUnique;
using projection::kNoDue;
using projection::kNoId;
using projection::Micros;
using projection::OppEvent;
using projection::OppKind;
using projection::PaymentDef;
using projection::PaymentDefs;
using projection::SingleTouches;

Projector::Impl::Impl(ProjectorOptions options) : options_(options), calendar_(options.zone) {
  namespace m = metric;
  // Interned first, in this order, so that the common metrics have the smallest numbers.
  action_metrics_.actions = InternMetric(m::kActions);
  action_metrics_.action_cost = InternMetric(m::kActionCost);
  m_opened_ = InternMetric(m::kOpportunitiesOpened);
  m_won_ = InternMetric(m::kOpportunitiesWon);
  m_lost_ = InternMetric(m::kOpportunitiesLost);
  m_funnel_won_ = InternMetric(m::kFunnelWon);
  m_sales_cycle_ = InternMetric(m::kSalesCycle);
  contract_metrics_.signings = InternMetric(m::kSignings);
  contract_metrics_.products = InternMetric(m::kProductsSold);
  contract_metrics_.sales = InternMetric(m::kSalesAmount);
  contract_metrics_.contract_cost = InternMetric(cell::kContractCost);
  contract_metrics_.margin_base = InternMetric(cell::kMarginBase);
  m_new_customers_ = InternMetric(m::kNewCustomers);
  contract_metrics_.payments = InternMetric(m::kPayments);
  contract_metrics_.amount_due = InternMetric(m::kAmountDue);
  m_satisfaction_sum_ = InternMetric(cell::kSatisfactionSum);
  m_satisfaction_count_ = InternMetric(cell::kSatisfactionCount);
  action_metrics_.follow_ups_due = InternMetric(m::kFollowUpsDue);
  action_metrics_.follow_ups_on_time = InternMetric(m::kFollowUpsOnTime);
  for (int ch = 0; ch <= v1::Channel_MAX; ++ch) {
    action_metrics_.by_channel.push_back(InternMetric(
        absl::StrCat(m::kActionsByChannel, ":", v1::Channel_Name(static_cast<v1::Channel>(ch)))));
  }
  for (int p = 0; p <= v1::Purpose_MAX; ++p) {
    action_metrics_.by_purpose.push_back(InternMetric(
        absl::StrCat(m::kActionsByPurpose, ":", v1::Purpose_Name(static_cast<v1::Purpose>(p)))));
  }
  RefreshStages();
}

EventIds Projector::Impl::InternIdsUnlocked(const v1::Event& e) {
  EventIds ids;
  auto intern = [&](std::string_view s) { return ids_.Intern(s); };
  switch (e.payload_case()) {
    case v1::Event::kActionLogged:
      ids.rep = intern(e.rep_id());
      ids.subject = intern(e.action_logged().customer_id());
      break;
    case v1::Event::kOpportunityOpened:
    case v1::Event::kOpportunityStageChanged:
    case v1::Event::kOpportunityClosed: {
      ids.rep = intern(e.rep_id());
      ids.subject = intern(OpportunityIdOf(e));
      const std::string* stage = StageSetBy(e);
      if (stage != nullptr) ids.other = stage->empty() ? kNoId : intern(*stage);
      break;
    }
    case v1::Event::kContractSigned: {
      const auto& c = e.contract_signed();
      ids.rep = intern(e.rep_id());
      ids.subject = intern(c.customer_id());
      ids.other = intern(c.contract_id());
      ids.won = c.opportunity_id().empty() ? kNoId : intern(c.opportunity_id());
      break;
    }
    case v1::Event::kPaymentReceived:
      ids.subject = intern(e.payment_received().contract_id());
      ids.other = intern(e.payment_received().payment_id());
      break;
    case v1::Event::kFeedbackRecorded:
    case v1::Event::kScoreRecorded:
      ids.rep = intern(e.rep_id());
      break;
    default:
      break;
  }
  return ids;
}

void Projector::Impl::Apply(uint64_t seq, const v1::Event& e, const v1::EventRecord* void_target,
                            const EventIds* prepared) {
  applied_seq_ = seq;
  totals_.AddSaturating(e);  // Every appended event counts, voided or not (log_totals.h).
  if (!pending_voids_.empty() && pending_voids_.erase(seq) > 0) return;  // Voided already.
  if (options_.index_events) {
    events_by_id_[e.event_id()] = {seq, e};
    ids_by_seq_[seq] = e.event_id();
  }
  const Micros at = ToUnixMicros(e.occurred_at());
  if (IsOrgEvent(e)) {
    ChangeOrg({at, seq}, e, +1);
    org_events_[e.event_id()] = {{at, seq}, e};
    return;
  }
  const EventIds ids = prepared != nullptr ? *prepared : InternIds(e);
  switch (e.payload_case()) {
    case v1::Event::kActionLogged: {
      const auto& a = e.action_logged();
      ActionItem item{at,
                      kNoDue,
                      a.cost(),
                      seq,
                      static_cast<uint64_t>(a.channel()),
                      static_cast<uint64_t>(a.purpose())};
      if (a.has_next_follow_up_at()) item.due = ToUnixMicros(a.next_follow_up_at());
      InsertAction(ids.rep, ids.subject, item);
      break;
    }
    case v1::Event::kOpportunityOpened: {
      const auto& o = e.opportunity_opened();
      OppEvent ev{at, seq, o.expected_amount(), ids.rep, ids.other, OppKind::kOpened, false};
      WithOpportunity(ids.subject, [&](std::vector<OppEvent>& x) { InsertSorted(x, ev); });
      break;
    }
    case v1::Event::kOpportunityStageChanged: {
      OppEvent ev{at, seq, 0, ids.rep, ids.other, OppKind::kStage, false};
      WithOpportunity(ids.subject, [&](std::vector<OppEvent>& x) { InsertSorted(x, ev); });
      break;
    }
    case v1::Event::kOpportunityClosed: {
      const auto& o = e.opportunity_closed();
      OppEvent ev{
          at, seq, 0, ids.rep, kNoId, OppKind::kClosed, o.outcome() == v1::OpportunityClosed::WON};
      WithOpportunity(ids.subject, [&](std::vector<OppEvent>& x) { InsertSorted(x, ev); });
      break;
    }
    case v1::Event::kContractSigned: {
      const auto& c = e.contract_signed();
      ContractDef d{at, seq, ids.rep, ids.subject};
      d.opportunity = ids.won;
      d.amount = c.amount();
      d.has_cost = c.has_cost();
      d.cost = c.cost();
      for (const auto& line : c.lines()) d.quantity += line.quantity();
      for (const auto& i : c.installments()) {
        d.installments.push_back({ToUnixMicros(i.due_at()), i.amount()});
      }
      if (d.installments.empty()) d.installments.push_back({at, c.amount()});
      std::stable_sort(d.installments.begin(), d.installments.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      const Id id = ids.other;
      const Id customer = d.customer;
      // Usually a later contract of a known customer: its presence is added as it is, and the
      // customer's other figures stay. Else the customer's whole contribution is recounted.
      const bool later = LaterContractPresence(id, d, presence_);
      const Id won = d.opportunity;
      WithContracts(
          {id}, /*defs_change=*/!later, {customer},
          [&] {
            InsertSorted(contracts_[id].defs, std::move(d));
            InsertUnique(contracts_by_customer_[customer], id);
            if (won != kNoId) InsertUnique(contracts_by_opportunity_[won], id);
          },
          /*signing=*/won);
      break;
    }
    case v1::Event::kPaymentReceived: {
      const auto& p = e.payment_received();
      const Id contract = ids.subject;
      ChangePayment(ids.other, contract, [&](PaymentDefs& defs) {
        InsertSorted(defs, PaymentDef{at, seq, contract, p.amount()});
      });
      break;
    }
    case v1::Event::kFeedbackRecorded:
      AddSingle({seq, at, ids.rep, m_satisfaction_sum_, m_satisfaction_count_,
                 e.feedback_recorded().score(), false});
      break;
    case v1::Event::kScoreRecorded: {
      const auto& s = e.score_recorded();
      AddSingle({seq, at, ids.rep, InternMetric(absl::StrCat(cell::kScoreSum, ":", s.metric())),
                 InternMetric(absl::StrCat(cell::kScoreCount, ":", s.metric())), s.value(), false});
      break;
    }
    case v1::Event::kEventVoided:
      Void(e.event_voided().target_event_id(), void_target);
      break;
    default:
      break;
  }
}

void Projector::Impl::AddSingle(const Single& s) {
  auto pos = std::upper_bound(singles_.begin(), singles_.end(), s.seq,
                              [](uint64_t seq, const Single& x) { return seq < x.seq; });
  singles_.insert(pos, s);
  SingleTouches(s, {&touches_, +1});
  Commit(touches_);
}

// Removes the target's contribution; a target not applied yet is skipped when it comes.
void Projector::Impl::Void(const std::string& target_id, const v1::EventRecord* target) {
  std::optional<v1::EventRecord> indexed;
  if (target == nullptr) {
    auto it = events_by_id_.find(target_id);
    if (it == events_by_id_.end()) return;  // Not in this projector's index: nothing to undo.
    indexed.emplace();
    indexed->set_seq(it->second.first);
    *indexed->mutable_event() = it->second.second;
    target = &*indexed;
  }
  if (!Remove(target->seq(), target->event())) pending_voids_.insert(target->seq());
}

bool Projector::Impl::Remove(uint64_t seq, const v1::Event& e) {
  if (IsOrgEvent(e)) {
    auto org = org_events_.find(e.event_id());
    if (org == org_events_.end()) return false;
    auto [key, event] = std::move(org->second);
    org_events_.erase(org);
    ChangeOrg(key, event, -1);
    return true;
  }
  const Micros at = ToUnixMicros(e.occurred_at());
  switch (e.payload_case()) {
    case v1::Event::kActionLogged: {
      std::optional<Id> rep = Lookup(e.rep_id());
      std::optional<Id> customer = Lookup(e.action_logged().customer_id());
      return rep && customer && EraseAction(*rep, *customer, at, seq);
    }
    case v1::Event::kOpportunityOpened:
    case v1::Event::kOpportunityStageChanged:
    case v1::Event::kOpportunityClosed: {
      std::optional<Id> id = Lookup(OpportunityIdOf(e));
      if (!id || !opportunities_.contains(*id)) return false;
      bool found = false;
      WithOpportunity(*id, [&](std::vector<OppEvent>& x) { found = EraseBySeq(x, seq); });
      return found;
    }
    case v1::Event::kContractSigned: {
      std::optional<Id> id = Lookup(e.contract_signed().contract_id());
      if (!id || !contracts_.contains(*id)) return false;
      bool found = false;
      WithContracts(
          {*id}, /*defs_change=*/true, {}, [&] { found = EraseBySeq(contracts_[*id].defs, seq); },
          /*signing=*/kNoId);
      return found;
    }
    case v1::Event::kPaymentReceived: {
      std::optional<Id> id = Lookup(e.payment_received().payment_id());
      if (!id || !payments_.contains(*id)) return false;
      bool found = false;
      ChangePayment(*id, std::nullopt, [&](PaymentDefs& defs) { found = EraseBySeq(defs, seq); });
      return found;
    }
    case v1::Event::kFeedbackRecorded:
    case v1::Event::kScoreRecorded: {
      auto it = std::lower_bound(singles_.begin(), singles_.end(), seq,
                                 [](const Single& x, uint64_t s) { return x.seq < s; });
      if (it == singles_.end() || it->seq != seq || it->voided) return false;
      it->voided = true;
      SingleTouches(*it, {&touches_, -1});
      Commit(touches_);
      return true;
    }
    default:
      return false;
  }
}

Projector::Projector(ProjectorOptions options) : impl_(std::make_unique<Impl>(options)) {}
Projector::~Projector() = default;
void Projector::Apply(uint64_t seq, const v1::Event& event, const v1::EventRecord* void_target,
                      const EventIds* ids) {
  impl_->Apply(seq, event, void_target, ids);
}
void Projector::Prepare(const v1::Event& event, EventIds* ids) { impl_->Prepare(event, ids); }
uint64_t Projector::applied_seq() const { return impl_->applied_seq_; }
const LogTotals& Projector::totals() const { return impl_->totals_; }
const OrgState& Projector::org() const { return impl_->org_; }
const PlanState& Projector::plans() const { return impl_->plans_; }
const ProjectorOptions& Projector::options() const { return impl_->options_; }
absl::StatusOr<KpiReport> Projector::Kpis(const Subject& s, const Period& p, absl::Time now) const {
  return impl_->Kpis(s, p, now);
}
absl::StatusOr<FunnelReport> Projector::Funnel(const Subject& s, const Period& p) const {
  return impl_->Funnel(s, p);
}
absl::StatusOr<std::vector<FollowUp>> Projector::FollowUps(const Subject& s, absl::Time from,
                                                           absl::Time to, FollowUpState state,
                                                           absl::Time now, size_t limit,
                                                           size_t* total) const {
  return impl_->FollowUps(s, from, to, state, now, limit, total);
}
void Projector::WarmUp(absl::Time now) const { impl_->WarmUp(absl::ToUnixMicros(now)); }
std::vector<std::string> Projector::DumpCells() const { return impl_->DumpCells(); }
std::vector<std::pair<std::string, size_t>> Projector::Memory() const { return impl_->Memory(); }
absl::StatusOr<MetricValue> Projector::Metric(const Subject& s, const Period& p,
                                              const std::string& metric) const {
  return impl_->Metric(s, p, metric);
}
absl::StatusOr<MetricValue> Projector::CompetitionMetric(const std::string& competition_id,
                                                         const Subject& s,
                                                         const std::string& metric) const {
  return impl_->CompetitionMetric(competition_id, s, metric);
}
const Competition* Projector::FindCompetition(const std::string& id) const {
  return impl_->FindCompetition(id);
}
std::vector<const Competition*> Projector::Competitions() const { return impl_->Competitions(); }
std::optional<std::vector<Contribution>> Projector::Contributions(
    const std::vector<std::string>& reps, absl::Time from, absl::Time to, const std::string& metric,
    size_t limit, size_t* total) const {
  return impl_->Contributions(reps, from, to, metric, limit, total);
}
std::vector<EntityOpening> Projector::Openings(EntityKind kind, absl::string_view id) const {
  return impl_->Openings(kind, id);
}
absl::StatusOr<MetricValue> Projector::PointInTimeMetric(const Subject& subject,
                                                         const std::string& metric,
                                                         absl::Time now) const {
  return impl_->PointInTimeMetric(subject, metric, now);
}
absl::StatusOr<std::optional<absl::Time>> Projector::NextClockStep(const Subject& subject,
                                                                   const std::string& metric,
                                                                   absl::Time after) const {
  return impl_->NextClockStep(subject, metric, after);
}
void Projector::TrackChanges() { impl_->track_changes_ = true; }
void Projector::BeginBulkReplay() { impl_->bulk_ = true; }
void Projector::EndBulkReplay() {
  if (!impl_->bulk_) return;
  impl_->bulk_ = false;
  impl_->SumUnits();
}
std::vector<std::string> Projector::TakeChanged(bool* everything) {
  return impl_->TakeChanged(everything);
}

}  // namespace salestrack
