// ingest_bench: end-to-end durable ingest benchmark of salestrackd (DESIGN.md "Performance
// targets").
//
// In one run, on this machine, with the WAL synced everywhere:
//   0. fsync probe: latency of one small appending write + fdatasync on the benchmark's disk, the
//      floor under every durable commit below.
//   1. baseline: raw RocksDB with the daemon's options (store::DaemonRocksDbOptions), 4 threads
//      writing WriteBatches of 100 events as the daemon encodes them (log record keyed by seq +
//      event_id -> seq index entry, store/keys.h) with WriteOptions::sync.
//   2. ingest: the real salestrackd binary as a child process, 4 client threads (one connection
//      each) calling LogService/Append with batches of 100 ActionLogged events, closed loop.
//   3. latency: the same daemon, once it has gone idle again (the ingest phase leaves flushes and
//      compactions behind; --no_settle skips the wait), 32 client threads (one connection each)
//      appending 1 event per call, closed loop; p50/p99/max call latency.
// Then prints a Markdown table against the targets and exits 0 (1 if something failed, e.g. RPC
// errors; a MISS of a target is a finding, not a failure). Each phase also reports the CPU used by
// the daemon, by this process and by the rest of the machine: on a 2-core machine a concurrent
// build disturbs every figure, and the report says so ("NOISY").
//
//   ingest_bench                 # default: 10 s ingest, 10 s baseline, 5 s latency
//   ingest_bench --seconds 2     # quick smoke run: 2 s ingest and baseline, 1 s latency
//   ingest_bench --help
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench_common.h"
#include "grpcpp/grpcpp.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "salestrack/v1/events.pb.h"
#include "salestrack/v1/log_service.grpc.pb.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"
#include "store/keys.h"
#include "store/log_store.h"
#include "store/rocksdb_options.h"

#ifndef SALESTRACKD_PATH
#error "SALESTRACKD_PATH must be defined (see bench/CMakeLists.txt)"
#endif

