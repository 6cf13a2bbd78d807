// Shared pieces of salestrack's end-to-end benchmarks (ingest_bench, kpi_bench): flag parsing, the
// run's scratch directory, a real salestrackd child process on a loopback port, gRPC clients, timed
// phases of closed-loop worker threads with the CPU used by the daemon, the bench and the rest of
// the machine ("NOISY" when something else ran), latency percentiles, realistic event fields, and
// the Markdown report.
//
// A benchmark calls SetProgramName() (and SetEchoCallErrors()) first thing, before any thread
// starts; the messages printed here to stderr carry that name. The free functions keep no other
// shared state, so workers may call them concurrently; an object is for one thread at a time, and
// RunPhase()'s workers each fill their own PhaseResult.
#ifndef SALESTRACK_BENCH_BENCH_COMMON_H_
#define SALESTRACK_BENCH_BENCH_COMMON_H_

#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/grpcpp.h"
#include "salestrack/v1/log_service.grpc.pb.h"

namespace salestrack::bench {

using Clock = std::chrono::steady_clock;

// ---- Program ----------------------------------------------------------------------------------

// The prefix of the messages printed to stderr ("ingest_bench: ..."). Defaults to "bench".
void SetProgramName(const char* name);
const char* ProgramName();

// Whether PhaseResult::Error() also prints the first three errors of each worker to stderr as
// they happen. Off by default.
void SetEchoCallErrors(bool echo);

// ---- Flags ------------------------------------------------------------------------------------

// Walks a command line of "--flag value" and "--flag=value" arguments. The value readers print
// what is wrong to stderr and return false; the caller then gives up (exit status 2).
//
//   FlagParser flags(argc, argv);
//   while (flags.Next()) {
//     if (flags.flag() == "--seconds") {
//       if (!flags.Number(0.1, &o->seconds)) return false;
//     } else if (flags.flag() == "--dir") {
//       if (!flags.Text(&o->dir)) return false;
//     } else {
//       return flags.Unknown();
//     }
//   }
class FlagParser {
 public:
  FlagParser(int argc, char** argv) : argc_(argc), argv_(argv) {}

  // Moves to the next argument; false when none is left.
  bool Next();

  // The current argument up to any '='.
  const std::string& flag() const { return flag_; }

  // Reads the current flag's value: a number of at least `min`.
  bool Number(double min, double* out);
  // ... a number of at least 1, truncated to an int.
  bool Integer(int* out);
  // ... any text.
  bool Text(std::string* out);

  // Reports the current argument as unknown. Returns false.
  bool Unknown() const;

 private:
  // The value after '=', else the next argument (consumed).
  std::optional<std::string> Value();

  const int argc_;
  char** const argv_;
  int i_ = 0;
  std::string flag_;
  std::optional<std::string> inline_value_;
};

// ---- Scratch directory ------------------------------------------------------------------------

// A fresh directory for one run's data, removed with everything in it on destruction unless the
// run keeps it (then its path is printed to stderr instead).
class ScratchDir {
 public:
  ScratchDir() = default;
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  // Creates "<parent>/<prefix>-XXXXXX"; an empty parent means $TMPDIR, or /tmp. On failure prints
  // why to stderr and returns false.
  bool Create(const std::string& parent, const std::string& prefix, bool keep);

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool keep_ = false;
};

// ---- Time and numbers -------------------------------------------------------------------------

inline double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// An open-loop schedule for client `client` of `clients`, which share `calls_per_second` in all:
// each client's calls are due one interval apart, the clients' first calls spread over one
// interval from now, and a late call does not push the next one back (so a call timed from when
// it was due counts its lateness). A rate of 0 is a closed loop: every call is due at once.
class PacedSchedule {
 public:
  PacedSchedule(double calls_per_second, int clients, int client);
  // When the next call is due.
  Clock::time_point due() const { return paced() ? next_ : Clock::now(); }
  // Sleeps until the next call is due; returns when it was due, and schedules the one after.
  Clock::time_point Wait();

 private:
  bool paced() const { return interval_ > Clock::duration::zero(); }
  Clock::duration interval_{};
  Clock::time_point next_;
};

// "1,234,567": rounded to an integer, thousands separated by commas.
std::string Thousands(double value);

// "12 MiB".
std::string Mib(double bytes);

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0, mean = 0;
  size_t n = 0;
};

// Nearest-rank percentiles of `v` (all zero when it is empty).
Percentiles ComputePercentiles(std::vector<double> v);

// ---- CPU --------------------------------------------------------------------------------------

// User + system CPU seconds of a process, all its threads (/proc/<pid>/stat); 0 if unreadable.
double ProcessCpuSeconds(pid_t pid);

