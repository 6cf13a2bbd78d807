// The salestrack CLI's KPI commands (kpis, funnel, followups, verify, rebuild) against a real
// salestrackd, on a small hand-made data set whose figures are worked out below from KPI_SPEC
// §4–§5.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "salestrack/v1/kpi_service.pb.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::Daemon;
using ::salestrack::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// The daemon runs in UTC (the default), so every period below is a UTC calendar period.
//
// Org: company -> team-east; rep-li (hunter) and rep-wang (farmer) are in team-east.
// rep-wang, October: opens opp-2 (500,000, stays open) and signs ct-0 with cust-acme (300,000, no
//   installments: all due at signing), so ct-0 is cust-acme's first contract.
// rep-li, November:
//   11-02 02:00 visits cust-acme (VISIT, INTRODUCE_PRODUCT, cost 8,800), follow-up due 11-05 02:00
//   11-02 03:00 opens opp-1 (1,200,000) at the first stage, contact
//   11-05 10:00 calls cust-acme (PHONE, NEGOTIATE): completes the follow-up 8 h after due: on time
//   11-09 03:00 opp-1 -> negotiation (skipping value): contact lasted 7 d
//   11-16 02:00 opens opp-3 (300,000, stays open at contact)
//   11-19 03:00 opp-1 WON: negotiation lasted 10 d; sales cycle 17 d
//   11-20 08:00 signs ct-1 with cust-acme: 1,200,000, cost 700,000, 3 seats, installments
//               600,000 due 11-20 08:00 and 600,000 due 11-22 00:00
//   11-21 01:00 payment of 600,000 on ct-1
//   11-21, 11-22 feedback 4 and 5
// rep-wang, November: 11-10 06:00 online service with cust-beta (cost 1,200), follow-up due
//   11-12 06:00 that nothing completes: overdue.
constexpr char kEvents[] =
    R"({"event_id":"u-company","occurred_at":"2026-10-01T00:00:00Z","unit_defined":{"unit_id":"company","name":"Acme Sales"}}
{"event_id":"u-east","occurred_at":"2026-10-01T00:00:01Z","unit_defined":{"unit_id":"team-east","name":"East team","parent_unit_id":"company"}}
{"event_id":"r-li","occurred_at":"2026-10-01T00:00:02Z","rep_defined":{"rep_id":"rep-li","name":"Li Na","unit_id":"team-east","role":"hunter","active":true}}
{"event_id":"r-wang","occurred_at":"2026-10-01T00:00:03Z","rep_defined":{"rep_id":"rep-wang","name":"Wang Wei","unit_id":"team-east","role":"farmer","active":true}}
{"event_id":"wang-opp","occurred_at":"2026-10-15T02:00:00Z","rep_id":"rep-wang","opportunity_opened":{"opportunity_id":"opp-2","customer_id":"cust-beta","expected_amount":"500000"}}
{"event_id":"wang-sign","occurred_at":"2026-10-20T06:00:00Z","rep_id":"rep-wang","contract_signed":{"contract_id":"ct-0","customer_id":"cust-acme","amount":"300000"}}
{"event_id":"li-visit","occurred_at":"2026-11-02T02:00:00Z","rep_id":"rep-li","action_logged":{"customer_id":"cust-acme","subject":"product demo","purpose":"INTRODUCE_PRODUCT","channel":"VISIT","duration_minutes":90,"cost":"8800","next_follow_up_at":"2026-11-05T02:00:00Z"}}
{"event_id":"li-opp","occurred_at":"2026-11-02T03:00:00Z","rep_id":"rep-li","opportunity_opened":{"opportunity_id":"opp-1","customer_id":"cust-acme","expected_amount":"1200000"}}
{"event_id":"li-call","occurred_at":"2026-11-05T10:00:00Z","rep_id":"rep-li","action_logged":{"customer_id":"cust-acme","subject":"pricing call","purpose":"NEGOTIATE","channel":"PHONE","duration_minutes":30}}
{"event_id":"li-stage","occurred_at":"2026-11-09T03:00:00Z","rep_id":"rep-li","opportunity_stage_changed":{"opportunity_id":"opp-1","stage":"negotiation"}}
{"event_id":"wang-service","occurred_at":"2026-11-10T06:00:00Z","rep_id":"rep-wang","action_logged":{"customer_id":"cust-beta","subject":"support visit","purpose":"SERVICE","channel":"ONLINE","cost":"1200","next_follow_up_at":"2026-11-12T06:00:00Z"}}
{"event_id":"li-opp-3","occurred_at":"2026-11-16T02:00:00Z","rep_id":"rep-li","opportunity_opened":{"opportunity_id":"opp-3","customer_id":"cust-gamma","expected_amount":"300000"}}
{"event_id":"li-won","occurred_at":"2026-11-19T03:00:00Z","rep_id":"rep-li","opportunity_closed":{"opportunity_id":"opp-1","outcome":"WON","reason":"best fit"}}
{"event_id":"li-sign","occurred_at":"2026-11-20T08:00:00Z","rep_id":"rep-li","contract_signed":{"contract_id":"ct-1","customer_id":"cust-acme","opportunity_id":"opp-1","amount":"1200000","cost":"700000","lines":[{"product_id":"crm-seat","quantity":"3","unit_price":"400000"}],"installments":[{"due_at":"2026-11-20T08:00:00Z","amount":"600000"},{"due_at":"2026-11-22T00:00:00Z","amount":"600000"}]}}
{"event_id":"li-pay","occurred_at":"2026-11-21T01:00:00Z","rep_id":"rep-li","payment_received":{"payment_id":"pay-1","contract_id":"ct-1","amount":"600000"}}
{"event_id":"li-fb-1","occurred_at":"2026-11-21T02:00:00Z","rep_id":"rep-li","feedback_recorded":{"customer_id":"cust-acme","score":4}}
{"event_id":"li-fb-2","occurred_at":"2026-11-22T02:00:00Z","rep_id":"rep-li","feedback_recorded":{"customer_id":"cust-gamma","score":5}}
)";
constexpr int kEventCount = 17;

