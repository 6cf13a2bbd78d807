// Command-line help and version, shared by salestrackd and the salestrack CLI.
//
// absl's built-in --help prints the usage's first line twice, lists flags under build paths and
// exits 1, and --version prints no version. These replace them:
//
//   int main(int argc, char** argv) {
//     if (auto code = cmdline::HandleHelpAndVersion(argc, argv, kHelp)) return *code;
//     absl::ParseCommandLine(argc, argv);
//
// `--help`, `-h`, `--helpfull` (anywhere before a bare `--`) print the usage text, then the
// program's own flags sorted by name with their defaults, to stdout; `--version` prints "PROGRAM
// VERSION". Both exit 0.
#ifndef SALESTRACK_CMDLINE_HELP_H_
#define SALESTRACK_CMDLINE_HELP_H_

#include <functional>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

namespace salestrack::cmdline {

struct HelpText {
  absl::string_view program;  // "salestrackd"
  absl::string_view usage;    // What the program is and how to call it; ends without a newline.
  // Whether a flag defined in `file` (its source path) is the program's own: absl's and gRPC's
  // flags are left out of the list.
  std::function<bool(absl::string_view file)> owns_flag;
};

// The program's version, e.g. "0.1.0" (CMake's project version).
absl::string_view Version();

// The help text: usage, then the program's flags.
std::string HelpString(const HelpText& help);

// When argv asks for help or the version, prints it and returns the exit code (0); else nullopt.
std::optional<int> HandleHelpAndVersion(int argc, char** argv, const HelpText& help);

}  // namespace salestrack::cmdline

#endif  // SALESTRACK_CMDLINE_HELP_H_
