// The gRPC client examples (examples/python, examples/node-grpc) run as a developer runs them,
// against a real salestrackd with API keys, and what they print is checked against what the daemon
// holds:
// - the daemon is down when the example starts: it retries UNAVAILABLE until the daemon is back,
//   and its batch is in the log once, at the seqs it printed;
// - the board and KPIs it printed are GetLeaderboard's and GetKpis's at the seq it printed;
// - while it follows the board, an append by the test moves a rep up: it prints that change;
// - run again with the same batch while its key is over its rate: it waits the daemon's
//   retry-after-ms hint and gets the original seqs back as duplicates, nothing stored twice;
// - SIGINT and SIGTERM stop it cleanly (exit 0, "stopped").
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "auth/api_token.h"
#include "cli/channel.h"
#include "gtest/gtest.h"
#include "org_events.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "salestrack/v1/leaderboard_service.grpc.pb.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::Daemon;
using ::salestrack::testing::TempDir;

// An example program run as a child process: its stdout read line by line as it comes.
class ExampleProcess {
 public:
  ExampleProcess(const std::vector<std::string>& argv,
                 const std::map<std::string, std::string>& env, const std::string& stderr_path)
      : stderr_path_(stderr_path) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ == 0) {
      for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
      dup2(fds[1], 1);
      int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(err, 2);
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
    close(fds[1]);
    fd_ = fds[0];
  }
  ~ExampleProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(fd_);
  }

  // The groups of the first line after the last one matched that matches `pattern` as a whole
  // (group 0 is the line); empty, with a test failure naming what was printed, if none comes in
  // time or the program ends first.
  std::vector<std::string> Expect(const std::string& pattern,
                                  absl::Duration timeout = absl::Seconds(30)) {
    const std::regex re(pattern);
    const absl::Time deadline = absl::Now() + timeout;
    while (true) {
      for (; next_ < lines_.size(); ++next_) {
        std::smatch m;
        if (std::regex_match(lines_[next_], m, re)) {
          ++next_;
          return std::vector<std::string>(m.begin(), m.end());
        }
      }
      if (eof_ || absl::Now() > deadline || !ReadSome(deadline)) break;
    }
    ADD_FAILURE() << "no line matching \"" << pattern << "\"; printed:\n"
                  << Output() << "stderr:\n"
                  << testing::ReadFile(stderr_path_);
    return {};
  }

  // The lines already matched or skipped by Expect.
  std::vector<std::string> Seen() const {
    return std::vector<std::string>(lines_.begin(), lines_.begin() + next_);
  }

  // Sends `signal` and waits for the exit (SIGKILL after 10 s); returns the exit code, or 128 +
  // signal.
  int StopWith(int signal) {
    kill(pid_, signal);
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!eof_ && ReadSome(deadline)) {
    }
    int status = 0;
    if (!eof_) kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::string Output() const { return absl::StrJoin(lines_, "\n") + "\n" + partial_; }

 private:
  // Reads what the child wrote until `deadline`; false when nothing came.
  bool ReadSome(absl::Time deadline) {
    pollfd p{fd_, POLLIN, 0};
    int ms = static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (ms <= 0 || poll(&p, 1, ms) <= 0) return false;
    char buf[4096];
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0) {
      eof_ = true;
      return true;
    }
    partial_.append(buf, n);
    for (size_t nl; (nl = partial_.find('\n')) != std::string::npos; partial_.erase(0, nl + 1)) {
      lines_.push_back(partial_.substr(0, nl));
    }
    return true;
  }

  std::string stderr_path_;
  pid_t pid_ = -1;
  int fd_ = -1;
  bool eof_ = false;
  std::vector<std::string> lines_;
  size_t next_ = 0;
  std::string partial_;
};

struct Language {
  std::string name;
  // The command line that runs the example, before its own flags; `stubs` is a directory the
  // language may generate code into.
  std::vector<std::string> (*command)(const std::string& stubs,
                                      std::map<std::string, std::string>*);
};

// Test names and failure messages show the language.
void PrintTo(const Language& language, std::ostream* os) { *os << language.name; }

