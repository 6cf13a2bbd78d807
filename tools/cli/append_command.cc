// `salestrack append` and `salestrack import`: JSON lines in, events appended over AppendStream.
//
// import reads what `salestrack export` wrote (EventRecord lines: the seq and recorded_at are
// dropped, the event is appended; plain Event lines are accepted too), so an import goes through
// the daemon's validation like any append, and importing twice changes nothing. The export's header
// line names the time zone its figures were computed in; import refuses a daemon in another zone
// (its day, week and month figures would differ) unless --ignore_time_zone. A file without a header
// (an older export, or plain events) is imported with a note.
//
// Every line is parsed and validated locally first (the same validation.h the daemon runs), so a
// bad file is reported in full, line by line, before anything is sent. The good lines then go out
// in batches on one AppendStream; each batch is atomic, and a refusal by the daemon (e.g. an id
// reused with other content) is mapped back to its line.
//
// A batch refused for the API key's rate limit (RESOURCE_EXHAUSTED with a retry hint) is sent again
// after the wait the daemon hints, at most --max_retries times, saying so on stderr; later batches
// wait their turn, so the file's order is kept as far as the pipelined stream allows.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>
#include <utility>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/append_stream.h"
#include "cli/commands.h"
#include "cli/json_input.h"
#include "salestrack/v1/log_service.grpc.pb.h"

ABSL_FLAG(uint32_t, batch, 500, "append: events per atomic batch (1..1000).");
ABSL_FLAG(bool, keep_going, false,
          "append: send the good lines even when some lines are bad (they are still reported).");
ABSL_FLAG(int32_t, max_retries, 10,
          "append, import: how often to retry a batch the daemon refused for the API key's rate "
          "limit (each after the wait the daemon hints).");
ABSL_FLAG(bool, ignore_time_zone, false,
          "import: import even when the export's time zone is not the daemon's (its day, week and "
          "month figures will then differ from the exporting daemon's).");
ABSL_FLAG(double, max_retry_wait, 60,
          "append, import: give up instead of waiting when the daemon hints a wait longer than "
          "this many seconds.");

ABSL_DECLARE_FLAG(std::string, mapping);

