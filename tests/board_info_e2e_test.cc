// Leaderboards through a real daemon: every message carries the board's info as of its seq (after
// members leave or move and a competition's window or metric changes), and the request integers
// (top, around.radius, resume_after_seq) behave at their edges.
#include <limits>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "board_stream.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "org_events.h"
#include "salestrack/mutex.h"
#include "salestrack/v1/leaderboard_service.grpc.pb.h"
#include "test_util.h"

namespace salestrack::testing {
namespace {

using ::testing::HasSubstr;

v1::Event Competition(const std::string& event_id, absl::Time defined_at, absl::Time end,
                      const std::string& metric) {
  v1::Event e = Org(event_id, defined_at);
  auto* c = e.mutable_competition_defined();
  c->set_competition_id("pk");
  c->set_name("October PK");
  *c->mutable_start() = ToProto(Utc(2026, 10, 1));
  *c->mutable_end() = ToProto(end);
  c->set_metric(metric);
  c->add_participant_unit_ids("east");
  c->set_mode(v1::CompetitionDefined::INDIVIDUAL);
  return e;
}

v1::GetLeaderboardResponse Get(v1::LeaderboardService::Stub& stub, const v1::BoardRef& board) {
  v1::GetLeaderboardRequest request;
  *request.mutable_board() = board;
  v1::GetLeaderboardResponse response;
  grpc::ClientContext context;
  grpc::Status s = stub.GetLeaderboard(&context, request, &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return response;
}

v1::BoardRef EastOctober() {
  v1::BoardRef b;
  b.set_unit_id("east");
  b.set_metric("actions");
  b.mutable_period()->set_kind(v1::MONTH);
  b.mutable_period()->mutable_date()->set_year(2026);
  b.mutable_period()->mutable_date()->set_month(10);
  b.mutable_period()->mutable_date()->set_day(1);
  return b;
}

class BoardInfoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = daemon_.NewStub();
    boards_ = v1::LeaderboardService::NewStub(daemon_.NewChannel());
    std::vector<v1::Event> events = {UnitDef("east", ""), UnitDef("west", "")};
    for (int i = 0; i < 4; ++i) {
      events.push_back(RepDef("def-r" + std::to_string(i), "r" + std::to_string(i), "east", true));
      // r0 3 actions, r1 2, r2 1, r3 none.
      for (int k = 0; k < 3 - i; ++k) {
        events.push_back(Action(absl::StrCat("a", i, "-", k), "r" + std::to_string(i), "c",
                                Utc(2026, 10, 5 + k)));
      }
    }
    events.push_back(Competition("pk-1", Utc(2026, 1, 1), Utc(2026, 10, 20), "actions"));
    AppendOk(*log_, events);
  }

