// The HTTP front door (issue 20): HTTP/JSON GetKpis latency idle and under gRPC ingest, append →
// Server-Sent Events subscriber latency with N subscribers, and gRPC ingest with the HTTP port on
// and off, against real salestrackd children.
//
//   build/bench/http_bench                      # 1,000 subscribers, ~40 s
//   build/bench/http_bench --subscribers 100 --calls 500 --seconds 1   # a smoke run, ~10 s
//   build/bench/http_bench --sse_only --salestrackd OTHER   # only the SSE phase, another build
//
// Clients: libcurl (one keep-alive connection) for GetKpis; plain sockets read with epoll for the
// subscribers (an EventSource's GET, then `id:` lines); gRPC Append(100) workers for ingest.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench_common.h"
#include "synthetic.h"

namespace salestrack::bench {
namespace {

struct Options {
  int subscribers = 1000;
  int calls = 2000;    // GetKpis calls per phase.
  double seconds = 4;  // Each ingest phase.
  int reps = 1000;
  int history = 100000;   // Events in the log before measuring.
  int updates = 100;      // Appends whose SSE delivery is timed.
  bool sse_only = false;  // Only the append -> SSE phase.
  std::string dir;
  std::string salestrackd = SALESTRACKD_PATH;
};

bool ParseFlags(int argc, char** argv, Options* o) {
  FlagParser flags(argc, argv);
  while (flags.Next()) {
    double v = 0;
    if (flags.flag() == "--subscribers") {
      if (!flags.Integer(&o->subscribers)) return false;
    } else if (flags.flag() == "--calls") {
      if (!flags.Integer(&o->calls)) return false;
    } else if (flags.flag() == "--seconds") {
      if (!flags.Number(0.1, &v)) return false;
      o->seconds = v;
    } else if (flags.flag() == "--reps") {
      if (!flags.Integer(&o->reps)) return false;
    } else if (flags.flag() == "--history") {
      if (!flags.Integer(&o->history)) return false;
    } else if (flags.flag() == "--updates") {
      if (!flags.Integer(&o->updates)) return false;
    } else if (flags.flag() == "--dir") {
      if (!flags.Text(&o->dir)) return false;
    } else if (flags.flag() == "--salestrackd") {
      if (!flags.Text(&o->salestrackd)) return false;
    } else if (flags.flag() == "--sse_only") {
      o->sse_only = true;
    } else {
      return flags.Unknown();
    }
  }
  return true;
}

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Appends `events` in batches of 500 (fails the run on an error).
bool AppendAll(v1::LogService::Stub* stub, std::vector<v1::Event>& events) {
  PhaseResult r;
  for (size_t i = 0; i < events.size(); i += 500) {
    v1::AppendRequest request;
    for (size_t j = i; j < std::min(events.size(), i + 500); ++j) *request.add_events() = events[j];
    if (AppendOnce(stub, request, std::chrono::seconds(60), &r) < 0) {
      std::fprintf(stderr, "%s: seeding: %s\n", ProgramName(), r.first_error.c_str());
      return false;
    }
  }
  return true;
}

// One HTTP client on a keep-alive connection.
class HttpClient {
 public:
  explicit HttpClient(int port) : curl_(curl_easy_init()) {
    url_ = absl::StrCat("http://127.0.0.1:", port, "/salestrack.v1.KpiService/GetKpis");
    headers_ = curl_slist_append(nullptr, "Content-Type: application/json");
    curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &HttpClient::Collect);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &body_);
    curl_easy_setopt(curl_, CURLOPT_TCP_NODELAY, 1L);
  }
  ~HttpClient() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(curl_);
  }
  // One call; false (with *error) unless it answered 200.
  bool Post(const std::string& json, std::string* error) {
    body_.clear();
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, json.c_str());
    CURLcode code = curl_easy_perform(curl_);
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    if (code == CURLE_OK && status == 200) return true;
    *error = absl::StrCat(curl_easy_strerror(code), " HTTP ", status, " ", body_.substr(0, 200));
    return false;
  }

 private:
  static size_t Collect(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
  }
  CURL* curl_;
  curl_slist* headers_;
  std::string url_;
  std::string body_;
};

// GetKpis of a team this month, `calls` times; latencies in ms.
PhaseResult TimeGetKpis(int port, const std::string& team, int calls) {
  HttpClient client(port);
  const std::string json =
      absl::StrCat(R"({"subject":{"unitId":")", team, R"("},"period":{"kind":"MONTH"}})");
  PhaseResult r;
  std::string error;
  for (int i = 0; i < calls; ++i) {
    auto start = Clock::now();
    if (!client.Post(json, &error)) {
      r.Error(error);
      continue;
    }
    ++r.calls;
    r.latencies_ms.push_back(Seconds(Clock::now() - start) * 1000);
  }
  return r;
}

