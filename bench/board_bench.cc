// board_bench: end-to-end benchmark of the live leaderboards (issue 4; KPI_SPEC §7).
//
// One run, on this machine, WAL synced everywhere, against a real salestrackd child process:
//
//   1. Set-up: the synthetic org of --reps reps (synthetic.h: company, 3 regions, 9 teams) and
//      --history events of field activity over the last 20 days, bulk-loaded.
//   2. GetLeaderboard: the top 50 of the company board (all --reps reps, "actions", this month),
//      4 query clients, first idle, then while appenders ingest at --rate events/s, then while 4
//      clients ingest at full speed (Append(100 events) back to back: the 2 cores saturated).
//   3. For each subscriber count of --subscribers (default 1,000 and 10,000):
//        a. the subscribers connect over --channels connections and get their snapshots; the
//           daemon's RSS before and after gives the memory per subscriber (boards included);
//        b. paced ingest: --appenders clients append batches of --batch fresh events (occurred in
//           the last minute) at --rate events/s in total, open loop, for --seconds; every update
//           every subscriber receives is timed (see "Append to subscriber" below);
//        c. closed-loop ingest at full speed (4 clients x Append(100 events)) with the same
//           subscribers reading: the events/s compared below with Redis.
//      Right after the run with --stalled subscribers (default 1,000), the same subscriptions again
//      (same boards, same filters), this time never reading after their snapshot, so their
//      outboxes fold: the full-speed ingest must match the live readers' (target ≥ 0.9×) and the
//      daemon's RSS grow no more than with live readers. And before all that, the full-speed
//      ingest with no subscriber at all: what maintaining the live boards costs.
//   4. Redis (Debian's redis-server, loopback, appendonly yes, appendfsync always): the same
//      events, from the same number of clients in the same batches (one pipeline per batch), each
//      doing what a hand-built Redis leaderboard does per event: ZINCRBY on every board the event
//      moves (each metric it changes x its team, region and company x the five periods) and one
//      PUBLISH to its team's channel, with 1,000 subscriber connections reading. Redis keeps no
//      log, does not rank, and cannot place late events, undo voids or drop duplicates; it is the
//      throughput peer, not a functional one.
//
// Subscriber mix (what a sales organisation runs): 10 % office screens, each on the top 10 of a
// board (company, a region or a team; actions, sales_amount, signings or win_rate; today, this week
// or this month); 90 % reps' phones, each following its own rank on its team's board (actions or
// sales_amount; this week or this month). All follow the current period.
//
// Append to subscriber: for each update a subscriber receives (snapshots excluded), the time from
// the start of the oldest Append call whose events the update's hub round took in, to the update's
// arrival here. Rounds are told apart by the seqs the updates carry (every update of one round
// carries its round's seq), so the figure is conservative: a round whose commits changed no
// subscriber's view hands its appends to the next round that does.
//
// Then prints a Markdown table against the targets and exits 0 (1 if something failed, e.g. RPC
// errors or a subscriber that did not get its snapshot; a MISS of a target is a finding).
//
//   board_bench                                  # default: 10,000 reps, 1,000 and 10,000
//   subscribers board_bench --subscribers 1000 --seconds 3   # quick run board_bench --help
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench_common.h"
#include "grpcpp/grpcpp.h"
#include "hiredis/hiredis.h"
#include "salestrack/v1/events.pb.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "salestrack/v1/leaderboard_service.grpc.pb.h"
#include "salestrack/v1/log_service.grpc.pb.h"
#include "synthetic.h"

#ifndef SALESTRACKD_PATH
#error "SALESTRACKD_PATH must be defined (see bench/CMakeLists.txt)"
#endif

