// The salestrack CLI's subcommands. Each returns the process exit code: 0 ok, 1 the daemon or the
// input refused something, 2 usage errors.
#ifndef SALESTRACK_TOOLS_CLI_COMMANDS_H_
#define SALESTRACK_TOOLS_CLI_COMMANDS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "salestrack/v1/events.pb.h"
#include "salestrack/v1/kpi_service.pb.h"

namespace salestrack::cli {

struct Context {
  std::shared_ptr<grpc::Channel> channel;
  std::string server;
  std::vector<std::string> args;  // After the subcommand name.
  double timeout_seconds = 30;
};

// Shared by the commands: the --period/--date flags as a Period (no --date: no date, the daemon's
// today), and the call deadline from --timeout.
absl::StatusOr<v1::Period> PeriodFromFlags();
// The --rep or --unit flag as a subject (exactly one of them).
absl::StatusOr<v1::Subject> SubjectFromFlags();
void SetDeadline(grpc::ClientContext& context, const Context& ctx);

int RunAppend(const Context& ctx);
int RunEvents(const Context& ctx);
int RunHealth(const Context& ctx);
int RunKpis(const Context& ctx);
int RunFunnel(const Context& ctx);
int RunFollowUps(const Context& ctx);
int RunVerify(const Context& ctx);
int RunRebuild(const Context& ctx);
int RunTop(const Context& ctx);
int RunWatch(const Context& ctx);
int RunScorecard(const Context& ctx);
int RunTargets(const Context& ctx);
int RunExplain(const Context& ctx);
int RunDemo(const Context& ctx);
int RunReport(const Context& ctx);
int RunBackup(const Context& ctx);
int RunExport(const Context& ctx);
int RunImport(const Context& ctx);
// `salestrack import --mapping=MAPPING FILE...`: CRM CSV exports (tools/cli/import/).
int RunCrmImport(const Context& ctx);
int RunStats(const Context& ctx);
// `salestrack notify dead-letters | retry` (notify_commands.cc).
int RunNotify(const Context& ctx);
// Local: needs no daemon. `args` is argv after flag parsing.
int RunNewKey(const std::vector<char*>& args);

}  // namespace salestrack::cli

#endif  // SALESTRACK_TOOLS_CLI_COMMANDS_H_
