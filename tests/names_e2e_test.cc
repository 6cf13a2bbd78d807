// Names and money through a real daemon: display names beside ids in every response that names a
// rep, a unit or a competition (a rename shows at once, on boards too), GetOrgInfo cut to each
// role's scope, celebrations of signed contracts on boards, and the org currency (config errors,
// kept by the data directory).
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "board_stream.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "keyed_daemon.h"
#include "org_events.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "salestrack/v1/leaderboard_service.grpc.pb.h"
#include "scoring_fixture.h"
#include "test_util.h"

namespace salestrack::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::Event Named(v1::Event e, const std::string& name) {
  if (e.has_unit_defined()) e.mutable_unit_defined()->set_name(name);
  if (e.has_rep_defined()) e.mutable_rep_defined()->set_name(name);
  return e;
}

// east (华东) -> sh (上海); west (华西). 孙磊 (nj-sun) and 李娜 (sh-li) in sh, 王芳 (w-wang) in
// west; "ghost" acts but is never defined.
std::vector<v1::Event> OrgWithNames() {
  v1::Event pk = Org("pk", Utc(2026, 1, 1));
  auto* c = pk.mutable_competition_defined();
  c->set_competition_id("pk");
  c->set_name("十月 PK");
  *c->mutable_start() = ToProto(Utc(2026, 10, 1));
  *c->mutable_end() = ToProto(Utc(2026, 11, 1));
  c->set_metric("sales_amount");
  c->add_participant_unit_ids("east");
  c->add_participant_unit_ids("west");
  c->set_mode(v1::CompetitionDefined::TEAM);
  return {Named(UnitDef("east", ""), "华东"),
          Named(UnitDef("sh", "east"), "上海"),
          Named(UnitDef("west", ""), "华西"),
          Named(RepDef("def-sun", "nj-sun", "sh", true), "孙磊"),
          Named(RepDef("def-li", "sh-li", "sh", true), "李娜"),
          Named(RepDef("def-wang", "w-wang", "west", true), "王芳"),
          pk,
          Contract("k1", "nj-sun", "ct-1", 1200000, Utc(2026, 10, 5)),
          Action("a1", "sh-li", "cust-1", Utc(2026, 10, 6))};
}

v1::Period October() {
  v1::Period p;
  p.set_kind(v1::MONTH);
  p.mutable_date()->set_year(2026);
  p.mutable_date()->set_month(10);
  p.mutable_date()->set_day(1);
  return p;
}

v1::Subject Rep(const std::string& id) {
  v1::Subject s;
  s.set_rep_id(id);
  return s;
}
v1::Subject Unit(const std::string& id) {
  v1::Subject s;
  s.set_unit_id(id);
  return s;
}

v1::BoardRef EastSales() {
  v1::BoardRef b;
  b.set_unit_id("east");
  b.set_metric("sales_amount");
  *b.mutable_period() = October();
  return b;
}

class NamesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = daemon_.NewStub();
    kpis_ = v1::KpiService::NewStub(daemon_.NewChannel());
    boards_ = v1::LeaderboardService::NewStub(daemon_.NewChannel());
    AppendOk(*log_, OrgWithNames());
  }

  v1::GetKpisResponse Kpis(const v1::Subject& subject) {
    v1::GetKpisRequest request;
    *request.mutable_subject() = subject;
    *request.mutable_period() = October();
    request.set_include_rep_ids(true);
    v1::GetKpisResponse response;
    grpc::ClientContext context;
    grpc::Status s = kpis_->GetKpis(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }
  // The last seq the views have applied: every acknowledged append is in it.
  uint64_t Head() { return Kpis(Rep("nj-sun")).seq(); }
  v1::GetLeaderboardResponse Board(const v1::BoardRef& board) {
    v1::GetLeaderboardRequest request;
    *request.mutable_board() = board;
    v1::GetLeaderboardResponse response;
    grpc::ClientContext context;
    grpc::Status s = boards_->GetLeaderboard(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }
  // member id -> display name, of a board's entries.
  static std::map<std::string, std::string> Names(
      const google::protobuf::RepeatedPtrField<v1::LeaderboardEntry>& entries) {
    std::map<std::string, std::string> names;
    for (const v1::LeaderboardEntry& e : entries) names[e.member_id()] = e.display_name();
    return names;
  }

  TempDir dir_;
  Daemon daemon_{dir_.Sub("data")};
  std::unique_ptr<v1::LogService::Stub> log_;
  std::unique_ptr<v1::KpiService::Stub> kpis_;
  std::unique_ptr<v1::LeaderboardService::Stub> boards_;
};

TEST_F(NamesTest, EveryResponseNamesItsRepsUnitsAndCompetitions) {
  v1::GetKpisResponse rep = Kpis(Rep("nj-sun"));
  EXPECT_EQ(rep.subject_name(), "孙磊");
  EXPECT_THAT(rep.rep_names(), ElementsAre("孙磊"));
  v1::GetKpisResponse unit = Kpis(Unit("east"));
  EXPECT_EQ(unit.subject_name(), "华东");
  EXPECT_THAT(unit.rep_ids(), ElementsAre("nj-sun", "sh-li"));
  EXPECT_THAT(unit.rep_names(), ElementsAre("孙磊", "李娜"));
  EXPECT_EQ(Kpis(Rep("ghost")).subject_name(), "");  // Never defined: clients show the id.

  {
    v1::GetFunnelRequest request;
    *request.mutable_subject() = Unit("sh");
    *request.mutable_period() = October();
    v1::GetFunnelResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(kpis_->GetFunnel(&context, request, &response).ok());
    EXPECT_EQ(response.subject().unit_id(), "sh");
    EXPECT_EQ(response.subject_name(), "上海");
  }
  {
    v1::Event due = Action("a-due", "sh-li", "cust-2", Utc(2026, 10, 7));
    *due.mutable_action_logged()->mutable_next_follow_up_at() = ToProto(Utc(2026, 10, 9));
    AppendOk(*log_, {due});
    v1::ListFollowUpsRequest request;
    *request.mutable_subject() = Unit("east");
    request.set_state(v1::ListFollowUpsRequest::OPEN);
    v1::ListFollowUpsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(kpis_->ListFollowUps(&context, request, &response).ok());
    ASSERT_EQ(response.follow_ups_size(), 1);
    EXPECT_EQ(response.follow_ups(0).rep_name(), "李娜");
    EXPECT_EQ(response.follow_ups(0).customer_id(), "cust-2");  // Customers have ids only.
  }
  {
    v1::Event target = Org("t-east", Utc(2026, 1, 1));
    auto* t = target.mutable_target_set();
    t->set_subject_unit_id("east");
    t->mutable_period()->set_kind(v1::MONTH);
    *t->mutable_period()->mutable_date() = October().date();
    t->set_metric("sales_amount");
    t->set_baseline(500000);
    t->set_target(1000000);
    t->set_challenge(1200000);
    AppendOk(*log_, {target});
    v1::CheckTargetsRequest request;
    request.set_unit_id("east");
    *request.mutable_period() = October();
    v1::CheckTargetsResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(kpis_->CheckTargets(&context, request, &response).ok());
    ASSERT_EQ(response.gaps_size(), 1);
    EXPECT_EQ(response.gaps(0).unit_name(), "华东");
    EXPECT_THAT(response.gaps(0).missing(), ElementsAre("unit sh"));
    EXPECT_THAT(response.gaps(0).missing_names(), ElementsAre("上海"));
  }

  v1::GetLeaderboardResponse board = Board(EastSales());
  EXPECT_EQ(board.info().name(), "华东");
  EXPECT_EQ(Names(board.entries()),
            (std::map<std::string, std::string>{{"nj-sun", "孙磊"}, {"sh-li", "李娜"}}));
  v1::BoardRef pk;
  pk.set_competition_id("pk");
  v1::GetLeaderboardResponse team = Board(pk);
  EXPECT_EQ(team.info().name(), "十月 PK");
  EXPECT_EQ(Names(team.entries()),
            (std::map<std::string, std::string>{{"east", "华东"}, {"west", "华西"}}));
}

TEST_F(NamesTest, ARenameShowsAtOnceInQueriesBoardsAndSubscriptions) {
  v1::SubscribeLeaderboardRequest request;
  *request.mutable_board() = EastSales();
  Stream stream(*boards_, request);
  ASSERT_TRUE(stream.AtLeast(Head()).has_value());
  // The snapshot holds every entry; a later update at the same seq may carry only signings.
  std::optional<v1::LeaderboardUpdate> snapshot = stream.First(
      [](const v1::LeaderboardUpdate& u) { return u.kind() == v1::LeaderboardUpdate::SNAPSHOT; });
  ASSERT_TRUE(snapshot.has_value());
  EXPECT_EQ(Names(snapshot->entries()).at("nj-sun"), "孙磊");

  const uint64_t seq = AppendOk(
      *log_, {Named(RepDef("def-sun-2", "nj-sun", "sh", true, Utc(2026, 2, 1)), "孙大磊")});
  EXPECT_EQ(Kpis(Rep("nj-sun")).subject_name(), "孙大磊");
  EXPECT_EQ(Names(Board(EastSales()).entries()).at("nj-sun"), "孙大磊");
  // The subscriber gets the renamed entry though its value and rank did not change.
  std::optional<v1::LeaderboardUpdate> renamed = stream.First([](const v1::LeaderboardUpdate& u) {
    for (const v1::LeaderboardEntry& e : u.entries()) {
      if (e.member_id() == "nj-sun" && e.display_name() == "孙大磊") return true;
    }
    return false;
  });
  ASSERT_TRUE(renamed.has_value());
  EXPECT_EQ(renamed->seq(), seq);
  EXPECT_EQ(renamed->kind(), v1::LeaderboardUpdate::DELTA);
}

TEST_F(NamesTest, ABoardSubscriberSeesTheSigningWithTheRepsName) {
  v1::SubscribeLeaderboardRequest request;
  *request.mutable_board() = EastSales();
  request.set_top(1);  // Any view of the board gets its members' signings.
  Stream stream(*boards_, request);
  v1::BoardRef pk;
  pk.set_competition_id("pk");
  v1::SubscribeLeaderboardRequest team_request;
  *team_request.mutable_board() = pk;
  Stream team(*boards_, team_request);
  // Both have seen the org's own commits (its signings among them) before the test's.
  const uint64_t head = Head();
  ASSERT_TRUE(stream.AtLeast(head).has_value());
  ASSERT_TRUE(team.AtLeast(head).has_value());

  // 王芳 is not on east's board; 李娜 is; a September signing is outside October's board.
  const uint64_t seq =
      AppendOk(*log_, {Contract("k-wang", "w-wang", "ct-w", 50000, Utc(2026, 10, 10)),
                       Contract("k-sep", "sh-li", "ct-sep", 7000, Utc(2026, 9, 10)),
                       Contract("k-li", "sh-li", "ct-li", 12000000, Utc(2026, 10, 10))});
  // The first update with this commit's signings (the org's own came before `head`).
  auto signed_by_test = [seq](const v1::LeaderboardUpdate& u) {
    for (const v1::Signing& s : u.signings()) {
      if (s.seq() == seq) return true;
    }
    return false;
  };
  std::optional<v1::LeaderboardUpdate> u = stream.First(signed_by_test);
  ASSERT_TRUE(u.has_value());
  ASSERT_EQ(u->signings_size(), 1) << u->DebugString();
  const v1::Signing& s = u->signings(0);
  EXPECT_EQ(s.seq(), seq);
  EXPECT_EQ(s.rep_id(), "sh-li");
  EXPECT_EQ(s.rep_name(), "李娜");
  EXPECT_EQ(s.contract_id(), "ct-li");
  EXPECT_EQ(s.amount(), 12000000);
  EXPECT_EQ(FromProto(s.occurred_at()), Utc(2026, 10, 10));
  // The team competition: both units' reps, in its window.
  std::optional<v1::LeaderboardUpdate> t = team.First(signed_by_test);
  ASSERT_TRUE(t.has_value());
  std::set<std::string> contracts;
  for (const v1::Signing& x : t->signings()) contracts.insert(x.contract_id());
  EXPECT_EQ(contracts, (std::set<std::string>{"ct-w", "ct-li"}));
}

TEST_F(NamesTest, TheCliShowsMoneyAndNamesInALocale) {
  const std::string base = absl::StrCat("--server=", daemon_.address(),
                                        " kpis --rep nj-sun --period month --date 2026-10-01");
  CliResult zh = RunCli(base + " --locale zh_CN.UTF-8");
  ASSERT_EQ(zh.code, 0) << zh.err;
  EXPECT_THAT(zh.out, HasSubstr("rep nj-sun (孙磊)"));
  EXPECT_THAT(zh.out, ::testing::ContainsRegex("sales_amount +¥12,000.00\n"));
  CliResult plain = RunCli(base);  // Scripts and the tour: minor units, as before.
  ASSERT_EQ(plain.code, 0) << plain.err;
  EXPECT_THAT(plain.out, ::testing::ContainsRegex("sales_amount +1,200,000 \\(12,000.00\\)\n"));
  EXPECT_THAT(plain.out, ::testing::Not(HasSubstr("孙磊")));
}

TEST(ScorecardNamesTest, TheSubjectAndWhereEachTargetWasSet) {
  TempDir dir;
  Daemon daemon(dir.Sub("data"));
  std::vector<v1::Event> events;
  for (absl::string_view line : absl::StrSplit(kScoringEvents, '\n', absl::SkipWhitespace())) {
    ASSERT_TRUE(
        google::protobuf::TextFormat::ParseFromString(std::string(line), &events.emplace_back()));
  }
  AppendOk(*daemon.NewStub(), events);
  v1::GetScorecardRequest request;
  request.mutable_subject()->set_rep_id("ann");
  request.mutable_period()->set_kind(v1::MONTH);
  request.mutable_period()->mutable_date()->set_year(2026);
  request.mutable_period()->mutable_date()->set_month(11);
  request.mutable_period()->mutable_date()->set_day(1);
  v1::GetScorecardResponse card;
  grpc::ClientContext context;
  grpc::Status s =
      v1::KpiService::NewStub(daemon.NewChannel())->GetScorecard(&context, request, &card);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(card.subject_name(), "Ann");
  int named = 0;
  for (const v1::ScorecardRow& row : card.rows()) {
    if (row.target_from() == "rep ann") {
      EXPECT_EQ(row.target_from_name(), "Ann");
      ++named;
    } else if (row.target_from() == "unit sh") {
      EXPECT_EQ(row.target_from_name(), "Shanghai");
      ++named;
    }
  }
  EXPECT_GT(named, 0) << card.DebugString();
}

// ---- GetOrgInfo, per role

class OrgInfoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AppendOk(*v1::LogService::NewStub(daemon_.Channel("root")), OrgWithNames());
  }
  v1::GetOrgInfoResponse Info(const std::string& key) {
    v1::GetOrgInfoResponse response;
    grpc::ClientContext context;
    grpc::Status s = v1::KpiService::NewStub(daemon_.Channel(key))
                         ->GetOrgInfo(&context, v1::GetOrgInfoRequest(), &response);
    EXPECT_TRUE(s.ok()) << key << ": " << s.error_message();
    return response;
  }
  static std::vector<std::string> Units(const v1::GetOrgInfoResponse& r) {
    std::vector<std::string> ids;
    for (const auto& u : r.units()) ids.push_back(absl::StrCat(u.unit_id(), "=", u.name()));
    return ids;
  }
  static std::vector<std::string> Reps(const v1::GetOrgInfoResponse& r) {
    std::vector<std::string> ids;
    for (const auto& u : r.reps()) ids.push_back(absl::StrCat(u.rep_id(), "=", u.name()));
    return ids;
  }

  KeyedDaemon daemon_{"time_zone: \"Asia/Shanghai\"\ncurrency_code: \"CNY\"\n",
                      {{"root", "admin"},
                       {"crm", "connector"},
                       {"boss-east", "manager", "unit_id: \"east\""},
                       {"li-phone", "rep", "rep_id: \"sh-li\""},
                       {"tv", "screen"}}};
};

