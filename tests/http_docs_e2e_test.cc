// docs/http.md's curl examples, run as written against a real salestrackd (keys on, --http_listen),
// so the documentation cannot drift from the daemon: every `curl` line of its "Examples with curl"
// section, in order, with $HTTP and $TOKEN set as the doc says.
#include <sys/wait.h>
#include <cstdio>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "keyed_daemon.h"
#include "org_events.h"

namespace salestrack::testing {
namespace {

// The curl lines of the doc's `section` (up to the next "## "), from its ```sh blocks.
std::vector<std::string> CurlLines(const std::string& doc, const std::string& section) {
  std::vector<std::string> lines;
  bool in_section = false, in_sh = false;
  for (absl::string_view line : absl::StrSplit(doc, '\n')) {
    if (absl::StartsWith(line, "## ")) in_section = line == "## " + section;
    if (!in_section) continue;
    if (absl::StartsWith(line, "```")) {
      in_sh = !in_sh && line == "```sh";
      continue;
    }
    if (in_sh && absl::StartsWith(line, "curl ")) lines.emplace_back(line);
  }
  return lines;
}

TEST(HttpDocsTest, CurlExamplesRunAsWritten) {
  KeyedDaemon d("", {{"root", "admin"}}, {"--http_listen=127.0.0.1:0"});
  auto log = v1::LogService::NewStub(d.Channel("root"));
  AppendOk(*log, {UnitDef("east", ""), RepDef("r-li", "rep-li", "east", true)});

  const std::vector<std::string> lines = CurlLines(
      ReadFile(std::string(SALESTRACK_SOURCE_DIR) + "/docs/http.md"), "Examples with curl");
  ASSERT_GE(lines.size(), 5u) << "docs/http.md lost its curl examples";
  TempDir dir;
  setenv("HTTP", absl::StrCat("http://127.0.0.1:", d.daemon().http_port()).c_str(), 1);
  setenv("TOKEN", d.token("root").c_str(), 1);
  bool saw_event = false;
  for (const std::string& line : lines) {
    SCOPED_TRACE(line);
    ShellRun run = RunShell(absl::StrCat("cd ", dir.path(), " && ", line));
    const bool timed = absl::StrContains(line, "--max-time");
    // A stream shown for a while ends by curl's timeout (28), having printed its events.
    EXPECT_EQ(run.code, timed ? 28 : 0) << run.out;
    EXPECT_FALSE(absl::StrContains(run.out, "\"code\":\"")) << run.out;  // No error JSON.
    if (timed) {
      saw_event = absl::StrContains(run.out, "\ndata: {") &&
                  absl::StrContains(run.out, "\"memberId\":\"rep-li\"") &&
                  absl::StrContains(run.out, "\"value\":1200000");
      EXPECT_TRUE(saw_event) << run.out;
    } else if (!absl::StrContains(line, "/session")) {
      EXPECT_TRUE(absl::StartsWith(run.out, "{")) << run.out;
    }
  }
  EXPECT_TRUE(saw_event) << "no streaming example ran";
}

}  // namespace
}  // namespace salestrack::testing
