// Unit tests of the CRM import's pieces: the mapping's checks, money, instants, event ids, CSV
// reading and the row conversion (convert.h).
#include <string>

#include "cli/import/convert.h"
#include "cli/import/csv_table.h"
#include "cli/import/mapping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salestrack/proto_time.h"
#include "salestrack/validation.h"

namespace salestrack::cli::crm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kMapping[] = R"pb(
  source: "crm"
  time_zone: "Asia/Shanghai"
  time_formats: "%Y-%m-%d %H:%M"
  time_formats: "%Y-%m-%d"
  time_formats: "%Y-%m-%dT%H:%M:%E*S%Ez"
  money { group_separators: "," currency_symbols: "¥" currency_symbols: "CNY" }
  reps { key: "李娜" value: "rep-li" }
  stages { key: "Qualified" value: "value" }
  won_stages: "Won"
  lost_stages: "Lost"
  opportunities {
    file_name: "deals.csv"
    opportunity_id: "Deal ID"
    opened_at: "Created"
    rep: "Owner"
    customer: "Company"
    expected_amount: "Amount"
    stage: "Stage"
    closed_at: "Closed"
  }
)pb";

Mapping TestMapping() {
  absl::StatusOr<Mapping> m = ParseMapping(kMapping);
  EXPECT_TRUE(m.ok()) << m.status();
  return *m;
}

TEST(MoneyTest, ParsesDecimalsExactlyIntoMinorUnits) {
  v1::ImportMoneyFormat f = TestMapping().spec.money();
  EXPECT_EQ(*ParseMoney("¥1,234.50", f), 123450);
  EXPECT_EQ(*ParseMoney(" CNY 1,200,000.00 ", f), 120000000);
  EXPECT_EQ(*ParseMoney("0.1", f), 10);
  EXPECT_EQ(*ParseMoney("7", f), 700);
  EXPECT_EQ(*ParseMoney("19.990", f), 1999);  // A trailing zero decimal is exact.
  // Every digit is kept (a double would round the last cent of this one).
  EXPECT_EQ(*ParseMoney("9,999,999,999,999.99", f), kMaxEventAmount - 1);
  EXPECT_EQ(*ParseMoney("10,000,000,000,000.00", f), kMaxEventAmount);
}

TEST(MoneyTest, RefusesWhatDoesNotFit) {
  v1::ImportMoneyFormat f = TestMapping().spec.money();
  EXPECT_THAT(ParseMoney("12.345", f).status().message(), HasSubstr("more than 2 decimals"));
  EXPECT_THAT(ParseMoney("-5", f).status().message(), HasSubstr("negative"));
  EXPECT_THAT(ParseMoney("(5.00)", f).status().message(), HasSubstr("negative"));
  EXPECT_THAT(ParseMoney("1O0", f).status().message(), HasSubstr("unexpected \"O\""));
  EXPECT_THAT(ParseMoney("1.2.3", f).status().message(), HasSubstr("unexpected \".\""));
  EXPECT_THAT(ParseMoney(",100", f).status().message(), HasSubstr("unexpected \",\""));
  EXPECT_THAT(ParseMoney("¥", f).status().message(), HasSubstr("empty"));
  EXPECT_THAT(ParseMoney("10,000,000,000,000.01", f).status().message(), HasSubstr("too large"));
  EXPECT_THAT(ParseMoney("99999999999999999999999999", f).status().message(),
              HasSubstr("too large"));
  v1::ImportMoneyFormat euro;
  euro.set_decimal_mark(",");
  euro.add_group_separators(".");
  EXPECT_EQ(*ParseMoney("1.234,56", euro), 123456);
  euro.set_minor_digits(0);
  EXPECT_EQ(*ParseMoney("1.234", euro), 1234);
  EXPECT_THAT(ParseMoney("1,5", euro).status().message(), HasSubstr("more than 0 decimals"));
}

