// Observability through a real daemon (issue 6): its Prometheus endpoint, scraped over HTTP, counts
// appends by outcome, batch sizes, commits and WAL syncs by exactly what the test did, and shows
// the log head, live subscribers and followers and RocksDB figures; `salestrack stats` shows the
// same.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <regex>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ops_fixture.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "salestrack/v1/leaderboard_service.grpc.pb.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::Daemon;
using ::salestrack::testing::RunCli;
using ::salestrack::testing::TempDir;
using ::testing::HasSubstr;

// GET http://127.0.0.1:port/metrics; the body ("" on failure).
std::string Scrape(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  std::string request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return "";
  }
  std::string response;
  char buffer[8192];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;) response.append(buffer, n);
  close(fd);
  size_t body = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.", 0) != 0 || response.find(" 200 ") == std::string::npos ||
      body == std::string::npos) {
    return "";
  }
  return response.substr(body + 4);
}

// Sample lines of the exposition format: "name{labels} value" -> value.
std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    double value = 0;
    if (space != absl::string_view::npos && absl::SimpleAtod(line.substr(space + 1), &value)) {
      out[std::string(line.substr(0, space))] = value;
    }
  }
  return out;
}

class MetricsTest : public ::testing::Test {
 protected:
  MetricsTest() : daemon_(dir_.Sub("data"), {"--metrics_listen=127.0.0.1:0"}) {}

  double Delta(const std::map<std::string, double>& before,
               const std::map<std::string, double>& after, const std::string& name) {
    auto b = before.find(name);
    auto a = after.find(name);
    EXPECT_NE(a, after.end()) << name << " is not served";
    if (a == after.end()) return -1;
    return a->second - (b == before.end() ? 0 : b->second);
  }

  grpc::StatusCode Append(const std::vector<v1::Event>& events) {
    v1::AppendRequest request;
    for (const v1::Event& e : events) *request.add_events() = e;
    v1::AppendResponse response;
    grpc::ClientContext context;
    return daemon_.NewStub()->Append(&context, request, &response).error_code();
  }

  TempDir dir_;
  Daemon daemon_;
};

std::vector<v1::Event> Actions(const std::string& prefix, int n) {
  return testing::RecentActions(prefix, "rep-0", n);
}

