// ingest_bench: end-to-end durable ingest benchmark of salestrackd (DESIGN.md "Performance targets").
//
// In one run, on this machine, with the WAL synced everywhere:
//   0. fsync probe: latency of one small appending write + fdatasync on the benchmark's disk, the
//      floor under every durable commit below.
//   1. baseline: raw RocksDB, 4 threads writing WriteBatches of 100 serialized events (log record
//      keyed by big-endian seq + event_id -> seq index entry) with WriteOptions::sync.
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
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"
#include "salestrack/v1/events.pb.h"
#include "salestrack/v1/log_service.grpc.pb.h"

#ifndef SALESTRACKD_PATH
#error "SALESTRACKD_PATH must be defined (see bench/CMakeLists.txt)"
#endif

namespace {

namespace v1 = salestrack::v1;
using Clock = std::chrono::steady_clock;

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
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_value = false;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    auto next = [&]() -> std::optional<std::string> {
      if (has_value) return value;
      if (i + 1 >= argc) {
        std::fprintf(stderr, "ingest_bench: %s needs a value\n", arg.c_str());
        return std::nullopt;
      }
      return std::string(argv[++i]);
    };
    auto number = [&](double* out, double min) {
      std::optional<std::string> v = next();
      if (!v) return false;
      char* end = nullptr;
      double d = std::strtod(v->c_str(), &end);
      if (end == v->c_str() || *end != '\0' || !(d >= min)) {
        std::fprintf(stderr, "ingest_bench: %s: bad value \"%s\"\n", arg.c_str(), v->c_str());
        return false;
      }
      *out = d;
      return true;
    };
    auto integer = [&](int* out) {
      double d;
      if (!number(&d, 1)) return false;
      *out = static_cast<int>(d);
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      PrintUsage();
      std::exit(0);
    } else if (arg == "--seconds") {
      double s;
      if (!number(&s, 0.1)) return false;
      o->ingest_seconds = o->baseline_seconds = s;
      o->latency_seconds = s / 2;
    } else if (arg == "--ingest_seconds") {
      if (!number(&o->ingest_seconds, 0.1)) return false;
    } else if (arg == "--baseline_seconds") {
      if (!number(&o->baseline_seconds, 0.1)) return false;
    } else if (arg == "--latency_seconds") {
      if (!number(&o->latency_seconds, 0.1)) return false;
    } else if (arg == "--ingest_clients") {
      if (!integer(&o->ingest_clients)) return false;
      o->baseline_threads = o->ingest_clients;
    } else if (arg == "--baseline_threads") {
      if (!integer(&o->baseline_threads)) return false;
    } else if (arg == "--batch") {
      if (!integer(&o->batch_events)) return false;
    } else if (arg == "--latency_clients") {
      if (!integer(&o->latency_clients)) return false;
    } else if (arg == "--dir") {
      std::optional<std::string> v = next();
      if (!v) return false;
      o->dir = *v;
    } else if (arg == "--salestrackd") {
      std::optional<std::string> v = next();
      if (!v) return false;
      o->salestrackd = *v;
    } else if (arg == "--dump_latencies") {
      std::optional<std::string> v = next();
      if (!v) return false;
      o->dump_latencies = *v;
    } else if (arg == "--no_settle") {
      o->settle = false;
    } else if (arg == "--keep") {
      o->keep = true;
    } else {
      std::fprintf(stderr, "ingest_bench: unknown argument \"%s\" (see --help)\n", argv[i]);
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Realistic events

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {  // splitmix64
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

constexpr const char* kSubjects[] = {
    "Quarterly business review",     "Demo of the reporting module", "Renewal pricing discussion",
    "Site survey for installation",  "Follow-up on open quote",      "Introduce new product line",
    "Collect overdue invoice",       "Contract terms walkthrough",   "Lunch with procurement lead",
    "Onboarding training session",
};
constexpr const char* kLocations[] = {
    "Customer HQ, Pudong, Shanghai", "Zhongguancun office, Beijing", "Video call",
    "Phone",                         "Tianhe branch, Guangzhou",     "Trade fair booth B12",
    "Restaurant near customer site", "Nanshan plant, Shenzhen",
};

// Fills ActionLogged events like a field-sales app would send them: a fresh UUID-like event id,
// occurred_at some minutes in the past with microsecond precision.
class EventFactory {
 public:
  explicit EventFactory(uint64_t seed) : rng_(seed) {}

  std::string NewId() {
    uint64_t hi = rng_.Next(), lo = rng_.Next();
    hi = (hi & ~0xf000ULL) | 0x4000ULL;                             // version 4
    lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;      // variant 10
    return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff,
                           lo >> 48, lo & 0xffffffffffffULL);
  }

  void Fill(v1::Event* e) {
    e->set_event_id(NewId());
    int64_t micros = absl::ToUnixMicros(absl::Now()) -
                     static_cast<int64_t>(1 + rng_.Below(7 * 24 * 60)) * 60'000'000 -
                     static_cast<int64_t>(rng_.Below(60'000'000));
    e->mutable_occurred_at()->set_seconds(micros / 1'000'000);
    e->mutable_occurred_at()->set_nanos(static_cast<int32_t>(micros % 1'000'000) * 1000);
    e->set_rep_id(absl::StrFormat("rep-%04d", rng_.Below(1000)));
    v1::ActionLogged* a = e->mutable_action_logged();
    a->set_customer_id(absl::StrFormat("cust-%06d", rng_.Below(100'000)));
    if (rng_.Below(3) == 0) {
      a->set_opportunity_id(absl::StrFormat("opp-%06d", rng_.Below(100'000)));
    } else {
      a->clear_opportunity_id();
    }
    a->set_subject(kSubjects[rng_.Below(std::size(kSubjects))]);
    a->set_location(kLocations[rng_.Below(std::size(kLocations))]);
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
// Measurement helpers

double ProcessCpuSeconds(pid_t pid) {  // user + system time of a process (all threads)
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  // Fields after "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
  std::vector<std::string> fields;
  size_t pos = paren + 2;
  while (pos < stat.size() && fields.size() < 13) {
    size_t end = stat.find(' ', pos);
    if (end == std::string::npos) end = stat.size();
    fields.push_back(stat.substr(pos, end - pos));
    pos = end + 1;
  }
  if (fields.size() < 13) return 0;
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return (std::strtod(fields[11].c_str(), nullptr) + std::strtod(fields[12].c_str(), nullptr)) /
         ticks;
}

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0, mean = 0;
  size_t n = 0;
};

Percentiles ComputePercentiles(std::vector<double> v) {
  Percentiles p;
  p.n = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
  };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.max = v.back();
  double sum = 0;
  for (double x : v) sum += x;
  p.mean = sum / static_cast<double>(v.size());
  return p;
}

std::string Thousands(double value) {
  std::string digits = absl::StrFormat("%.0f", value);
  std::string out;
  int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; ++i) {
    out += digits[i];
    int left = n - 1 - i;
    if (left > 0 && left % 3 == 0 && digits[i] != '-') out += ',';
  }
  return out;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// What one timed phase measured.
struct PhaseResult {
  double seconds = 0;
  uint64_t events = 0;
  uint64_t calls = 0;
  uint64_t errors = 0;
  std::string first_error;
  std::vector<double> latencies_ms;  // per call
  std::vector<Clock::time_point> call_starts;  // per call, when the call was sent
  Clock::time_point start;                     // of the phase
  double daemon_cpu = 0;             // CPU seconds of salestrackd during the phase
  double bench_cpu = 0;              // CPU seconds of this process during the phase
  double machine_cpu = 0;            // CPU seconds of the whole machine (all processes, kernel)
  double events_per_second() const { return seconds > 0 ? static_cast<double>(events) / seconds : 0; }
};

// Busy CPU seconds of the whole machine since boot (/proc/stat: all but idle and iowait).
double MachineCpuSeconds() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  double busy = 0;
  for (int field = 0; field < 10; ++field) {
    double v = 0;
    if (!(in >> v)) break;
    if (field != 3 && field != 4 && field < 8) busy += v;  // skip idle, iowait, guest (in user)
  }
  return busy / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double SelfCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Runs `threads` workers: each runs setup() (untimed), then body(deadline, result) until the
// deadline. All workers start together; the phase lasts from the start until the last one returns.
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
  double daemon_cpu0 = daemon > 0 ? ProcessCpuSeconds(daemon) : 0;
  double self_cpu0 = SelfCpuSeconds();
  double machine_cpu0 = MachineCpuSeconds();
  Clock::time_point start = Clock::now();
  deadline = start + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(seconds));
  go.count_down();
  for (std::thread& th : pool) th.join();
  PhaseResult r;
  r.start = start;
  r.seconds = Seconds(Clock::now() - start);
  r.daemon_cpu = daemon > 0 ? ProcessCpuSeconds(daemon) - daemon_cpu0 : 0;
  r.bench_cpu = SelfCpuSeconds() - self_cpu0;
  r.machine_cpu = MachineCpuSeconds() - machine_cpu0;
  for (PhaseResult& p : partial) {
    r.events += p.events;
    r.calls += p.calls;
    r.errors += p.errors;
    if (r.first_error.empty()) r.first_error = p.first_error;
    r.latencies_ms.insert(r.latencies_ms.end(), p.latencies_ms.begin(), p.latencies_ms.end());
    r.call_starts.insert(r.call_starts.end(), p.call_starts.begin(), p.call_starts.end());
  }
  return r;
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

std::string BigEndian64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i) {
    s[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  return s;
}

// A RocksDB shaped like salestrackd's (store/log_store.cc): "log" and "ids" families with the same
// write buffers and compression, the same DB options, WAL synced on every write.
std::optional<PhaseResult> RunBaseline(const Options& o, const std::string& dir, std::string* error) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.keep_log_file_num = 5;

  rocksdb::ColumnFamilyOptions log_cf;
  log_cf.compression = rocksdb::kLZ4Compression;
  log_cf.bottommost_compression = rocksdb::kZSTD;
  log_cf.write_buffer_size = 64 << 20;
  rocksdb::ColumnFamilyOptions ids_cf;
  rocksdb::BlockBasedTableOptions ids_table;
  ids_table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  ids_cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(ids_table));
  ids_cf.memtable_whole_key_filtering = true;
  ids_cf.memtable_prefix_bloom_size_ratio = 0.05;
  ids_cf.compression = rocksdb::kLZ4Compression;
  ids_cf.write_buffer_size = 32 << 20;

  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {"log", log_cf},
      {"ids", ids_cf},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, dir, families, &handles, &raw);
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
          for (int i = 0; i < o.batch_events; ++i) {
            factory.Fill(&event);
            bytes.clear();
            event.SerializeToString(&bytes);
            std::string key = BigEndian64(seq + i);
            batch.Put(log, key, bytes);
            batch.Put(ids, event.event_id(), key);
          }
          Clock::time_point t0 = Clock::now();
          rocksdb::Status ws = db->Write(w, &batch);
          out->latencies_ms.push_back(Seconds(Clock::now() - t0) * 1e3);
          out->call_starts.push_back(t0);
          ++out->calls;
          if (!ws.ok()) {
            if (out->errors++ == 0) out->first_error = ws.ToString();
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
// The daemon as a child process

class Daemon {
 public:
  // Starts `binary --listen 127.0.0.1:0 --data_dir data_dir` with stderr to log_path and waits for
  // its "salestrackd listening on ... port N" line.
  bool Start(const std::string& binary, const std::string& data_dir, const std::string& log_path,
             std::string* error) {
    log_path_ = log_path;
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) {
      *error = absl::StrCat("pipe: ", std::strerror(errno));
      return false;
    }
    int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd < 0) {
      *error = absl::StrCat(log_path, ": ", std::strerror(errno));
      return false;
    }
    std::vector<std::string> args = {binary, "--listen", "127.0.0.1:0", "--data_dir", data_dir};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t parent = getpid();
    pid_ = fork();
    if (pid_ < 0) {
      *error = absl::StrCat("fork: ", std::strerror(errno));
      return false;
    }
    if (pid_ == 0) {
      // Child: only async-signal-safe calls until exec. Dies with the bench.
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(1);
      dup2(pipefd[1], STDOUT_FILENO);
      dup2(log_fd, STDERR_FILENO);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(pipefd[1]);
    close(log_fd);
    stdout_fd_ = pipefd[0];

    std::string line;
    Clock::time_point until = Clock::now() + std::chrono::seconds(60);
    while (line.find('\n') == std::string::npos) {
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count());
      if (left <= 0) {
        *error = "salestrackd did not print its listening line within 60 s";
        return false;
      }
      pollfd p{stdout_fd_, POLLIN, 0};
      int ready = poll(&p, 1, left);
      if (ready < 0 && errno != EINTR) {
        *error = absl::StrCat("poll: ", std::strerror(errno));
        return false;
      }
      if (ready <= 0) continue;
      char buf[256];
      ssize_t n = read(stdout_fd_, buf, sizeof buf);
      if (n == 0) {
        *error = "salestrackd exited before listening";
        return false;
      }
      if (n > 0) line.append(buf, static_cast<size_t>(n));
    }
    line.resize(line.find('\n'));
    listening_line_ = line;
    size_t at = line.rfind(" port ");
    if (at == std::string::npos || (port_ = std::atoi(line.c_str() + at + 6)) <= 0) {
      *error = "unexpected line from salestrackd: " + line;
      return false;
    }
    return true;
  }

  // SIGTERM, then wait (SIGKILL after 60 s). Returns the wait status description.
  std::string Stop() {
    if (pid_ <= 0) return "not running";
    kill(pid_, SIGTERM);
    int status = 0;
    Clock::time_point until = Clock::now() + std::chrono::seconds(60);
    pid_t done = 0;
    while ((done = waitpid(pid_, &status, WNOHANG)) == 0 && Clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::string how;
    if (done == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      how = "did not stop within 60 s of SIGTERM; killed";
    } else if (WIFEXITED(status)) {
      how = absl::StrCat("exited with status ", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
      how = absl::StrCat("killed by signal ", WTERMSIG(status));
    }
    pid_ = -1;
    if (stdout_fd_ >= 0) close(stdout_fd_);
    stdout_fd_ = -1;
    return how;
  }

  ~Daemon() {
    if (pid_ > 0) Stop();
  }

  // The daemon's stderr (its log) so far.
  std::string Log() const {
    std::ifstream in(log_path_);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  const std::string& listening_line() const { return listening_line_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int port_ = 0;
  std::string log_path_;
  std::string listening_line_;
};

// ---------------------------------------------------------------------------------------------------
// Phases 2 and 3: gRPC clients

// Waits until `pid` is idle (under 5 % of a core over 250 ms), at most max_seconds. Returns the wait.
double WaitUntilIdle(pid_t pid, double max_seconds) {
  Clock::time_point start = Clock::now();
  double last = ProcessCpuSeconds(pid);
  while (Seconds(Clock::now() - start) < max_seconds) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    double now = ProcessCpuSeconds(pid);
    if (now - last < 0.0125) break;
    last = now;
  }
  return Seconds(Clock::now() - start);
}

// One client: its own channel (a distinct channel argument gives it its own TCP connection).
std::unique_ptr<v1::LogService::Stub> Connect(const std::string& target, int client_id,
                                              std::string* error) {
  grpc::ChannelArguments args;
  args.SetInt("bench.client", client_id);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
    *error = "could not connect to " + target;
    return nullptr;
  }
  return v1::LogService::NewStub(channel);
}

// Appends `request` once; returns the number of events acknowledged, or -1 after recording an
// error in *out.
int64_t AppendOnce(v1::LogService::Stub* stub, const v1::AppendRequest& request, PhaseResult* out) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  v1::AppendResponse response;
  grpc::Status status = stub->Append(&context, request, &response);
  ++out->calls;
  if (!status.ok() || response.seqs_size() != request.events_size()) {
    if (out->errors++ == 0) {
      out->first_error = status.ok() ? absl::StrCat("got ", response.seqs_size(), " seqs for ",
                                                    request.events_size(), " events")
                                     : absl::StrCat(static_cast<int>(status.error_code()), " ",
                                                    status.error_message());
    }
    return -1;
  }
  return response.seqs_size() - static_cast<int64_t>(response.duplicates());
}

// Closed loop: each of `clients` threads sends Append with `events_per_call` fresh events, waits for
// the answer, repeats until the deadline. One untimed warm-up call per client.
PhaseResult RunAppendPhase(const std::string& target, pid_t daemon, int clients,
                           int events_per_call, double seconds, int client_id_base) {
  return RunPhase(
      clients, seconds, daemon,
      [&](int t, std::latch& ready, std::latch& go, const Clock::time_point& deadline,
          PhaseResult* out) {
        EventFactory factory(SeedFor(client_id_base + t));
        v1::AppendRequest request;
        for (int i = 0; i < events_per_call; ++i) factory.Fill(request.add_events());
        std::string error;
        std::unique_ptr<v1::LogService::Stub> stub = Connect(target, client_id_base + t, &error);
        PhaseResult warmup;
        if (stub) AppendOnce(stub.get(), request, &warmup);
        ready.count_down();
        go.wait();
        if (!stub) {
          out->errors = 1;
          out->first_error = error;
          return;
        }
        while (Clock::now() < deadline) {
          for (v1::Event& e : *request.mutable_events()) factory.Fill(&e);
          Clock::time_point t0 = Clock::now();
          int64_t written = AppendOnce(stub.get(), request, out);
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

// ---------------------------------------------------------------------------------------------------
// Report

std::string FilesystemOf(const std::string& dir) {
  struct statfs s {};
  if (statfs(dir.c_str(), &s) != 0) return "?";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53: return "ext2/3/4";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs (fsync is free: figures are not durable-disk figures!)";
    case 0x794c7630: return "overlayfs";
    default: return absl::StrFormat("f_type 0x%x", static_cast<unsigned long>(s.f_type));
  }
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "?";
}

const char* Verdict(bool pass) { return pass ? "PASS" : "MISS"; }

std::string CpuShare(const PhaseResult& r, bool with_daemon) {
  std::string s;
  if (with_daemon) s = absl::StrFormat("salestrackd %.2f cores, ", r.daemon_cpu / r.seconds);
  s += absl::StrFormat("bench %.2f cores", r.bench_cpu / r.seconds);
  // Whatever else ran: other processes (a build, tests) and kernel time not charged to a process.
  double other = r.machine_cpu - r.bench_cpu - (with_daemon ? r.daemon_cpu : 0);
  return s + absl::StrFormat(", rest of machine %.2f cores%s", std::max(0.0, other) / r.seconds,
                             other / r.seconds > 0.25 ? " (NOISY: figures disturbed?)" : "");
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) return 2;
  signal(SIGPIPE, SIG_IGN);
  if (o.dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    o.dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  std::string root_template = o.dir + "/salestrack-ingest-bench-XXXXXX";
  if (mkdtemp(root_template.data()) == nullptr) {
    std::fprintf(stderr, "ingest_bench: mkdtemp in %s: %s\n", o.dir.c_str(), std::strerror(errno));
    return 2;
  }
  const std::string root = root_template;
  const std::string baseline_dir = root + "/baseline";
  const std::string daemon_dir = root + "/salestrackd-data";
  const std::string daemon_log = root + "/salestrackd.log";
  int exit_code = 0;
  auto cleanup = [&] {
    if (o.keep) {
      std::fprintf(stderr, "ingest_bench: kept %s\n", root.c_str());
    } else {
      std::error_code ec;
      std::filesystem::remove_all(root, ec);
    }
  };

  utsname uts{};
  uname(&uts);
  std::printf("# salestrack ingest_bench\n\n");
  std::printf("- machine: nproc=%ld, %s, kernel %s %s\n", sysconf(_SC_NPROCESSORS_ONLN),
              CpuModel().c_str(), uts.sysname, uts.release);
  std::printf("- data directories under %s (%s)\n", root.c_str(), FilesystemOf(root).c_str());
  std::printf(
      "- durations: baseline %.1f s, ingest %.1f s, single-event latency %.1f s (plus 1 untimed "
      "warm-up call per client)\n",
      o.baseline_seconds, o.ingest_seconds, o.latency_seconds);
  std::printf("- load: ingest %d clients x Append(%d events); baseline %d threads x "
              "WriteBatch(%d events); latency %d clients x Append(1 event); closed loops, one "
              "connection per client, load generator on the same machine\n",
              o.ingest_clients, o.batch_events, o.baseline_threads, o.batch_events,
              o.latency_clients);
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
    cleanup();
    return 1;
  }
  {
    std::error_code ec;
    std::filesystem::remove_all(baseline_dir, ec);
    sync();  // Leave no dirty pages of the baseline to be written back during the next phases.
  }

  // Phases 2 and 3.
  std::fprintf(stderr, "ingest_bench: starting %s...\n", o.salestrackd.c_str());
  Daemon daemon;
  if (!daemon.Start(o.salestrackd, daemon_dir, daemon_log, &error)) {
    std::fprintf(stderr, "ingest_bench: %s\n--- salestrackd log ---\n%s", error.c_str(),
                 daemon.Log().c_str());
    daemon.Stop();
    cleanup();
    return 1;
  }
  const std::string target = absl::StrCat("127.0.0.1:", daemon.port());
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
  PhaseResult single = RunAppendPhase(target, daemon.pid(), o.latency_clients, 1,
                                      o.latency_seconds, /*client_id_base=*/1000);

  std::string stopped = daemon.Stop();
  std::string log = daemon.Log();
  std::string shutdown_line;
  if (size_t at = log.find("shut down cleanly"); at != std::string::npos) {
    shutdown_line = log.substr(at, log.find('\n', at) - at);
  }

  // Report.
  Percentiles ingest_ms = ComputePercentiles(ingest.latencies_ms);
  Percentiles baseline_ms = ComputePercentiles(baseline->latencies_ms);
  Percentiles single_ms = ComputePercentiles(single.latencies_ms);
  double ingest_eps = ingest.events_per_second();
  double baseline_eps = baseline->events_per_second();
  double ratio = baseline_eps > 0 ? ingest_eps / baseline_eps : 0;

  std::printf("| Measurement | Result | Target | Status |\n");
  std::printf("|---|---|---|---|\n");
  std::printf("| Durable ingest via gRPC Append, %d clients x %d events/call | **%s events/s** | "
              "≥ %s events/s | %s |\n",
              o.ingest_clients, o.batch_events, Thousands(ingest_eps).c_str(),
              Thousands(kTargetIngestEventsPerSecond).c_str(),
              Verdict(ingest_eps >= kTargetIngestEventsPerSecond));
  std::printf("| Raw RocksDB synced WriteBatch(%d events), %d threads (baseline) | %s events/s | "
              "— | — |\n",
              o.batch_events, o.baseline_threads, Thousands(baseline_eps).c_str());
  std::printf("| salestrackd / baseline | **%.2f×** | ≥ %.1f× | %s |\n", ratio,
              kTargetBaselineRatio, Verdict(ratio >= kTargetBaselineRatio));
  std::printf("| Single-event Append, %d clients: p50 latency | %.2f ms | — | — |\n",
              o.latency_clients, single_ms.p50);
  std::printf("| Single-event Append, %d clients: p99 latency | **%.2f ms** | ≤ %.0f ms | %s |\n",
              o.latency_clients, single_ms.p99, kTargetSingleP99Ms,
              Verdict(single.calls > 0 && single_ms.p99 <= kTargetSingleP99Ms));
  std::printf("| Single-event Append, %d clients: max latency | %.2f ms | — | — |\n",
              o.latency_clients, single_ms.max);
  std::printf("| Single-event Append, %d clients: throughput | %s events/s | — | — |\n",
              o.latency_clients, Thousands(single.events_per_second()).c_str());
  std::printf("\n");

  std::printf("Details:\n");
  std::printf("- fsync probe (512-byte append + fdatasync, %zu samples): p50 %.2f ms, p99 %.2f ms, "
              "max %.2f ms\n",
              fsync_probe.ms.n, fsync_probe.ms.p50, fsync_probe.ms.p99, fsync_probe.ms.max);
  std::printf("- baseline: %s events in %.2f s, %s writes, write latency p50 %.2f / p99 %.2f ms, "
              "%s\n",
              Thousands(static_cast<double>(baseline->events)).c_str(), baseline->seconds,
              Thousands(static_cast<double>(baseline->calls)).c_str(), baseline_ms.p50,
              baseline_ms.p99, CpuShare(*baseline, false).c_str());
  std::printf("- ingest: %s events in %.2f s, %s calls, call latency p50 %.2f / p99 %.2f ms, %s\n",
              Thousands(static_cast<double>(ingest.events)).c_str(), ingest.seconds,
              Thousands(static_cast<double>(ingest.calls)).c_str(), ingest_ms.p50, ingest_ms.p99,
              CpuShare(ingest, true).c_str());
  std::printf("- single-event: %s calls in %.2f s, latency mean %.2f ms, %s; %s\n",
              Thousands(static_cast<double>(single.calls)).c_str(), single.seconds,
              single_ms.mean, CpuShare(single, true).c_str(),
              settled_seconds < 0
                  ? "started right after the ingest phase (--no_settle)"
                  : absl::StrFormat("started after salestrackd went idle (waited %.1f s for the "
                                    "ingest phase's flushes/compactions)",
                                    settled_seconds)
                        .c_str());
  if (fsync_probe.ms.p50 > 0) {
    // The daemon syncs once per group commit, and a group holds at most what the clients have in
    // flight; if these bounds are far above the measured rates, fsync is not what limits them.
    std::printf("- fsync bound (one fdatasync per group commit at the probe's p50, every client's "
                "call in each group): ingest ≤ %s events/s (%d x %d per commit); single-event ≤ "
                "%s events/s (%d per commit)\n",
                Thousands(o.ingest_clients * o.batch_events * 1e3 / fsync_probe.ms.p50).c_str(),
                o.ingest_clients, o.batch_events,
                Thousands(o.latency_clients * 1e3 / fsync_probe.ms.p50).c_str(),
                o.latency_clients);
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
        csv << name << ',' << absl::StrFormat("%.6f", Seconds(r->call_starts[i] - r->start))
            << ',' << absl::StrFormat("%.3f", r->latencies_ms[i]) << '\n';
      }
    }
    std::printf("- per-call latencies written to %s\n", o.dump_latencies.c_str());
  }
  if (exit_code != 0) std::printf("\n--- salestrackd log ---\n%s", log.c_str());
  std::fflush(stdout);
  cleanup();
  return exit_code;
}
