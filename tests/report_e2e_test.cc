// `salestrack report` end to end: golden files of the Markdown, CSV and HTML report on a fixed data
// set (tests/scoring_fixture.h plus a small funnel), and the HTML rendered by headless Chromium:
// a screenshot that shows the charts, and no network request from the page.
//
// Regenerate the golden files after an intended change with
//   SALESTRACK_UPDATE_GOLDEN=1 build/tests/report_e2e_test
// and review the diff.
#include <png.h>

#include <cstdlib>
#include <fstream>

#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "gtest/gtest.h"
#include "scoring_fixture.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::Daemon;
using ::salestrack::testing::TempDir;
using ::testing::HasSubstr;

// Ann's and Bob's November opportunities: ann opens 3 (one reaches negotiation and is won, one
// stays at value, one is lost at contact); bob opens 1 that stays at contact.
constexpr char kFunnel[] = R"txt(
event_id: "o1" occurred_at { seconds: 1793844000 } rep_id: "ann" opportunity_opened { opportunity_id: "o1" customer_id: "c1" expected_amount: 600000 }
event_id: "o1v" occurred_at { seconds: 1794016800 } rep_id: "ann" opportunity_stage_changed { opportunity_id: "o1" stage: "value" }
event_id: "o1n" occurred_at { seconds: 1794189600 } rep_id: "ann" opportunity_stage_changed { opportunity_id: "o1" stage: "negotiation" }
event_id: "o1w" occurred_at { seconds: 1794362400 } rep_id: "ann" opportunity_closed { opportunity_id: "o1" outcome: WON }
event_id: "o2" occurred_at { seconds: 1793930400 } rep_id: "ann" opportunity_opened { opportunity_id: "o2" customer_id: "c3" expected_amount: 200000 }
event_id: "o2v" occurred_at { seconds: 1794535200 } rep_id: "ann" opportunity_stage_changed { opportunity_id: "o2" stage: "value" }
event_id: "o3" occurred_at { seconds: 1794016800 } rep_id: "ann" opportunity_opened { opportunity_id: "o3" customer_id: "c4" expected_amount: 100000 }
event_id: "o3l" occurred_at { seconds: 1794621600 } rep_id: "ann" opportunity_closed { opportunity_id: "o3" outcome: LOST }
event_id: "o4" occurred_at { seconds: 1794103200 } rep_id: "bob" opportunity_opened { opportunity_id: "o4" customer_id: "c9" expected_amount: 300000 }
)txt";

class ReportE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<Daemon>(dir_.Sub("data"));
    std::string path = dir_.Sub("events.jsonl");
    std::ofstream(path) << testing::JsonLines(testing::kScoringEvents)
                        << testing::JsonLines(kFunnel);
    testing::CliResult r = Cli("append " + path);
    ASSERT_EQ(r.code, 0) << r.err;
    out_ = dir_.Sub("reports/east");  // Not there yet: the CLI creates it.
    r = Cli("report --unit east --period month --date 2026-11-01 --out " + out_);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("wrote " + out_ + "/report.html"));
  }
  testing::CliResult Cli(const std::string& args) {
    return testing::RunCli("--server=" + daemon_->address() + " " + args);
  }

  TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
  std::string out_;
};

TEST_F(ReportE2eTest, MatchesTheGoldenFiles) {
  const bool update = std::getenv("SALESTRACK_UPDATE_GOLDEN") != nullptr;
  for (const char* name : {"report.md", "report.csv", "report.html"}) {
    const std::string got = testing::ReadFile(out_ + "/" + name);
    const std::string golden = std::string(SALESTRACK_SOURCE_DIR) + "/tests/golden/" + name;
    if (update) {
      std::ofstream(golden, std::ios::binary) << got;
      continue;
    }
    EXPECT_EQ(got, testing::ReadFile(golden))
        << name << " differs from " << golden << "; see the top of this test to regenerate";
  }
}

TEST_F(ReportE2eTest, ReportHoldsTheTeamTableRankingFunnelAndEveryRep) {
  const std::string md = testing::ReadFile(out_ + "/report.md");
  EXPECT_THAT(md, HasSubstr("# Team evaluation report: unit east (East region), MONTH 2026-11-01"));
  EXPECT_THAT(md, HasSubstr("| 1 | ann | Ann | 75.25 | x1.00 | 2,000 (20.00) | seed |"));
  EXPECT_THAT(md, HasSubstr("| 2 | bob | Bob | 0.00 | x0.80 | 0 (0.00) | seed |"));
  EXPECT_THAT(md, HasSubstr("| — | dan | Dan | — |"));  // No scheme: on the board, unranked.
  EXPECT_THAT(md, HasSubstr("no scheme for role \"nobody-scores-me\""));
  EXPECT_THAT(md, HasSubstr("| opened |  | 4 |  |"));
  EXPECT_THAT(md, HasSubstr("| negotiation | 商务谈判 negotiation | 1 | 100.0% |"));
  EXPECT_THAT(md, HasSubstr("### ann (Ann)"));
  // --locale: the daemon renders money in the org currency, 万 in the zh-CN totals lines.
  const std::string zh = dir_.Sub("reports/zh");
  testing::CliResult r = Cli("report --unit east --date 2026-11-01 --locale zh-CN --out " + zh);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(testing::ReadFile(zh + "/report.md"), HasSubstr("sales ¥1.2万 of target ¥1万"));
  const std::string csv = testing::ReadFile(out_ + "/report.csv");
  EXPECT_THAT(csv, HasSubstr("total,rep ann,Ann,,,composite_score,,,,,,75.25,,,\r\n"));
  EXPECT_THAT(csv, HasSubstr("ranking,rep ann,Ann,1,,composite_score,,,,,,75.25,,,\r\n"));
  EXPECT_THAT(csv, HasSubstr("funnel,unit east,East region,,,funnel_won,,,,,,1,,,\r\n"));
  // Nothing to fetch: no scheme-qualified URL anywhere, and a policy that forbids loading anything.
  const std::string html = testing::ReadFile(out_ + "/report.html");
  EXPECT_THAT(html, ::testing::Not(HasSubstr("http:")));
  EXPECT_THAT(html, ::testing::Not(HasSubstr("https:")));
  EXPECT_THAT(html, ::testing::Not(HasSubstr("src=")));
  EXPECT_THAT(html, HasSubstr("default-src 'none'"));
  EXPECT_THAT(html, HasSubstr("<svg class=\"chart\" id=\"funnel-chart\""));
  EXPECT_THAT(html, HasSubstr("<svg class=\"chart\" id=\"ranking-chart\""));
}