using CliRun = ::salestrack::testing::CliResult;
using ::salestrack::testing::ReadFile;

// Cells of a table row: the text between runs of two or more spaces.
std::vector<std::string> Cells(absl::string_view line) {
  std::vector<std::string> cells;
  for (absl::string_view cell : absl::StrSplit(line, "  ", absl::SkipEmpty())) {
    cell = absl::StripAsciiWhitespace(cell);
    if (!cell.empty()) cells.emplace_back(cell);
  }
  return cells;
}

// The cells of the first row whose first cell is `key`; empty when there is none.
std::vector<std::string> Row(const std::string& out, absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    std::vector<std::string> cells = Cells(line);
    if (!cells.empty() && cells[0] == key) return cells;
  }
  return {};
}

// The value column of metric `name` in a kpis table.
std::string Value(const std::string& out, absl::string_view name) {
  std::vector<std::string> row = Row(out, name);
  return row.size() == 2 ? row[1] : "<no row \"" + std::string(name) + "\">";
}

class CliKpiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    daemon_ = new Daemon(dir_->Sub("data"));
    std::ofstream(dir_->Sub("events.jsonl")) << kEvents;
    CliRun append = Cli("append " + dir_->Sub("events.jsonl"));
    ASSERT_EQ(append.code, 0) << append.out << append.err;
    ASSERT_THAT(append.out, HasSubstr("appended 17 new, 0 duplicate, 0 refused"));
  }
  static void TearDownTestSuite() {
    delete daemon_;
    delete dir_;
  }

  static CliRun Cli(const std::string& args) {
    return ::salestrack::testing::RunCli("--server=" + daemon_->address() + " " + args);
  }

  static TempDir* dir_;
  static Daemon* daemon_;
};

TempDir* CliKpiTest::dir_ = nullptr;
Daemon* CliKpiTest::daemon_ = nullptr;

