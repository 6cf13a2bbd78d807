// `salestrack demo` and the example org of deploy/examples/: the generator is deterministic and
// realistic (late and duplicate events included), and a daemon fed by it serves what the README
// tour shows: a board ranked by composite score, Nanjing's reps 300,000 yuan short of its target.
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/demo_data.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salestrack/proto_time.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::Daemon;
using ::salestrack::testing::TempDir;
using ::testing::HasSubstr;

cli::DemoOptions Options(uint64_t seed) {
  cli::DemoOptions o;
  absl::LoadTimeZone("Asia/Shanghai", &o.zone);
  o.reps = {{"h1", "hunter"}, {"f1", "farmer"}, {"h2", "hunter"}};
  o.from = absl::CivilDay(2026, 10, 1);
  o.until = absl::FromCivil(absl::CivilDay(2026, 11, 20), o.zone);
  o.seed = seed;
  return o;
}

TEST(DemoDataTest, DeterministicRealisticWithLateAndDuplicateEvents) {
  const std::vector<v1::Event> a = cli::DemoActivity(Options(7));
  const std::vector<v1::Event> b = cli::DemoActivity(Options(7));
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_EQ(a[i].SerializeAsString(), b[i].SerializeAsString());
  EXPECT_NE(cli::DemoActivity(Options(8)).size(), a.size());

  std::map<v1::Event::PayloadCase, int> kinds;
  std::set<std::string> ids;
  int duplicates = 0, out_of_order = 0;
  int64_t latest = 0;
  const int64_t until = absl::ToUnixMicros(Options(7).until);
  for (const v1::Event& e : a) {
    ++kinds[e.payload_case()];
    if (!ids.insert(e.event_id()).second) ++duplicates;
    const int64_t at = ToUnixMicros(e.occurred_at());
    EXPECT_LT(at, until) << e.ShortDebugString();
    if (at < latest) ++out_of_order;
    latest = std::max(latest, at);
  }
  EXPECT_GT(a.size(), 300u);
  EXPECT_GT(duplicates, 0);
  EXPECT_GT(out_of_order, 10);  // Late uploads.
  for (auto kind :
       {v1::Event::kActionLogged, v1::Event::kOpportunityOpened,
        v1::Event::kOpportunityStageChanged, v1::Event::kOpportunityClosed,
        v1::Event::kContractSigned, v1::Event::kPaymentReceived, v1::Event::kFeedbackRecorded}) {
    EXPECT_GT(kinds[kind], 0) << kind;
  }
}

TEST(DemoE2eTest, TheExampleOrgScoresAndChecksItsTargets) {
  TempDir dir;
  Daemon daemon(dir.Sub("data"), {"--time_zone=Asia/Shanghai"});
  auto cli = [&](const std::string& args) {
    return testing::RunCli("--server=" + daemon.address() + " " + args);
  };
  const std::string demo = std::string("demo --examples ") + SALESTRACK_SOURCE_DIR +
                           "/deploy/examples --demo_until 2026-11-20T00:00:00Z";
  testing::CliResult r = cli(demo);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("org, schemes and targets: 37 events (0 already there)"));
  r = cli(demo);  // Everything again: nothing new.
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("(37 already there)"));

  r = cli("targets check --unit acme --period quarter --date 2026-10-01");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("4 checked, 1 not adding up"));
  EXPECT_THAT(r.out, HasSubstr("nanjing  sales_amount  300,000,000   270,000,000  -30,000,000"));

  r = cli("top --unit east --metric composite_score --period quarter --date 2026-10-01");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("8 on the board"));
  int ranked = 0;  // Every rep has a scheme, so every rep is ranked.
  for (absl::string_view line : absl::StrSplit(r.out, '\n')) {
    line = absl::StripLeadingAsciiWhitespace(line);
    if (!line.empty() && absl::ascii_isdigit(line[0])) ++ranked;
  }
  EXPECT_EQ(ranked, 8) << r.out;
  r = cli("scorecard --rep sh-zhang --period quarter --date 2026-10-01");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("scheme hunter-2026"));
  EXPECT_THAT(r.out, HasSubstr("new_customers"));
  r = cli("scorecard --rep hz-liu --period quarter --date 2026-10-01");
  EXPECT_THAT(r.out, HasSubstr("scheme farmer-2026"));
  EXPECT_THAT(r.out, HasSubstr("repeat_purchase_rate"));
  EXPECT_EQ(cli("verify").code, 0);
}

}  // namespace
}  // namespace salestrack
