// End-to-end: a real salestrackd process over a real loopback socket, real RocksDB in a temp dir.
#include <signal.h>

#include <atomic>
#include <fstream>
#include <future>
#include <limits>
#include <sstream>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "org_events.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "store/log_store.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::Action;
using ::salestrack::testing::Contract;
using ::salestrack::testing::Daemon;
using ::salestrack::testing::ReadAll;
using ::salestrack::testing::TempDir;
using ::salestrack::testing::ToProto;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::Time Now() { return absl::FromUnixMicros(absl::ToUnixMicros(absl::Now())); }

class DaemonTest : public ::testing::Test {
 protected:
  DaemonTest() : daemon_(dir_.Sub("data")), stub_(daemon_.NewStub()) {}

  grpc::Status Append(const std::vector<v1::Event>& events, v1::AppendResponse* response) {
    grpc::ClientContext context;
    v1::AppendRequest request;
    for (const auto& e : events) *request.add_events() = e;
    return stub_->Append(&context, request, response);
  }

  TempDir dir_;
  Daemon daemon_;
  std::unique_ptr<v1::LogService::Stub> stub_;
};

TEST_F(DaemonTest, AppendedEventsReadBackInSeqOrderWithTheirContent) {
  absl::Time t = Now() - absl::Hours(2);
  std::vector<v1::Event> events = {Action("a1", "rep-1", "cust-1", t),
                                   Contract("k1", "rep-1", "c-1", 880000, t + absl::Minutes(5)),
                                   Action("a2", "rep-2", "cust-2", t - absl::Hours(24 * 30))};
  v1::AppendResponse response;
  ASSERT_TRUE(Append(events, &response).ok());
  EXPECT_THAT(response.seqs(), ElementsAre(1, 2, 3));
  EXPECT_EQ(response.duplicates(), 0u);

  std::vector<v1::EventRecord> records = ReadAll(*stub_);
  ASSERT_EQ(records.size(), 3u);
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].seq(), i + 1);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(records[i].event(), events[i]));
    EXPECT_GT(records[i].recorded_at().seconds(), 0);
  }
  EXPECT_THAT(ReadAll(*stub_, 3).size(), 1u);
}

TEST_F(DaemonTest, RetriedAppendReturnsOriginalSeqsAndStoresNothingTwice) {
  absl::Time t = Now() - absl::Hours(1);
  std::vector<v1::Event> events = {Action("m1", "rep-1", "c", t), Action("m2", "rep-1", "c", t)};
  v1::AppendResponse first, second;
  ASSERT_TRUE(Append(events, &first).ok());
  ASSERT_TRUE(Append({Action("other", "rep-3", "c", t)}, &second).ok());
  v1::AppendResponse retry;
  ASSERT_TRUE(Append(events, &retry).ok());
  EXPECT_THAT(retry.seqs(), ElementsAre(1, 2));
  EXPECT_EQ(retry.duplicates(), 2u);
  EXPECT_EQ(ReadAll(*stub_).size(), 3u);
}

