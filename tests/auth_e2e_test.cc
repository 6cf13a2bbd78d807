// Access control through a real daemon: every salestrack method needs a key, and every role
// boundary of issue 6 holds (each row of the role x method matrix, and the scope of reps and
// managers), decided before any work: a refused append consumes no seq, even when it is also
// invalid.
#include <fstream>
#include <future>
#include <map>
#include <regex>
#include <set>

#include "absl/strings/str_cat.h"
#include "auth/api_token.h"
#include "cli/channel.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "keyed_daemon.h"
#include "ops_fixture.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::CliResult;
using ::salestrack::testing::Daemon;
using ::salestrack::testing::OpsHistory;
using ::salestrack::testing::RunCli;
using ::salestrack::testing::TempDir;
using ::testing::HasSubstr;

// The keys of the test daemon, one per role (the map's key). rep-0..2 are in team-east, rep-3..5 in
// team-west.
const std::map<std::string, testing::TestKey>& Keys() {
  static const auto* keys = new std::map<std::string, testing::TestKey>{
      {"admin", {"root", "admin"}},
      {"connector", {"crm", "connector"}},
      {"rep", {"rep0-phone", "rep", "rep_id: \"rep-0\""}},
      {"manager", {"east-boss", "manager", "unit_id: \"team-east\""}},
      {"screen", {"tv", "screen"}}};
  return *keys;
}

class AuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::vector<testing::TestKey> keys;
    for (const auto& [role, key] : Keys()) keys.push_back(key);
    keyed_ = new testing::KeyedDaemon("", keys);
    testing::AppendAll(*v1::LogService::NewStub(Channel("admin")), OpsHistory(60));
  }
  static void TearDownTestSuite() { delete keyed_; }

  static std::string Token(const std::string& role) { return keyed_->token(Keys().at(role).name); }

  // A channel sending role's token ("" : none; "bogus": an unknown one).
  static std::shared_ptr<grpc::Channel> Channel(const std::string& role) {
    cli::ChannelOptions options;
    if (role == "bogus") {
      options.token = "st_not-a-key";
    } else if (!role.empty()) {
      options.token = Token(role);
    }
    return *cli::NewChannel(keyed_->daemon().address(), options);
  }

  static uint64_t Head() {
    auto stub = v1::LogService::NewStub(Channel("admin"));
    return testing::ReadAll(*stub).size();
  }

  static testing::KeyedDaemon* keyed_;
};
testing::KeyedDaemon* AuthTest::keyed_ = nullptr;

// Calls `method` with raw request bytes through the generic stub; returns the status.
grpc::Status CallRaw(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                     const std::string& request_bytes) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(s); });
  return done.get_future().get();
}

TEST_F(AuthTest, EverySalestrackMethodNeedsAKnownKeyButHealthDoesNot) {
  const google::protobuf::FileDescriptor* files[] = {v1::AppendRequest::descriptor()->file(),
                                                     v1::GetKpisRequest::descriptor()->file()};
  int methods = 0;
  for (const google::protobuf::FileDescriptor* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m, ++methods) {
        std::string name = absl::StrCat("/", service->full_name(), "/", service->method(m)->name());
        EXPECT_EQ(CallRaw(Channel(""), name, "").error_code(), grpc::StatusCode::UNAUTHENTICATED)
            << name;
        grpc::Status bogus = CallRaw(Channel("bogus"), name, "");
        EXPECT_EQ(bogus.error_code(), grpc::StatusCode::UNAUTHENTICATED) << name;
        EXPECT_EQ(bogus.error_message(), "unknown API key");
      }
    }
  }
  EXPECT_EQ(methods, 18);  // LogService 4, KpiService 8, AdminService 6.
  EXPECT_TRUE(CallRaw(Channel(""), "/grpc.health.v1.Health/Check", "").ok());
  grpc::Status none = CallRaw(Channel(""), "/salestrack.v1.KpiService/GetKpis", "");
  EXPECT_THAT(none.error_message(), HasSubstr("send metadata \"authorization: Bearer TOKEN\""));
}