TEST_F(CliKpiTest, KpisOfARepForAMonth) {
  CliRun run = Cli("kpis --rep rep-li --period month --date 2026-11-14");
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(run.err, IsEmpty());
  EXPECT_THAT(run.out, StartsWith("KPIs for rep rep-li, MONTH 2026-11-01, at seq 17 (reps merged: "
                                  "rep-li)\n"));
  const std::string& o = run.out;
  // Actions: the visit and the call.
  EXPECT_EQ(Value(o, "actions"), "2");
  EXPECT_EQ(Value(o, "action_cost"), "8,800 (88.00)");
  EXPECT_EQ(Value(o, "actions_by_channel:VISIT"), "1");
  EXPECT_EQ(Value(o, "actions_by_channel:PHONE"), "1");
  EXPECT_EQ(Value(o, "actions_by_channel:ONLINE"), "0");
  EXPECT_EQ(Value(o, "actions_by_purpose:NEGOTIATE"), "1");
  // Opportunities: opp-1 and opp-3 opened; opp-1 won; none lost.
  EXPECT_EQ(Value(o, "opportunities_opened"), "2");
  EXPECT_EQ(Value(o, "opportunities_won"), "1");
  EXPECT_EQ(Value(o, "opportunities_lost"), "0");
  EXPECT_EQ(Value(o, "win_rate"), "100.0%");
  // Cohort funnel: both reached contact; only opp-1 (won, so every stage) reached value and
  // negotiation, although it skipped value.
  EXPECT_EQ(Value(o, "funnel_reached:contact"), "2");
  EXPECT_EQ(Value(o, "funnel_reached:value"), "1");
  EXPECT_EQ(Value(o, "funnel_reached:negotiation"), "1");
  EXPECT_EQ(Value(o, "funnel_won"), "1");
  // Stage intervals that ended in November: contact 7 d, negotiation 10 d; no value interval.
  // Means are exact; percentiles are within 1 %, so only the mean is pinned.
  EXPECT_THAT(Value(o, "stage_duration:contact"), StartsWith("n=1 mean=7.0d p50="));
  EXPECT_THAT(Value(o, "stage_duration:negotiation"), StartsWith("n=1 mean=10.0d p50="));
  EXPECT_EQ(Value(o, "stage_duration:value"), "—");
  EXPECT_THAT(Value(o, "sales_cycle"), StartsWith("n=1 mean=17.0d p50="));
  // ct-1.
  EXPECT_EQ(Value(o, "signings"), "1");
  EXPECT_EQ(Value(o, "products_sold"), "3");
  EXPECT_EQ(Value(o, "sales_amount"), "1,200,000 (12,000.00)");
  EXPECT_EQ(Value(o, "gross_profit"), "500,000 (5,000.00)");
  EXPECT_EQ(Value(o, "gross_margin"), "41.7%");  // 500,000 / 1,200,000
  EXPECT_EQ(Value(o, "customers_signed"), "1");
  // cust-acme's first contract is rep-wang's October ct-0: not new, returning.
  EXPECT_EQ(Value(o, "new_customers"), "0");
  EXPECT_EQ(Value(o, "returning_customers"), "1");
  EXPECT_EQ(Value(o, "repeat_purchase_rate"), "100.0%");
  EXPECT_EQ(Value(o, "avg_deal_size"), "1,200,000.00 (12,000.00)");
  EXPECT_EQ(Value(o, "payments"), "600,000 (6,000.00)");
  EXPECT_EQ(Value(o, "amount_due"),
            "1,200,000 (12,000.00)");  // Both installments fall in November.
  EXPECT_EQ(Value(o, "collection_rate"), "50.0%");
  EXPECT_EQ(Value(o, "satisfaction"), "4.50");  // (4 + 5) / 2
  EXPECT_EQ(Value(o, "follow_ups_due"), "1");
  EXPECT_EQ(Value(o, "follow_ups_on_time"), "1");
  EXPECT_EQ(Value(o, "follow_up_rate"), "100.0%");
  // Point in time (every installment is past due by now): ct-1 has 600,000 unpaid, all overdue;
  // opp-3 is the open pipeline; the call closed the only follow-up.
  EXPECT_THAT(o, HasSubstr("\npoint in time, as of "));
  EXPECT_EQ(Value(o, "outstanding"), "600,000 (6,000.00)");
  EXPECT_EQ(Value(o, "overdue"), "600,000 (6,000.00)");
  EXPECT_EQ(Value(o, "overdue_ratio"), "100.0%");
  EXPECT_EQ(Value(o, "open_pipeline"), "300,000 (3,000.00)");
  EXPECT_EQ(Value(o, "open_follow_ups"), "0");
  EXPECT_EQ(Value(o, "overdue_follow_ups"), "0");
}

