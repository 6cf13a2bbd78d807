// salestrack: the command-line client of salestrackd.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "cli/commands.h"

ABSL_FLAG(std::string, server, "",
          "salestrackd address, host:port. Default $SALESTRACK_SERVER, else 127.0.0.1:7411.");
ABSL_FLAG(double, timeout, 30, "Seconds to wait for the daemon on one-shot calls.");

namespace {

constexpr char kUsage[] =
    "salestrack: the command-line client of salestrackd.\n"
    "\n"
    "Usage: salestrack [--server HOST:PORT] COMMAND [flags] [args]\n"
    "\n"
    "Commands:\n"
    "  append [FILE]   Append events given as JSON lines (protobuf JSON mapping of\n"
    "                  salestrack.v1.Event), from FILE or stdin. Every line is checked first;\n"
    "                  bad lines are reported with their line number and field, and nothing is\n"
    "                  sent unless --keep_going. Flags: --batch, --keep_going.\n"
    "  events          Print the log as JSON lines (EventRecord). Flags: --from, --follow, --limit.\n"
    "  health          Ask the daemon whether it is serving.\n"
    "\n"
    "Run 'salestrack --helpfull' for every flag.";

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "tools/cli/");
  };
  absl::SetFlagsUsageConfig(usage);
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() < 2) {
    std::fprintf(stderr, "%s\n", kUsage);
    return 2;
  }
  salestrack::cli::Context ctx;
  ctx.server = absl::GetFlag(FLAGS_server);
  if (ctx.server.empty()) {
    const char* env = std::getenv("SALESTRACK_SERVER");
    ctx.server = env != nullptr && *env != '\0' ? env : "127.0.0.1:7411";
  }
  ctx.timeout_seconds = absl::GetFlag(FLAGS_timeout);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  ctx.channel =
      grpc::CreateCustomChannel(ctx.server, grpc::InsecureChannelCredentials(), args);
  std::string command = rest[1];
  for (size_t i = 2; i < rest.size(); ++i) ctx.args.push_back(rest[i]);

  if (command == "append") return salestrack::cli::RunAppend(ctx);
  if (command == "events") return salestrack::cli::RunEvents(ctx);
  if (command == "health") return salestrack::cli::RunHealth(ctx);
  std::fprintf(stderr, "salestrack: unknown command \"%s\"\n\n%s\n", command.c_str(), kUsage);
  return 2;
}