std::vector<std::string> PythonCommand(const std::string& stubs,
                                       std::map<std::string, std::string>* env) {
  const std::string dir = std::string(SALESTRACK_SOURCE_DIR) + "/examples/python";
  // The stubs are generated as the example's README says, from the protos of this tree.
  if (std::system(("'" + dir + "/generate_stubs.sh' '" + stubs + "'").c_str()) != 0) return {};
  (*env)["PYTHONPATH"] = stubs;
  // Debian's python3, which has python3-grpcio (not a python3 that PATH may find first).
  return {"/usr/bin/python3", dir + "/client.py"};
}

std::vector<std::string> NodeCommand(const std::string&, std::map<std::string, std::string>*) {
  const std::string dir = std::string(SALESTRACK_SOURCE_DIR) + "/examples/node-grpc";
  // @grpc/grpc-js and @grpc/proto-loader, as tools/setup.sh installs them (npm ci).
  if (!std::filesystem::exists(dir + "/node_modules/@grpc/grpc-js/package.json")) {
    ADD_FAILURE() << dir << "/node_modules has no @grpc/grpc-js: run tools/setup.sh";
    return {};
  }
  return {"node", dir + "/client.mjs"};
}

class ClientExamplesTest : public ::testing::TestWithParam<Language> {
 protected:
  // An admin key for the test's own calls; rep-a's phone for the example, with a slow bucket
  // (0.25 events/s, burst 4) the test can empty: the example's 2 events then wait at
  // least 4 s, long after it starts. Org: company > team-1 > rep-a, rep-b, rep-c.
  void SetUp() override {
    root_token_ = *NewApiToken();
    phone_token_ = *NewApiToken();
    std::ofstream(dir_.Sub("d.conf"))
        << "api_keys { name: \"root\" role: \"admin\" sha256: \"" << Sha256Hex(root_token_)
        << "\" }\n"
        << "api_keys { name: \"phone-a\" role: \"rep\" rep_id: \"rep-a\" sha256: \""
        << Sha256Hex(phone_token_) << "\" rate_limit { events_per_second: 0.25 burst: 4 } }\n";
    StartDaemon("--listen=127.0.0.1:0");
    testing::AppendOk(*v1::LogService::NewStub(Channel(root_token_)),
                      {testing::UnitDef("company", ""), testing::UnitDef("team-1", "company"),
                       testing::RepDef("rep-a", "rep-a", "team-1", true),
                       testing::RepDef("rep-b", "rep-b", "team-1", true),
                       testing::RepDef("rep-c", "rep-c", "team-1", true)});
  }

  void StartDaemon(const std::string& listen) {
    daemon_ = std::make_unique<Daemon>(
        dir_.Sub("data"), std::vector<std::string>{"--config=" + dir_.Sub("d.conf"),
                                                   "--insecure_no_auth=false", listen});
  }

  std::shared_ptr<grpc::Channel> Channel(const std::string& token) {
    cli::ChannelOptions options;
    options.token = token;
    return *cli::NewChannel(daemon_->address(), options);
  }

  grpc::Status Append(const std::string& token, const std::vector<v1::Event>& events) {
    v1::AppendRequest request;
    for (const v1::Event& e : events) *request.add_events() = e;
    v1::AppendResponse response;
    grpc::ClientContext context;
    return v1::LogService::NewStub(Channel(token))->Append(&context, request, &response);
  }

  // The example with its flags for rep-a's two deals in `batch_id`, the key in $SALESTRACK_TOKEN.
  std::unique_ptr<ExampleProcess> StartExample(const std::string& server,
                                               const std::string& batch_id,
                                               const std::string& signed_at) {
    std::map<std::string, std::string> env = {{"SALESTRACK_TOKEN", phone_token_}};
    std::vector<std::string> argv = GetParam().command(dir_.Sub("stubs"), &env);
    EXPECT_FALSE(argv.empty()) << "the " << GetParam().name << " example could not be set up";
    if (argv.empty()) return nullptr;
    for (const std::string& flag :
         {"--server=" + server, std::string("--rep=rep-a"), std::string("--unit=team-1"),
          std::string("--deal=cust-1:300000"), std::string("--deal=cust-2:200000"),
          "--batch-id=" + batch_id, "--signed-at=" + signed_at}) {
      argv.push_back(flag);
    }
    return std::make_unique<ExampleProcess>(argv, env, dir_.Sub("example.stderr"));
  }