// For each role, a request in its scope to every method: allowed or PERMISSION_DENIED by role
// alone.
TEST_F(AuthTest, RoleMethodMatrix) {
  absl::Time when = absl::FromCivil(absl::CivilSecond(2026, 11, 20, 10, 0, 0), absl::UTCTimeZone());
  // What each role would append (in its scope).
  auto own_event = [&](const std::string& role, int n) {
    std::string id = absl::StrCat("matrix-", role, "-", n);
    if (role == "manager") {
      v1::Event e;
      e.set_event_id(id);
      *e.mutable_occurred_at() = ToProto(when);
      v1::TargetSet* t = e.mutable_target_set();
      t->set_subject_rep_id("rep-1");
      t->mutable_period()->set_kind(v1::MONTH);
      t->mutable_period()->mutable_date()->set_year(2026);
      t->mutable_period()->mutable_date()->set_month(12);
      t->mutable_period()->mutable_date()->set_day(1);
      t->set_metric("sales_amount");
      t->set_target(1000000);
      return e;
    }
    return testing::Action(id, "rep-0", "cust-matrix", when);
  };
  auto subject = [&](const std::string& role) {
    v1::Subject s;
    if (role == "manager") {
      s.set_unit_id("team-east");
    } else {
      s.set_rep_id("rep-0");
    }
    return s;
  };
  // role -> methods it may use (issue 6).
  const std::map<std::string, std::set<std::string>> allowed = {
      {"admin",
       {"Append", "AppendStream", "ReadEvents", "GetLogInfo", "GetKpis", "GetFunnel",
        "ListFollowUps", "GetScorecard", "CheckTargets", "Verify", "Rebuild", "Backup", "GetStats",
        "GetOrgInfo"}},
      {"connector", {"Append", "AppendStream", "ReadEvents", "GetLogInfo", "GetOrgInfo"}},
      // A rep may call CheckTargets, but only a unit's targets are checked: out of its scope.
      {"rep",
       {"Append", "AppendStream", "GetKpis", "GetFunnel", "ListFollowUps", "GetScorecard",
        "GetOrgInfo"}},
      {"manager",
       {"Append", "AppendStream", "GetKpis", "GetFunnel", "ListFollowUps", "GetScorecard",
        "CheckTargets", "GetOrgInfo"}},
      {"screen", {"GetOrgInfo"}},
  };
  int n = 0;
  for (const auto& [role, may] : allowed) {
    SCOPED_TRACE(role);
    auto channel = Channel(role);
    auto expect = [&, role = role, may = may](const std::string& method, const grpc::Status& s) {
      if (may.count(method)) {
        EXPECT_TRUE(s.ok()) << method << ": " << s.error_message();
      } else {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << method;
        EXPECT_THAT(s.error_message(), HasSubstr("may not call /salestrack.v1."));
      }
    };
    v1::AppendRequest append;
    *append.add_events() = own_event(role, ++n);
    expect("Append",
           CallRaw(channel, "/salestrack.v1.LogService/Append", append.SerializeAsString()));
    {
      auto stub = v1::LogService::NewStub(channel);
      grpc::ClientContext context;
      auto stream = stub->AppendStream(&context);
      v1::AppendRequest request;
      *request.add_events() = own_event(role, ++n);
      stream->Write(request);
      stream->WritesDone();
      v1::AppendStreamResponse response;
      bool answered = stream->Read(&response);
      grpc::Status s = stream->Finish();
      if (s.ok() && answered && response.has_error()) {
        s = grpc::Status(static_cast<grpc::StatusCode>(response.error().code()),
                         response.error().message());
      }
      expect("AppendStream", s);
    }
    v1::ReadEventsRequest read;
    read.set_limit(1);
    expect("ReadEvents",
           CallRaw(channel, "/salestrack.v1.LogService/ReadEvents", read.SerializeAsString()));
    expect("GetLogInfo", CallRaw(channel, "/salestrack.v1.LogService/GetLogInfo", ""));
    v1::GetKpisRequest kpis;
    *kpis.mutable_subject() = subject(role);
    kpis.mutable_period()->set_kind(v1::MONTH);
    expect("GetKpis",
           CallRaw(channel, "/salestrack.v1.KpiService/GetKpis", kpis.SerializeAsString()));
    v1::GetFunnelRequest funnel;
    *funnel.mutable_subject() = subject(role);
    funnel.mutable_period()->set_kind(v1::MONTH);
    expect("GetFunnel",
           CallRaw(channel, "/salestrack.v1.KpiService/GetFunnel", funnel.SerializeAsString()));
    v1::ListFollowUpsRequest follow_ups;
    *follow_ups.mutable_subject() = subject(role);
    expect("ListFollowUps", CallRaw(channel, "/salestrack.v1.KpiService/ListFollowUps",
                                    follow_ups.SerializeAsString()));
    // Scoring: allowed means "not refused" (there is no scheme here, so FAILED_PRECONDITION).
    auto expect_allowed = [&, may = may](const std::string& method, const grpc::Status& s) {
      if (may.count(method)) {
        EXPECT_NE(s.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << method << ": " << s.error_message();
      } else {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED) << method;
      }
    };
    v1::GetScorecardRequest scorecard;
    *scorecard.mutable_subject() = subject(role);
    expect_allowed("GetScorecard", CallRaw(channel, "/salestrack.v1.KpiService/GetScorecard",
                                           scorecard.SerializeAsString()));
    v1::CheckTargetsRequest check;
    check.set_unit_id("team-east");
    expect_allowed("CheckTargets", CallRaw(channel, "/salestrack.v1.KpiService/CheckTargets",
                                           check.SerializeAsString()));
    expect("GetOrgInfo", CallRaw(channel, "/salestrack.v1.KpiService/GetOrgInfo", ""));
    expect("Verify", CallRaw(channel, "/salestrack.v1.AdminService/Verify", ""));
    expect("Rebuild", CallRaw(channel, "/salestrack.v1.AdminService/Rebuild", ""));
    v1::BackupRequest backup;
    backup.set_dir(keyed_->dir().Sub("backup-" + role));
    expect("Backup",
           CallRaw(channel, "/salestrack.v1.AdminService/Backup", backup.SerializeAsString()));
    expect("GetStats", CallRaw(channel, "/salestrack.v1.AdminService/GetStats", ""));
  }
}