TEST_F(CliKpiTest, UndefinedRatiosPrintADash) {
  // rep-wang closed nothing in November: win rate 0 / 0 is undefined, not 0 %. Its follow-up was
  // due and not done: 0 / 1 is a defined 0.0 %.
  CliRun run = Cli("kpis --rep rep-wang --date 2026-11-30");
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(Value(run.out, "win_rate"), "—");
  EXPECT_EQ(Value(run.out, "collection_rate"), "—");
  EXPECT_EQ(Value(run.out, "satisfaction"), "—");
  EXPECT_EQ(Value(run.out, "follow_ups_due"), "1");
  EXPECT_EQ(Value(run.out, "follow_up_rate"), "0.0%");
  EXPECT_EQ(Value(run.out, "actions_by_channel:ONLINE"), "1");
  EXPECT_EQ(Value(run.out, "open_pipeline"), "500,000 (5,000.00)");
  EXPECT_EQ(Value(run.out, "open_follow_ups"), "1");
  EXPECT_EQ(Value(run.out, "overdue_follow_ups"), "1");
}

TEST_F(CliKpiTest, OtherPeriodKindsAreNormalisedToTheirFirstDay) {
  CliRun week = Cli("kpis --rep rep-li --period week --date 2026-11-20");  // A Friday.
  ASSERT_EQ(week.code, 0) << week.err;
  EXPECT_THAT(week.out, StartsWith("KPIs for rep rep-li, WEEK 2026-11-16, at seq 17"));
  EXPECT_EQ(Value(week.out, "sales_amount"), "1,200,000 (12,000.00)");
  EXPECT_EQ(Value(week.out, "opportunities_opened"), "1");  // opp-3 only; opp-1 opened 11-02.

  CliRun october = Cli("kpis --rep rep-wang --period MONTH --date 2026-10-31");
  ASSERT_EQ(october.code, 0) << october.err;
  EXPECT_THAT(october.out, StartsWith("KPIs for rep rep-wang, MONTH 2026-10-01"));
  EXPECT_EQ(Value(october.out, "new_customers"), "1");  // ct-0 is cust-acme's first contract.
  EXPECT_EQ(Value(october.out, "sales_amount"), "300,000 (3,000.00)");
  EXPECT_EQ(Value(october.out, "amount_due"),
            "300,000 (3,000.00)");  // No installments: at signing.

  CliRun quarter = Cli("kpis --unit company --period quarter --date 2026-11-30");
  ASSERT_EQ(quarter.code, 0) << quarter.err;
  EXPECT_THAT(quarter.out, StartsWith("KPIs for unit company, QUARTER 2026-10-01"));
  // A unit's members are counted, and listed only when asked for.
  EXPECT_THAT(quarter.out, HasSubstr("(reps merged: 2)\n"));
  CliRun listed = Cli("kpis --unit company --period quarter --date 2026-11-30 --list_reps");
  ASSERT_EQ(listed.code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("(reps merged: rep-li, rep-wang)\n"));
  CliRun json = Cli("kpis --unit company --period quarter --date 2026-11-30 --json");
  ASSERT_EQ(json.code, 0) << json.err;
  v1::GetKpisResponse bare;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &bare).ok()) << json.out;
  EXPECT_EQ(bare.rep_count(), 2u);
  EXPECT_THAT(bare.rep_ids(), IsEmpty());
  EXPECT_EQ(Value(quarter.out, "sales_amount"), "1,500,000 (15,000.00)");
  EXPECT_EQ(Value(quarter.out, "signings"), "2");
  // cust-acme signed twice in the quarter, first in it: one customer, not returning.
  EXPECT_EQ(Value(quarter.out, "customers_signed"), "1");
  EXPECT_EQ(Value(quarter.out, "returning_customers"), "0");
  EXPECT_EQ(Value(quarter.out, "avg_deal_size"), "1,500,000.00 (15,000.00)");
}

