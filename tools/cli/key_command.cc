// `salestrack new-key`: makes an API key locally. The token is printed once, for its holder; the
// daemon's config gets only its SHA-256.
#include <cstdio>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "auth/api_token.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "google/protobuf/text_format.h"
#include "salestrack/access.h"

ABSL_DECLARE_FLAG(std::string, rep);
ABSL_DECLARE_FLAG(std::string, unit);
ABSL_FLAG(std::string, name, "", "new-key: who will hold the key (unique; shown in logs).");
ABSL_FLAG(std::string, role, "", "new-key: admin, connector, rep, manager or screen.");

namespace salestrack::cli {

int RunNewKey(const std::vector<char*>& args) {
  constexpr char kCmd[] = "new-key";
  if (args.size() > 2)
    return UsageError(kCmd, std::string("unexpected argument \"") + args[2] + "\"");
  v1::ApiKey key;
  key.set_name(absl::GetFlag(FLAGS_name));
  key.set_role(absl::GetFlag(FLAGS_role));
  key.set_rep_id(absl::GetFlag(FLAGS_rep));
  key.set_unit_id(absl::GetFlag(FLAGS_unit));
  if (absl::Status s = PrincipalOfKey(key).status(); !s.ok()) {
    return UsageError(kCmd, absl::StrCat("--", s.message()));
  }
  absl::StatusOr<std::string> token = NewApiToken();
  if (!token.ok()) {
    std::fprintf(stderr, "salestrack new-key: %s\n", std::string(token.status().message()).c_str());
    return 1;
  }
  key.set_sha256(Sha256Hex(*token));
  std::string entry;
  google::protobuf::TextFormat::PrintToString(key, &entry);
  std::printf(
      "token (give it to %s; it is shown only now and stored nowhere):\n  %s\n\n"
      "add to salestrackd's config, then restart salestrackd:\napi_keys {\n",
      key.name().c_str(), token->c_str());
  for (absl::string_view line : absl::StrSplit(entry, '\n', absl::SkipEmpty())) {
    std::printf("  %.*s\n", static_cast<int>(line.size()), line.data());
  }
  std::printf("}\n");
  return 0;
}

}  // namespace salestrack::cli
