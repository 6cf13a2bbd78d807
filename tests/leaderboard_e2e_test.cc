// Live leaderboards end to end: streams under concurrent random ingest checked against a replay of
// the log after every update; rollover with a fake clock; resume; stalled subscribers.
#include <atomic>
#include <random>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "org_events.h"
#include "salestrack/leaderboard.h"
#include "salestrack/mutex.h"
#include "salestrack/v1/leaderboard_service.grpc.pb.h"
#include "server/server.h"
#include "test_util.h"

namespace salestrack::testing {
namespace {

BoardEntry FromWire(const v1::LeaderboardEntry& e) {
  return {e.member_id(), e.defined() ? std::optional<double>(e.value()) : std::nullopt,
          static_cast<int>(e.rank())};
}

// A subscriber's board, built from its updates exactly as a screen would.
struct ClientBoard {
  absl::flat_hash_map<std::string, BoardEntry> entries;
  void Apply(const v1::LeaderboardUpdate& u) {
    if (u.kind() == v1::LeaderboardUpdate::SNAPSHOT) entries.clear();
    for (const std::string& m : u.removed()) entries.erase(m);
    for (const v1::LeaderboardEntry& e : u.entries()) entries[e.member_id()] = FromWire(e);
  }
  std::vector<BoardEntry> Sorted() const {
    std::vector<BoardEntry> out;
    for (const auto& [m, e] : entries) out.push_back(e);
    std::sort(out.begin(), out.end(), [](const BoardEntry& a, const BoardEntry& b) {
      int ra = a.rank == 0 ? INT32_MAX : a.rank, rb = b.rank == 0 ? INT32_MAX : b.rank;
      return ra != rb ? ra < rb : a.member < b.member;
    });
    return out;
  }
};

struct Stream {
  v1::SubscribeLeaderboardRequest request;
  BoardSpec spec;
  std::unique_ptr<grpc::ClientContext> context;
  std::thread reader;
  salestrack::Mutex mu;
  std::vector<v1::LeaderboardUpdate> updates;
};

std::vector<BoardEntry> Filter(const std::vector<BoardEntry>& board,
                               const v1::SubscribeLeaderboardRequest& r) {
  if (r.top() != 0) return {board.begin(), board.begin() + std::min<size_t>(r.top(), board.size())};
  if (r.member_ids().empty()) return board;
  std::vector<BoardEntry> out;
  for (const BoardEntry& e : board) {
    if (std::find(r.member_ids().begin(), r.member_ids().end(), e.member) != r.member_ids().end()) {
      out.push_back(e);
    }
  }
  return out;
}

TEST(LeaderboardE2eTest, StreamsEqualAReplayOfTheLogAfterEveryUpdate) {
  TempDir dir;
  Daemon daemon(dir.path());
  auto log = daemon.NewStub();
  auto boards = v1::LeaderboardService::NewStub(daemon.NewChannel());

  std::vector<v1::Event> org = {UnitDef("east", ""), UnitDef("sh", "east"), UnitDef("hz", "east")};
  for (int i = 0; i < 12; ++i) {
    org.push_back(RepDef("rep-def-" + std::to_string(i), "r" + std::to_string(i),
                         i % 2 == 0 ? "sh" : "hz", i != 11));
  }
  v1::Event pk = Org("comp-pk");
  auto* c = pk.mutable_competition_defined();
  c->set_competition_id("pk");
  c->set_name("Team PK");
  *c->mutable_start() = ToProto(Utc(2026, 10, 10));
  *c->mutable_end() = ToProto(Utc(2026, 10, 20));
  c->set_metric("sales_amount");
  c->add_participant_unit_ids("sh");
  c->add_participant_unit_ids("hz");
  c->set_mode(v1::CompetitionDefined::TEAM);
  org.push_back(pk);
  AppendOk(*log, org);

  const Period oct = PeriodOf(PeriodKind::kMonth, Utc(2026, 10, 15), absl::UTCTimeZone());
  std::vector<std::unique_ptr<Stream>> streams;
  auto add = [&](const std::string& metric, uint32_t top, std::vector<std::string> members,
                 bool competition = false) {
    auto s = std::make_unique<Stream>();
    v1::BoardRef* b = s->request.mutable_board();
    if (competition) {
      b->set_competition_id("pk");
      s->spec = BoardSpec::ForCompetition("pk");
    } else {
      b->set_unit_id("east");
      b->set_metric(metric);
      b->mutable_period()->set_kind(v1::MONTH);
      b->mutable_period()->mutable_date()->set_year(2026);
      b->mutable_period()->mutable_date()->set_month(10);
      b->mutable_period()->mutable_date()->set_day(15);
      s->spec = BoardSpec::ForUnit("east", oct, metric);
    }
    s->request.set_top(top);
    for (auto& m : members) s->request.add_member_ids(m);
    streams.push_back(std::move(s));
  };
  add("sales_amount", 0, {});
  add("sales_amount", 3, {});
  add("sales_amount", 0, {"r1", "r4", "r11"});
  add("win_rate", 0, {});
  add("", 0, {}, /*competition=*/true);
  for (auto& s : streams) {
    s->context = std::make_unique<grpc::ClientContext>();
    Stream* raw = s.get();
    s->reader = std::thread([&boards, raw] {
      auto reader = boards->SubscribeLeaderboard(raw->context.get(), raw->request);
      v1::LeaderboardUpdate u;
      while (reader->Read(&u)) {
        salestrack::MutexLock lock(&raw->mu);
        raw->updates.push_back(u);
      }
      reader->Finish();
    });
  }

  // Random ingest: contracts (many ties), late ones in September, opportunities won and lost,
  // duplicates, voids, and reps changing team or going inactive.
  std::mt19937 rng(2026);
  std::vector<v1::Event> sent;
  int next = 0;
  for (int batch = 0; batch < 150; ++batch) {
    std::vector<v1::Event> events;
    int n = 1 + static_cast<int>(rng() % 5);
    for (int i = 0; i < n; ++i) {
      std::string rep = "r" + std::to_string(rng() % 12);
      absl::Time at = Utc(2026, 10, 1) + absl::Hours(rng() % (24 * 30));
      if (rng() % 6 == 0)
        at = Utc(2026, 9, 1) + absl::Hours(rng() % (24 * 30));  // Late: September.
      std::string id = "ev-" + std::to_string(next++);
      int kind = static_cast<int>(rng() % 10);
      if (kind < 5) {
        events.push_back(Contract(id, rep, "k-" + id, 1000 * (1 + rng() % 4), at));
      } else if (kind < 7) {
        v1::Event open;
        open.set_event_id(id + "-open");
        open.set_rep_id(rep);
        *open.mutable_occurred_at() = ToProto(at);
        open.mutable_opportunity_opened()->set_opportunity_id("o-" + id);
        open.mutable_opportunity_opened()->set_customer_id("cust");
        events.push_back(open);
        v1::Event close = open;
        close.set_event_id(id + "-close");
        close.clear_opportunity_opened();
        *close.mutable_occurred_at() = ToProto(at + absl::Hours(1));
        close.mutable_opportunity_closed()->set_opportunity_id("o-" + id);
        close.mutable_opportunity_closed()->set_outcome(rng() % 2 ? v1::OpportunityClosed::WON
                                                                  : v1::OpportunityClosed::LOST);
        events.push_back(close);
      } else if (kind == 7 && !sent.empty()) {
        events.push_back(sent[rng() % sent.size()]);  // A retry: a duplicate.
      } else if (kind == 8 && !sent.empty()) {
        const v1::Event& target = sent[rng() % sent.size()];
        if (target.has_contract_signed()) events.push_back(Void(id, target.event_id(), at));
      } else {
        const char* unit = rng() % 2 ? "sh" : "hz";
        events.push_back(
            RepDef(id, rep, unit, rng() % 5 != 0, Utc(2026, 2, 1) + absl::Hours(next)));
      }
    }
    if (events.empty()) continue;
    AppendOk(*log, events);
    for (auto& e : events) sent.push_back(e);
  }
  absl::SleepFor(absl::Milliseconds(500));
  for (auto& s : streams) s->context->TryCancel();
  for (auto& s : streams) s->reader.join();

  // Replay the log and check every update of every stream at its seq.
  std::vector<v1::EventRecord> records = ReadAll(*log);
  ASSERT_FALSE(records.empty());
  size_t checked = 0;
  for (auto& s : streams) {
    ASSERT_FALSE(s->updates.empty());
    EXPECT_EQ(s->updates.front().kind(), v1::LeaderboardUpdate::SNAPSHOT);
    Projector replay{ProjectorOptions{absl::UTCTimeZone()}};
    size_t applied = 0;
    ClientBoard client;
    uint64_t last_seq = 0;
    for (const v1::LeaderboardUpdate& u : s->updates) {
      ASSERT_GE(u.seq(), last_seq);
      last_seq = u.seq();
      client.Apply(u);
      while (applied < records.size() && records[applied].seq() <= u.seq()) {
        replay.Apply(records[applied++]);
      }
      absl::StatusOr<Board> expected = ComputeBoard(replay, s->spec);
      ASSERT_TRUE(expected.ok()) << expected.status();
      ASSERT_EQ(client.Sorted(), Filter(expected->entries, s->request))
          << s->spec.Key() << " top " << s->request.top() << " at seq " << u.seq();
      ++checked;
    }
    // Quiet now: the last update is the board the daemon answers.
    v1::GetLeaderboardRequest get;
    *get.mutable_board() = s->request.board();
    get.set_top(1000);
    v1::GetLeaderboardResponse now;
    grpc::ClientContext context;
    ASSERT_TRUE(boards->GetLeaderboard(&context, get, &now).ok());
    std::vector<BoardEntry> got;
    for (const auto& e : now.entries()) got.push_back(FromWire(e));
    EXPECT_EQ(Filter(got, s->request), client.Sorted()) << s->spec.Key();
  }
  EXPECT_GT(checked, 100u);
}

TEST(LeaderboardCliTest, TopPrintsTheBoardAndWatchRedrawsOnEveryChange) {
  TempDir dir;
  Daemon daemon(dir.path());
  auto log = daemon.NewStub();
  std::vector<v1::Event> org = {UnitDef("east", "")};
  for (int i = 0; i < 4; ++i) {
    org.push_back(RepDef("def-" + std::to_string(i), "r" + std::to_string(i), "east", true));
  }
  org.push_back(Contract("k0", "r1", "k0", 500, Utc(2026, 10, 5)));
  AppendOk(*log, org);
  const std::string board =
      "--server=" + daemon.address() + " --unit east --metric sales_amount --date 2026-10-15 ";

  CliResult top = RunCli(board + "top");
  ASSERT_EQ(top.code, 0) << top.err;
  EXPECT_THAT(top.out, ::testing::HasSubstr("4 on the board"));
  EXPECT_LT(top.out.find("r1"), top.out.find("r0"));  // 1 r1, then 2 r0, r2, r3 tied.
  CliResult one = RunCli(board + "top --member r2");
  ASSERT_EQ(one.code, 0) << one.err;
  EXPECT_THAT(one.out, ::testing::ContainsRegex("2 +r2"));
  EXPECT_EQ(one.out.find("r1"), std::string::npos);
  CliResult bad = RunCli("--server=" + daemon.address() + " top --unit east --metric bogus");
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, ::testing::HasSubstr("unknown metric \"bogus\""));
  EXPECT_EQ(RunCli("--server=" + daemon.address() + " top --metric sales_amount").code, 2);