TEST(InstantTest, ReadsNaiveTimesInTheMappingsZone) {
  Mapping m = TestMapping();
  // 09:30 in Shanghai (UTC+8) is 01:30 UTC; a date alone is midnight there.
  EXPECT_EQ(*ParseInstant("2025-03-04 09:30", m),
            absl::FromCivil(absl::CivilMinute(2025, 3, 4, 1, 30), absl::UTCTimeZone()));
  EXPECT_EQ(*ParseInstant("2025-11-01", m),
            absl::FromCivil(absl::CivilHour(2025, 10, 31, 16), absl::UTCTimeZone()));
  // An offset in the cell wins over the zone.
  EXPECT_EQ(*ParseInstant("2025-03-04T09:30:00.25+00:00", m),
            absl::FromCivil(absl::CivilMinute(2025, 3, 4, 9, 30), absl::UTCTimeZone()) +
                absl::Milliseconds(250));
  EXPECT_THAT(ParseInstant("2025-03-04T09:30:00.0000001+00:00", m).status().message(),
              HasSubstr("microsecond"));
  EXPECT_THAT(ParseInstant("04/03/2025", m).status().message(),
              HasSubstr("is not a time in the mapping's time_formats"));
  EXPECT_THAT(ParseInstant("2025-02-30", m).status().message(), HasSubstr("is not a time"));
}

TEST(MappingTest, ErrorsNameTheField) {
  auto error = [](const std::string& text) {
    return std::string(ParseMapping(text).status().message());
  };
  EXPECT_THAT(error("source: \"x\" bogus: 1"),
              HasSubstr("line 1, column 18: Message type \"salestrack.v1.ImportMapping\" has no "
                        "field named \"bogus\""));
  const std::string base = "source: \"x\" time_zone: \"UTC\" time_formats: \"%Y\" ";
  EXPECT_THAT(error(base), HasSubstr("mapping: names no file"));
  EXPECT_THAT(error(base + "feedback { file_name: \"f.csv\" key: \"ID\" }"),
              HasSubstr("feedback.recorded_at: is required"));
  EXPECT_THAT(error(base + "channels { key: \"Call\" value: \"PHONECALL\" } payments {}"),
              HasSubstr("channels[\"Call\"]: unknown value \"PHONECALL\""));
  EXPECT_THAT(error(base + "activities { occurred_at: \"D\" rep: \"R\" customer: \"C\" }"),
              HasSubstr("activities.key: is required"));
  EXPECT_THAT(
      error(base + "activities { key: \"K\" occurred_at: \"D\" rep: \"R\" customer: \"C\" }"),
      HasSubstr("default_channel: is required when activities.channel is not set"));
  EXPECT_THAT(error("source: \"a b\""), HasSubstr("source: may hold only"));
  EXPECT_THAT(error("source: \"x\" time_zone: \"Mars/Base\" time_formats: \"%Y\" "
                    "payments { payment_id: \"P\" received_at: \"D\" contract_id: \"C\" "
                    "amount: \"A\" }"),
              HasSubstr("time_zone: unknown time zone \"Mars/Base\""));
  EXPECT_THAT(error(base + "money { decimal_mark: \",\" group_separators: \",\" }"),
              HasSubstr("money.group_separators"));
}

TEST(IntegerTest, ReadsWholeNumbersInRange) {
  EXPECT_EQ(*ParseInteger(" 5 ", 1, 5), 5);
  EXPECT_THAT(ParseInteger("6", 1, 5).status().message(), HasSubstr("must be in 1..5"));
  EXPECT_THAT(ParseInteger("4.5", 1, 5).status().message(), HasSubstr("not a whole number"));
  EXPECT_THAT(ParseInteger("-1", 0, 5).status().message(), HasSubstr("not a whole number"));
  EXPECT_THAT(ParseInteger("99999999999999999999999", 1, kMaxEventAmount).status().message(),
              HasSubstr("must be in 1.."));
}

TEST(EventIdTest, IsTheKeyOrItsHashWhenTooLong) {
  EXPECT_EQ(EventId("sfdc", "opp", "0065g00000Q1aA1AAJ"), "sfdc:opp:0065g00000Q1aA1AAJ");
  const std::string long_key(200, 'k');
  const std::string id = EventId("sfdc", "opp", long_key);
  EXPECT_EQ(id.size(), std::string("sfdc:opp:sha256:").size() + 32);
  EXPECT_FALSE(CheckIdentifier(id).has_value());
  EXPECT_EQ(id, EventId("sfdc", "opp", long_key));  // Stable, so re-imports dedupe.
  EXPECT_NE(id, EventId("sfdc", "opp", long_key + "x"));
}

