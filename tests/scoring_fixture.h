// The scoring tests' data set: the seeds' worked example (src/core/scorecard_test.cc has the
// arithmetic) as text-format events. Org: east -> sh (ann, bob: role "seed"), hz (dan: a role no
// scheme scores). Ann's November scores 75.25, x1.0, commission 2,000; Bob's 0.
#ifndef SALESTRACK_TESTS_SCORING_FIXTURE_H_
#define SALESTRACK_TESTS_SCORING_FIXTURE_H_

#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "salestrack/v1/events.pb.h"
#include "salestrack/v1/kpi_service.pb.h"
#include "test_util.h"

namespace salestrack::testing {

// Text-format events (one per line), turned into the CLI's JSON lines by JsonLines().
inline constexpr char kScoringEvents[] = R"txt(
event_id: "u-east" occurred_at { seconds: 1788220800 } unit_defined { unit_id: "east" name: "East region" }
event_id: "u-sh" occurred_at { seconds: 1788220800 } unit_defined { unit_id: "sh" name: "Shanghai" parent_unit_id: "east" }
event_id: "u-hz" occurred_at { seconds: 1788220800 } unit_defined { unit_id: "hz" name: "Hangzhou" parent_unit_id: "east" }
event_id: "r-ann" occurred_at { seconds: 1788220800 } rep_defined { rep_id: "ann" name: "Ann" unit_id: "sh" role: "seed" active: true }
event_id: "r-bob" occurred_at { seconds: 1788220800 } rep_defined { rep_id: "bob" name: "Bob" unit_id: "sh" role: "seed" active: true }
event_id: "r-dan" occurred_at { seconds: 1788220800 } rep_defined { rep_id: "dan" name: "Dan" unit_id: "hz" role: "nobody-scores-me" active: true }
event_id: "scheme" occurred_at { seconds: 1790812800 } scheme_defined { scheme_id: "seed" name: "Seeds example" role: "seed" components { dimension: "result" metric: "sales_amount" weight_bp: 4000 threshold {} direction: HIGHER_IS_BETTER } components { dimension: "result" metric: "gross_margin" weight_bp: 2500 threshold {} direction: HIGHER_IS_BETTER } components { dimension: "customer" metric: "repeat_purchase_rate" weight_bp: 2000 threshold {} direction: HIGHER_IS_BETTER } components { dimension: "result" metric: "collection_rate" weight_bp: 1500 threshold {} direction: HIGHER_IS_BETTER } multiplier_tiers { min_score_centi: 9000 multiplier_bp: 12000 } multiplier_tiers { min_score_centi: 7000 multiplier_bp: 10000 } multiplier_tiers { min_score_centi: 0 multiplier_bp: 8000 } commission_tiers { from_bp: 10000 to_bp: 11000 rate_bp: 100 } commission_tiers { from_bp: 11000 to_bp: 12000 rate_bp: 200 } }
event_id: "k0" occurred_at { seconds: 1791590400 } rep_id: "ann" contract_signed { contract_id: "k0" customer_id: "c1" amount: 100000 cost: 60000 }
event_id: "k1" occurred_at { seconds: 1793664000 } rep_id: "ann" contract_signed { contract_id: "k1" customer_id: "c1" amount: 600000 cost: 400000 }
event_id: "k2" occurred_at { seconds: 1794441600 } rep_id: "ann" contract_signed { contract_id: "k2" customer_id: "c2" amount: 550000 cost: 336000 }
event_id: "p1" occurred_at { seconds: 1795132800 } rep_id: "ann" payment_received { payment_id: "p1" contract_id: "k1" amount: 500000 }
event_id: "p2" occurred_at { seconds: 1795219200 } rep_id: "ann" payment_received { payment_id: "p2" contract_id: "k2" amount: 282000 }
event_id: "kb" occurred_at { seconds: 1793750400 } rep_id: "bob" contract_signed { contract_id: "kb" customer_id: "c9" amount: 300000 cost: 100000 }
event_id: "t1" occurred_at { seconds: 1792454400 } target_set { subject_rep_id: "ann" period { kind: MONTH date { year: 2026 month: 11 day: 1 } } metric: "sales_amount" baseline: 800000 target: 1000000 }
event_id: "t2" occurred_at { seconds: 1792454400 } target_set { subject_rep_id: "ann" period { kind: MONTH date { year: 2026 month: 11 day: 1 } } metric: "gross_margin" baseline: 3200 target: 4000 }
event_id: "t3" occurred_at { seconds: 1792454400 } target_set { subject_rep_id: "ann" period { kind: MONTH date { year: 2026 month: 11 day: 1 } } metric: "repeat_purchase_rate" baseline: 5600 target: 7000 }
event_id: "t4" occurred_at { seconds: 1792454400 } target_set { subject_unit_id: "east" period { kind: MONTH date { year: 2026 month: 11 day: 1 } } metric: "collection_rate" baseline: 6400 target: 8000 }
event_id: "t5" occurred_at { seconds: 1792454400 } target_set { subject_rep_id: "bob" period { kind: MONTH date { year: 2026 month: 11 day: 1 } } metric: "sales_amount" baseline: 1600000 target: 2000000 }
event_id: "q-east" occurred_at { seconds: 1792454400 } target_set { subject_unit_id: "east" period { kind: QUARTER date { year: 2026 month: 10 day: 1 } } metric: "sales_amount" target: 10000000 }
event_id: "q-sh" occurred_at { seconds: 1792454400 } target_set { subject_unit_id: "sh" period { kind: QUARTER date { year: 2026 month: 10 day: 1 } } metric: "sales_amount" target: 4000000 }
event_id: "q-hz" occurred_at { seconds: 1792454400 } target_set { subject_unit_id: "hz" period { kind: QUARTER date { year: 2026 month: 10 day: 1 } } metric: "sales_amount" target: 3000000 }
event_id: "q-ann" occurred_at { seconds: 1792454400 } target_set { subject_rep_id: "ann" period { kind: QUARTER date { year: 2026 month: 10 day: 1 } } metric: "sales_amount" target: 2000000 }
event_id: "q-bob" occurred_at { seconds: 1792454400 } target_set { subject_rep_id: "bob" period { kind: QUARTER date { year: 2026 month: 10 day: 1 } } metric: "sales_amount" target: 2000000 }
)txt";