  // Each append puts another rep on top (2^i exceeds everything before), so every update the
  // watcher draws moves someone up.
  CliResult watch;
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    watch = RunCli(board + "watch --updates 3");
    done = true;
  });
  for (int i = 0; i < 100 && !done; ++i) {
    AppendOk(*log, {Contract("w" + std::to_string(i), "r" + std::to_string(i % 3 == 1 ? 3 : i % 3),
                             "w" + std::to_string(i), int64_t{1000} << i, Utc(2026, 10, 6))});
    absl::SleepFor(absl::Milliseconds(100));
  }
  watcher.join();
  ASSERT_EQ(watch.code, 0) << watch.err;
  size_t boards = 0;
  for (size_t at = 0; (at = watch.out.find("on the board", at)) != std::string::npos; ++at)
    ++boards;
  EXPECT_EQ(boards, 3u) << watch.out;
  EXPECT_THAT(watch.out, ::testing::HasSubstr("▲ was")) << watch.out;
}

// ---- In-process: a fake clock, and the hub's own figures
// ------------------------------------------

class InProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server::ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.data_dir = dir_.path() + "/data";
    options.insecure_no_auth = true;  // Access control has its own tests (auth_e2e_test).
    auto s = server::Server::Start(options, &clock_);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = *std::move(s);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   grpc::InsecureChannelCredentials());
    log_ = v1::LogService::NewStub(channel_);
    boards_ = v1::LeaderboardService::NewStub(channel_);
    std::vector<v1::Event> org = {UnitDef("east", "")};
    for (int i = 0; i < 50; ++i) {
      org.push_back(RepDef("def-" + std::to_string(i), "r" + std::to_string(i), "east", true));
    }
    AppendOk(*log_, org);
  }
  v1::SubscribeLeaderboardRequest DayBoard() {
    v1::SubscribeLeaderboardRequest r;
    r.mutable_board()->set_unit_id("east");
    r.mutable_board()->set_metric("actions");
    r.mutable_board()->mutable_period()->set_kind(v1::DAY);
    return r;
  }

  TempDir dir_;
  FakeClock clock_{Utc(2026, 11, 23, 23, 59, 0)};
  std::unique_ptr<server::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::LogService::Stub> log_;
  std::unique_ptr<v1::LeaderboardService::Stub> boards_;
};