  // The seqs of the log's records whose event id starts with `prefix`.
  std::vector<std::string> SeqsOf(const std::string& prefix) {
    std::vector<std::string> seqs;
    for (const v1::EventRecord& r :
         testing::ReadAll(*v1::LogService::NewStub(Channel(root_token_))))
      if (r.event().event_id().rfind(prefix, 0) == 0) seqs.push_back(std::to_string(r.seq()));
    return seqs;
  }

  // `printed_entries` ("  #1 rep-a 500000") are team-1's sales_amount board this month, as
  // GetLeaderboard answers it, at `printed_seq`.
  void ExpectBoardAsPrinted(const std::string& printed_seq,
                            const std::vector<std::string>& printed_entries) {
    v1::GetLeaderboardRequest board_request;
    board_request.mutable_board()->set_unit_id("team-1");
    board_request.mutable_board()->set_metric("sales_amount");
    board_request.mutable_board()->mutable_period()->set_kind(v1::MONTH);
    v1::GetLeaderboardResponse board;
    grpc::ClientContext board_context;
    ASSERT_TRUE(v1::LeaderboardService::NewStub(Channel(root_token_))
                    ->GetLeaderboard(&board_context, board_request, &board)
                    .ok());
    EXPECT_EQ(printed_seq, std::to_string(board.seq()));
    ASSERT_EQ(printed_entries.size(), static_cast<size_t>(board.entries_size()));
    ASSERT_GT(board.entries_size(), 0);
    for (int i = 0; i < board.entries_size(); ++i) {
      const v1::LeaderboardEntry& e = board.entries(i);
      std::smatch m;
      ASSERT_TRUE(std::regex_match(printed_entries[i], m, std::regex("  (\\S+) (\\S+) (\\S+)")))
          << printed_entries[i];
      EXPECT_EQ(m[1], e.rank() ? absl::StrCat("#", e.rank()) : "unranked");
      EXPECT_EQ(m[2], e.member_id());
      double value = 0;
      EXPECT_TRUE(absl::SimpleAtod(m[3].str(), &value) && value == e.value()) << printed_entries[i];
    }
    EXPECT_EQ(board.entries(0).member_id(), "rep-a");
    EXPECT_EQ(board.entries(0).value(), 500000);
  }

  // `printed` ("name=value ...") is rep-a's non-zero counts and money this month, as GetKpis
  // answers them, at `printed_seq`.
  void ExpectKpisAsPrinted(const std::string& printed_seq, const std::string& printed) {
    v1::GetKpisRequest kpis_request;
    kpis_request.mutable_subject()->set_rep_id("rep-a");
    kpis_request.mutable_period()->set_kind(v1::MONTH);
    v1::GetKpisResponse kpis;
    grpc::ClientContext kpis_context;
    ASSERT_TRUE(v1::KpiService::NewStub(Channel(root_token_))
                    ->GetKpis(&kpis_context, kpis_request, &kpis)
                    .ok());
    std::vector<std::string> figures;
    for (const v1::MetricValue& m : kpis.metrics()) {
      if ((m.kind() == v1::MetricValue::COUNT || m.kind() == v1::MetricValue::MONEY) && m.integer())
        figures.push_back(absl::StrCat(m.name(), "=", m.integer()));
    }
    EXPECT_EQ(printed_seq, std::to_string(kpis.seq()));
    EXPECT_EQ(printed, absl::StrJoin(figures, " "));
    EXPECT_NE(printed.find("sales_amount=500000"), std::string::npos);
  }

  TempDir dir_;
  std::string root_token_;
  std::string phone_token_;
  std::unique_ptr<Daemon> daemon_;
};