// Full-speed gRPC ingest on `threads` workers of Append(100) until `stop`; events in *events.
void Ingest(const Org& org, const std::string& target, int threads, std::atomic<bool>* stop,
            std::atomic<uint64_t>* events) {
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::string error;
      auto channel = Connect(target, 500 + t, &error);
      if (!channel) return;
      auto stub = v1::LogService::NewStub(channel);
      ActivityGenerator gen(org, 77 + t, absl::StrCat("ingest-", t, "-"));
      Rng rng(99 + t);
      PhaseResult r;
      while (!stop->load()) {
        v1::AppendRequest request;
        for (int i = 0; i < 100; ++i) {
          v1::Event* e = request.add_events();
          e->set_event_id(NewUuid(rng));
          gen.Fill(NowMicros() - kHour, e);
        }
        int64_t n = AppendOnce(stub.get(), request, std::chrono::seconds(30), &r);
        if (n > 0) events->fetch_add(static_cast<uint64_t>(n));
      }
    });
  }
  for (std::thread& th : pool) th.join();
}

// Events per second of full-speed gRPC ingest for `seconds`.
double IngestRate(const Org& org, const std::string& target, double seconds) {
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> events{0};
  auto start = Clock::now();
  std::thread ingest([&] { Ingest(org, target, 4, &stop, &events); });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  ingest.join();
  return static_cast<double>(events.load()) / Seconds(Clock::now() - start);
}

// N EventSource-like subscribers on one epoll thread: each sends its GET, then every `id: N` line
// it reads is timed against when seq N's append started.
class Subscribers {
 public:
  bool Open(int port, const std::string& team, int n, std::string* error) {
    const std::string request = absl::StrCat(
        "GET /sse/salestrack.v1.LeaderboardService/SubscribeLeaderboard?message=",
        "%7B%22board%22%3A%7B%22unitId%22%3A%22", team,
        "%22%2C%22metric%22%3A%22actions%22%2C%22period%22%3A%7B%22kind%22%3A%22MONTH%22%7D%7D%7D",
        " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
    epoll_ = epoll_create1(0);
    for (int i = 0; i < n; ++i) {
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<uint16_t>(port));
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
          write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
        *error = absl::StrCat("subscriber ", i, ": ", std::strerror(errno));
        return false;
      }
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u32 = static_cast<uint32_t>(fds_.size());
      epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
      fds_.push_back(fd);
      pending_.emplace_back();
    }
    reader_ = std::thread([this] { Read(); });
    return true;
  }
  ~Subscribers() {
    stop_ = true;
    if (reader_.joinable()) reader_.join();
    for (int fd : fds_) close(fd);
    if (epoll_ >= 0) close(epoll_);
  }
  // Subscribers that got their first event.
  int ready() const { return ready_.load(); }
  // (seq, arrival) of every event read.
  std::vector<std::pair<uint64_t, Clock::time_point>> arrivals() {
    std::lock_guard<std::mutex> lock(mu_);
    return arrivals_;
  }

 private:
  void Read() {
    std::vector<epoll_event> events(256);
    std::vector<bool> first(fds_.size(), false);
    char buf[16384];
    while (!stop_) {
      int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 50);
      for (int i = 0; i < n; ++i) {
        uint32_t s = events[i].data.u32;
        ssize_t got = read(fds_[s], buf, sizeof buf);
        if (got <= 0) continue;
        const auto now = Clock::now();
        std::string& text = pending_[s];
        text.append(buf, static_cast<size_t>(got));
        size_t at;
        while ((at = text.find("\nid: ")) != std::string::npos || text.rfind("id: ", 0) == 0) {
          size_t start = text.rfind("id: ", 0) == 0 ? 4 : at + 5;
          size_t end = text.find('\n', start);
          if (end == std::string::npos) break;
          uint64_t seq = 0;
          if (absl::SimpleAtoi(text.substr(start, end - start), &seq)) {
            if (!first[s]) {
              first[s] = true;
              ++ready_;
            } else {
              std::lock_guard<std::mutex> lock(mu_);
              arrivals_.emplace_back(seq, now);
            }
          }
          text.erase(0, end);
        }
        if (text.size() > 4096) text.erase(0, text.size() - 64);
      }
    }
  }

  int epoll_ = -1;
  std::vector<int> fds_;
  std::vector<std::string> pending_;
  std::thread reader_;
  std::atomic<bool> stop_{false};
  std::atomic<int> ready_{0};
  std::mutex mu_;
  std::vector<std::pair<uint64_t, Clock::time_point>> arrivals_;
};

