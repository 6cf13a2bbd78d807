// `salestrack verify`, `salestrack rebuild` and `salestrack backup`: AdminService. They replay or
// copy the whole log, so they take no deadline (--timeout applies to the quick queries only); a
// daemon that is down still fails at once.
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"

namespace salestrack::cli {

int RunVerify(const Context& ctx) {
  constexpr char kCmd[] = "verify";
  if (!ctx.args.empty()) {
    return UsageError(kCmd, absl::StrCat("unexpected argument \"", ctx.args[0], "\""));
  }
  v1::VerifyResponse response;
  grpc::ClientContext context;
  grpc::Status status =
      v1::AdminService::NewStub(ctx.channel)->Verify(&context, v1::VerifyRequest(), &response);
  if (!status.ok()) return RpcFailed(kCmd, ctx, status);
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(response);
    return response.ok() ? 0 : 1;
  }
  const unsigned long long seq = response.seq();
  const std::string cells = Grouped(static_cast<int64_t>(response.cells_compared()));
  if (response.ok()) {
    std::printf("views match a replay of the log at seq %llu (%s figures compared)\n", seq,
                cells.c_str());
    return 0;
  }
  std::printf(
      "views DIFFER from a replay of the log at seq %llu (%s figures compared, %d "
      "difference(s)%s):\n",
      seq, cells.c_str(), response.differences_size(),
      response.differences_size() >= 1000 ? ", only the first 1000 are listed" : "");
  for (const std::string& d : response.differences()) std::printf("  %s\n", d.c_str());
  std::printf("'salestrack rebuild' replaces the live views with a replay.\n");
  return 1;
}

int RunRebuild(const Context& ctx) {
  constexpr char kCmd[] = "rebuild";
  if (!ctx.args.empty()) {
    return UsageError(kCmd, absl::StrCat("unexpected argument \"", ctx.args[0], "\""));
  }
  v1::RebuildResponse response;
  grpc::ClientContext context;
  grpc::Status status =
      v1::AdminService::NewStub(ctx.channel)->Rebuild(&context, v1::RebuildRequest(), &response);
  if (!status.ok()) return RpcFailed(kCmd, ctx, status);
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(response);
    return 0;
  }
  const int64_t n = static_cast<int64_t>(response.events_replayed());
  std::string rate = response.seconds() > 0 ? Grouped(static_cast<int64_t>(n / response.seconds()))
                                            : std::string("—");
  std::string took = response.seconds() >= 1
                         ? absl::StrFormat("%.2f s", response.seconds())
                         : absl::StrFormat("%.1f ms", response.seconds() * 1000);
  std::printf("rebuilt the views from %s events in %s (%s events/s), at seq %llu\n",
              Grouped(n).c_str(), took.c_str(), rate.c_str(),
              static_cast<unsigned long long>(response.seq()));
  return 0;
}

int RunBackup(const Context& ctx) {
  constexpr char kCmd[] = "backup";
  if (ctx.args.size() != 1) {
    return UsageError(kCmd,
                      "give the backup directory: a name under the daemon's backup_dir, or "
                      "an absolute path on the daemon's machine");
  }
  v1::BackupRequest request;
  request.set_dir(ctx.args[0]);
  v1::BackupResponse response;
  grpc::ClientContext context;
  grpc::Status status =
      v1::AdminService::NewStub(ctx.channel)->Backup(&context, request, &response);
  if (!status.ok()) return RpcFailed(kCmd, ctx, status);
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(response);
    return 0;
  }
  std::printf("backed up the log to seq %llu in %s (%s files, %s bytes, %.2f s)\n",
              static_cast<unsigned long long>(response.seq()), response.dir().c_str(),
              Grouped(static_cast<int64_t>(response.files())).c_str(),
              Grouped(static_cast<int64_t>(response.bytes())).c_str(), response.seconds());
  // The daemon names its config, authentication and the backup's time zone; an older one does not.
  std::printf(
      "restore: %s\n",
      response.restore_command().empty()
          ? absl::StrCat("salestrackd --data_dir NEW_DIR --restore_from ", response.dir()).c_str()
          : response.restore_command().c_str());
  return 0;
}

}  // namespace salestrack::cli
