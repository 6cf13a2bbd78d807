// `salestrack import --mapping` of CRM CSV exports into a real salestrackd: the shipped Salesforce-
// and HubSpot-style samples (import/) give the KPIs worked out by hand from their rows below;
// importing again changes nothing; a grown export appends only its new rows; a changed row is
// refused alone; bad files are reported row by row with file:line:column and send nothing unless
// --skip_bad_rows; --dry_run sends nothing; a mapping in another time zone than the daemon's is
// refused.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::CliResult;
using ::salestrack::testing::Daemon;
using ::salestrack::testing::ReadAll;
using ::salestrack::testing::ReadFile;
using ::salestrack::testing::RunCli;
using ::salestrack::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;
using ::testing::Pair;

const std::string kSamples = std::string(SALESTRACK_SOURCE_DIR) + "/import/";
constexpr int kOrgEvents = 6;  // import/sample_org.jsonl: company, two teams, three reps.

CliResult Cli(const Daemon& d, const std::string& args) {
  return RunCli("--server=" + d.address() + " " + args);
}

// The sample files of `crm` ("salesforce", "hubspot") as arguments.
std::string SampleFiles(const std::string& crm) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(kSamples + crm)) {
    if (entry.path().extension() == ".csv") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return absl::StrJoin(files, " ");
}

std::string Import(const std::string& crm, const std::string& files,
                   const std::string& flags = "") {
  return absl::StrCat("import --mapping=", kSamples, crm, "/mapping.textproto ", flags, " ", files);
}

// A daemon in Asia/Shanghai (the samples' zone) with the sample org defined.
class CrmImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<Daemon>(tmp_.Sub("data"),
                                       std::vector<std::string>{"--time_zone=Asia/Shanghai"});
    CliResult org = Cli(*daemon_, "append " + kSamples + "sample_org.jsonl");
    ASSERT_EQ(org.code, 0) << org.err;
  }

  uint64_t HeadSeq() {
    auto stub = daemon_->NewStub();
    std::vector<v1::EventRecord> all = ReadAll(*stub);
    return all.empty() ? 0 : all.back().seq();
  }

  // Every per-period figure of a rep or unit, by name: integers for counts and money, real x 100
  // rounded for means (undefined ones absent).
  std::map<std::string, int64_t> Kpis(const std::string& subject, v1::PeriodKind kind, int year,
                                      int month) {
    v1::GetKpisRequest request;
    if (subject.rfind("rep-", 0) == 0) {
      request.mutable_subject()->set_rep_id(subject);
    } else {
      request.mutable_subject()->set_unit_id(subject);
    }
    request.mutable_period()->set_kind(kind);
    request.mutable_period()->mutable_date()->set_year(year);
    request.mutable_period()->mutable_date()->set_month(month);
    request.mutable_period()->mutable_date()->set_day(1);
    grpc::ClientContext context;
    v1::GetKpisResponse response;
    grpc::Status status =
        v1::KpiService::NewStub(daemon_->NewChannel())->GetKpis(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::map<std::string, int64_t> figures;
    for (const v1::MetricValue& m : response.metrics()) {
      if (!m.defined()) continue;
      figures[m.name()] = m.kind() == v1::MetricValue::MEAN || m.kind() == v1::MetricValue::RATIO
                              ? static_cast<int64_t>(m.real() * 100 + 0.5)
                              : m.integer();
    }
    return figures;
  }

  TempDir tmp_;
  std::unique_ptr<Daemon> daemon_;
};

