// Backup, restore, export and import through real daemons and the real CLI: the views of a restored
// or re-imported log equal the original's, an online backup taken under load holds exactly a prefix
// of the log, and every refusal says why.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "ops_fixture.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::AppendAll;
using ::salestrack::testing::CliResult;
using ::salestrack::testing::Daemon;
using ::salestrack::testing::Figures;
using ::salestrack::testing::kMaxOpsActivity;
using ::salestrack::testing::OpsHistory;
using ::salestrack::testing::ReadAll;
using ::salestrack::testing::RunCli;
using ::salestrack::testing::TempDir;
using ::testing::HasSubstr;

CliResult Cli(const Daemon& d, const std::string& args) {
  return RunCli("--server=" + d.address() + " " + args);
}

v1::BackupResponse BackupJson(const Daemon& d, const std::string& dir) {
  CliResult r = Cli(d, "backup --json " + dir);
  EXPECT_EQ(r.code, 0) << r.err;
  v1::BackupResponse response;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &response).ok()) << r.out;
  return response;
}

void ExpectSameRecords(const std::vector<v1::EventRecord>& a,
                       const std::vector<v1::EventRecord>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a[i], b[i]))
        << "record " << i << ":\n"
        << a[i].DebugString() << "vs\n"
        << b[i].DebugString();
  }
}

TEST(BackupTest, RestoredDaemonServesTheFiguresOfTheBackupInstant) {
  TempDir tmp;
  std::vector<v1::Event> history = OpsHistory(1000);
  Daemon original(tmp.Sub("data"));
  AppendAll(*original.NewStub(), {history.begin(), history.begin() + 700});
  const std::string figures_at_backup = Figures(original.NewChannel());

  CliResult backup = Cli(original, "backup " + tmp.Sub("backups/first"));
  ASSERT_EQ(backup.code, 0) << backup.err;
  EXPECT_THAT(backup.out, HasSubstr("backed up the log to seq 700 in " + tmp.Sub("backups/first")));
  EXPECT_THAT(backup.out, HasSubstr("--restore_from " + tmp.Sub("backups/first")));

  // The original moves on; the restored daemon must not see that.
  AppendAll(*original.NewStub(), {history.begin() + 700, history.end()});
  ASSERT_NE(Figures(original.NewChannel()), figures_at_backup);

  Daemon restored(tmp.Sub("restored"), {"--restore_from=" + tmp.Sub("backups/first")});
  EXPECT_EQ(Figures(restored.NewChannel()), figures_at_backup);
  std::vector<v1::EventRecord> all = ReadAll(*original.NewStub());
  ExpectSameRecords(ReadAll(*restored.NewStub()), {all.begin(), all.begin() + 700});
  CliResult verify = Cli(restored, "verify");
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("views match a replay of the log at seq 700"));
  EXPECT_THAT(testing::ReadFile(restored.stderr_path()), HasSubstr("event=backup_restored"));

  // The restored directory is an ordinary data directory: appends continue from seq 701, and it
  // opens again without the flag.
  AppendAll(*restored.NewStub(), {history.begin() + 700, history.end()});
  EXPECT_EQ(Figures(restored.NewChannel()), Figures(original.NewChannel()));
  ASSERT_EQ(restored.Stop(), 0);
  Daemon reopened(tmp.Sub("restored"));
  EXPECT_EQ(Figures(reopened.NewChannel()), Figures(original.NewChannel()));
}

TEST(BackupTest, BackupUnderConcurrentAppendsHoldsExactlyAPrefixOfTheLog) {
  TempDir tmp;
  Daemon original(tmp.Sub("data"));
  std::vector<v1::Event> history = OpsHistory(kMaxOpsActivity);
  AppendAll(*original.NewStub(), {history.begin(), history.begin() + 200});
  std::atomic<bool> writing{true};
  std::atomic<size_t> appended{200};
  std::thread writer([&] {
    auto stub = original.NewStub();
    for (size_t i = 200; i < history.size() && writing; i += 10) {
      AppendAll(*stub, {history.begin() + i, history.begin() + std::min(history.size(), i + 10)});
      appended = std::min(history.size(), i + 10);
    }
  });
  // Let the writer get going, then back up twice while it writes.
  while (appended < 400) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  v1::BackupResponse first = BackupJson(original, tmp.Sub("b1"));
  v1::BackupResponse second = BackupJson(original, tmp.Sub("b2"));
  writing = false;
  writer.join();
  EXPECT_GE(first.seq(), 400u);
  EXPECT_GE(second.seq(), first.seq());
  EXPECT_GT(first.files(), 0u);
  EXPECT_GT(first.bytes(), 0u);

  std::vector<v1::EventRecord> all = ReadAll(*original.NewStub());
  for (const v1::BackupResponse& b : {first, second}) {
    SCOPED_TRACE(b.dir());
    Daemon restored(tmp.Sub("restored-" + std::filesystem::path(b.dir()).filename().string()),
                    {"--restore_from=" + b.dir()});
    ExpectSameRecords(ReadAll(*restored.NewStub()), {all.begin(), all.begin() + b.seq()});
    EXPECT_EQ(Cli(restored, "verify").code, 0);
  }
}