TEST_F(OrgInfoTest, EachRoleSeesItsScope) {
  v1::GetOrgInfoResponse admin = Info("root");
  EXPECT_EQ(admin.time_zone(), "Asia/Shanghai");
  EXPECT_EQ(admin.currency().code(), "CNY");
  EXPECT_EQ(admin.currency().minor_unit_exponent(), 2u);
  EXPECT_THAT(Units(admin), ElementsAre("east=华东", "sh=上海", "west=华西"));
  EXPECT_THAT(Reps(admin), ElementsAre("nj-sun=孙磊", "sh-li=李娜", "w-wang=王芳"));
  ASSERT_EQ(admin.competitions_size(), 1);
  EXPECT_EQ(admin.competitions(0).name(), "十月 PK");
  EXPECT_TRUE(admin.competitions(0).team());
  EXPECT_EQ(admin.units(1).parent_unit_id(), "east");
  EXPECT_THAT(Reps(Info("crm")), ElementsAre("nj-sun=孙磊", "sh-li=李娜", "w-wang=王芳"));

  v1::GetOrgInfoResponse manager = Info("boss-east");
  EXPECT_THAT(Units(manager), ElementsAre("east=华东", "sh=上海"));
  EXPECT_THAT(Reps(manager), ElementsAre("nj-sun=孙磊", "sh-li=李娜"));
  EXPECT_EQ(manager.competitions_size(), 1);

  v1::GetOrgInfoResponse rep = Info("li-phone");
  EXPECT_THAT(Units(rep), ElementsAre("east=华东", "sh=上海"));
  EXPECT_THAT(Reps(rep), ElementsAre("sh-li=李娜"));

  v1::GetOrgInfoResponse screen = Info("tv");
  EXPECT_THAT(Units(screen), ElementsAre("east=华东", "sh=上海", "west=华西"));
  EXPECT_TRUE(screen.reps().empty());
  EXPECT_EQ(screen.currency().code(), "CNY");

  // The catalogue: every metric GetKpis reports, with how to format it.
  std::map<std::string, v1::GetOrgInfoResponse::Metric> metrics;
  for (const auto& m : admin.metrics()) metrics[m.name()] = m;
  EXPECT_EQ(metrics.at("sales_amount").unit(), "money");
  EXPECT_EQ(metrics.at("sales_amount").kind(), v1::MetricValue::MONEY);
  EXPECT_EQ(metrics.at("win_rate").unit(), "ratio");
  EXPECT_EQ(metrics.at("signings").unit(), "count");
  EXPECT_EQ(metrics.at("avg_deal_size").unit(), "money");
  EXPECT_EQ(metrics.at("sales_cycle").unit(), "seconds");
  EXPECT_TRUE(metrics.at("sales_cycle").lower_is_better());
  EXPECT_TRUE(metrics.at("outstanding").point_in_time());
  EXPECT_EQ(metrics.at("commission").unit(), "money");
}

