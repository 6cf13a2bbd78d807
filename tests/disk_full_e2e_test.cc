// Disk full, on a small tmpfs mounted by the test (skipped where mounting is not allowed): appends
// fail with UNAVAILABLE (retryable) and store nothing, the daemon stays up and keeps serving reads,
// appends resume once space is back, and nothing acknowledged is lost, also across a restart.
#include <sys/mount.h>
#include <sys/stat.h>

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
    auto daemon = std::make_unique<Daemon>(data);
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
    // Still full: still refused, still retryable.
    EXPECT_EQ(Send(*stub, BigBatch(b)).error_code(), grpc::StatusCode::UNAVAILABLE);

    // Space returns: the same batch goes through on a retry once RocksDB has recovered (it checks
    // free space every few seconds and wants a write buffer (64 MiB) of it).
    ASSERT_EQ(std::remove(tmp.Sub("small/filler").c_str()), 0);
    grpc::Status retried;
    const v1::AppendRequest again = BigBatch(b);
    for (int attempt = 0; attempt < 300; ++attempt) {
      retried = Send(*stub, again);
      if (retried.ok()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(retried.ok()) << retried.error_message();
    for (const v1::Event& e : again.events()) acked.insert(e.event_id());
    EXPECT_THAT(testing::ReadFile(daemon->stderr_path()),
                ::testing::HasSubstr("storage recovered: commits resume"));
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

}  // namespace
}  // namespace salestrack