// User + system CPU seconds of this process.
double SelfCpuSeconds();

// A "VmRSS:"-style field of /proc/<pid>/status, in bytes (pid 0: this process); 0 if unreadable.
double StatusBytes(pid_t pid, const char* field);

// Busy CPU seconds of the whole machine since boot (/proc/stat: all but idle and iowait).
double MachineCpuSeconds();

// The CPU used over one span of wall time.
struct CpuUsage {
  double seconds = 0;  // wall time of the span
  bool with_daemon = false;
  double daemon = 0;   // CPU seconds of salestrackd (with_daemon only)
  double bench = 0;    // CPU seconds of this process
  double machine = 0;  // busy CPU seconds of the whole machine (all processes, kernel)

  // "salestrackd X cores, bench Y cores, rest of machine Z cores" (without the daemon when there is
  // none), and " (NOISY: figures disturbed?)" when the rest of the machine used over a quarter of a
  // core: on a 2-core machine a concurrent build disturbs every figure. Empty for an empty span.
  std::string Describe() const;
};

// Measures the CPU used from Start() to Stop().
class CpuMeter {
 public:
  // Starts the span; `daemon` is salestrackd's pid, or 0 if there is none to measure.
  void Start(pid_t daemon);
  // The usage since Start(); the span's wall time is read first.
  CpuUsage Stop() const;
  // When Start() was called (its last step).
  Clock::time_point start() const { return start_; }

 private:
  pid_t daemon_ = 0;
  double daemon0_ = 0, self0_ = 0, machine0_ = 0;
  Clock::time_point start_;
};

// Waits until `pid` is idle (under 5 % of a core over 250 ms), at most `max_seconds`. Returns the
// wait in seconds.
double WaitUntilIdle(pid_t pid, double max_seconds);

// ---- Timed phases -----------------------------------------------------------------------------

// What one timed phase of calls measured: RunPhase() adds up its workers' results.
struct PhaseResult {
  double seconds = 0;
  uint64_t events = 0;
  uint64_t calls = 0;
  uint64_t errors = 0;
  uint64_t retries = 0;       // calls that had to wait before they could be sent
  size_t response_bytes = 0;  // the largest response
  std::string first_error;
  std::vector<double> latencies_ms;            // per call
  std::vector<Clock::time_point> call_starts;  // per call when sent, if the worker records them
  Clock::time_point start;                     // of the phase
  CpuUsage cpu;                                // over the phase

  double events_per_second() const {
    return seconds > 0 ? static_cast<double>(events) / seconds : 0;
  }
  double calls_per_second() const { return seconds > 0 ? static_cast<double>(calls) / seconds : 0; }
  // Counts a failed call and keeps the first error (see SetEchoCallErrors()).
  void Error(const std::string& what);
};

// Runs a phase on `threads` worker threads. Each one is called as
//   worker(int t, std::latch& ready, std::latch& go, const Clock::time_point& deadline,
//          PhaseResult* out)
// and does its untimed setup, counts down `ready`, waits for `go`, then works until `deadline` (or
// runs out of work). All workers start together; the phase lasts from then until the last one
// returns. `daemon` is salestrackd's pid for the CPU figures, or 0.
template <typename Worker>
PhaseResult RunPhase(int threads, double seconds, pid_t daemon, Worker worker) {
  std::vector<PhaseResult> partial(threads);
  std::latch ready(threads);
  std::latch go(1);
  Clock::time_point deadline;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] { worker(t, ready, go, deadline, &partial[t]); });
  }
  ready.wait();
  CpuMeter cpu;
  cpu.Start(daemon);
  deadline = cpu.start() +
             std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  go.count_down();
  for (std::thread& th : pool) th.join();
  PhaseResult r;
  r.start = cpu.start();
  r.cpu = cpu.Stop();
  r.seconds = r.cpu.seconds;
  for (PhaseResult& p : partial) {
    r.events += p.events;
    r.calls += p.calls;
    r.errors += p.errors;
    r.retries += p.retries;
    r.response_bytes = std::max(r.response_bytes, p.response_bytes);
    if (r.first_error.empty()) r.first_error = p.first_error;
    r.latencies_ms.insert(r.latencies_ms.end(), p.latencies_ms.begin(), p.latencies_ms.end());
    r.call_starts.insert(r.call_starts.end(), p.call_starts.begin(), p.call_starts.end());
  }
  return r;
}

// ---- salestrackd ------------------------------------------------------------------------------

