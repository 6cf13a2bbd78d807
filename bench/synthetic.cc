#include "synthetic.h"

#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace salestrack::bench {
namespace {

uint64_t Mix(uint64_t x) { return Rng(x).Next(); }

constexpr const char* kResults[] = {
    "Agreed to a second meeting",
    "Asked for a revised quote",
    "Needs sign-off from the CFO",
    "Not interested this quarter",
    "Trial approved",
    "Payment promised by Friday",
};
constexpr const char* kLostReasons[] = {"price", "went with a competitor", "budget cut",
                                        "no decision"};
constexpr const char* kScoreMetrics[] = {"teamwork", "product_knowledge", "communication"};
constexpr const char* kStages[] = {"contact", "value", "negotiation"};  // the defaults

}  // namespace

Org MakeOrg(int reps) {
  Org org;
  for (int r = 0; r < 3; ++r) {
    org.regions.push_back(absl::StrFormat("region-%d", r + 1));
    for (int t = 0; t < 3; ++t) {
      org.teams.push_back(absl::StrFormat("team-%d-%d", r + 1, t + 1));
      org.team_region.push_back(r);
    }
  }
  for (int i = 0; i < reps; ++i) {
    org.reps.push_back(absl::StrFormat("rep-%05d", i));
    org.rep_team.push_back(static_cast<int>(static_cast<int64_t>(i) * 9 / reps));
  }
  org.customers = reps * kCustomersPerRep;
  return org;
}

void AppendOrgEvents(const Org& org, int64_t at, std::vector<v1::Event>* out) {
  auto org_event = [&](auto fill) {
    v1::Event& e = out->emplace_back();
    e.set_event_id(absl::StrCat("org-", out->size()));
    SetTime(e.mutable_occurred_at(), at++);
    fill(&e);
  };
  org_event([&](v1::Event* e) {
    e->mutable_unit_defined()->set_unit_id(org.company);
    e->mutable_unit_defined()->set_name("Example Trading Co.");
  });
  for (size_t r = 0; r < org.regions.size(); ++r) {
    org_event([&](v1::Event* e) {
      e->mutable_unit_defined()->set_unit_id(org.regions[r]);
      e->mutable_unit_defined()->set_name(absl::StrCat("Region ", r + 1));
      e->mutable_unit_defined()->set_parent_unit_id(org.company);
    });
  }
  for (size_t t = 0; t < org.teams.size(); ++t) {
    org_event([&](v1::Event* e) {
      e->mutable_unit_defined()->set_unit_id(org.teams[t]);
      e->mutable_unit_defined()->set_name(absl::StrCat("Team ", t + 1));
      e->mutable_unit_defined()->set_parent_unit_id(org.regions[org.team_region[t]]);
    });
  }
  for (size_t i = 0; i < org.reps.size(); ++i) {
    org_event([&](v1::Event* e) {
      v1::RepDefined* r = e->mutable_rep_defined();
      r->set_rep_id(org.reps[i]);
      r->set_name(absl::StrCat("Rep ", i));
      r->set_unit_id(org.teams[org.rep_team[i]]);
      r->set_role(i % 3 == 0 ? "hunter" : "farmer");
      r->set_active(true);
    });
  }
}

void ActivityGenerator::Fill(int64_t at, v1::Event* e) {
  e->Clear();
  e->set_event_id(NewUuid(rng_));
  SetTime(e->mutable_occurred_at(), at);
  const int rep = static_cast<int>(rng_.Below(org_.reps.size()));
  e->set_rep_id(org_.reps[rep]);
  RepState& s = reps_[rep];
  uint64_t roll = rng_.Below(1000);
  if (roll < 606) return Action(rep, at, e);
  if (roll < 687) return OpenOpportunity(rep, e);
  if (roll < 768) return s.opps.empty() ? OpenOpportunity(rep, e) : MoveOpportunity(rep, e);
  if (roll < 818) return s.opps.empty() ? Action(rep, at, e) : CloseOpportunity(rep, e);
  if (roll < 858) return SignContract(rep, at, e);
  if (roll < 919) return s.contracts.empty() ? Action(rep, at, e) : Pay(rep, e);
  if (roll < 959) {
    v1::FeedbackRecorded* f = e->mutable_feedback_recorded();
    f->set_customer_id(CustomerId(BookCustomer(rep)));
    static constexpr int kScores[] = {1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5};
    f->set_score(kScores[rng_.Below(std::size(kScores))]);
    return;
  }
  v1::ScoreRecorded* sc = e->mutable_score_recorded();
  sc->set_metric(kScoreMetrics[rng_.Below(std::size(kScoreMetrics))]);
  sc->set_value(static_cast<int32_t>(rng_.Between(40, 100)));
  sc->set_scored_by(absl::StrCat("mgr-", org_.teams[org_.rep_team[rep]]));
}