TEST_F(CliKpiTest, KpisJsonParsesIntoGetKpisResponse) {
  CliRun run = Cli("kpis --unit company --period month --date 2026-11-01 --list_reps --json");
  ASSERT_EQ(run.code, 0) << run.err;
  v1::GetKpisResponse response;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(run.out, &response).ok()) << run.out;
  EXPECT_THAT(run.out, HasSubstr("\"rep_ids\":"));  // Proto field names, not repIds.
  EXPECT_EQ(response.seq(), static_cast<uint64_t>(kEventCount));
  EXPECT_EQ(response.subject().unit_id(), "company");
  EXPECT_EQ(response.period().kind(), v1::MONTH);
  EXPECT_EQ(response.period().date().year(), 2026);
  EXPECT_EQ(response.period().date().month(), 11);
  EXPECT_EQ(response.period().date().day(), 1);
  EXPECT_THAT(response.rep_ids(), ElementsAre("rep-li", "rep-wang"));
  EXPECT_EQ(response.rep_count(), 2u);
  std::map<std::string, v1::MetricValue> m, now;
  for (const auto& v : response.metrics()) m[v.name()] = v;
  for (const auto& v : response.point_in_time()) now[v.name()] = v;
  // The unit's November: both reps' figures merged.
  EXPECT_EQ(m["actions"].integer(), 3);
  EXPECT_EQ(m["action_cost"].integer(), 10000);
  EXPECT_EQ(m["action_cost"].kind(), v1::MetricValue::MONEY);
  EXPECT_EQ(m["opportunities_opened"].integer(), 2);
  EXPECT_EQ(m["signings"].integer(), 1);
  EXPECT_EQ(m["sales_amount"].integer(), 1200000);
  EXPECT_EQ(m["payments"].integer(), 600000);
  EXPECT_EQ(m["amount_due"].integer(), 1200000);
  EXPECT_EQ(m["follow_ups_due"].integer(), 2);
  EXPECT_EQ(m["follow_ups_on_time"].integer(), 1);
  ASSERT_TRUE(m["follow_up_rate"].defined());
  EXPECT_DOUBLE_EQ(m["follow_up_rate"].real(), 0.5);  // Recomputed from the parts, not averaged.
  ASSERT_TRUE(m["win_rate"].defined());
  EXPECT_DOUBLE_EQ(m["win_rate"].real(), 1.0);
  EXPECT_EQ(m["sales_cycle"].distribution().count(), 1);
  EXPECT_DOUBLE_EQ(m["sales_cycle"].distribution().mean_seconds(), 17 * 86400.0);
  EXPECT_FALSE(m["stage_duration:value"].defined());
  // Point in time: ct-1 600,000 + ct-0 300,000 unpaid and all due; opp-3 + opp-2 open.
  EXPECT_EQ(now["outstanding"].integer(), 900000);
  EXPECT_EQ(now["overdue"].integer(), 900000);
  EXPECT_EQ(now["open_pipeline"].integer(), 800000);
  EXPECT_EQ(now["open_follow_ups"].integer(), 1);
  EXPECT_EQ(now["overdue_follow_ups"].integer(), 1);
}

