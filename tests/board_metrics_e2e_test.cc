// Boards beyond KPI_SPEC §7's per-period metrics, end to end: attainment boards (actual over
// target, ordered exactly, live as targets change) through a real daemon and the CLI; the
// follow-up discipline board (overdue_follow_ups, as of now) through an in-process server on a
// fake clock, changing when the clock passes a due time with no event.
#include <chrono>
#include <memory>

#include "absl/strings/str_cat.h"
#include "board_stream.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "org_events.h"
#include "salestrack/clock.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "salestrack/v1/leaderboard_service.grpc.pb.h"
#include "server/server.h"
#include "test_util.h"

namespace salestrack::testing {
namespace {

using ::testing::HasSubstr;

v1::Event Target(const std::string& event_id, const std::string& rep, int64_t target,
                 absl::Time at = Utc(2026, 1, 1)) {
  v1::Event e = Org(event_id, at);
  auto* t = e.mutable_target_set();
  t->set_subject_rep_id(rep);
  t->mutable_period()->set_kind(v1::MONTH);
  t->mutable_period()->mutable_date()->set_year(2026);
  t->mutable_period()->mutable_date()->set_month(11);
  t->mutable_period()->mutable_date()->set_day(1);
  t->set_metric("sales_amount");
  t->set_baseline(target / 2);
  t->set_target(target);
  t->set_challenge(target * 2);
  return e;
}

v1::BoardRef November(const std::string& metric) {
  v1::BoardRef b;
  b.set_unit_id("east");
  b.set_metric(metric);
  b.mutable_period()->set_kind(v1::MONTH);
  b.mutable_period()->mutable_date()->set_year(2026);
  b.mutable_period()->mutable_date()->set_month(11);
  b.mutable_period()->mutable_date()->set_day(1);
  return b;
}

grpc::Status Get(v1::LeaderboardService::Stub& stub, const v1::BoardRef& board,
                 v1::GetLeaderboardResponse* response) {
  v1::GetLeaderboardRequest request;
  *request.mutable_board() = board;
  grpc::ClientContext context;
  return stub.GetLeaderboard(&context, request, response);
}

// member:rank:attainment_bp for each entry, in board order ("-" for an absent attainment_bp).
std::vector<std::string> Ranks(const google::protobuf::RepeatedPtrField<v1::LeaderboardEntry>& es) {
  std::vector<std::string> out;
  for (const auto& e : es) {
    out.push_back(absl::StrCat(e.member_id(), ":", e.rank(), ":",
                               e.has_attainment_bp() ? absl::StrCat(e.attainment_bp()) : "-"));
  }
  return out;
}

// ---- Attainment, through a real daemon
// -----------------------------------------------------------

class AttainmentBoardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = daemon_.NewStub();
    boards_ = v1::LeaderboardService::NewStub(daemon_.NewChannel());
    std::vector<v1::Event> events = {UnitDef("east", "")};
    for (const char* rep : {"ann", "bob", "cat", "dan", "eve"}) {
      events.push_back(RepDef(absl::StrCat("def-", rep), rep, "east", true));
    }
    // ann 80 %, bob 70 %; cat 2/3 and dan 666,666/1,000,000 both show 66.66 % but are not equal;
    // eve has no target.
    events.push_back(Target("t-ann", "ann", 1'000));
    events.push_back(Target("t-bob", "bob", 3'000));
    events.push_back(Target("t-cat", "cat", 3));
    events.push_back(Target("t-dan", "dan", 1'000'000));
    events.push_back(Contract("k-ann", "ann", "k1", 800, Utc(2026, 11, 3)));
    events.push_back(Contract("k-bob", "bob", "k2", 2'100, Utc(2026, 11, 4)));
    events.push_back(Contract("k-cat", "cat", "k3", 2, Utc(2026, 11, 5)));
    events.push_back(Contract("k-dan", "dan", "k4", 666'666, Utc(2026, 11, 6)));
    events.push_back(Contract("k-eve", "eve", "k5", 5'000'000, Utc(2026, 11, 7)));
    AppendOk(*log_, events);
  }

  TempDir dir_;
  Daemon daemon_{dir_.Sub("data")};
  std::unique_ptr<v1::LogService::Stub> log_;
  std::unique_ptr<v1::LeaderboardService::Stub> boards_;
};

TEST_F(AttainmentBoardTest, RanksByExactAttainmentAndFollowsATargetChangeLive) {
  v1::GetLeaderboardResponse board;
  ASSERT_TRUE(Get(*boards_, November("attainment:sales_amount"), &board).ok());
  EXPECT_EQ(board.info().kind(), v1::MetricValue::RATIO);
  EXPECT_FALSE(board.info().lower_is_better());
  EXPECT_FALSE(board.info().as_of_now());
  // cat's 2/3 is above dan's 0.666666 though both floor to 6,666 basis points.
  EXPECT_THAT(
      Ranks(board.entries()),
      ::testing::ElementsAre("ann:1:8000", "bob:2:7000", "cat:3:6666", "dan:4:6666", "eve:0:-"));
  EXPECT_DOUBLE_EQ(board.entries(0).value(), 0.8);
  EXPECT_FALSE(board.entries(4).defined());

  v1::SubscribeLeaderboardRequest request;
  *request.mutable_board() = November("attainment:sales_amount");
  Stream stream(*boards_, request);
  ASSERT_TRUE(stream.AtLeast(board.seq()).has_value());
  // bob's target is lowered to 2,000: 105 %, first. No activity event: the TargetSet alone moves
  // him.
  const uint64_t seq = AppendOk(*log_, {Target("t-bob-2", "bob", 2'000, Utc(2026, 2, 1))});
  std::optional<v1::LeaderboardUpdate> u = stream.AtLeast(seq);
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->kind(), v1::LeaderboardUpdate::DELTA);
  EXPECT_THAT(Ranks(u->entries()), ::testing::ElementsAre("bob:1:10500", "ann:2:8000"));
  EXPECT_EQ(u->entries(0).previous_rank(), 2u);
  ASSERT_TRUE(Get(*boards_, November("attainment:sales_amount"), &board).ok());
  EXPECT_EQ(board.seq(), seq);
  EXPECT_THAT(
      Ranks(board.entries()),
      ::testing::ElementsAre("bob:1:10500", "ann:2:8000", "cat:3:6666", "dan:4:6666", "eve:0:-"));

  // The CLI shows the attainment as a scorecard does.
  CliResult top = RunCli(absl::StrCat("top --server ", daemon_.address(),
                                      " --unit east --metric attainment:sales_amount --period month"
                                      " --date 2026-11-01"));
  ASSERT_EQ(top.code, 0) << top.err;
  EXPECT_THAT(top.out, HasSubstr("attainment:sales_amount — unit east"));
  EXPECT_THAT(top.out, HasSubstr("105.00%"));
  EXPECT_THAT(top.out, HasSubstr("66.66%"));
}

TEST_F(AttainmentBoardTest, TeamCompetitionsRankAttainmentAndRefusePointInTimeFigures) {
  std::vector<v1::Event> events = {UnitDef("sh", "east"), UnitDef("hz", "east"),
                                   RepDef("def-sh", "sh-rep", "sh", true),
                                   RepDef("def-hz", "hz-rep", "hz", true)};
  for (auto [unit, target] : {std::pair{"sh", 1'000}, std::pair{"hz", 100}}) {
    v1::Event t = Target(absl::StrCat("t-", unit), "", target);
    t.mutable_target_set()->set_subject_unit_id(unit);
    events.push_back(t);
  }
  events.push_back(Contract("k-sh", "sh-rep", "k-sh", 900, Utc(2026, 11, 12)));  // 90 %.
  events.push_back(Contract("k-hz", "hz-rep", "k-hz", 150, Utc(2026, 11, 12)));  // 150 %.
  v1::Event pk = Org("pk");
  auto* c = pk.mutable_competition_defined();
  c->set_competition_id("pk");
  c->set_name("PK");
  *c->mutable_start() = ToProto(Utc(2026, 11, 10));
  *c->mutable_end() = ToProto(Utc(2026, 11, 20));
  c->set_metric("attainment:sales_amount");
  c->add_participant_unit_ids("sh");
  c->add_participant_unit_ids("hz");
  c->set_mode(v1::CompetitionDefined::TEAM);
  events.push_back(pk);
  AppendOk(*log_, events);
  v1::BoardRef ref;
  ref.set_competition_id("pk");
  v1::GetLeaderboardResponse board;
  ASSERT_TRUE(Get(*boards_, ref, &board).ok());
  EXPECT_TRUE(board.info().team());
  EXPECT_THAT(Ranks(board.entries()), ::testing::ElementsAre("hz:1:15000", "sh:2:9000"));

  // A window has no "now": a point-in-time competition is refused whole, naming the field.
  c->set_competition_id("pit");
  c->set_metric("overdue_follow_ups");
  pk.set_event_id("pk-pit");
  v1::AppendRequest request;
  *request.add_events() = pk;
  v1::AppendResponse response;
  grpc::ClientContext context;
  grpc::Status s = log_->Append(&context, request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("competition_defined.metric"));
  // A unit board refuses an attainment of what has no target.
  for (const char* bad : {"attainment:overdue", "attainment:nothing"}) {
    EXPECT_EQ(Get(*boards_, November(bad), &board).error_code(), grpc::StatusCode::INVALID_ARGUMENT)
        << bad;
  }
}

TEST_F(AttainmentBoardTest, TheCatalogueListsWhatBoardsRankAndHow) {
  v1::GetOrgInfoResponse info;
  grpc::ClientContext context;
  ASSERT_TRUE(v1::KpiService::NewStub(daemon_.NewChannel())
                  ->GetOrgInfo(&context, v1::GetOrgInfoRequest(), &info)
                  .ok());
  absl::flat_hash_map<std::string, v1::GetOrgInfoResponse::Metric> by_name;
  for (const auto& m : info.metrics()) by_name[m.name()] = m;
  ASSERT_TRUE(by_name.contains("attainment:sales_amount"));
  EXPECT_TRUE(by_name["attainment:sales_amount"].rankable());
  EXPECT_TRUE(by_name["attainment:sales_amount"].attainment());
  EXPECT_EQ(by_name["attainment:sales_amount"].unit(), "ratio");
  EXPECT_TRUE(by_name["overdue_follow_ups"].rankable());
  EXPECT_TRUE(by_name["overdue_follow_ups"].lower_is_better());
  EXPECT_FALSE(by_name["open_pipeline"].lower_is_better());
  EXPECT_TRUE(by_name["sales_cycle"].lower_is_better());
  EXPECT_FALSE(by_name.contains("attainment:overdue"));
}

// ---- Follow-up discipline, in process on a fake clock -------------------------------------------

class OverdueBoardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.data_dir = dir_.Sub("data");
    options.insecure_no_auth = true;
    auto s = server::Server::Start(options, &clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                       grpc::InsecureChannelCredentials());
    log_ = v1::LogService::NewStub(channel);
    boards_ = v1::LeaderboardService::NewStub(channel);
    // ann's follow-up with c1 is due at 10:00:30, bob's with c2 at 12:00; cat has none.
    AppendOk(*log_, {UnitDef("east", ""), RepDef("def-ann", "ann", "east", true),
                     RepDef("def-bob", "bob", "east", true), RepDef("def-cat", "cat", "east", true),
                     Visit("v1", "ann", "c1", Utc(2026, 11, 23, 9), Utc(2026, 11, 23, 10, 0, 30)),
                     Visit("v2", "bob", "c2", Utc(2026, 11, 23, 9), Utc(2026, 11, 23, 12))});
  }
  static v1::Event Visit(const std::string& id, const std::string& rep, const std::string& customer,
                         absl::Time at, std::optional<absl::Time> follow_up) {
    v1::Event e = Action(id, rep, customer, at);
    if (follow_up) *e.mutable_action_logged()->mutable_next_follow_up_at() = ToProto(*follow_up);
    return e;
  }
  // value:rank per member, in board order.
  static std::vector<std::string> Values(const v1::GetLeaderboardResponse& b) {
    std::vector<std::string> out;
    for (const auto& e : b.entries()) {
      out.push_back(absl::StrCat(e.member_id(), ":", e.value(), ":", e.rank()));
    }
    return out;
  }

  TempDir dir_;
  FakeClock clock_{Utc(2026, 11, 23, 10)};
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<v1::LogService::Stub> log_;
  std::unique_ptr<v1::LeaderboardService::Stub> boards_;
};

TEST_F(OverdueBoardTest, ABoardChangesWhenTheClockPassesADueTimeAndAnActionMovesTheRepUp) {
  v1::SubscribeLeaderboardRequest request;
  *request.mutable_board() = November("overdue_follow_ups");
  Stream stream(*boards_, request);
  std::optional<v1::LeaderboardUpdate> first = stream.AtLeast(1);
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->info().as_of_now());
  EXPECT_TRUE(first->info().lower_is_better());
  EXPECT_EQ(first->entries_size(), 3);
  for (const auto& e : first->entries()) EXPECT_EQ(e.rank(), 1u) << e.member_id();
  const uint64_t seq = first->seq();

  // ann's follow-up falls due with no event: the subscriber sees her drop within a second.
  clock_.Set(Utc(2026, 11, 23, 10, 0, 31));
  const auto passed = std::chrono::steady_clock::now();
  std::optional<v1::LeaderboardUpdate> u = stream.First(
      [](const v1::LeaderboardUpdate& u) { return u.kind() == v1::LeaderboardUpdate::DELTA; });
  ASSERT_TRUE(u.has_value());
  EXPECT_LT(std::chrono::steady_clock::now() - passed, std::chrono::seconds(1));
  EXPECT_EQ(u->seq(), seq);  // The log did not move; the clock did.
  v1::GetLeaderboardResponse board;
  ASSERT_TRUE(Get(*boards_, November("overdue_follow_ups"), &board).ok());
  EXPECT_THAT(Values(board), ::testing::ElementsAre("bob:0:1", "cat:0:1", "ann:1:3"));

  // A read right after the next due time answers as of the clock, without waiting for a tick.
  clock_.Set(Utc(2026, 11, 23, 12, 0, 1));
  ASSERT_TRUE(Get(*boards_, November("overdue_follow_ups"), &board).ok());
  EXPECT_THAT(Values(board), ::testing::ElementsAre("cat:0:1", "ann:1:2", "bob:1:2"));

  // ann calls c1: her follow-up is done, and she moves up past bob.
  const uint64_t done = AppendOk(*log_, {Visit("v3", "ann", "c1", Utc(2026, 11, 23, 12), {})});
  u = stream.AtLeast(done);
  ASSERT_TRUE(u.has_value());
  ASSERT_TRUE(Get(*boards_, November("overdue_follow_ups"), &board).ok());
  EXPECT_THAT(Values(board), ::testing::ElementsAre("ann:0:1", "cat:0:1", "bob:1:3"));

  // A resume cannot be served from a seq (the clock moved the board at the same seq): a snapshot.
  request.set_resume_after_seq(seq);
  Stream resumed(*boards_, request);
  std::optional<v1::LeaderboardUpdate> r = resumed.AtLeast(done);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason(), v1::LeaderboardUpdate::RESYNC);
  EXPECT_EQ(r->entries_size(), 3);
}

}  // namespace
}  // namespace salestrack::testing