  TempDir dir_;
  Daemon daemon_{dir_.Sub("data")};
  std::unique_ptr<v1::LogService::Stub> log_;
  std::unique_ptr<v1::LeaderboardService::Stub> boards_;
};

TEST_F(BoardInfoTest, EveryMessageCarriesTheBoardsInfoAsOfItsSeq) {
  v1::BoardRef competition;
  competition.set_competition_id("pk");
  std::vector<std::unique_ptr<Stream>> streams;
  auto subscribe = [&](const v1::BoardRef& board, uint32_t top, std::vector<std::string> members) {
    v1::SubscribeLeaderboardRequest r;
    *r.mutable_board() = board;
    r.set_top(top);
    for (const std::string& m : members) r.add_member_ids(m);
    streams.push_back(std::make_unique<Stream>(*boards_, r));
  };
  subscribe(EastOctober(), 0, {});      // The whole board.
  subscribe(EastOctober(), 1, {});      // Top 1: r0, whoever leaves below it.
  subscribe(EastOctober(), 0, {"r0"});  // A chosen member who stays.
  subscribe(competition, 0, {});
  subscribe(competition, 1, {});
  // `must`: the streams whose board's info changes at `seq`, so a message at exactly that seq is
  // due.
  auto check = [&](const std::string& step, uint64_t seq, std::vector<size_t> must) {
    for (size_t i = 0; i < streams.size(); ++i) {
      SCOPED_TRACE(absl::StrCat(step, ", stream ", i));
      const bool due = std::find(must.begin(), must.end(), i) != must.end();
      std::optional<v1::LeaderboardUpdate> u = due ? streams[i]->AtLeast(seq) : streams[i]->Last();
      ASSERT_TRUE(u.has_value()) << "no message at seq " << seq;
      v1::GetLeaderboardResponse now = Get(*boards_, streams[i]->board());
      ASSERT_EQ(now.seq(), seq);  // Nothing was appended since: the board as of `seq`.
      if (due) {
        EXPECT_EQ(u->seq(), seq);
      }
      EXPECT_EQ(u->info().DebugString(), now.info().DebugString()) << u->DebugString();
    }
  };
  const uint64_t first = Get(*boards_, EastOctober()).seq();
  check("subscribed", first, {0, 1, 2, 3, 4});
  EXPECT_EQ(streams[0]->Last()->info().members(), 4u);

  // r3 (no actions: below every top-1 view) leaves; then r2 moves to another unit.
  check("r3 inactive",
        AppendOk(*log_, {RepDef("def-r3-off", "r3", "east", false, Utc(2026, 1, 2))}),
        {0, 1, 2, 3, 4});
  EXPECT_EQ(streams[1]->Last()->info().members(), 3u);
  check("r2 moved", AppendOk(*log_, {RepDef("def-r2-west", "r2", "west", true, Utc(2026, 1, 3))}),
        {0, 1, 2, 3, 4});
  EXPECT_EQ(streams[2]->Last()->info().members(), 2u);

  // The competition's window moves (nothing in the new days: no entry changes), then its metric
  // (a fresh snapshot, RESYNC).
  const absl::Time later_end = Utc(2026, 10, 25);
  check("window", AppendOk(*log_, {Competition("pk-2", Utc(2026, 1, 4), later_end, "actions")}),
        {3, 4});
  EXPECT_EQ(FromProto(streams[4]->Last()->info().end()), later_end);
  check("metric", AppendOk(*log_, {Competition("pk-3", Utc(2026, 1, 5), later_end, "action_cost")}),
        {3, 4});
  EXPECT_EQ(streams[3]->Last()->reason(), v1::LeaderboardUpdate::RESYNC);
  EXPECT_EQ(streams[3]->Last()->info().metric(), "action_cost");
}

TEST_F(BoardInfoTest, RequestIntegersAtTheirEdges) {
  const uint32_t edges[] = {1u << 31, std::numeric_limits<uint32_t>::max()};
  for (uint32_t radius : edges) {
    SCOPED_TRACE(radius);
    v1::GetLeaderboardRequest request;
    *request.mutable_board() = EastOctober();
    request.mutable_around()->set_member_id("r1");
    request.mutable_around()->set_radius(radius);
    v1::GetLeaderboardResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(boards_->GetLeaderboard(&context, request, &response).ok());
    EXPECT_EQ(response.entries_size(), 4);  // Clipped to the whole board.
  }
  {
    v1::GetLeaderboardRequest request;
    *request.mutable_board() = EastOctober();
    request.mutable_around()->set_member_id("r1");
    request.mutable_around()->set_radius(1);
    v1::GetLeaderboardResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(boards_->GetLeaderboard(&context, request, &response).ok());
    ASSERT_EQ(response.entries_size(), 3);
    EXPECT_EQ(response.entries(0).member_id(), "r0");
    EXPECT_EQ(response.entries(2).member_id(), "r2");
  }
  for (uint32_t top : edges) {
    SCOPED_TRACE(top);
    v1::GetLeaderboardRequest request;
    *request.mutable_board() = EastOctober();
    request.set_top(top);
    v1::GetLeaderboardResponse response;
    grpc::ClientContext context;
    grpc::Status s = boards_->GetLeaderboard(&context, request, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("top: at most 10000"));

    v1::SubscribeLeaderboardRequest sub;
    *sub.mutable_board() = EastOctober();
    sub.set_top(top);
    grpc::ClientContext sub_context;
    auto reader = boards_->SubscribeLeaderboard(&sub_context, sub);
    v1::LeaderboardUpdate u;
    EXPECT_FALSE(reader->Read(&u));
    s = reader->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr("top: at most 10000"));
  }
  // A resume point past anything the board has: a fresh snapshot.
  for (uint64_t after : {uint64_t{1} << 32, std::numeric_limits<uint64_t>::max()}) {
    SCOPED_TRACE(after);
    v1::SubscribeLeaderboardRequest sub;
    *sub.mutable_board() = EastOctober();
    sub.set_resume_after_seq(after);
    grpc::ClientContext context;
    auto reader = boards_->SubscribeLeaderboard(&context, sub);
    v1::LeaderboardUpdate u;
    ASSERT_TRUE(reader->Read(&u));
    EXPECT_EQ(u.kind(), v1::LeaderboardUpdate::SNAPSHOT);
    EXPECT_EQ(u.reason(), v1::LeaderboardUpdate::RESYNC);
    EXPECT_EQ(u.entries_size(), 4);
    context.TryCancel();
    reader->Finish();
  }
}

}  // namespace
}  // namespace salestrack::testing
