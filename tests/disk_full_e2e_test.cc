// Disk full, on a small tmpfs mounted by the test (skipped where mounting is not allowed): appends
// fail with UNAVAILABLE (retryable) and store nothing, the daemon stays up and keeps serving reads,
// appends resume within seconds once a few MiB are free again, and nothing acknowledged is lost,
// also across a restart.
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ops_fixture.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::Daemon;
using ::salestrack::testing::TempDir;

class Tmpfs {
 public:
  Tmpfs(const std::string& dir, const std::string& size) : dir_(dir) {
    mkdir(dir.c_str(), 0700);
    mounted_ = mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~Tmpfs() {
    if (mounted_) umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

// Writes `path` until the file system is full; returns the bytes written.
size_t Fill(const std::string& path) {
  std::string chunk(1 << 20, 'x');
  FILE* f = std::fopen(path.c_str(), "w");
  size_t total = 0;
  while (f != nullptr) {
    size_t n = std::fwrite(chunk.data(), 1, chunk.size(), f);
    total += n;
    if (n < chunk.size() || std::fflush(f) != 0) break;
  }
  if (f != nullptr) std::fclose(f);
  return total;
}

v1::AppendRequest BigBatch(int b) {
  v1::AppendRequest request;
  absl::Time when = absl::FromCivil(absl::CivilSecond(2026, 11, 10, 0, 0, 0), absl::UTCTimeZone());
  for (int i = 0; i < 200; ++i) {
    v1::Event e = testing::Action(absl::StrCat("full-", b, "-", i), "rep-1", "cust-2",
                                  when + absl::Seconds(b * 200 + i));
    e.mutable_action_logged()->set_description(std::string(4000, 'a' + i % 26));
    *request.add_events() = std::move(e);
  }
  return request;
}

grpc::Status Send(v1::LogService::Stub& stub, const v1::AppendRequest& request) {
  v1::AppendResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return stub.Append(&context, request, &response);
}

TEST(DiskFullTest, AppendsFailRetryablyReadsGoOnAndAppendsResumeWhenSpaceReturns) {
  TempDir tmp;
  Tmpfs small(tmp.Sub("small"), "256m");
  if (!small.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << small.error();
  const std::string data = tmp.Sub("small/data");
  std::set<std::string> acked;
  {
    // Its stderr goes off the small disk, so that no log line is lost to the full disk.
    std::unique_ptr<Daemon> daemon = Daemon::FromCommand(
        absl::StrCat(SALESTRACKD_PATH,
                     " --listen=127.0.0.1:0 --insecure_no_auth --data_dir=", data),
        tmp.Sub("daemon.stderr"));
    auto stub = daemon->NewStub();
    std::vector<v1::Event> history = testing::OpsHistory(300);
    testing::AppendAll(*stub, history);
    for (const v1::Event& e : history) acked.insert(e.event_id());

    size_t filled = Fill(tmp.Sub("small/filler"));
    EXPECT_GT(filled, 0u);
    // RocksDB may still have preallocated WAL space: append until the disk refuses (bounded).
    grpc::Status refused;
    int b = 0;
    for (; b < 300; ++b) {
      v1::AppendRequest batch = BigBatch(b);
      refused = Send(*stub, batch);
      if (!refused.ok()) break;
      for (const v1::Event& e : batch.events()) acked.insert(e.event_id());
    }
    ASSERT_FALSE(refused.ok()) << "the disk never filled";
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
    EXPECT_THAT(refused.error_message(), ::testing::HasSubstr("retry"));

    // Still up: reads and queries work, and every acknowledged event is there.
    std::vector<v1::EventRecord> records = testing::ReadAll(*stub);
    EXPECT_EQ(records.size(), acked.size());
    EXPECT_FALSE(testing::Figures(daemon->NewChannel()).empty());
    EXPECT_EQ(testing::RunCli("--server=" + daemon->address() + " health").code, 0);
    // Still full: still refused, still retryable, and the refusal says how much room the next
    // commit needs. (A commit's resume may free space by itself: RocksDB drops the failed WAL's
    // preallocated tail when it switches to a new one. So fill what is free again, until a commit
    // is refused on a disk that is full.)
    std::vector<std::string> fillers = {tmp.Sub("small/filler")};
    grpc::Status still;
    for (int round = 0; round < 20 && still.ok(); ++round) {
      fillers.push_back(tmp.Sub(absl::StrCat("small/filler-", round)));
      Fill(fillers.back());
      v1::AppendRequest batch = BigBatch(++b);
      still = Send(*stub, batch);
      if (still.ok()) {
        for (const v1::Event& e : batch.events()) acked.insert(e.event_id());
      }
    }
    ASSERT_FALSE(still.ok()) << "the disk never stayed full";
    EXPECT_EQ(still.error_code(), grpc::StatusCode::UNAVAILABLE) << still.error_message();
    EXPECT_THAT(still.error_message(), ::testing::HasSubstr("bytes free"));
    EXPECT_THAT(still.error_message(), ::testing::HasSubstr("commits resume by themselves"));

    // A little space returns: 3 MiB, about 1 MiB for the batch (200 events of 4 KB) and the
    // memtables' flush (text that compresses well), and room to spare. RocksDB checks every 5 s
    // and wants 1 MiB free (by default it would want a write buffer, 64 MiB): the same batch must
    // go through within 5 s and a little.
    const std::string filler = tmp.Sub("small/filler");
    ASSERT_EQ(truncate(filler.c_str(), static_cast<off_t>(filled) - (3 << 20)), 0)
        << strerror(errno);
    grpc::Status retried;
    const v1::AppendRequest again = BigBatch(b);
    const auto freed_at = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - freed_at < std::chrono::seconds(8)) {
      retried = Send(*stub, again);
      if (retried.ok()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(retried.ok()) << "not recovered within 8 s of 3 MiB being freed: "
                              << retried.error_message();
    std::printf("appends resumed %.1f s after 3 MiB were freed\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - freed_at).count());
    for (const v1::Event& e : again.events()) acked.insert(e.event_id());
    EXPECT_THAT(testing::ReadFile(daemon->stderr_path()),
                ::testing::HasSubstr("storage recovered: commits resume"));
    // The rest of the space returns (a restart replays the WAL into new SST files).
    for (const std::string& f : fillers) ASSERT_EQ(std::remove(f.c_str()), 0) << f;
    testing::CliResult verify = testing::RunCli("--server=" + daemon->address() + " verify");
    EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
    EXPECT_EQ(daemon->Stop(), 0);
  }
  // After a restart: every acknowledged event exactly once, dense seqs.
  Daemon again(data);
  std::vector<v1::EventRecord> records = testing::ReadAll(*again.NewStub());
  std::set<std::string> stored;
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].seq(), i + 1);
    EXPECT_TRUE(stored.insert(records[i].event().event_id()).second);
  }
  EXPECT_EQ(stored, acked);
}

// Retries `batch` every 100 ms for up to 8 s; returns the last answer.
grpc::Status RetryFor8s(v1::LogService::Stub& stub, const v1::AppendRequest& batch) {
  grpc::Status s;
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(8)) {
    s = Send(stub, batch);
    if (s.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return s;
}

// The disk fills when every memtable is empty: right after a start (the WAL replay flushed them)
// and right after a backup (its checkpoint flushed them). Recovery must still move to a new WAL:
// on the failed one, RocksDB 7.8 fails (or aborts on) every later write.
TEST(DiskFullTest, TheDiskFillsRightAfterAStartOrABackup) {
  TempDir tmp;
  Tmpfs small(tmp.Sub("small"), "64m");
  if (!small.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << small.error();
  const std::string data = tmp.Sub("small/data");
  const std::string command =
      absl::StrCat(SALESTRACKD_PATH, " --listen=127.0.0.1:0 --insecure_no_auth --data_dir=", data);
  {
    std::unique_ptr<Daemon> first = Daemon::FromCommand(command, tmp.Sub("first.stderr"));
    testing::AppendAll(*first->NewStub(), testing::OpsHistory(50));
    ASSERT_EQ(first->Stop(), 0);
  }
  int b = 1000;
  for (const char* moment : {"start", "backup"}) {
    SCOPED_TRACE(moment);
    std::unique_ptr<Daemon> daemon =
        Daemon::FromCommand(command, tmp.Sub(absl::StrCat(moment, ".stderr")));
    auto stub = daemon->NewStub();
    if (std::string(moment) == "backup") {
      testing::CliResult backup =
          testing::RunCli("--server=" + daemon->address() + " backup " + tmp.Sub("backup"));
      ASSERT_EQ(backup.code, 0) << backup.err;
    }
    const std::string filler = tmp.Sub("small/filler");
    const size_t filled = Fill(filler);
    grpc::Status refused;
    for (int tries = 0; tries < 50 && refused.ok(); ++tries) refused = Send(*stub, BigBatch(++b));
    ASSERT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << refused.error_message();
    ASSERT_EQ(truncate(filler.c_str(), static_cast<off_t>(filled) - (3 << 20)), 0);
    grpc::Status retried = RetryFor8s(*stub, BigBatch(b));
    ASSERT_TRUE(retried.ok()) << retried.error_message();
    ASSERT_EQ(std::remove(filler.c_str()), 0);
    // The next commits go to the new WAL: the daemon is up and they succeed.
    EXPECT_TRUE(Send(*stub, BigBatch(++b)).ok());
    EXPECT_EQ(testing::RunCli("--server=" + daemon->address() + " verify").code, 0);
    EXPECT_EQ(daemon->Stop(), 0);
  }
}

}  // namespace
}  // namespace salestrack
