// `salestrack demo`: loads the example org, schemes and targets of deploy/examples/ into a running
// daemon, then a quarter of generated activity (demo_data.h), through the ordinary Append RPC.
#include <cstdio>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/commands.h"
#include "cli/demo_data.h"
#include "cli/output.h"
#include "google/protobuf/util/json_util.h"
#include "salestrack/v1/log_service.grpc.pb.h"

ABSL_FLAG(std::string, examples, "deploy/examples",
          "demo: the directory holding org.jsonl, schemes.jsonl and targets.jsonl.");
ABSL_FLAG(std::string, demo_from, "2026-10-01",
          "demo: the first day of activity (Asia/Shanghai), YYYY-MM-DD; the examples' targets are "
          "for the quarter starting 2026-10-01.");
ABSL_FLAG(std::string, demo_until, "",
          "demo: no activity at or after this RFC 3339 instant. Default: now, or the end of the "
          "quarter of --demo_from if that is earlier.");
ABSL_FLAG(uint64_t, seed, 1, "demo: the random seed; the same seed gives the same events.");

namespace salestrack::cli {
namespace {

constexpr char kCmd[] = "demo";

absl::StatusOr<std::vector<v1::Event>> ReadExample(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path, " (see --examples)"));
  std::vector<v1::Event> events;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    v1::Event e;
    if (auto s = google::protobuf::util::JsonStringToMessage(line, &e); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": ", s.ToString()));
    }
    events.push_back(std::move(e));
  }
  return events;
}

struct Sent {
  size_t events = 0, duplicates = 0;
  uint64_t first_seq = 0, last_seq = 0;
};

// Appends in atomic batches of 500; false (after printing why) on the first refusal.
bool Send(const Context& ctx, const std::vector<v1::Event>& events, Sent& sent) {
  auto stub = v1::LogService::NewStub(ctx.channel);
  for (size_t i = 0; i < events.size(); i += 500) {
    v1::AppendRequest request;
    for (size_t j = i; j < std::min(events.size(), i + 500); ++j) *request.add_events() = events[j];
    v1::AppendResponse response;
    grpc::ClientContext context;
    SetDeadline(context, ctx);
    grpc::Status status = stub->Append(&context, request, &response);
    if (!status.ok()) {
      RpcFailed(kCmd, ctx, status);
      return false;
    }
    sent.events += request.events_size();
    sent.duplicates += response.duplicates();
    for (uint64_t seq : response.seqs()) {
      if (sent.first_seq == 0 || seq < sent.first_seq) sent.first_seq = seq;
      sent.last_seq = std::max(sent.last_seq, seq);
    }
  }
  return true;
}

}  // namespace

int RunDemo(const Context& ctx) {
  if (!ctx.args.empty()) {
    return UsageError(kCmd, absl::StrCat("unexpected argument \"", ctx.args[0], "\""));
  }
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Asia/Shanghai", &zone))
    return UsageError(kCmd, "no Asia/Shanghai zone (tzdata)");
  absl::CivilDay from;
  if (!absl::ParseCivilTime(absl::GetFlag(FLAGS_demo_from), &from)) {
    return UsageError(kCmd, "--demo_from must be a date YYYY-MM-DD");
  }
  absl::CivilMonth quarter_start(from.year(), (from.month() - 1) / 3 * 3 + 1);
  absl::Time until =
      std::min(absl::Now() - absl::Minutes(1), absl::FromCivil(quarter_start + 3, zone));
  if (std::string flag = absl::GetFlag(FLAGS_demo_until); !flag.empty()) {
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, flag, &until, &error)) {
      return UsageError(kCmd, absl::StrCat("--demo_until: ", error));
    }
  }
  const std::string dir = absl::GetFlag(FLAGS_examples);
  std::vector<v1::Event> setup;
  for (const char* name : {"org.jsonl", "schemes.jsonl", "targets.jsonl"}) {
    absl::StatusOr<std::vector<v1::Event>> events = ReadExample(absl::StrCat(dir, "/", name));
    if (!events.ok()) return UsageError(kCmd, events.status().message());
    setup.insert(setup.end(), events->begin(), events->end());
  }
  DemoOptions options;
  options.from = from;
  options.until = until;
  options.zone = zone;
  options.seed = absl::GetFlag(FLAGS_seed);
  for (const v1::Event& e : setup) {
    if (e.has_rep_defined())
      options.reps.push_back({e.rep_defined().rep_id(), e.rep_defined().role()});
  }
  std::vector<v1::Event> activity = DemoActivity(options);

  Sent org, sent;
  if (!Send(ctx, setup, org) || !Send(ctx, activity, sent)) return 1;
  std::printf("org, schemes and targets: %zu events (%zu already there)\n", org.events,
              org.duplicates);
  std::printf(
      "activity %s .. %s: sent %zu events, %zu duplicate (retries, or an earlier demo run "
      "with this seed), seqs up to %llu\n",
      absl::FormatCivilTime(from).c_str(), absl::FormatTime("%Y-%m-%d %H:%M", until, zone).c_str(),
      sent.events, sent.duplicates, static_cast<unsigned long long>(sent.last_seq));
  return 0;
}

}  // namespace salestrack::cli
