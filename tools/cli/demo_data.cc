#include "cli/demo_data.h"

#include <algorithm>
#include <random>

#include "absl/strings/str_cat.h"
#include "salestrack/proto_time.h"

namespace salestrack::cli {
namespace {

constexpr int64_t kYuan = 100;  // Minor units.

class Generator {
 public:
  explicit Generator(const DemoOptions& o) : o_(o), rng_(o.seed) {}

  std::vector<v1::Event> Run() {
    for (const DemoRep& rep : o_.reps) Rep(rep);
    std::stable_sort(events_.begin(), events_.end(), [](const v1::Event& a, const v1::Event& b) {
      return ToUnixMicros(a.occurred_at()) < ToUnixMicros(b.occurred_at());
    });
    // Late uploads go last; retries are sent again a few events later.
    std::vector<v1::Event> on_time, late, out;
    for (v1::Event& e : events_) (Chance(o_.late_share) ? late : on_time).push_back(std::move(e));
    for (size_t i = 0; i < on_time.size(); ++i) {
      out.push_back(on_time[i]);
      if (Chance(o_.duplicate_share)) retries_.push_back({i + Uniform(1, 20), on_time[i]});
      for (auto it = retries_.begin(); it != retries_.end();) {
        if (it->first <= i) {
          out.push_back(it->second);
          it = retries_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& [at, e] : retries_) out.push_back(std::move(e));
    for (v1::Event& e : late) out.push_back(std::move(e));
    return out;
  }

 private:
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int64_t Uniform(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng_);
  }
  // A working-hours instant on `day` (09:00–18:00 org time).
  absl::Time At(absl::CivilDay day) {
    const int64_t hour = Uniform(9, 17);
    const int64_t minute = Uniform(0, 59);
    return absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(), hour, minute),
                           o_.zone);
  }
  static bool Weekend(absl::CivilDay d) {
    absl::Weekday w = absl::GetWeekday(d);
    return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
  }

  // Adds an event unless it would happen at or after `until`; returns it or nullptr.
  v1::Event* Add(const std::string& rep, absl::Time at) {
    if (at >= o_.until) return nullptr;
    v1::Event& e = events_.emplace_back();
    e.set_event_id(absl::StrCat("demo-", o_.seed, "-", ++count_));
    e.set_rep_id(rep);
    *e.mutable_occurred_at() = ToProto(at);
    return &e;
  }

  void Action(const std::string& rep, const std::string& customer, absl::Time at,
              v1::Purpose purpose) {
    v1::Event* e = Add(rep, at);
    if (e == nullptr) return;
    auto* a = e->mutable_action_logged();
    a->set_customer_id(customer);
    a->set_purpose(purpose);
    static constexpr v1::Channel kChannels[] = {v1::VISIT, v1::VISIT,  v1::PHONE,
                                                v1::PHONE, v1::ONLINE, v1::ENTERTAINMENT};
    v1::Channel channel = kChannels[Uniform(0, 5)];
    a->set_channel(channel);
    a->set_subject(purpose == v1::INTRODUCE_PRODUCT ? "product demo"
                   : purpose == v1::NEGOTIATE       ? "pricing and terms"
                   : purpose == v1::SERVICE         ? "account review"
                                                    : "relationship call");
    a->set_duration_minutes(
        static_cast<int32_t>(channel == v1::PHONE ? Uniform(5, 40) : Uniform(30, 150)));
    if (channel == v1::VISIT) a->set_cost(Uniform(200, 800) * kYuan);
    if (channel == v1::ENTERTAINMENT) a->set_cost(Uniform(1000, 3000) * kYuan);
    if (!Chance(0.55)) return;
    const absl::Time due = at + absl::Hours(24 * Uniform(2, 6));
    *a->mutable_next_follow_up_at() = ToProto(due);
    if (Chance(0.8))
      Action(rep, customer, due + absl::Hours(Uniform(-20, 30)), v1::DEEPEN_RELATIONSHIP);
  }

  // One opportunity from opening to its close (if that is before `until`), and what a win brings.
  void Opportunity(const std::string& rep, const std::string& customer, absl::Time opened,
                   bool farmer) {
    const std::string opp = absl::StrCat("opp-", rep, "-", ++opps_);
    const int64_t expected = Uniform(100, 500) * 1000 * kYuan;
    if (v1::Event* e = Add(rep, opened)) {
      auto* o = e->mutable_opportunity_opened();
      o->set_opportunity_id(opp);
      o->set_customer_id(customer);
      o->set_expected_amount(expected);
    }
    Action(rep, customer, opened + absl::Minutes(30), v1::INTRODUCE_PRODUCT);
    absl::Time t = opened;
    for (const char* stage : {"value", "negotiation"}) {
      if (std::string(stage) == "value" && Chance(0.15)) continue;  // Skips a stage.
      t += absl::Hours(24 * Uniform(3, 10));
      if (v1::Event* e = Add(rep, t)) {
        auto* s = e->mutable_opportunity_stage_changed();
        s->set_opportunity_id(opp);
        s->set_stage(stage);
      }
      Action(rep, customer, t + absl::Hours(2),
             std::string(stage) == "value" ? v1::DEEPEN_RELATIONSHIP : v1::NEGOTIATE);
    }
    if (Chance(0.2)) return;  // Still open at the end.
    t += absl::Hours(24 * Uniform(3, 12));
    const bool won = Chance(farmer ? 0.65 : 0.45);
    if (v1::Event* e = Add(rep, t)) {
      auto* c = e->mutable_opportunity_closed();
      c->set_opportunity_id(opp);
      c->set_outcome(won ? v1::OpportunityClosed::WON : v1::OpportunityClosed::LOST);
      c->set_reason(won ? "best fit" : "lost on price");
    } else {
      return;
    }
    if (!won) return;
    const int64_t amount = expected * Uniform(85, 110) / 100;
    Contract(rep, customer, opp, amount, t + absl::Hours(24 * Uniform(0, 2)));
  }

