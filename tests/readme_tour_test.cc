// The README's tour, run as written: every ```sh block between the README's tour markers runs in
// order against one fresh salestrackd (as `tools/run.sh` starts it: no API keys, UTC), and its
// output (stdout and stderr) must match the ```text block that follows it, if any. So the tour a
// newcomer pastes is the tour that works, and the README cannot drift from the program.
//
// What the comparison allows, so that the README can show real output:
//   - a line of just `…` matches any number of lines (the README abridges), and `…` inside a line
//     matches any text there (a duration, the time of the run);
//   - the daemon's real address reads as 127.0.0.1:7411 (tools/run.sh's), and the test's scratch
//     directory as /tmp (the tour's files go there).
// A command marked `# Ctrl-C to stop` (a live follow) is interrupted with SIGINT after 2 s.
//
// SALESTRACK_TOUR_PRINT=1 prints every block's actual output, for updating the README.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::Daemon;
using ::salestrack::testing::ReadFile;
using ::salestrack::testing::TempDir;

constexpr char kBegin[] = "<!-- tour: begin";
constexpr char kEnd[] = "<!-- tour: end";
constexpr char kEllipsis[] = "…";
constexpr char kCtrlC[] = "# Ctrl-C to stop";

struct Step {
  std::string file;      // README.md or docs/tour.md.
  int line = 0;          // Its line of the ```sh fence.
  std::string commands;  // The block's text.
  bool has_expected = false;
  std::string expected;
};

// The tour's steps: each ```sh block, with the ```text block right after it as its output.
std::vector<Step> ParseTour(const std::string& file, const std::string& readme) {
  std::vector<std::string> lines = absl::StrSplit(readme, '\n');
  std::vector<Step> steps;
  bool in_tour = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (absl::StartsWith(lines[i], kBegin)) in_tour = true;
    if (absl::StartsWith(lines[i], kEnd)) break;
    if (!in_tour) continue;
    bool sh = lines[i] == "```sh";
    bool text = lines[i] == "```text";
    if (!sh && !text) continue;
    std::string body;
    size_t start = i;
    for (++i; i < lines.size() && lines[i] != "```"; ++i) absl::StrAppend(&body, lines[i], "\n");
    if (sh) {
      steps.push_back({file, static_cast<int>(start + 1), body, false, ""});
    } else if (!steps.empty() && !steps.back().has_expected) {
      steps.back().has_expected = true;
      steps.back().expected = body;
    }
  }
  return steps;
}

// Whether `line` matches `pattern`, where each `…` in the pattern matches any text.
bool LineMatches(absl::string_view pattern, absl::string_view line) {
  std::vector<absl::string_view> parts = absl::StrSplit(pattern, kEllipsis);
  if (parts.size() == 1) return pattern == line;
  if (!absl::ConsumePrefix(&line, parts.front())) return false;
  if (!absl::ConsumeSuffix(&line, parts.back())) return false;
  for (size_t k = 1; k + 1 < parts.size(); ++k) {
    size_t at = line.find(parts[k]);
    if (at == absl::string_view::npos) return false;
    line.remove_prefix(at + parts[k].size());
  }
  return true;
}

// Whether the output lines match the expected lines, a `…` line matching any run of lines.
bool Matches(const std::vector<std::string>& expected, size_t i,
             const std::vector<std::string>& actual, size_t j,
             std::map<std::pair<size_t, size_t>, bool>* memo) {
  auto key = std::make_pair(i, j);
  if (auto it = memo->find(key); it != memo->end()) return it->second;
  bool result;
  if (i == expected.size()) {
    result = j == actual.size();
  } else if (expected[i] == kEllipsis) {
    result = false;
    for (size_t k = j; k <= actual.size() && !result; ++k) {
      result = Matches(expected, i + 1, actual, k, memo);
    }
  } else {
    result = j < actual.size() && LineMatches(expected[i], actual[j]) &&
             Matches(expected, i + 1, actual, j + 1, memo);
  }
  (*memo)[key] = result;
  return result;
}

// The text's lines without trailing blanks, and without blank lines at its end.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(absl::StripTrailingAsciiWhitespace(text), '\n');
  for (std::string& line : lines) absl::StripTrailingAsciiWhitespace(&line);
  return lines;
}

// Runs `script` with bash in `dir`; stdout and stderr together.
std::string RunBash(const std::string& dir, const std::string& script) {
  std::string path = dir + "/step.sh";
  std::ofstream(path) << script;
  std::string out;
  FILE* p = popen(absl::StrCat("cd ", dir, " && bash ", path, " 2>&1").c_str(), "r");
  if (p == nullptr) return "popen failed";
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  pclose(p);
  return out;
}

