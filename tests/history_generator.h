// Random but realistic histories of a six-rep org for the projector's property tests
// (projector_property_test.cc, projector_snapshot_test.cc): units, reps and a late move, stages,
// opportunities (reopened, changed before their opening, closed twice), contracts (some ids
// signed twice, some winning an opportunity), payments, actions with follow-ups, feedback, scores,
// targets, a scheme defined twice, voids and a competition; and random arrival orders of them.
#ifndef SALESTRACK_TESTS_HISTORY_GENERATOR_H_
#define SALESTRACK_TESTS_HISTORY_GENERATOR_H_

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "salestrack/period.h"
#include "salestrack/proto_time.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack::testing {

inline const absl::Time kStart =
    absl::FromCivil(absl::CivilSecond(2026, 1, 1, 0, 0, 0), absl::UTCTimeZone());
inline const std::vector<std::string> kReps = {"r0", "r1", "r2", "r3", "r4", "r5"};
inline const std::vector<std::string> kUnits = {"co", "east", "west", "sh", "hz", "bj"};

inline absl::TimeZone Shanghai() {
  absl::TimeZone tz;
  absl::LoadTimeZone("Asia/Shanghai", &tz);
  return tz;
}

// A random but realistic quarter of sales activity for a six-rep org.
class HistoryGenerator {
 public:
  explicit HistoryGenerator(uint64_t seed) : rng_(seed) {}

