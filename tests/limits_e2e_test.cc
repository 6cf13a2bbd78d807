// Limits and overload through a real daemon (issue 6): per-API-key append rate limits refuse with
// RESOURCE_EXHAUSTED and a retry hint (trailing metadata "retry-after-ms" on Append,
// AppendError.retry_after_ms on AppendStream) and store nothing; the CLI waits the hint and
// retries; full subscriber and follower tables refuse with a hint too; a batch over the batch limit
// or over a key's burst is RESOURCE_EXHAUSTED with the split as its hint ("max-batch-events").
// Refused batches cost valid ones nothing, up to a budget for refused work.
#include <fstream>
#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "keyed_daemon.h"
#include "ops_fixture.h"
#include "salestrack/v1/leaderboard_service.grpc.pb.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::Daemon;
using ::salestrack::testing::RunCli;
using ::salestrack::testing::TempDir;
using ::testing::HasSubstr;

// A trailing metadata entry of a finished call, as a number (-1 without one).
int64_t TrailerNumber(const grpc::ClientContext& context, const std::string& key) {
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find(key);
  int64_t n = -1;
  if (it == trailers.end() ||
      !absl::SimpleAtoi(absl::string_view(it->second.data(), it->second.size()), &n)) {
    return -1;
  }
  return n;
}

int64_t RetryAfterMs(const grpc::ClientContext& context) {
  return TrailerNumber(context, "retry-after-ms");
}

class LimitsTest : public ::testing::Test {
 protected:
  // Keys: an admin; two reps under the reps' role limit (5 events/s, burst 10); connectors with
  // limits of their own. One board subscriber and one log follower at most.
  static void SetUpTestSuite() {
    std::string config =
        "limits { max_board_subscribers: 1 max_log_followers: 1\n"
        "  rate_limits { role: \"rep\" events_per_second: 5 burst: 10 } }\n";
    keyed_ = new testing::KeyedDaemon(
        config,
        {{"root", "admin", ""},
         {"phone-0", "rep", "rep_id: \"rep-0\""},
         {"phone-1", "rep", "rep_id: \"rep-1\""},
         {"stream-crm", "connector", "rate_limit { events_per_second: 2 burst: 5 }"},
         {"cli-crm", "connector", "rate_limit { events_per_second: 10 burst: 10 }"},
         {"slow-crm", "connector", "rate_limit { events_per_second: 0.01 burst: 10 }"},
         // Refills nothing during a test: what a batch costs shows.
         {"frozen-a", "rep", "rep_id: \"rep-a\" rate_limit { events_per_second: 0.01 burst: 10 }"},
         {"frozen-b", "rep", "rep_id: \"rep-b\" rate_limit { events_per_second: 0.01 burst: 10 }"},
         {"frozen-c", "rep", "rep_id: \"rep-c\" rate_limit { events_per_second: 0.01 burst: 10 }"},
         {"frozen-d", "rep",
          "rep_id: \"rep-d\" rate_limit { events_per_second: 0.01 burst: 10 }"}});
    testing::AppendAll(*v1::LogService::NewStub(Channel("root")), testing::OpsHistory(20));
  }
  static void TearDownTestSuite() { delete keyed_; }

  static std::shared_ptr<grpc::Channel> Channel(const std::string& key) {
    return keyed_->Channel(key);
  }

  static grpc::Status Append(const std::string& key, const std::vector<v1::Event>& events,
                             int64_t* retry_after_ms = nullptr, int64_t* max_batch = nullptr) {
    v1::AppendRequest request;
    for (const v1::Event& e : events) *request.add_events() = e;
    v1::AppendResponse response;
    grpc::ClientContext context;
    grpc::Status s = v1::LogService::NewStub(Channel(key))->Append(&context, request, &response);
    if (retry_after_ms != nullptr) *retry_after_ms = RetryAfterMs(context);
    if (max_batch != nullptr) *max_batch = TrailerNumber(context, "max-batch-events");
    return s;
  }

  // A stream of `key` that sends each batch and returns its answer.
  class Stream {
   public:
    explicit Stream(const std::string& key)
        : stub_(v1::LogService::NewStub(Channel(key))), stream_(stub_->AppendStream(&context_)) {}
    ~Stream() {
      stream_->WritesDone();
      EXPECT_TRUE(stream_->Finish().ok());
    }
    v1::AppendStreamResponse Send(const std::vector<v1::Event>& events) {
      v1::AppendRequest request;
      request.set_request_id(++id_);
      for (const v1::Event& e : events) *request.add_events() = e;
      v1::AppendStreamResponse response;
      EXPECT_TRUE(stream_->Write(request));
      EXPECT_TRUE(stream_->Read(&response));
      return response;
    }

