// `salestrack notify dead-letters` and `salestrack notify retry`: the daemon's notification dead
// letters (AdminService.ListDeadLetters, RetryDeadLetters; docs/notifications.md), admin keys only.
#include <algorithm>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"

ABSL_FLAG(std::string, rule, "", "notify dead-letters, notify retry --all: only this rule's.");
ABSL_FLAG(bool, all, false, "notify retry: every dead letter (of --rule, if given).");
ABSL_DECLARE_FLAG(uint64_t, limit);  // events_command.cc

namespace salestrack::cli {
namespace {

constexpr char kCmd[] = "notify";
constexpr char kUsageText[] =
    "usage: salestrack notify dead-letters [--rule NAME] [--limit N] | "
    "salestrack notify retry (KEY... | --all [--rule NAME])";

int DeadLetters(const Context& ctx) {
  if (ctx.args.size() != 1) return UsageError(kCmd, kUsageText);
  v1::ListDeadLettersRequest request;
  request.set_rule(absl::GetFlag(FLAGS_rule));
  const uint64_t limit = absl::GetFlag(FLAGS_limit);
  request.set_limit(static_cast<uint32_t>(std::min<uint64_t>(limit, 1000)));
  v1::ListDeadLettersResponse response;
  grpc::ClientContext context;
  SetDeadline(context, ctx);
  grpc::Status status =
      v1::AdminService::NewStub(ctx.channel)->ListDeadLetters(&context, request, &response);
  if (!status.ok()) return RpcFailed(kCmd, ctx, status);
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(response);
    return 0;
  }
  std::printf("%llu dead letter(s)%s\n", static_cast<unsigned long long>(response.total()),
              static_cast<uint64_t>(response.dead_letters_size()) < response.total()
                  ? absl::StrCat(", the first ", response.dead_letters_size(), " listed").c_str()
                  : "");
  for (const v1::Notification& n : response.dead_letters()) {
    std::printf("%s\n  rule %s, seq %llu, created %s, %u attempt(s)\n  %s\n  last error: %s\n",
                n.idempotency_key().c_str(), n.rule().c_str(),
                static_cast<unsigned long long>(n.seq()), FormatTimestamp(n.created_at()).c_str(),
                n.attempts(), n.summary().c_str(), n.last_error().c_str());
  }
  if (response.total() > 0) {
    std::printf("'salestrack notify retry KEY...' (or --all) sends them again.\n");
  }
  return 0;
}

int Retry(const Context& ctx) {
  v1::RetryDeadLettersRequest request;
  request.set_all(absl::GetFlag(FLAGS_all));
  request.set_rule(absl::GetFlag(FLAGS_rule));
  for (size_t i = 1; i < ctx.args.size(); ++i) request.add_idempotency_keys(ctx.args[i]);
  if (request.all() == (request.idempotency_keys_size() > 0)) {
    return UsageError(kCmd, "retry: give the dead letters' keys, or --all");
  }
  v1::RetryDeadLettersResponse response;
  grpc::ClientContext context;
  SetDeadline(context, ctx);
  grpc::Status status =
      v1::AdminService::NewStub(ctx.channel)->RetryDeadLetters(&context, request, &response);
  if (!status.ok()) return RpcFailed(kCmd, ctx, status);
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(response);
    return 0;
  }
  std::printf("%u notification(s) queued again\n", response.requeued());
  return 0;
}

}  // namespace

int RunNotify(const Context& ctx) {
  if (!ctx.args.empty() && ctx.args[0] == "dead-letters") return DeadLetters(ctx);
  if (!ctx.args.empty() && ctx.args[0] == "retry") return Retry(ctx);
  return UsageError(kCmd, kUsageText);
}

}  // namespace salestrack::cli