TEST_P(ClientExamplesTest, AppendsWithRetriesReadsTheBoardAndKpisAndFollowsRankChanges) {
  const std::string batch = GetParam().name + "-deals";
  const std::string signed_at = absl::FormatTime(
      absl::RFC3339_sec, absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()) - 1),
      absl::UTCTimeZone());
  const std::string server = daemon_->address();
  const int port = daemon_->port();
  ASSERT_EQ(daemon_->Stop(), 0);

  // Started while the daemon is down: it retries until the daemon is back on its port.
  std::unique_ptr<ExampleProcess> run = StartExample(server, batch, signed_at);
  ASSERT_NE(run, nullptr);
  ASSERT_FALSE(run->Expect("retry after UNAVAILABLE in \\d+ ms").empty());
  StartDaemon(absl::StrCat("--listen=127.0.0.1:", port));
  std::vector<std::string> appended =
      run->Expect("appended 2 events: seqs (\\d+) (\\d+), 0 duplicates, (\\d+) attempts");
  ASSERT_FALSE(appended.empty());
  EXPECT_GE(std::stoi(appended[3]), 2);
  // Once each, at the seqs it printed.
  EXPECT_EQ(SeqsOf(batch + "-"), (std::vector<std::string>{appended[1], appended[2]}));

  // The board and the KPIs it printed are the daemon's at the seq it printed.
  std::vector<std::string> board_line = run->Expect("board team-1 sales_amount at seq (\\d+):");
  ASSERT_FALSE(board_line.empty());
  const size_t board_at = run->Seen().size();
  std::vector<std::string> kpis_line = run->Expect("kpis rep-a at seq (\\d+): (.*)");
  ASSERT_FALSE(kpis_line.empty());
  const std::vector<std::string> seen = run->Seen();
  const std::vector<std::string> printed_entries(seen.begin() + board_at, seen.end() - 1);
  ASSERT_FALSE(run->Expect("following team-1 sales_amount from seq \\d+ .*").empty());

  ASSERT_NO_FATAL_FAILURE(ExpectBoardAsPrinted(board_line[1], printed_entries)) << run->Output();
  ASSERT_NO_FATAL_FAILURE(ExpectKpisAsPrinted(kpis_line[1], kpis_line[2]));

  // A deal of rep-b's while it follows: rep-b overtakes rep-a.
  const uint64_t seq = testing::AppendOk(
      *v1::LogService::NewStub(Channel(root_token_)),
      {testing::Contract("deal-b", "rep-b", "ct-b", 800000, absl::Now() - absl::Seconds(1))});
  // Both changes, in whatever order the delta lists them.
  const std::string change =
      absl::StrCat("seq ", seq, ": (rep-b #2 -> #1 \\(800000\\)|rep-a #1 -> #2 \\(500000\\))");
  std::set<std::string> changes;
  for (int i = 0; i < 2; ++i) {
    std::vector<std::string> m = run->Expect(change);
    ASSERT_FALSE(m.empty());
    changes.insert(m[1]);
  }
  EXPECT_EQ(changes.size(), 2u);
  EXPECT_EQ(run->StopWith(SIGINT), 0) << run->Output();
  EXPECT_FALSE(run->Expect("stopped").empty());

  // rep-a's key spends its bucket; the same batch again waits the daemon's hint and is answered
  // with the original seqs as duplicates.
  grpc::Status spent;
  for (int i = 0; i < 10 && spent.ok(); ++i) {
    spent =
        Append(phone_token_, testing::RecentActions(absl::StrCat("spend-", i, "-"), "rep-a", 1));
  }
  ASSERT_EQ(spent.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  run = StartExample(daemon_->address(), batch, signed_at);
  ASSERT_NE(run, nullptr);
  EXPECT_FALSE(
      run->Expect("retry after RESOURCE_EXHAUSTED in \\d+ ms \\(the daemon's hint\\)").empty());
  EXPECT_FALSE(run->Expect(absl::StrCat("appended 2 events: seqs ", appended[1], " ", appended[2],
                                        ", 2 duplicates, \\d+ attempts"))
                   .empty());
  EXPECT_EQ(SeqsOf(batch + "-"), (std::vector<std::string>{appended[1], appended[2]}));
  ASSERT_FALSE(run->Expect("following team-1 sales_amount from seq \\d+ .*").empty());
  EXPECT_EQ(run->StopWith(SIGTERM), 0) << run->Output();
  EXPECT_FALSE(run->Expect("stopped").empty());
}

INSTANTIATE_TEST_SUITE_P(Examples, ClientExamplesTest,
                         ::testing::Values(Language{"python", &PythonCommand},
                                           Language{"node", &NodeCommand}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace salestrack
