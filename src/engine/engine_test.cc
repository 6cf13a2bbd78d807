// The engine called directly, as a front door calls it: no daemon, no gRPC server, no socket (this
// test links salestrack_engine, not salestrack_server). An Engine over RocksDB in a temp dir.
#include "engine/engine.h"

#include <atomic>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "auth/api_token.h"
#include "engine/retry_hint.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "org_events.h"
#include "salestrack/clock.h"
#include "salestrack/mutex.h"
#include "test_base.h"

namespace salestrack::engine {
namespace {

using ::salestrack::testing::Action;
using ::salestrack::testing::RepDef;
using ::salestrack::testing::TempDir;
using ::salestrack::testing::ThreeHoursAgo;
using ::salestrack::testing::UnitDef;
using ::testing::HasSubstr;

std::string Bearer(const std::string& token) { return "Bearer " + token; }

v1::GetKpisRequest KpisOfRep(const std::string& rep) {
  v1::GetKpisRequest request;
  request.mutable_subject()->set_rep_id(rep);
  request.mutable_period()->set_kind(v1::YEAR);
  return request;
}

// A sink that counts its wake-ups, as a front door's stream would be woken (on the hub's thread).
class CountingSink final : public SubscriberSink {
 public:
  void Ref() override {}
  void Unref() override {}
  void Wake() override { ++wakes; }
  void Close(const absl::Status& status) override {
    MutexLock lock(&mu_);
    closed_ = status;
  }
  std::optional<absl::Status> closed() const {
    MutexLock lock(&mu_);
    return closed_;
  }
  std::atomic<int> wakes{0};

 private:
  mutable Mutex mu_;
  std::optional<absl::Status> closed_ ABSL_GUARDED_BY(mu_);
};

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions options;
    options.data_dir = dir_.Sub("data");
    options.max_log_followers = 1;
    AddKey(&options, "ops", "admin", "", "");
    AddKey(&options, "li-phone", "rep", "li", "");
    AddKey(&options, "lobby-wall", "screen", "", "");
    absl::StatusOr<std::unique_ptr<Engine>> engine =
        Engine::Open(options, RealClock::Get(), EngineProbes{});
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = *std::move(engine);
    admin_ = Who("ops", methods::kAppend);
    li_ = Who("li-phone", methods::kGetKpis);
    ASSERT_TRUE(Append(admin_, {UnitDef("east", ""), UnitDef("west", ""),
                                RepDef("rep-li", "li", "east", true),
                                RepDef("rep-wang", "wang", "west", true)})
                    .ok());
  }

  void AddKey(EngineOptions* options, const std::string& name, const std::string& role,
              const std::string& rep, const std::string& unit) {
    const std::string token = absl::StrCat("st_token-of-", name);
    tokens_[name] = token;
    v1::ApiKey& key = options->api_keys.emplace_back();
    key.set_name(name);
    key.set_sha256(Sha256Hex(token));
    key.set_role(role);
    key.set_rep_id(rep);
    key.set_unit_id(unit);
  }

  // The principal of key `name`, authenticated for `method`.
  Principal Who(const std::string& name, absl::string_view method) {
    absl::StatusOr<Principal> who = engine_->Authenticate(Bearer(tokens_[name]), method);
    EXPECT_TRUE(who.ok()) << who.status();
    return who.ok() ? *who : Principal{};
  }

  // One append request through the engine's admission and writer, waited for.
  absl::StatusOr<store::AppendResult> Append(const Principal& who,
                                             const std::vector<v1::Event>& events) {
    v1::AppendRequest request;
    for (const v1::Event& e : events) *request.add_events() = e;
    AppendAdmission admission = engine_->Appender(who, methods::kAppend);
    if (absl::Status s = admission.Admit(request.events()); !s.ok()) return s;
    std::promise<absl::StatusOr<store::AppendResult>> done;
    admission.Submit(&request.events(), [&done](absl::StatusOr<store::AppendResult> result) {
      done.set_value(std::move(result));
    });
    return done.get_future().get();
  }

  TempDir dir_;
  absl::flat_hash_map<std::string, std::string> tokens_;
  std::unique_ptr<Engine> engine_;
  Principal admin_, li_;
};

