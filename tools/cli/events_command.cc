// `salestrack events`, `salestrack export` and `salestrack health`.
//
// An export is a header line (v1::ExportHeaderLine: the daemon's time zone and head seq, which
// `salestrack import` checks) and then the records as `salestrack events` prints them.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "salestrack/v1/log_service.grpc.pb.h"

ABSL_FLAG(uint64_t, from, 1, "events: the first seq to print.");
ABSL_FLAG(bool, follow, false,
          "events: keep printing records as they are committed (Ctrl-C stops).");
ABSL_FLAG(uint64_t, limit, 0,
          "events: stop after this many records (0: no limit). followups: list at most this many "
          "(0: the daemon's default, 1,000; at most 10,000).");

namespace salestrack::cli {
namespace {

struct Copied {
  uint64_t records = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
};

// Writes the records `request` reads as JSON lines to `out`.
grpc::Status CopyRecords(const Context& ctx, const v1::ReadEventsRequest& request, FILE* out,
                         Copied* copied) {
  auto stub = v1::LogService::NewStub(ctx.channel);
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::ReadEventsResponse>> reader =
      stub->ReadEvents(&context, request);
  google::protobuf::util::JsonPrintOptions json;
  json.preserve_proto_field_names = true;
  v1::ReadEventsResponse response;
  std::string line;
  while (reader->Read(&response)) {
    for (const v1::EventRecord& record : response.records()) {
      line.clear();
      google::protobuf::util::MessageToJsonString(record, &line, json);
      line += '\n';
      std::fwrite(line.data(), 1, line.size(), out);
      if (copied->records++ == 0) copied->first_seq = record.seq();
      copied->last_seq = record.seq();
    }
    std::fflush(out);
  }
  return reader->Finish();
}

}  // namespace

int RunEvents(const Context& ctx) {
  if (!ctx.args.empty()) {
    std::fprintf(stderr, "salestrack events: unexpected argument \"%s\"\n", ctx.args[0].c_str());
    return 2;
  }
  v1::ReadEventsRequest request;
  request.set_from_seq(absl::GetFlag(FLAGS_from));
  request.set_follow(absl::GetFlag(FLAGS_follow));
  request.set_limit(absl::GetFlag(FLAGS_limit));
  Copied copied;
  grpc::Status status = CopyRecords(ctx, request, stdout, &copied);
  if (!status.ok()) {
    std::fprintf(stderr, "salestrack events: %s (%s)\n", status.error_message().c_str(),
                 ctx.server.c_str());
    return 1;
  }
  return 0;
}

int RunExport(const Context& ctx) {
  constexpr char kCmd[] = "export";
  if (ctx.args.size() > 1) return UsageError(kCmd, "give at most one FILE (or none for stdout)");
  FILE* out = stdout;
  std::string target = "stdout";
  if (!ctx.args.empty() && ctx.args[0] != "-") {
    target = ctx.args[0];
    out = std::fopen(target.c_str(), "wx");  // Never overwrites an earlier export.
    if (out == nullptr) {
      return UsageError(kCmd, absl::StrCat("cannot create ", target, ": ", std::strerror(errno)));
    }
  }
  // The header line: the time zone the log's figures are computed in, which import checks.
  v1::GetLogInfoResponse info;
  grpc::ClientContext info_context;
  SetDeadline(info_context, ctx);
  grpc::Status info_status =
      v1::LogService::NewStub(ctx.channel)->GetLogInfo(&info_context, {}, &info);
  if (info_status.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
    std::fprintf(stderr,
                 "salestrack export: the daemon does not tell its time zone (an older "
                 "salestrackd): the export has no header line\n");
  } else if (!info_status.ok()) {
    if (out != stdout) {
      std::fclose(out);
      std::remove(target.c_str());
    }
    return RpcFailed(kCmd, ctx, info_status);
  } else {
    v1::ExportHeaderLine header;
    header.mutable_salestrack_export()->set_time_zone(info.time_zone());
    header.mutable_salestrack_export()->set_head_seq(info.head_seq());
    std::string line;
    google::protobuf::util::JsonPrintOptions json;
    json.preserve_proto_field_names = true;
    google::protobuf::util::MessageToJsonString(header, &line, json);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), out);
  }
  // Every record up to the head the read catches up with (appends may go on meanwhile).
  v1::ReadEventsRequest request;
  request.set_from_seq(1);
  Copied copied;
  grpc::Status status = CopyRecords(ctx, request, out, &copied);
  bool flushed = std::fflush(out) == 0 && !std::ferror(out);
  if (out != stdout) flushed = std::fclose(out) == 0 && flushed;
  if (!status.ok()) return RpcFailed(kCmd, ctx, status);
  if (!flushed) {
    std::fprintf(stderr, "salestrack export: writing %s failed: %s\n", target.c_str(),
                 std::strerror(errno));
    return 1;
  }
  std::fprintf(stderr, "exported %llu records (seqs %llu..%llu) to %s%s\n",
               static_cast<unsigned long long>(copied.records),
               static_cast<unsigned long long>(copied.first_seq),
               static_cast<unsigned long long>(copied.last_seq), target.c_str(),
               info_status.ok() ? absl::StrCat(", time zone ", info.time_zone()).c_str() : "");
  return 0;
}

int RunHealth(const Context& ctx) {
  // grpc.health.v1.Health/Check through the generic stub: HealthCheckRequest{service = ""} is
  // empty, and HealthCheckResponse is {status = 1: enum}, so the bytes are read directly.
  grpc::GenericStub stub(ctx.channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(static_cast<int64_t>(ctx.timeout_seconds * 1000)));
  grpc::ByteBuffer request, response;
  grpc::Slice empty;
  request = grpc::ByteBuffer(&empty, 1);
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(s); });
  grpc::Status status = done.get_future().get();
  if (!status.ok()) {
    std::fprintf(stderr, "salestrack health: %s: %s\n", ctx.server.c_str(),
                 status.error_message().c_str());
    return 1;
  }
  std::vector<grpc::Slice> slices;
  (void)response.Dump(&slices);
  std::string bytes;
  for (const grpc::Slice& s : slices)
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  // 1 = SERVING, 2 = NOT_SERVING.
  int code = bytes.size() == 2 && bytes[0] == 0x08 ? bytes[1] : 0;
  const char* name = code == 1 ? "SERVING" : code == 2 ? "NOT_SERVING" : "UNKNOWN";
  std::printf("%s %s\n", ctx.server.c_str(), name);
  return code == 1 ? 0 : 1;
}

}  // namespace salestrack::cli