// Requests a page made, from a Chromium net log: URL_REQUEST_START_JOB events whose initiator is a
// page ("null" for a file:// page) rather than the browser itself ("not an origin": update checks).
std::vector<std::string> PageRequests(const std::string& netlog_path) {
  google::protobuf::Struct log;
  std::string text = testing::ReadFile(netlog_path);
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(text, &log).ok()) << netlog_path;
  const auto& types = log.fields().at("constants").struct_value().fields().at("logEventTypes");
  const double start_job = types.struct_value().fields().at("URL_REQUEST_START_JOB").number_value();
  std::vector<std::string> urls;
  for (const auto& e : log.fields().at("events").list_value().values()) {
    const auto& f = e.struct_value().fields();
    if (f.at("type").number_value() != start_job || !f.contains("params")) continue;
    const auto& params = f.at("params").struct_value().fields();
    if (!params.contains("url")) continue;  // The job's end.
    if (params.contains("initiator") && params.at("initiator").string_value() == "not an origin") {
      continue;
    }
    urls.push_back(params.at("url").string_value());
  }
  return urls;
}

// Renders `page` with headless Chromium into `png`, logging the network to `netlog`.
void Render(const std::string& page, const std::string& png, const std::string& netlog) {
  const std::string command = absl::StrCat(
      "chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars "
      "--no-first-run "
      "--disable-background-networking --disable-component-update --disable-sync "
      "--disable-extensions --no-pings --window-size=1200,1600 --screenshot=",
      png, " --log-net-log=", netlog, " file://", page, " >/dev/null 2>&1");
  ASSERT_EQ(std::system(command.c_str()), 0)
      << "headless Chromium failed (tools/setup.sh installs Debian's chromium): " << command;
}

struct Pixels {
  uint32_t width = 0, height = 0;
  std::vector<uint8_t> rgba;
  size_t Count(uint8_t r, uint8_t g, uint8_t b, int tolerance = 24) const {
    size_t n = 0;
    for (size_t i = 0; i + 3 < rgba.size(); i += 4) {
      if (std::abs(rgba[i] - r) <= tolerance && std::abs(rgba[i + 1] - g) <= tolerance &&
          std::abs(rgba[i + 2] - b) <= tolerance) {
        ++n;
      }
    }
    return n;
  }
};

Pixels ReadPng(const std::string& path) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  Pixels p;
  if (!png_image_begin_read_from_file(&image, path.c_str())) return p;
  image.format = PNG_FORMAT_RGBA;
  p.rgba.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, p.rgba.data(), 0, nullptr)) return {};
  p.width = image.width;
  p.height = image.height;
  return p;
}

TEST_F(ReportE2eTest, HeadlessChromiumShowsTheChartsAndFetchesNothing) {
  const std::string png = dir_.Sub("report.png"), netlog = dir_.Sub("netlog.json");
  Render(out_ + "/report.html", png, netlog);
  Pixels shot = ReadPng(png);
  ASSERT_EQ(shot.width, 1200u);
  ASSERT_EQ(shot.height, 1600u);
  const size_t all = size_t{shot.width} * shot.height;
  const size_t white = shot.Count(255, 255, 255, 8);
  EXPECT_GT(all - white, all / 20) << "the page looks blank";
  // The charts' colours: ranking bars (#d9822b), funnel stages (#3b6fb6), won (#2e8b57).
  EXPECT_GT(shot.Count(0xd9, 0x82, 0x2b, 10), 2000u);
  EXPECT_GT(shot.Count(0x3b, 0x6f, 0xb6, 10), 2000u);
  EXPECT_GT(shot.Count(0x2e, 0x8b, 0x57, 10), 200u);
  EXPECT_THAT(PageRequests(netlog), ::testing::IsEmpty());

  // The detector detects: a page with an external image and style sheet is caught.
  const std::string bad = dir_.Sub("bad.html");
  std::ofstream(bad) << "<html><body><img src=\"http://example.invalid/x.png\">"
                        "<link rel=stylesheet href=\"https://cdn.invalid/a.css\"></body></html>";
  Render(bad, dir_.Sub("bad.png"), dir_.Sub("bad-netlog.json"));
  EXPECT_THAT(
      PageRequests(dir_.Sub("bad-netlog.json")),
      ::testing::UnorderedElementsAre("http://example.invalid/x.png", "https://cdn.invalid/a.css"));
}

}  // namespace
}  // namespace salestrack
