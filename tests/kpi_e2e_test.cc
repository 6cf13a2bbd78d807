// KPIs end to end: a real salestrackd, events over gRPC, figures over gRPC.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::Daemon;
using ::salestrack::testing::TempDir;
using ::salestrack::testing::ToProto;
using ::testing::HasSubstr;

absl::Time Utc(int y, int m, int d, int hh = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, 0, 0), absl::UTCTimeZone());
}

class KpiE2eTest : public ::testing::Test {
 protected:
  KpiE2eTest()
      : daemon_(std::make_unique<Daemon>(dir_.Sub("data"),
                                         std::vector<std::string>{"--time_zone=Asia/Shanghai"})) {
    Connect();
  }
  void Connect() {
    log_ = daemon_->NewStub();
    kpi_ = v1::KpiService::NewStub(daemon_->NewChannel());
    admin_ = v1::AdminService::NewStub(daemon_->NewChannel());
  }

  v1::Event Base(const std::string& rep, absl::Time t) {
    v1::Event e;
    e.set_event_id(absl::StrCat("ev-", ++next_));
    e.set_rep_id(rep);
    *e.mutable_occurred_at() = ToProto(t);
    return e;
  }
  grpc::Status Append(std::vector<v1::Event> events) {
    grpc::ClientContext context;
    v1::AppendRequest request;
    for (auto& e : events) *request.add_events() = e;
    v1::AppendResponse response;
    return log_->Append(&context, request, &response);
  }
  v1::Event Unit(const std::string& id, const std::string& parent) {
    v1::Event e = Base("", Utc(2026, 1, 1));
    e.mutable_unit_defined()->set_unit_id(id);
    e.mutable_unit_defined()->set_name(id);
    e.mutable_unit_defined()->set_parent_unit_id(parent);
    return e;
  }
  v1::Event Rep(const std::string& id, const std::string& unit) {
    v1::Event e = Base("", Utc(2026, 1, 1));
    e.mutable_rep_defined()->set_rep_id(id);
    e.mutable_rep_defined()->set_name(id);
    e.mutable_rep_defined()->set_unit_id(unit);
    e.mutable_rep_defined()->set_active(true);
    return e;
  }
  v1::Event Contract(const std::string& rep, const std::string& id, int64_t amount, absl::Time t) {
    v1::Event e = Base(rep, t);
    e.mutable_contract_signed()->set_contract_id(id);
    e.mutable_contract_signed()->set_customer_id("cust-" + id);
    e.mutable_contract_signed()->set_amount(amount);
    return e;
  }
  std::map<std::string, v1::MetricValue> Kpis(const std::string& unit, v1::PeriodKind kind, int y,
                                              int m, int d, uint64_t* seq = nullptr) {
    grpc::ClientContext context;
    v1::GetKpisRequest request;
    request.mutable_subject()->set_unit_id(unit);
    request.mutable_period()->set_kind(kind);
    request.mutable_period()->mutable_date()->set_year(y);
    request.mutable_period()->mutable_date()->set_month(m);
    request.mutable_period()->mutable_date()->set_day(d);
    v1::GetKpisResponse response;
    grpc::Status s = kpi_->GetKpis(&context, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (seq != nullptr) *seq = response.seq();
    std::map<std::string, v1::MetricValue> out;
    for (const auto& m : response.metrics()) out[m.name()] = m;
    for (const auto& m : response.point_in_time()) out[m.name()] = m;
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<v1::LogService::Stub> log_;
  std::unique_ptr<v1::KpiService::Stub> kpi_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
  int next_ = 0;
};

TEST_F(KpiE2eTest, OrgRulesAreEnforcedAtAppend) {
  grpc::Status orphan = Append({Unit("sh", "east")});
  EXPECT_EQ(orphan.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(orphan.error_message(),
              HasSubstr("events[0].unit_defined.parent_unit_id: unknown unit \"east\""));
  // Parent and child in one batch, in order, are fine.
  ASSERT_TRUE(Append({Unit("co", ""), Unit("east", "co"), Unit("sh", "east")}).ok());
  grpc::Status cycle = Append({Unit("co", "sh")});
  EXPECT_EQ(cycle.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(cycle.error_message(), HasSubstr("cycle"));
  grpc::Status rep = Append({Rep("li", "nowhere")});
  EXPECT_THAT(rep.error_message(),
              HasSubstr("events[0].rep_defined.unit_id: unknown unit \"nowhere\""));
  v1::Event stage = Base("li", Utc(2026, 11, 1));
  stage.mutable_opportunity_stage_changed()->set_opportunity_id("o1");
  stage.mutable_opportunity_stage_changed()->set_stage("proposal");
  EXPECT_EQ(Append({stage}).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(KpiE2eTest, UnitFiguresFollowTheLogAndSurviveSigkill) {
  ASSERT_TRUE(Append({Unit("co", ""), Unit("sh", "co"), Unit("hz", "co"), Rep("li", "sh"),
                      Rep("wang", "hz")})
                  .ok());
  // 2026-09-30T17:00Z is already Q4 in Shanghai.
  ASSERT_TRUE(Append({Contract("li", "k1", 4'000'000, Utc(2026, 9, 30, 17)),
                      Contract("wang", "k2", 3'000'000, Utc(2026, 11, 2)),
                      Contract("li", "k3", 1'000'000, Utc(2026, 9, 30, 15))})
                  .ok());
  uint64_t seq = 0;
  auto q4 = Kpis("co", v1::QUARTER, 2026, 11, 15, &seq);
  EXPECT_EQ(seq, 8u);
  EXPECT_EQ(q4["sales_amount"].integer(), 7'000'000);
  EXPECT_EQ(q4["signings"].integer(), 2);
  EXPECT_EQ(q4["new_customers"].integer(), 2);
  EXPECT_FALSE(q4["win_rate"].defined());
  EXPECT_EQ(Kpis("sh", v1::QUARTER, 2026, 8, 1)["sales_amount"].integer(), 1'000'000);

  // Unknown unit and missing subject.
  grpc::ClientContext c1;
  v1::GetKpisRequest bad;
  bad.mutable_subject()->set_unit_id("nowhere");
  bad.mutable_period()->set_kind(v1::MONTH);
  v1::GetKpisResponse ignored;
  EXPECT_EQ(kpi_->GetKpis(&c1, bad, &ignored).error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext c2;
  bad.clear_subject();
  grpc::Status no_subject = kpi_->GetKpis(&c2, bad, &ignored);
  EXPECT_EQ(no_subject.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(no_subject.error_message(), HasSubstr("subject"));
  grpc::ClientContext c5;
  v1::GetKpisRequest bad_date;
  bad_date.mutable_subject()->set_unit_id("co");
  bad_date.mutable_period()->set_kind(v1::MONTH);
  bad_date.mutable_period()->mutable_date()->set_year(2026);
  bad_date.mutable_period()->mutable_date()->set_month(2);
  bad_date.mutable_period()->mutable_date()->set_day(30);
  grpc::Status date_status = kpi_->GetKpis(&c5, bad_date, &ignored);
  EXPECT_EQ(date_status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(date_status.error_message(), HasSubstr("period.date.day: not a day of 2026-2"));

  // A void through the daemon, then kill -9: the restarted daemon replays to the same figures.
  ASSERT_TRUE(Append({[&] {
                v1::Event v = Base("", Utc(2026, 11, 20));
                v.mutable_event_voided()->set_target_event_id("ev-7");  // k2
                return v;
              }()})
                  .ok());
  EXPECT_EQ(Kpis("co", v1::QUARTER, 2026, 11, 15)["sales_amount"].integer(), 4'000'000);
  daemon_->Kill();
  daemon_ = std::make_unique<Daemon>(dir_.Sub("data"),
                                     std::vector<std::string>{"--time_zone=Asia/Shanghai"});
  Connect();
  auto after = Kpis("co", v1::QUARTER, 2026, 11, 15, &seq);
  EXPECT_EQ(seq, 9u);
  EXPECT_EQ(after["sales_amount"].integer(), 4'000'000);
  EXPECT_EQ(after["new_customers"].integer(), 1);

  grpc::ClientContext c3;
  v1::VerifyResponse verify;
  ASSERT_TRUE(admin_->Verify(&c3, v1::VerifyRequest(), &verify).ok());
  EXPECT_TRUE(verify.ok());
  EXPECT_GT(verify.cells_compared(), 0u);
  grpc::ClientContext c4;
  v1::RebuildResponse rebuilt;
  ASSERT_TRUE(admin_->Rebuild(&c4, v1::RebuildRequest(), &rebuilt).ok());
  EXPECT_EQ(rebuilt.events_replayed(), 9u);
  EXPECT_EQ(Kpis("co", v1::QUARTER, 2026, 11, 15)["sales_amount"].integer(), 4'000'000);
}

// One batch may hold a void before its target: the void gets the lower seq, and the target must
// still count for nothing, live, after kill -9 and replay, and in verify.
TEST_F(KpiE2eTest, AVoidBeforeItsTargetInOneBatchStillVoidsIt) {
  ASSERT_TRUE(Append({Unit("co", ""), Rep("li", "co")}).ok());
  v1::Event kept = Contract("li", "k1", 1'000'000, Utc(2026, 11, 2));
  v1::Event voided = Contract("li", "k2", 5'000'000, Utc(2026, 11, 3));
  v1::Event v = Base("", Utc(2026, 11, 4));
  v.mutable_event_voided()->set_target_event_id(voided.event_id());
  ASSERT_TRUE(Append({kept, v, voided}).ok());
  EXPECT_EQ(Kpis("co", v1::MONTH, 2026, 11, 15)["sales_amount"].integer(), 1'000'000);
  EXPECT_EQ(Kpis("co", v1::MONTH, 2026, 11, 15)["signings"].integer(), 1);
  daemon_->Kill();
  daemon_ = std::make_unique<Daemon>(dir_.Sub("data"),
                                     std::vector<std::string>{"--time_zone=Asia/Shanghai"});
  Connect();
  EXPECT_EQ(Kpis("co", v1::MONTH, 2026, 11, 15)["sales_amount"].integer(), 1'000'000);
  grpc::ClientContext c;
  v1::VerifyResponse verify;
  ASSERT_TRUE(admin_->Verify(&c, v1::VerifyRequest(), &verify).ok());
  EXPECT_TRUE(verify.ok());
}

TEST_F(KpiE2eTest, FunnelAndFollowUpsOverGrpc) {
  ASSERT_TRUE(Append({Unit("co", ""), Rep("li", "co")}).ok());
  v1::Event open = Base("li", Utc(2026, 11, 2));
  open.mutable_opportunity_opened()->set_opportunity_id("o1");
  open.mutable_opportunity_opened()->set_customer_id("acme");
  v1::Event won = Base("li", Utc(2026, 11, 9));
  won.mutable_opportunity_closed()->set_opportunity_id("o1");
  won.mutable_opportunity_closed()->set_outcome(v1::OpportunityClosed::WON);
  v1::Event visit = Base("li", Utc(2026, 11, 3));
  visit.mutable_action_logged()->set_customer_id("acme");
  visit.mutable_action_logged()->set_purpose(v1::NEGOTIATE);
  visit.mutable_action_logged()->set_channel(v1::VISIT);
  *visit.mutable_action_logged()->mutable_next_follow_up_at() = ToProto(Utc(2026, 11, 5));
  ASSERT_TRUE(Append({open, won, visit}).ok());

  grpc::ClientContext c1;
  v1::GetFunnelRequest fr;
  fr.mutable_subject()->set_rep_id("li");
  fr.mutable_period()->set_kind(v1::MONTH);
  fr.mutable_period()->mutable_date()->set_year(2026);
  fr.mutable_period()->mutable_date()->set_month(11);
  fr.mutable_period()->mutable_date()->set_day(1);
  v1::GetFunnelResponse funnel;
  ASSERT_TRUE(kpi_->GetFunnel(&c1, fr, &funnel).ok());
  EXPECT_EQ(funnel.opened(), 1);
  EXPECT_EQ(funnel.won(), 1);
  ASSERT_EQ(funnel.stages_size(), 3);
  EXPECT_EQ(funnel.stages(2).reached(), 1);
  EXPECT_DOUBLE_EQ(funnel.stages(2).conversion(), 1.0);

  grpc::ClientContext c2;
  v1::ListFollowUpsRequest lr;
  lr.mutable_subject()->set_unit_id("co");
  *lr.mutable_from() = ToProto(Utc(2026, 11, 1));
  *lr.mutable_to() = ToProto(Utc(2026, 12, 1));
  lr.set_state(v1::ListFollowUpsRequest::OVERDUE);
  v1::ListFollowUpsResponse list;
  ASSERT_TRUE(kpi_->ListFollowUps(&c2, lr, &list).ok());
  ASSERT_EQ(list.follow_ups_size(), 1);
  EXPECT_EQ(list.follow_ups(0).customer_id(), "acme");
  EXPECT_TRUE(list.follow_ups(0).overdue());
  EXPECT_FALSE(list.follow_ups(0).has_done_at());
}

// Open and overdue follow-ups are still actionable however old: without a window, those lists
// reach back to the first one and forward to the last; the other states show 30 days either side.
TEST_F(KpiE2eTest, PendingFollowUpsAreListedWhateverTheirAgeByDefault) {
  absl::Time now = absl::Now();
  v1::Event old_visit = Base("li", now - absl::Hours(24 * 200));
  old_visit.mutable_action_logged()->set_customer_id("acme");
  old_visit.mutable_action_logged()->set_purpose(v1::NEGOTIATE);
  old_visit.mutable_action_logged()->set_channel(v1::VISIT);
  *old_visit.mutable_action_logged()->mutable_next_follow_up_at() =
      ToProto(now - absl::Hours(24 * 190));
  v1::Event visit = Base("li", now - absl::Hours(1));
  visit.mutable_action_logged()->set_customer_id("globex");
  visit.mutable_action_logged()->set_purpose(v1::NEGOTIATE);
  visit.mutable_action_logged()->set_channel(v1::VISIT);
  *visit.mutable_action_logged()->mutable_next_follow_up_at() = ToProto(now + absl::Hours(24 * 60));
  grpc::Status appended = Append({old_visit, visit});
  ASSERT_TRUE(appended.ok()) << appended.error_message();

  auto list = [&](v1::ListFollowUpsRequest::State state) {
    grpc::ClientContext context;
    v1::ListFollowUpsRequest request;
    request.mutable_subject()->set_rep_id("li");
    request.set_state(state);
    v1::ListFollowUpsResponse response;
    EXPECT_TRUE(kpi_->ListFollowUps(&context, request, &response).ok());
    std::vector<std::string> customers;
    for (const auto& f : response.follow_ups()) customers.push_back(f.customer_id());
    return customers;
  };
  EXPECT_THAT(list(v1::ListFollowUpsRequest::OVERDUE), ::testing::ElementsAre("acme"));
  EXPECT_THAT(list(v1::ListFollowUpsRequest::OPEN), ::testing::ElementsAre("acme", "globex"));
  // ANY without a window: every open one too (the done ones only within 30 days of now).
  EXPECT_THAT(list(v1::ListFollowUpsRequest::ANY), ::testing::ElementsAre("acme", "globex"));

  // A limit keeps the earliest due and says how many there are.
  grpc::ClientContext context;
  v1::ListFollowUpsRequest request;
  request.mutable_subject()->set_rep_id("li");
  request.set_state(v1::ListFollowUpsRequest::OPEN);
  request.set_limit(1);
  v1::ListFollowUpsResponse response;
  ASSERT_TRUE(kpi_->ListFollowUps(&context, request, &response).ok());
  ASSERT_EQ(response.follow_ups_size(), 1);
  EXPECT_EQ(response.follow_ups(0).customer_id(), "acme");
  EXPECT_EQ(response.total(), 2u);
}

}  // namespace
}  // namespace salestrack