// The step as a script: the aliases of earlier steps first (as an interactive shell keeps them),
// a `# Ctrl-C to stop` command interrupted after 2 s, and the tour's /tmp made the test's own.
std::string Script(const Step& step, const std::vector<std::string>& aliases,
                   const std::string& scratch) {
  std::string script = "shopt -s expand_aliases\n";
  for (const std::string& alias : aliases) absl::StrAppend(&script, alias, "\n");
  for (absl::string_view line : absl::StrSplit(step.commands, '\n')) {
    std::string command(line);
    if (absl::StrContains(command, kCtrlC)) {
      // timeout runs a program, not an alias: expand the alias by hand.
      for (const std::string& alias : aliases) {
        std::vector<std::string> name_value =
            absl::StrSplit(absl::StripPrefix(alias, "alias "), absl::MaxSplits('=', 1));
        if (name_value.size() == 2 && absl::StartsWith(command, name_value[0] + " ")) {
          // The alias's value is its first word (a comment may follow).
          std::string value(absl::StripAsciiWhitespace(name_value[1]));
          value = value.substr(0, value.find_first_of(" \t"));
          command = value + command.substr(name_value[0].size());
        }
      }
      command = "timeout -s INT 2 " + command;
    }
    absl::StrAppend(&script, command, "\n");
  }
  return absl::StrReplaceAll(script, {{"/tmp/", scratch + "/"}});
}

TEST(ReadmeTourTest, EveryCommandPrintsWhatTheReadmeShows) {
  // The README's tour, then its continuation in docs/tour.md, in one session.
  std::vector<Step> steps =
      ParseTour("README.md", ReadFile(std::string(SALESTRACK_SOURCE_DIR) + "/README.md"));
  ASSERT_GE(steps.size(), 3u) << "the README's tour markers or blocks went missing";
  std::vector<Step> more =
      ParseTour("docs/tour.md", ReadFile(std::string(SALESTRACK_SOURCE_DIR) + "/docs/tour.md"));
  ASSERT_GE(more.size(), 6u) << "docs/tour.md's tour markers or blocks went missing";
  steps.insert(steps.end(), more.begin(), more.end());

  TempDir dir;
  std::string scratch = dir.Sub("tmp");
  std::string work = dir.Sub("work");
  ASSERT_EQ(system(absl::StrCat("mkdir -p ", scratch, " ", work).c_str()), 0);
  // The tour runs from the repository's root: ./build (tools/run.sh's) and ./deploy (the demo's
  // org).
  std::string binaries = std::string(SALESTRACK_CLI_PATH);
  binaries = binaries.substr(0, binaries.rfind('/'));
  ASSERT_EQ(symlink(binaries.c_str(), (work + "/build").c_str()), 0);
  std::string examples = std::string(SALESTRACK_SOURCE_DIR) + "/deploy";
  ASSERT_EQ(symlink(examples.c_str(), (work + "/deploy").c_str()), 0);

  Daemon daemon(dir.Sub("data"));
  setenv("SALESTRACK_SERVER", daemon.address().c_str(), 1);
  const bool print = std::getenv("SALESTRACK_TOUR_PRINT") != nullptr;

  std::vector<std::string> aliases;
  for (const Step& step : steps) {
    std::string actual = RunBash(work, Script(step, aliases, scratch));
    actual = absl::StrReplaceAll(actual, {{daemon.address(), "127.0.0.1:7411"}, {scratch, "/tmp"}});
    if (print) std::printf("---- %s line %d\n%s", step.file.c_str(), step.line, actual.c_str());
    for (absl::string_view line : absl::StrSplit(step.commands, '\n')) {
      if (absl::StartsWith(line, "alias ")) aliases.emplace_back(line);
    }
    if (!step.has_expected) continue;
    std::map<std::pair<size_t, size_t>, bool> memo;
    EXPECT_TRUE(Matches(Lines(step.expected), 0, Lines(actual), 0, &memo))
        << step.file << " line " << step.line << ":\n"
        << step.commands << "\nprinted:\n"
        << actual << "\nbut " << step.file << " shows:\n"
        << step.expected;
  }
}

TEST(ReadmeTourTest, TheMatcherHonoursEllipsesAndNothingElse) {
  std::map<std::pair<size_t, size_t>, bool> memo;
  auto matches = [&](const std::string& expected, const std::string& actual) {
    memo.clear();
    return Matches(Lines(expected), 0, Lines(actual), 0, &memo);
  };
  EXPECT_TRUE(matches("a\n…\nd\n", "a\nb\nc\nd\n"));
  EXPECT_TRUE(matches("a\n…\nd\n", "a\nd\n"));
  EXPECT_FALSE(matches("a\n…\nd\n", "a\nb\n"));
  EXPECT_TRUE(matches("took … ms (… events/s)\n", "took 0.1 ms (44,425 events/s)\n"));
  EXPECT_FALSE(matches("took … ms\n", "took 0.1 s\n"));
  EXPECT_FALSE(matches("seq 5\n", "seq 6\n"));
  EXPECT_FALSE(matches("seq 5\n", "seq 5\nextra\n"));
}

}  // namespace
}  // namespace salestrack
