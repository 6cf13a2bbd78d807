// The accepted range of time (time_range.h) through real daemons in a zone west of UTC and in the
// easternmost one: every period of the first and the last accepted instant can be queried, every
// period the daemon names is accepted back, and what lies outside is refused naming the field.
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "org_events.h"
#include "salestrack/period.h"
#include "salestrack/time_range.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "salestrack/v1/leaderboard_service.grpc.pb.h"
#include "test_util.h"

namespace salestrack::testing {
namespace {

using ::testing::HasSubstr;

const absl::Time kFirst = absl::FromUnixSeconds(kMinInstantSeconds);
const absl::Time kLast = absl::FromUnixSeconds(kMaxInstantSeconds) + absl::Microseconds(999999);

v1::Date ToDate(absl::CivilDay day) {
  v1::Date d;
  d.set_year(static_cast<int32_t>(day.year()));
  d.set_month(day.month());
  d.set_day(day.day());
  return d;
}

v1::Period PeriodAt(PeriodKind kind, absl::CivilDay day) {
  v1::Period p;
  p.set_kind(static_cast<v1::PeriodKind>(kind));
  *p.mutable_date() = ToDate(day);
  return p;
}

grpc::Status GetKpis(v1::KpiService::Stub& stub, const v1::Period& period,
                     v1::GetKpisResponse* response) {
  v1::GetKpisRequest request;
  request.mutable_subject()->set_rep_id("r");
  *request.mutable_period() = period;
  grpc::ClientContext context;
  return stub.GetKpis(&context, request, response);
}

int64_t Figure(const v1::GetKpisResponse& r, const std::string& metric) {
  for (const v1::MetricValue& v : r.metrics()) {
    if (v.name() == metric) return v.integer();
  }
  ADD_FAILURE() << "no " << metric;
  return -1;
}

grpc::Status Append(v1::LogService::Stub& stub, const v1::Event& e) {
  v1::AppendRequest request;
  *request.add_events() = e;
  v1::AppendResponse response;
  grpc::ClientContext context;
  return stub.Append(&context, request, &response);
}

v1::Event Target(const std::string& id, const v1::Period& period) {
  v1::Event e = Org(id);
  v1::TargetSet* t = e.mutable_target_set();
  t->set_subject_rep_id("r");
  *t->mutable_period() = period;
  t->set_metric("actions");
  t->set_baseline(1);
  t->set_target(2);
  t->set_challenge(3);
  return e;
}

v1::Event Competition(const std::string& id, const google::protobuf::Timestamp& start,
                      const google::protobuf::Timestamp& end) {
  v1::Event e = Org(id);
  v1::CompetitionDefined* c = e.mutable_competition_defined();
  c->set_competition_id("all-time");
  c->set_name("All time");
  *c->mutable_start() = start;
  *c->mutable_end() = end;
  c->set_metric("actions");
  c->add_participant_unit_ids("east");
  c->set_mode(v1::CompetitionDefined::INDIVIDUAL);
  return e;
}

class TimeRangeTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(absl::LoadTimeZone(GetParam(), &zone_));
    daemon_ = std::make_unique<Daemon>(dir_.Sub("data"),
                                       std::vector<std::string>{"--time_zone=" + GetParam()});
    log_ = daemon_->NewStub();
    kpis_ = v1::KpiService::NewStub(daemon_->NewChannel());
    boards_ = v1::LeaderboardService::NewStub(daemon_->NewChannel());
    // A call at the first instant that schedules a follow-up at the last, and a contract at the
    // first instant with its one installment due at the last.
    v1::Event call = Action("call", "r", "c", kFirst);
    *call.mutable_action_logged()->mutable_next_follow_up_at() = ToProto(kLast);
    v1::Event deal = Contract("deal", "r", "k", 100, kFirst);
    v1::ContractSigned::Installment* due = deal.mutable_contract_signed()->add_installments();
    *due->mutable_due_at() = ToProto(kLast);
    due->set_amount(100);
    AppendOk(*log_,
             {UnitDef("east", "", kFirst), RepDef("def-r", "r", "east", true, kFirst), call, deal});
  }

  TempDir dir_;
  absl::TimeZone zone_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<v1::LogService::Stub> log_;
  std::unique_ptr<v1::KpiService::Stub> kpis_;
  std::unique_ptr<v1::LeaderboardService::Stub> boards_;
};