TEST_F(InProcessTest, TodaysBoardRollsOverAtMidnightWithANewSnapshot) {
  grpc::ClientContext context;
  auto reader = boards_->SubscribeLeaderboard(&context, DayBoard());
  v1::LeaderboardUpdate u;
  ASSERT_TRUE(reader->Read(&u));
  EXPECT_EQ(u.reason(), v1::LeaderboardUpdate::SUBSCRIBED);
  EXPECT_EQ(u.info().board().period().date().day(), 23);
  EXPECT_EQ(u.entries_size(), 50);
  AppendOk(*log_, {Action("a1", "r7", "c1", Utc(2026, 11, 23, 23, 59, 30))});
  ASSERT_TRUE(reader->Read(&u));
  EXPECT_EQ(u.kind(), v1::LeaderboardUpdate::DELTA);
  ASSERT_EQ(u.entries_size(), 50);  // r7 to rank 1 moves everyone else to rank 2.
  EXPECT_EQ(u.entries(0).member_id(), "r7");
  EXPECT_EQ(u.entries(0).rank(), 1u);
  EXPECT_EQ(u.entries(0).previous_rank(), 1u);
  EXPECT_EQ(u.entries(1).rank(), 2u);
  clock_.Set(Utc(2026, 11, 24, 0, 0, 1));
  ASSERT_TRUE(reader->Read(&u));
  EXPECT_EQ(u.reason(), v1::LeaderboardUpdate::ROLLOVER);
  EXPECT_EQ(u.kind(), v1::LeaderboardUpdate::SNAPSHOT);
  EXPECT_EQ(u.info().board().period().date().day(), 24);
  for (const auto& e : u.entries()) EXPECT_EQ(e.value(), 0) << e.member_id();
  // A late action for yesterday does not touch today's board: the next update is today's.
  AppendOk(*log_, {Action("a2", "r3", "c1", Utc(2026, 11, 23, 12)),
                   Action("a3", "r9", "c1", Utc(2026, 11, 24, 0, 0, 0))});
  ASSERT_TRUE(reader->Read(&u));
  EXPECT_EQ(u.entries(0).member_id(), "r9");
  for (const auto& e : u.entries()) {
    if (e.member_id() != "r9") {
      EXPECT_EQ(e.value(), 0) << e.member_id();  // r3's action was yesterday.
    }
  }
  context.TryCancel();
}