// One text-format Event per line -> the JSON lines `salestrack append` reads.
inline std::string JsonLines(const std::string& text) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
    v1::Event e;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(std::string(line), &e)) << line;
    std::string json;
    EXPECT_TRUE(google::protobuf::util::MessageToJsonString(e, &json).ok());
    absl::StrAppend(&out, json, "\n");
  }
  return out;
}

// A real salestrackd in a temp dir, driven through the real CLI.
class ScoringDaemonTest : public ::testing::Test {
 protected:
  void SetUp() override { daemon_ = std::make_unique<Daemon>(dir_.Sub("data")); }
  CliResult Cli(const std::string& args) {
    return RunCli("--server=" + daemon_->address() + " " + args);
  }
  // Appends text-format events (see kScoringEvents); expects success.
  CliResult Append(const std::string& text) {
    std::string path = dir_.Sub(absl::StrCat("events-", ++files_, ".jsonl"));
    std::ofstream(path) << JsonLines(text);
    CliResult r = Cli("append " + path);
    EXPECT_EQ(r.code, 0) << r.err;
    return r;
  }
  // `salestrack scorecard --json <flags>`, parsed; expects success.
  v1::GetScorecardResponse Scorecard(const std::string& flags) {
    CliResult r = Cli("scorecard --json " + flags);
    EXPECT_EQ(r.code, 0) << r.err;
    v1::GetScorecardResponse card;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &card).ok()) << r.out;
    return card;
  }

  TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
  int files_ = 0;
};

}  // namespace salestrack::testing

#endif  // SALESTRACK_TESTS_SCORING_FIXTURE_H_
