// Test support for the scoring tests (score_rules_test.cc, scorecard_test.cc,
// target_check_test.cc): the seeds' scheme and org, and a log of text-format events replayed into
// a Projector.
#ifndef SALESTRACK_CORE_SCORING_TEST_LOG_H_
#define SALESTRACK_CORE_SCORING_TEST_LOG_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "salestrack/period.h"
#include "salestrack/projector.h"
#include "salestrack/proto_time.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack::testing {

absl::Time Utc(int y, int m, int d, int hh = 0);
inline const Period kNov{PeriodKind::kMonth, absl::CivilDay(2026, 11, 1)};
inline const Period kOct{PeriodKind::kMonth, absl::CivilDay(2026, 10, 1)};

// The seeds' scheme (002: weights sales 40 % / margin 25 % / repeat purchase 20 % / collection 15
// %, threshold at 80 %, commission 1 % for 0–10 % above target and 2 % for 10–20 %; 004:
// multipliers
// >= 90 -> 1.2, 70–90 -> 1.0, < 70 -> 0.8).
inline constexpr char kSeedScheme[] = R"txt(
  scheme_defined {
    scheme_id: "seed" name: "Seeds example" role: "hunter"
    components { dimension: "result" metric: "sales_amount" weight_bp: 4000 threshold {} direction: HIGHER_IS_BETTER }
    components { dimension: "result" metric: "gross_margin" weight_bp: 2500 threshold { floor_bp: 8000 } direction: HIGHER_IS_BETTER }
    components { dimension: "customer" metric: "repeat_purchase_rate" weight_bp: 2000 threshold {} direction: HIGHER_IS_BETTER }
    components { dimension: "result" metric: "collection_rate" weight_bp: 1500 threshold {} direction: HIGHER_IS_BETTER }
    multiplier_tiers { min_score_centi: 9000 multiplier_bp: 12000 }
    multiplier_tiers { min_score_centi: 7000 multiplier_bp: 10000 }
    multiplier_tiers { min_score_centi: 0 multiplier_bp: 8000 }
    commission_tiers { from_bp: 10000 to_bp: 11000 rate_bp: 100 }
    commission_tiers { from_bp: 11000 to_bp: 12000 rate_bp: 200 }
  })txt";

// kSeedScheme's scheme_defined.
v1::SchemeDefined SeedScheme();

// Builds a log in arrival order from text-format events; seqs are 1, 2, 3, ...
class Log {
 public:
  std::string Add(absl::Time at, const std::string& text, const std::string& rep = "") {
    v1::Event& e = events_.emplace_back();
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &e)) << text;
    e.set_event_id(absl::StrCat("e", events_.size()));
    e.set_rep_id(rep);
    *e.mutable_occurred_at() = ToProto(at);
    return e.event_id();
  }
  std::string Target(absl::Time at, const std::string& subject, const Period& period,
                     const std::string& metric, int64_t target, int64_t challenge = 0) {
    return Add(at, absl::StrFormat(
                       "target_set { %s period { kind: %s date { year: %d month: %d day: %d } } "
                       "metric: \"%s\" baseline: %d target: %d challenge: %d }",
                       subject, std::string(PeriodKindName(period.kind)), period.start.year(),
                       period.start.month(), period.start.day(), metric, target * 8 / 10, target,
                       challenge));
  }
  std::string Contract(const std::string& rep, const std::string& id, const std::string& customer,
                       int64_t amount, int64_t cost, absl::Time at) {
    return Add(at,
               absl::StrFormat("contract_signed { contract_id: \"%s\" customer_id: \"%s\" "
                               "amount: %d cost: %d }",
                               id, customer, amount, cost),
               rep);
  }
  void Payment(const std::string& rep, const std::string& contract, int64_t amount, absl::Time at) {
    Add(at,
        absl::StrFormat("payment_received { payment_id: \"p%d\" contract_id: \"%s\" amount: %d }",
                        events_.size(), contract, amount),
        rep);
  }
  void Void(const std::string& target, absl::Time at) {
    Add(at, absl::StrCat("event_voided { target_event_id: \"", target, "\" }"));
  }
  std::unique_ptr<Projector> Replay(const std::vector<size_t>& order = {}) const {
    auto p = std::make_unique<Projector>(ProjectorOptions{});
    for (size_t i = 0; i < events_.size(); ++i) {
      size_t k = order.empty() ? i : order[i];
      p->Apply(k + 1, events_[k]);
    }
    return p;
  }
  size_t size() const { return events_.size(); }

 private:
  std::vector<v1::Event> events_;
};

// The org of the seeds (002): East region 10,000,000 -> Shanghai / Hangzhou / Nanjing teams.
void AddOrg(Log& log);

// Ann's November of the seeds' example, hand-computed:
//   sales 1,150,000 vs target 1,000,000: a = 1.15 -> 100; commission 1 % x 100,000 + 2 % x 50,000
//   margin (1,150,000 - 736,000) / 1,150,000 = 36 % vs 40 %: a = 0.9 -> 90
//   repeat purchase: c1 (first contract in October) of {c1, c2} = 50 % vs 70 %: a = 0.714 -> 0
//   collection 782,000 / 1,150,000 due = 68 % vs 80 %: a = 0.85 -> 85
//   composite 0.40 x 100 + 0.25 x 90 + 0.20 x 0 + 0.15 x 85 = 75.25 -> multiplier 1.0
void AddAnnsNovember(Log& log, bool with_collection_target = true);

}  // namespace salestrack::testing

#endif  // SALESTRACK_CORE_SCORING_TEST_LOG_H_