  std::vector<v1::Event> Generate() {
    std::vector<v1::Event> out;
    auto unit = [&](const std::string& id, const std::string& parent) {
      v1::Event e = Base("", At(0));
      e.mutable_unit_defined()->set_unit_id(id);
      e.mutable_unit_defined()->set_name(id);
      e.mutable_unit_defined()->set_parent_unit_id(parent);
      out.push_back(e);
    };
    unit("co", "");
    unit("east", "co");
    unit("west", "co");
    unit("sh", "east");
    unit("hz", "east");
    unit("bj", "west");
    // r3 sits in a region, next to its teams: the region's figures are its own rep's and its
    // teams'.
    const std::vector<std::string> teams = {"sh", "sh", "hz", "east", "bj", "bj"};
    for (size_t i = 0; i < kReps.size(); ++i) out.push_back(Rep(kReps[i], teams[i], At(Pick(5))));
    // A late move (r1 to Beijing) and an old definition that arrives late but must not win.
    out.push_back(Rep("r1", "bj", At(60 + Pick(30))));
    out.push_back(Rep("r2", "bj", At(0) - absl::Hours(24)));
    if (Pick(2) == 0) {
      v1::Event e = Base("", At(Pick(40)));
      for (const char* s : {"contact", "value", "proposal", "negotiation"}) {
        auto* st = e.mutable_stages_defined()->add_stages();
        st->set_stage_id(s);
        st->set_name(s);
      }
      out.push_back(e);
    }
    const std::vector<std::string> stage_pool = {"contact", "value", "proposal", "negotiation"};
    for (int o = 0; o < 25; ++o) {
      std::string id = absl::StrCat("opp", o);
      std::string rep = AnyRep();
      absl::Time t0 = At(Pick(80));
      if (Pick(10) != 0) {
        v1::Event e = Base(rep, t0);
        auto* op = e.mutable_opportunity_opened();
        op->set_opportunity_id(id);
        op->set_customer_id(AnyCustomer());
        op->set_expected_amount(1000 * (1 + Pick(500)));
        if (Pick(4) == 0) op->set_initial_stage(stage_pool[Pick(2)]);
        out.push_back(e);
        if (Pick(5) == 0) {  // A second opening of the same id, earlier or later, by someone else.
          v1::Event again = e;
          again.set_event_id(NextId());
          again.set_rep_id(AnyRep());
          *again.mutable_occurred_at() = ToProto(t0 + absl::Hours(NonZero(48)));
          out.push_back(again);
        }
      }
      absl::Time t = t0 - absl::Hours(Pick(3) == 0 ? 10 : 0);  // Some changes predate the opening.
      for (int s = 0, n = static_cast<int>(Pick(5)); s < n; ++s) {
        t += absl::Minutes(1 + Pick(5 * 24 * 60));
        v1::Event e = Base(AnyRep(), t);
        e.mutable_opportunity_stage_changed()->set_opportunity_id(id);
        e.mutable_opportunity_stage_changed()->set_stage(stage_pool[Pick(stage_pool.size())]);
        out.push_back(e);
      }
      if (Pick(10) < 7) {
        for (int c = 0, n = 1 + (Pick(6) == 0); c < n; ++c) {
          t += absl::Minutes(1 + Pick(7 * 24 * 60));
          v1::Event e = Base(rep, t);
          e.mutable_opportunity_closed()->set_opportunity_id(id);
          e.mutable_opportunity_closed()->set_outcome(Pick(2) ? v1::OpportunityClosed::WON
                                                              : v1::OpportunityClosed::LOST);
          out.push_back(e);
        }
      }
    }
    for (int k = 0; k < 20; ++k) {
      std::string id = absl::StrCat("k", k);
      absl::Time at = At(Pick(90));
      v1::Event e = ContractEvent(id, AnyRep(), at);
      out.push_back(e);
      if (Pick(8) == 0) {  // Same id again.
        absl::Time again = At(Pick(90));
        out.push_back(ContractEvent(id, AnyRep(), again));
      }
    }
    for (int p = 0; p < 20; ++p) {
      std::string id = absl::StrCat("p", p);
      for (int n = 0, copies = 1 + (Pick(8) == 0); n < copies; ++n) {
        v1::Event e = AnyRepAt(110);
        e.mutable_payment_received()->set_payment_id(id);
        e.mutable_payment_received()->set_contract_id(Pick(10) == 0 ? "k-unknown"
                                                                    : absl::StrCat("k", Pick(20)));
        e.mutable_payment_received()->set_amount(100 * (1 + Pick(3000)));
        out.push_back(e);
      }
    }
    for (int a = 0; a < 70; ++a) {
      absl::Time t = At(Pick(100));
      v1::Event e = Base(AnyRep(), t);
      auto* act = e.mutable_action_logged();
      act->set_customer_id(AnyCustomer());
      act->set_purpose(static_cast<v1::Purpose>(1 + Pick(7)));
      act->set_channel(static_cast<v1::Channel>(1 + Pick(5)));
      act->set_cost(Pick(3) == 0 ? 0 : 100 * Pick(100));
      if (Pick(10) < 4)
        *act->mutable_next_follow_up_at() = ToProto(t + absl::Minutes(60 + Pick(5 * 1440)));
      out.push_back(e);
    }
    for (int f = 0; f < 12; ++f) {
      v1::Event e = AnyRepAt(100);
      e.mutable_feedback_recorded()->set_customer_id(AnyCustomer());
      e.mutable_feedback_recorded()->set_score(1 + Pick(5));
      out.push_back(e);
    }
    for (int s = 0; s < 12; ++s) {
      v1::Event e = AnyRepAt(100);
      e.mutable_score_recorded()->set_metric(Pick(2) ? "teamwork" : "product_knowledge");
      e.mutable_score_recorded()->set_value(Pick(101));
      out.push_back(e);
    }
    // Rep targets (some redefined) and a scheme defined twice, for the scorecards. (Unit targets
    // would be refused with their whole batch when they arrive before their unit, and take unit
    // definitions down with them: scorecard_test covers them.)
    for (int t = 0; t < 14; ++t) {
      v1::Event e = Base("", At(Pick(100)));
      auto* ts = e.mutable_target_set();
      ts->set_subject_rep_id(AnyRep());
      ts->mutable_period()->set_kind(v1::MONTH);
      ts->mutable_period()->mutable_date()->set_year(2026);
      ts->mutable_period()->mutable_date()->set_month(static_cast<int>(1 + Pick(3)));
      ts->mutable_period()->mutable_date()->set_day(static_cast<int>(1 + Pick(28)));
      static const char* kPlanMetrics[] = {"sales_amount", "signings", "win_rate"};
      ts->set_metric(kPlanMetrics[Pick(3)]);
      ts->set_target(ts->metric() == "sales_amount" ? 1000 * (1 + Pick(2000))
                     : ts->metric() == "signings"   ? 1 + Pick(4)
                                                    : 1000 * (1 + Pick(9)));
      ts->set_baseline(ts->target() * 8 / 10);
      ts->set_challenge(Pick(2) ? ts->target() * 13 / 10 : 0);
      out.push_back(e);
    }
    for (int s = 0; s < 2; ++s) {
      // The first definition is in force from the first month on, so there is something to score.
      v1::Event e = Base("", At(Pick(s == 0 ? 25 : 100)));
      auto* scheme = e.mutable_scheme_defined();
      scheme->set_scheme_id("plan");
      scheme->set_name(absl::StrCat("plan v", s));
      scheme->set_role("seller");
      const int sales_weight = 2000 + 1000 * static_cast<int>(Pick(6));
      for (auto [metric, weight] : {std::pair<const char*, int>{"sales_amount", sales_weight},
                                    {"signings", 2000},
                                    {"win_rate", 8000 - sales_weight}}) {
        auto* c = scheme->add_components();
        c->set_metric(metric);
        c->set_weight_bp(weight);
        c->set_direction(v1::HIGHER_IS_BETTER);
        Pick(2) ? (void)c->mutable_threshold() : (void)c->mutable_linear();
      }
      auto* tier = scheme->add_multiplier_tiers();
      tier->set_min_score_centi(7000);
      tier->set_multiplier_bp(11000);
      auto* bracket = scheme->add_commission_tiers();
      bracket->set_from_bp(10000);
      bracket->set_rate_bp(100 * static_cast<int>(1 + Pick(3)));
      out.push_back(e);
    }
    // Voids of activity (and one org move), each naming an event that is not a void.
    std::vector<std::string> targets;
    for (const v1::Event& e : out) {
      if (!e.has_unit_defined() && !e.has_stages_defined()) targets.push_back(e.event_id());
    }
    for (int v = 0; v < 10; ++v) {
      v1::Event e = Base("", At(100 + Pick(10)));
      e.mutable_event_voided()->set_target_event_id(targets[Pick(targets.size())]);
      out.push_back(e);
    }
    if (Pick(2) == 0) {  // A competition (drawn last: the rest of the history is as before): its
      // window's figures, customers too, in every order.
      v1::Event e = Base("", At(Pick(90)));
      auto* c = e.mutable_competition_defined();
      c->set_competition_id("spring");
      c->set_name("spring");
      *c->mutable_start() = ToProto(kStart + absl::Hours(24 * (10 + Pick(20))));
      *c->mutable_end() = ToProto(kStart + absl::Hours(24 * (40 + Pick(40))));
      c->set_metric("returning_customers");
      c->add_participant_unit_ids("co");
      out.push_back(e);
    }
    // Contracts that win an opportunity (KPI_SPEC §4), a known one or one never opened (drawn
    // last, as the competition).
    for (v1::Event& e : out) {
      if (e.has_contract_signed() && Pick(3) == 0) {
        e.mutable_contract_signed()->set_opportunity_id(absl::StrCat("opp", Pick(27)));
      }
    }
    KeepOneEventBeforeOpenings(out);
    return out;
  }