// The Salesforce sample (import/salesforce/*.csv), all in 2025, in Asia/Shanghai:
// opportunities.csv: 8 opened; Closed Won 3 (Q1aA1, Q1aA3, Q1aA5), Closed Lost 2 (Q1aA2, Q1aA7).
// contracts.csv: 101 ¥1,200,000 (cost 700,000), 102 ¥2,400,000 (cost 1,500,000), 103 ¥600,000 (no
//   cost), 104 ¥80,000 (cost 30,000): 4 signings, sales ¥4,280,000, gross profit 500,000 +
//   900,000 + 50,000 = ¥1,450,000; customers 上海华东贸易 (101, 104), 深圳前海云, 成都蜀道: 3 new.
// contract_products.csv: quantities 3 + 5 + 1 + 2 + 1 = 12.
// payment_schedule.csv: due in 2025: 101 600,000 + 600,000, 102 1,200,000 + 600,000 (its third,
//   2026-03-31, is not), 104 80,000; 103 has none: its 600,000 is due at signing. ¥3,680,000.
// payments.csv: 600,000 + 600,000 + 1,200,000 + 300,000 + 80,000 = ¥2,780,000.
// activities.csv: 14; expenses 880 + 1,200 + 650 + 3,600 + 2,400 + 500 + 300 = ¥9,530; 6 Meeting
//   (VISIT), 4 Call (PHONE), 2 Email (ONLINE).
// survey_responses.csv: 4, 5, 3, 5: mean 4.25.
// Contract 102 (王伟) is activated 2025/11/1 07:30 in Shanghai, 2025-10-31 23:30 UTC: November.
TEST_F(CrmImportTest, SalesforceSampleGivesTheKpisOfItsRows) {
  CliResult r = Cli(*daemon_, Import("salesforce", SampleFiles("salesforce")));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("imported 51 new, 0 duplicate, 0 refused"));
  EXPECT_THAT(r.err, HasSubstr("read 62 row(s) in 8 file(s): 51 event(s) from good rows"));

  std::map<std::string, int64_t> year = Kpis("company", v1::YEAR, 2025, 1);
  EXPECT_THAT(
      year, IsSupersetOf({Pair("opportunities_opened", 8), Pair("opportunities_won", 3),
                          Pair("opportunities_lost", 2), Pair("signings", 4),
                          Pair("sales_amount", 428'000'000), Pair("gross_profit", 145'000'000),
                          Pair("new_customers", 3), Pair("products_sold", 12),
                          Pair("amount_due", 368'000'000), Pair("payments", 278'000'000),
                          Pair("actions", 14), Pair("action_cost", 953'000),
                          Pair("actions_by_channel:VISIT", 6), Pair("actions_by_channel:PHONE", 4),
                          Pair("actions_by_channel:ONLINE", 2), Pair("satisfaction", 425)}));

  EXPECT_EQ(Kpis("rep-wang", v1::MONTH, 2025, 11)["sales_amount"], 240'000'000);
  EXPECT_EQ(Kpis("rep-wang", v1::MONTH, 2025, 10)["signings"], 0);

  // The same export again: nothing new, the same figures.
  const uint64_t head = HeadSeq();
  EXPECT_EQ(head, kOrgEvents + 51u);
  CliResult again = Cli(*daemon_, Import("salesforce", SampleFiles("salesforce")));
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("imported 0 new, 51 duplicate, 0 refused"));
  EXPECT_EQ(HeadSeq(), head);
  EXPECT_EQ(Kpis("company", v1::YEAR, 2025, 1), year);
  CliResult verify = Cli(*daemon_, "verify");
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
}

// The HubSpot sample (import/hubspot/*.csv; UTF-8 with a byte order mark, CRLF):
// deals.csv: 6 opened; Closed Won 18011 and 18014, Closed Lost 18012.
// contracts.csv: C-2025-001 ¥500,000 (cost 200,000), C-2025-002 ¥1,150,000 (no cost),
//   C-2025-003 ¥60,000 (cost 20,000), no installments (all due at signing): sales and amount due
//   ¥1,710,000, gross profit ¥340,000.
// line_items.csv: 10 + 20 + 1 + 1 = 32. payments.csv: 250,000 + 250,000.00 + 575,000 = ¥1,075,000.
// activities.csv: 10. feedback_submissions.csv: 5, 4, 2: mean 3.67.
// 18014 closes 2025-12-01 00:30 in Shanghai (2025-11-30 16:30 UTC): 李娜's December.
TEST_F(CrmImportTest, HubSpotSampleGivesTheKpisOfItsRows) {
  CliResult r = Cli(*daemon_, Import("hubspot", SampleFiles("hubspot")));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("imported 37 new, 0 duplicate, 0 refused"));
  std::map<std::string, int64_t> year = Kpis("company", v1::YEAR, 2025, 1);
  EXPECT_THAT(year, IsSupersetOf({Pair("opportunities_opened", 6), Pair("opportunities_won", 2),
                                  Pair("opportunities_lost", 1), Pair("signings", 3),
                                  Pair("sales_amount", 171'000'000),
                                  Pair("amount_due", 171'000'000), Pair("gross_profit", 34'000'000),
                                  Pair("products_sold", 32), Pair("payments", 107'500'000),
                                  Pair("actions", 10), Pair("satisfaction", 367)}));
  EXPECT_EQ(Kpis("rep-li", v1::MONTH, 2025, 12)["opportunities_won"], 1);
  EXPECT_EQ(Kpis("rep-li", v1::MONTH, 2025, 11)["opportunities_won"], 0);
}

// Copies the Salesforce sample into `dir`, each file cut to its header and first `rows[name]`
// lines (all when not named).
void CopySample(const std::string& dir, const std::map<std::string, int>& rows) {
  std::filesystem::create_directories(dir);
  for (const auto& entry : std::filesystem::directory_iterator(kSamples + "salesforce")) {
    if (entry.path().extension() != ".csv") continue;
    const std::string name = entry.path().filename().string();
    std::string text = ReadFile(entry.path().string());
    if (auto it = rows.find(name); it != rows.end()) {
      std::vector<std::string> lines = absl::StrSplit(text, "\r\n");
      lines.resize(it->second + 1);
      text = absl::StrJoin(lines, "\r\n") + "\r\n";
    }
    std::ofstream(dir + "/" + name, std::ios::binary) << text;
  }
}