namespace salestrack::cli {
namespace {

// Reads and checks every line; returns the good ones and prints the bad ones. With `header`, a
// first line that is an export's header fills it instead.
std::vector<Line> ReadLines(std::istream& in, bool records, int* bad,
                            std::optional<v1::ExportHeader>* header) {
  std::vector<Line> good;
  absl::Time now = absl::Now();
  std::string text;
  bool first = true;
  for (int number = 1; std::getline(in, text); ++number) {
    if (absl::StripAsciiWhitespace(text).empty()) continue;
    if (std::exchange(first, false) && header != nullptr) {
      if (v1::ExportHeader h; ParseExportHeader(text, &h)) {
        *header = std::move(h);
        continue;
      }
    }
    Line line{number, {}, {}};
    if (absl::Status s = ParseEventLine(text, records, now, &line.event); !s.ok()) {
      std::fprintf(stderr, "line %d: %s\n", number, std::string(s.message()).c_str());
      ++*bad;
      continue;
    }
    good.push_back(std::move(line));
  }
  return good;
}

// Lines [begin, end) of the good lines, sent as one atomic batch.
struct Batch {
  size_t begin, end;
  uint32_t retry_after_ms = 0;  // Set when the daemon refused it for its rate limit.
};

// Sends `batches` in order on one AppendStream and tallies the answers. A batch refused with a
// retry hint (the key's rate limit) goes to *throttled, and so do the batches not yet sent by then:
// the writer stops at the first such refusal, so what is retried keeps (mostly) its file order.
// Returns false, having said why, when the stream broke.
bool SendBatches(const Context& ctx, const char* command, const std::vector<Line>& lines,
                 const std::vector<Batch>& batches, Tally* tally, std::vector<Batch>* throttled) {
  auto stub = v1::LogService::NewStub(ctx.channel);
  grpc::ClientContext context;
  auto stream = stub->AppendStream(&context);
  std::atomic<bool> stop{false};
  std::atomic<size_t> sent{0};
  std::thread writer([&] {
    for (size_t b = 0; b < batches.size() && !stop.load(); ++b) {
      v1::AppendRequest request;
      request.set_request_id(b);
      for (size_t i = batches[b].begin; i < batches[b].end; ++i)
        *request.add_events() = lines[i].event;
      if (!stream->Write(request)) break;
      sent.store(b + 1);
    }
    stream->WritesDone();
  });

  v1::AppendStreamResponse response;
  size_t answered = 0;
  while (stream->Read(&response)) {
    ++answered;
    Batch batch = batches[response.request_id()];
    const size_t begin = batch.begin, end = batch.end;
    if (response.has_error()) {
      const v1::AppendError& e = response.error();
      if (e.retry_after_ms() > 0) {
        stop.store(true);
        batch.retry_after_ms = e.retry_after_ms();
        throttled->push_back(batch);
        continue;
      }
      tally->refused += end - begin;
      const bool named = e.event_index() >= 0 && begin + e.event_index() < end;
      tally->refusals.push_back({begin, end, named ? begin + e.event_index() : end});
      const Line& line = named ? lines[begin + e.event_index()] : lines[begin];
      std::string advice = e.max_batch_events() > 0
                               ? absl::StrCat("; rerun with --batch ", e.max_batch_events())
                               : "";
      std::fprintf(stderr, "%s: %s (refused with the %zu events of its batch, %s%s)\n",
                   Where(line).c_str(), e.message().c_str(), end - begin,
                   WhereRange(lines[begin], lines[end - 1]).c_str(), advice.c_str());
      continue;
    }
    const v1::AppendResponse& ok = response.ok();
    tally->duplicates += ok.duplicates();
    tally->written += ok.seqs_size() - ok.duplicates();
    for (uint64_t seq : ok.seqs()) {
      tally->first_seq = tally->first_seq == 0 ? seq : std::min(tally->first_seq, seq);
      tally->last_seq = std::max(tally->last_seq, seq);
    }
  }
  writer.join();
  grpc::Status status = stream->Finish();
  if (!status.ok() || answered != sent.load()) {
    std::fprintf(stderr, "salestrack %s: %s: %s (%zu of %zu batches answered)\n", command,
                 ctx.server.c_str(),
                 status.ok() ? "stream ended early" : status.error_message().c_str(), answered,
                 sent.load());
    return false;
  }
  for (size_t b = sent.load(); b < batches.size(); ++b) throttled->push_back(batches[b]);
  std::sort(throttled->begin(), throttled->end(),
            [](const Batch& x, const Batch& y) { return x.begin < y.begin; });
  return true;
}

// Appends the batches the daemon refused for the key's rate limit, one at a time in file order,
// each after the wait the daemon hinted, retrying each at most --max_retries times.
bool RetryThrottled(const Context& ctx, const char* command, const std::vector<Line>& lines,
                    std::vector<Batch> throttled, Tally* tally) {
  const int max_retries = absl::GetFlag(FLAGS_max_retries);
  const double max_wait = absl::GetFlag(FLAGS_max_retry_wait);
  uint32_t wait_ms = 0;
  for (const Batch& b : throttled) wait_ms = std::max(wait_ms, b.retry_after_ms);
  for (size_t next = 0; next < throttled.size();) {
    const Batch& batch = throttled[next];
    for (int retry = 1;; ++retry) {
      const std::string range = WhereRange(lines[batch.begin], lines[batch.end - 1]);
      if (retry > max_retries || wait_ms > max_wait * 1000) {
        size_t left = 0;
        for (size_t i = next; i < throttled.size(); ++i)
          left += throttled[i].end - throttled[i].begin;
        std::fprintf(stderr,
                     "%s: still over the key's rate limit; gave up (%s), %zu event(s) "
                     "not sent\n",
                     range.c_str(),
                     retry > max_retries
                         ? absl::StrCat("after ", max_retries, " retries, --max_retries").c_str()
                         : absl::StrCat("the daemon asks for ", wait_ms, " ms, more than ",
                                        "--max_retry_wait ", max_wait, " s")
                               .c_str(),
                     left);
        tally->refused += left;
        return true;
      }
      std::fprintf(stderr, "%s: rate limited; retrying in %u ms (retry %d of %d)\n", range.c_str(),
                   wait_ms, retry, max_retries);
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
      std::vector<Batch> again;
      if (!SendBatches(ctx, command, lines, {batch}, tally, &again)) return false;
      if (again.empty()) break;
      wait_ms = again.front().retry_after_ms;
    }
    ++next;
    wait_ms = 0;  // The next batch goes at once; a refusal brings a fresh hint.
  }
  return true;
}

}  // namespace

int CheckTimeZone(const Context& ctx, const std::string& source,
                  const std::optional<std::string>& zone, const std::string& origin) {
  v1::GetLogInfoResponse info;
  grpc::ClientContext context;
  SetDeadline(context, ctx);
  grpc::Status status = v1::LogService::NewStub(ctx.channel)->GetLogInfo(&context, {}, &info);
  const bool ignore = absl::GetFlag(FLAGS_ignore_time_zone);
  if (!zone) {
    std::fprintf(
        stderr,
        "salestrack import: %s has no export header (an older export, or plain events), "
        "so its time zone is not known%s\n",
        source.c_str(),
        status.ok()
            ? absl::StrCat("; the daemon computes its figures in ", info.time_zone()).c_str()
            : "");
    return 0;
  }
  if (!status.ok()) {
    std::fprintf(stderr,
                 "salestrack import: cannot check the daemon's time zone against %s's (%s): %s%s\n",
                 source.c_str(), zone->c_str(), status.error_message().c_str(),
                 ignore ? "; importing anyway (--ignore_time_zone)"
                        : ". Nothing was sent; pass --ignore_time_zone to import anyway");
    return ignore ? 0 : 1;
  }
  if (info.time_zone() == *zone) return 0;
  std::fprintf(
      stderr,
      "salestrack import: %s time zone \"%s\", but %s computes its figures in \"%s\": the same "
      "events would give other day, week and month figures. %s\n",
      origin.c_str(), zone->c_str(), ctx.server.c_str(), info.time_zone().c_str(),
      ignore ? "Importing anyway (--ignore_time_zone)."
             : absl::StrCat("Nothing was sent. Import into a daemon started with --time_zone ",
                            *zone, " on a new data directory, or pass --ignore_time_zone.")
                   .c_str());
  return ignore ? 0 : 1;
}

namespace {

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
  std::optional<v1::ExportHeader> header;
  std::vector<Line> lines = ReadLines(*in, records, &bad, records ? &header : nullptr);
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
  if (records) {
    std::optional<std::string> zone;
    if (header) zone = header->time_zone();
    if (int stop = CheckTimeZone(ctx, source, zone,
                                 absl::StrCat(source, " was exported from a daemon in"));
        stop != 0) {
      return stop;
    }
  }