TEST(BackupTest, RefusalsSayWhy) {
  TempDir tmp;
  Daemon plain(tmp.Sub("data"));
  AppendAll(*plain.NewStub(), OpsHistory(20));
  CliResult relative = Cli(plain, "backup nightly");
  EXPECT_EQ(relative.code, 1);
  EXPECT_THAT(relative.err, HasSubstr("must be an absolute path (the daemon has no backup_dir"));
  ASSERT_EQ(Cli(plain, "backup " + tmp.Sub("b")).code, 0);
  CliResult again = Cli(plain, "backup " + tmp.Sub("b"));
  EXPECT_EQ(again.code, 1);
  EXPECT_THAT(again.err, HasSubstr("already exists"));
  EXPECT_EQ(Cli(plain, "backup").code, 2);

  // With backup_dir, backups are named, and a name cannot climb out of it.
  Daemon named(tmp.Sub("data2"), {"--backup_dir=" + tmp.Sub("store")});
  AppendAll(*named.NewStub(), OpsHistory(20));
  CliResult ok = Cli(named, "backup nightly-1");
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_TRUE(std::filesystem::exists(tmp.Sub("store/nightly-1/CURRENT")));
  CliResult climb = Cli(named, "backup ../elsewhere");
  EXPECT_EQ(climb.code, 1);
  EXPECT_THAT(climb.err, HasSubstr("must be a plain name"));

  // Restore goes only into an empty directory, and only from a salestrack backup.
  std::string err;
  EXPECT_EQ(testing::RunDaemonToExit({"--listen=127.0.0.1:0", "--data_dir=" + tmp.Sub("data"),
                                      "--restore_from=" + tmp.Sub("b")},
                                     &err),
            2);
  EXPECT_THAT(err, HasSubstr("it is not empty"));
  std::filesystem::create_directories(tmp.Sub("not-a-backup"));
  std::ofstream(tmp.Sub("not-a-backup/file")) << "x";
  EXPECT_EQ(testing::RunDaemonToExit({"--listen=127.0.0.1:0", "--data_dir=" + tmp.Sub("new"),
                                      "--restore_from=" + tmp.Sub("not-a-backup")},
                                     &err),
            2);
  EXPECT_THAT(err, HasSubstr("holds no salestrack database"));
  EXPECT_FALSE(std::filesystem::exists(tmp.Sub("new/CURRENT")));
}

TEST(ExportImportTest, ImportedLogServesTheSameFiguresAndImportIsIdempotent) {
  TempDir tmp;
  std::vector<v1::Event> history = OpsHistory(1200);
  Daemon original(tmp.Sub("data"));
  AppendAll(*original.NewStub(), history);

  CliResult exported = Cli(original, "export " + tmp.Sub("log.jsonl"));
  ASSERT_EQ(exported.code, 0) << exported.err;
  const std::string n = std::to_string(history.size());
  EXPECT_THAT(exported.err, HasSubstr("exported " + n + " records (seqs 1.." + n + ")"));
  // Never overwrites.
  EXPECT_EQ(Cli(original, "export " + tmp.Sub("log.jsonl")).code, 2);
  // To stdout, the same lines.
  CliResult to_stdout = Cli(original, "export");
  ASSERT_EQ(to_stdout.code, 0);
  EXPECT_EQ(to_stdout.out, testing::ReadFile(tmp.Sub("log.jsonl")));

  Daemon copy(tmp.Sub("copy"));
  CliResult imported = Cli(copy, "import --batch=1000 " + tmp.Sub("log.jsonl"));
  ASSERT_EQ(imported.code, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("imported " + n + " new, 0 duplicate, 0 refused"));
  EXPECT_EQ(Figures(copy.NewChannel()), Figures(original.NewChannel()));
  EXPECT_EQ(Cli(copy, "verify").code, 0);
  // Same events at the same seqs; only recorded_at (the import's clock) differs.
  std::vector<v1::EventRecord> a = ReadAll(*original.NewStub()), b = ReadAll(*copy.NewStub());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].seq(), b[i].seq());
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a[i].event(), b[i].event()));
  }

  CliResult again = Cli(copy, "import " + tmp.Sub("log.jsonl"));
  ASSERT_EQ(again.code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("imported 0 new, " + n + " duplicate, 0 refused"));
  EXPECT_EQ(Figures(copy.NewChannel()), Figures(original.NewChannel()));
}

TEST(ExportImportTest, ImportValidatesLikeAppend) {
  TempDir tmp;
  Daemon d(tmp.Sub("data"));
  // Plain events are accepted too; a bad record is reported by line and nothing is sent.
  std::ofstream(tmp.Sub("in.jsonl"))
      << R"({"seq":"1","event":{"event_id":"a","occurred_at":"2026-11-02T02:00:00Z","rep_id":"r","action_logged":{"customer_id":"c","purpose":"SERVICE","channel":"PHONE"}}})"
      << "\n"
      << R"({"event_id":"b","occurred_at":"2026-11-02T03:00:00Z","rep_id":"r","action_logged":{"customer_id":"c","purpose":"SERVICE","channel":"PHONE"}})"
      << "\n"
      << R"({"seq":"3","event":{"event_id":"c","occurred_at":"2026-11-02T03:00:00Z","rep_id":"r","payment_received":{"payment_id":"p","contract_id":"k","amount":"-5"}}})"
      << "\n";
  CliResult bad = Cli(d, "import " + tmp.Sub("in.jsonl"));
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr("line 3: payment_received.amount: must be >= 0"));
  EXPECT_TRUE(ReadAll(*d.NewStub()).empty());
  CliResult keep = Cli(d, "import --keep_going " + tmp.Sub("in.jsonl"));
  EXPECT_THAT(keep.out, HasSubstr("imported 2 new, 0 duplicate, 0 refused, 1 bad line(s)"));
}

}  // namespace
}  // namespace salestrack