TEST_F(CliKpiTest, FunnelTable) {
  CliRun run = Cli("funnel --rep rep-li --date 2026-11-01");
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(run.out, StartsWith("funnel for rep rep-li: opportunities opened in MONTH "
                                  "2026-11-01, as of seq 17\n"));
  const std::string full(30, '#'), half(15, '#');
  EXPECT_THAT(Row(run.out, "opened"), ElementsAre("opened", "2", full));
  // contact -> value: 1 of 2; value -> negotiation: 1 of 1; negotiation -> won: 1 of 1.
  EXPECT_THAT(Row(run.out, "contact"),
              ElementsAre("contact", "初期接触 initial contact", "2", "50.0%", full));
  EXPECT_THAT(Row(run.out, "value"),
              ElementsAre("value", "产品价值了解 value understood", "1", "100.0%", half));
  EXPECT_THAT(Row(run.out, "negotiation"),
              ElementsAre("negotiation", "商务谈判 negotiation", "1", "100.0%", half));
  EXPECT_THAT(Row(run.out, "won"), ElementsAre("won", "1", half));

  // October for rep-li: nothing opened, no conversions.
  CliRun empty = Cli("funnel --rep rep-li --date 2026-10-01");
  ASSERT_EQ(empty.code, 0) << empty.err;
  EXPECT_THAT(Row(empty.out, "contact"),
              ElementsAre("contact", "初期接触 initial contact", "0", "—"));

  CliRun json = Cli("funnel --unit team-east --date 2026-11-01 --json");
  ASSERT_EQ(json.code, 0) << json.err;
  v1::GetFunnelResponse funnel;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &funnel).ok()) << json.out;
  EXPECT_EQ(funnel.opened(), 2);
  EXPECT_EQ(funnel.won(), 1);
  ASSERT_EQ(funnel.stages_size(), 3);
  EXPECT_EQ(funnel.stages(0).reached(), 2);
  EXPECT_DOUBLE_EQ(funnel.stages(0).conversion(), 0.5);
}

TEST_F(CliKpiTest, FollowUpsByState) {
  const std::string window = " --due_from 2026-11-01T00:00:00Z --due_to 2026-12-01T00:00:00Z";
  CliRun on_time = Cli("followups --unit company --state on_time" + window);
  ASSERT_EQ(on_time.code, 0) << on_time.err;
  EXPECT_THAT(on_time.out, StartsWith("follow-ups of unit company due 2026-11-01T00:00:00Z to "
                                      "2026-12-01T00:00:00Z, state on_time, at seq 17: 1\n"));
  EXPECT_THAT(Row(on_time.out, "due"),
              ElementsAre("due", "rep", "customer", "state", "done_at", "scheduled_by"));
  EXPECT_THAT(Row(on_time.out, "2026-11-05T02:00:00Z"),
              ElementsAre("2026-11-05T02:00:00Z", "rep-li", "cust-acme", "on_time",
                          "2026-11-05T10:00:00Z", "li-visit"));
  EXPECT_THAT(on_time.out, ::testing::Not(HasSubstr("rep-wang")));

  CliRun any = Cli("followups --unit company" + window);
  ASSERT_EQ(any.code, 0) << any.err;
  EXPECT_THAT(any.out, HasSubstr("state any, at seq 17: 2\n"));
  EXPECT_THAT(
      Row(any.out, "2026-11-12T06:00:00Z"),
      ElementsAre("2026-11-12T06:00:00Z", "rep-wang", "cust-beta", "overdue", "wang-service"));

  CliRun overdue = Cli("followups --rep rep-li --state overdue" + window);
  ASSERT_EQ(overdue.code, 0) << overdue.err;
  EXPECT_THAT(overdue.out, HasSubstr("state overdue, at seq 17: 0\n"));

  CliRun json = Cli("followups --rep rep-wang --state open --json" + window);
  ASSERT_EQ(json.code, 0) << json.err;
  v1::ListFollowUpsResponse list;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &list).ok()) << json.out;
  ASSERT_EQ(list.follow_ups_size(), 1);
  EXPECT_EQ(list.follow_ups(0).customer_id(), "cust-beta");
  EXPECT_TRUE(list.follow_ups(0).overdue());
}

TEST_F(CliKpiTest, VerifyAndRebuild) {
  CliRun verify = Cli("verify");
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, StartsWith("views match a replay of the log at seq 17 ("));
  EXPECT_THAT(verify.out, HasSubstr(" figures compared)\n"));

  CliRun rebuild = Cli("rebuild");
  EXPECT_EQ(rebuild.code, 0) << rebuild.err;
  EXPECT_THAT(rebuild.out, StartsWith("rebuilt the views from 17 events in "));
  EXPECT_THAT(rebuild.out, HasSubstr(" events/s), at seq 17\n"));

  CliRun json = Cli("rebuild --json");
  ASSERT_EQ(json.code, 0) << json.err;
  v1::RebuildResponse response;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &response).ok()) << json.out;
  EXPECT_EQ(response.events_replayed(), static_cast<uint64_t>(kEventCount));

  // The rebuilt views serve the same figures and still match a replay.
  EXPECT_EQ(Value(Cli("kpis --rep rep-li --date 2026-11-01").out, "sales_amount"),
            "1,200,000 (12,000.00)");
  EXPECT_EQ(Cli("verify").code, 0);
}