TEST_F(InProcessTest, ResumeGetsTheMissedChangesAsOneDelta) {
  v1::SubscribeLeaderboardRequest request = DayBoard();
  request.mutable_board()->mutable_period()->mutable_date()->set_year(2026);
  request.mutable_board()->mutable_period()->mutable_date()->set_month(11);
  request.mutable_board()->mutable_period()->mutable_date()->set_day(23);
  ClientBoard client;
  uint64_t seq;
  {
    grpc::ClientContext context;
    auto reader = boards_->SubscribeLeaderboard(&context, request);
    v1::LeaderboardUpdate u;
    ASSERT_TRUE(reader->Read(&u));
    client.Apply(u);
    seq = u.seq();
    context.TryCancel();
    reader->Finish();
  }
  AppendOk(*log_, {Action("b1", "r1", "c1", Utc(2026, 11, 23, 10)),
                   Action("b2", "r2", "c1", Utc(2026, 11, 23, 11)),
                   Action("b3", "r2", "c2", Utc(2026, 11, 23, 12))});
  request.set_resume_after_seq(seq);
  grpc::ClientContext context;
  auto reader = boards_->SubscribeLeaderboard(&context, request);
  v1::LeaderboardUpdate u;
  ASSERT_TRUE(reader->Read(&u));
  EXPECT_EQ(u.reason(), v1::LeaderboardUpdate::RESUMED);
  EXPECT_EQ(u.kind(), v1::LeaderboardUpdate::DELTA);
  client.Apply(u);
  v1::GetLeaderboardRequest get;
  *get.mutable_board() = request.board();
  get.set_top(100);
  v1::GetLeaderboardResponse now;
  grpc::ClientContext get_context;
  ASSERT_TRUE(boards_->GetLeaderboard(&get_context, get, &now).ok());
  EXPECT_EQ(now.seq(), u.seq());
  std::vector<BoardEntry> expected;
  for (const auto& e : now.entries()) expected.push_back(FromWire(e));
  EXPECT_EQ(client.Sorted(), expected);
  EXPECT_EQ(expected[0], (BoardEntry{"r2", 2, 1}));
  context.TryCancel();
  reader->Finish();

  // Too old (before the board existed here): a fresh snapshot, marked as such.
  request.set_resume_after_seq(1);
  grpc::ClientContext old_context;
  auto old_reader = boards_->SubscribeLeaderboard(&old_context, request);
  ASSERT_TRUE(old_reader->Read(&u));
  EXPECT_EQ(u.reason(), v1::LeaderboardUpdate::RESYNC);
  EXPECT_EQ(u.kind(), v1::LeaderboardUpdate::SNAPSHOT);
  old_context.TryCancel();
  old_reader->Finish();
}

