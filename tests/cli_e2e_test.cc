// The salestrack CLI against a real salestrackd.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <tuple>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::Daemon;
using ::salestrack::testing::ReadAll;
using ::salestrack::testing::TempDir;
using ::testing::HasSubstr;

struct CliRun {
  int code;
  std::string out;  // stdout, then stderr.
};

CliRun Cli(const Daemon& daemon, const std::string& args, const std::string& stdin_path = "") {
  ::salestrack::testing::CliResult r = ::salestrack::testing::RunCli(
      "--server=" + daemon.address() + " " + args + (stdin_path.empty() ? "" : " < " + stdin_path));
  return {r.code, r.out + r.err};
}

void Write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

constexpr char kGood[] =
    R"({"event_id":"v1","occurred_at":"2026-11-02T02:30:00Z","rep_id":"rep-li","action_logged":{"customer_id":"cust-1","purpose":"INTRODUCE_PRODUCT","channel":"VISIT","cost":"8800","next_follow_up_at":"2026-11-05T02:00:00Z"}})"
    "\n\n"
    R"({"eventId":"o1","occurredAt":"2026-11-02T03:00:00Z","repId":"rep-li","opportunityOpened":{"opportunityId":"opp-1","customerId":"cust-1","expectedAmount":"1200000"}})"
    "\n"
    R"({"event_id":"k1","occurred_at":"2026-11-20T08:00:00Z","rep_id":"rep-li","contract_signed":{"contract_id":"ct-1","customer_id":"cust-1","amount":"1200000","installments":[{"due_at":"2026-12-01T00:00:00Z","amount":"600000"},{"due_at":"2027-01-01T00:00:00Z","amount":"600000"}]}})"
    "\n";

TEST(CliTest, AppendsJsonLinesAndIsIdempotentOnRerun) {
  TempDir dir;
  Daemon daemon(dir.Sub("data"));
  Write(dir.Sub("good.jsonl"), kGood);
  CliRun first = Cli(daemon, "append " + dir.Sub("good.jsonl"));
  EXPECT_EQ(first.code, 0) << first.out;
  EXPECT_THAT(first.out,
              HasSubstr("appended 3 new, 0 duplicate, 0 refused, 0 bad line(s); seqs 1..3"));
  CliRun again = Cli(daemon, "append", dir.Sub("good.jsonl"));  // From stdin this time.
  EXPECT_EQ(again.code, 0) << again.out;
  EXPECT_THAT(again.out, HasSubstr("appended 0 new, 3 duplicate"));
  auto stub = daemon.NewStub();
  EXPECT_EQ(ReadAll(*stub).size(), 3u);
}

TEST(CliTest, BadLinesAreReportedByLineAndFieldAndNothingIsSent) {
  TempDir dir;
  Daemon daemon(dir.Sub("data"));
  std::string text = kGood;
  text +=
      R"({"event_id":"p1","occurred_at":"2026-11-21T00:00:00Z","rep_id":"rep-li","payment_received":{"payment_id":"pay-1","contract_id":"ct-1","amount":"-5"}})"
      "\n"
      R"({"event_id":"x","occurred_at":"not a time","rep_id":"rep-li"})"
      "\n";
  Write(dir.Sub("mixed.jsonl"), text);
  CliRun run = Cli(daemon, "append " + dir.Sub("mixed.jsonl"));
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.out, HasSubstr("line 5: payment_received.amount: must be >= 0 (got -5)"));
  EXPECT_THAT(run.out, HasSubstr("line 6: "));
  EXPECT_THAT(run.out, HasSubstr("occurred_at"));
  EXPECT_THAT(run.out, HasSubstr("nothing was sent"));
  auto stub = daemon.NewStub();
  EXPECT_TRUE(ReadAll(*stub).empty());

  CliRun keep = Cli(daemon, "--keep_going append " + dir.Sub("mixed.jsonl"));
  EXPECT_EQ(keep.code, 1);
  EXPECT_THAT(keep.out, HasSubstr("appended 3 new"));
  EXPECT_EQ(ReadAll(*stub).size(), 3u);
}