   private:
    grpc::ClientContext context_;
    std::unique_ptr<v1::LogService::Stub> stub_;
    std::unique_ptr<grpc::ClientReaderWriter<v1::AppendRequest, v1::AppendStreamResponse>> stream_;
    uint64_t id_ = 0;
  };

  static uint64_t Head() {
    return testing::ReadAll(*v1::LogService::NewStub(Channel("root"))).size();
  }

  static testing::KeyedDaemon* keyed_;
};

testing::KeyedDaemon* LimitsTest::keyed_ = nullptr;

TEST_F(LimitsTest, AKeyOverItsRateIsRefusedWithAHintAndNothingStoredThenPassesAfterIt) {
  // The whole burst.
  ASSERT_TRUE(Append("phone-0", testing::RecentActions("rate-a", "rep-0", 10)).ok());
  const uint64_t head = Head();
  int64_t hint = 0;
  grpc::Status refused = Append("phone-0", testing::RecentActions("rate-b", "rep-0", 3), &hint);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(),
              HasSubstr("key \"phone-0\" (role rep) is over its append rate limit of 5 events/s "
                        "(burst 10)"));
  // 3 tokens at 5/s: at most 600 ms (less if the bucket refilled since).
  EXPECT_GT(hint, 0);
  EXPECT_LE(hint, 600);
  EXPECT_EQ(Head(), head);
  // The other rep's key has a bucket of its own.
  EXPECT_TRUE(Append("phone-1", testing::RecentActions("rate-c", "rep-1", 10)).ok());
  absl::SleepFor(absl::Milliseconds(hint));
  EXPECT_TRUE(Append("phone-0", testing::RecentActions("rate-b", "rep-0", 3)).ok());
  EXPECT_EQ(Head(), head + 13);
}

