// The org time zone is kept with the data, through real daemons and the real CLI: a restart with
// another zone is refused naming both, a restart without a zone keeps the figures, an explicit
// re-projection moves them, and backup + restore and export + import carry the zone.
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::CliResult;
using ::salestrack::testing::Daemon;
using ::salestrack::testing::RunCli;
using ::salestrack::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

absl::Time Utc(int y, int m, int d, int hh) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), absl::UTCTimeZone());
}

// Two contracts of rep-1 near midnight: 2026-11-23T17:00Z is November 24th in Shanghai and the
// 23rd in UTC; 2026-10-31T20:00Z is in November in Shanghai and in October in UTC.
std::vector<v1::Event> History() {
  return {testing::Contract("tz-1", "rep-1", "ct-1", 1000, Utc(2026, 11, 23, 17)),
          testing::Contract("tz-2", "rep-1", "ct-2", 200, Utc(2026, 10, 31, 20))};
}

void AppendHistory(const Daemon& d) {
  grpc::ClientContext context;
  v1::AppendRequest request;
  for (const v1::Event& e : History()) *request.add_events() = e;
  v1::AppendResponse response;
  grpc::Status s = d.NewStub()->Append(&context, request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
}

// rep-1's sales_amount in the period of `kind` holding the date.
int64_t Sales(const Daemon& d, v1::PeriodKind kind, int y, int m, int day) {
  grpc::ClientContext context;
  v1::GetKpisRequest request;
  request.mutable_subject()->set_rep_id("rep-1");
  request.mutable_period()->set_kind(kind);
  request.mutable_period()->mutable_date()->set_year(y);
  request.mutable_period()->mutable_date()->set_month(m);
  request.mutable_period()->mutable_date()->set_day(day);
  v1::GetKpisResponse response;
  grpc::Status s = v1::KpiService::NewStub(d.NewChannel())->GetKpis(&context, request, &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
  for (const v1::MetricValue& m : response.metrics()) {
    if (m.name() == "sales_amount") return m.integer();
  }
  ADD_FAILURE() << "no sales_amount";
  return -1;
}

// The figures the history gives in Shanghai: Nov 24th 1000, Nov 23rd 0, November 1200, October 0.
void ExpectShanghaiFigures(const Daemon& d) {
  EXPECT_EQ(Sales(d, v1::DAY, 2026, 11, 24), 1000);
  EXPECT_EQ(Sales(d, v1::DAY, 2026, 11, 23), 0);
  EXPECT_EQ(Sales(d, v1::MONTH, 2026, 11, 1), 1200);
  EXPECT_EQ(Sales(d, v1::MONTH, 2026, 10, 1), 0);
}
void ExpectUtcFigures(const Daemon& d) {
  EXPECT_EQ(Sales(d, v1::DAY, 2026, 11, 24), 0);
  EXPECT_EQ(Sales(d, v1::DAY, 2026, 11, 23), 1000);
  EXPECT_EQ(Sales(d, v1::MONTH, 2026, 11, 1), 1000);
  EXPECT_EQ(Sales(d, v1::MONTH, 2026, 10, 1), 200);
}

CliResult Cli(const Daemon& d, const std::string& args) {
  return RunCli("--server=" + d.address() + " " + args);
}

TEST(TimeZoneTest, TheDataDirectoryKeepsItsZoneAndOnlyAnExplicitReprojectionChangesIt) {
  TempDir tmp;
  const std::string data = tmp.Sub("data");
  {
    Daemon d(data, {"--time_zone=Asia/Shanghai"});
    AppendHistory(d);
    ExpectShanghaiFigures(d);
    ASSERT_EQ(d.Stop(), 0);
  }
  // Another zone: refused, naming both, and nothing changes.
  std::string err;
  EXPECT_EQ(testing::RunDaemonToExit(
                {"--listen=127.0.0.1:0", "--data_dir=" + data, "--time_zone=UTC"}, &err),
            2);
  EXPECT_THAT(err, HasSubstr("\"Asia/Shanghai\""));
  EXPECT_THAT(err, HasSubstr("\"UTC\""));
  EXPECT_THAT(err, HasSubstr("--reproject_time_zone"));
  // Without a zone: the stored one, the same figures.
  {
    Daemon d(data);
    ExpectShanghaiFigures(d);
    EXPECT_THAT(testing::ReadFile(d.stderr_path()), HasSubstr("time_zone=Asia/Shanghai"));
    ASSERT_EQ(d.Stop(), 0);
  }
  // The same zone again is fine; the flag without a zone is a usage error.
  {
    Daemon d(data, {"--time_zone=Asia/Shanghai", "--reproject_time_zone"});
    ExpectShanghaiFigures(d);
    EXPECT_THAT(testing::ReadFile(d.stderr_path()), Not(HasSubstr("event=time_zone_reprojected")));
    ASSERT_EQ(d.Stop(), 0);
  }
  EXPECT_EQ(testing::RunDaemonToExit(
                {"--listen=127.0.0.1:0", "--data_dir=" + data, "--reproject_time_zone"}, &err),
            2);
  EXPECT_THAT(err, HasSubstr("--reproject_time_zone: needs --time_zone"));
  // An explicit re-projection: the figures move to UTC's days and months, and it is logged.
  {
    Daemon d(data, {"--time_zone=UTC", "--reproject_time_zone"});
    ExpectUtcFigures(d);
    EXPECT_THAT(testing::ReadFile(d.stderr_path()),
                HasSubstr("event=time_zone_reprojected from=Asia/Shanghai to=UTC events=2"));
    EXPECT_EQ(Cli(d, "verify").code, 0);
    ASSERT_EQ(d.Stop(), 0);
  }
  // From now on the directory is in UTC: a start without a zone keeps it, Shanghai is refused.
  {
    Daemon d(data);
    ExpectUtcFigures(d);
    ASSERT_EQ(d.Stop(), 0);
  }
  EXPECT_EQ(testing::RunDaemonToExit(
                {"--listen=127.0.0.1:0", "--data_dir=" + data, "--time_zone=Asia/Shanghai"}, &err),
            2);
  EXPECT_THAT(err, HasSubstr("holds figures computed in time zone \"UTC\""));
}

TEST(TimeZoneTest, ReprojectionFromTheConfigAndCheckConfigOpensNothing) {
  TempDir tmp;
  const std::string data = tmp.Sub("data");
  {
    Daemon d(data, {"--time_zone=Asia/Shanghai"});
    AppendHistory(d);
    ASSERT_EQ(d.Stop(), 0);
  }
  std::ofstream(tmp.Sub("utc.conf")) << "time_zone: \"UTC\"\n";
  std::ofstream(tmp.Sub("reproject.conf")) << "time_zone: \"UTC\"\nreproject_time_zone: true\n";
  std::ofstream(tmp.Sub("no-zone.conf")) << "reproject_time_zone: true\n";
  std::string err;
  EXPECT_EQ(
      testing::RunDaemonToExit(
          {"--listen=127.0.0.1:0", "--data_dir=" + data, "--config=" + tmp.Sub("utc.conf")}, &err),
      2);
  EXPECT_THAT(err, HasSubstr("\"Asia/Shanghai\", but this start asks for \"UTC\""));
  EXPECT_EQ(
      testing::RunDaemonToExit({"--config=" + tmp.Sub("no-zone.conf"), "--check_config"}, &err), 2);
  EXPECT_THAT(err, HasSubstr("reproject_time_zone: needs time_zone"));
  // --check_config does not open the data directory: it cannot see the mismatch, and creates
  // nothing.
  EXPECT_EQ(
      testing::RunDaemonToExit({"--data_dir=" + data, "--time_zone=UTC", "--check_config"}, &err),
      0);
  EXPECT_EQ(testing::RunDaemonToExit(
                {"--data_dir=" + tmp.Sub("never"), "--time_zone=UTC", "--check_config"}, &err),
            0);
  EXPECT_FALSE(std::filesystem::exists(tmp.Sub("never")));

  Daemon d(data, {"--config=" + tmp.Sub("reproject.conf")});
  ExpectUtcFigures(d);
  EXPECT_THAT(testing::ReadFile(d.stderr_path()), HasSubstr("event=time_zone_reprojected"));
}

TEST(TimeZoneTest, AnEmptyLogTakesAnyZone) {
  TempDir tmp;
  const std::string data = tmp.Sub("data");
  {
    Daemon d(data);  // UTC, stored; no events yet.
    ASSERT_EQ(d.Stop(), 0);
  }
  Daemon d(data, {"--time_zone=Asia/Shanghai"});
  AppendHistory(d);
  ExpectShanghaiFigures(d);
  EXPECT_THAT(testing::ReadFile(d.stderr_path()),
              HasSubstr("event=time_zone_stored zone=Asia/Shanghai previous=UTC"));
}

TEST(TimeZoneTest, TheRestoreCommandABackupPrintsWorksLiterallyAndKeepsTheZone) {
  TempDir tmp;
  // The daemon runs from a config file (its zone, an ephemeral port) without authentication.
  std::ofstream(tmp.Sub("salestrackd.conf"))
      << "listen_address: \"127.0.0.1:0\"\ntime_zone: \"Asia/Shanghai\"\n";
  Daemon original(tmp.Sub("data"), {"--config=" + tmp.Sub("salestrackd.conf")});
  AppendHistory(original);
  CliResult backup = Cli(original, "backup " + tmp.Sub("backups/b1"));
  ASSERT_EQ(backup.code, 0) << backup.err;
  const std::string prefix = "restore: ";
  const size_t at = backup.out.find(prefix);
  ASSERT_NE(at, std::string::npos) << backup.out;
  std::string command = backup.out.substr(at + prefix.size());
  command = command.substr(0, command.find('\n'));
  EXPECT_EQ(command, absl::StrCat("salestrackd --config ", tmp.Sub("salestrackd.conf"),
                                  " --data_dir NEW_DIR --restore_from ", tmp.Sub("backups/b1"),
                                  " --time_zone Asia/Shanghai --insecure_no_auth"));
  ASSERT_EQ(original.Stop(), 0);

  // Run it as printed (NEW_DIR filled in), through a shell.
  std::string literal = absl::StrReplaceAll(
      command,
      {{"salestrackd ", std::string(SALESTRACKD_PATH) + " "}, {"NEW_DIR", tmp.Sub("restored")}});
  std::unique_ptr<Daemon> restored = Daemon::FromCommand(literal, tmp.Sub("restored.stderr"));
  ExpectShanghaiFigures(*restored);
  EXPECT_THAT(testing::ReadFile(tmp.Sub("restored.stderr")), HasSubstr("event=backup_restored"));
  ASSERT_EQ(restored->Stop(), 0);
  // The restored directory holds the zone: without a zone it serves Shanghai's figures, and UTC
  // is refused.
  {
    Daemon again(tmp.Sub("restored"));
    ExpectShanghaiFigures(again);
  }
  std::string err;
  EXPECT_EQ(
      testing::RunDaemonToExit(
          {"--listen=127.0.0.1:0", "--data_dir=" + tmp.Sub("restored"), "--time_zone=UTC"}, &err),
      2);
  EXPECT_THAT(err, HasSubstr("\"Asia/Shanghai\""));
  // A restore asked for in another zone is refused before anything is copied, so the same
  // command can run again.
  EXPECT_EQ(testing::RunDaemonToExit({"--listen=127.0.0.1:0", "--data_dir=" + tmp.Sub("other"),
                                      "--restore_from=" + tmp.Sub("backups/b1"), "--time_zone=UTC"},
                                     &err),
            2);
  EXPECT_THAT(err, HasSubstr("holds figures computed in time zone \"Asia/Shanghai\""));
  EXPECT_FALSE(std::filesystem::exists(tmp.Sub("other/CURRENT")));
}

TEST(TimeZoneTest, ExportAndImportCarryTheZone) {
  TempDir tmp;
  Daemon original(tmp.Sub("data"), {"--time_zone=Asia/Shanghai"});
  AppendHistory(original);
  CliResult exported = Cli(original, "export " + tmp.Sub("log.jsonl"));
  ASSERT_EQ(exported.code, 0) << exported.err;
  const std::string text = testing::ReadFile(tmp.Sub("log.jsonl"));
  EXPECT_EQ(text.substr(0, text.find('\n')),
            R"({"salestrack_export":{"time_zone":"Asia/Shanghai","head_seq":"2"}})");

  // A fresh daemon in UTC (the default): refused, naming both zones, nothing sent.
  {
    Daemon utc(tmp.Sub("utc"));
    CliResult refused = Cli(utc, "import " + tmp.Sub("log.jsonl"));
    EXPECT_EQ(refused.code, 1);
    EXPECT_THAT(refused.err, HasSubstr("exported from a daemon in time zone \"Asia/Shanghai\""));
    EXPECT_THAT(refused.err, HasSubstr("computes its figures in \"UTC\""));
    EXPECT_THAT(refused.err, HasSubstr("--time_zone Asia/Shanghai"));
    EXPECT_TRUE(testing::ReadAll(*utc.NewStub()).empty());
    // Asked for, it imports anyway (UTC's figures).
    CliResult forced = Cli(utc, "import --ignore_time_zone " + tmp.Sub("log.jsonl"));
    EXPECT_EQ(forced.code, 0) << forced.err;
    EXPECT_THAT(forced.err, HasSubstr("Importing anyway (--ignore_time_zone)"));
    ExpectUtcFigures(utc);
  }
  // A daemon in the export's zone: the same figures.
  Daemon copy(tmp.Sub("copy"), {"--time_zone=Asia/Shanghai"});
  CliResult imported = Cli(copy, "import " + tmp.Sub("log.jsonl"));
  ASSERT_EQ(imported.code, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("imported 2 new"));
  ExpectShanghaiFigures(copy);

  // An export without the header (an older salestrack's) still imports, with a note.
  std::ofstream(tmp.Sub("old.jsonl")) << text.substr(text.find('\n') + 1);
  Daemon old(tmp.Sub("old"), {"--time_zone=Asia/Shanghai"});
  CliResult legacy = Cli(old, "import " + tmp.Sub("old.jsonl"));
  ASSERT_EQ(legacy.code, 0) << legacy.err;
  EXPECT_THAT(legacy.out, HasSubstr("imported 2 new"));
  EXPECT_THAT(legacy.err, HasSubstr("has no export header"));
  ExpectShanghaiFigures(old);
}

}  // namespace
}  // namespace salestrack