std::string DirFiles(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return absl::StrJoin(files, " ");
}

TEST_F(CrmImportTest, GrownExportAppendsOnlyItsNewRowsAndAChangedRowIsRefusedAlone) {
  // The first export: 3 of the 5 payments and 10 of the 14 activities (the 2nd spans 2 lines,
  // with an LF inside quotes: the cut is by CRLF).
  const std::string early = tmp_.Sub("early");
  CopySample(early, {{"payments.csv", 3}, {"activities.csv", 10}});
  CliResult first = Cli(*daemon_, Import("salesforce", DirFiles(early)));
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("imported 45 new, 0 duplicate"));
  const uint64_t head = HeadSeq();

  // The grown export: the 6 new rows are appended, nothing else.
  CliResult grown = Cli(*daemon_, Import("salesforce", SampleFiles("salesforce")));
  ASSERT_EQ(grown.code, 0) << grown.err;
  EXPECT_THAT(grown.out, HasSubstr("imported 6 new, 45 duplicate, 0 refused"));
  auto stub = daemon_->NewStub();
  std::vector<v1::EventRecord> added = ReadAll(*stub, head + 1);
  std::vector<std::string> ids;
  for (const v1::EventRecord& r : added) ids.push_back(r.event().event_id());
  std::sort(ids.begin(), ids.end());
  EXPECT_THAT(
      ids, ::testing::ElementsAre("sfdc:activity:00T5g00001Ac011", "sfdc:activity:00T5g00001Ac012",
                                  "sfdc:activity:00T5g00001Ac013", "sfdc:activity:00T5g00001Ac014",
                                  "sfdc:payment:PAY-0004", "sfdc:payment:PAY-0005"));

  // An old row changed in the CRM (PAY-0001's amount) next to a new one: the changed row is
  // refused with its file and line (the log is append-only), the new one is appended.
  const std::string changed = tmp_.Sub("changed");
  CopySample(changed, {});
  std::string payments = ReadFile(changed + "/payments.csv");
  absl::StrReplaceAll({{"\"PAY-0001\",\"00000101\",\"2025/10/25 14:00\",\"¥600,000.00\"",
                        "\"PAY-0001\",\"00000101\",\"2025/10/25 14:00\",\"¥600,000.01\""}},
                      &payments);
  payments += "\"PAY-0006\",\"00000104\",\"2025/12/20 10:00\",\"¥1.00\",\"现金\"\r\n";
  std::ofstream(changed + "/payments.csv", std::ios::binary) << payments;
  CliResult refused = Cli(*daemon_, Import("salesforce", DirFiles(changed)));
  EXPECT_EQ(refused.code, 1);
  EXPECT_THAT(refused.err, HasSubstr(changed + "/payments.csv:2: "));
  EXPECT_THAT(refused.err, HasSubstr("sfdc:payment:PAY-0001"));
  EXPECT_THAT(refused.out, HasSubstr("imported 1 new, 50 duplicate, 1 refused"));
  EXPECT_EQ(ReadAll(*stub, HeadSeq()).back().event().event_id(), "sfdc:payment:PAY-0006");
}

