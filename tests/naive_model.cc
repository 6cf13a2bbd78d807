#include "naive_model.h"

#include <algorithm>
#include <set>

#include "absl/container/flat_hash_set.h"
#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"

namespace salestrack::testing {
namespace {

using Rec = v1::EventRecord;
int64_t T(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1'000'000 + ts.nanos() / 1000;
}
int64_t T(const Rec& r) { return T(r.event().occurred_at()); }
std::pair<int64_t, uint64_t> K(const Rec& r) { return {T(r), r.seq()}; }

// The record with the least (occurred_at, seq) among those `pick` selects, or null.
template <typename Pick>
const Rec* Earliest(const std::vector<Rec>& log, Pick pick) {
  const Rec* best = nullptr;
  for (const Rec& r : log) {
    if (pick(r) && (best == nullptr || K(r) < K(*best))) best = &r;
  }
  return best;
}

// Whether `r` is the defining ContractSigned of its contract id (the earliest in the log) and names
// the opportunity `opp`: a signing wins the opportunity it names (KPI_SPEC §4).
bool WinsOpportunity(const std::vector<Rec>& log, const Rec& r, const std::string& opp) {
  if (!r.event().has_contract_signed() || r.event().contract_signed().opportunity_id() != opp) {
    return false;
  }
  const std::string& contract = r.event().contract_signed().contract_id();
  return Earliest(log, [&](const Rec& x) {
           return x.event().has_contract_signed() &&
                  x.event().contract_signed().contract_id() == contract;
         }) == &r;
}

struct Sample {
  std::vector<int64_t> values;
  MetricValue Value() const {
    MetricValue m{MetricValue::Kind::kDistribution};
    m.count = static_cast<int64_t>(values.size());
    if (values.empty()) return m;
    absl::int128 sum = 0;
    for (int64_t v : values) sum += v;
    m.sum_micros = sum;
    m.mean_seconds = (static_cast<double>(sum) / static_cast<double>(values.size())) / 1e6;
    std::vector<int64_t> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    auto rank = [&](double q) {
      int64_t r = static_cast<int64_t>(std::ceil(q * static_cast<double>(sorted.size())));
      return sorted[std::max<int64_t>(1, r) - 1];
    };
    m.p50_seconds = rank(0.5) / 1e6;
    m.p90_seconds = rank(0.9) / 1e6;
    return m;
  }
};

MetricValue Count(int64_t v) { return {MetricValue::Kind::kCount, v}; }
MetricValue Money(int64_t v) { return {MetricValue::Kind::kMoney, v}; }
MetricValue Div(int64_t n, int64_t d, MetricValue::Kind kind = MetricValue::Kind::kRatio) {
  MetricValue m{kind};
  if (d != 0) {
    m.real = static_cast<double>(n) / static_cast<double>(d);
    m.num = n;
    m.den = d;
  }
  return m;
}

std::vector<std::string> StageIds(const std::vector<Rec>& log) {
  const Rec* def = Earliest(log, [](const Rec&) { return false; });
  for (const Rec& r : log) {
    if (r.event().has_stages_defined() && (def == nullptr || K(r) > K(*def))) def = &r;
  }
  if (def == nullptr) return {"contact", "value", "negotiation"};
  std::vector<std::string> ids;
  for (const auto& s : def->event().stages_defined().stages()) ids.push_back(s.stage_id());
  return ids;
}

}  // namespace

NaiveModel::NaiveModel(std::vector<v1::EventRecord> log, absl::TimeZone zone) : zone_(zone) {
  std::set<std::string> voided;
  for (const Rec& r : log) {
    if (r.event().has_event_voided()) voided.insert(r.event().event_voided().target_event_id());
  }
  for (Rec& r : log) {
    if (!voided.count(r.event().event_id()) && !r.event().has_event_voided()) {
      live_.push_back(std::move(r));
    }
  }
  std::sort(live_.begin(), live_.end(),
            [](const Rec& a, const Rec& b) { return a.seq() < b.seq(); });
}

std::vector<std::string> NaiveModel::Members(const Subject& subject) const {
  if (!subject.is_unit) return {subject.id};
  auto latest = [&](auto pick) {
    const Rec* best = nullptr;
    for (const Rec& r : live_) {
      if (pick(r) && (best == nullptr || K(r) > K(*best))) best = &r;
    }
    return best;
  };
  auto parent_of = [&](const std::string& unit) -> std::optional<std::string> {
    const Rec* def = latest([&](const Rec& r) {
      return r.event().has_unit_defined() && r.event().unit_defined().unit_id() == unit;
    });
    if (def == nullptr) return std::nullopt;
    return def->event().unit_defined().parent_unit_id();
  };
  std::set<std::string> reps;
  for (const Rec& r : live_) {
    if (r.event().has_rep_defined()) reps.insert(r.event().rep_defined().rep_id());
  }
  std::vector<std::string> out;
  for (const std::string& rep : reps) {
    const Rec* def = latest([&](const Rec& r) {
      return r.event().has_rep_defined() && r.event().rep_defined().rep_id() == rep;
    });
    std::string unit = def->event().rep_defined().unit_id();
    for (int depth = 0; depth < 100 && !unit.empty(); ++depth) {
      if (unit == subject.id) {
        out.push_back(rep);
        break;
      }
      std::optional<std::string> parent = parent_of(unit);
      if (!parent) break;
      unit = *parent;
    }
  }
  return out;
}

std::map<std::string, MetricValue> NaiveModel::Metrics(const std::vector<std::string>& reps,
                                                       const Period& period) const {
  std::set<std::string> members(reps.begin(), reps.end());
  auto in = [&](int64_t t) {
    return PeriodOf(period.kind, absl::FromUnixMicros(t), zone_) == period;
  };
  auto mine = [&](const std::string& rep) { return members.count(rep) > 0; };
  const std::vector<std::string> stages = StageIds(live_);
  auto stage_index = [&](const std::string& s) {
    auto it = std::find(stages.begin(), stages.end(), s);
    return it == stages.end() ? -1 : static_cast<int>(it - stages.begin());
  };
  std::map<std::string, int64_t> n;
  std::map<std::string, Sample> dist;
  std::map<std::string, std::pair<int64_t, int64_t>> scores;

  // Actions and follow-ups.
  for (const Rec& r : live_) {
    const v1::Event& e = r.event();
    if (!e.has_action_logged() || !mine(e.rep_id())) continue;
    const auto& a = e.action_logged();
    if (in(T(r))) {
      n["actions"]++;
      n["action_cost"] += a.cost();
      n[absl::StrCat("actions_by_channel:", v1::Channel_Name(a.channel()))]++;
      n[absl::StrCat("actions_by_purpose:", v1::Purpose_Name(a.purpose()))]++;
    }
    if (a.has_next_follow_up_at() && in(T(a.next_follow_up_at()))) {
      n["follow_ups_due"]++;
      const Rec* next = Earliest(live_, [&](const Rec& x) {
        return x.event().has_action_logged() && x.event().rep_id() == e.rep_id() &&
               x.event().action_logged().customer_id() == a.customer_id() && K(x) > K(r);
      });
      if (next != nullptr && T(*next) <= T(a.next_follow_up_at()) + 86'400'000'000) {
        n["follow_ups_on_time"]++;
      }
    }
  }

  // Opportunities.
  std::set<std::string> opp_ids;
  for (const Rec& r : live_) {
    const v1::Event& e = r.event();
    if (e.has_opportunity_opened()) opp_ids.insert(e.opportunity_opened().opportunity_id());
  }
  for (const std::string& id : opp_ids) {
    const Rec* opened = Earliest(live_, [&](const Rec& r) {
      return r.event().has_opportunity_opened() &&
             r.event().opportunity_opened().opportunity_id() == id;
    });
    if (!mine(opened->event().rep_id())) continue;
    const int64_t t0 = T(*opened);
    std::vector<const Rec*> later;
    for (const Rec& r : live_) {
      const v1::Event& e = r.event();
      if ((e.has_opportunity_stage_changed() &&
           e.opportunity_stage_changed().opportunity_id() == id) ||
          (e.has_opportunity_closed() && e.opportunity_closed().opportunity_id() == id) ||
          WinsOpportunity(live_, r, id)) {
        later.push_back(&r);
      }
    }
    auto when = [&](const Rec* r) { return std::make_pair(std::max(T(*r), t0), r->seq()); };
    std::sort(later.begin(), later.end(),
              [&](const Rec* a, const Rec* b) { return when(a) < when(b); });
    std::string stage = opened->event().opportunity_opened().initial_stage();
    if (stage.empty()) stage = stages.front();
    int64_t since = t0;
    int max_index = stage_index(stage);
    bool closed = false, won = false;
    int64_t closed_at = 0;
    for (const Rec* r : later) {
      int64_t t = std::max(T(*r), t0);
      if (!r->event().has_opportunity_stage_changed()) {  // A close, or a contract's win.
        if (in(t)) dist[absl::StrCat("stage_duration:", stage)].values.push_back(t - since);
        closed = true;
        won = r->event().has_contract_signed() ||
              r->event().opportunity_closed().outcome() == v1::OpportunityClosed::WON;
        closed_at = t;
        break;
      }
      const std::string& next = r->event().opportunity_stage_changed().stage();
      if (next == stage || stage_index(next) < 0) continue;
      if (in(t)) dist[absl::StrCat("stage_duration:", stage)].values.push_back(t - since);
      stage = next;
      since = t;
      max_index = std::max(max_index, stage_index(stage));
    }
    if (won) max_index = static_cast<int>(stages.size()) - 1;
    if (in(t0)) {
      n["opportunities_opened"]++;
      for (int j = 0; j <= max_index; ++j) n[absl::StrCat("funnel_reached:", stages[j])]++;
      if (won) n["funnel_won"]++;
    }
    if (closed && in(closed_at)) {
      n[won ? "opportunities_won" : "opportunities_lost"]++;
      if (won) dist["sales_cycle"].values.push_back(closed_at - t0);
    }
  }

  // Contracts, payments, customers.
  std::map<std::string, const Rec*> contracts;  // id -> defining record
  for (const Rec& r : live_) {
    if (!r.event().has_contract_signed()) continue;
    const std::string& id = r.event().contract_signed().contract_id();
    if (!contracts.count(id) || K(r) < K(*contracts[id])) contracts[id] = &r;
  }
  std::map<std::string, const Rec*> first_of_customer;
  for (const auto& [id, def] : contracts) {
    const std::string& c = def->event().contract_signed().customer_id();
    if (!first_of_customer.count(c) || K(*def) < K(*first_of_customer[c]))
      first_of_customer[c] = def;
  }
  std::set<std::string> customers;
  for (const auto& [id, def] : contracts) {
    const v1::Event& e = def->event();
    const auto& c = e.contract_signed();
    if (!mine(e.rep_id())) continue;
    if (in(T(*def))) {
      n["signings"]++;
      for (const auto& l : c.lines()) n["products_sold"] += l.quantity();
      n["sales_amount"] += c.amount();
      if (c.has_cost()) {
        n["gross_profit"] += c.amount() - c.cost();
        n["margin_base"] += c.amount();
      }
      customers.insert(c.customer_id());
    }
    if (c.installments().empty()) {
      if (in(T(*def))) n["amount_due"] += c.amount();
    }
    for (const auto& i : c.installments()) {
      if (in(T(i.due_at()))) n["amount_due"] += i.amount();
    }
  }
  for (const auto& [customer, first] : first_of_customer) {
    if (mine(first->event().rep_id()) && in(T(*first))) n["new_customers"]++;
  }
  std::map<std::string, const Rec*> payments;
  for (const Rec& r : live_) {
    if (!r.event().has_payment_received()) continue;
    const std::string& id = r.event().payment_received().payment_id();
    if (!payments.count(id) || K(r) < K(*payments[id])) payments[id] = &r;
  }
  for (const auto& [id, p] : payments) {
    auto c = contracts.find(p->event().payment_received().contract_id());
    if (c == contracts.end() || !mine(c->second->event().rep_id())) continue;
    if (in(T(*p))) n["payments"] += p->event().payment_received().amount();
  }
  int64_t returning = 0;
  const int64_t begin = absl::ToUnixMicros(PeriodBegin(period, zone_));
  for (const std::string& c : customers) {
    if (T(*first_of_customer[c]) < begin) ++returning;
  }

  // Feedback and scores.
  for (const Rec& r : live_) {
    const v1::Event& e = r.event();
    if (!mine(e.rep_id()) || !in(T(r))) continue;
    if (e.has_feedback_recorded()) {
      n["satisfaction_sum"] += e.feedback_recorded().score();
      n["satisfaction_count"]++;
    }
    if (e.has_score_recorded()) {
      auto& s = scores[e.score_recorded().metric()];
      s.first += e.score_recorded().value();
      s.second++;
    }
  }

  std::map<std::string, MetricValue> m;
  for (const char* plain :
       {"actions", "opportunities_opened", "opportunities_won", "opportunities_lost", "funnel_won",
        "signings", "products_sold", "new_customers", "follow_ups_due", "follow_ups_on_time"}) {
    m[plain] = Count(n[plain]);
  }
  for (const char* money :
       {"action_cost", "sales_amount", "gross_profit", "payments", "amount_due"}) {
    m[money] = Money(n[money]);
  }
  for (int ch = v1::Channel_MIN + 1; ch <= v1::Channel_MAX; ++ch) {
    std::string k =
        absl::StrCat("actions_by_channel:", v1::Channel_Name(static_cast<v1::Channel>(ch)));
    m[k] = Count(n[k]);
  }
  for (int p = v1::Purpose_MIN + 1; p <= v1::Purpose_MAX; ++p) {
    std::string k =
        absl::StrCat("actions_by_purpose:", v1::Purpose_Name(static_cast<v1::Purpose>(p)));
    m[k] = Count(n[k]);
  }
  for (const std::string& s : stages) {
    m[absl::StrCat("funnel_reached:", s)] = Count(n[absl::StrCat("funnel_reached:", s)]);
    m[absl::StrCat("stage_duration:", s)] = dist[absl::StrCat("stage_duration:", s)].Value();
  }
  m["sales_cycle"] = dist["sales_cycle"].Value();
  m["win_rate"] = Div(n["opportunities_won"], n["opportunities_won"] + n["opportunities_lost"]);
  m["gross_margin"] = Div(n["gross_profit"], n["margin_base"]);
  const int64_t signed_customers = static_cast<int64_t>(customers.size());
  m["customers_signed"] = Count(signed_customers);
  m["returning_customers"] = Count(returning);
  m["repeat_purchase_rate"] = Div(returning, signed_customers);
  m["avg_deal_size"] = Div(n["sales_amount"], signed_customers, MetricValue::Kind::kMean);
  m["collection_rate"] = Div(n["payments"], n["amount_due"]);
  m["satisfaction"] = Div(n["satisfaction_sum"], n["satisfaction_count"], MetricValue::Kind::kMean);
  m["follow_up_rate"] = Div(n["follow_ups_on_time"], n["follow_ups_due"]);
  for (const auto& [name, s] : scores) {
    m[absl::StrCat("score:", name)] = Div(s.first, s.second, MetricValue::Kind::kMean);
  }
  return m;
}

std::map<std::string, MetricValue> NaiveModel::PointInTime(const std::vector<std::string>& reps,
                                                           absl::Time now) const {
  std::set<std::string> members(reps.begin(), reps.end());
  const int64_t now_us = absl::ToUnixMicros(now);
  std::map<std::string, const Rec*> contracts, payments;
  for (const Rec& r : live_) {
    if (r.event().has_contract_signed()) {
      const std::string& id = r.event().contract_signed().contract_id();
      if (!contracts.count(id) || K(r) < K(*contracts[id])) contracts[id] = &r;
    }
    if (r.event().has_payment_received()) {
      const std::string& id = r.event().payment_received().payment_id();
      if (!payments.count(id) || K(r) < K(*payments[id])) payments[id] = &r;
    }
  }
  int64_t outstanding = 0, overdue = 0;
  for (const auto& [id, def] : contracts) {
    if (!members.count(def->event().rep_id())) continue;
    const auto& c = def->event().contract_signed();
    int64_t paid = 0;
    for (const auto& [pid, p] : payments) {
      if (p->event().payment_received().contract_id() == id)
        paid += p->event().payment_received().amount();
    }
    int64_t due = 0;
    if (c.installments().empty()) {
      if (T(*def) <= now_us) due = c.amount();
    }
    for (const auto& i : c.installments()) {
      if (T(i.due_at()) <= now_us) due += i.amount();
    }
    outstanding += c.amount() - paid;
    overdue += std::max<int64_t>(0, due - paid);
  }
  int64_t pipeline = 0;
  std::set<std::string> opp_ids;
  for (const Rec& r : live_) {
    if (r.event().has_opportunity_opened())
      opp_ids.insert(r.event().opportunity_opened().opportunity_id());
  }
  for (const std::string& id : opp_ids) {
    const Rec* opened = Earliest(live_, [&](const Rec& r) {
      return r.event().has_opportunity_opened() &&
             r.event().opportunity_opened().opportunity_id() == id;
    });
    if (!members.count(opened->event().rep_id())) continue;
    bool closed = false;
    for (const Rec& r : live_) {
      closed |= (r.event().has_opportunity_closed() &&
                 r.event().opportunity_closed().opportunity_id() == id) ||
                WinsOpportunity(live_, r, id);
    }
    if (!closed) pipeline += opened->event().opportunity_opened().expected_amount();
  }
  int64_t open_fu = 0, overdue_fu = 0;
  for (const Rec& r : live_) {
    const v1::Event& e = r.event();
    if (!e.has_action_logged() || !e.action_logged().has_next_follow_up_at() ||
        !members.count(e.rep_id())) {
      continue;
    }
    const Rec* next = Earliest(live_, [&](const Rec& x) {
      return x.event().has_action_logged() && x.event().rep_id() == e.rep_id() &&
             x.event().action_logged().customer_id() == e.action_logged().customer_id() &&
             K(x) > K(r);
    });
    if (next != nullptr) continue;
    ++open_fu;
    if (T(e.action_logged().next_follow_up_at()) < now_us) ++overdue_fu;
  }
  return {{"outstanding", Money(outstanding)},          {"overdue", Money(overdue)},
          {"overdue_ratio", Div(overdue, outstanding)}, {"open_pipeline", Money(pipeline)},
          {"open_follow_ups", Count(open_fu)},          {"overdue_follow_ups", Count(overdue_fu)}};
}

}  // namespace salestrack::testing