TEST_F(CliKpiTest, UsageErrorsExit2AndNameTheFlag) {
  struct Case {
    std::string args;
    std::string message;
  };
  for (const Case& c : std::vector<Case>{
           {"kpis", "salestrack kpis: give --rep ID or --unit ID"},
           {"funnel --period month", "salestrack funnel: give --rep ID or --unit ID"},
           {"followups", "salestrack followups: give --rep ID or --unit ID"},
           {"kpis --rep rep-li --unit company", "give either --rep or --unit, not both"},
           {"kpis --rep rep-li --date 2026-13-01", "--date must be a date YYYY-MM-DD"},
           {"kpis --rep rep-li --date 2026-02-30", "(got \"2026-02-30\")"},
           {"kpis --rep rep-li --date 11/01/2026", "--date must be a date YYYY-MM-DD"},
           {"funnel --rep rep-li --period fortnight",
            "--period must be day, week, month, quarter or year (got \"fortnight\")"},
           {"followups --rep rep-li --state late",
            "--state must be any, open, done, on_time or overdue"},
           {"followups --rep rep-li --due_from yesterday",
            "--due_from must be an RFC 3339 instant"},
           {"followups --rep rep-li --due_to 2026-11-31", "--due_to must be an RFC 3339 instant"},
           {"followups --rep rep-li --due_from 2026-11-02T00:00:00Z --due_to 2026-11-01T00:00:00Z",
            "--due_to must be after --due_from"},
           {"kpis --rep rep-li extra", "salestrack kpis: unexpected argument \"extra\""},
           {"verify now", "salestrack verify: unexpected argument \"now\""},
       }) {
    CliRun run = Cli(c.args);
    EXPECT_EQ(run.code, 2) << c.args << "\n" << run.out << run.err;
    EXPECT_THAT(run.err, HasSubstr(c.message)) << c.args;
    EXPECT_THAT(run.out, IsEmpty()) << c.args;
  }
}

TEST_F(CliKpiTest, DaemonErrorsExit1WithTheDaemonsMessage) {
  CliRun kpis = Cli("kpis --unit no-such-unit");
  EXPECT_EQ(kpis.code, 1);
  EXPECT_EQ(kpis.err, "salestrack kpis: unit \"no-such-unit\" is not defined\n");
  EXPECT_THAT(kpis.out, IsEmpty());

  CliRun funnel = Cli("funnel --unit no-such-unit --json");
  EXPECT_EQ(funnel.code, 1);
  EXPECT_EQ(funnel.err, "salestrack funnel: unit \"no-such-unit\" is not defined\n");

  CliRun followups = Cli("followups --unit no-such-unit");
  EXPECT_EQ(followups.code, 1);
  EXPECT_EQ(followups.err, "salestrack followups: unit \"no-such-unit\" is not defined\n");

  // An unreachable daemon: the message names the address.
  TempDir other;
  Daemon stopped(other.Sub("data"));
  std::string address = stopped.address();
  stopped.Stop();
  std::string err_path = other.Sub("stderr");
  FILE* p = popen((std::string(SALESTRACK_CLI_PATH) + " --timeout=5 --server=" + address +
                   " verify 2>" + err_path)
                      .c_str(),
                  "r");
  char buf[256];
  while (fread(buf, 1, sizeof buf, p) > 0) {
  }
  int status = pclose(p);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_THAT(ReadFile(err_path), StartsWith("salestrack verify: " + address + ": "));
}