// ---- The org currency

TEST(CurrencyTest, ConfigErrorsNameTheField) {
  TempDir dir;
  const struct {
    std::string config, error;
  } cases[] = {
      {"currency_code: \"cny\"", "currency_code: \"cny\" is not an ISO 4217 code"},
      {"currency_code: \"YUAN\"", "currency_code: \"YUAN\" is not an ISO 4217 code"},
      {"currency_minor_unit_exponent: 5", "currency_minor_unit_exponent: 5 is not in 0..4"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.config);
    const std::string conf = dir.Sub("bad.conf");
    std::ofstream(conf) << c.config << "\n";
    std::string err;
    EXPECT_NE(RunDaemonToExit({"--config=" + conf, "--data_dir=" + dir.Sub("data")}, &err), 0);
    EXPECT_THAT(err, HasSubstr(c.error));
  }
}

TEST(CurrencyTest, TheDataDirectoryKeepsItsCurrency) {
  TempDir dir;
  const std::string data = dir.Sub("data");
  auto config = [&](const std::string& text) {
    const std::string path = dir.Sub("d.conf");
    std::ofstream(path) << text << "\n";
    return "--config=" + path;
  };
  auto currency_of = [](Daemon& d) {
    v1::GetOrgInfoResponse r;
    grpc::ClientContext context;
    EXPECT_TRUE(v1::KpiService::NewStub(d.NewChannel())
                    ->GetOrgInfo(&context, v1::GetOrgInfoRequest(), &r)
                    .ok());
    return absl::StrCat(r.currency().code(), " ", r.currency().minor_unit_exponent());
  };
  {
    Daemon d(data, {config("currency_code: \"JPY\" currency_minor_unit_exponent: 0")});
    EXPECT_EQ(currency_of(d), "JPY 0");
    AppendOk(*d.NewStub(), {Named(UnitDef("east", ""), "华东")});
  }
  {
    Daemon d(data, {config("")});  // No currency given: the directory's.
    EXPECT_EQ(currency_of(d), "JPY 0");
  }
  std::string err;
  EXPECT_NE(
      RunDaemonToExit({config("currency_minor_unit_exponent: 2"), "--data_dir=" + data}, &err), 0);
  EXPECT_THAT(err, HasSubstr("holds money in JPY with minor-unit exponent 0, but this start asks "
                             "for JPY with minor-unit exponent 2"));
  EXPECT_NE(RunDaemonToExit({config("currency_code: \"USD\""), "--data_dir=" + data}, &err), 0);
  EXPECT_THAT(err, HasSubstr("asks for USD"));
  // A new directory without a currency: CNY in fen.
  Daemon fresh(dir.Sub("fresh"), {config("")});
  EXPECT_EQ(currency_of(fresh), "CNY 2");
}

}  // namespace
}  // namespace salestrack::testing
