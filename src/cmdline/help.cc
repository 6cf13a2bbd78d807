#include "cmdline/help.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace salestrack::cmdline {
namespace {

// Wraps `text` at ~96 columns, each line indented by `indent`.
void AppendWrapped(absl::string_view text, absl::string_view indent, std::string* out) {
  constexpr size_t kWidth = 96;
  std::string line;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    if (!line.empty() && indent.size() + line.size() + 1 + word.size() > kWidth) {
      absl::StrAppend(out, indent, line, "\n");
      line.clear();
    }
    absl::StrAppend(&line, line.empty() ? "" : " ", word);
  }
  if (!line.empty()) absl::StrAppend(out, indent, line, "\n");
}

}  // namespace

absl::string_view Version() { return SALESTRACK_VERSION; }

std::string HelpString(const HelpText& help) {
  std::vector<const absl::CommandLineFlag*> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (help.owns_flag(flag->Filename())) flags.push_back(flag);
  }
  std::sort(flags.begin(), flags.end(),
            [](const auto* a, const auto* b) { return a->Name() < b->Name(); });
  std::string out = absl::StrCat(help.usage, "\n\nFlags:\n");
  for (const absl::CommandLineFlag* flag : flags) {
    std::string default_value = flag->DefaultValue();
    absl::StrAppend(&out, "  --", flag->Name(),
                    default_value.empty() ? "" : absl::StrCat(" (default ", default_value, ")"),
                    "\n");
    AppendWrapped(flag->Help(), "      ", &out);
  }
  absl::StrAppend(&out, "  --help      this text\n  --version   the version\n");
  return out;
}

std::optional<int> HandleHelpAndVersion(int argc, char** argv, const HelpText& help) {
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--help" || arg == "-help" || arg == "-h" || arg == "--helpfull" ||
        arg == "-helpfull") {
      std::fputs(HelpString(help).c_str(), stdout);
      return 0;
    }
    if (arg == "--version" || arg == "-version") {
      std::printf("%.*s %.*s\n", static_cast<int>(help.program.size()), help.program.data(),
                  static_cast<int>(Version().size()), Version().data());
      return 0;
    }
  }
  return std::nullopt;
}

}  // namespace salestrack::cmdline