  void Contract(const std::string& rep, const std::string& customer, const std::string& opp,
                int64_t amount, absl::Time at) {
    amount = amount / kYuan * kYuan;
    const std::string id = absl::StrCat("ct-", rep, "-", ++contracts_);
    v1::Event* e = Add(rep, at);
    if (e == nullptr) return;
    auto* c = e->mutable_contract_signed();
    c->set_contract_id(id);
    c->set_customer_id(customer);
    c->set_opportunity_id(opp);
    c->set_amount(amount);
    c->set_cost(amount * Uniform(55, 72) / 100);
    const int64_t seats = Uniform(1, 5);
    auto* line = c->add_lines();
    line->set_product_id(Chance(0.5) ? "crm-suite" : "field-app");
    line->set_quantity(seats);
    line->set_unit_price(amount / seats);
    const int64_t first = amount / 2;
    auto* i1 = c->add_installments();
    *i1->mutable_due_at() = ToProto(at);
    i1->set_amount(first);
    auto* i2 = c->add_installments();
    *i2->mutable_due_at() = ToProto(at + absl::Hours(24 * 30));
    i2->set_amount(amount - first);
    Payment(rep, id, first, at + absl::Hours(24 * Uniform(0, 12)));
    if (Chance(0.8)) Payment(rep, id, amount - first, at + absl::Hours(24 * Uniform(25, 50)));
    if (Chance(0.5)) {
      if (v1::Event* f = Add(rep, at + absl::Hours(24 * Uniform(3, 10)))) {
        f->mutable_feedback_recorded()->set_customer_id(customer);
        f->mutable_feedback_recorded()->set_score(
            static_cast<int32_t>(Chance(0.7) ? Uniform(4, 5) : Uniform(2, 3)));
      }
    }
  }

  void Payment(const std::string& rep, const std::string& contract, int64_t amount, absl::Time at) {
    if (v1::Event* e = Add(rep, at)) {
      auto* p = e->mutable_payment_received();
      p->set_payment_id(absl::StrCat("pay-", contract, "-", ++payments_));
      p->set_contract_id(contract);
      p->set_amount(amount);
    }
  }

  void Rep(const DemoRep& rep) {
    const bool farmer = rep.role == "farmer";
    std::vector<std::string> customers;
    if (farmer) {  // Accounts signed in the quarter before: their Q4 contracts are repeat
                   // purchases.
      for (int k = 1; k <= 6; ++k) {
        std::string account = absl::StrCat("acct-", rep.id, "-", k);
        customers.push_back(account);
        const int64_t amount = Uniform(30, 120) * 1000 * kYuan;
        const absl::Time signed_at = At(o_.from - Uniform(20, 80));
        Contract(rep.id, account, "", amount, signed_at);
      }
    }
    int leads = 0;
    for (absl::CivilDay day = o_.from; absl::FromCivil(day, o_.zone) < o_.until; ++day) {
      if (Weekend(day)) continue;
      if (Chance(farmer ? 0.3 : 0.4)) {
        // Farmers mostly sell to their accounts again, sometimes to a referral.
        const bool new_lead = !farmer || Chance(0.2);
        std::string customer = new_lead ? absl::StrCat("lead-", rep.id, "-", ++leads)
                                        : customers[Uniform(0, customers.size() - 1)];
        if (new_lead) customers.push_back(customer);
        Opportunity(rep.id, customer, At(day), farmer);
      }
      for (int64_t n = Uniform(0, 2); n > 0 && !customers.empty(); --n) {
        // Two draws, sequenced: the order a compiler evaluates arguments in must not change the
        // demo's figures.
        const absl::Time at = At(day);
        const std::string& customer = customers[Uniform(0, customers.size() - 1)];
        Action(rep.id, customer, at, farmer ? v1::SERVICE : v1::DEEPEN_RELATIONSHIP);
      }
    }
  }

  const DemoOptions& o_;
  std::mt19937_64 rng_;
  std::vector<v1::Event> events_;
  std::vector<std::pair<size_t, v1::Event>> retries_;
  uint64_t count_ = 0;
  int opps_ = 0, contracts_ = 0, payments_ = 0;
};

}  // namespace

std::vector<v1::Event> DemoActivity(const DemoOptions& options) { return Generator(options).Run(); }

}  // namespace salestrack::cli
