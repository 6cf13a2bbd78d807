// `salestrack append` and `salestrack import`: JSON lines in, events appended over AppendStream.
//
// import reads what `salestrack export` wrote (EventRecord lines: the seq and recorded_at are
// dropped, the event is appended; plain Event lines are accepted too), so an import goes through
// the daemon's validation like any append, and importing twice changes nothing.
//
// Every line is parsed and validated locally first (the same validation.h the daemon runs), so a
// bad file is reported in full, line by line, before anything is sent. The good lines then go out in
// batches on one AppendStream; each batch is atomic, and a refusal by the daemon (e.g. an id reused
// with other content) is mapped back to its line.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "google/protobuf/util/json_util.h"
#include "salestrack/v1/log_service.grpc.pb.h"
#include "salestrack/validation.h"

ABSL_FLAG(uint32_t, batch, 500, "append: events per atomic batch (1..1000).");
ABSL_FLAG(bool, keep_going, false,
          "append: send the good lines even when some lines are bad (they are still reported).");

namespace salestrack::cli {
namespace {

struct Line {
  int number;
  v1::Event event;
};

// Parses one line as an Event, or (records) as an EventRecord whose event is taken.
absl::Status ParseLine(const std::string& text, bool records, v1::Event* event) {
  google::protobuf::util::JsonParseOptions json;
  if (records) {
    v1::EventRecord record;
    auto parsed = google::protobuf::util::JsonStringToMessage(text, &record, json);
    if (parsed.ok() && record.has_event()) {
      *event = std::move(*record.mutable_event());
      return absl::OkStatus();
    }
    // Not a record: maybe a plain event. If not that either, the record's error says more.
    if (google::protobuf::util::JsonStringToMessage(text, event, json).ok()) {
      return absl::OkStatus();
    }
    if (parsed.ok()) return absl::InvalidArgumentError("record has no event");
    return absl::InvalidArgumentError(parsed.ToString());
  }
  auto parsed = google::protobuf::util::JsonStringToMessage(text, event, json);
  if (!parsed.ok()) return absl::InvalidArgumentError(parsed.ToString());
  return absl::OkStatus();
}

// Reads and checks every line; returns the good ones and prints the bad ones.
std::vector<Line> ReadLines(std::istream& in, bool records, int* bad) {
  std::vector<Line> good;
  ValidationOptions validation;
  absl::Time now = absl::Now();
  std::string text;
  for (int number = 1; std::getline(in, text); ++number) {
    if (absl::StripAsciiWhitespace(text).empty()) continue;
    Line line{number, {}};
    if (absl::Status parsed = ParseLine(text, records, &line.event); !parsed.ok()) {
      std::fprintf(stderr, "line %d: %s\n", number, std::string(parsed.message()).c_str());
      ++*bad;
      continue;
    }
    if (std::optional<FieldProblem> p = ValidateEvent(line.event, now, validation)) {
      std::fprintf(stderr, "line %d: %s: %s\n", number, p->field.c_str(), p->reason.c_str());
      ++*bad;
      continue;
    }
    good.push_back(std::move(line));
  }
  return good;
}

// append (records = false) and import (records = true).
int AppendLines(const Context& ctx, const char* command, bool records) {
  if (ctx.args.size() > 1) {
    std::fprintf(stderr, "salestrack %s: give at most one FILE (or none for stdin)\n", command);
    return 2;
  }
  const size_t batch_size = absl::GetFlag(FLAGS_batch);
  if (batch_size < 1 || batch_size > 1000) {
    std::fprintf(stderr, "salestrack %s: --batch must be in [1, 1000]\n", command);
    return 2;
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  std::string source = "stdin";
  if (!ctx.args.empty() && ctx.args[0] != "-") {
    source = ctx.args[0];
    file.open(source);
    if (!file) {
      std::fprintf(stderr, "salestrack %s: cannot read %s\n", command, source.c_str());
      return 2;
    }
    in = &file;
  }

  int bad = 0;
  std::vector<Line> lines = ReadLines(*in, records, &bad);
  if (bad > 0 && !absl::GetFlag(FLAGS_keep_going)) {
    std::fprintf(stderr,
                 "%d bad line(s) in %s; nothing was sent (fix them, or pass --keep_going to send "
                 "the %zu good lines)\n",
                 bad, source.c_str(), lines.size());
    return 1;
  }
  if (lines.empty()) {
    std::fprintf(stderr, "no events in %s\n", source.c_str());
    return bad > 0 ? 1 : 0;
  }

  const size_t batches = (lines.size() + batch_size - 1) / batch_size;
  auto stub = v1::LogService::NewStub(ctx.channel);
  grpc::ClientContext context;
  auto stream = stub->AppendStream(&context);
  std::thread writer([&] {
    for (size_t b = 0; b < batches; ++b) {
      v1::AppendRequest request;
      request.set_request_id(b);
      size_t end = std::min(lines.size(), (b + 1) * batch_size);
      for (size_t i = b * batch_size; i < end; ++i) *request.add_events() = lines[i].event;
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
  });

  uint64_t written = 0, duplicates = 0, refused = 0, first_seq = 0, last_seq = 0;
  v1::AppendStreamResponse response;
  size_t answered = 0;
  while (stream->Read(&response)) {
    ++answered;
    size_t b = response.request_id();
    size_t begin = b * batch_size, end = std::min(lines.size(), (b + 1) * batch_size);
    if (response.has_error()) {
      const v1::AppendError& e = response.error();
      refused += end - begin;
      int line = e.event_index() >= 0 && begin + e.event_index() < end
                     ? lines[begin + e.event_index()].number
                     : lines[begin].number;
      std::fprintf(stderr, "line %d: %s (refused with the %zu lines %d..%d of its batch)\n", line,
                   e.message().c_str(), end - begin, lines[begin].number, lines[end - 1].number);
      continue;
    }
    const v1::AppendResponse& ok = response.ok();
    duplicates += ok.duplicates();
    written += ok.seqs_size() - ok.duplicates();
    for (uint64_t seq : ok.seqs()) {
      first_seq = first_seq == 0 ? seq : std::min(first_seq, seq);
      last_seq = std::max(last_seq, seq);
    }
  }
  writer.join();
  grpc::Status status = stream->Finish();
  if (!status.ok() || answered != batches) {
    std::fprintf(stderr, "salestrack %s: %s: %s (%zu of %zu batches answered)\n", command,
                 ctx.server.c_str(), status.ok() ? "stream ended early" : status.error_message().c_str(),
                 answered, batches);
    return 1;
  }
  std::printf("%s %llu new, %llu duplicate, %llu refused, %d bad line(s)",
              records ? "imported" : "appended", static_cast<unsigned long long>(written),
              static_cast<unsigned long long>(duplicates),
              static_cast<unsigned long long>(refused), bad);
  if (first_seq != 0) {
    std::printf("; seqs %llu..%llu", static_cast<unsigned long long>(first_seq),
                static_cast<unsigned long long>(last_seq));
  }
  std::printf("\n");
  return refused > 0 || bad > 0 ? 1 : 0;
}

}  // namespace

int RunAppend(const Context& ctx) { return AppendLines(ctx, "append", /*records=*/false); }
int RunImport(const Context& ctx) { return AppendLines(ctx, "import", /*records=*/true); }

}  // namespace salestrack::cli