absl::Time November(int day) {
  return absl::FromCivil(absl::CivilSecond(2026, 11, day, 9, 0, 0), absl::UTCTimeZone());
}

grpc::Status Append(const std::shared_ptr<grpc::Channel>& channel, std::vector<v1::Event> events) {
  v1::AppendRequest request;
  for (v1::Event& e : events) *request.add_events() = std::move(e);
  v1::AppendResponse response;
  grpc::ClientContext context;
  return v1::LogService::NewStub(channel)->Append(&context, request, &response);
}

TEST_F(AuthTest, ARepAppendsOnlyItsOwnActivityBeforeAnyOtherCheck) {
  auto rep = Channel("rep");
  const uint64_t head = Head();
  EXPECT_TRUE(Append(rep, {testing::Action("rep0-a", "rep-0", "cust-1", November(2))}).ok());
  EXPECT_EQ(Head(), head + 1);

  // Another rep's event, even beside an own one: the whole batch is refused, naming the event.
  grpc::Status foreign = Append(rep, {testing::Action("rep0-b", "rep-0", "cust-1", November(2)),
                                      testing::Action("rep0-c", "rep-1", "cust-1", November(2))});
  EXPECT_EQ(foreign.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(foreign.error_message(),
            "events[1].rep_id: key \"rep0-phone\" (rep rep-0) may not append events of rep "
            "\"rep-1\"");
  // Org events, voids and targets are not activity.
  v1::Event unit;
  unit.set_event_id("rep0-unit");
  *unit.mutable_occurred_at() = ToProto(November(2));
  unit.mutable_unit_defined()->set_unit_id("rogue");
  unit.mutable_unit_defined()->set_name("Rogue");
  EXPECT_EQ(Append(rep, {unit}).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Append(rep, {testing::Void("rep0-void", "rep0-a", November(3))}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Decided before validation: an invalid foreign event is refused as out of scope.
  v1::Event invalid = testing::Action("rep0-d", "rep-1", "", November(2));
  EXPECT_EQ(Append(rep, {invalid}).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Head(), head + 1);  // Nothing of the refusals was stored.

  // On a stream, a refused batch is answered with its error and the stream goes on.
  auto stub = v1::LogService::NewStub(rep);
  testing::StreamedAppends streamed =
      testing::AppendOnStream(*stub, {{testing::Action("rep0-e", "rep-2", "cust-1", November(4))},
                                      {testing::Action("rep0-f", "rep-0", "cust-1", November(4))}});
  EXPECT_TRUE(streamed.status.ok());
  ASSERT_EQ(streamed.answers.size(), 2u);
  const v1::AppendStreamResponse& r1 = streamed.answers[0];
  const v1::AppendStreamResponse& r2 = streamed.answers[1];
  EXPECT_EQ(r1.error().code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(r1.error().event_index(), 0);
  EXPECT_EQ(r1.error().field(), "rep_id");
  EXPECT_TRUE(r2.has_ok());
  EXPECT_EQ(Head(), head + 2);
}

grpc::Status Kpis(const std::shared_ptr<grpc::Channel>& channel, const std::string& rep,
                  const std::string& unit) {
  v1::GetKpisRequest request;
  if (!rep.empty()) request.mutable_subject()->set_rep_id(rep);
  if (!unit.empty()) request.mutable_subject()->set_unit_id(unit);
  request.mutable_period()->set_kind(v1::MONTH);
  v1::GetKpisResponse response;
  grpc::ClientContext context;
  return v1::KpiService::NewStub(channel)->GetKpis(&context, request, &response);
}

TEST_F(AuthTest, ARepReadsOnlyItsOwnFigures) {
  auto rep = Channel("rep");
  EXPECT_TRUE(Kpis(rep, "rep-0", "").ok());
  grpc::Status other = Kpis(rep, "rep-1", "");
  EXPECT_EQ(other.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(other.error_message(),
            "key \"rep0-phone\" (rep rep-0) may not read the figures of rep \"rep-1\"");
  EXPECT_EQ(Kpis(rep, "", "team-east").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::ListFollowUpsRequest follow_ups;
  follow_ups.mutable_subject()->set_rep_id("rep-3");
  v1::ListFollowUpsResponse response;
  grpc::ClientContext context;
  EXPECT_EQ(
      v1::KpiService::NewStub(rep)->ListFollowUps(&context, follow_ups, &response).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AuthTest, ScorecardsAndTargetChecksFollowTheReadScopes) {
  auto scorecard = [](const std::shared_ptr<grpc::Channel>& channel, const std::string& rep) {
    v1::GetScorecardRequest request;
    request.mutable_subject()->set_rep_id(rep);
    v1::GetScorecardResponse response;
    grpc::ClientContext context;
    return v1::KpiService::NewStub(channel)->GetScorecard(&context, request, &response);
  };
  auto check = [](const std::shared_ptr<grpc::Channel>& channel, const std::string& unit) {
    v1::CheckTargetsRequest request;
    request.set_unit_id(unit);
    v1::CheckTargetsResponse response;
    grpc::ClientContext context;
    return v1::KpiService::NewStub(channel)->CheckTargets(&context, request, &response);
  };
  auto rep = Channel("rep"), boss = Channel("manager");
  EXPECT_NE(scorecard(rep, "rep-0").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(scorecard(rep, "rep-1").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(scorecard(boss, "rep-1").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(scorecard(boss, "rep-3").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(check(boss, "team-east").ok());
  EXPECT_EQ(check(boss, "company").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(check(rep, "team-east").error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AuthTest, AManagerReadsItsSubtreeAndSetsTargetsOnlyThere) {
  auto boss = Channel("manager");
  EXPECT_TRUE(Kpis(boss, "", "team-east").ok());
  EXPECT_TRUE(Kpis(boss, "rep-1", "").ok());
  EXPECT_EQ(Kpis(boss, "", "company").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Kpis(boss, "", "team-west").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status west_rep = Kpis(boss, "rep-3", "");
  EXPECT_EQ(west_rep.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(west_rep.error_message(),
            "key \"east-boss\" (manager of team-east) may not read the figures of rep \"rep-3\"");

  auto target = [](const std::string& id, const std::string& unit) {
    v1::Event e;
    e.set_event_id(id);
    *e.mutable_occurred_at() = ToProto(November(5));
    v1::TargetSet* t = e.mutable_target_set();
    t->set_subject_unit_id(unit);
    t->mutable_period()->set_kind(v1::QUARTER);
    *t->mutable_period()->mutable_date() = v1::Date();
    t->mutable_period()->mutable_date()->set_year(2027);
    t->mutable_period()->mutable_date()->set_month(1);
    t->mutable_period()->mutable_date()->set_day(1);
    t->set_metric("signings");
    t->set_target(10);
    return e;
  };
  const uint64_t head = Head();
  EXPECT_TRUE(Append(boss, {target("boss-t1", "team-east")}).ok());
  grpc::Status west = Append(boss, {target("boss-t2", "team-west")});
  EXPECT_EQ(west.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(west.error_message(),
            "events[0].target_set.subject_unit_id: key \"east-boss\" (manager of team-east) may "
            "set targets only inside unit team-east");
  EXPECT_EQ(Append(boss, {testing::Action("boss-a", "rep-1", "cust-1", November(5))}).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Head(), head + 1);
}

TEST_F(AuthTest, CliSendsTheTokenFromTheFlagOrTheEnvironment) {
  std::string server = "--server=" + keyed_->daemon().address();
  CliResult none = RunCli(server + " kpis --rep rep-0");
  EXPECT_EQ(none.code, 1);
  EXPECT_THAT(none.err, HasSubstr("no API key"));
  CliResult flag = RunCli(server + " --token=" + Token("rep") + " kpis --rep rep-0");
  EXPECT_EQ(flag.code, 0) << flag.err;
  EXPECT_THAT(flag.out, HasSubstr("KPIs for rep rep-0"));
  CliResult rep_verify = RunCli(server + " --token=" + Token("rep") + " verify");  // Admin only.
  EXPECT_EQ(rep_verify.code, 1);
  EXPECT_THAT(rep_verify.err,
              HasSubstr("(role rep) may not call /salestrack.v1.AdminService/Verify"));
  setenv("SALESTRACK_TOKEN", Token("admin").c_str(), 1);
  CliResult from_env = RunCli(server + " verify");
  unsetenv("SALESTRACK_TOKEN");
  EXPECT_EQ(from_env.code, 0) << from_env.err;
  EXPECT_THAT(from_env.out, HasSubstr("views match"));
}

TEST(AuthStartupTest, KeysAreRequiredUnlessTheDevelopmentFlagSaysOtherwise) {
  TempDir tmp;
  std::string err;
  EXPECT_EQ(
      testing::RunDaemonToExit(
          {"--listen=127.0.0.1:0", "--data_dir=" + tmp.Sub("d"), "--insecure_no_auth=false"}, &err),
      2);
  EXPECT_THAT(err, HasSubstr("api_keys: none configured"));
  std::ofstream(tmp.Sub("bad.conf")) << testing::ApiKeyEntry({"a", "rep"}, "x");
  EXPECT_EQ(
      testing::RunDaemonToExit(
          {"--config=" + tmp.Sub("bad.conf"), "--insecure_no_auth=false", "--check_config"}, &err),
      2);
  EXPECT_THAT(err, HasSubstr("api_keys[0].rep_id: required for role rep"));
  std::ofstream(tmp.Sub("good.conf")) << testing::ApiKeyEntry({"a", "admin"}, "x");
  EXPECT_EQ(
      testing::RunDaemonToExit({"--config=" + tmp.Sub("good.conf"), "--insecure_no_auth"}, &err),
      2);
  EXPECT_THAT(err, HasSubstr("--insecure_no_auth was given but the config has api_keys"));

  Daemon open(tmp.Sub("open"));  // The test helper's default: --insecure_no_auth.
  EXPECT_THAT(testing::ReadFile(open.stderr_path()), HasSubstr("AUTHENTICATION IS OFF"));
}

TEST(NewKeyTest, PrintsATokenAndAConfigEntryTheDaemonAccepts) {
  TempDir tmp;
  CliResult key = RunCli("new-key --name=li-phone --role=rep --rep=rep-li");
  ASSERT_EQ(key.code, 0) << key.err;
  std::smatch token;
  ASSERT_TRUE(std::regex_search(key.out, token, std::regex("\\n  (st_[0-9a-f]{64})\\n")));
  EXPECT_THAT(key.out, HasSubstr("sha256: \"" + Sha256Hex(token[1].str()) + "\""));
  std::string entry = key.out.substr(key.out.find("api_keys {"));
  std::ofstream(tmp.Sub("d.conf")) << entry;
  Daemon d(tmp.Sub("data"), {"--config=" + tmp.Sub("d.conf"), "--insecure_no_auth=false"});
  CliResult kpis =
      RunCli("--server=" + d.address() + " --token=" + token[1].str() + " kpis --rep rep-li");
  EXPECT_EQ(kpis.code, 0) << kpis.err;
  EXPECT_EQ(RunCli("new-key --name=x --role=manager").code, 2);
  EXPECT_EQ(RunCli("new-key --name=x --role=boss").code, 2);
}

}  // namespace
}  // namespace salestrack
