// Durability under kill -9: concurrent clients append while salestrackd is SIGKILLed at a random
// moment, five times over. Every acknowledged event must be in the log exactly once, with the seq
// it was acknowledged with, and the log must stay dense (1..N). The daemon checkpoints its views
// every few hundred records, so kills land before, during and after checkpoints: after each
// restart the views (the checkpoint plus the log after it) must equal a replay of the whole log.
#include <atomic>
#include <random>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "salestrack/mutex.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::Action;
using ::salestrack::testing::Contract;
using ::salestrack::testing::Daemon;
using ::salestrack::testing::ReadAll;
using ::salestrack::testing::ReadFile;
using ::salestrack::testing::TempDir;

// Checkpoints often enough that a cycle's kill may land in the middle of one.
const std::vector<std::string> kCheckpointOften = {"--views_checkpoint_events=300"};

// The daemon's views equal a replay of its log (AdminService.Verify).
void ExpectViewsEqualReplay(const Daemon& daemon, const std::string& when) {
  auto admin = v1::AdminService::NewStub(daemon.NewChannel());
  grpc::ClientContext context;
  v1::VerifyResponse verify;
  ASSERT_TRUE(admin->Verify(&context, v1::VerifyRequest(), &verify).ok()) << when;
  EXPECT_TRUE(verify.ok()) << when << ": " << verify.DebugString();
}

TEST(CrashTest, EveryAcknowledgedEventSurvivesSigkillExactlyOnce) {
  constexpr int kCycles = 5;
  constexpr int kClients = 4;
  TempDir dir;
  std::mt19937 rng(20261123);
  salestrack::Mutex mu;
  absl::flat_hash_map<std::string, uint64_t> acked;  // event_id -> acknowledged seq
  std::vector<std::vector<v1::Event>> unacked;       // batches in flight at a kill
  absl::Time t = absl::Now() - absl::Hours(1);

  int loaded = 0;  // Starts that loaded a checkpoint.
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    Daemon daemon(dir.Sub("data"), kCheckpointOften);
    ExpectViewsEqualReplay(daemon, absl::StrCat("cycle ", cycle));
    loaded += absl::StrContains(ReadFile(daemon.stderr_path()), "event=views_checkpoint_loaded");
    std::atomic<bool> stop{false};
    std::atomic<int> acks_this_cycle{0};
    // Batches left unacknowledged by the previous kill are retried first: each either was durable
    // (and comes back as a duplicate with its seq) or was not (and is written now).
    std::vector<std::vector<v1::Event>> retry;
    {
      salestrack::MutexLock lock(&mu);
      retry.swap(unacked);
    }
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      std::vector<std::vector<v1::Event>> mine;
      for (size_t i = c; i < retry.size(); i += kClients) mine.push_back(retry[i]);
      clients.emplace_back([&, c, mine = std::move(mine)]() mutable {
        auto stub = daemon.NewStub();
        std::mt19937 local(cycle * 100 + c);
        for (int n = 0; !stop.load(); ++n) {
          std::vector<v1::Event> batch;
          if (!mine.empty()) {
            batch = std::move(mine.back());
            mine.pop_back();
          } else {
            int size = 1 + local() % 40;
            for (int i = 0; i < size; ++i) {
              const std::string id = absl::StrCat("k", cycle, "-c", c, "-", n, "-", i);
              // Contracts too, so the checkpoint holds more than action chains.
              batch.push_back(i % 7 == 3 ? Contract(id, absl::StrCat("rep-", c), id, 1000 + n, t)
                                         : Action(id, absl::StrCat("rep-", c), "cust", t));
            }
          }
          grpc::ClientContext context;
          context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
          v1::AppendRequest request;
          for (const auto& e : batch) *request.add_events() = e;
          v1::AppendResponse response;
          grpc::Status s = stub->Append(&context, request, &response);
          salestrack::MutexLock lock(&mu);
          if (s.ok()) {
            for (int i = 0; i < response.seqs_size(); ++i) {
              auto [it, inserted] = acked.emplace(batch[i].event_id(), response.seqs(i));
              // A retried event must come back with the seq it had (if it was acked before).
              EXPECT_EQ(it->second, response.seqs(i)) << batch[i].event_id();
            }
            ++acks_this_cycle;
          } else {
            unacked.push_back(std::move(batch));
            if (s.error_code() == grpc::StatusCode::UNAVAILABLE) return;  // The daemon is gone.
          }
        }
      });
    }
    // Let some appends land, then kill at a random moment mid-load.
    while (acks_this_cycle.load() < 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 250));
    daemon.Kill();
    stop = true;
    for (auto& th : clients) th.join();
  }

  Daemon daemon(dir.Sub("data"), kCheckpointOften);
  ExpectViewsEqualReplay(daemon, "after the last kill");
  loaded += absl::StrContains(ReadFile(daemon.stderr_path()), "event=views_checkpoint_loaded");
  // The first start had none; the later ones each had at least the previous cycles' records.
  EXPECT_GE(loaded, kCycles - 1);
  auto stub = daemon.NewStub();
  std::vector<v1::EventRecord> records = ReadAll(*stub);
  absl::flat_hash_map<std::string, uint64_t> stored;
  for (size_t i = 0; i < records.size(); ++i) {
    ASSERT_EQ(records[i].seq(), i + 1) << "the log is not dense";
    auto [it, inserted] = stored.emplace(records[i].event().event_id(), records[i].seq());
    ASSERT_TRUE(inserted) << "stored twice: " << records[i].event().event_id();
  }
  ASSERT_GT(acked.size(), 100u);
  for (const auto& [id, seq] : acked) {
    auto it = stored.find(id);
    ASSERT_NE(it, stored.end()) << "acknowledged but lost: " << id;
    EXPECT_EQ(it->second, seq) << id;
  }
  std::printf("crash test: %zu acknowledged events, %zu stored, all present exactly once\n",
              acked.size(), records.size());
}