// A board keeps at most a board's worth of changes (at least 1,024 entries) for resumes: past that
// a snapshot is the smaller answer. On this 50-rep board of zeros, each rep's first action re-ranks
// everyone still on zero, so 40 commits change ~1,200 entries, far fewer than the 256-commit cap.
TEST_F(InProcessTest, ResumeHistoryIsCappedAtABoardsWorthOfChanges) {
  v1::SubscribeLeaderboardRequest request = DayBoard();
  request.mutable_board()->mutable_period()->mutable_date()->set_year(2026);
  request.mutable_board()->mutable_period()->mutable_date()->set_month(11);
  request.mutable_board()->mutable_period()->mutable_date()->set_day(23);
  v1::GetLeaderboardRequest get;
  *get.mutable_board() = request.board();
  get.set_top(100);
  auto read_board = [&] {
    grpc::ClientContext context;
    v1::GetLeaderboardResponse response;
    EXPECT_TRUE(boards_->GetLeaderboard(&context, get, &response).ok());
    return response;
  };
  const uint64_t first = read_board().seq();  // the board is live from here on
  std::vector<uint64_t> seqs;
  for (int k = 1; k <= 40; ++k) {
    AppendOk(*log_, {Action("h" + std::to_string(k), "r" + std::to_string(50 - k), "c1",
                            Utc(2026, 11, 23, 10))});
    seqs.push_back(read_board().seq());  // one hub round per commit
    ASSERT_GT(seqs.back(), k == 1 ? first : seqs[seqs.size() - 2]);
  }
  auto resume = [&](uint64_t after) {
    request.set_resume_after_seq(after);
    grpc::ClientContext context;
    auto reader = boards_->SubscribeLeaderboard(&context, request);
    v1::LeaderboardUpdate u;
    EXPECT_TRUE(reader->Read(&u));
    context.TryCancel();
    reader->Finish();
    return u;
  };
  EXPECT_EQ(resume(first).reason(), v1::LeaderboardUpdate::RESYNC);
  v1::LeaderboardUpdate recent = resume(seqs[34]);
  EXPECT_EQ(recent.reason(), v1::LeaderboardUpdate::RESUMED);
  EXPECT_EQ(recent.seq(), seqs.back());
  // The last five commits: five reps from zero to one, and the zeros' rank from 36 to 41.
  EXPECT_EQ(recent.entries_size(), 5 + 10);
}