namespace salestrack::bench {
namespace {

// Targets of DESIGN.md "Performance targets".
constexpr double kTargetIngestEventsPerSecond = 200'000;
constexpr double kTargetBaselineRatio = 0.5;
constexpr double kTargetSingleP99Ms = 5.0;

// ---------------------------------------------------------------------------------------------------
// Options

struct Options {
  double ingest_seconds = 10;
  double baseline_seconds = 10;
  double latency_seconds = 5;
  int ingest_clients = 4;
  int batch_events = 100;
  int baseline_threads = 4;
  int latency_clients = 32;
  std::string dir;  // Parent of the temporary directories; default $TMPDIR or /tmp.
  std::string salestrackd = SALESTRACKD_PATH;
  bool keep = false;
  // Before the latency phase, wait for the daemon to finish the flushes and compactions the ingest
  // phase left behind, so the phase measures appends rather than that backlog.
  bool settle = true;
  std::string dump_latencies;  // CSV of every timed call, for plotting latency over time
};

void PrintUsage() {
  std::printf(
      "Usage: ingest_bench [--seconds N] [options]\n\n"
      "Measures salestrackd durable ingest (gRPC Append, batches of 100, 4 clients), single-event\n"
      "append latency (32 clients) and a raw RocksDB synced-batch baseline, and prints a Markdown\n"
      "table against the DESIGN.md targets.\n\n"
      "  --seconds N           scale: ingest and baseline N s, latency N/2 s (default 10)\n"
      "  --ingest_seconds N    durable ingest phase (default 10)\n"
      "  --baseline_seconds N  raw RocksDB baseline phase (default 10)\n"
      "  --latency_seconds N   single-event latency phase (default 5)\n"
      "  --ingest_clients N    client threads of the ingest phase, and baseline threads\n"
      "                        unless --baseline_threads follows (default 4)\n"
      "  --baseline_threads N  writer threads of the baseline phase (default 4)\n"
      "  --batch N             events per Append in the ingest and baseline phases (default 100)\n"
      "  --latency_clients N   client threads of the latency phase (default 32)\n"
      "  --dir DIR             where to create the temporary data directories (default $TMPDIR or\n"
      "                        /tmp); put it on the disk you want to measure\n"
      "  --salestrackd PATH    daemon binary (default %s)\n"
      "  --no_settle           start the latency phase right after the ingest phase, without\n"
      "                        waiting for the daemon's flushes and compactions to finish\n"
      "  --keep                keep the temporary directories\n"
      "  --dump_latencies FILE write every timed call as CSV: phase,start_s,latency_ms\n",
      SALESTRACKD_PATH);
}

bool ParseArgs(int argc, char** argv, Options* o) {
  FlagParser flags(argc, argv);
  while (flags.Next()) {
    const std::string& arg = flags.flag();
    if (arg == "--help" || arg == "-h") {
      PrintUsage();
      std::exit(0);
    } else if (arg == "--seconds") {
      double s;
      if (!flags.Number(0.1, &s)) return false;
      o->ingest_seconds = o->baseline_seconds = s;
      o->latency_seconds = s / 2;
    } else if (arg == "--ingest_seconds") {
      if (!flags.Number(0.1, &o->ingest_seconds)) return false;
    } else if (arg == "--baseline_seconds") {
      if (!flags.Number(0.1, &o->baseline_seconds)) return false;
    } else if (arg == "--latency_seconds") {
      if (!flags.Number(0.1, &o->latency_seconds)) return false;
    } else if (arg == "--ingest_clients") {
      if (!flags.Integer(&o->ingest_clients)) return false;
      o->baseline_threads = o->ingest_clients;
    } else if (arg == "--baseline_threads") {
      if (!flags.Integer(&o->baseline_threads)) return false;
    } else if (arg == "--batch") {
      if (!flags.Integer(&o->batch_events)) return false;
    } else if (arg == "--latency_clients") {
      if (!flags.Integer(&o->latency_clients)) return false;
    } else if (arg == "--dir") {
      if (!flags.Text(&o->dir)) return false;
    } else if (arg == "--salestrackd") {
      if (!flags.Text(&o->salestrackd)) return false;
    } else if (arg == "--dump_latencies") {
      if (!flags.Text(&o->dump_latencies)) return false;
    } else if (arg == "--no_settle") {
      o->settle = false;
    } else if (arg == "--keep") {
      o->keep = true;
    } else {
      return flags.Unknown();
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Realistic events

// Fills ActionLogged events like a field-sales app would send them: a fresh UUID-like event id,
// occurred_at some minutes in the past with microsecond precision.
class EventFactory {
 public:
  explicit EventFactory(uint64_t seed) : rng_(seed) {}

  void Fill(v1::Event* e) {
    e->set_event_id(NewUuid(rng_));
    int64_t micros = absl::ToUnixMicros(absl::Now()) -
                     static_cast<int64_t>(1 + rng_.Below(7 * 24 * 60)) * 60'000'000 -
                     static_cast<int64_t>(rng_.Below(60'000'000));
    SetTime(e->mutable_occurred_at(), micros);
    e->set_rep_id(absl::StrFormat("rep-%04d", rng_.Below(1000)));
    v1::ActionLogged* a = e->mutable_action_logged();
    a->set_customer_id(absl::StrFormat("cust-%06d", rng_.Below(100'000)));
    if (rng_.Below(3) == 0) {
      a->set_opportunity_id(absl::StrFormat("opp-%06d", rng_.Below(100'000)));
    } else {
      a->clear_opportunity_id();
    }
    a->set_subject(kActionSubjects[rng_.Below(std::size(kActionSubjects))]);
    a->set_location(kActionLocations[rng_.Below(std::size(kActionLocations))]);
    a->set_duration_minutes(static_cast<int32_t>(5 + rng_.Below(176)));
    a->set_purpose(static_cast<v1::Purpose>(1 + rng_.Below(6)));
    a->set_channel(static_cast<v1::Channel>(1 + rng_.Below(4)));
    a->set_cost(static_cast<int64_t>(rng_.Below(50'000)));
  }

 private:
  Rng rng_;
};

uint64_t SeedFor(int thread) {
  return (static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())) * 0x2545F4914F6CDD1DULL) ^
         (static_cast<uint64_t>(thread + 1) << 48) ^ static_cast<uint64_t>(getpid());
}

// ---------------------------------------------------------------------------------------------------
// Phase 0: fsync probe

struct FsyncProbe {
  Percentiles ms;
};

FsyncProbe ProbeFsync(const std::string& dir) {
  FsyncProbe probe;
  std::string path = dir + "/fsync-probe";
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return probe;
  // Like a WAL: append a small record, then fdatasync (RocksDB's default sync call).
  std::string record(512, 'x');
  std::vector<double> ms;
  Clock::time_point until = Clock::now() + std::chrono::seconds(2);
  for (int i = 0; i < 500 && Clock::now() < until; ++i) {
    Clock::time_point t0 = Clock::now();
    if (write(fd, record.data(), record.size()) != static_cast<ssize_t>(record.size())) break;
    if (fdatasync(fd) != 0) break;
    ms.push_back(Seconds(Clock::now() - t0) * 1e3);
  }
  close(fd);
  unlink(path.c_str());
  probe.ms = ComputePercentiles(std::move(ms));
  return probe;
}

// ---------------------------------------------------------------------------------------------------
// Phase 1: raw RocksDB baseline

// A RocksDB opened with salestrackd's own options (store::DaemonRocksDbOptions: families, table
// options, compression, write buffers, block cache), written with the daemon's key and value
// encodings (store/keys.h), WAL synced on every write.
std::optional<PhaseResult> RunBaseline(const Options& o, const std::string& dir,
                                       std::string* error) {
  store::RocksDbOptions options =
      store::DaemonRocksDbOptions(store::StoreOptions().block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options.db, dir, options.families, &handles, &raw);
  if (!s.ok()) {
    *error = "opening the baseline RocksDB: " + s.ToString();
    return std::nullopt;
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::ColumnFamilyHandle* log = handles[1];
  rocksdb::ColumnFamilyHandle* ids = handles[2];
  std::atomic<uint64_t> next_seq{1};

  PhaseResult r = RunPhase(
      o.baseline_threads, o.baseline_seconds, 0,
      [&](int t, std::latch& ready, std::latch& go, const Clock::time_point& deadline,
          PhaseResult* out) {
        EventFactory factory(SeedFor(100 + t));
        v1::Event event;
        std::string bytes;
        rocksdb::WriteOptions w;
        w.sync = true;
        ready.count_down();
        go.wait();
        while (Clock::now() < deadline) {
          rocksdb::WriteBatch batch;
          uint64_t seq = next_seq.fetch_add(o.batch_events);
          const int64_t recorded_at = absl::ToUnixMicros(absl::Now());
          for (int i = 0; i < o.batch_events; ++i) {
            factory.Fill(&event);
            bytes.clear();
            event.SerializeToString(&bytes);
            std::string value = store::EncodeLogValuePrefix(bytes);
            store::AppendRecordedAt(recorded_at, &value);
            batch.Put(log, store::EncodeSeqKey(seq + i), value);
            batch.Put(ids, event.event_id(),
                      store::EncodeIdEntry({seq + i, static_cast<int>(event.payload_case())}));
          }
          Clock::time_point t0 = Clock::now();
          rocksdb::Status ws = db->Write(w, &batch);
          out->latencies_ms.push_back(Seconds(Clock::now() - t0) * 1e3);
          out->call_starts.push_back(t0);
          ++out->calls;
          if (!ws.ok()) {
            out->Error(ws.ToString());
            continue;
          }
          out->events += o.batch_events;
        }
      });
  for (rocksdb::ColumnFamilyHandle* h : handles) db->DestroyColumnFamilyHandle(h);
  db->Close();
  return r;
}

// ---------------------------------------------------------------------------------------------------
// Phases 2 and 3: gRPC clients

// A failed Append waits this long for its answer.
constexpr std::chrono::seconds kAppendTimeout(30);

// Closed loop: each of `clients` threads sends Append with `events_per_call` fresh events, waits
// for the answer, repeats until the deadline. One untimed warm-up call per client.
PhaseResult RunAppendPhase(const std::string& target, pid_t daemon, int clients,
                           int events_per_call, double seconds, int client_id_base) {
  return RunPhase(clients, seconds, daemon,
                  [&](int t, std::latch& ready, std::latch& go, const Clock::time_point& deadline,
                      PhaseResult* out) {
                    EventFactory factory(SeedFor(client_id_base + t));
                    v1::AppendRequest request;
                    for (int i = 0; i < events_per_call; ++i) factory.Fill(request.add_events());
                    std::string error;
                    std::shared_ptr<grpc::Channel> channel =
                        Connect(target, client_id_base + t, &error);
                    std::unique_ptr<v1::LogService::Stub> stub =
                        channel ? v1::LogService::NewStub(channel) : nullptr;
                    PhaseResult warmup;
                    if (stub) AppendOnce(stub.get(), request, kAppendTimeout, &warmup);
                    ready.count_down();
                    go.wait();
                    if (!stub) return out->Error(error);
                    while (Clock::now() < deadline) {
                      for (v1::Event& e : *request.mutable_events()) factory.Fill(&e);
                      Clock::time_point t0 = Clock::now();
                      int64_t written = AppendOnce(stub.get(), request, kAppendTimeout, out);
                      out->latencies_ms.push_back(Seconds(Clock::now() - t0) * 1e3);
                      out->call_starts.push_back(t0);
                      if (written < 0) {
                        if (out->errors > 100) return;  // The daemon is unwell; stop hammering it.
                        std::this_thread::sleep_for(std::chrono::milliseconds(1));
                        continue;
                      }
                      out->events += static_cast<uint64_t>(written);
                    }
                  });
}

int Run(int argc, char** argv) {
  SetProgramName("ingest_bench");
  Options o;
  if (!ParseArgs(argc, argv, &o)) return 2;
  signal(SIGPIPE, SIG_IGN);
  ScratchDir scratch;
  if (!scratch.Create(o.dir, "salestrack-ingest-bench", o.keep)) return 2;
  const std::string& root = scratch.path();
  const std::string baseline_dir = root + "/baseline";
  const std::string daemon_dir = root + "/salestrackd-data";
  const std::string daemon_log = root + "/salestrackd.log";
  int exit_code = 0;

  std::printf("# salestrack ingest_bench\n\n");
  std::printf("- machine: %s\n", MachineSummary().c_str());
  std::printf("- data directories under %s (%s)\n", root.c_str(), FilesystemOf(root).c_str());
  std::printf(
      "- durations: baseline %.1f s, ingest %.1f s, single-event latency %.1f s (plus 1 untimed "
      "warm-up call per client)\n",
      o.baseline_seconds, o.ingest_seconds, o.latency_seconds);
  std::printf(
      "- load: ingest %d clients x Append(%d events); baseline %d threads x "
      "WriteBatch(%d events); latency %d clients x Append(1 event); closed loops, one "
      "connection per client, load generator on the same machine\n",
      o.ingest_clients, o.batch_events, o.baseline_threads, o.batch_events, o.latency_clients);
  {
    EventFactory f(1);
    v1::Event e;
    f.Fill(&e);
    std::printf("- event: ActionLogged, ~%zu bytes serialized\n", e.ByteSizeLong());
  }
  std::printf("- daemon: %s\n\n", o.salestrackd.c_str());
  std::fflush(stdout);

  // Phase 0.
  std::fprintf(stderr, "ingest_bench: fsync probe...\n");
  FsyncProbe fsync_probe = ProbeFsync(root);

  // Phase 1.
  std::fprintf(stderr, "ingest_bench: raw RocksDB baseline (%.1f s)...\n", o.baseline_seconds);
  std::string error;
  std::optional<PhaseResult> baseline = RunBaseline(o, baseline_dir, &error);
  if (!baseline) {
    std::fprintf(stderr, "ingest_bench: %s\n", error.c_str());
    return 1;
  }
  {
    std::error_code ec;
    std::filesystem::remove_all(baseline_dir, ec);
    sync();  // Leave no dirty pages of the baseline to be written back during the next phases.
  }

  // Phases 2 and 3.
  std::fprintf(stderr, "ingest_bench: starting %s...\n", o.salestrackd.c_str());
  Daemon daemon(/*stop_timeout_seconds=*/60);
  if (!daemon.Start(o.salestrackd, daemon_dir, daemon_log, /*timeout_seconds=*/60, &error)) {
    std::fprintf(stderr, "ingest_bench: %s\n--- salestrackd log ---\n%s", error.c_str(),
                 daemon.Log().c_str());
    daemon.Stop();
    return 1;
  }
  const std::string target = daemon.target();
  std::fprintf(stderr, "ingest_bench: %s\n", daemon.listening_line().c_str());

  std::fprintf(stderr, "ingest_bench: durable ingest (%.1f s)...\n", o.ingest_seconds);
  PhaseResult ingest = RunAppendPhase(target, daemon.pid(), o.ingest_clients, o.batch_events,
                                      o.ingest_seconds, /*client_id_base=*/0);
  double settled_seconds = -1;
  if (o.settle) {
    std::fprintf(stderr, "ingest_bench: waiting for salestrackd to go idle...\n");
    settled_seconds = WaitUntilIdle(daemon.pid(), 60);
  }
  std::fprintf(stderr, "ingest_bench: single-event latency (%.1f s)...\n", o.latency_seconds);
  PhaseResult single = RunAppendPhase(target, daemon.pid(), o.latency_clients, 1, o.latency_seconds,
                                      /*client_id_base=*/1000);

  std::string stopped = daemon.Stop();
  std::string log = daemon.Log();
  std::string shutdown_line = LineFrom(log, "shut down cleanly");

  // Report.
  Percentiles ingest_ms = ComputePercentiles(ingest.latencies_ms);
  Percentiles baseline_ms = ComputePercentiles(baseline->latencies_ms);
  Percentiles single_ms = ComputePercentiles(single.latencies_ms);
  double ingest_eps = ingest.events_per_second();
  double baseline_eps = baseline->events_per_second();
  double ratio = baseline_eps > 0 ? ingest_eps / baseline_eps : 0;

  MarkdownTable table({"Measurement", "Result", "Target", "Status"});
  table.PrintHeader();
  table.PrintRow({absl::StrFormat("Durable ingest via gRPC Append, %d clients x %d events/call",
                                  o.ingest_clients, o.batch_events),
                  absl::StrFormat("**%s events/s**", Thousands(ingest_eps)),
                  absl::StrFormat("≥ %s events/s", Thousands(kTargetIngestEventsPerSecond)),
                  Verdict(ingest_eps >= kTargetIngestEventsPerSecond)});
  table.PrintRow({absl::StrFormat("Raw RocksDB synced WriteBatch(%d events), %d threads (baseline)",
                                  o.batch_events, o.baseline_threads),
                  absl::StrFormat("%s events/s", Thousands(baseline_eps)), "—", "—"});
  table.PrintRow({"salestrackd / baseline", absl::StrFormat("**%.2f×**", ratio),
                  absl::StrFormat("≥ %.1f×", kTargetBaselineRatio),
                  Verdict(ratio >= kTargetBaselineRatio)});
  const std::string single_what =
      absl::StrFormat("Single-event Append, %d clients", o.latency_clients);
  table.PrintRow(
      {single_what + ": p50 latency", absl::StrFormat("%.2f ms", single_ms.p50), "—", "—"});
  table.PrintRow({single_what + ": p99 latency", absl::StrFormat("**%.2f ms**", single_ms.p99),
                  absl::StrFormat("≤ %.0f ms", kTargetSingleP99Ms),
                  Verdict(single.calls > 0 && single_ms.p99 <= kTargetSingleP99Ms)});
  table.PrintRow(
      {single_what + ": max latency", absl::StrFormat("%.2f ms", single_ms.max), "—", "—"});
  table.PrintRow({single_what + ": throughput",
                  absl::StrFormat("%s events/s", Thousands(single.events_per_second())), "—", "—"});
  std::printf("\n");

  std::printf("Details:\n");
  std::printf(
      "- fsync probe (512-byte append + fdatasync, %zu samples): p50 %.2f ms, p99 %.2f ms, "
      "max %.2f ms\n",
      fsync_probe.ms.n, fsync_probe.ms.p50, fsync_probe.ms.p99, fsync_probe.ms.max);
  std::printf(
      "- baseline: %s events in %.2f s, %s writes, write latency p50 %.2f / p99 %.2f ms, "
      "%s\n",
      Thousands(static_cast<double>(baseline->events)).c_str(), baseline->seconds,
      Thousands(static_cast<double>(baseline->calls)).c_str(), baseline_ms.p50, baseline_ms.p99,
      baseline->cpu.Describe().c_str());
  std::printf("- ingest: %s events in %.2f s, %s calls, call latency p50 %.2f / p99 %.2f ms, %s\n",
              Thousands(static_cast<double>(ingest.events)).c_str(), ingest.seconds,
              Thousands(static_cast<double>(ingest.calls)).c_str(), ingest_ms.p50, ingest_ms.p99,
              ingest.cpu.Describe().c_str());
  std::printf("- single-event: %s calls in %.2f s, latency mean %.2f ms, %s; %s\n",
              Thousands(static_cast<double>(single.calls)).c_str(), single.seconds, single_ms.mean,
              single.cpu.Describe().c_str(),
              settled_seconds < 0
                  ? "started right after the ingest phase (--no_settle)"
                  : absl::StrFormat("started after salestrackd went idle (waited %.1f s for the "
                                    "ingest phase's flushes/compactions)",
                                    settled_seconds)
                        .c_str());
  if (fsync_probe.ms.p50 > 0) {
    // The daemon syncs once per group commit, and a group holds at most what the clients have in
    // flight; if these bounds are far above the measured rates, fsync is not what limits them.
    std::printf(
        "- fsync bound (one fdatasync per group commit at the probe's p50, every client's "
        "call in each group): ingest ≤ %s events/s (%d x %d per commit); single-event ≤ "
        "%s events/s (%d per commit)\n",
        Thousands(o.ingest_clients * o.batch_events * 1e3 / fsync_probe.ms.p50).c_str(),
        o.ingest_clients, o.batch_events,
        Thousands(o.latency_clients * 1e3 / fsync_probe.ms.p50).c_str(), o.latency_clients);
  }
  std::printf("- salestrackd: %s; %s\n", stopped.c_str(),
              shutdown_line.empty() ? "no shutdown summary in its log" : shutdown_line.c_str());
  for (const PhaseResult* r : {&*baseline, &ingest, &single}) {
    if (r->errors > 0) {
      exit_code = 1;
      std::printf("- ERRORS: %s failed calls; first: %s\n",
                  Thousands(static_cast<double>(r->errors)).c_str(), r->first_error.c_str());
    }
  }
  if (!o.dump_latencies.empty()) {
    std::ofstream csv(o.dump_latencies);
    csv << "phase,start_s,latency_ms\n";
    for (auto [name, r] : {std::pair{"baseline", &*baseline}, std::pair{"ingest", &ingest},
                           std::pair{"single", &single}}) {
      for (size_t i = 0; i < r->latencies_ms.size(); ++i) {
        csv << name << ',' << absl::StrFormat("%.6f", Seconds(r->call_starts[i] - r->start)) << ','
            << absl::StrFormat("%.3f", r->latencies_ms[i]) << '\n';
      }
    }
    std::printf("- per-call latencies written to %s\n", o.dump_latencies.c_str());
  }
  if (exit_code != 0) std::printf("\n--- salestrackd log ---\n%s", log.c_str());
  std::fflush(stdout);
  return exit_code;
}

}  // namespace
}  // namespace salestrack::bench

int main(int argc, char** argv) { return salestrack::bench::Run(argc, argv); }