std::string ActivityGenerator::CustomerId(uint32_t c) const {
  return absl::StrFormat("cust-%07d", c);
}

std::string ActivityGenerator::OppId(int rep, uint32_t n) const {
  return absl::StrFormat("opp-%s%05d-%d", ns_, rep, n);
}

uint32_t ActivityGenerator::BookCustomer(int rep) {
  const uint64_t total = static_cast<uint64_t>(org_.customers);
  if (rng_.Percent(15)) return static_cast<uint32_t>(rng_.Below(total));
  const uint64_t per_team = total / org_.teams.size();
  const uint64_t base = per_team * static_cast<uint64_t>(org_.rep_team[rep]);
  uint64_t k = rng_.Below(kCustomerBook);
  return static_cast<uint32_t>(base + Mix(static_cast<uint64_t>(rep) * 64 + k) % per_team);
}

void ActivityGenerator::Action(int rep, int64_t at, v1::Event* e) {
  RepState& s = reps_[rep];
  v1::ActionLogged* a = e->mutable_action_logged();
  uint32_t customer;
  if (!s.opps.empty() && rng_.Percent(30)) {
    const OpenOpp& o = s.opps[rng_.Below(s.opps.size())];
    customer = o.customer;
    a->set_opportunity_id(OppId(rep, o.n));
    if (rng_.Percent(50)) a->set_stage(kStages[o.stage]);
  } else {
    customer = BookCustomer(rep);
  }
  a->set_customer_id(CustomerId(customer));
  if (rng_.Percent(50)) a->set_contact_id(absl::StrFormat("ct-%07d-%d", customer, rng_.Below(4)));
  a->set_subject(kActionSubjects[rng_.Below(std::size(kActionSubjects))]);
  const auto channel = static_cast<v1::Channel>(1 + rng_.Below(5));
  a->set_channel(channel);
  a->set_purpose(static_cast<v1::Purpose>(1 + rng_.Below(7)));
  a->set_location(channel == v1::PHONE ? "Phone"
                  : channel == v1::ONLINE
                      ? "Video call"
                      : kActionLocations[rng_.Below(std::size(kActionLocations))]);
  if (channel == v1::VISIT && rng_.Percent(60)) {
    a->mutable_geo()->set_latitude(22.5 + static_cast<double>(rng_.Below(10000)) / 1000);
    a->mutable_geo()->set_longitude(113.0 + static_cast<double>(rng_.Below(10000)) / 1000);
  }
  a->set_duration_minutes(static_cast<int32_t>(5 + rng_.Below(176)));
  if (rng_.Percent(25)) a->set_result(kResults[rng_.Below(std::size(kResults))]);
  if (rng_.Percent(10)) a->add_participant_rep_ids(org_.reps[rng_.Below(org_.reps.size())]);
  if (channel == v1::VISIT || channel == v1::ENTERTAINMENT || rng_.Percent(20)) {
    a->set_cost(rng_.Between(1'000, 80'000));
  }
  if (rng_.Percent(30)) SetTime(a->mutable_next_follow_up_at(), at + rng_.Between(kDay, 14 * kDay));
}

