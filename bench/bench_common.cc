#include "bench_common.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace salestrack::bench {
namespace {

const char* program_name = "bench";
bool echo_call_errors = false;

Clock::duration ToDuration(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
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

}  // namespace

// ---- Program ----------------------------------------------------------------------------------

void SetProgramName(const char* name) { program_name = name; }
const char* ProgramName() { return program_name; }
void SetEchoCallErrors(bool echo) { echo_call_errors = echo; }

// ---- Flags ------------------------------------------------------------------------------------

bool FlagParser::Next() {
  if (++i_ >= argc_) return false;
  flag_ = argv_[i_];
  inline_value_.reset();
  if (size_t eq = flag_.find('='); eq != std::string::npos) {
    inline_value_ = flag_.substr(eq + 1);
    flag_.resize(eq);
  }
  return true;
}

std::optional<std::string> FlagParser::Value() {
  if (inline_value_) return inline_value_;
  if (i_ + 1 >= argc_) {
    std::fprintf(stderr, "%s: %s needs a value\n", program_name, flag_.c_str());
    return std::nullopt;
  }
  return std::string(argv_[++i_]);
}

bool FlagParser::Number(double min, double* out) {
  std::optional<std::string> v = Value();
  if (!v) return false;
  char* end = nullptr;
  double d = std::strtod(v->c_str(), &end);
  if (end == v->c_str() || *end != '\0' || !(d >= min)) {
    std::fprintf(stderr, "%s: %s: bad value \"%s\"\n", program_name, flag_.c_str(), v->c_str());
    return false;
  }
  *out = d;
  return true;
}

bool FlagParser::Integer(int* out) {
  double d;
  if (!Number(1, &d)) return false;
  *out = static_cast<int>(d);
  return true;
}

bool FlagParser::Text(std::string* out) {
  std::optional<std::string> v = Value();
  if (!v) return false;
  *out = *v;
  return true;
}

bool FlagParser::Unknown() const {
  std::fprintf(stderr, "%s: unknown argument \"%s\" (see --help)\n", program_name, argv_[i_]);
  return false;
}

// ---- Scratch directory ------------------------------------------------------------------------

bool ScratchDir::Create(const std::string& parent, const std::string& prefix, bool keep) {
  std::string dir = parent;
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    dir = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  std::string path = dir + "/" + prefix + "-XXXXXX";
  if (mkdtemp(path.data()) == nullptr) {
    std::fprintf(stderr, "%s: mkdtemp in %s: %s\n", program_name, dir.c_str(),
                 std::strerror(errno));
    return false;
  }
  path_ = path;
  keep_ = keep;
  return true;
}

ScratchDir::~ScratchDir() {
  if (path_.empty()) return;
  if (keep_) {
    std::fprintf(stderr, "%s: kept %s\n", program_name, path_.c_str());
  } else {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
}

// ---- Time and numbers -------------------------------------------------------------------------

PacedSchedule::PacedSchedule(double calls_per_second, int clients, int client) {
  if (calls_per_second <= 0) return;
  interval_ = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(clients / calls_per_second));
  next_ = Clock::now() + interval_ * client / std::max(1, clients);
}

Clock::time_point PacedSchedule::Wait() {
  if (!paced()) return Clock::now();
  std::this_thread::sleep_until(next_);
  const Clock::time_point due = next_;
  next_ += interval_;
  return due;
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

std::string Mib(double bytes) { return absl::StrFormat("%.0f MiB", bytes / (1024.0 * 1024)); }

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

// ---- CPU --------------------------------------------------------------------------------------

double ProcessCpuSeconds(pid_t pid) {
  std::string stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
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

double SelfCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double StatusBytes(pid_t pid, const char* field) {
  std::ifstream in(pid == 0 ? std::string("/proc/self/status")
                            : absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0)
      return std::strtod(line.c_str() + std::strlen(field), nullptr) * 1024;
  }
  return 0;
}

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

std::string CpuUsage::Describe() const {
  if (seconds <= 0) return "";
  std::string s;
  if (with_daemon) s = absl::StrFormat("salestrackd %.2f cores, ", daemon / seconds);
  s += absl::StrFormat("bench %.2f cores", bench / seconds);
  // Whatever else ran: other processes (a build, tests) and kernel time not charged to a process.
  double other = std::max(0.0, machine - bench - (with_daemon ? daemon : 0)) / seconds;
  return s + absl::StrFormat(", rest of machine %.2f cores%s", other,
                             other > 0.25 ? " (NOISY: figures disturbed?)" : "");
}

void CpuMeter::Start(pid_t daemon) {
  daemon_ = daemon;
  daemon0_ = daemon > 0 ? ProcessCpuSeconds(daemon) : 0;
  self0_ = SelfCpuSeconds();
  machine0_ = MachineCpuSeconds();
  start_ = Clock::now();
}

CpuUsage CpuMeter::Stop() const {
  CpuUsage u;
  u.seconds = Seconds(Clock::now() - start_);
  u.with_daemon = daemon_ > 0;
  u.daemon = daemon_ > 0 ? ProcessCpuSeconds(daemon_) - daemon0_ : 0;
  u.bench = SelfCpuSeconds() - self0_;
  u.machine = MachineCpuSeconds() - machine0_;
  return u;
}

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

// ---- Timed phases -----------------------------------------------------------------------------

void PhaseResult::Error(const std::string& what) {
  if (errors++ == 0) first_error = what;
  if (echo_call_errors && errors <= 3) {
    std::fprintf(stderr, "%s: error: %s\n", program_name, what.c_str());
  }
}

// ---- salestrackd ------------------------------------------------------------------------------

bool Daemon::Start(const std::string& binary, const std::string& data_dir,
                   const std::string& log_path, double timeout_seconds, std::string* error,
                   const std::vector<std::string>& extra_args) {
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
  std::vector<std::string> args = {binary,       "--listen", "127.0.0.1:0",
                                   "--data_dir", data_dir,   "--insecure_no_auth"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
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
  Clock::time_point until = Clock::now() + ToDuration(timeout_seconds);
  while (line.find('\n') == std::string::npos) {
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count());
    if (left <= 0) {
      *error = absl::StrFormat("salestrackd did not print its listening line within %.0f s",
                               timeout_seconds);
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

std::string Daemon::Stop() {
  if (pid_ <= 0) return "not running";
  kill(pid_, SIGTERM);
  int status = 0;
  Clock::time_point until = Clock::now() + ToDuration(stop_timeout_seconds_);
  pid_t done = 0;
  while ((done = waitpid(pid_, &status, WNOHANG)) == 0 && Clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string how;
  if (done == 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
    how = absl::StrFormat("did not stop within %.0f s of SIGTERM; killed", stop_timeout_seconds_);
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

Daemon::~Daemon() {
  if (pid_ > 0) Stop();
}

std::string Daemon::Log() const { return ReadFile(log_path_); }

std::string Daemon::target() const { return absl::StrCat("127.0.0.1:", port_); }

std::string LineFrom(const std::string& text, const std::string& start) {
  size_t at = text.find(start);
  if (at == std::string::npos) return "";
  return text.substr(at, text.find('\n', at) - at);
}

// ---- gRPC clients -----------------------------------------------------------------------------

std::shared_ptr<grpc::Channel> Connect(const std::string& target, int client_id, std::string* error,
                                       int stream_window_bytes) {
  grpc::ChannelArguments args;
  args.SetInt("bench.client", client_id);
  args.SetMaxReceiveMessageSize(64 << 20);
  if (stream_window_bytes > 0) {
    args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, stream_window_bytes);
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);  // or flow control grows the window again
  }
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
    *error = "could not connect to " + target;
    return nullptr;
  }
  return channel;
}

int64_t AppendOnce(v1::LogService::Stub* stub, const v1::AppendRequest& request,
                   std::chrono::seconds timeout, PhaseResult* out) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  v1::AppendResponse response;
  grpc::Status status = stub->Append(&context, request, &response);
  ++out->calls;
  if (!status.ok() || response.seqs_size() != request.events_size()) {
    out->Error(status.ok() ? absl::StrCat("got ", response.seqs_size(), " seqs for ",
                                          request.events_size(), " events")
                           : absl::StrCat(static_cast<int>(status.error_code()), " ",
                                          status.error_message()));
    return -1;
  }
  return response.seqs_size() - static_cast<int64_t>(response.duplicates());
}

// ---- Event fields -----------------------------------------------------------------------------

std::string NewUuid(Rng& rng) {
  uint64_t hi = rng.Next(), lo = rng.Next();
  hi = (hi & ~0xf000ULL) | 0x4000ULL;                         // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff,
                         lo >> 48, lo & 0xffffffffffffULL);
}

void SetTime(google::protobuf::Timestamp* ts, int64_t micros) {
  ts->set_seconds(micros / 1'000'000);
  ts->set_nanos(static_cast<int32_t>(micros % 1'000'000) * 1000);
}

// ---- Report -----------------------------------------------------------------------------------

std::string MachineSummary() {
  utsname uts{};
  uname(&uts);
  return absl::StrFormat("nproc=%ld, %s, kernel %s %s", sysconf(_SC_NPROCESSORS_ONLN), CpuModel(),
                         uts.sysname, uts.release);
}

double PhysicalMemoryBytes() {
  return static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

std::string FilesystemOf(const std::string& dir) {
  struct statfs s {};
  if (statfs(dir.c_str(), &s) != 0) return "?";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53:
      return "ext2/3/4";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x01021994:
      return "tmpfs (fsync is free: figures are not durable-disk figures!)";
    case 0x794c7630:
      return "overlayfs";
    default:
      return absl::StrFormat("f_type 0x%x", static_cast<unsigned long>(s.f_type));
  }
}

const char* Verdict(bool pass) { return pass ? "PASS" : "MISS"; }

void MarkdownTable::PrintHeader() const {
  PrintRow(columns_);
  std::string rule = indent_ + "|";
  for (size_t i = 0; i < columns_.size(); ++i) rule += "---|";
  std::printf("%s\n", rule.c_str());
}

void MarkdownTable::PrintRow(const std::vector<std::string>& cells) const {
  assert(cells.size() == columns_.size());
  std::string line = indent_ + "|";
  for (const std::string& cell : cells) absl::StrAppend(&line, " ", cell, " |");
  std::printf("%s\n", line.c_str());
}

}  // namespace salestrack::bench