int Main(int argc, char** argv) {
  SetProgramName("http_bench");
  Options o;
  if (!ParseFlags(argc, argv, &o)) return 2;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  ScratchDir scratch;
  if (!scratch.Create(o.dir, "http_bench", false)) return 1;
  const std::string conf = scratch.path() + "/d.conf";
  const int threads = (o.subscribers + 10) * 4 / 3 + 16;
  std::ofstream(conf) << "http_listen_address: \"127.0.0.1:0\"\n"
                      << "http_limits { num_threads: " << threads
                      << " max_streams: " << o.subscribers + 10 << " }\n";

  std::printf("# http_bench\n\n%s; %d reps, %s events of history; %s\n\n", MachineSummary().c_str(),
              o.reps, Thousands(o.history).c_str(), FilesystemOf(scratch.path()).c_str());
  Org org = MakeOrg(o.reps);
  const std::string& team = org.teams[0];
  std::string error;
  MarkdownTable table({"measurement", "result", "target"});
  table.PrintHeader();

  // gRPC ingest with the HTTP port off, then on (idle), on fresh data directories.
  double without = 0, with = 0;
  for (bool http : {false, true}) {
    if (o.sse_only) break;
    Daemon d(30);
    if (!d.Start(
            o.salestrackd, scratch.path() + (http ? "/on" : "/off"), scratch.path() + "/ingest.log",
            60, &error,
            http ? std::vector<std::string>{"--config=" + conf} : std::vector<std::string>{})) {
      std::fprintf(stderr, "%s: %s\n", ProgramName(), error.c_str());
      return 1;
    }
    auto stub = v1::LogService::NewStub(Connect(d.target(), 1, &error));
    std::vector<v1::Event> seed;
    AppendOrgEvents(org, NowMicros() - 2 * kDay, &seed);
    if (!AppendAll(stub.get(), seed)) return 1;
    (http ? with : without) = IngestRate(org, d.target(), o.seconds);
    d.Stop();
  }
  if (!o.sse_only) {
    table.PrintRow({"gRPC ingest (4 × Append(100)): HTTP port off / on and idle",
                    absl::StrFormat("%s / %s events/s (%.2f×)", Thousands(without), Thousands(with),
                                    without > 0 ? with / without : 0),
                    "nothing measurable"});
  }

  Daemon d(30);
  if (!d.Start(o.salestrackd, scratch.path() + "/data", scratch.path() + "/d.log", 60, &error,
               {"--config=" + conf})) {
    std::fprintf(stderr, "%s: %s\n", ProgramName(), error.c_str());
    return 1;
  }
  int http_port = 0;
  if (!absl::SimpleAtoi(LineFrom(d.listening_line(), "http_port ").substr(10), &http_port)) {
    std::fprintf(stderr, "%s: no http_port in \"%s\"\n", ProgramName(), d.listening_line().c_str());
    return 1;
  }
  auto stub = v1::LogService::NewStub(Connect(d.target(), 1, &error));
  {
    std::vector<v1::Event> seed;
    AppendOrgEvents(org, NowMicros() - 20 * kDay, &seed);
    ActivityGenerator gen(org, 1, "hist-");
    Rng rng(2);
    for (int i = 0; i < o.history; ++i) {
      v1::Event& e = seed.emplace_back();
      e.set_event_id(NewUuid(rng));
      gen.Fill(NowMicros() - 6 * kDay + i, &e);
    }
    if (!AppendAll(stub.get(), seed)) return 1;
  }

  if (!o.sse_only) {
    // GetKpis over HTTP, idle, then under full-speed gRPC ingest.
    Percentiles idle = ComputePercentiles(TimeGetKpis(http_port, team, o.calls).latencies_ms);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> ingested{0};
    std::thread ingest([&] { Ingest(org, d.target(), 2, &stop, &ingested); });
    auto busy_start = Clock::now();
    PhaseResult busy_calls = TimeGetKpis(http_port, team, o.calls);
    stop = true;
    ingest.join();
    Percentiles busy = ComputePercentiles(busy_calls.latencies_ms);
    const double busy_rate =
        static_cast<double>(ingested.load()) / Seconds(Clock::now() - busy_start);
    table.PrintRow({absl::StrFormat("HTTP GetKpis (team, month): p50 / p99 idle"),
                    absl::StrFormat("%.2f / %.2f ms", idle.p50, idle.p99),
                    absl::StrCat("p99 ≤ 2 ms: ", Verdict(idle.p99 <= 2))});
    table.PrintRow({absl::StrFormat("HTTP GetKpis under gRPC ingest (2 × Append(100), %s events/s)",
                                    Thousands(busy_rate)),
                    absl::StrFormat("%.2f / %.2f ms", busy.p50, busy.p99),
                    absl::StrCat("p99 ≤ 2 ms: ", Verdict(busy.p99 <= 2))});
  }

  // Append → SSE subscriber.
  Subscribers subs;
  if (!subs.Open(http_port, team, o.subscribers, &error)) {
    std::fprintf(stderr, "%s: %s\n", ProgramName(), error.c_str());
    return 1;
  }
  for (auto until = Clock::now() + std::chrono::seconds(60);
       subs.ready() < o.subscribers && Clock::now() < until;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (subs.ready() < o.subscribers) {
    std::fprintf(stderr, "%s: only %d of %d subscribers got their first event\n", ProgramName(),
                 subs.ready(), o.subscribers);
    return 1;
  }
  std::map<uint64_t, Clock::time_point> sent, acked;
  Rng rng(5);
  PhaseResult appends;
  int team_rep = 0;
  while (org.rep_team[team_rep] != 0) ++team_rep;
  for (int i = 0; i < o.updates; ++i) {
    v1::AppendRequest request;
    v1::Event* e = request.add_events();
    e->set_event_id(NewUuid(rng));
    e->set_rep_id(org.reps[team_rep]);
    SetTime(e->mutable_occurred_at(), NowMicros() - kHour);
    auto* a = e->mutable_action_logged();
    a->set_customer_id("cust-0000000");
    a->set_subject(kActionSubjects[i % 10]);
    a->set_location(kActionLocations[i % 8]);
    a->set_purpose(v1::INTRODUCE_PRODUCT);
    a->set_channel(v1::PHONE);
    grpc::ClientContext context;
    v1::AppendResponse response;
    auto start = Clock::now();
    if (stub->Append(&context, request, &response).ok() && response.seqs_size() == 1) {
      sent[response.seqs(0)] = start;
      acked[response.seqs(0)] = Clock::now();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  std::vector<double> latencies;
  // Per update: the first and the last subscriber's arrival.
  std::map<uint64_t, std::pair<Clock::time_point, Clock::time_point>> spread;
  for (const auto& [seq, at] : subs.arrivals()) {
    auto it = sent.find(seq);
    if (it == sent.end()) continue;
    latencies.push_back(Seconds(at - it->second) * 1000);
    auto [s, inserted] = spread.try_emplace(seq, at, at);
    if (!inserted) {
      s->second.first = std::min(s->second.first, at);
      s->second.second = std::max(s->second.second, at);
    }
  }
  Percentiles sse = ComputePercentiles(latencies);
  std::vector<double> commit, to_first, first_to_last;
  for (const auto& [seq, at] : sent) commit.push_back(Seconds(acked[seq] - at) * 1000);
  for (const auto& [seq, arrived] : spread) {
    to_first.push_back(Seconds(arrived.first - acked[seq]) * 1000);
    first_to_last.push_back(Seconds(arrived.second - arrived.first) * 1000);
  }
  Percentiles commit_p = ComputePercentiles(commit), first_p = ComputePercentiles(to_first),
              spread_p = ComputePercentiles(first_to_last);
  table.PrintRow({absl::StrFormat("append → SSE subscriber, %s subscribers: p50 / p99 (%s of %s "
                                  "deliveries)",
                                  Thousands(o.subscribers), Thousands(sse.n),
                                  Thousands(static_cast<double>(sent.size()) * o.subscribers)),
                  absl::StrFormat("%.2f / %.2f ms", sse.p50, sse.p99),
                  absl::StrCat("p99 ≤ 10 ms: ", Verdict(sse.p99 <= 10))});
  table.PrintRow({"… of which the Append call (durable commit, acknowledged): p50 / p99",
                  absl::StrFormat("%.2f / %.2f ms", commit_p.p50, commit_p.p99), ""});
  table.PrintRow({"… acknowledged → first subscriber: p50 / p99",
                  absl::StrFormat("%.2f / %.2f ms", first_p.p50, first_p.p99), ""});
  table.PrintRow({"… first → last subscriber of an update: p50 / p99",
                  absl::StrFormat("%.2f / %.2f ms", spread_p.p50, spread_p.p99), ""});
  std::printf("\nsalestrackd RSS with %d subscribers: %s\n", o.subscribers,
              Mib(StatusBytes(d.pid(), "VmRSS:")).c_str());
  return 0;
}

}  // namespace
}  // namespace salestrack::bench

int main(int argc, char** argv) { return salestrack::bench::Main(argc, argv); }
