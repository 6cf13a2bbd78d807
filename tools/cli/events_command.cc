// `salestrack events` and `salestrack health`.
#include <chrono>
#include <cstdio>
#include <future>

#include "absl/flags/flag.h"
#include "cli/commands.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "salestrack/v1/log_service.grpc.pb.h"

ABSL_FLAG(uint64_t, from, 1, "events: the first seq to print.");
ABSL_FLAG(bool, follow, false, "events: keep printing records as they are committed (Ctrl-C stops).");
ABSL_FLAG(uint64_t, limit, 0, "events: stop after this many records (0: no limit).");

namespace salestrack::cli {

int RunEvents(const Context& ctx) {
  if (!ctx.args.empty()) {
    std::fprintf(stderr, "salestrack events: unexpected argument \"%s\"\n", ctx.args[0].c_str());
    return 2;
  }
  auto stub = v1::LogService::NewStub(ctx.channel);
  grpc::ClientContext context;
  v1::ReadEventsRequest request;
  request.set_from_seq(absl::GetFlag(FLAGS_from));
  request.set_follow(absl::GetFlag(FLAGS_follow));
  request.set_limit(absl::GetFlag(FLAGS_limit));
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
      std::fwrite(line.data(), 1, line.size(), stdout);
      std::fputc('\n', stdout);
    }
    std::fflush(stdout);
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) {
    std::fprintf(stderr, "salestrack events: %s (%s)\n", status.error_message().c_str(),
                 ctx.server.c_str());
    return 1;
  }
  return 0;
}

int RunHealth(const Context& ctx) {
  // grpc.health.v1.Health/Check through the generic stub: HealthCheckRequest{service = ""} is empty,
  // and HealthCheckResponse is {status = 1: enum}, so the bytes are read directly.
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
  for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  // 1 = SERVING, 2 = NOT_SERVING.
  int code = bytes.size() == 2 && bytes[0] == 0x08 ? bytes[1] : 0;
  const char* name = code == 1 ? "SERVING" : code == 2 ? "NOT_SERVING" : "UNKNOWN";
  std::printf("%s %s\n", ctx.server.c_str(), name);
  return code == 1 ? 0 : 1;
}

}  // namespace salestrack::cli