TEST_F(DaemonTest, SameIdWithOtherContentIsAlreadyExists) {
  absl::Time t = Now() - absl::Hours(1);
  v1::AppendResponse response;
  ASSERT_TRUE(Append({Contract("k1", "rep-1", "c-1", 100, t)}, &response).ok());
  grpc::Status s = Append({Contract("k1", "rep-1", "c-1", 999, t)}, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(s.error_message(), HasSubstr("events[0].event_id: \"k1\" is already in the log"));
  EXPECT_EQ(ReadAll(*stub_).size(), 1u);
}

TEST_F(DaemonTest, BatchWithOneBadEventStoresNothing) {
  absl::Time t = Now() - absl::Hours(1);
  v1::Event bad = Contract("k2", "rep-1", "c-2", 1000, t);
  auto* inst = bad.mutable_contract_signed()->add_installments();
  *inst->mutable_due_at() = ToProto(t);
  inst->set_amount(999);
  v1::AppendResponse response;
  grpc::Status s =
      Append({Action("ok1", "rep-1", "c", t), bad, Action("ok2", "rep-1", "c", t)}, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(),
            "events[1].contract_signed.installments: must sum to amount 1000 (got 999)");
  EXPECT_TRUE(ReadAll(*stub_).empty());
}

TEST_F(DaemonTest, BadInputIsRefusedWithTheFieldAndNothingIsStored) {
  absl::Time t = Now() - absl::Hours(1);
  struct Case {
    const char* name;
    v1::Event event;
    const char* message;
  };
  std::vector<Case> cases;
  {
    v1::Event e = Action("f", "rep-1", "c", Now() + absl::Minutes(10));
    cases.push_back({"future", e, "events[0].occurred_at: is in the future"});
  }
  {
    v1::Event e = Action("", "rep-1", "c", t);
    cases.push_back({"empty id", e, "events[0].event_id: is required"});
  }
  {
    v1::Event e = Action(std::string(129, 'x'), "rep-1", "c", t);
    cases.push_back({"long id", e, "events[0].event_id: must be at most 128 bytes"});
  }
  {
    v1::Event e = Action("u", "rep-1", "c", t);
    e.mutable_action_logged()->set_channel(static_cast<v1::Channel>(42));
    cases.push_back({"unknown enum", e, "events[0].action_logged.channel: unknown value 42"});
  }
  {
    v1::Event e = Action("p", "rep-1", "c", t);
    e.clear_action_logged();
    cases.push_back({"no payload", e, "events[0].payload: is required"});
  }
  {
    v1::Event e = Contract("n", "rep-1", "c-1", -5, t);
    cases.push_back({"negative amount", e, "events[0].contract_signed.amount: must be >= 0"});
  }
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::AppendResponse response;
    grpc::Status s = Append({c.event}, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(s.error_message(), HasSubstr(c.message));
  }
  // Oversized batches: by count, and by bytes (gRPC's own limit, 4 MiB).
  std::vector<v1::Event> many;
  for (int i = 0; i < 1001; ++i) many.push_back(Action(absl::StrCat("b", i), "rep-1", "c", t));
  v1::AppendResponse response;
  grpc::Status s = Append(many, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("events: the batch has 1001 events; the limit is 1000"));
  std::vector<v1::Event> huge;
  for (int i = 0; i < 400; ++i) {  // ~4.8 MB
    v1::Event e = Action(absl::StrCat("h", i), "rep-1", "c", t);
    e.mutable_action_logged()->set_description(std::string(4000, 'x'));
    e.mutable_action_logged()->set_reason(std::string(4000, 'y'));
    e.mutable_action_logged()->set_result(std::string(4000, 'z'));
    huge.push_back(e);
  }
  EXPECT_EQ(Append(huge, &response).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);

  // Bytes that are not an AppendRequest at all.
  grpc::GenericStub generic(daemon_.NewChannel());
  grpc::ClientContext context;
  grpc::Slice garbage(std::string("\x0a\xff\xff\xff\xff\x0f junk"));
  grpc::ByteBuffer request(&garbage, 1), reply;
  std::promise<grpc::Status> done;
  generic.UnaryCall(&context, "/salestrack.v1.LogService/Append", grpc::StubOptions(), &request,
                    &reply, [&done](grpc::Status st) { done.set_value(st); });
  grpc::Status malformed = done.get_future().get();
  EXPECT_FALSE(malformed.ok());
  EXPECT_NE(malformed.error_code(), grpc::StatusCode::UNAVAILABLE);

  EXPECT_TRUE(ReadAll(*stub_).empty());
  // Still serving.
  EXPECT_TRUE(Append({Action("fine", "rep-1", "c", t)}, &response).ok());
}

TEST_F(DaemonTest, FollowGoesFromStoredToLiveWithoutGapOrDuplicate) {
  absl::Time t = Now() - absl::Hours(1);
  int next_id = 0;
  auto batch = [&](int n) {
    std::vector<v1::Event> events;
    for (int i = 0; i < n; ++i)
      events.push_back(Action(absl::StrCat("e", next_id++), "rep-1", "c", t));
    return events;
  };
  v1::AppendResponse response;
  for (int b = 0; b < 3; ++b) ASSERT_TRUE(Append(batch(900), &response).ok());  // 2700 stored.

  grpc::ClientContext context;
  v1::ReadEventsRequest request;
  request.set_from_seq(1);
  request.set_follow(true);
  auto reader = stub_->ReadEvents(&context, request);

  constexpr uint64_t kTotal = 2700 + 40 * 25;
  std::thread writer([&] {
    auto stub = daemon_.NewStub();
    for (int b = 0; b < 40; ++b) {
      grpc::ClientContext ctx;
      v1::AppendRequest req;
      for (const auto& e : batch(25)) *req.add_events() = e;
      v1::AppendResponse resp;
      ASSERT_TRUE(stub->Append(&ctx, req, &resp).ok());
    }
  });
  uint64_t expect = 1;
  v1::ReadEventsResponse msg;
  while (expect <= kTotal && reader->Read(&msg)) {
    for (const auto& r : msg.records()) {
      ASSERT_EQ(r.seq(), expect) << "gap or duplicate";
      ASSERT_EQ(r.event().event_id(), absl::StrCat("e", expect - 1));
      ++expect;
    }
    EXPECT_GE(msg.head_seq(), expect - 1);
  }
  writer.join();
  EXPECT_EQ(expect, kTotal + 1);
  context.TryCancel();
  while (reader->Read(&msg)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);

  // Resume from the last seen seq + 1 with a limit.
  grpc::ClientContext resume_context;
  request.set_from_seq(kTotal - 9);
  request.set_limit(5);
  request.set_follow(true);
  auto resumed = stub_->ReadEvents(&resume_context, request);
  std::vector<uint64_t> seqs;
  while (resumed->Read(&msg)) {
    for (const auto& r : msg.records()) seqs.push_back(r.seq());
  }
  EXPECT_TRUE(resumed->Finish().ok());
  EXPECT_THAT(seqs, ElementsAre(kTotal - 9, kTotal - 8, kTotal - 7, kTotal - 6, kTotal - 5));
}

TEST_F(DaemonTest, AppendStreamAnswersEveryRequestInOrder) {
  absl::Time t = Now() - absl::Hours(1);
  grpc::ClientContext context;
  auto stream = stub_->AppendStream(&context);
  auto send = [&](uint64_t id, std::vector<v1::Event> events) {
    v1::AppendRequest request;
    request.set_request_id(id);
    for (auto& e : events) *request.add_events() = e;
    ASSERT_TRUE(stream->Write(request));
  };
  v1::Event bad = Action("bad", "rep-1", "c", t);
  bad.mutable_action_logged()->set_cost(-1);
  send(10, {Action("s1", "rep-1", "c", t), Action("s2", "rep-1", "c", t)});
  send(11, {Action("s3", "rep-1", "c", t), bad});
  send(12, {Action("s3", "rep-1", "c", t)});
  send(13, {Action("s1", "rep-9", "c", t)});  // Reused id, other content.
  send(14, {Action("s1", "rep-1", "c", t)});  // A true retry.
  stream->WritesDone();
  std::vector<v1::AppendStreamResponse> responses;
  v1::AppendStreamResponse response;
  while (stream->Read(&response)) responses.push_back(response);
  ASSERT_TRUE(stream->Finish().ok());
  ASSERT_EQ(responses.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(responses[i].request_id(), 10u + i);
  EXPECT_THAT(responses[0].ok().seqs(), ElementsAre(1, 2));
  EXPECT_EQ(responses[1].error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(responses[1].error().event_index(), 1);
  EXPECT_EQ(responses[1].error().field(), "action_logged.cost");
  EXPECT_THAT(responses[2].ok().seqs(), ElementsAre(3));
  EXPECT_EQ(responses[3].error().code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(responses[3].error().field(), "event_id");
  EXPECT_THAT(responses[4].ok().seqs(), ElementsAre(1));
  EXPECT_EQ(responses[4].ok().duplicates(), 1u);
}

TEST_F(DaemonTest, ReflectionListsTheServices) {
  // grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo with list_services = "" (field
  // 7).
  grpc::GenericStub generic(daemon_.NewChannel());
  grpc::CompletionQueue cq;
  grpc::ClientContext context;
  auto call = generic.PrepareCall(
      &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::Slice req(std::string("\x3a\x00", 2));
  grpc::ByteBuffer request(&req, 1), reply;
  call->Write(request, reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  call->Read(&reply, reinterpret_cast<void*>(3));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(reply.Dump(&slices).ok());
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_THAT(bytes, HasSubstr("salestrack.v1.LogService"));
  EXPECT_THAT(bytes, HasSubstr("grpc.health.v1.Health"));
  context.TryCancel();
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(4));
  while (cq.Next(&tag, &ok) && tag != reinterpret_cast<void*>(4)) {
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

TEST_F(DaemonTest, SigtermEndsFollowersWithAResumeSeqAndExitsCleanly) {
  v1::AppendResponse response;
  ASSERT_TRUE(Append({Action("x1", "rep-1", "c", Now() - absl::Hours(1))}, &response).ok());
  grpc::ClientContext context;
  v1::ReadEventsRequest request;
  request.set_follow(true);
  auto reader = stub_->ReadEvents(&context, request);
  v1::ReadEventsResponse msg;
  ASSERT_TRUE(reader->Read(&msg));
  std::thread stopper([&] { EXPECT_EQ(daemon_.Stop(), 0); });
  while (reader->Read(&msg)) {
  }
  grpc::Status status = reader->Finish();
  stopper.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(status.error_message(), HasSubstr("resume with from_seq 2"));

  // The data survives a clean restart.
  Daemon again(dir_.Sub("data"));
  auto stub = again.NewStub();
  EXPECT_EQ(ReadAll(*stub).size(), 1u);
}

// The live board streams a daemon serves now (its salestrack_board_subscribers gauge).
double BoardSubscribers(const Daemon& daemon) {
  v1::GetStatsResponse stats;
  grpc::ClientContext context;
  auto admin = v1::AdminService::NewStub(daemon.NewChannel());
  if (!admin->GetStats(&context, {}, &stats).ok()) return -1;
  for (const v1::StatsMetric& m : stats.metrics()) {
    if (m.name() == "salestrack_board_subscribers") return m.value();
  }
  return -1;
}

TEST_F(DaemonTest, SigtermEndsWatchesAndFollowersAtOnceAndLosesNothingAcknowledged) {
  using testing::AppendOk;
  using testing::RepDef;
  using testing::UnitDef;
  const absl::Time month = absl::FromCivil(absl::CivilDay(2026, 10, 5), absl::UTCTimeZone());
  AppendOk(*stub_, {UnitDef("east", ""), RepDef("def-r0", "r0", "east", true),
                    RepDef("def-r1", "r1", "east", true), Contract("k0", "r0", "k0", 100, month)});
  const std::string address = daemon_.address();
  // The CLI's watch: its first board now, the board again after the restart, then one change.
  testing::CliResult watch;
  std::thread watcher([&] {
    watch =
        testing::RunCli("--server=" + address +
                        " watch --unit east --metric sales_amount --date 2026-10-01 --updates 3");
  });
  for (int i = 0; i < 100 && BoardSubscribers(daemon_) < 1; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_EQ(BoardSubscribers(daemon_), 1);
  grpc::ClientContext follow_context;
  v1::ReadEventsRequest follow;
  follow.set_follow(true);
  auto follower = stub_->ReadEvents(&follow_context, follow);
  v1::ReadEventsResponse msg;
  ASSERT_TRUE(follower->Read(&msg));
  // A connector's AppendStream, answered and then idle: it must not hold the shutdown either.
  grpc::ClientContext stream_context;
  auto stream = stub_->AppendStream(&stream_context);
  v1::AppendRequest first;
  first.set_request_id(1);
  *first.add_events() = Action("streamed-0", "r1", "c", month);
  ASSERT_TRUE(stream->Write(first));
  v1::AppendStreamResponse answer;
  ASSERT_TRUE(stream->Read(&answer));
  ASSERT_TRUE(answer.has_ok());
  // Appends keep coming while the daemon stops: whatever it acknowledged must survive.
  std::atomic<bool> stop{false};
  std::vector<std::string> acknowledged;
  std::thread appender([&] {
    auto stub = daemon_.NewStub();
    for (int i = 0; !stop; ++i) {
      v1::AppendRequest request;
      *request.add_events() = Action(absl::StrCat("during-", i), "r1", "c", month);
      v1::AppendResponse response;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
      if (stub->Append(&context, request, &response).ok()) {
        acknowledged.push_back(request.events(0).event_id());
      }
    }
  });
  absl::SleepFor(absl::Milliseconds(200));
  const absl::Time sigterm = absl::Now();
  EXPECT_EQ(daemon_.Stop(), 0);
  const absl::Duration took = absl::Now() - sigterm;
  EXPECT_LT(took, absl::Seconds(2)) << "the shutdown grace is 10 s: a live stream held it up";
  stop = true;
  appender.join();
  while (follower->Read(&msg)) {
  }
  grpc::Status followed = follower->Finish();
  EXPECT_EQ(followed.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_FALSE(stream->Read(&answer));
  grpc::Status streamed = stream->Finish();
  EXPECT_EQ(streamed.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(streamed.error_message(), HasSubstr("shutting down"));
  EXPECT_THAT(followed.error_message(), HasSubstr("resume with from_seq"));
  EXPECT_THAT(testing::ReadFile(daemon_.stderr_path()), HasSubstr("event=shut_down"));
  EXPECT_GT(acknowledged.size(), 0u);

  // Restarted on the same address: the watch resumes by itself; every acknowledged event is there.
  Daemon again(dir_.Sub("data"), {"--listen=" + address});
  auto stub = again.NewStub();
  absl::flat_hash_set<std::string> stored;
  for (const v1::EventRecord& r : ReadAll(*stub)) stored.insert(r.event().event_id());
  for (const std::string& id : acknowledged) EXPECT_TRUE(stored.contains(id)) << id << " was lost";
  for (int i = 0; i < 100 && BoardSubscribers(again) < 1; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
  }
  AppendOk(*stub, {Contract("k1", "r1", "k1", 500, month)});
  watcher.join();
  EXPECT_EQ(watch.code, 0) << watch.err;
  size_t boards = 0;
  for (size_t at = 0; (at = watch.out.find("on the board", at)) != std::string::npos; ++at)
    ++boards;
  EXPECT_EQ(boards, 3u) << watch.out;
}

// Integer request fields at their edges: nothing wraps or narrows.
TEST_F(DaemonTest, ReadEventsAndListFollowUpsTakeAnyIntegerTheirTypesAllow) {
  v1::AppendResponse appended;
  ASSERT_TRUE(Append({Action("x1", "rep-1", "c", Now() - absl::Hours(1)),
                      Action("x2", "rep-1", "c", Now() - absl::Hours(1))},
                     &appended)
                  .ok());
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (uint64_t from : {uint64_t{1} << 31, uint64_t{1} << 32, kMax - 1, kMax}) {
    EXPECT_TRUE(ReadAll(*stub_, from).empty()) << from;
  }
  for (uint64_t limit : {uint64_t{1} << 31, (uint64_t{1} << 32) - 1, uint64_t{1} << 32, kMax}) {
    grpc::ClientContext context;
    v1::ReadEventsRequest request;
    request.set_limit(limit);
    auto reader = stub_->ReadEvents(&context, request);
    v1::ReadEventsResponse msg;
    int records = 0;
    while (reader->Read(&msg)) records += msg.records_size();
    EXPECT_TRUE(reader->Finish().ok());
    EXPECT_EQ(records, 2) << limit;
  }
  {  // Following from the very last seq: waits (nothing wraps to "from the start").
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
    v1::ReadEventsRequest request;
    request.set_from_seq(kMax);
    request.set_follow(true);
    auto reader = stub_->ReadEvents(&context, request);
    v1::ReadEventsResponse msg;
    EXPECT_FALSE(reader->Read(&msg));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  auto kpis = v1::KpiService::NewStub(daemon_.NewChannel());
  constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax64 = std::numeric_limits<int64_t>::max();
  v1::ListFollowUpsRequest request;
  request.mutable_subject()->set_rep_id("rep-1");
  request.mutable_from()->set_seconds(kMin64);
  request.mutable_to()->set_seconds(kMax64);
  request.mutable_to()->set_nanos(999999999);
  v1::ListFollowUpsResponse response;
  grpc::ClientContext context;
  grpc::Status s = kpis->ListFollowUps(&context, request, &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
  // Dates with any int32: refused naming the field, never wrapped into range.
  for (int32_t year : {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()}) {
    v1::GetKpisRequest kpi_request;
    kpi_request.mutable_subject()->set_rep_id("rep-1");
    kpi_request.mutable_period()->set_kind(v1::DAY);
    kpi_request.mutable_period()->mutable_date()->set_year(year);
    kpi_request.mutable_period()->mutable_date()->set_month(1);
    kpi_request.mutable_period()->mutable_date()->set_day(1);
    v1::GetKpisResponse kpi_response;
    grpc::ClientContext kpi_context;
    s = kpis->GetKpis(&kpi_context, kpi_request, &kpi_response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << year;
    EXPECT_THAT(s.error_message(), HasSubstr("period.date: ")) << year;
  }
}

TEST(DaemonStartupTest, RefusesADataDirectoryOfAnotherFormat) {
  TempDir dir;
  {
    auto store = store::LogStore::Open(dir.Sub("data"), store::StoreOptions());
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)
                    ->db()
                    ->Put(rocksdb::WriteOptions(), (*store)->meta_family(), "format_version", "7")
                    .ok());
  }
  std::string err;
  int code =
      testing::RunDaemonToExit({"--listen=127.0.0.1:0", "--data_dir=" + dir.Sub("data")}, &err);
  EXPECT_EQ(code, 2);
  EXPECT_THAT(err, HasSubstr("has format version \"7\"; this salestrackd reads only version 1"));
}

TEST(DaemonStartupTest, RefusesAPortAnotherDaemonListensOn) {
  TempDir dir;
  Daemon first(dir.Sub("first"));
  std::string err;
  int code = testing::RunDaemonToExit(
      {"--listen=" + first.address(), "--data_dir=" + dir.Sub("second")}, &err);
  EXPECT_EQ(code, 2);
  EXPECT_THAT(err, HasSubstr("cannot listen on " + first.address() + ": the address is in use"));
  // The first daemon still answers alone.
  auto stub = first.NewStub();
  EXPECT_TRUE(ReadAll(*stub).empty());
}

TEST(DaemonStartupTest, RefusesAnUnknownTimeZone) {
  TempDir dir;
  std::string err;
  int code = testing::RunDaemonToExit(
      {"--listen=127.0.0.1:0", "--data_dir=" + dir.Sub("data"), "--time_zone=Europe/Nowhere"},
      &err);
  EXPECT_EQ(code, 2);
  EXPECT_THAT(err, HasSubstr("time_zone: \"Europe/Nowhere\""));
}

TEST(DaemonStartupTest, ReadsTheConfigFileAndFlagsOverrideIt) {
  TempDir dir;
  FILE* f = fopen(dir.Sub("d.conf").c_str(), "w");
  fprintf(f, "time_zone: \"Asia/Shanghai\"\nlisten_address: \"127.0.0.1:1\"\n");
  fclose(f);
  Daemon daemon(dir.Sub("data"), {"--config=" + dir.Sub("d.conf")});
  EXPECT_NE(daemon.port(), 1);  // --listen given by the Daemon helper wins.
  std::ifstream err(daemon.stderr_path());
  std::stringstream text;
  text << err.rdbuf();
  EXPECT_THAT(text.str(), HasSubstr("time_zone=Asia/Shanghai"));
}

}  // namespace
}  // namespace salestrack