TEST_F(InProcessTest, StalledSubscribersFoldAndStayBoundedAndAreCleanedUp) {
  // 40 subscribers that never read, one that does.
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::LeaderboardUpdate>>> stalled;
  // Small, fixed flow-control windows so the stalled streams fill up quickly.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 1024);
  auto stalled_stub = v1::LeaderboardService::NewStub(grpc::CreateCustomChannel(
      "127.0.0.1:" + std::to_string(server_->port()), grpc::InsecureChannelCredentials(), args));
  for (int i = 0; i < 40; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    stalled.push_back(stalled_stub->SubscribeLeaderboard(contexts.back().get(), DayBoard()));
  }
  grpc::ClientContext live_context;
  auto live = boards_->SubscribeLeaderboard(&live_context, DayBoard());
  v1::LeaderboardUpdate u;
  ASSERT_TRUE(live->Read(&u));
  ClientBoard client;
  client.Apply(u);
  // Every commit reshuffles the whole board: far more than a stalled stream's flow-control window.
  std::thread ingest([&] {
    for (int i = 0; i < 600; ++i) {
      AppendOk(*log_, {Action("s" + std::to_string(i), "r" + std::to_string(i % 50), "c",
                              Utc(2026, 11, 23, 12) + absl::Seconds(i))});
    }
  });
  uint64_t head = 0;
  while (head < 51 + 600) {  // Org events, then the actions.
    ASSERT_TRUE(live->Read(&u));
    client.Apply(u);
    head = u.seq();
  }
  ingest.join();
  const engine::BoardHubStats stats = server_->boards().stats();
  EXPECT_EQ(stats.subscribers, 41u);
  EXPECT_GT(stats.updates_folded, 0u);
  EXPECT_LE(stats.largest_outbox, 50u);  // At most one board's worth per subscriber.
  for (const BoardEntry& e : client.Sorted()) EXPECT_EQ(e.value, 12) << e.member;
  for (auto& c : contexts) c->TryCancel();
  live_context.TryCancel();
  for (auto& r : stalled) r->Finish();
  live->Finish();
  for (int i = 0; i < 100 && server_->boards().stats().subscribers != 0; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(server_->boards().stats().subscribers, 0u);
}

}  // namespace
}  // namespace salestrack::testing