TEST(CsvTest, QuotedNewlinesBomCrlfAndLineNumbers) {
  CsvTable t = ParseCsv(
      "\xEF\xBB\xBF\"Deal ID\",Name\r\n"
      "1,\"two\r\nlines, \"\"quoted\"\"\"\r\n"
      "\r\n"
      "2,李娜\r\n");
  EXPECT_THAT(t.problems, IsEmpty());
  EXPECT_THAT(t.header, ElementsAre("Deal ID", "Name"));
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].line, 2);
  EXPECT_THAT(t.rows[0].cells, ElementsAre("1", "two\r\nlines, \"quoted\""));
  EXPECT_EQ(t.rows[1].line, 5);
  EXPECT_THAT(t.rows[1].cells, ElementsAre("2", "李娜"));
}

TEST(CsvTest, ReportsRaggedRowsBadUtf8AndSyntax) {
  CsvTable t = ParseCsv("a,b\n1,2,3\n4,\xff\n5,6\n7,\"x\"y\n8,9\n");
  ASSERT_EQ(t.problems.size(), 3u);
  EXPECT_EQ(t.problems[0].line, 2);
  EXPECT_THAT(t.problems[0].message, HasSubstr("has 3 fields, the header has 2"));
  EXPECT_EQ(t.problems[1].line, 3);
  EXPECT_EQ(t.problems[1].column, 2);
  EXPECT_THAT(t.problems[1].message, HasSubstr("column \"b\": is not valid UTF-8"));
  EXPECT_EQ(t.problems[2].line, 5);
  EXPECT_THAT(t.problems[2].message, HasSubstr("CSV syntax"));
  ASSERT_EQ(t.rows.size(), 1u);  // 5,6; the file is not read past the syntax error.
  EXPECT_EQ(t.rows[0].line, 4);
  EXPECT_THAT(ParseCsv("a\n\"open\n").problems[0].message, HasSubstr("not closed"));
}

TEST(ConvertTest, RowsBecomeEventsAndEveryProblemIsReported) {
  Mapping m = TestMapping();
  InputFile deals{Kind::kOpportunities, "deals.csv",
                  ParseCsv("Deal ID,Created,Owner,Company,Amount,Stage,Closed\n"
                           "D1,2025-03-01 10:00,李娜,上海华东贸易,\"¥1,000.00\",Won,2025-03-20\n"
                           "D2,2025-03-02 10:00,李娜,北京天元,5,Qualified,\n"
                           "D3,2025-13-01,王五,,1.234,Maybe,\n")};
  Conversion c = Convert(m, {deals}, absl::Now());
  ASSERT_EQ(c.events.size(), 3u);  // D1 opened and won, D2 opened.
  const v1::Event& opened = c.events[0].event;
  EXPECT_EQ(opened.event_id(), "crm:opp:D1");
  EXPECT_EQ(opened.rep_id(), "rep-li");
  EXPECT_EQ(opened.opportunity_opened().customer_id(), "上海华东贸易");
  EXPECT_EQ(opened.opportunity_opened().expected_amount(), 100000);
  EXPECT_EQ(c.events[0].line, 2);
  EXPECT_EQ(c.events[1].event.event_id(), "crm:opp:D2");
  EXPECT_EQ(c.events[2].event.event_id(), "crm:close:D1");  // Time order: 03-20 last.
  EXPECT_EQ(c.events[2].event.opportunity_closed().outcome(), v1::OpportunityClosed::WON);
  std::vector<std::string> errors;
  for (const RowError& e : c.errors) errors.push_back(e.ToString());
  EXPECT_THAT(
      errors,
      ElementsAre(
          HasSubstr("deals.csv:4:2: opportunities.opened_at (column \"Created\"): is not a time"),
          HasSubstr("deals.csv:4:3: opportunities.rep (column \"Owner\"): not in the mapping's "
                    "reps (got \"王五\")"),
          HasSubstr("deals.csv:4:4: opportunities.customer (column \"Company\"): is required"),
          HasSubstr("deals.csv:4:5: opportunities.expected_amount (column \"Amount\"): has more "
                    "than 2 decimals"),
          HasSubstr("deals.csv:4:6: opportunities.stage (column \"Stage\"): not in the mapping's "
                    "stages")));

  InputFile missing{Kind::kOpportunities, "deals.csv",
                    ParseCsv("Deal ID,Created\nD1,2025-03-01\n")};
  Conversion none = Convert(m, {missing}, absl::Now());
  EXPECT_THAT(none.events, IsEmpty());
  ASSERT_FALSE(none.errors.empty());
  EXPECT_THAT(none.errors[0].ToString(),
              HasSubstr("deals.csv:1: missing column \"Owner\" (mapping: opportunities.rep)"));
}

}  // namespace
}  // namespace salestrack::cli::crm