TEST(CrashTest, SigtermUnderLoadCommitsInFlightAppendsAndExitsZero) {
  TempDir dir;
  absl::Time t = absl::Now() - absl::Hours(1);
  salestrack::Mutex mu;
  absl::flat_hash_map<std::string, uint64_t> acked;
  std::atomic<int> acks{0};
  int exit_code = -1;
  {
    Daemon daemon(dir.Sub("data"));
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c) {
      clients.emplace_back([&, c] {
        auto stub = daemon.NewStub();
        for (int n = 0;; ++n) {
          grpc::ClientContext context;
          v1::AppendRequest request;
          for (int i = 0; i < 20; ++i) {
            *request.add_events() =
                Action(absl::StrCat("g-c", c, "-", n, "-", i), absl::StrCat("rep-", c), "cust", t);
          }
          v1::AppendResponse response;
          if (!stub->Append(&context, request, &response).ok()) return;
          salestrack::MutexLock lock(&mu);
          for (int i = 0; i < response.seqs_size(); ++i) {
            acked.emplace(request.events(i).event_id(), response.seqs(i));
          }
          ++acks;
        }
      });
    }
    while (acks.load() < 40) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    exit_code = daemon.Stop();
    for (auto& th : clients) th.join();
  }
  EXPECT_EQ(exit_code, 0);
  Daemon daemon(dir.Sub("data"));
  auto stub = daemon.NewStub();
  std::vector<v1::EventRecord> records = ReadAll(*stub);
  // The clean stop wrote the views' checkpoint at the head: the start replayed nothing.
  const std::string at_head = absl::StrCat("seq=", records.size(), " head=", records.size());
  EXPECT_TRUE(
      absl::StrContains(ReadFile(daemon.stderr_path()), "event=views_checkpoint_loaded " + at_head))
      << ReadFile(daemon.stderr_path());
  ExpectViewsEqualReplay(daemon, "after SIGTERM");
  ASSERT_EQ(daemon.Stop(), 0);
  // Asked to, a start leaves the checkpoint unused and replays the whole log.
  Daemon replayed(dir.Sub("data"), {"--replay_views"});
  const std::string log = ReadFile(replayed.stderr_path());
  EXPECT_TRUE(absl::StrContains(log, "event=views_checkpoint_unused reason=\"asked to replay"))
      << log;
  EXPECT_TRUE(absl::StrContains(log, absl::StrCat("event=views_replayed events=", records.size())))
      << log;
  ExpectViewsEqualReplay(replayed, "after --replay_views");
  absl::flat_hash_map<std::string, uint64_t> stored;
  for (const auto& r : records) stored.emplace(r.event().event_id(), r.seq());
  EXPECT_EQ(stored.size(), records.size());
  for (const auto& [id, seq] : acked) {
    auto it = stored.find(id);
    ASSERT_NE(it, stored.end()) << "acknowledged but lost: " << id;
    EXPECT_EQ(it->second, seq);
  }
}

}  // namespace
}  // namespace salestrack