  Tally tally;
  if (!SendInBatches(ctx, command, lines, batch_size, &tally)) return 1;

  std::printf("%s %llu new, %llu duplicate, %llu refused, %d bad line(s)",
              records ? "imported" : "appended", static_cast<unsigned long long>(tally.written),
              static_cast<unsigned long long>(tally.duplicates),
              static_cast<unsigned long long>(tally.refused), bad);
  if (tally.first_seq != 0) {
    std::printf("; seqs %llu..%llu", static_cast<unsigned long long>(tally.first_seq),
                static_cast<unsigned long long>(tally.last_seq));
  }
  std::printf("\n");
  return tally.refused > 0 || bad > 0 ? 1 : 0;
}

}  // namespace

std::string Where(const Line& line) {
  return line.where.empty() ? absl::StrCat("line ", line.number) : line.where;
}

std::string WhereRange(const Line& first, const Line& last) {
  if (first.where.empty()) return absl::StrCat("lines ", first.number, "..", last.number);
  return absl::StrCat(first.where, " .. ", last.where);
}

bool SendInBatches(const Context& ctx, const char* command, const std::vector<Line>& lines,
                   size_t batch_size, Tally* tally) {
  std::vector<Batch> batches;
  for (size_t begin = 0; begin < lines.size(); begin += batch_size) {
    batches.push_back({begin, std::min(lines.size(), begin + batch_size)});
  }
  std::vector<Batch> throttled;
  if (!SendBatches(ctx, command, lines, batches, tally, &throttled)) return false;
  return throttled.empty() || RetryThrottled(ctx, command, lines, throttled, tally);
}

int RunAppend(const Context& ctx) { return AppendLines(ctx, "append", /*records=*/false); }
int RunImport(const Context& ctx) {
  if (!absl::GetFlag(FLAGS_mapping).empty()) return RunCrmImport(ctx);
  return AppendLines(ctx, "import", /*records=*/true);
}

}  // namespace salestrack::cli