// Every command that prints an amount or an id takes --locale as kpis does: money in the org
// currency (CNY by default), display names beside ids; without it, the output scripts read.
TEST(CliLocaleTest, TopWatchTargetsAndFollowUpsShowMoneyAndNamesInALocale) {
  TempDir dir;
  Daemon daemon(dir.Sub("data"));
  // November's sales target: team-east 2,000,000, rep-li 1,500,000, rep-wang none.
  const std::string november =
      R"("period":{"kind":"MONTH","date":{"year":2026,"month":11,"day":1}},"metric":"sales_amount")";
  std::ofstream(dir.Sub("events.jsonl"))
      << kEvents
      << R"({"event_id":"t-east","occurred_at":"2026-10-01T00:00:04Z","target_set":{"subject_unit_id":"team-east",)"
      << november << R"(,"baseline":"1000000","target":"2000000","challenge":"2500000"}})"
      << "\n"
      << R"({"event_id":"t-li","occurred_at":"2026-10-01T00:00:05Z","target_set":{"subject_rep_id":"rep-li",)"
      << november << R"(,"baseline":"1000000","target":"1500000","challenge":"1800000"}})"
      << "\n";
  auto cli = [&](const std::string& args) {
    return ::salestrack::testing::RunCli("--server=" + daemon.address() + " " + args);
  };
  CliRun append = cli("append " + dir.Sub("events.jsonl"));
  ASSERT_EQ(append.code, 0) << append.out << append.err;

  const std::string board =
      "--unit team-east --metric sales_amount --period month --date 2026-11-14";
  CliRun top = cli("top " + board + " --locale zh-CN");
  ASSERT_EQ(top.code, 0) << top.err;
  EXPECT_THAT(top.out, HasSubstr("unit team-east (East team), MONTH 2026-11-01")) << top.out;
  EXPECT_THAT(Row(top.out, "1"), ElementsAre("1", "rep-li (Li Na)", "¥12,000.00")) << top.out;
  EXPECT_THAT(Row(top.out, "2"), ElementsAre("2", "rep-wang (Wang Wei)", "¥0.00")) << top.out;
  CliRun plain_top = cli("top " + board);
  ASSERT_EQ(plain_top.code, 0) << plain_top.err;
  EXPECT_THAT(Row(plain_top.out, "1"), ElementsAre("1", "rep-li", "1,200,000 (12,000.00)"));
  EXPECT_THAT(plain_top.out, ::testing::Not(HasSubstr("Li Na")));

  CliRun watch = cli("watch " + board + " --updates 1 --locale zh-CN");
  ASSERT_EQ(watch.code, 0) << watch.err;
  EXPECT_THAT(Row(watch.out, "1"), ElementsAre("1", "rep-li (Li Na)", "¥12,000.00")) << watch.out;

  const std::string targets = "targets check --unit team-east --period month --date 2026-11-14";
  CliRun gaps = cli(targets + " --locale zh-CN");
  EXPECT_EQ(gaps.code, 1) << gaps.err;  // Something does not add up.
  EXPECT_THAT(
      Row(gaps.out, "team-east (East team)"),
      ElementsAre("team-east (East team)", "sales_amount", "¥20,000.00", "¥15,000.00", "-¥5,000.00",
                  "rep rep-li (Li Na) ¥15,000.00, rep rep-wang (Wang Wei) (none)"))
      << gaps.out;
  CliRun plain_gaps = cli(targets);
  EXPECT_EQ(plain_gaps.code, 1);
  EXPECT_THAT(Row(plain_gaps.out, "team-east"),
              ElementsAre("team-east", "sales_amount", "2,000,000", "1,500,000", "-500,000",
                          "rep rep-li 1,500,000, rep rep-wang (none)"))
      << plain_gaps.out;

  const std::string followups = "followups --unit company --state overdue";
  CliRun named = cli(followups + " --locale zh-CN");
  ASSERT_EQ(named.code, 0) << named.err;
  EXPECT_THAT(Row(named.out, "2026-11-12T06:00:00Z"),
              ElementsAre("2026-11-12T06:00:00Z", "rep-wang (Wang Wei)", "cust-beta", "overdue",
                          "wang-service"))
      << named.out;
  CliRun plain = cli(followups);
  ASSERT_EQ(plain.code, 0) << plain.err;
  EXPECT_THAT(plain.out, ::testing::Not(HasSubstr("Wang Wei")));
}

}  // namespace
}  // namespace salestrack