TEST_F(MetricsTest, TheEndpointCountsWhatTheTestDid) {
  ASSERT_GT(daemon_.metrics_port(), 0);
  // The org (units, reps), for a board to subscribe to.
  std::vector<v1::Event> org = testing::OpsHistory(0);
  ASSERT_EQ(Append(org), grpc::StatusCode::OK);
  std::map<std::string, double> before = Samples(Scrape(daemon_.metrics_port()));
  ASSERT_FALSE(before.empty());

  std::vector<v1::Event> a = Actions("a", 5);
  ASSERT_EQ(Append(a), grpc::StatusCode::OK);  // 5 new.
  std::vector<v1::Event> b = Actions("b", 9);
  b.push_back(a[0]);
  ASSERT_EQ(Append(b), grpc::StatusCode::OK);  // 9 new, 1 duplicate.
  std::vector<v1::Event> c = Actions("c", 2);
  c[1].set_event_id("");
  ASSERT_EQ(Append(c), grpc::StatusCode::INVALID_ARGUMENT);  // 2 refused before the log.
  v1::Event reused = a[1];
  reused.mutable_action_logged()->set_subject("another subject");
  ASSERT_EQ(Append({reused}), grpc::StatusCode::ALREADY_EXISTS);  // 1 refused by the log.

  std::map<std::string, double> after = Samples(Scrape(daemon_.metrics_port()));
  EXPECT_EQ(Delta(before, after, "salestrack_append_events_total{outcome=\"new\"}"), 14);
  EXPECT_EQ(Delta(before, after, "salestrack_append_events_total{outcome=\"duplicate\"}"), 1);
  EXPECT_EQ(Delta(before, after, "salestrack_append_events_total{outcome=\"invalid_argument\"}"),
            2);
  EXPECT_EQ(Delta(before, after, "salestrack_append_events_total{outcome=\"already_exists\"}"), 1);
  // Four requests of 5, 10, 2 and 1 events.
  EXPECT_EQ(Delta(before, after, "salestrack_append_batch_events_count"), 4);
  EXPECT_EQ(Delta(before, after, "salestrack_append_batch_events_sum"), 18);
  EXPECT_EQ(Delta(before, after, "salestrack_append_batch_events_bucket{le=\"2\"}"), 2);
  EXPECT_EQ(Delta(before, after, "salestrack_append_batch_events_bucket{le=\"5\"}"), 3);
  // Three reached the writer, one at a time; two of them wrote (the refused one wrote nothing).
  EXPECT_EQ(Delta(before, after, "salestrack_commit_seconds_count"), 3);
  EXPECT_EQ(Delta(before, after, "salestrack_wal_sync_seconds_count"), 2);
  EXPECT_GT(Delta(before, after, "salestrack_wal_sync_seconds_sum"), 0);
  EXPECT_EQ(after["salestrack_log_head_seq"], static_cast<double>(org.size() + 14));
  EXPECT_GT(after["salestrack_rocksdb_cur_size_all_mem_tables{cf=\"log\"}"], 0);
  EXPECT_TRUE(after.count("salestrack_rocksdb_total_sst_files_size{cf=\"ids\"}"));
  EXPECT_TRUE(after.count("salestrack_rocksdb_estimate_pending_compaction_bytes{cf=\"log\"}"));
  EXPECT_EQ(after["salestrack_board_subscribers"], 0);
  EXPECT_EQ(after["salestrack_log_followers"], 0);

  // A board subscriber and a log follower show while they are connected.
  auto boards = v1::LeaderboardService::NewStub(daemon_.NewChannel());
  v1::SubscribeLeaderboardRequest board;
  board.mutable_board()->set_unit_id("team-east");
  board.mutable_board()->set_metric("sales_amount");
  board.mutable_board()->mutable_period()->set_kind(v1::MONTH);
  grpc::ClientContext board_context;
  auto subscriber = boards->SubscribeLeaderboard(&board_context, board);
  v1::LeaderboardUpdate update;
  ASSERT_TRUE(subscriber->Read(&update));
  v1::ReadEventsRequest follow;
  follow.set_follow(true);
  grpc::ClientContext follow_context;
  auto follower = daemon_.NewStub()->ReadEvents(&follow_context, follow);
  v1::ReadEventsResponse records;
  ASSERT_TRUE(follower->Read(&records));
  std::map<std::string, double> live = Samples(Scrape(daemon_.metrics_port()));
  EXPECT_EQ(live["salestrack_board_subscribers"], 1);
  EXPECT_GE(live["salestrack_boards"], 1);
  EXPECT_EQ(live["salestrack_log_followers"], 1);
  board_context.TryCancel();
  subscriber->Finish();
  follow_context.TryCancel();
  follower->Finish();
}

