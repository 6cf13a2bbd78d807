// examples/node/client.mjs run as a developer runs it (Node's built-in fetch, no packages) against
// a real salestrackd with API keys and --http_listen:
// - the daemon is down when it starts: it retries until the daemon is back, and its batch is
//   stored once, at the seqs it printed;
// - the board it printed is GetLeaderboard's;
// - while it follows the board, an append by the test shows up as a DELTA;
// - SIGTERM stops it cleanly (exit 0, "stopped").
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "keyed_daemon.h"
#include "org_events.h"

namespace salestrack::testing {
namespace {

// A loopback port free right now (the daemon takes it a moment later).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// Waits until the file at `path` has a line matching `pattern`; returns it ("" on timeout, with
// a failure naming what was printed).
std::string AwaitLine(const std::string& path, const std::string& pattern,
                      absl::Duration timeout = absl::Seconds(30)) {
  const std::regex re(pattern);
  const absl::Time deadline = absl::Now() + timeout;
  std::string text;
  while (absl::Now() < deadline) {
    text = ReadFile(path);
    std::smatch m;
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      std::string l(line);
      if (std::regex_match(l, m, re)) return l;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  ADD_FAILURE() << "no line matching " << pattern << " in:\n" << text;
  return "";
}

TEST(NodeExampleTest, AppendsWithRetriesReadsAndFollowsABoard) {
  if (system("node --version > /dev/null 2>&1") != 0) GTEST_FAIL() << "node is not installed";
  const int port = FreePort();
  const std::string http_flag = absl::StrCat("--http_listen=127.0.0.1:", port);
  KeyedDaemon d("", {{"root", "admin"}, {"li", "rep", "rep_id: \"rep-li\""}}, {http_flag});
  {
    auto log = v1::LogService::NewStub(d.Channel("root"));
    AppendOk(*log, {UnitDef("east", ""), RepDef("r-li", "rep-li", "east", true),
                    RepDef("r-wang", "rep-wang", "east", true)});
  }
  ASSERT_EQ(d.daemon().Stop(), 0);

  const std::string out = d.dir().Sub("node.out");
  pid_t pid = fork();
  if (pid == 0) {
    setenv("SALESTRACK_TOKEN", d.token("li").c_str(), 1);
    freopen(out.c_str(), "w", stdout);
    freopen((out + ".err").c_str(), "w", stderr);
    const std::string script = std::string(SALESTRACK_SOURCE_DIR) + "/examples/node/client.mjs";
    const std::string url = absl::StrCat("http://127.0.0.1:", port);
    execlp("node", "node", script.c_str(), "--http", url.c_str(), "--rep", "rep-li", "--unit",
           "east", "--deal", "acme:1200000", "--deal", "globex:800000", nullptr);
    _exit(127);
  }
  AwaitLine(out, "retry after unreachable in [0-9]+ ms");
  Daemon back(d.dir().Sub("data"),
              {"--config=" + d.dir().Sub("d.conf"), "--insecure_no_auth=false", http_flag});
  const std::string appended =
      AwaitLine(out, "appended 2 events: seqs 4 5, 0 duplicates, [0-9]+ attempts");
  EXPECT_FALSE(appended.empty());
  AwaitLine(out, "board east sales_amount at seq 5:");
  AwaitLine(out, "  #1 rep-li 2000000");
  AwaitLine(out, "SNAPSHOT SUBSCRIBED at seq 5: rep-li #1.*");
  {
    auto log = v1::LogService::NewStub(back.NewChannel());
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + d.token("root"));
    v1::AppendRequest request;
    *request.add_events() = Contract("big", "rep-wang", "K-big", 5000000, absl::Now());
    v1::AppendResponse response;
    ASSERT_TRUE(log->Append(&context, request, &response).ok());
  }
  AwaitLine(out, "DELTA COMMIT at seq 6: .*rep-wang #1.*");
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status << "\n"
                                                             << ReadFile(out + ".err");
  EXPECT_TRUE(absl::StrContains(ReadFile(out), "\nstopped\n")) << ReadFile(out);
}

}  // namespace
}  // namespace salestrack::testing