// Too big for the caller: RESOURCE_EXHAUSTED whose hint is the split (no wait would help).
TEST_F(LimitsTest, BatchesOverTheBatchLimitOrTheBurstAreRefusedWithTheSplitAsTheHint) {
  const uint64_t head = Head();
  int64_t hint = 0;
  int64_t max_batch = 0;
  grpc::Status burst =
      Append("phone-1", testing::RecentActions("burst", "rep-1", 11), &hint, &max_batch);
  EXPECT_EQ(burst.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(burst.error_message(), HasSubstr("split it into batches of at most 10"));
  EXPECT_EQ(hint, -1);
  EXPECT_EQ(max_batch, 10);
  grpc::Status batch =
      Append("root", testing::RecentActions("big", "rep-1", 1001), &hint, &max_batch);
  EXPECT_EQ(batch.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(batch.error_message(), HasSubstr("the batch has 1001 events; the limit is 1000"));
  EXPECT_EQ(hint, -1);
  EXPECT_EQ(max_batch, 1000);
  EXPECT_EQ(Head(), head);  // Nothing stored.
}

TEST_F(LimitsTest, AppendStreamAnswersTheThrottledRequestWithAHintAndGoesOn) {
  auto stub = v1::LogService::NewStub(Channel("stream-crm"));
  grpc::ClientContext context;
  auto stream = stub->AppendStream(&context);
  v1::AppendRequest request;
  for (int r = 0; r < 2; ++r) {
    request.Clear();
    request.set_request_id(r);
    for (const v1::Event& e : testing::RecentActions(absl::StrCat("stream-", r), "rep-2", 5)) {
      *request.add_events() = e;
    }
    ASSERT_TRUE(stream->Write(request));
  }
  v1::AppendStreamResponse first, second;
  ASSERT_TRUE(stream->Read(&first));
  ASSERT_TRUE(stream->Read(&second));
  EXPECT_TRUE(first.has_ok());
  ASSERT_TRUE(second.has_error());
  EXPECT_EQ(second.error().code(), static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_GT(second.error().retry_after_ms(), 0u);
  EXPECT_LE(second.error().retry_after_ms(), 2500u);
  EXPECT_THAT(second.error().message(), HasSubstr("key \"stream-crm\" (role connector)"));
  // The stream is still good: after the hint the same request passes.
  absl::SleepFor(absl::Milliseconds(second.error().retry_after_ms()));
  ASSERT_TRUE(stream->Write(request));
  v1::AppendStreamResponse third;
  ASSERT_TRUE(stream->Read(&third));
  EXPECT_TRUE(third.has_ok()) << third.error().message();
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

// `n` actions of `rep`, the last of them invalid (no customer).
std::vector<v1::Event> InvalidActions(const std::string& prefix, const std::string& rep, int n) {
  std::vector<v1::Event> events = testing::RecentActions(prefix, rep, n);
  events.back().mutable_action_logged()->clear_customer_id();
  return events;
}

// Refused work costs no tokens of valid work: a refusal before the writer takes none, a refusal by
// the writer gives them back.
TEST_F(LimitsTest, ARefusedBatchLeavesTheBurstToTheNextValidOne) {
  const uint64_t head = Head();
  EXPECT_EQ(Append("frozen-a", InvalidActions("frozen-a-bad-", "rep-a", 10)).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  grpc::Status valid = Append("frozen-a", testing::RecentActions("frozen-a-", "rep-a", 10));
  EXPECT_TRUE(valid.ok()) << valid.error_message();

  // The writer refuses this one: its last event reuses an id with other content.
  ASSERT_TRUE(
      Append("root", {testing::Action("frozen-taken", "rep-b", "cust-1", testing::ThreeHoursAgo())})
          .ok());
  std::vector<v1::Event> reused = testing::RecentActions("frozen-b-bad-", "rep-b", 10);
  reused.back().set_event_id("frozen-taken");
  EXPECT_EQ(Append("frozen-b", reused).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  valid = Append("frozen-b", testing::RecentActions("frozen-b-", "rep-b", 10));
  EXPECT_TRUE(valid.ok()) << valid.error_message();
  EXPECT_EQ(Head(), head + 21);
}

TEST_F(LimitsTest, ARefusedRequestOnAStreamLeavesTheBurstToTheNextValidOne) {
  Stream stream("frozen-c");
  // Refused by the writer: a stage change of an opportunity not in the log (entity_access.h).
  std::vector<v1::Event> early = testing::RecentActions("frozen-c-bad-", "rep-c", 10);
  early.back().mutable_opportunity_stage_changed()->set_opportunity_id("opp-not-yet");
  early.back().mutable_opportunity_stage_changed()->set_stage("value");
  v1::AppendStreamResponse refused = stream.Send(early);
  EXPECT_EQ(refused.error().code(), static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION))
      << refused.error().message();
  v1::AppendStreamResponse valid = stream.Send(testing::RecentActions("frozen-c-", "rep-c", 10));
  EXPECT_TRUE(valid.has_ok()) << valid.error().message();
}

// Refused work has a budget of its own (the key's rate and burst): past it, the key waits.
TEST_F(LimitsTest, AKeyWhoseBatchesKeepBeingRefusedIsSlowedWithAHint) {
  Stream stream("frozen-d");
  EXPECT_EQ(stream.Send(InvalidActions("frozen-d-bad-", "rep-d", 10)).error().code(),
            static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(stream.Send(testing::RecentActions("frozen-d-other-", "rep-a", 4)).error().code(),
            static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  // 14 events refused with a burst of 10: in debt for 4 events at 0.01/s.
  v1::AppendStreamResponse slowed = stream.Send(testing::RecentActions("frozen-d-", "rep-d", 1));
  EXPECT_EQ(slowed.error().code(), static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_THAT(slowed.error().message(),
              HasSubstr("key \"frozen-d\" (role rep) had more events refused than its append rate "
                        "limit of 0.01 events/s (burst 10) allows for refused work"));
  EXPECT_GT(slowed.error().retry_after_ms(), 390'000u);
  EXPECT_LE(slowed.error().retry_after_ms(), 400'000u);
  // The same holds on Append: the budget is the key's.
  grpc::Status unary = Append("frozen-d", testing::RecentActions("frozen-d-unary-", "rep-d", 1));
  EXPECT_EQ(unary.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

std::string JsonLines(const std::string& prefix, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    absl::StrAppend(
        &out, "{\"event_id\":\"", prefix, i, "\",\"occurred_at\":\"",
        absl::FormatTime(absl::RFC3339_sec, testing::ThreeHoursAgo(), absl::UTCTimeZone()),
        "\",\"rep_id\":\"rep-3\","
        "\"action_logged\":{\"customer_id\":\"cust-9\",\"subject\":\"call\","
        "\"purpose\":\"INTRODUCE_PRODUCT\",\"channel\":\"PHONE\"}}\n");
  }
  return out;
}

TEST_F(LimitsTest, TheCliWaitsTheHintAndRetriesUntilEverythingIsIn) {
  std::ofstream(keyed_->dir().Sub("cli.jsonl")) << JsonLines("cli-", 30);
  const uint64_t head = Head();
  testing::CliResult r = RunCli(absl::StrCat("--server ", keyed_->daemon().address(), " --token ",
                                             keyed_->token("cli-crm"), " append --batch 10 ",
                                             keyed_->dir().Sub("cli.jsonl")));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("appended 30 new, 0 duplicate, 0 refused"));
  EXPECT_THAT(r.err, HasSubstr("rate limited; retrying in "));
  EXPECT_EQ(Head(), head + 30);
}

TEST_F(LimitsTest, TheCliGivesUpWhenTheHintIsLongerThanItMayWait) {
  std::ofstream(keyed_->dir().Sub("slow.jsonl")) << JsonLines("slow-", 20);
  testing::CliResult r = RunCli(
      absl::StrCat("--server ", keyed_->daemon().address(), " --token ", keyed_->token("slow-crm"),
                   " append --batch 10 --max_retry_wait 5 ", keyed_->dir().Sub("slow.jsonl")));
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("appended 10 new, 0 duplicate, 10 refused"));
  EXPECT_THAT(r.err, HasSubstr("lines 11..20: still over the key's rate limit; gave up (the daemon "
                               "asks for "));
  EXPECT_THAT(r.err, HasSubstr("more than --max_retry_wait 5 s), 10 event(s) not sent"));
}

TEST_F(LimitsTest, FullSubscriberAndFollowerTablesRefuseWithAHint) {
  auto boards = v1::LeaderboardService::NewStub(Channel("root"));
  v1::SubscribeLeaderboardRequest board;
  board.mutable_board()->set_unit_id("team-east");
  board.mutable_board()->set_metric("sales_amount");
  board.mutable_board()->mutable_period()->set_kind(v1::MONTH);
  grpc::ClientContext first_context;
  auto first = boards->SubscribeLeaderboard(&first_context, board);
  v1::LeaderboardUpdate update;
  ASSERT_TRUE(first->Read(&update));  // The snapshot: the one slot is taken.
  {
    grpc::ClientContext context;
    auto second = boards->SubscribeLeaderboard(&context, board);
    EXPECT_FALSE(second->Read(&update));
    grpc::Status s = second->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(s.error_message(), HasSubstr("at most 1 leaderboard subscribers"));
    EXPECT_EQ(RetryAfterMs(context), 1000);
  }
  first_context.TryCancel();
  first->Finish();

  auto log = v1::LogService::NewStub(Channel("root"));
  v1::ReadEventsRequest follow;
  follow.set_follow(true);
  grpc::ClientContext live_context;
  auto live = log->ReadEvents(&live_context, follow);
  v1::ReadEventsResponse response;
  ASSERT_TRUE(live->Read(&response));  // Its first records: the daemon counts it.
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    auto second = log->ReadEvents(&context, follow);
    EXPECT_FALSE(second->Read(&response));
    grpc::Status refused = second->Finish();
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(refused.error_message(), HasSubstr("at most 1 live ReadEvents streams"));
    EXPECT_EQ(RetryAfterMs(context), 1000);
  }
  // A reader without follow is not counted.
  v1::ReadEventsRequest once;
  once.set_limit(1);
  grpc::ClientContext once_context;
  auto reader = log->ReadEvents(&once_context, once);
  EXPECT_TRUE(reader->Read(&response));
  while (reader->Read(&response)) {
  }
  EXPECT_TRUE(reader->Finish().ok());
  live_context.TryCancel();
  live->Finish();
}

// With authentication off every caller is the same principal, under the admin role's limit.
TEST(LimitsAuthOffTest, EveryCallerSharesOneBucket) {
  TempDir dir;
  std::ofstream(dir.Sub("d.conf"))
      << "limits { rate_limits { role: \"admin\" events_per_second: 1 burst: 5 } }\n";
  Daemon daemon(dir.Sub("data"), {"--config=" + dir.Sub("d.conf")});
  v1::AppendResponse response;
  {
    grpc::ClientContext context;
    v1::AppendRequest request;
    for (const v1::Event& e : testing::RecentActions("off-a", "rep-0", 5))
      *request.add_events() = e;
    ASSERT_TRUE(daemon.NewStub()->Append(&context, request, &response).ok());
  }
  grpc::ClientContext context;
  v1::AppendRequest request;
  for (const v1::Event& e : testing::RecentActions("off-b", "rep-1", 2)) *request.add_events() = e;
  grpc::Status s = daemon.NewStub()->Append(&context, request, &response);  // Another channel.
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("key \"anonymous (auth off)\" (role admin)"));
  EXPECT_GT(RetryAfterMs(context), 1000);
}

}  // namespace
}  // namespace salestrack