TEST_F(EngineTest, AuthenticateRefusesMissingMalformedAndUnknownKeys) {
  absl::StatusOr<Principal> who = engine_->Authenticate(std::nullopt, methods::kGetKpis);
  EXPECT_EQ(who.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(who.status().message(), HasSubstr("no API key"));
  who = engine_->Authenticate("Basic abc", methods::kGetKpis);
  EXPECT_EQ(who.status().code(), absl::StatusCode::kUnauthenticated);
  who = engine_->Authenticate(Bearer("st_nobody"), methods::kGetKpis);
  EXPECT_EQ(who.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(who.status().message(), "unknown API key");
  who = engine_->Authenticate(Bearer(tokens_["ops"]), "/salestrack.v1.LogService/Nope");
  EXPECT_EQ(who.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(li_.rep_id, "li");
}

TEST_F(EngineTest, ARepKeyReadsItsOwnFiguresButNotAnotherRepsOrUnits) {
  v1::GetKpisResponse response;
  absl::Status s = engine_->GetKpis(li_, KpisOfRep("wang"), &response);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
  v1::GetKpisRequest unit;
  unit.mutable_subject()->set_unit_id("east");
  unit.mutable_period()->set_kind(v1::YEAR);
  EXPECT_EQ(engine_->GetKpis(li_, unit, &response).code(), absl::StatusCode::kPermissionDenied);
  v1::GetScorecardRequest card;
  card.mutable_subject()->set_rep_id("wang");
  v1::GetScorecardResponse card_response;
  EXPECT_EQ(engine_->GetScorecard(li_, card, &card_response).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(engine_->GetKpis(li_, KpisOfRep("li"), &response).ok());
}

TEST_F(EngineTest, AnAppendIsSeenByTheNextQuery) {
  absl::StatusOr<store::AppendResult> appended =
      Append(Who("li-phone", methods::kAppend), {Action("a1", "li", "cust-1", ThreeHoursAgo()),
                                                 Action("a2", "li", "cust-2", ThreeHoursAgo())});
  ASSERT_TRUE(appended.ok()) << appended.status();
  v1::GetKpisResponse response;
  ASSERT_TRUE(engine_->GetKpis(li_, KpisOfRep("li"), &response).ok());
  EXPECT_EQ(response.seq(), appended->seqs.back());
  std::optional<int64_t> actions;
  for (const v1::MetricValue& m : response.metrics()) {
    if (m.name() == "actions") actions = m.integer();
  }
  EXPECT_EQ(actions, 2);
  v1::GetLogInfoResponse info;
  ASSERT_TRUE(engine_->GetLogInfo(admin_, {}, &info).ok());
  EXPECT_EQ(info.head_seq(), appended->seqs.back());
}

TEST_F(EngineTest, AScreenKeyCannotAppend) {
  absl::StatusOr<Principal> wall =
      engine_->Authenticate(Bearer(tokens_["lobby-wall"]), methods::kAppend);
  EXPECT_EQ(wall.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(wall.status().message(),
            "key \"lobby-wall\" (role screen) may not call /salestrack.v1.LogService/Append");
  // Nor through the admission itself, whatever principal a front door hands it.
  const Principal screen = Who("lobby-wall", methods::kGetLeaderboard);
  absl::StatusOr<store::AppendResult> appended =
      Append(screen, {Action("s1", "li", "cust-1", ThreeHoursAgo())});
  EXPECT_EQ(appended.status().code(), absl::StatusCode::kPermissionDenied);
  v1::GetLogInfoResponse info;
  ASSERT_TRUE(engine_->GetLogInfo(admin_, {}, &info).ok());
  EXPECT_EQ(info.head_seq(), 4u);  // The org alone.
}

// A front door that authenticated a key for one method and then called another still meets the
// method's role row: the engine checks it on every call.
TEST_F(EngineTest, EveryMethodChecksItsRoleRowItself) {
  const Principal screen = Who("lobby-wall", methods::kGetLeaderboard);
  v1::GetKpisResponse kpis;
  EXPECT_EQ(engine_->GetKpis(screen, KpisOfRep("li"), &kpis).code(),
            absl::StatusCode::kPermissionDenied);
  v1::VerifyResponse verify;
  EXPECT_EQ(engine_->Verify(li_, {}, &verify).code(), absl::StatusCode::kPermissionDenied);
  v1::BackupRequest backup;
  backup.set_dir(dir_.Sub("backup"));
  v1::BackupResponse backed_up;
  EXPECT_EQ(engine_->Backup(li_, backup, &backed_up).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(engine_->ReadEvents(li_, {}).status().code(), absl::StatusCode::kPermissionDenied);
  v1::GetLogInfoResponse info;
  EXPECT_EQ(engine_->GetLogInfo(screen, {}, &info).code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(engine_->Verify(admin_, {}, &verify).ok());
}

TEST_F(EngineTest, ALogReaderCatchesUpThenWaitsForTheNextAppend) {
  v1::ReadEventsRequest request;
  request.set_follow(true);
  absl::StatusOr<std::unique_ptr<LogReader>> reader = engine_->ReadEvents(admin_, request);
  ASSERT_TRUE(reader.ok()) << reader.status();
  // One follower place: a second follower is refused with a retry hint.
  absl::StatusOr<std::unique_ptr<LogReader>> second = engine_->ReadEvents(admin_, request);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(RetryAfter(second.status()), kFullRetryAfter);

  v1::ReadEventsResponse response;
  ASSERT_EQ(*(*reader)->Read(&response), LogReader::Step::kRecords);
  EXPECT_EQ(response.records_size(), 4);
  ASSERT_EQ(*(*reader)->Read(&response), LogReader::Step::kWait);
  std::promise<bool> woken;
  (*reader)->WaitForMore([&woken](bool live) { woken.set_value(live); });
  ASSERT_TRUE(Append(admin_, {Action("a1", "li", "cust-1", ThreeHoursAgo())}).ok());
  EXPECT_TRUE(woken.get_future().get());
  ASSERT_EQ(*(*reader)->Read(&response), LogReader::Step::kRecords);
  ASSERT_EQ(response.records_size(), 1);
  EXPECT_EQ(response.records(0).seq(), 5u);

  reader->reset();  // Its place frees.
  EXPECT_EQ(engine_->log_followers().load(), 0u);
  EXPECT_TRUE(engine_->ReadEvents(admin_, request).ok());
}

TEST_F(EngineTest, ABoardSubscriptionChecksTheScopeAndWakesItsSink) {
  v1::SubscribeLeaderboardRequest request;
  request.mutable_board()->set_unit_id("west");
  request.mutable_board()->set_metric("actions");
  request.mutable_board()->mutable_period()->set_kind(v1::DAY);
  CountingSink sink;
  const Principal li = Who("li-phone", methods::kSubscribeLeaderboard);
  EXPECT_EQ(engine_->SubscribeLeaderboard(li, request, &sink).status().code(),
            absl::StatusCode::kPermissionDenied);

  request.mutable_board()->set_unit_id("east");
  absl::StatusOr<std::shared_ptr<Subscription>> sub =
      engine_->SubscribeLeaderboard(li, request, &sink);
  ASSERT_TRUE(sub.ok()) << sub.status();
  std::optional<v1::LeaderboardUpdate> first = (*sub)->Take();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->reason(), v1::LeaderboardUpdate::SUBSCRIBED);
  ASSERT_TRUE(Append(admin_, {Action("a1", "li", "cust-1", absl::Now() - absl::Minutes(1))}).ok());
  for (int i = 0; i < 200 && sink.wakes == 0; ++i) absl::SleepFor(absl::Milliseconds(10));
  EXPECT_GT(sink.wakes, 0);
  std::optional<v1::LeaderboardUpdate> change = (*sub)->Take();
  ASSERT_TRUE(change.has_value());
  engine_->Unsubscribe(*sub);
  engine_->CloseStreams();
  EXPECT_FALSE(sink.closed().has_value());  // Unsubscribed first: not closed.
}

// One commit's message is built once for every subscriber of the same view (what a front door
// then encodes once), and is the message the subscriber's own outbox would have given.
TEST_F(EngineTest, OneCommitsMessageIsSharedByTheSubscribersOfAView) {
  v1::SubscribeLeaderboardRequest whole;
  whole.mutable_board()->set_unit_id("east");
  whole.mutable_board()->set_metric("actions");
  whole.mutable_board()->mutable_period()->set_kind(v1::DAY);
  const Principal ops = Who("ops", methods::kSubscribeLeaderboard);
  CountingSink sink_a, sink_b, sink_chosen, sink_behind;
  absl::StatusOr<std::shared_ptr<Subscription>> a =
      engine_->SubscribeLeaderboard(ops, whole, &sink_a);
  absl::StatusOr<std::shared_ptr<Subscription>> b =
      engine_->SubscribeLeaderboard(ops, whole, &sink_b);
  absl::StatusOr<std::shared_ptr<Subscription>> behind =
      engine_->SubscribeLeaderboard(ops, whole, &sink_behind);
  ASSERT_TRUE(a.ok() && b.ok() && behind.ok());
  std::shared_ptr<const v1::LeaderboardUpdate> first = (*a)->TakeShared();
  ASSERT_NE(first, nullptr);
  ASSERT_GT(first->entries_size(), 0);
  ASSERT_NE((*b)->TakeShared(), nullptr);
  // Every member chosen: the same changes, folded in its own outbox rather than shared.
  v1::SubscribeLeaderboardRequest chosen = whole;
  for (const v1::LeaderboardEntry& e : first->entries()) chosen.add_member_ids(e.member_id());
  absl::StatusOr<std::shared_ptr<Subscription>> c =
      engine_->SubscribeLeaderboard(ops, chosen, &sink_chosen);
  ASSERT_TRUE(c.ok());
  ASSERT_NE((*c)->TakeShared(), nullptr);

  ASSERT_TRUE(Append(admin_, {Action("s1", "li", "cust-1", absl::Now() - absl::Minutes(1))}).ok());
  for (int i = 0; i < 200 && (sink_a.wakes == 0 || sink_b.wakes == 0 || sink_chosen.wakes == 0);
       ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  std::shared_ptr<const v1::LeaderboardUpdate> from_a = (*a)->TakeShared();
  std::shared_ptr<const v1::LeaderboardUpdate> from_b = (*b)->TakeShared();
  std::shared_ptr<const v1::LeaderboardUpdate> from_c = (*c)->TakeShared();
  ASSERT_NE(from_a, nullptr);
  EXPECT_EQ(from_a.get(), from_b.get());
  EXPECT_EQ(from_a->kind(), v1::LeaderboardUpdate::DELTA);
  EXPECT_EQ(from_a->reason(), v1::LeaderboardUpdate::COMMIT);
  ASSERT_NE(from_c, nullptr);
  EXPECT_NE(from_c.get(), from_a.get());
  EXPECT_EQ(from_c->SerializeAsString(), from_a->SerializeAsString());
  EXPECT_EQ((*a)->TakeShared(), nullptr);  // Taken: the outbox is empty.
  // A subscriber that had not taken its snapshot gets the snapshot with the change in it.
  std::shared_ptr<const v1::LeaderboardUpdate> late = (*behind)->TakeShared();
  ASSERT_NE(late, nullptr);
  EXPECT_EQ(late->kind(), v1::LeaderboardUpdate::SNAPSHOT);
  EXPECT_EQ(late->seq(), from_a->seq());
  for (auto* s : {&*a, &*b, &*c, &*behind}) engine_->Unsubscribe(*s);
}

// Appends, queries, a board subscription and a log follower at once, through the engine only: the
// concurrency of the writer, the views' applier, the board hub and the readers without gRPC (the
// unit tests run under ThreadSanitizer; docs/testing.md). Every append is counted exactly once and
// every reader sees seqs that never go back.
TEST_F(EngineTest, ConcurrentAppendsQueriesAndSubscribersAgree) {
  constexpr int kWriters = 4, kBatches = 25, kPerBatch = 8;
  v1::SubscribeLeaderboardRequest board;
  board.mutable_board()->set_unit_id("east");
  board.mutable_board()->set_metric("actions");
  board.mutable_board()->mutable_period()->set_kind(v1::YEAR);
  CountingSink sink;
  absl::StatusOr<std::shared_ptr<Subscription>> sub =
      engine_->SubscribeLeaderboard(Who("ops", methods::kSubscribeLeaderboard), board, &sink);
  ASSERT_TRUE(sub.ok()) << sub.status();

  std::atomic<bool> writing{true};
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      const Principal who = Who("ops", methods::kAppend);
      for (int b = 0; b < kBatches; ++b) {
        std::vector<v1::Event> batch;
        for (int i = 0; i < kPerBatch; ++i) {
          batch.push_back(Action(absl::StrCat("w", w, "-", b, "-", i), w % 2 == 0 ? "li" : "wang",
                                 absl::StrCat("cust-", i), ThreeHoursAgo()));
        }
        if (!Append(who, batch).ok()) ++failures;
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      uint64_t last = 0;
      while (writing) {
        v1::GetKpisResponse kpis;
        v1::GetKpisRequest request = KpisOfRep("li");
        if (!engine_->GetKpis(admin_, request, &kpis).ok() || kpis.seq() < last) ++failures;
        last = kpis.seq();
        v1::GetLeaderboardRequest lb;
        *lb.mutable_board() = board.board();
        v1::GetLeaderboardResponse ranking;
        if (!engine_->GetLeaderboard(admin_, lb, &ranking).ok()) ++failures;
        while ((*sub)->Take().has_value()) {
        }
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  writing = false;
  for (size_t i = kWriters; i < threads.size(); ++i) threads[i].join();
  EXPECT_EQ(failures.load(), 0);

  int64_t actions = 0;
  for (const std::string rep : {"li", "wang"}) {
    v1::GetKpisResponse kpis;
    ASSERT_TRUE(engine_->GetKpis(admin_, KpisOfRep(rep), &kpis).ok());
    EXPECT_EQ(kpis.seq(), 4u + kWriters * kBatches * kPerBatch);
    for (const v1::MetricValue& m : kpis.metrics()) {
      if (m.name() == "actions") actions += m.integer();
    }
  }
  EXPECT_EQ(actions, kWriters * kBatches * kPerBatch);
  v1::VerifyResponse verify;
  ASSERT_TRUE(engine_->Verify(admin_, {}, &verify).ok());
  EXPECT_TRUE(verify.ok()) << verify.ShortDebugString();
  EXPECT_GT(sink.wakes.load(), 0);
  engine_->Unsubscribe(*sub);
}

}  // namespace
}  // namespace salestrack::engine
