// Memory a client can make the daemon hold (issue 18, item 4), through a real daemon: AppendStreams
// that send ~4 MB requests and never read their answers, with a key whose requests all pass and
// with one whose requests are all refused. The daemon's RSS (VmRSS of /proc/PID/status) must stay
// under kRssBound above what it was before, the clients must be slowed (their writes stop
// completing), and another key's appends must still be answered promptly; once the streams have
// taken nothing for limits.stalled_stream_seconds they are ended, and their key appends again.
#include <fstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "keyed_daemon.h"
#include "raw_client.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::Daemon;
using ::salestrack::testing::RawStream;
using ::salestrack::testing::TempDir;
using ::testing::HasSubstr;

constexpr int kStreams = 4;
// How much the daemon may grow while kStreams streams of one key flood it, with the default limits.
// What it holds for them: requests awaiting commit, up to max_key_append_bytes (32 MiB of wire
// bytes, about twice that parsed) plus one request per stream; their untaken answers (small);
// gRPC's windows (1 MiB per stream) and the request each stream is receiving; RocksDB's block cache
// and memtables (64 MiB). Measured: ~135 MiB for accepted requests, ~35 MiB for refused ones; the
// daemon built without these bounds grew by 1.3-1.5 GiB.
constexpr int64_t kRssBoundMiB = 200;

int64_t RssMiB(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, "VmRSS:")) {
      std::vector<std::string> parts = absl::StrSplit(line, ' ', absl::SkipEmpty());
      int64_t kib = 0;
      if (parts.size() >= 2 && absl::SimpleAtoi(parts[1], &kib)) return kib / 1024;
    }
  }
  return -1;
}

// A batch of `n` ActionLogged events with `description_bytes` of description each (4096 is the most
// validation accepts), all ids from `prefix`.
v1::AppendRequest BigBatch(const std::string& prefix, int n, size_t description_bytes) {
  v1::AppendRequest request;
  absl::Time when = testing::ThreeHoursAgo();
  for (int i = 0; i < n; ++i) {
    v1::Event e = testing::Action(absl::StrCat(prefix, i), "rep-1", "cust-1", when);
    e.mutable_action_logged()->set_description(std::string(description_bytes, 'd'));
    *request.add_events() = std::move(e);
  }
  return request;
}

// A daemon of its own per test, so each measures from a fresh process.
class AppendMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<testing::TestKey> keys;
    for (const std::string name : {"root", "flood", "refused", "other"}) {
      keys.push_back({name, name == "root" ? "admin" : "connector",
                      "rate_limit { events_per_second: 1000000 burst: 1000000 }"});
    }
    keyed_ = new testing::KeyedDaemon("limits { stalled_stream_seconds: 4 }\n", keys);
  }
  void TearDown() override { delete keyed_; }

  static std::shared_ptr<grpc::Channel> Channel(const std::string& key) {
    return keyed_->Channel(key);
  }

  // One small append by `key`; its status and how long it took.
  static grpc::Status SmallAppend(const std::string& key, const std::string& id,
                                  absl::Duration* took) {
    v1::AppendRequest request;
    *request.add_events() = testing::Action(id, "rep-2", "cust-2", testing::ThreeHoursAgo());
    v1::AppendResponse response;
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    absl::Time start = absl::Now();
    grpc::Status s = v1::LogService::NewStub(Channel(key))->Append(&context, request, &response);
    *took = absl::Now() - start;
    return s;
  }

  // kStreams AppendStreams of `key`, each on its own connection, writing `request` until a write
  // does not complete within 3 s (the daemon stopped reading: flow control holds the client) or
  // `max_writes` are sent; none reads an answer. Meanwhile the daemon's peak RSS is sampled and
  // `other` appends. Returns the streams, still open, for the caller to end.
  struct Flood {
    std::vector<std::unique_ptr<RawStream>> streams;
    std::vector<int> written;
    int64_t peak_rss_mib = 0;
    std::vector<absl::Duration> other_took;
    std::vector<grpc::Status> other_status;
  };
  static Flood FloodWith(const std::string& key, const v1::AppendRequest& request, int max_writes) {
    Flood flood;
    const std::string bytes = request.SerializeAsString();
    flood.written.assign(kStreams, 0);
    for (int i = 0; i < kStreams; ++i) {
      grpc::ChannelArguments args;
      args.SetInt("grpc.channel_id", i);  // A connection of its own.
      // A client that reads nothing: gRPC below it takes no more than a small window of answers.
      args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
      args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 1024);
      args.SetMaxSendMessageSize(8 << 20);
      flood.streams.push_back(std::make_unique<RawStream>(
          grpc::CreateCustomChannel(keyed_->daemon().address(), grpc::InsecureChannelCredentials(),
                                    args),
          "/salestrack.v1.LogService/AppendStream", keyed_->token(key), absl::Seconds(3)));
    }
    std::atomic<bool> done{false};
    std::thread sampler([&] {
      while (!done) {
        flood.peak_rss_mib = std::max(flood.peak_rss_mib, RssMiB(keyed_->daemon().pid()));
        absl::SleepFor(absl::Milliseconds(50));
      }
    });
    std::vector<std::thread> writers;
    for (int i = 0; i < kStreams; ++i) {
      writers.emplace_back([&, i] {
        while (flood.written[i] < max_writes && flood.streams[i]->Write(bytes)) ++flood.written[i];
      });
    }
    // Another key, while the streams flood (and once they are held back).
    for (int i = 0; i < 6; ++i) {
      absl::SleepFor(absl::Seconds(1));
      absl::Duration took;
      flood.other_status.push_back(SmallAppend("other", absl::StrCat(key, "-other-", i), &took));
      flood.other_took.push_back(took);
    }
    for (std::thread& t : writers) t.join();
    done = true;
    sampler.join();
    return flood;
  }

  static void ExpectBoundedAndOthersServed(const Flood& flood, int64_t rss_before, int max_writes) {
    std::printf("daemon RSS before %lld MiB, peak %lld MiB; writes per stream:",
                static_cast<long long>(rss_before), static_cast<long long>(flood.peak_rss_mib));
    for (int w : flood.written) std::printf(" %d", w);
    std::printf("\n");
    EXPECT_LT(flood.peak_rss_mib - rss_before, kRssBoundMiB)
        << "RSS before " << rss_before << " MiB, peak " << flood.peak_rss_mib << " MiB";
    for (int i = 0; i < kStreams; ++i) {
      EXPECT_LT(flood.written[i], max_writes) << "stream " << i << " was never held back";
    }
    for (size_t i = 0; i < flood.other_status.size(); ++i) {
      EXPECT_TRUE(flood.other_status[i].ok()) << flood.other_status[i].error_message();
      EXPECT_LT(flood.other_took[i], absl::Seconds(2)) << "append " << i;
    }
  }

  // The streams are ended by the daemon (stalled_stream_seconds: 4, then cancelled 4 s later).
  // `log_from`: the daemon's log size when the flood began.
  static void ExpectStalledStreamsEnded(const std::string& key, size_t log_from) {
    absl::Time deadline = absl::Now() + absl::Seconds(20);
    int cancelled = 0;
    while (absl::Now() < deadline) {
      std::string log = testing::ReadFile(keyed_->daemon().stderr_path()).substr(log_from);
      cancelled = 0;
      for (size_t at = 0; (at = log.find("event=stream_stalled", at)) != std::string::npos; ++at) {
        cancelled += log.compare(log.find("action=", at), 13, "action=cancel") == 0;
      }
      if (cancelled >= kStreams) break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    EXPECT_GE(cancelled, kStreams);
    absl::Duration took;
    grpc::Status again = SmallAppend(key, absl::StrCat(key, "-after"), &took);
    EXPECT_TRUE(again.ok()) << again.error_message();
    EXPECT_LT(took, absl::Seconds(2));
  }

  static testing::KeyedDaemon* keyed_;
};