  // KPI_SPEC §4 sorts an opportunity's events by (max(occurred_at, opened_at), seq): two events
  // before its opening tie at opened_at and are ordered by seq, the arrival order. So that every
  // arrival order must give the same figures, at most one event of each opportunity (a stage
  // change, close or signing that names it) comes before its latest opening (any opening may come
  // to define it when the earlier ones are voided); the others move just after it.
  static void KeepOneEventBeforeOpenings(std::vector<v1::Event>& events) {
    absl::flat_hash_map<std::string, absl::Time> latest_opening;
    for (const v1::Event& e : events) {
      if (!e.has_opportunity_opened()) continue;
      absl::Time& at =
          latest_opening.try_emplace(e.opportunity_opened().opportunity_id(), absl::InfinitePast())
              .first->second;
      at = std::max(at, FromProto(e.occurred_at()));
    }
    absl::flat_hash_map<std::string, std::vector<v1::Event*>> early;
    for (v1::Event& e : events) {
      const std::string& opp =
          e.has_opportunity_stage_changed() ? e.opportunity_stage_changed().opportunity_id()
          : e.has_opportunity_closed()      ? e.opportunity_closed().opportunity_id()
          : e.has_contract_signed()         ? e.contract_signed().opportunity_id()
                                            : "";
      auto opening = latest_opening.find(opp);
      if (opening != latest_opening.end() && FromProto(e.occurred_at()) < opening->second) {
        early[opp].push_back(&e);
      }
    }
    for (auto& [opp, list] : early) {
      std::sort(list.begin(), list.end(), [](const v1::Event* a, const v1::Event* b) {
        return FromProto(a->occurred_at()) < FromProto(b->occurred_at());
      });
      for (size_t i = 1; i < list.size(); ++i) {
        *list[i]->mutable_occurred_at() =
            ToProto(latest_opening[opp] + absl::Microseconds(static_cast<int64_t>(i)));
      }
    }
  }

  // A random order in which every void follows its target (the log refuses a void of an unknown
  // event) and every unit follows its parent, every rep its unit (org rules).
  std::vector<v1::Event> Shuffle(std::vector<v1::Event> events) {
    std::shuffle(events.begin(), events.end(), rng_);
    std::stable_partition(events.begin(), events.end(),
                          [](const v1::Event& e) { return e.has_unit_defined(); });
    std::stable_sort(events.begin(), events.end(), [](const v1::Event& a, const v1::Event& b) {
      auto depth = [](const v1::Event& e) {
        if (!e.has_unit_defined()) return 9;
        const std::string& id = e.unit_defined().unit_id();
        return id == "co" ? 0 : (id == "east" || id == "west") ? 1 : 2;
      };
      return depth(a) < depth(b);
    });
    std::vector<v1::Event> voids, rest;
    for (auto& e : events) (e.has_event_voided() ? voids : rest).push_back(std::move(e));
    for (v1::Event& v : voids) {
      auto target = std::find_if(rest.begin(), rest.end(), [&](const v1::Event& e) {
        return e.event_id() == v.event_voided().target_event_id();
      });
      size_t after = target - rest.begin() + 1;
      rest.insert(rest.begin() + after + Pick(rest.size() - after + 1), std::move(v));
    }
    return rest;
  }