TEST_F(CrmImportTest, BadFilesAreReportedRowByRowAndSendNothing) {
  const std::string dir = tmp_.Sub("bad");
  CopySample(dir, {});
  auto edit = [&](const std::string& name, const std::string& from, const std::string& to) {
    std::string text = ReadFile(dir + "/" + name);
    ASSERT_THAT(text, HasSubstr(from));
    text.replace(text.find(from), from.size(), to);
    std::ofstream(dir + "/" + name, std::ios::binary) << text;
  };
  edit("opportunities.csv", "\"2025/9/10 14:00\"", "\"2025-13-45\"");    // Line 3, col 7.
  edit("opportunities.csv", "\"¥350,000.00\"", "\"¥350,000.001\"");      // Line 5, col 5.
  edit("opportunities.csv", "\"Value Proposition\"", "\"Value Prop\"");  // Line 7, col 6.
  edit("survey_responses.csv", "\"Satisfaction Score\"", "\"Score\"");   // Missing column.
  edit("payments.csv", "\"银行转账\"\r\n\"PAY-0002\"",
       "\"银行转账\",\"x\"\r\n\"PAY-0002\"");                // Ragged.
  edit("payments.csv", "\"支票\"", "\"\xcf\xd6\xbd\xf0\"");  // GBK 现金, not UTF-8: line 5, col 5.
  CliResult r = Cli(*daemon_, Import("salesforce", DirFiles(dir)));
  EXPECT_EQ(r.code, 1);
  const std::string opps = dir + "/opportunities.csv:";
  EXPECT_THAT(r.err, HasSubstr(opps + "3:7: opportunities.opened_at (column \"Created Date\"): is "
                                      "not a time in the mapping's time_formats"));
  EXPECT_THAT(r.err, HasSubstr("(got \"2025-13-45\")"));
  EXPECT_THAT(r.err, HasSubstr(opps + "5:5: opportunities.expected_amount (column \"Amount\"): has "
                                      "more than 2 decimals"));
  EXPECT_THAT(r.err, HasSubstr(opps + "7:6: opportunities.stage (column \"Stage\"): not in the "
                                      "mapping's stages, won_stages or lost_stages (got \"Value "
                                      "Prop\")"));
  EXPECT_THAT(r.err, HasSubstr(dir + "/survey_responses.csv:1: missing column \"Satisfaction "
                                     "Score\" (mapping: feedback.score)"));
  EXPECT_THAT(r.err, HasSubstr(dir + "/payments.csv:2: has 6 fields, the header has 5"));
  EXPECT_THAT(r.err, HasSubstr(dir + "/payments.csv:5:5: column \"Method\": is not valid UTF-8"));
  EXPECT_THAT(r.err, HasSubstr("nothing was sent"));
  EXPECT_EQ(HeadSeq(), static_cast<uint64_t>(kOrgEvents));

  // --dry_run: the same report, nothing sent.
  CliResult dry = Cli(*daemon_, Import("salesforce", DirFiles(dir), "--dry_run"));
  EXPECT_EQ(dry.code, 1);
  EXPECT_THAT(dry.err, HasSubstr(opps + "3:7: "));
  EXPECT_THAT(dry.out, HasSubstr("nothing was sent"));
  EXPECT_EQ(HeadSeq(), static_cast<uint64_t>(kOrgEvents));

  // --skip_bad_rows: the good rows' events go, the bad ones are still reported.
  CliResult skip = Cli(*daemon_, Import("salesforce", DirFiles(dir), "--skip_bad_rows"));
  EXPECT_EQ(skip.code, 1);
  EXPECT_THAT(skip.err, HasSubstr(opps + "3:7: "));
  const std::string good = "event(s) from good rows";
  ASSERT_THAT(skip.err, HasSubstr(good));
  std::string count = skip.err.substr(0, skip.err.find(good));
  count = count.substr(count.rfind(' ', count.size() - 2) + 1);
  const uint64_t sent = std::stoull(count);
  EXPECT_GT(sent, 20u);
  EXPECT_THAT(skip.out, HasSubstr(absl::StrCat("imported ", sent, " new, 0 duplicate, 0 refused")));
  EXPECT_EQ(HeadSeq(), kOrgEvents + sent);
  auto stub = daemon_->NewStub();
  for (const v1::EventRecord& record : ReadAll(*stub, kOrgEvents + 1)) {
    EXPECT_THAT(record.event().event_id(), Not(HasSubstr("Q1aA2AAJ")));  // Line 3's opportunity.
    EXPECT_FALSE(record.event().has_feedback_recorded());  // Its file misses a column.
  }
}

TEST_F(CrmImportTest, DryRunSendsNothingAndAnotherTimeZoneIsRefused) {
  CliResult dry = Cli(*daemon_, Import("salesforce", SampleFiles("salesforce"), "--dry_run"));
  EXPECT_EQ(dry.code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("dry run: 51 event(s) would be sent, 0 problem(s)"));
  EXPECT_EQ(HeadSeq(), static_cast<uint64_t>(kOrgEvents));

  // A mapping that reads the times in UTC, for a daemon whose days are Shanghai's.
  const std::string mapping = tmp_.Sub("utc.textproto");
  std::string text = ReadFile(kSamples + "salesforce/mapping.textproto");
  absl::StrReplaceAll({{"time_zone: \"Asia/Shanghai\"", "time_zone: \"UTC\""}}, &text);
  std::ofstream(mapping) << text;
  const std::string files = SampleFiles("salesforce");
  CliResult other = Cli(*daemon_, "import --mapping=" + mapping + " " + files);
  EXPECT_EQ(other.code, 1);
  EXPECT_THAT(other.err, HasSubstr("reads the CSV times in time zone \"UTC\", but"));
  EXPECT_THAT(other.err, HasSubstr("Nothing was sent"));
  EXPECT_EQ(HeadSeq(), static_cast<uint64_t>(kOrgEvents));
  CliResult anyway = Cli(*daemon_, "import --ignore_time_zone --mapping=" + mapping + " " + files);
  EXPECT_EQ(anyway.code, 0) << anyway.err;
  EXPECT_THAT(anyway.out, HasSubstr("imported 51 new"));
}

}  // namespace
}  // namespace salestrack