TEST(CliTest, ServerRefusalIsMappedToItsLine) {
  TempDir dir;
  Daemon daemon(dir.Sub("data"));
  Write(dir.Sub("good.jsonl"), kGood);
  ASSERT_EQ(Cli(daemon, "append " + dir.Sub("good.jsonl")).code, 0);
  // Line 2 reuses k1's id with other content.
  Write(
      dir.Sub("conflict.jsonl"),
      R"({"event_id":"n1","occurred_at":"2026-11-21T00:00:00Z","rep_id":"rep-li","feedback_recorded":{"customer_id":"cust-1","score":5}})"
      "\n"
      R"({"event_id":"k1","occurred_at":"2026-11-21T00:00:00Z","rep_id":"rep-li","feedback_recorded":{"customer_id":"cust-1","score":4}})"
      "\n");
  CliRun run = Cli(daemon, "append " + dir.Sub("conflict.jsonl"));
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.out,
              HasSubstr("line 2: events[1].event_id: \"k1\" is already in the log (seq 3)"));
  auto stub = daemon.NewStub();
  EXPECT_EQ(ReadAll(*stub).size(), 3u);  // n1 was in the refused batch too.
}

TEST(CliTest, EventsPrintsRecordsAsJsonLinesAndHealthSaysServing) {
  TempDir dir;
  Daemon daemon(dir.Sub("data"));
  Write(dir.Sub("good.jsonl"), kGood);
  ASSERT_EQ(Cli(daemon, "append " + dir.Sub("good.jsonl")).code, 0);
  CliRun events = Cli(daemon, "events --from 2 --limit 1");
  EXPECT_EQ(events.code, 0) << events.out;
  v1::EventRecord record;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(events.out, &record).ok()) << events.out;
  EXPECT_EQ(record.seq(), 2u);
  EXPECT_EQ(record.event().opportunity_opened().expected_amount(), 1200000);

  CliRun health = Cli(daemon, "health");
  EXPECT_EQ(health.code, 0);
  EXPECT_THAT(health.out, HasSubstr("SERVING"));
}

TEST(CliTest, HealthFailsWhenNoDaemonListens) {
  TempDir dir;
  Daemon daemon(dir.Sub("data"));
  std::string address = daemon.address();
  daemon.Stop();
  FILE* p =
      popen((std::string(SALESTRACK_CLI_PATH) + " --timeout=2 --server=" + address + " health 2>&1")
                .c_str(),
            "r");
  char buf[512] = {0};
  fread(buf, 1, sizeof buf - 1, p);
  int status = pclose(p);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_THAT(std::string(buf), HasSubstr("salestrack health"));
}

}  // namespace
}  // namespace salestrack

namespace salestrack {
namespace {

// A command's exit code and its stdout and stderr together.
CliRun Shell(const std::string& command) {
  CliRun run{-1, ""};
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return run;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) run.out.append(buf, n);
  int status = pclose(p);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return run;
}

TEST(HelpTest, BothProgramsPrintTheirHelpOnceAndExitZero) {
  for (const auto& [path, first_line, a_flag] :
       {std::tuple<std::string, std::string, std::string>{
            SALESTRACKD_PATH, "salestrackd: the salestrack daemon.", "--data_dir"},
        {SALESTRACK_CLI_PATH, "salestrack: the command-line client of salestrackd.", "--server"}}) {
    for (const char* flag : {"--help", "-h", "--helpfull"}) {
      SCOPED_TRACE(path + " " + flag);
      CliRun run = Shell(path + " " + flag);
      EXPECT_EQ(run.code, 0);
      EXPECT_EQ(run.out.find(first_line), 0u) << run.out;
      EXPECT_EQ(run.out.find(first_line, 1), std::string::npos) << "usage printed twice";
      EXPECT_THAT(run.out, HasSubstr("\n  " + a_flag + "\n"));
      // No build paths, and none of absl's or gRPC's own flags.
      EXPECT_THAT(run.out, ::testing::Not(HasSubstr(".cc")));
      EXPECT_THAT(run.out, ::testing::Not(HasSubstr(SALESTRACK_SOURCE_DIR)));
      EXPECT_THAT(run.out, ::testing::Not(HasSubstr("--flagfile")));
    }
  }
}

TEST(HelpTest, VersionNamesTheProgramAndItsVersion) {
  CliRun daemon = Shell(std::string(SALESTRACKD_PATH) + " --version");
  EXPECT_EQ(daemon.code, 0);
  EXPECT_THAT(daemon.out, ::testing::MatchesRegex("salestrackd [0-9]+\\.[0-9]+\\.[0-9]+\n"));
  CliRun cli = Shell(std::string(SALESTRACK_CLI_PATH) + " --version");
  EXPECT_EQ(cli.code, 0);
  EXPECT_THAT(cli.out, ::testing::MatchesRegex("salestrack [0-9]+\\.[0-9]+\\.[0-9]+\n"));
}

}  // namespace
}  // namespace salestrack