// The daemon as a child process on a loopback port it picks itself. The child gets SIGTERM if this
// process dies; the destructor stops it if it still runs.
class Daemon {
 public:
  // Stop() waits `stop_timeout_seconds` after SIGTERM before it sends SIGKILL.
  explicit Daemon(double stop_timeout_seconds) : stop_timeout_seconds_(stop_timeout_seconds) {}
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Starts `binary --listen 127.0.0.1:0 --data_dir data_dir` with stderr to `log_path` and waits
  // for its "salestrackd listening on ... port N" line, at most `timeout_seconds` (start-up replays
  // the log). Can start again after Stop(), e.g. on the same data directory.
  // `extra_args` are added to the command line (e.g. "--http_listen=127.0.0.1:0").
  bool Start(const std::string& binary, const std::string& data_dir, const std::string& log_path,
             double timeout_seconds, std::string* error,
             const std::vector<std::string>& extra_args = {});

  // SIGTERM, then waits for the exit. Returns how it ended ("exited with status 0").
  std::string Stop();

  // The daemon's stderr (its log) so far.
  std::string Log() const;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  std::string target() const;  // "127.0.0.1:<port>"
  const std::string& listening_line() const { return listening_line_; }

 private:
  const double stop_timeout_seconds_;
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int port_ = 0;
  std::string log_path_;
  std::string listening_line_;
};

// The rest of the line of `text` where `start` first occurs, from `start` on; empty if it does not.
std::string LineFrom(const std::string& text, const std::string& start);

// ---- gRPC clients -----------------------------------------------------------------------------

// One client's channel, connected: a distinct channel argument gives each client_id its own TCP
// connection. Accepts responses up to 64 MiB. Null after setting *error if it cannot connect.
// `stream_window_bytes` > 0 caps what the transport takes in for a stream the application is not
// reading (HTTP/2 flow control), so a reader that stops reading stalls its server soon.
std::shared_ptr<grpc::Channel> Connect(const std::string& target, int client_id, std::string* error,
                                       int stream_window_bytes = 0);

// Appends `request` once with a deadline of `timeout`; counts the call in *out. Returns the number
// of events the log did not hold yet, or -1 after recording an error in *out.
int64_t AppendOnce(v1::LogService::Stub* stub, const v1::AppendRequest& request,
                   std::chrono::seconds timeout, PhaseResult* out);

// ---- Event fields -----------------------------------------------------------------------------

// splitmix64: a fast, seedable generator for synthetic data.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
  int64_t Between(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  bool Percent(int p) { return Below(100) < static_cast<uint64_t>(p); }

 private:
  uint64_t state_;
};

// A random version 4 UUID, as a field-sales app makes event ids.
std::string NewUuid(Rng& rng);

// Sets `ts` to `micros` after the Unix epoch (not before it).
void SetTime(google::protobuf::Timestamp* ts, int64_t micros);

// What field reps write in ActionLogged.subject and .location.
inline constexpr const char* kActionSubjects[] = {
    "Quarterly business review",    "Demo of the reporting module", "Renewal pricing discussion",
    "Site survey for installation", "Follow-up on open quote",      "Introduce new product line",
    "Collect overdue invoice",      "Contract terms walkthrough",   "Lunch with procurement lead",
    "Onboarding training session",
};
inline constexpr const char* kActionLocations[] = {
    "Customer HQ, Pudong, Shanghai",
    "Zhongguancun office, Beijing",
    "Video call",
    "Phone",
    "Tianhe branch, Guangzhou",
    "Trade fair booth B12",
    "Restaurant near customer site",
    "Nanshan plant, Shenzhen",
};

// ---- Report -----------------------------------------------------------------------------------

// "nproc=N, <CPU model>, kernel <sysname> <release>".
std::string MachineSummary();

// Physical memory of the machine in bytes.
double PhysicalMemoryBytes();

// The file system `dir` is on, with a warning for tmpfs (where fsync costs nothing).
std::string FilesystemOf(const std::string& dir);

// "PASS" or "MISS" (of a target).
const char* Verdict(bool pass);

// A Markdown table printed to stdout row by row.
class MarkdownTable {
 public:
  // `indent` starts every line (a table inside a list item).
  explicit MarkdownTable(std::vector<std::string> columns, std::string indent = "")
      : columns_(std::move(columns)), indent_(std::move(indent)) {}

  // The header row and the rule under it.
  void PrintHeader() const;
  // One row, one cell per column.
  void PrintRow(const std::vector<std::string>& cells) const;

 private:
  std::vector<std::string> columns_;
  std::string indent_;
};

}  // namespace salestrack::bench

#endif  // SALESTRACK_BENCH_BENCH_COMMON_H_