TEST_P(TimeRangeTest, EveryPeriodOfTheFirstAndLastInstantCanBeQueriedAndSentBack) {
  struct Case {
    absl::Time at;
    std::string metric;
    int64_t value;
  };
  for (const Case& c : {Case{kFirst, "actions", 1}, Case{kLast, "follow_ups_due", 1},
                        Case{kLast, "amount_due", 100}}) {
    for (PeriodKind kind : kAllPeriodKinds) {
      const Period want = PeriodOf(kind, c.at, zone_);
      SCOPED_TRACE(absl::StrCat(c.metric, " ", PeriodName(want)));
      v1::GetKpisResponse by_day;
      grpc::Status s = GetKpis(*kpis_, PeriodAt(kind, absl::ToCivilDay(c.at, zone_)), &by_day);
      ASSERT_TRUE(s.ok()) << s.error_message();
      EXPECT_EQ(by_day.period().date().DebugString(), ToDate(want.start).DebugString());
      EXPECT_EQ(Figure(by_day, c.metric), c.value);
      v1::GetKpisResponse again;  // The period as the daemon named it.
      s = GetKpis(*kpis_, by_day.period(), &again);
      ASSERT_TRUE(s.ok()) << s.error_message();
      EXPECT_EQ(Figure(again, c.metric), c.value);
      // A target for that period, as named, is accepted too.
      s = Append(*log_, Target("target-" + c.metric + PeriodName(want), by_day.period()));
      EXPECT_TRUE(s.ok()) << s.error_message();
    }
  }
  // The first day's board, and its period sent back.
  v1::GetLeaderboardRequest request;
  request.mutable_board()->set_unit_id("east");
  request.mutable_board()->set_metric("actions");
  *request.mutable_board()->mutable_period() =
      PeriodAt(PeriodKind::kWeek, absl::ToCivilDay(kFirst, zone_));
  v1::GetLeaderboardResponse board;
  grpc::ClientContext context;
  grpc::Status s = boards_->GetLeaderboard(&context, request, &board);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(board.entries_size(), 1);
  EXPECT_EQ(board.entries(0).value(), 1);
  *request.mutable_board() = board.info().board();
  grpc::ClientContext again;
  s = boards_->GetLeaderboard(&again, request, &board);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_P(TimeRangeTest, ACompetitionOverTheWholeRangeIsAcceptedBackAsTheDaemonShowsIt) {
  ASSERT_TRUE(Append(*log_, Competition("all-1", ToProto(kFirst), ToProto(kLast))).ok());
  v1::GetLeaderboardRequest request;
  request.mutable_board()->set_competition_id("all-time");
  v1::GetLeaderboardResponse board;
  grpc::ClientContext context;
  ASSERT_TRUE(boards_->GetLeaderboard(&context, request, &board).ok());
  EXPECT_EQ(FromProto(board.info().end()), kLast);
  ASSERT_EQ(board.entries_size(), 1);
  EXPECT_EQ(board.entries(0).value(), 1);
  grpc::Status s = Append(*log_, Competition("all-2", board.info().start(), board.info().end()));
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_P(TimeRangeTest, OutsideTheRangeIsRefusedNamingTheField) {
  v1::Event early = Action("early", "r", "c", kFirst);
  early.mutable_occurred_at()->set_seconds(-1);
  grpc::Status s = Append(*log_, early);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("events[0].occurred_at: must be between"));
  // One second past the last instant: its day would be 10000-01-01 east of UTC.
  v1::Event late = Action("late", "r", "c", kFirst);
  late.mutable_action_logged()->mutable_next_follow_up_at()->set_seconds(kMaxInstantSeconds + 1);
  s = Append(*log_, late);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("events[0].action_logged.next_follow_up_at: must be"));
  s = Append(*log_, Target("t-out", PeriodAt(PeriodKind::kDay, absl::CivilDay(1969, 12, 30))));
  EXPECT_THAT(s.error_message(), HasSubstr("events[0].target_set.period.date: DAY 1969-12-30"));

  struct Case {
    PeriodKind kind;
    absl::CivilDay day;
    bool ok;
  };
  for (const Case& c : {Case{PeriodKind::kDay, absl::CivilDay(1969, 12, 30), false},
                        Case{PeriodKind::kDay, absl::CivilDay(1969, 12, 31), true},
                        Case{PeriodKind::kWeek, absl::CivilDay(1969, 12, 22), false},
                        Case{PeriodKind::kYear, absl::CivilDay(1968, 12, 31), false},
                        Case{PeriodKind::kYear, absl::CivilDay(1969, 1, 1), true},
                        Case{PeriodKind::kWeek, absl::CivilDay(9999, 12, 31), true},
                        Case{PeriodKind::kDay, absl::CivilDay(10000, 1, 1), false}}) {
    SCOPED_TRACE(PeriodName({c.kind, c.day}));
    v1::GetKpisResponse r;
    s = GetKpis(*kpis_, PeriodAt(c.kind, c.day), &r);
    if (c.ok) {
      EXPECT_TRUE(s.ok()) << s.error_message();
    } else {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
      EXPECT_THAT(s.error_message(), HasSubstr("period.date: "));
      EXPECT_THAT(s.error_message(), HasSubstr("outside the accepted range"));
    }
  }
  // The CLI applies the daemon's rule.
  CliResult week =
      RunCli("--server=" + daemon_->address() + " kpis --rep r --period week --date 1969-12-29");
  EXPECT_EQ(week.code, 0) << week.err;
  CliResult day =
      RunCli("--server=" + daemon_->address() + " kpis --rep r --period day --date 1969-12-30");
  EXPECT_EQ(day.code, 2) << day.err;
  EXPECT_THAT(day.err, HasSubstr("--date: DAY 1969-12-30 is outside the accepted range"));
}

INSTANTIATE_TEST_SUITE_P(Zones, TimeRangeTest,
                         ::testing::Values("America/Los_Angeles", "Pacific/Kiritimati"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '/', '_');
                           return name;
                         });

}  // namespace
}  // namespace salestrack::testing