testing::KeyedDaemon* AppendMemoryTest::keyed_ = nullptr;

// ~3.9 MB requests that all pass (after the first they are duplicates: nothing more is stored).
TEST_F(AppendMemoryTest, StreamsOfAcceptedRequestsThatNeverReadAreHeldBackAndBounded) {
  const int64_t before = RssMiB(keyed_->daemon().pid());
  const size_t log_from = testing::ReadFile(keyed_->daemon().stderr_path()).size();
  constexpr int kMaxWrites = 150;
  Flood flood = FloodWith("flood", BigBatch("flood-", 950, 4000), kMaxWrites);
  ExpectBoundedAndOthersServed(flood, before, kMaxWrites);
  ExpectStalledStreamsEnded("flood", log_from);
}

// ~4 MB requests every one of which is refused (a description over 4096 bytes).
TEST_F(AppendMemoryTest, StreamsOfRefusedRequestsThatNeverReadAreHeldBackAndBounded) {
  const int64_t before = RssMiB(keyed_->daemon().pid());
  const size_t log_from = testing::ReadFile(keyed_->daemon().stderr_path()).size();
  constexpr int kMaxWrites = 150;
  Flood flood = FloodWith("refused", BigBatch("refused-", 950, 4200), kMaxWrites);
  ExpectBoundedAndOthersServed(flood, before, kMaxWrites);
  ExpectStalledStreamsEnded("refused", log_from);
}

// A live ReadEvents whose client reads nothing holds a message in flight and a place among
// limits.max_log_followers: the daemon ends it after stalled_stream_seconds, which frees the place.
TEST(StalledStreamTest, AFollowerThatReadsNothingIsEndedAndFreesItsPlace) {
  TempDir dir;
  std::ofstream(dir.Sub("d.conf")) << "limits { max_log_followers: 1 stalled_stream_seconds: 2 }\n";
  Daemon daemon(dir.Sub("data"), {"--config=" + dir.Sub("d.conf")});
  v1::AppendRequest batch = BigBatch("log-", 900, 1000);  // ~1 MB: more than a window.
  v1::AppendResponse response;
  grpc::ClientContext append;
  ASSERT_TRUE(daemon.NewStub()->Append(&append, batch, &response).ok());

  grpc::ChannelArguments args;
  args.SetInt("grpc.channel_id", 1);
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 1024);
  v1::ReadEventsRequest follow;
  follow.set_follow(true);
  RawStream silent(
      grpc::CreateCustomChannel(daemon.address(), grpc::InsecureChannelCredentials(), args),
      "/salestrack.v1.LogService/ReadEvents");
  ASSERT_TRUE(silent.Write(follow));
  ASSERT_TRUE(silent.WritesDone());

  // The place is taken meanwhile...
  auto other = [&] {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
    auto reader = daemon.NewStub()->ReadEvents(&context, follow);
    v1::ReadEventsResponse first;
    const bool got = reader->Read(&first);
    context.TryCancel();
    reader->Finish();
    return got;
  };
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_FALSE(other());
  // ... and free once the silent follower has been ended (2 s, then cancelled 2 s later).
  absl::Time deadline = absl::Now() + absl::Seconds(15);
  bool served = false;
  while (!served && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(500));
    served = other();
  }
  EXPECT_TRUE(served);
  EXPECT_THAT(testing::ReadFile(daemon.stderr_path()), HasSubstr("event=stream_stalled"));
}

}  // namespace
}  // namespace salestrack