  uint64_t Pick(uint64_t n) { return n == 0 ? 0 : rng_() % n; }

 private:
  std::string NextId() { return absl::StrCat("e", next_id_++); }
  absl::Time At(uint64_t day) {
    return kStart + absl::Hours(24 * static_cast<int64_t>(day)) +
           absl::Microseconds(Pick(86'400'000'000));
  }
  std::string AnyRep() { return kReps[Pick(kReps.size())]; }
  // An event of any rep on any of the first `days` days. The draws are sequenced (time, then rep):
  // the order in which a compiler evaluates arguments must not change the history.
  v1::Event AnyRepAt(uint64_t days) {
    absl::Time t = At(Pick(days));
    return Base(AnyRep(), t);
  }
  // A whole number in [-n, -1] or [1, n]: an offset that never lands on the time it moves from.
  int NonZero(int n) {
    int k = static_cast<int>(Pick(2 * n)) - n;
    return k >= 0 ? k + 1 : k;
  }
  std::string AnyCustomer() { return absl::StrCat("c", Pick(8)); }
  v1::Event Base(const std::string& rep, absl::Time t) {
    v1::Event e;
    e.set_event_id(NextId());
    e.set_rep_id(rep);
    *e.mutable_occurred_at() = ToProto(t);
    return e;
  }
  v1::Event Rep(const std::string& id, const std::string& unit, absl::Time t) {
    v1::Event e = Base("", t);
    e.mutable_rep_defined()->set_rep_id(id);
    e.mutable_rep_defined()->set_name(id);
    e.mutable_rep_defined()->set_unit_id(unit);
    e.mutable_rep_defined()->set_active(true);
    return e;
  }
  v1::Event ContractEvent(const std::string& id, const std::string& rep, absl::Time t) {
    v1::Event e = Base(rep, t);
    auto* c = e.mutable_contract_signed();
    c->set_contract_id(id);
    c->set_customer_id(AnyCustomer());
    int64_t amount = 1000 * (1 + Pick(1000));
    c->set_amount(amount);
    if (Pick(2)) c->set_cost(amount / (2 + Pick(3)));
    for (int l = 0, n = Pick(3); l < n; ++l) {
      auto* line = c->add_lines();
      line->set_product_id(absl::StrCat("prod", Pick(5)));
      line->set_quantity(1 + Pick(10));
      line->set_unit_price(100);
    }
    int parts = Pick(4);
    int64_t left = amount;
    for (int i = 0; i < parts; ++i) {
      auto* inst = c->add_installments();
      *inst->mutable_due_at() = ToProto(t + absl::Hours(24 * 30 * i));
      int64_t a = i + 1 == parts ? left : left / 2;
      inst->set_amount(a);
      left -= a;
    }
    return e;
  }

  std::mt19937_64 rng_;
  int next_id_ = 0;
};

inline std::vector<v1::EventRecord> Records(const std::vector<v1::Event>& order) {
  std::vector<v1::EventRecord> log;
  for (size_t i = 0; i < order.size(); ++i) {
    v1::EventRecord r;
    r.set_seq(i + 1);
    *r.mutable_event() = order[i];
    log.push_back(std::move(r));
  }
  return log;
}

// Every period of every kind that contains an instant the log mentions.
inline std::set<Period> PeriodsOf(const std::vector<v1::EventRecord>& log, absl::TimeZone zone) {
  std::set<Period> out;
  auto add = [&](const google::protobuf::Timestamp& ts) {
    absl::Time t = absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
    for (PeriodKind k : kAllPeriodKinds) {
      if (k != PeriodKind::kDay || out.size() < 400) out.insert(PeriodOf(k, t, zone));
    }
  };
  for (const auto& r : log) {
    add(r.event().occurred_at());
    if (r.event().has_action_logged() && r.event().action_logged().has_next_follow_up_at()) {
      add(r.event().action_logged().next_follow_up_at());
    }
    for (const auto& i : r.event().contract_signed().installments()) add(i.due_at());
  }
  return out;
}

}  // namespace salestrack::testing

#endif  // SALESTRACK_TESTS_HISTORY_GENERATOR_H_