// Query handlers are timed by method, and readers' waits for the views' lock by lock: the
// server-side share of a query's latency, which a client cannot see.
TEST_F(MetricsTest, QueriesAreTimedByMethodWithTheirWaitsForTheViews) {
  ASSERT_GT(daemon_.metrics_port(), 0);
  ASSERT_EQ(Append(testing::OpsHistory(0)), grpc::StatusCode::OK);
  ASSERT_EQ(Append(Actions("q", 3)), grpc::StatusCode::OK);
  std::map<std::string, double> before = Samples(Scrape(daemon_.metrics_port()));

  auto kpis = v1::KpiService::NewStub(daemon_.NewChannel());
  auto get_kpis = [&](const std::string& unit) {
    v1::GetKpisRequest request;
    request.mutable_subject()->set_unit_id(unit);
    request.mutable_period()->set_kind(v1::MONTH);
    v1::GetKpisResponse response;
    grpc::ClientContext context;
    return kpis->GetKpis(&context, request, &response).error_code();
  };
  for (int i = 0; i < 3; ++i) ASSERT_EQ(get_kpis("team-east"), grpc::StatusCode::OK);
  ASSERT_EQ(get_kpis("nowhere"), grpc::StatusCode::NOT_FOUND);  // A refused query is timed too.
  auto boards = v1::LeaderboardService::NewStub(daemon_.NewChannel());
  v1::GetLeaderboardRequest get;
  get.mutable_board()->set_unit_id("team-east");
  get.mutable_board()->set_metric("actions");
  get.mutable_board()->mutable_period()->set_kind(v1::MONTH);
  v1::GetLeaderboardResponse board;
  grpc::ClientContext context;
  ASSERT_TRUE(boards->GetLeaderboard(&context, get, &board).ok());

  std::map<std::string, double> after = Samples(Scrape(daemon_.metrics_port()));
  EXPECT_EQ(Delta(before, after, "salestrack_query_seconds_count{method=\"GetKpis\"}"), 4);
  EXPECT_GT(Delta(before, after, "salestrack_query_seconds_sum{method=\"GetKpis\"}"), 0);
  EXPECT_EQ(Delta(before, after, "salestrack_query_seconds_count{method=\"GetLeaderboard\"}"), 1);
  EXPECT_EQ(Delta(before, after, "salestrack_query_seconds_count{method=\"GetFunnel\"}"), 0);
  // Each answered GetKpis read the views once (the refused one may not have); the board read
  // them between commit groups.
  EXPECT_GE(Delta(before, after, "salestrack_views_read_wait_seconds_count{lock=\"read\"}"), 3);
  EXPECT_GE(Delta(before, after, "salestrack_views_read_wait_seconds_count{lock=\"whole_groups\"}"),
            1);
  // Every bucket is there, and a wait is counted in its +Inf bucket.
  EXPECT_EQ(after["salestrack_views_read_wait_seconds_bucket{lock=\"read\",le=\"+Inf\"}"],
            after["salestrack_views_read_wait_seconds_count{lock=\"read\"}"]);
  EXPECT_TRUE(after.count("salestrack_query_seconds_bucket{method=\"GetKpis\",le=\"0.001\"}"));
}

TEST_F(MetricsTest, SalestrackStatsShowsTheEndpointsFigures) {
  ASSERT_EQ(Append(Actions("s", 7)), grpc::StatusCode::OK);
  std::map<std::string, double> scraped = Samples(Scrape(daemon_.metrics_port()));
  testing::CliResult r = RunCli(absl::StrCat("--server ", daemon_.address(), " stats"));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("salestrackd " + daemon_.address()));
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex("\nsalestrack_append_events_total\\{outcome=\"new\"\\} +7\n")))
      << r.out;
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex("\nsalestrack_append_batch_events +n=1 mean=7 p50 <= 10 p99 <= 10\n")))
      << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("\nsalestrack_wal_sync_seconds +n=1 mean=")));
  EXPECT_TRUE(std::regex_search(r.out, std::regex("\nsalestrack_log_head_seq +7\n")));
  // Every family the endpoint serves is in the table (RocksDB's, the boards', ...).
  for (const auto& [name, value] : scraped) {
    if (name.rfind("salestrack_", 0) != 0 || name.find("_bucket") != std::string::npos ||
        name.find("_count") != std::string::npos || name.find("_sum") != std::string::npos) {
      continue;
    }
    EXPECT_THAT(r.out, HasSubstr("\n" + name + " ")) << name;
  }
  testing::CliResult json = RunCli(absl::StrCat("--server ", daemon_.address(), " stats --json"));
  EXPECT_THAT(json.out, HasSubstr("\"name\":\"salestrack_log_head_seq\""));
}

TEST_F(MetricsTest, AnEndpointAddressInUseStopsTheStart) {
  std::string err;
  int code = testing::RunDaemonToExit(
      {"--listen=127.0.0.1:0", "--data_dir=" + dir_.Sub("other"),
       absl::StrCat("--metrics_listen=127.0.0.1:", daemon_.metrics_port())},
      &err);
  EXPECT_EQ(code, 2);
  EXPECT_THAT(err, HasSubstr(absl::StrCat("metrics_listen_address: cannot serve on 127.0.0.1:",
                                          daemon_.metrics_port())));
}

}  // namespace
}  // namespace salestrack
