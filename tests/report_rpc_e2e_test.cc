// GetReport end to end through a real salestrackd with API keys: the three formats, money in a
// locale (万 in zh-CN totals), display names beside ids, hostile names escaped (HTML, Markdown,
// CSV formulas), a rep's own report, and the refusals (no format, a bad locale, a rep asking for
// another rep, a manager outside its subtree, a screen key). The HTTP front door serves the same
// method with the web app's request shape.
#include <memory>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "keyed_daemon.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "salestrack/v1/log_service.grpc.pb.h"
#include "scoring_fixture.h"

namespace salestrack {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A rep whose name is markup, and one whose name is a spreadsheet formula.
constexpr char kHostile[] = R"txt(
event_id: "r-eve" occurred_at { seconds: 1788220800 } rep_defined { rep_id: "eve" name: "<script>alert(1)</script>|x" unit_id: "sh" role: "seed" active: true }
event_id: "r-fay" occurred_at { seconds: 1788220800 } rep_defined { rep_id: "fay" name: "=HYPERLINK(\"http://x\")" unit_id: "sh" role: "seed" active: true }
)txt";

class ReportRpcTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keyed_ = new testing::KeyedDaemon("", {{"root", "admin"},
                                           {"ann-phone", "rep", "rep_id: \"ann\""},
                                           {"hz-lead", "manager", "unit_id: \"hz\""},
                                           {"east-lead", "manager", "unit_id: \"east\""},
                                           {"tv", "screen"}});
    v1::AppendRequest request;
    for (const char* text : {testing::kScoringEvents, kHostile}) {
      for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipWhitespace())) {
        ASSERT_TRUE(
            google::protobuf::TextFormat::ParseFromString(std::string(line), request.add_events()))
            << line;
      }
    }
    v1::AppendResponse response;
    grpc::ClientContext context;
    grpc::Status s =
        v1::LogService::NewStub(keyed_->Channel("root"))->Append(&context, request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  static void TearDownTestSuite() { delete keyed_; }

  static v1::GetReportRequest Request(v1::GetReportRequest::Format format,
                                      const std::string& locale = "",
                                      const std::string& unit = "east") {
    v1::GetReportRequest request;
    request.mutable_subject()->set_unit_id(unit);
    request.mutable_period()->set_kind(v1::MONTH);
    request.mutable_period()->mutable_date()->set_year(2026);
    request.mutable_period()->mutable_date()->set_month(11);
    request.mutable_period()->mutable_date()->set_day(1);
    request.set_format(format);
    request.set_locale(locale);
    return request;
  }
  static grpc::Status Call(const std::string& key, const v1::GetReportRequest& request,
                           v1::GetReportResponse* response) {
    grpc::ClientContext context;
    return v1::KpiService::NewStub(keyed_->Channel(key))->GetReport(&context, request, response);
  }
  static v1::GetReportResponse Report(const v1::GetReportRequest& request,
                                      const std::string& key = "root") {
    v1::GetReportResponse response;
    grpc::Status s = Call(key, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  static testing::KeyedDaemon* keyed_;
};

testing::KeyedDaemon* ReportRpcTest::keyed_ = nullptr;

TEST_F(ReportRpcTest, EachFormatHasItsFileNameTypeAndNamesBesideIds) {
  v1::GetReportResponse md = Report(Request(v1::GetReportRequest::MARKDOWN));
  EXPECT_EQ(md.filename(), "report-east-2026-11-01.md");
  EXPECT_EQ(md.content_type(), "text/markdown; charset=utf-8");
  EXPECT_GT(md.seq(), 0u);
  EXPECT_THAT(md.content(),
              HasSubstr("# Team evaluation report: unit east (East region), MONTH 2026-11-01"));
  EXPECT_THAT(md.content(), HasSubstr("| 1 | ann | Ann | 75.25 |"));
  EXPECT_THAT(md.content(), HasSubstr("### ann (Ann)"));
  // No locale: minor units with major units in brackets.
  EXPECT_THAT(md.content(), HasSubstr("commission 2,000 (20.00)"));

  v1::GetReportResponse csv = Report(Request(v1::GetReportRequest::CSV, "zh-CN"));
  EXPECT_EQ(csv.filename(), "report-east-2026-11-01.csv");
  EXPECT_EQ(csv.content_type(), "text/csv; charset=utf-8");
  // Minor units whatever the locale: programs read it.
  EXPECT_THAT(csv.content(), HasSubstr("total,rep ann,Ann,,,commission,,,,,,2000,,,\r\n"));
  EXPECT_THAT(csv.content(), HasSubstr("ranking,rep ann,Ann,1,,composite_score,,,,,,75.25,,,\r\n"));

  v1::GetReportResponse html = Report(Request(v1::GetReportRequest::HTML, "en"));
  EXPECT_EQ(html.filename(), "report-east-2026-11-01.html");
  EXPECT_EQ(html.content_type(), "text/html; charset=utf-8");
  EXPECT_THAT(html.content(), HasSubstr("<h3>ann (Ann)</h3>"));
  EXPECT_THAT(html.content(), HasSubstr("commission ¥20.00"));
}

TEST_F(ReportRpcTest, ZhCnShowsMoneyInYuanWithWanInTheTotals) {
  std::string md = Report(Request(v1::GetReportRequest::MARKDOWN, "zh-CN")).content();
  // Ann's sales of 1,150,000 fen: ¥11,500.00 in the table, ¥1.2万 in her totals line.
  EXPECT_THAT(md, HasSubstr("¥11,500.00"));
  EXPECT_THAT(md, HasSubstr("sales ¥1.2万 of target ¥1万"));
  EXPECT_THAT(md, HasSubstr("money in the org currency"));
  // LANG's spelling works too.
  EXPECT_EQ(Report(Request(v1::GetReportRequest::MARKDOWN, "zh_CN.UTF-8")).content(), md);
}

TEST_F(ReportRpcTest, HostileNamesAreEscapedInEveryFormat) {
  std::string html = Report(Request(v1::GetReportRequest::HTML)).content();
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;|x"));
  std::string md = Report(Request(v1::GetReportRequest::MARKDOWN)).content();
  EXPECT_THAT(md, Not(HasSubstr("<script>")));
  EXPECT_THAT(md, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;\\|x"));
  std::string csv = Report(Request(v1::GetReportRequest::CSV)).content();
  // Quoted by libcsv (quotes doubled), and never a formula.
  EXPECT_THAT(csv, HasSubstr(",\"'=HYPERLINK(\"\"http://x\"\")\","));
  EXPECT_THAT(csv, Not(HasSubstr(",=HYPERLINK")));
}

TEST_F(ReportRpcTest, ARepGetsItsOwnReportAndNoOneElses) {
  v1::GetReportRequest own = Request(v1::GetReportRequest::MARKDOWN);
  own.mutable_subject()->set_rep_id("ann");
  v1::GetReportResponse r = Report(own, "ann-phone");
  EXPECT_EQ(r.filename(), "report-ann-2026-11-01.md");
  EXPECT_THAT(r.content(), HasSubstr("# Evaluation report: rep ann (Ann), MONTH 2026-11-01"));
  EXPECT_THAT(r.content(), Not(HasSubstr("Ranking")));

  v1::GetReportResponse response;
  v1::GetReportRequest other = own;
  other.mutable_subject()->set_rep_id("bob");
  EXPECT_EQ(Call("ann-phone", other, &response).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Call("ann-phone", Request(v1::GetReportRequest::CSV), &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ReportRpcTest, RefusesOutOfScopeWrongRoleAndBadArguments) {
  v1::GetReportResponse response;
  EXPECT_EQ(Call("hz-lead", Request(v1::GetReportRequest::CSV), &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(Call("east-lead", Request(v1::GetReportRequest::CSV), &response).ok());
  grpc::Status s = Call("tv", Request(v1::GetReportRequest::CSV), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << s.error_message();

  s = Call("root", Request(v1::GetReportRequest::FORMAT_UNSPECIFIED), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("format: must be CSV, MARKDOWN or HTML"));
  s = Call("root", Request(v1::GetReportRequest::HTML, "zh-CN\"><script>"), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("locale: "));
  s = Call("root", Request(v1::GetReportRequest::HTML, std::string(100, 'a')), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("locale: longer than 35 bytes"));
  s = Call("root", Request(v1::GetReportRequest::HTML, "", "nowhere"), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
}

}  // namespace
}  // namespace salestrack
