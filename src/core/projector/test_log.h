// Test helpers for the projector's scenario tests (src/core/projector*_test.cc): a log built in
// arrival order with seqs 1, 2, 3, ..., projected into a fresh Projector, and figure lookups.
#ifndef SALESTRACK_CORE_PROJECTOR_TEST_LOG_H_
#define SALESTRACK_CORE_PROJECTOR_TEST_LOG_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "salestrack/projector.h"

namespace salestrack {

inline absl::TimeZone Shanghai() {
  absl::TimeZone tz;
  absl::LoadTimeZone("Asia/Shanghai", &tz);
  return tz;
}

inline absl::Time Utc(int y, int m, int d, int hh = 0, int mm = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, 0), absl::UTCTimeZone());
}

inline google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

// Builds a log in arrival order; seqs are 1, 2, 3, ...
class Log {
 public:
  v1::Event& Add(const std::string& rep, absl::Time t) {
    v1::Event& e = events_.emplace_back();
    e.set_event_id("e" + std::to_string(events_.size()));
    e.set_rep_id(rep);
    *e.mutable_occurred_at() = Ts(t);
    return e;
  }
  void Action(const std::string& rep, const std::string& customer, absl::Time t,
              v1::Channel channel = v1::VISIT, int64_t cost = 0,
              std::optional<absl::Time> follow_up = std::nullopt) {
    auto* a = Add(rep, t).mutable_action_logged();
    a->set_customer_id(customer);
    a->set_channel(channel);
    a->set_purpose(v1::NEGOTIATE);
    a->set_cost(cost);
    if (follow_up) *a->mutable_next_follow_up_at() = Ts(*follow_up);
  }
  void Opened(const std::string& rep, const std::string& opp, absl::Time t, int64_t expected = 0) {
    auto* o = Add(rep, t).mutable_opportunity_opened();
    o->set_opportunity_id(opp);
    o->set_customer_id("c");
    o->set_expected_amount(expected);
  }
  void Stage(const std::string& opp, const std::string& stage, absl::Time t) {
    auto* s = Add("someone", t).mutable_opportunity_stage_changed();
    s->set_opportunity_id(opp);
    s->set_stage(stage);
  }
  void Closed(const std::string& opp, bool won, absl::Time t) {
    auto* c = Add("someone", t).mutable_opportunity_closed();
    c->set_opportunity_id(opp);
    c->set_outcome(won ? v1::OpportunityClosed::WON : v1::OpportunityClosed::LOST);
  }
  std::string Contract(const std::string& rep, const std::string& id, const std::string& customer,
                       int64_t amount, absl::Time t, std::optional<int64_t> cost = std::nullopt) {
    v1::Event& e = Add(rep, t);
    auto* c = e.mutable_contract_signed();
    c->set_contract_id(id);
    c->set_customer_id(customer);
    c->set_amount(amount);
    if (cost) c->set_cost(*cost);
    return e.event_id();
  }
  void Payment(const std::string& id, const std::string& contract, int64_t amount, absl::Time t) {
    auto* p = Add("someone", t).mutable_payment_received();
    p->set_payment_id(id);
    p->set_contract_id(contract);
    p->set_amount(amount);
  }
  void Void(const std::string& target, absl::Time t) {
    Add("", t).mutable_event_voided()->set_target_event_id(target);
  }
  void Unit(const std::string& id, const std::string& parent) {
    auto* u = Add("", Utc(2026, 1, 1)).mutable_unit_defined();
    u->set_unit_id(id);
    u->set_name(id);
    u->set_parent_unit_id(parent);
  }
  void Rep(const std::string& id, const std::string& unit, absl::Time t) {
    auto* r = Add("", t).mutable_rep_defined();
    r->set_rep_id(id);
    r->set_name(id);
    r->set_unit_id(unit);
    r->set_active(true);
  }
  // The last event, a ContractSigned, names `opp`.
  void NamesOpportunity(const std::string& opp) {
    events_.back().mutable_contract_signed()->set_opportunity_id(opp);
  }
  const std::string& last_id() const { return events_.back().event_id(); }
  const std::vector<v1::Event>& events() const { return events_; }

  std::unique_ptr<Projector> Project(absl::TimeZone zone = absl::UTCTimeZone()) const {
    auto p = std::make_unique<Projector>(ProjectorOptions{zone});
    for (size_t i = 0; i < events_.size(); ++i) p->Apply(i + 1, events_[i]);
    return p;
  }

 private:
  std::vector<v1::Event> events_;
};

inline MetricValue Get(const Projector& p, const Subject& s, PeriodKind kind, absl::CivilDay day,
                       const std::string& metric, absl::Time now = Utc(2027, 1, 1)) {
  absl::StatusOr<KpiReport> r = p.Kpis(s, PeriodContaining(kind, day), now);
  EXPECT_TRUE(r.ok()) << r.status();
  auto it = r->metrics.find(metric);
  if (it == r->metrics.end()) it = r->point_in_time.find(metric);
  EXPECT_TRUE(it != r->point_in_time.end()) << metric;
  return it->second;
}

inline int64_t Int(const Projector& p, const std::string& rep, PeriodKind kind, absl::CivilDay day,
                   const std::string& metric) {
  return Get(p, Subject::Rep(rep), kind, day, metric).integer;
}

}  // namespace salestrack

#endif  // SALESTRACK_CORE_PROJECTOR_TEST_LOG_H_