namespace salestrack::bench {
namespace {

// Targets of issue 4.
constexpr double kTargetP99Ms1k = 5;
constexpr double kTargetP99Ms10k = 50;
constexpr double kTargetGetP99Ms = 1;
constexpr int kBoardTop = 50;
constexpr std::chrono::seconds kCallTimeout(60);

// ---------------------------------------------------------------------------------------------------
// Options

struct Options {
  int reps = 10'000;
  int history = 200'000;
  std::vector<int> subscribers = {1'000, 10'000};
  int stalled = 1'000;
  int redis_subscribers = 1'000;
  double rate = 1'000;  // events/s of the paced ingest
  int batch = 10;
  int appenders = 4;
  int max_clients = 4;  // closed-loop ingest
  int max_batch = 100;
  int channels = 16;
  double seconds = 10;
  double query_seconds = 5;
  uint64_t seed = 20261123;
  std::string dir;
  std::string salestrackd = SALESTRACKD_PATH;
  std::string redis;  // default: redis-server on PATH, else Debian's redis-tools binary
  bool keep = false;
};

void PrintUsage() {
  std::printf(
      "Usage: board_bench [options]\n\n"
      "Measures salestrackd's live leaderboards: append-to-subscriber latency with many\n"
      "subscribers while ingesting, GetLeaderboard latency, memory per subscriber, ingest with\n"
      "live and stalled subscribers, and the same ingest done by Redis (ZINCRBY + PUBLISH).\n\n"
      "  --reps N              reps in the org (default 10000)\n"
      "  --history N           events loaded before the measurements (default 200000)\n"
      "  --subscribers N,M     subscriber counts to measure (default 1000,10000)\n"
      "  --stalled N           stalled subscribers in the stalled-reader phase (default 1000)\n"
      "  --redis_subscribers N Redis subscriber connections (default 1000)\n"
      "  --rate N              events/s of the paced ingest (default 1000)\n"
      "  --batch N             events per Append of the paced ingest (default 10)\n"
      "  --appenders N         paced ingest clients (default 4)\n"
      "  --channels N          connections the subscribers share (default 16)\n"
      "  --seconds N           each ingest phase (default 10)\n"
      "  --query_seconds N     each GetLeaderboard phase (default 5)\n"
      "  --seed N              generator seed\n"
      "  --dir DIR             where to create the temporary directory (default $TMPDIR or /tmp)\n"
      "  --salestrackd PATH    daemon binary (default %s)\n"
      "  --redis PATH          redis-server binary (default: redis-server on PATH, else\n"
      "                        /usr/bin/redis-check-rdb run as redis-server, from redis-tools)\n"
      "  --keep                keep the temporary directory\n",
      SALESTRACKD_PATH);
}

bool ParseArgs(int argc, char** argv, Options* o) {
  FlagParser flags(argc, argv);
  while (flags.Next()) {
    const std::string& arg = flags.flag();
    double d = 0;
    if (arg == "--help" || arg == "-h") {
      PrintUsage();
      std::exit(0);
    } else if (arg == "--reps") {
      if (!flags.Integer(&o->reps)) return false;
    } else if (arg == "--history") {
      if (!flags.Number(0, &d)) return false;
      o->history = static_cast<int>(d);
    } else if (arg == "--subscribers") {
      std::string text;
      if (!flags.Text(&text)) return false;
      o->subscribers.clear();
      for (absl::string_view part : absl::StrSplit(text, ',')) {
        int n = 0;
        if (!absl::SimpleAtoi(part, &n) || n < 1) {
          std::fprintf(stderr, "board_bench: --subscribers: \"%s\" is not a positive count\n",
                       std::string(part).c_str());
          return false;
        }
        o->subscribers.push_back(n);
      }
    } else if (arg == "--stalled") {
      if (!flags.Integer(&o->stalled)) return false;
    } else if (arg == "--redis_subscribers") {
      if (!flags.Integer(&o->redis_subscribers)) return false;
    } else if (arg == "--rate") {
      if (!flags.Number(1, &o->rate)) return false;
    } else if (arg == "--batch") {
      if (!flags.Integer(&o->batch)) return false;
    } else if (arg == "--appenders") {
      if (!flags.Integer(&o->appenders)) return false;
    } else if (arg == "--channels") {
      if (!flags.Integer(&o->channels)) return false;
    } else if (arg == "--seconds") {
      if (!flags.Number(0.5, &o->seconds)) return false;
    } else if (arg == "--query_seconds") {
      if (!flags.Number(0.5, &o->query_seconds)) return false;
    } else if (arg == "--seed") {
      if (!flags.Number(0, &d)) return false;
      o->seed = static_cast<uint64_t>(d);
    } else if (arg == "--dir") {
      if (!flags.Text(&o->dir)) return false;
    } else if (arg == "--salestrackd") {
      if (!flags.Text(&o->salestrackd)) return false;
    } else if (arg == "--redis") {
      if (!flags.Text(&o->redis)) return false;
    } else if (arg == "--keep") {
      o->keep = true;
    } else {
      return flags.Unknown();
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Appending

// One Append call: when it started, how long it took, and the last seq it was given.
struct AppendCall {
  Clock::time_point start;
  double ms = 0;
  uint64_t last_seq = 0;
  int events = 0;
};

// Appends `request`; on success fills `call` (start, latency, last seq). Counts into *out.
bool Append(v1::LogService::Stub* stub, const v1::AppendRequest& request, AppendCall* call,
            PhaseResult* out) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
  v1::AppendResponse response;
  call->start = Clock::now();
  grpc::Status status = stub->Append(&context, request, &response);
  call->ms = Seconds(Clock::now() - call->start) * 1e3;
  ++out->calls;
  if (!status.ok() || response.seqs_size() != request.events_size()) {
    out->Error(status.ok() ? absl::StrCat("got ", response.seqs_size(), " seqs for ",
                                          request.events_size(), " events")
                           : absl::StrCat("Append: ", static_cast<int>(status.error_code()), " ",
                                          status.error_message()));
    return false;
  }
  call->events = request.events_size();
  call->last_seq = *std::max_element(response.seqs().begin(), response.seqs().end());
  out->events += static_cast<uint64_t>(request.events_size());
  out->latencies_ms.push_back(call->ms);
  return true;
}

// A generator seed of its own for client `t` of the phase seeded `seed`: no two clients of a run
// make the same event ids.
uint64_t ClientSeed(uint64_t seed, int t) {
  return Rng(seed * 1'000'003 + static_cast<uint64_t>(t)).Next();
}

// Fresh activity: occurred in the last minute, so it lands on today's, this week's and this month's
// boards.
void FillFresh(ActivityGenerator& gen, Rng& rng, v1::AppendRequest* request) {
  const int64_t now = absl::ToUnixMicros(absl::Now());
  for (v1::Event& e : *request->mutable_events())
    gen.Fill(now - rng.Between(kSecond, 60 * kSecond), &e);
}

// Client `t` of a phase seeded `seed`: its own stream of fresh events, in batches of `batch`, and
// (given a target) its own connection. The same (seed, t, tag) makes the same events.
struct FreshSource {
  FreshSource(const std::string& target, const Org& org, int batch, uint64_t seed, int t,
              const char* tag)
      : gen(org, ClientSeed(seed, t), absl::StrCat(tag, seed % 100000, "-", t, "-")),
        rng(ClientSeed(seed ^ 0x5eed, t)) {
    if (!target.empty()) {
      std::shared_ptr<grpc::Channel> channel = Connect(target, 100 + t, &error);
      if (channel) stub = v1::LogService::NewStub(channel);
    }
    for (int i = 0; i < batch; ++i) request.add_events();
  }
  // The next batch, in `request`.
  void Next() { FillFresh(gen, rng, &request); }

  std::unique_ptr<v1::LogService::Stub> stub;  // null: no target, or `error` says why
  std::string error;
  ActivityGenerator gen;
  Rng rng;
  v1::AppendRequest request;
};

// Ingest at full speed: `clients` threads, each Append(`batch` events) in a closed loop.
PhaseResult IngestFlat(const std::string& target, pid_t daemon, const Org& org, int clients,
                       int batch, double seconds, uint64_t seed) {
  return RunPhase(
      clients, seconds, daemon,
      [&](int t, std::latch& ready, std::latch& go, const Clock::time_point& deadline,
          PhaseResult* out) {
        FreshSource source(target, org, batch, seed, t, "F");
        ready.count_down();
        go.wait();
        if (!source.stub) return out->Error(source.error);
        AppendCall call;
        while (Clock::now() < deadline) {
          source.Next();
          if (!Append(source.stub.get(), source.request, &call, out) && out->errors > 100) {
            return;
          }
        }
      });
}

// Ingest at a fixed total rate: `clients` threads, each sending Append(`batch` events) on its own
// schedule (open loop: a late call is sent at once, and the lag is counted). Keeps every call.
struct PacedResult {
  PhaseResult phase;
  std::vector<AppendCall> calls;
  double behind_ms_max = 0;  // how far the senders fell behind their schedule
};

PacedResult IngestPaced(const std::string& target, pid_t daemon, const Org& org, int clients,
                        int batch, double rate, double seconds, uint64_t seed) {
  std::vector<std::vector<AppendCall>> calls(clients);
  std::vector<double> behind(clients, 0);
  PacedResult r;
  r.phase = RunPhase(clients, seconds, daemon,
                     [&](int t, std::latch& ready, std::latch& go,
                         const Clock::time_point& deadline, PhaseResult* out) {
                       FreshSource source(target, org, batch, seed, t, "P");
                       ready.count_down();
                       go.wait();
                       if (!source.stub) return out->Error(source.error);
                       PacedSchedule schedule(rate / batch, clients, t);
                       while (schedule.due() < deadline) {
                         const Clock::time_point due = schedule.Wait();
                         behind[t] = std::max(behind[t], Seconds(Clock::now() - due) * 1e3);
                         source.Next();
                         AppendCall call;
                         if (Append(source.stub.get(), source.request, &call, out)) {
                           calls[t].push_back(call);
                         } else if (out->errors > 100) {
                           return;
                         }
                       }
                     });
  for (int t = 0; t < clients; ++t) {
    r.calls.insert(r.calls.end(), calls[t].begin(), calls[t].end());
    r.behind_ms_max = std::max(r.behind_ms_max, behind[t]);
  }
  return r;
}

// Loads `events` in batches of 1000 from `clients` clients.
bool Load(const std::string& target, const std::vector<v1::Event>& events, int clients,
          std::string* error) {
  constexpr size_t kBatch = 1000;
  std::atomic<size_t> next{0};
  std::vector<PhaseResult> results(clients);
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      std::string e;
      std::shared_ptr<grpc::Channel> channel = Connect(target, 300 + t, &e);
      if (!channel) return results[t].Error(e);
      auto stub = v1::LogService::NewStub(channel);
      for (size_t i; (i = next.fetch_add(kBatch)) < events.size();) {
        v1::AppendRequest request;
        for (size_t k = i; k < std::min(events.size(), i + kBatch); ++k)
          *request.add_events() = events[k];
        if (AppendOnce(stub.get(), request, kCallTimeout, &results[t]) < 0) return;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const PhaseResult& r : results) {
    if (r.errors > 0) {
      *error = r.first_error;
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Subscribers

// What a subscriber asks for.
v1::SubscribeLeaderboardRequest SubscriberRequest(const Org& org, int i, Rng& rng) {
  v1::SubscribeLeaderboardRequest request;
  v1::BoardRef* board = request.mutable_board();
  if (i % 10 == 0) {  // an office screen
    static constexpr const char* kMetrics[] = {"actions", "sales_amount", "signings", "win_rate"};
    static constexpr v1::PeriodKind kPeriods[] = {v1::DAY, v1::WEEK, v1::MONTH};
    const uint64_t unit = rng.Below(1 + org.regions.size() + org.teams.size());
    board->set_unit_id(unit == 0                    ? org.company
                       : unit <= org.regions.size() ? org.regions[unit - 1]
                                                    : org.teams[unit - 1 - org.regions.size()]);
    board->set_metric(kMetrics[rng.Below(std::size(kMetrics))]);
    board->mutable_period()->set_kind(kPeriods[rng.Below(std::size(kPeriods))]);
    request.set_top(10);
  } else {  // a rep's phone: my rank on my team's board
    const size_t rep = rng.Below(org.reps.size());
    board->set_unit_id(org.teams[org.rep_team[rep]]);
    board->set_metric(rng.Percent(60) ? "actions" : "sales_amount");
    board->mutable_period()->set_kind(rng.Percent(50) ? v1::WEEK : v1::MONTH);
    request.add_member_ids(org.reps[rep]);
  }
  return request;
}

// One subscription, read by gRPC's callback threads. A stalled one stops reading after its
// snapshot.
class Subscriber final : public grpc::ClientReadReactor<v1::LeaderboardUpdate> {
 public:
  struct Received {
    uint64_t seq;
    Clock::time_point at;
  };

  Subscriber(v1::SubscribeLeaderboardRequest request, bool stalled, std::latch* subscribed)
      : request_(std::move(request)), stalled_(stalled), subscribed_(subscribed) {}

  void Start(v1::LeaderboardService::Stub* stub) {
    stub->async()->SubscribeLeaderboard(&context_, &request_, this);
    StartRead(&update_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // The stream ends; OnDone follows.
    const Clock::time_point now = Clock::now();
    bool first = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (update_.kind() == v1::LeaderboardUpdate::SNAPSHOT) {
        first = snapshots_++ == 0;
      } else {
        received_.push_back({update_.seq(), now});
        entries_ += static_cast<uint64_t>(update_.entries_size() + update_.removed_size());
      }
    }
    if (first) subscribed_->count_down();
    if (!stalled_) StartRead(&update_);  // A stalled reader stops after its snapshot.
  }

  void OnDone(const grpc::Status& status) override {
    bool first;
    {
      std::lock_guard<std::mutex> lock(mu_);
      status_ = status;
      done_ = true;
      first = snapshots_ == 0;
    }
    if (first) subscribed_->count_down();  // Never subscribed: do not leave the waiter hanging.
    cv_.notify_all();
  }

  void Cancel() { context_.TryCancel(); }

  // Waits for OnDone; afterwards the figures are stable.
  bool AwaitDone(Clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_until(lock, deadline, [&] { return done_; });
  }

  // Moves out what was received so far.
  std::vector<Received> TakeReceived() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(received_, {});
  }
  uint64_t entries() {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_;
  }
  bool subscribed() {
    std::lock_guard<std::mutex> lock(mu_);
    return snapshots_ > 0;
  }
  std::string error() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!done_ || status_.error_code() == grpc::StatusCode::CANCELLED) return "";
    return absl::StrCat(static_cast<int>(status_.error_code()), " ", status_.error_message());
  }

 private:
  grpc::ClientContext context_;
  v1::SubscribeLeaderboardRequest request_;
  v1::LeaderboardUpdate update_;
  const bool stalled_;
  std::latch* subscribed_;

  std::mutex mu_;
  std::condition_variable cv_;
  int snapshots_ = 0;
  uint64_t entries_ = 0;
  std::vector<Received> received_;
  bool done_ = false;
  grpc::Status status_;
};

// `n` subscriptions over `channels` connections.
class SubscriberSet {
 public:
  SubscriberSet(const std::string& target, const Org& org, int n, int channels, bool stalled,
                uint64_t seed)
      : subscribed_(n) {
    Rng rng(seed);
    for (int c = 0; c < channels; ++c) {
      std::string error;
      // A stalled reader's transport takes in at most 8 KiB it does not read: without the cap,
      // gRPC's flow control would buffer megabytes on our side and the server would never notice.
      std::shared_ptr<grpc::Channel> channel =
          Connect(target, (stalled ? 2000 : 1000) + c, &error, stalled ? 8192 : 0);
      if (!channel) {
        error_ = error;
        return;
      }
      stubs_.push_back(v1::LeaderboardService::NewStub(channel));
    }
    for (int i = 0; i < n; ++i) {
      subscribers_.push_back(
          std::make_unique<Subscriber>(SubscriberRequest(org, i, rng), stalled, &subscribed_));
    }
  }

  // Starts every subscription and waits for every snapshot. Returns the seconds it took.
  std::optional<double> Open(double timeout_seconds) {
    if (!error_.empty()) return std::nullopt;
    Clock::time_point t0 = Clock::now();
    for (size_t i = 0; i < subscribers_.size(); ++i)
      subscribers_[i]->Start(stubs_[i % stubs_.size()].get());
    const auto timeout = std::chrono::duration<double>(timeout_seconds);
    // std::latch has no timed wait: poll.
    while (!subscribed_.try_wait() && Clock::now() - t0 < timeout) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (auto& s : subscribers_) {
      if (!s->subscribed()) {
        error_ = s->error().empty() ? "a subscriber got no snapshot in time" : s->error();
        return std::nullopt;
      }
    }
    return Seconds(Clock::now() - t0);
  }

  void Close() {
    for (auto& s : subscribers_) s->Cancel();
    Clock::time_point deadline = Clock::now() + std::chrono::seconds(30);
    for (auto& s : subscribers_) {
      if (!s->AwaitDone(deadline) && error_.empty())
        error_ = "a subscription did not end after cancel";
    }
  }

  std::vector<Subscriber::Received> TakeReceived() {
    std::vector<Subscriber::Received> all;
    for (auto& s : subscribers_) {
      std::vector<Subscriber::Received> r = s->TakeReceived();
      all.insert(all.end(), r.begin(), r.end());
    }
    return all;
  }
  uint64_t entries() {
    uint64_t n = 0;
    for (auto& s : subscribers_) n += s->entries();
    return n;
  }
  // The first error of a subscription that ended other than by our cancel.
  std::string error() {
    if (!error_.empty()) return error_;
    for (auto& s : subscribers_) {
      if (std::string e = s->error(); !e.empty()) return e;
    }
    return "";
  }

 private:
  std::latch subscribed_;
  std::vector<std::unique_ptr<v1::LeaderboardService::Stub>> stubs_;
  std::vector<std::unique_ptr<Subscriber>> subscribers_;
  std::string error_;
};

// Append-to-subscriber latencies (ms) of `received` updates, given every Append call of the phase
// (see the file comment).
struct Delivery {
  std::vector<double> ms;
  size_t unattributed = 0;  // updates no append of the phase explains (none expected)
  size_t rounds = 0;
};

Delivery AttributeUpdates(std::vector<Subscriber::Received> received,
                          std::vector<AppendCall> calls) {
  Delivery d;
  std::sort(calls.begin(), calls.end(),
            [](const AppendCall& a, const AppendCall& b) { return a.last_seq < b.last_seq; });
  std::vector<uint64_t> rounds;
  for (const auto& r : received) rounds.push_back(r.seq);
  std::sort(rounds.begin(), rounds.end());
  rounds.erase(std::unique(rounds.begin(), rounds.end()), rounds.end());
  d.rounds = rounds.size();
  // For each round seq: the oldest start of the calls it took in, (previous round seq, seq].
  std::map<uint64_t, Clock::time_point> oldest;
  uint64_t previous = 0;
  size_t c = 0;
  for (uint64_t seq : rounds) {
    while (c < calls.size() && calls[c].last_seq <= previous) ++c;
    std::optional<Clock::time_point> first;
    for (size_t k = c; k < calls.size() && calls[k].last_seq <= seq; ++k) {
      if (!first || calls[k].start < *first) first = calls[k].start;
    }
    if (first) oldest[seq] = *first;
    previous = seq;
  }
  for (const auto& r : received) {
    auto it = oldest.find(r.seq);
    if (it == oldest.end()) {
      ++d.unattributed;
      continue;
    }
    d.ms.push_back(Seconds(r.at - it->second) * 1e3);
  }
  return d;
}

// The hub's own figures (AdminService.GetStats, as on the metrics endpoint): how many updates it
// has folded for readers that had not taken the previous one, and the fullest outbox now.
struct HubFigures {
  double folded = -1;
  double largest_outbox = -1;
};

HubFigures ReadHubFigures(const std::string& target) {
  HubFigures f;
  std::string error;
  std::shared_ptr<grpc::Channel> channel = Connect(target, 500, &error);
  if (!channel) return f;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
  v1::GetStatsResponse response;
  if (!v1::AdminService::NewStub(channel)->GetStats(&context, {}, &response).ok()) return f;
  for (const v1::StatsMetric& m : response.metrics()) {
    if (m.name() == "salestrack_board_updates_folded_total") f.folded = m.value();
    if (m.name() == "salestrack_board_largest_outbox_entries") f.largest_outbox = m.value();
  }
  return f;
}

// ---------------------------------------------------------------------------------------------------
// GetLeaderboard

PhaseResult RunQueries(const std::string& target, pid_t daemon, const Org& org, double seconds) {
  return RunPhase(
      4, seconds, daemon,
      [&](int t, std::latch& ready, std::latch& go, const Clock::time_point& deadline,
          PhaseResult* out) {
        std::string error;
        std::shared_ptr<grpc::Channel> channel = Connect(target, 400 + t, &error);
        ready.count_down();
        go.wait();
        if (!channel) return out->Error(error);
        auto stub = v1::LeaderboardService::NewStub(channel);
        v1::GetLeaderboardRequest request;
        request.mutable_board()->set_unit_id(org.company);
        request.mutable_board()->set_metric("actions");
        request.mutable_board()->mutable_period()->set_kind(v1::MONTH);
        request.set_top(kBoardTop);
        v1::GetLeaderboardResponse response;
        while (Clock::now() < deadline) {
          grpc::ClientContext context;
          context.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
          Clock::time_point t0 = Clock::now();
          grpc::Status status = stub->GetLeaderboard(&context, request, &response);
          out->latencies_ms.push_back(Seconds(Clock::now() - t0) * 1e3);
          ++out->calls;
          if (!status.ok()) {
            out->Error(absl::StrCat("GetLeaderboard: ", static_cast<int>(status.error_code()), " ",
                                    status.error_message()));
            if (out->errors > 100) return;
            continue;
          }
          if (response.entries_size() != kBoardTop ||
              static_cast<int>(response.info().members()) != static_cast<int>(org.reps.size())) {
            out->Error(absl::StrCat("GetLeaderboard: ", response.entries_size(),
                                    " entries of a board of ", response.info().members()));
            return;
          }
          out->response_bytes = std::max(out->response_bytes, response.ByteSizeLong());
        }
      });
}

// ---------------------------------------------------------------------------------------------------
// Redis

// Debian ships the server binary in redis-tools as redis-check-rdb (the redis-server package only
// adds a symlink and a system service); run as "redis-server" it is the server.
std::string FindRedis(const std::string& flag) {
  if (!flag.empty()) return flag;
  for (const char* p :
       {"/usr/bin/redis-server", "/usr/local/bin/redis-server", "/usr/bin/redis-check-rdb"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return "";
}

class RedisServer {
 public:
  ~RedisServer() { Stop(); }

  bool Start(const std::string& binary, const std::string& dir, int port, std::string* error) {
    port_ = port;
    pid_ = fork();
    if (pid_ < 0) {
      *error = absl::StrCat("fork: ", std::strerror(errno));
      return false;
    }
    if (pid_ == 0) {
      std::string log = dir + "/redis.log";
      std::string port_text = std::to_string(port);
      std::vector<std::string> args = {"redis-server",
                                       "--port",
                                       port_text,
                                       "--bind",
                                       "127.0.0.1",
                                       "--dir",
                                       dir,
                                       "--appendonly",
                                       "yes",
                                       "--appendfsync",
                                       "always",
                                       "--save",
                                       "",
                                       "--daemonize",
                                       "no",
                                       "--logfile",
                                       log,
                                       "--maxclients",
                                       "10000",
                                       "--client-output-buffer-limit",
                                       "pubsub 0 0 0"};
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    for (int i = 0; i < 200; ++i) {
      redisContext* c = redisConnect("127.0.0.1", port);
      if (c != nullptr && c->err == 0) {
        auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"));
        bool ok = reply != nullptr && reply->type == REDIS_REPLY_STATUS;
        if (reply != nullptr) freeReplyObject(reply);
        redisFree(c);
        if (ok) return true;
      } else if (c != nullptr) {
        redisFree(c);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    *error = "redis-server did not answer PING within 10 s";
    return false;
  }

  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  pid_t pid() const { return pid_; }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// A free loopback port for Redis.
int FreePort() {
  for (int port = 26379; port < 26479; ++port) {
    redisContext* c = redisConnect("127.0.0.1", port);
    bool taken = c != nullptr && c->err == 0;
    if (c != nullptr) redisFree(c);
    if (!taken) return port;
  }
  return 0;
}

// The five periods' key parts of the day containing `now` (UTC): the fresh events of a batch all
// fall on it (they occurred in the last minute), so a batch computes them once.
std::array<std::string, 5> RedisPeriods(absl::Time now) {
  const absl::CivilDay day = absl::ToCivilDay(now, absl::UTCTimeZone());
  return {absl::StrCat("D", absl::FormatCivilTime(day)),
          absl::StrCat(
              "W", absl::FormatCivilTime(day - (static_cast<int>(absl::GetWeekday(day)) + 7) % 7)),
          absl::StrCat("M", absl::FormatCivilTime(absl::CivilMonth(day))),
          absl::StrCat("Q", day.year(), "-", (day.month() - 1) / 3 + 1),
          absl::StrCat("Y", day.year())};
}

// What a hand-built Redis leaderboard does for one event: a ZINCRBY per board the event moves and
// one PUBLISH, queued on `c` (pipelined). `team_of` maps rep ids to their team's index. Returns the
// commands queued.
int QueueRedisWork(redisContext* c, const Org& org,
                   const absl::flat_hash_map<std::string, int>& team_of, const v1::Event& e,
                   const std::array<std::string, 5>& periods) {
  // (metric, delta) pairs the event adds to.
  std::vector<std::pair<const char*, double>> moves;
  switch (e.payload_case()) {
    case v1::Event::kActionLogged:
      moves.push_back({"actions", 1});
      if (e.action_logged().cost() != 0)
        moves.push_back({"action_cost", static_cast<double>(e.action_logged().cost())});
      break;
    case v1::Event::kOpportunityOpened:
      moves.push_back({"opportunities_opened", 1});
      break;
    case v1::Event::kOpportunityClosed:
      moves.push_back({e.opportunity_closed().outcome() == v1::OpportunityClosed::WON
                           ? "opportunities_won"
                           : "opportunities_lost",
                       1});
      break;
    case v1::Event::kContractSigned: {
      const v1::ContractSigned& cs = e.contract_signed();
      moves.push_back({"signings", 1});
      moves.push_back({"sales_amount", static_cast<double>(cs.amount())});
      if (cs.cost() != 0)
        moves.push_back({"gross_profit", static_cast<double>(cs.amount() - cs.cost())});
      int64_t units = 0;
      for (const auto& line : cs.lines()) units += line.quantity();
      moves.push_back({"products_sold", static_cast<double>(units)});
      break;
    }
    case v1::Event::kPaymentReceived:
      moves.push_back({"payments", static_cast<double>(e.payment_received().amount())});
      break;
    default:
      break;
  }
  const size_t team = static_cast<size_t>(team_of.at(e.rep_id()));
  const std::string* units[] = {
      &org.company, &org.regions[static_cast<size_t>(org.team_region[team])], &org.teams[team]};
  int queued = 0;
  for (const auto& [metric, delta] : moves) {
    std::string by = absl::StrCat(delta);
    for (const std::string* unit : units) {
      for (const std::string& period : periods) {
        std::string key = absl::StrCat("board:", *unit, ":", metric, ":", period);
        const char* argv[] = {"ZINCRBY", key.c_str(), by.c_str(), e.rep_id().c_str()};
        const size_t lens[] = {7, key.size(), by.size(), e.rep_id().size()};
        redisAppendCommandArgv(c, 4, argv, lens);
        ++queued;
      }
    }
  }
  // The payload carries when it was published (steady clock, ns) for the subscribers' latency.
  std::string channel = absl::StrCat("updates:", org.teams[team]);
  std::string payload =
      absl::StrCat(Clock::now().time_since_epoch().count(), " ", e.rep_id(), " ", e.payload_case());
  const char* argv[] = {"PUBLISH", channel.c_str(), payload.c_str()};
  const size_t lens[] = {7, channel.size(), payload.size()};
  redisAppendCommandArgv(c, 3, argv, lens);
  return queued + 1;
}

// `n` subscriber connections spread over the team channels, read by one thread with poll().
class RedisSubscribers {
 public:
  bool Start(int port, const Org& org, int n, std::string* error) {
    for (int i = 0; i < n; ++i) {
      redisContext* c = redisConnect("127.0.0.1", port);
      if (c == nullptr || c->err != 0) {
        *error =
            absl::StrCat("redis subscriber connect: ", c != nullptr ? c->errstr : "out of memory");
        if (c != nullptr) redisFree(c);
        return false;
      }
      contexts_.push_back(c);
      std::string channel =
          absl::StrCat("updates:", org.teams[static_cast<size_t>(i) % org.teams.size()]);
      auto* reply = static_cast<redisReply*>(redisCommand(c, "SUBSCRIBE %s", channel.c_str()));
      if (reply == nullptr) {
        *error = "redis SUBSCRIBE failed";
        return false;
      }
      freeReplyObject(reply);
    }
    thread_ = std::thread([this] { Pump(); });
    return true;
  }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (redisContext* c : contexts_) redisFree(c);
    contexts_.clear();
  }

  ~RedisSubscribers() { Stop(); }

  std::vector<double> TakeLatencies() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::exchange(ms_, {});
  }
  uint64_t messages() const { return messages_.load(); }

 private:
  void Pump() {
    std::vector<pollfd> fds;
    for (redisContext* c : contexts_) fds.push_back({c->fd, POLLIN, 0});
    std::vector<double> batch;
    while (!stop_.load(std::memory_order_relaxed)) {
      if (poll(fds.data(), fds.size(), 50) <= 0) continue;
      for (size_t i = 0; i < fds.size(); ++i) {
        if ((fds[i].revents & POLLIN) == 0) continue;
        redisContext* c = contexts_[i];
        if (redisBufferRead(c) != REDIS_OK) continue;
        void* r = nullptr;
        while (redisGetReplyFromReader(c, &r) == REDIS_OK && r != nullptr) {
          auto* reply = static_cast<redisReply*>(r);
          if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3) {
            const Clock::time_point now = Clock::now();
            int64_t sent = std::strtoll(reply->element[2]->str, nullptr, 10);
            batch.push_back(static_cast<double>(now.time_since_epoch().count() - sent) / 1e6);
            messages_.fetch_add(1, std::memory_order_relaxed);
          }
          freeReplyObject(reply);
          r = nullptr;
        }
      }
      if (batch.size() > 1000) {
        std::lock_guard<std::mutex> lock(mu_);
        ms_.insert(ms_.end(), batch.begin(), batch.end());
        batch.clear();
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    ms_.insert(ms_.end(), batch.begin(), batch.end());
  }

  std::vector<redisContext*> contexts_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> messages_{0};
  std::mutex mu_;
  std::vector<double> ms_;
};

// Redis at full speed: `clients` threads, each pipelining the work of `batch` events and waiting
// for every reply, in a closed loop. One "call" is one batch.
PhaseResult RedisFlat(int port, pid_t redis, const Org& org, int clients, int batch, double seconds,
                      uint64_t seed, uint64_t* commands) {
  absl::flat_hash_map<std::string, int> team_of;
  for (size_t i = 0; i < org.reps.size(); ++i) team_of[org.reps[i]] = org.rep_team[i];
  std::atomic<uint64_t> total{0};
  PhaseResult r = RunPhase(
      clients, seconds, redis,
      [&](int t, std::latch& ready, std::latch& go, const Clock::time_point& deadline,
          PhaseResult* out) {
        redisContext* c = redisConnect("127.0.0.1", port);
        FreshSource source("", org, batch, seed, t, "F");  // the events salestrackd got
        ready.count_down();
        go.wait();
        if (c == nullptr || c->err != 0) {
          out->Error("redis connect failed");
          if (c != nullptr) redisFree(c);
          return;
        }
        uint64_t mine = 0;
        while (Clock::now() < deadline) {
          source.Next();
          Clock::time_point t0 = Clock::now();
          const std::array<std::string, 5> periods = RedisPeriods(absl::Now());
          int queued = 0;
          for (const v1::Event& e : source.request.events()) {
            queued += QueueRedisWork(c, org, team_of, e, periods);
          }
          bool ok = true;
          for (int q = 0; q < queued; ++q) {
            void* reply = nullptr;
            if (redisGetReply(c, &reply) != REDIS_OK || reply == nullptr) {
              ok = false;
              break;
            }
            if (static_cast<redisReply*>(reply)->type == REDIS_REPLY_ERROR) ok = false;
            freeReplyObject(reply);
          }
          ++out->calls;
          if (!ok) {
            out->Error(absl::StrCat("redis: ", c->err != 0 ? c->errstr : "an error reply"));
            break;
          }
          out->events += static_cast<uint64_t>(batch);
          out->latencies_ms.push_back(Seconds(Clock::now() - t0) * 1e3);
          mine += static_cast<uint64_t>(queued);
        }
        total += mine;
        redisFree(c);
      });
  *commands = total.load();
  return r;
}

// ---------------------------------------------------------------------------------------------------
// Report

std::string Ms(double ms) {
  return ms < 10 ? absl::StrFormat("%.2f ms", ms) : absl::StrFormat("%.1f ms", ms);
}

std::string LatencyCell(const Percentiles& p) {
  return absl::StrCat("p50 ", Ms(p.p50), " / p99 ", Ms(p.p99), " / max ", Ms(p.max));
}

struct SubscriberRun {
  int subscribers = 0;
  bool stalled = false;
  double open_seconds = 0;
  double rss_before = 0, rss_after = 0;            // before subscribing, after the snapshots
  double rss_flat_before = 0, rss_flat_after = 0;  // around the full-speed ingest
  HubFigures hub;  // right after the full-speed ingest, before the subscribers leave
  PacedResult paced;
  Percentiles delivery;
  size_t updates = 0, rounds = 0, unattributed = 0;
  uint64_t entries = 0;
  PhaseResult flat;
};

int Run(int argc, char** argv) {
  SetProgramName("board_bench");
  Options o;
  if (!ParseArgs(argc, argv, &o)) return 2;
  ScratchDir scratch;
  if (!scratch.Create(o.dir, "board_bench", o.keep)) return 1;
  bool failed = false;
  auto fail = [&](const std::string& what) {
    std::fprintf(stderr, "board_bench: %s\n", what.c_str());
    failed = true;
  };

  // ---- 1. Set-up
  const Org org = MakeOrg(o.reps);
  std::vector<v1::Event> history;
  const int64_t now = absl::ToUnixMicros(absl::Now());
  AppendOrgEvents(org, now - 30 * kDay, &history);
  const size_t org_events = history.size();
  {
    ActivityGenerator gen(org, o.seed, "H-");
    Rng rng(o.seed ^ 0xb0a7d);
    for (int i = 0; i < o.history; ++i) {
      v1::Event& e = history.emplace_back();
      gen.Fill(now - 20 * kDay + static_cast<int64_t>((i + 0.5) / o.history * 20 * kDay) -
                   rng.Between(2 * kHour, 3 * kHour),
               &e);
    }
  }
  Daemon daemon(60);
  std::string error;
  if (!daemon.Start(o.salestrackd, scratch.path() + "/data", scratch.path() + "/salestrackd.log",
                    60, &error)) {
    fail(error);
    return 1;
  }
  const std::string target = daemon.target();
  Clock::time_point t0 = Clock::now();
  // The org in order (a rep names its team), then the activity from 4 clients.
  if (!Load(target, {history.begin(), history.begin() + static_cast<ptrdiff_t>(org_events)}, 1,
            &error) ||
      !Load(target, {history.begin() + static_cast<ptrdiff_t>(org_events), history.end()}, 4,
            &error)) {
    fail(absl::StrCat("loading the history: ", error));
    return 1;
  }
  const double load_seconds = Seconds(Clock::now() - t0);
  WaitUntilIdle(daemon.pid(), 30);

  std::printf("# board_bench\n\n");
  std::printf("- machine: %s; %s\n", MachineSummary().c_str(),
              FilesystemOf(scratch.path()).c_str());
  std::printf(
      "- org: 1 company, %zu regions, %zu teams, %s reps (%s org events); history: %s events "
      "of field activity over the last 20 days, loaded in %.1f s\n",
      org.regions.size(), org.teams.size(), Thousands(o.reps).c_str(),
      Thousands(static_cast<double>(org_events)).c_str(), Thousands(o.history).c_str(),
      load_seconds);
  std::printf(
      "- paced ingest: %d clients, Append(%d events), %s events/s in total, fresh events "
      "(occurred in the last minute); %.0f s per phase\n",
      o.appenders, o.batch, Thousands(o.rate).c_str(), o.seconds);
  std::printf(
      "- subscribers: 10 %% screens (top 10 of a company, region or team board; actions, "
      "sales_amount, signings or win_rate; today, this week or this month), 90 %% reps "
      "following their own rank on their team's board; over %d connections\n\n",
      o.channels);
  std::fflush(stdout);

  // ---- 2. GetLeaderboard
  PhaseResult get_idle = RunQueries(target, daemon.pid(), org, 0.5);  // builds the live board
  get_idle = RunQueries(target, daemon.pid(), org, o.query_seconds);
  if (get_idle.errors > 0) fail(get_idle.first_error);
  PhaseResult get_busy;
  PacedResult get_busy_ingest;
  {
    std::thread ingest([&] {
      get_busy_ingest = IngestPaced(target, daemon.pid(), org, o.appenders, o.batch, o.rate,
                                    o.query_seconds + 1, o.seed + 1);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    get_busy = RunQueries(target, daemon.pid(), org, o.query_seconds);
    ingest.join();
  }
  if (get_busy.errors > 0) fail(get_busy.first_error);
  if (get_busy_ingest.phase.errors > 0) fail(get_busy_ingest.phase.first_error);
  PhaseResult get_full;
  PhaseResult get_full_ingest;
  {
    std::thread ingest([&] {
      get_full_ingest = IngestFlat(target, daemon.pid(), org, o.max_clients, o.max_batch,
                                   o.query_seconds + 1, o.seed + 11);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    get_full = RunQueries(target, daemon.pid(), org, o.query_seconds);
    ingest.join();
  }
  if (get_full.errors > 0) fail(get_full.first_error);
  if (get_full_ingest.errors > 0) fail(get_full_ingest.first_error);
  const Percentiles get_idle_ms = ComputePercentiles(get_idle.latencies_ms);
  const Percentiles get_busy_ms = ComputePercentiles(get_busy.latencies_ms);
  const Percentiles get_full_ms = ComputePercentiles(get_full.latencies_ms);
  std::printf("## GetLeaderboard, top %d of the company board (%s reps, actions, this month)\n\n",
              kBoardTop, Thousands(o.reps).c_str());
  std::printf("- idle: %s calls/s, %s; response %s bytes; %s\n",
              Thousands(get_idle.calls_per_second()).c_str(), LatencyCell(get_idle_ms).c_str(),
              Thousands(static_cast<double>(get_idle.response_bytes)).c_str(),
              get_idle.cpu.Describe().c_str());
  std::printf("- while ingesting %s events/s: %s calls/s, %s; %s\n",
              Thousands(get_busy_ingest.phase.events_per_second()).c_str(),
              Thousands(get_busy.calls_per_second()).c_str(), LatencyCell(get_busy_ms).c_str(),
              get_busy.cpu.Describe().c_str());
  std::printf(
      "- while ingesting at full speed (%d clients x Append(%d)), %s events/s: %s calls/s, "
      "%s; %s\n\n",
      o.max_clients, o.max_batch, Thousands(get_full_ingest.events_per_second()).c_str(),
      Thousands(get_full.calls_per_second()).c_str(), LatencyCell(get_full_ms).c_str(),
      get_full.cpu.Describe().c_str());
  std::fflush(stdout);

  // ---- 3. Subscribers
  WaitUntilIdle(daemon.pid(), 30);
  PhaseResult flat_none =
      IngestFlat(target, daemon.pid(), org, o.max_clients, o.max_batch, o.seconds, o.seed + 2);
  if (flat_none.errors > 0) fail(flat_none.first_error);
  std::printf("## Ingest at full speed (%d clients x Append(%d events)), no subscriber\n\n",
              o.max_clients, o.max_batch);
  std::printf("- %s events/s, Append %s; %s\n\n", Thousands(flat_none.events_per_second()).c_str(),
              LatencyCell(ComputePercentiles(flat_none.latencies_ms)).c_str(),
              flat_none.cpu.Describe().c_str());
  std::fflush(stdout);

  // `n` subscribers: memory, then (live readers) the paced latency phase, then full speed.
  auto run_subscribers = [&](int n, bool stalled) {
    SubscriberRun run;
    run.subscribers = n;
    run.stalled = stalled;
    WaitUntilIdle(daemon.pid(), 30);
    run.rss_before = StatusBytes(daemon.pid(), "VmRSS:");
    // The same seed for live and stalled readers: the same boards and filters.
    SubscriberSet set(target, org, n, o.channels, stalled, o.seed + static_cast<uint64_t>(n));
    std::optional<double> opened = set.Open(120);
    if (!opened) {
      fail(absl::StrCat(n, stalled ? " stalled" : "", " subscribers: ", set.error()));
      set.Close();
      return run;
    }
    run.open_seconds = *opened;
    WaitUntilIdle(daemon.pid(), 30);
    run.rss_after = StatusBytes(daemon.pid(), "VmRSS:");
    std::printf("## %s %ssubscribers\n\n", Thousands(n).c_str(),
                stalled ? "stalled (never read after their snapshot) " : "");
    std::printf(
        "- subscribed in %.2f s; daemon RSS %s -> %s: %s B per subscriber (boards "
        "included)\n",
        run.open_seconds, Mib(run.rss_before).c_str(), Mib(run.rss_after).c_str(),
        Thousands((run.rss_after - run.rss_before) / n).c_str());
    if (!stalled) {
      set.TakeReceived();
      run.paced = IngestPaced(target, daemon.pid(), org, o.appenders, o.batch, o.rate, o.seconds,
                              o.seed + 10 + static_cast<uint64_t>(n));
      std::this_thread::sleep_for(std::chrono::seconds(1));  // the last updates
      std::vector<Subscriber::Received> received = set.TakeReceived();
      run.entries = set.entries();
      run.updates = received.size();
      Delivery d = AttributeUpdates(std::move(received), run.paced.calls);
      run.delivery = ComputePercentiles(d.ms);
      run.rounds = d.rounds;
      run.unattributed = d.unattributed;
      if (run.paced.phase.errors > 0) fail(run.paced.phase.first_error);
      std::printf(
          "- paced ingest: %s events/s (senders at most %.1f ms behind schedule), Append "
          "%s; %s\n",
          Thousands(run.paced.phase.events_per_second()).c_str(), run.paced.behind_ms_max,
          LatencyCell(ComputePercentiles(run.paced.phase.latencies_ms)).c_str(),
          run.paced.phase.cpu.Describe().c_str());
      std::printf(
          "- updates received: %s (%s/s, %s entries) over %s hub rounds; append to "
          "subscriber %s%s\n",
          Thousands(static_cast<double>(run.updates)).c_str(),
          Thousands(static_cast<double>(run.updates) / o.seconds).c_str(),
          Thousands(static_cast<double>(run.entries)).c_str(),
          Thousands(static_cast<double>(run.rounds)).c_str(), LatencyCell(run.delivery).c_str(),
          run.unattributed > 0
              ? absl::StrCat(" (", run.unattributed, " updates unattributed)").c_str()
              : "");
    }
    run.rss_flat_before = StatusBytes(daemon.pid(), "VmRSS:");
    run.flat = IngestFlat(target, daemon.pid(), org, o.max_clients, o.max_batch, o.seconds,
                          o.seed + (stalled ? 50'020 : 20) + static_cast<uint64_t>(n));
    if (run.flat.errors > 0) fail(run.flat.first_error);
    WaitUntilIdle(daemon.pid(), 30);
    run.rss_flat_after = StatusBytes(daemon.pid(), "VmRSS:");
    run.hub = ReadHubFigures(target);
    set.TakeReceived();
    if (std::string e = set.error(); !e.empty()) fail(absl::StrCat(n, " subscribers: ", e));
    set.Close();
    std::printf(
        "- full-speed ingest with them %s: %s events/s, Append %s; daemon RSS %s -> %s; "
        "%s\n",
        stalled ? "stalled" : "reading", Thousands(run.flat.events_per_second()).c_str(),
        LatencyCell(ComputePercentiles(run.flat.latencies_ms)).c_str(),
        Mib(run.rss_flat_before).c_str(), Mib(run.rss_flat_after).c_str(),
        run.flat.cpu.Describe().c_str());
    std::printf(
        "- hub after it: %s updates folded so far (daemon total), fullest outbox %s "
        "entries\n\n",
        Thousands(run.hub.folded).c_str(), Thousands(run.hub.largest_outbox).c_str());
    std::fflush(stdout);
    return run;
  };
  std::vector<SubscriberRun> runs;
  for (int n : o.subscribers) {
    runs.push_back(run_subscribers(n, false));
    if (n == o.stalled) runs.push_back(run_subscribers(n, true));  // the same boards, not read
  }
  if (std::none_of(runs.begin(), runs.end(), [](const SubscriberRun& r) { return r.stalled; })) {
    runs.push_back(run_subscribers(o.stalled, true));
  }
  std::string daemon_end = daemon.Stop();

  // ---- 4. Redis
  PhaseResult redis_flat;
  uint64_t redis_commands = 0;
  Percentiles redis_publish_ms;
  uint64_t redis_messages = 0;
  std::string redis_binary = FindRedis(o.redis);
  if (redis_binary.empty()) {
    fail("no redis-server binary (tools/setup.sh installs redis-tools)");
  } else {
    RedisServer redis;
    std::string redis_dir = scratch.path() + "/redis";
    std::filesystem::create_directories(redis_dir);
    int port = FreePort();
    if (port == 0 || !redis.Start(redis_binary, redis_dir, port, &error)) {
      fail(port == 0 ? "no free port for Redis" : error);
    } else {
      RedisSubscribers subs;
      if (!subs.Start(port, org, o.redis_subscribers, &error)) {
        fail(error);
      } else {
        redis_flat =
            RedisFlat(port, redis.pid(), org, o.max_clients, o.max_batch, o.seconds,
                      o.seed + 20 + static_cast<uint64_t>(o.redis_subscribers), &redis_commands);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        subs.Stop();
        redis_publish_ms = ComputePercentiles(subs.TakeLatencies());
        redis_messages = subs.messages();
        if (redis_flat.errors > 0) fail(redis_flat.first_error);
      }
      redis.Stop();
    }
    std::printf("## Redis (%s, appendonly yes, appendfsync always)\n\n", redis_binary.c_str());
    std::printf(
        "- full-speed: %d clients x pipeline of %d events' ZINCRBYs + PUBLISH: %s events/s "
        "(%s commands/s), batch %s; %s\n",
        o.max_clients, o.max_batch, Thousands(redis_flat.events_per_second()).c_str(),
        Thousands(static_cast<double>(redis_commands) / std::max(1e-9, redis_flat.seconds)).c_str(),
        LatencyCell(ComputePercentiles(redis_flat.latencies_ms)).c_str(),
        absl::StrReplaceAll(redis_flat.cpu.Describe(), {{"salestrackd", "redis-server"}}).c_str());
    std::printf("- %s subscriber connections received %s messages; PUBLISH to subscriber %s\n\n",
                Thousands(o.redis_subscribers).c_str(),
                Thousands(static_cast<double>(redis_messages)).c_str(),
                LatencyCell(redis_publish_ms).c_str());
  }

  // ---- Summary
  std::printf("## Summary\n\n");
  MarkdownTable table({"figure", "target", "measured", "verdict"});
  table.PrintHeader();
  auto ratio = [](double a, double b) { return absl::StrFormat("%.2f", a / std::max(1.0, b)); };
  for (const SubscriberRun& run : runs) {
    if (run.stalled) continue;
    const bool has_target = run.subscribers == 1000 || run.subscribers == 10000;
    const double target_ms = run.subscribers == 1000 ? kTargetP99Ms1k : kTargetP99Ms10k;
    table.PrintRow(
        {absl::StrCat("append → subscriber, ", Thousands(run.subscribers), " subscribers, ",
                      Thousands(o.rate), " events/s"),
         has_target ? absl::StrCat("p99 ≤ ", target_ms, " ms") : "",
         absl::StrCat("p50 ", Ms(run.delivery.p50), " / p99 ", Ms(run.delivery.p99)),
         has_target ? Verdict(run.delivery.p99 <= target_ms && run.delivery.n > 0) : ""});
  }
  table.PrintRow(
      {absl::StrCat("GetLeaderboard top ", kBoardTop, " of ", Thousands(o.reps), " reps, idle"),
       "p99 ≤ 1 ms", absl::StrCat("p50 ", Ms(get_idle_ms.p50), " / p99 ", Ms(get_idle_ms.p99)),
       Verdict(get_idle_ms.p99 <= kTargetGetP99Ms)});
  table.PrintRow({absl::StrCat("GetLeaderboard top ", kBoardTop, ", while ingesting ",
                               Thousands(o.rate), " events/s"),
                  "p99 ≤ 1 ms",
                  absl::StrCat("p50 ", Ms(get_busy_ms.p50), " / p99 ", Ms(get_busy_ms.p99)),
                  Verdict(get_busy_ms.p99 <= kTargetGetP99Ms)});
  table.PrintRow(
      {absl::StrCat("GetLeaderboard top ", kBoardTop, ", while ingesting at full speed (",
                    Thousands(get_full_ingest.events_per_second()), " events/s)"),
       "p99 ≤ 1 ms", absl::StrCat("p50 ", Ms(get_full_ms.p50), " / p99 ", Ms(get_full_ms.p99)),
       Verdict(get_full_ms.p99 <= kTargetGetP99Ms)});
  for (const SubscriberRun& run : runs) {
    if (run.stalled) continue;
    table.PrintRow(
        {absl::StrCat("memory per subscriber (", Thousands(run.subscribers), ", boards included)"),
         "", absl::StrCat(Thousands((run.rss_after - run.rss_before) / run.subscribers), " B"),
         ""});
  }
  table.PrintRow({"full-speed ingest, no subscriber", "",
                  absl::StrCat(Thousands(flat_none.events_per_second()), " events/s"), ""});
  for (const SubscriberRun& run : runs) {
    std::string cell =
        absl::StrCat(Thousands(run.flat.events_per_second()), " events/s (",
                     ratio(run.flat.events_per_second(), flat_none.events_per_second()), "× none)");
    std::string verdict;
    if (run.stalled) {
      auto live = std::find_if(runs.begin(), runs.end(), [&](const SubscriberRun& r) {
        return !r.stalled && r.subscribers == run.subscribers;
      });
      if (live != runs.end()) {
        const double vs_live =
            run.flat.events_per_second() / std::max(1.0, live->flat.events_per_second());
        absl::StrAppend(&cell, ", ", absl::StrFormat("%.2f", vs_live),
                        "× the same boards read live; RSS ", Mib(run.rss_flat_before), " → ",
                        Mib(run.rss_flat_after), " (live: ", Mib(live->rss_flat_before), " → ",
                        Mib(live->rss_flat_after), "); fullest outbox ",
                        Thousands(run.hub.largest_outbox), " entries");
        verdict = Verdict(vs_live >= 0.9);
      }
    }
    table.PrintRow({absl::StrCat("full-speed ingest, ", Thousands(run.subscribers),
                                 run.stalled ? " stalled" : " live", " subscribers"),
                    run.stalled ? "≥ 0.9× live" : "", cell, verdict});
  }
  table.PrintRow(
      {absl::StrCat("Redis ZINCRBY + PUBLISH, ", Thousands(o.redis_subscribers), " subscribers"),
       "",
       absl::StrCat(Thousands(redis_flat.events_per_second()),
                    " events/s; PUBLISH → subscriber p99 ", Ms(redis_publish_ms.p99)),
       ""});
  std::printf("\nsalestrackd: %s\n", daemon_end.c_str());
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace salestrack::bench

int main(int argc, char** argv) { return salestrack::bench::Run(argc, argv); }