void ActivityGenerator::OpenOpportunity(int rep, v1::Event* e) {
  RepState& s = reps_[rep];
  OpenOpp o{s.next_opp++, BookCustomer(rep), 0};
  v1::OpportunityOpened* op = e->mutable_opportunity_opened();
  op->set_opportunity_id(OppId(rep, o.n));
  op->set_customer_id(CustomerId(o.customer));
  op->set_expected_amount(rng_.Between(10, 5000) * 10'000);
  if (rng_.Percent(15)) {
    o.stage = 1;
    op->set_initial_stage(kStages[1]);
  }
  if (s.opps.size() >= 16) s.opps.erase(s.opps.begin());
  s.opps.push_back(o);
}

void ActivityGenerator::MoveOpportunity(int rep, v1::Event* e) {
  RepState& s = reps_[rep];
  size_t i = rng_.Below(s.opps.size());
  OpenOpp& o = s.opps[i];
  if (o.stage >= 2) return CloseOpportunity(rep, e, i);
  o.stage += rng_.Percent(10) && o.stage == 0 ? 2 : 1;  // now and then a stage is skipped
  v1::OpportunityStageChanged* c = e->mutable_opportunity_stage_changed();
  c->set_opportunity_id(OppId(rep, o.n));
  c->set_stage(kStages[o.stage]);
}

void ActivityGenerator::CloseOpportunity(int rep, v1::Event* e, std::optional<size_t> which) {
  RepState& s = reps_[rep];
  size_t i = which ? *which : rng_.Below(s.opps.size());
  OpenOpp o = s.opps[i];
  s.opps.erase(s.opps.begin() + static_cast<ptrdiff_t>(i));
  // Later stages win more often.
  bool won = rng_.Percent(o.stage == 2 ? 60 : o.stage == 1 ? 30 : 10);
  v1::OpportunityClosed* c = e->mutable_opportunity_closed();
  c->set_opportunity_id(OppId(rep, o.n));
  c->set_outcome(won ? v1::OpportunityClosed::WON : v1::OpportunityClosed::LOST);
  if (!won) c->set_reason(kLostReasons[rng_.Below(std::size(kLostReasons))]);
  if (won && s.won.size() < 4) s.won.push_back({o.n, o.customer});
}

void ActivityGenerator::SignContract(int rep, int64_t at, v1::Event* e) {
  RepState& s = reps_[rep];
  v1::ContractSigned* c = e->mutable_contract_signed();
  OpenContract oc{s.next_contract++, 0, {}};
  c->set_contract_id(absl::StrFormat("ctr-%s%05d-%d", ns_, rep, oc.n));
  uint32_t customer;
  if (!s.won.empty()) {
    customer = s.won.back().second;
    c->set_opportunity_id(OppId(rep, s.won.back().first));
    s.won.pop_back();
  } else {
    customer = BookCustomer(rep);
  }
  c->set_customer_id(CustomerId(customer));
  int64_t list = 0;
  for (int l = 0, lines = static_cast<int>(rng_.Between(1, 3)); l < lines; ++l) {
    v1::ContractSigned::Line* line = c->add_lines();
    line->set_product_id(absl::StrFormat("prod-%03d", rng_.Below(200)));
    line->set_quantity(rng_.Between(1, 20));
    line->set_unit_price(rng_.Between(10, 5000) * 100);
    list += line->quantity() * line->unit_price();
  }
  int64_t amount = list * rng_.Between(85, 100) / 100;
  c->set_amount(amount);
  if (rng_.Percent(70)) c->set_cost(amount * rng_.Between(50, 80) / 100);
  int n = static_cast<int>(rng_.Between(1, 3));
  int64_t left = amount;
  for (int k = 0; k < n; ++k) {
    int64_t part = k + 1 == n ? left : amount / n;
    left -= part;
    v1::ContractSigned::Installment* inst = c->add_installments();
    SetTime(inst->mutable_due_at(), at + static_cast<int64_t>(k) * 30 * kDay + 7 * kDay);
    inst->set_amount(part);
    oc.installments.push_back(part);
  }
  oc.unpaid = amount;
  if (s.contracts.size() >= 8) s.contracts.erase(s.contracts.begin());
  s.contracts.push_back(std::move(oc));
}

void ActivityGenerator::Pay(int rep, v1::Event* e) {
  RepState& s = reps_[rep];
  size_t i = rng_.Below(s.contracts.size());
  OpenContract& oc = s.contracts[i];
  v1::PaymentReceived* p = e->mutable_payment_received();
  p->set_payment_id(absl::StrFormat("pay-%s%05d-%d", ns_, rep, s.next_payment++));
  p->set_contract_id(absl::StrFormat("ctr-%s%05d-%d", ns_, rep, oc.n));
  int64_t amount = oc.installments.front();
  if (rng_.Percent(10)) amount = amount / 2;  // a partial payment
  p->set_amount(amount);
  oc.installments.front() -= amount;
  if (oc.installments.front() == 0) oc.installments.erase(oc.installments.begin());
  if (oc.installments.empty()) s.contracts.erase(s.contracts.begin() + static_cast<ptrdiff_t>(i));
}

Log GenerateLog(const Org& org, uint64_t total, uint64_t seed) {
  Log log;
  log.events.reserve(total);
  log.void_target.assign(total, -1);
  const int64_t end = absl::ToUnixMicros(absl::Now()) - kHour;
  const int64_t start = end - 365 * kDay;
  log.first_at = start;
  log.last_at = end;
  AppendOrgEvents(org, start - 2 * kDay, &log.events);
  log.org_events = log.events.size();
  if (total <= log.org_events) return log;

  const uint64_t activity = total - log.org_events;
  const uint64_t void_gap = std::min<uint64_t>(20'000, activity / 10);
  ActivityGenerator gen(org, seed, "");
  Rng rng(seed ^ 0x5eed);
  std::vector<bool> voided(total, false);
  for (uint64_t i = 0; i < activity; ++i) {
    int64_t at = start + static_cast<int64_t>((static_cast<double>(i) + 0.5) /
                                              static_cast<double>(activity) * 365 * kDay);
    at += rng.Between(-30 * 60, 30 * 60) * kSecond + rng.Between(0, kSecond - 1);
    if (rng.Percent(5)) {  // late: offline for an hour to a month
      at -= static_cast<int64_t>(
          std::exp(std::log(static_cast<double>(kHour)) +
                   static_cast<double>(rng.Below(1'000'000)) / 1e6 * std::log(30.0 * 24)));
      ++log.late;
    }
    at = std::min(at, end);
    const size_t pos = log.events.size();
    v1::Event& e = log.events.emplace_back();
    if (i >= 2 * void_gap && rng.Percent(1)) {
      for (int attempt = 0; attempt < 8; ++attempt) {
        size_t target = log.org_events + rng.Below(pos - void_gap - log.org_events);
        const v1::Event& t = log.events[target];
        if (t.has_event_voided() || voided[target]) continue;
        voided[target] = true;
        log.void_target[pos] = static_cast<int64_t>(target);
        e.set_event_id(NewUuid(rng));
        SetTime(e.mutable_occurred_at(), at);
        e.set_rep_id(t.rep_id());
        e.mutable_event_voided()->set_target_event_id(t.event_id());
        e.mutable_event_voided()->set_reason("entered twice by mistake");
        ++log.voids;
        break;
      }
      if (e.has_event_voided()) continue;
    }
    gen.Fill(at, &e);
  }
  return log;
}

std::vector<std::unique_ptr<v1::EventRecord>> VoidTargets(const Log& log) {
  absl::flat_hash_map<std::string, size_t> by_id;
  for (size_t i = 0; i < log.events.size(); ++i) by_id[log.events[i].event_id()] = i;
  std::vector<std::unique_ptr<v1::EventRecord>> targets(log.events.size());
  for (size_t i = 0; i < log.events.size(); ++i) {
    if (!log.events[i].has_event_voided()) continue;
    auto it = by_id.find(log.events[i].event_voided().target_event_id());
    if (it == by_id.end()) continue;
    targets[i] = std::make_unique<v1::EventRecord>();
    targets[i]->set_seq(it->second + 1);
    *targets[i]->mutable_event() = log.events[it->second];
  }
  return targets;
}

}  // namespace salestrack::bench
