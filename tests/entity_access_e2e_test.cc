// Entity access through a real daemon (docs/access.md): a rep key adds events only to the
// opportunities, contracts and payments of its own rep, so it changes only its own figures. Every
// refusal is checked to leave every figure the daemon serves (and the log) as it was.
#include <fstream>
#include <future>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/barrier.h"
#include "cli/channel.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "keyed_daemon.h"
#include "ops_fixture.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::Daemon;
using ::salestrack::testing::TempDir;
using ::testing::HasSubstr;

absl::Time November(int day, int hour = 9) {
  return absl::FromCivil(absl::CivilSecond(2026, 11, day, hour, 0, 0), absl::UTCTimeZone());
}

v1::Event Base(const std::string& id, const std::string& rep, absl::Time when) {
  v1::Event e;
  e.set_event_id(id);
  e.set_rep_id(rep);
  *e.mutable_occurred_at() = ToProto(when);
  return e;
}
v1::Event Opened(const std::string& id, const std::string& rep, const std::string& opp,
                 absl::Time when) {
  v1::Event e = Base(id, rep, when);
  e.mutable_opportunity_opened()->set_opportunity_id(opp);
  e.mutable_opportunity_opened()->set_customer_id("cust-entity");
  e.mutable_opportunity_opened()->set_expected_amount(300000);
  return e;
}
v1::Event Staged(const std::string& id, const std::string& rep, const std::string& opp,
                 absl::Time when) {
  v1::Event e = Base(id, rep, when);
  e.mutable_opportunity_stage_changed()->set_opportunity_id(opp);
  e.mutable_opportunity_stage_changed()->set_stage("negotiation");
  return e;
}
v1::Event Closed(const std::string& id, const std::string& rep, const std::string& opp,
                 absl::Time when) {
  v1::Event e = Base(id, rep, when);
  e.mutable_opportunity_closed()->set_opportunity_id(opp);
  e.mutable_opportunity_closed()->set_outcome(v1::OpportunityClosed::LOST);
  return e;
}
v1::Event Signed(const std::string& id, const std::string& rep, const std::string& contract,
                 const std::string& opp, absl::Time when) {
  v1::Event e = testing::Contract(id, rep, contract, 500000, when);
  if (!opp.empty()) e.mutable_contract_signed()->set_opportunity_id(opp);
  return e;
}
v1::Event Paid(const std::string& id, const std::string& rep, const std::string& payment,
               const std::string& contract, absl::Time when) {
  v1::Event e = Base(id, rep, when);
  e.mutable_payment_received()->set_payment_id(payment);
  e.mutable_payment_received()->set_contract_id(contract);
  e.mutable_payment_received()->set_amount(200000);
  return e;
}

// Keys: an admin, a connector, and rep keys for rep-0 and rep-1 (OpsHistory's org). rep-1 owns
// opp-r1 (open), ct-r1 and pay-r1, appended with its own key.
class EntityAccessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    keyed_ = new testing::KeyedDaemon("", {{"root", "admin"},
                                           {"crm", "connector"},
                                           {"rep0-phone", "rep", "rep_id: \"rep-0\""},
                                           {"rep1-phone", "rep", "rep_id: \"rep-1\""}});
    testing::AppendAll(*v1::LogService::NewStub(Channel("root")), testing::OpsHistory(60));
    ASSERT_TRUE(Append("rep1-phone", {Opened("r1-open", "rep-1", "opp-r1", November(10)),
                                      Signed("r1-sign", "rep-1", "ct-r1", "", November(11)),
                                      Paid("r1-pay", "rep-1", "pay-r1", "ct-r1", November(12))})
                    .ok());
  }
  static void TearDownTestSuite() { delete keyed_; }

  static std::shared_ptr<grpc::Channel> Channel(const std::string& key) {
    return keyed_->Channel(key);
  }

  static grpc::Status Append(const std::string& key, const std::vector<v1::Event>& events) {
    v1::AppendRequest request;
    for (const v1::Event& e : events) *request.add_events() = e;
    v1::AppendResponse response;
    grpc::ClientContext context;
    return v1::LogService::NewStub(Channel(key))->Append(&context, request, &response);
  }

  // `rep`'s figures of November 2026, with the point-in-time ones.
  static v1::GetKpisResponse November2026(const std::string& rep) {
    v1::GetKpisRequest request;
    request.mutable_subject()->set_rep_id(rep);
    request.mutable_period()->set_kind(v1::MONTH);
    request.mutable_period()->mutable_date()->set_year(2026);
    request.mutable_period()->mutable_date()->set_month(11);
    request.mutable_period()->mutable_date()->set_day(1);
    v1::GetKpisResponse response;
    grpc::ClientContext context;
    EXPECT_TRUE(
        v1::KpiService::NewStub(Channel("root"))->GetKpis(&context, request, &response).ok());
    response.clear_as_of();
    return response;
  }
  static int64_t Figure(const std::string& rep, const std::string& metric) {
    v1::GetKpisResponse kpis = November2026(rep);
    for (const auto* list : {&kpis.metrics(), &kpis.point_in_time()}) {
      for (const v1::MetricValue& m : *list) {
        if (m.name() == metric) return m.integer();
      }
    }
    ADD_FAILURE() << "no " << metric;
    return -1;
  }

  // Every figure of OpsHistory's reps and units, with rep-1's point-in-time figures (outstanding,
  // open pipeline, ...), and the log's length.
  static std::string Everything() {
    return absl::StrCat(
        testing::Figures(Channel("root")), November2026("rep-1").DebugString(),
        "log: ", testing::ReadAll(*v1::LogService::NewStub(Channel("root"))).size());
  }

  // Appends `events` with `key`, expects `code` and (when given) `message`, and that nothing of
  // what the daemon serves changed.
  static void ExpectRefused(const std::string& key, const std::vector<v1::Event>& events,
                            grpc::StatusCode code, const std::string& message = "") {
    const std::string before = Everything();
    grpc::Status s = Append(key, events);
    EXPECT_EQ(s.error_code(), code) << s.error_message();
    if (!message.empty()) {
      EXPECT_EQ(s.error_message(), message);
    }
    EXPECT_TRUE(Everything() == before) << "the refused batch changed the figures";
  }

  static testing::KeyedDaemon* keyed_;
};
testing::KeyedDaemon* EntityAccessTest::keyed_ = nullptr;

TEST_F(EntityAccessTest, ARepMayNotMoveCloseOrSignAnotherRepsOpportunity) {
  ExpectRefused("rep0-phone", {Staged("x-stage", "rep-0", "opp-r1", November(13))},
                grpc::StatusCode::PERMISSION_DENIED,
                "events[0].opportunity_stage_changed.opportunity_id: key \"rep0-phone\" (rep "
                "rep-0) may not change opportunity \"opp-r1\" of rep \"rep-1\"");
  ExpectRefused("rep0-phone",
                {testing::Action("x-ok", "rep-0", "cust-1", November(13)),
                 Closed("x-close", "rep-0", "opp-r1", November(13))},
                grpc::StatusCode::PERMISSION_DENIED,
                "events[1].opportunity_closed.opportunity_id: key \"rep0-phone\" (rep rep-0) may "
                "not change opportunity \"opp-r1\" of rep \"rep-1\"");
  // A signing wins the opportunity it names (KPI_SPEC §4).
  ExpectRefused("rep0-phone", {Signed("x-sign", "rep-0", "ct-x", "opp-r1", November(13))},
                grpc::StatusCode::PERMISSION_DENIED,
                "events[0].contract_signed.opportunity_id: key \"rep0-phone\" (rep rep-0) may not "
                "sign a contract on opportunity \"opp-r1\" of rep \"rep-1\"");
}

TEST_F(EntityAccessTest, ARepMayNotPayIntoAnotherRepsContract) {
  ExpectRefused("rep0-phone", {Paid("x-pay", "rep-0", "pay-x", "ct-r1", November(13))},
                grpc::StatusCode::PERMISSION_DENIED,
                "events[0].payment_received.contract_id: key \"rep0-phone\" (rep rep-0) may not "
                "pay into contract \"ct-r1\" of rep \"rep-1\"");
}

// An opening with an earlier occurred_at would define the entity (KPI_SPEC §4) and take it over.
TEST_F(EntityAccessTest, ARepMayNotReuseAnotherRepsIds) {
  ExpectRefused("rep0-phone", {Opened("x-reopen", "rep-0", "opp-r1", November(1))},
                grpc::StatusCode::PERMISSION_DENIED,
                "events[0].opportunity_opened.opportunity_id: key \"rep0-phone\" (rep rep-0) may "
                "not reuse opportunity \"opp-r1\" of rep \"rep-1\"");
  ExpectRefused("rep0-phone", {Signed("x-resign", "rep-0", "ct-r1", "", November(1))},
                grpc::StatusCode::PERMISSION_DENIED,
                "events[0].contract_signed.contract_id: key \"rep0-phone\" (rep rep-0) may not "
                "reuse contract \"ct-r1\" of rep \"rep-1\"");
  // Even into a contract of its own: the payment counts for rep-1 now.
  ASSERT_TRUE(Append("rep0-phone", {Signed("r0-own-ct", "rep-0", "ct-r0", "", November(2))}).ok());
  ExpectRefused("rep0-phone", {Paid("x-repay", "rep-0", "pay-r1", "ct-r0", November(2))},
                grpc::StatusCode::PERMISSION_DENIED,
                "events[0].payment_received.payment_id: key \"rep0-phone\" (rep rep-0) may not "
                "reuse payment \"pay-r1\" of rep \"rep-1\"");
}

// A rep key appends no voids at all (docs/access.md): not of another rep's event, not of an org
// event, not of its own.
TEST_F(EntityAccessTest, ARepMayNotVoid) {
  ExpectRefused("rep0-phone", {testing::Void("x-void-1", "r1-open", November(14))},
                grpc::StatusCode::PERMISSION_DENIED);
  ExpectRefused("rep0-phone", {testing::Void("x-void-2", "unit-team-east", November(14))},
                grpc::StatusCode::PERMISSION_DENIED);
  ExpectRefused("rep0-phone", {testing::Void("x-void-3", "r0-own-ct", November(14))},
                grpc::StatusCode::PERMISSION_DENIED);
}

// A later opening by another rep would adopt events appended for an opportunity or contract not
// yet opened: they must wait for it.
TEST_F(EntityAccessTest, AReferenceToAnUnknownEntityWaitsForItsOpening) {
  ExpectRefused("rep0-phone", {Staged("x-early-stage", "rep-0", "opp-later", November(15))},
                grpc::StatusCode::FAILED_PRECONDITION,
                "events[0].opportunity_stage_changed.opportunity_id: opportunity \"opp-later\" is "
                "not in the log; append its OpportunityOpened first");
  ExpectRefused("rep0-phone", {Signed("x-early-sign", "rep-0", "ct-y", "opp-later", November(15))},
                grpc::StatusCode::FAILED_PRECONDITION);
  ExpectRefused("rep0-phone", {Paid("x-early-pay", "rep-0", "pay-y", "ct-later", November(15))},
                grpc::StatusCode::FAILED_PRECONDITION,
                "events[0].payment_received.contract_id: contract \"ct-later\" is not in the log; "
                "append its ContractSigned first");
  // Once rep-1 opens it, it is rep-1's.
  ASSERT_TRUE(Append("rep1-phone", {Opened("r1-later", "rep-1", "opp-later", November(16))}).ok());
  ExpectRefused("rep0-phone", {Staged("x-late-stage", "rep-0", "opp-later", November(17))},
                grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(
      Append("rep1-phone", {Staged("r1-late-stage", "rep-1", "opp-later", November(17))}).ok());
}

// A batch may open an entity and refer to it, in any order; the daemon's figures take it all.
TEST_F(EntityAccessTest, ARepsOwnEntitiesPassWithinOneBatchInAnyOrder) {
  v1::GetKpisResponse rep1 = November2026("rep-1");
  rep1.clear_seq();
  const int64_t opened = Figure("rep-0", "opportunities_opened");
  const int64_t negotiated = Figure("rep-0", "funnel_reached:negotiation");
  const int64_t signings = Figure("rep-0", "signings");
  const int64_t payments = Figure("rep-0", "payments");
  EXPECT_TRUE(
      Append("rep0-phone", {Paid("own-pay", "rep-0", "pay-own", "ct-own", November(18, 12)),
                            Staged("own-stage", "rep-0", "opp-own", November(18, 10)),
                            Signed("own-sign", "rep-0", "ct-own", "opp-own", November(18, 11)),
                            Opened("own-open", "rep-0", "opp-own", November(18, 9))})
          .ok());
  EXPECT_TRUE(
      Append("rep0-phone", {Opened("own-open-2", "rep-0", "opp-own", November(17)),
                            Paid("own-pay-2", "rep-0", "pay-own", "ct-own", November(18, 13))})
          .ok());
  EXPECT_EQ(Figure("rep-0", "opportunities_opened"), opened + 1);
  EXPECT_EQ(Figure("rep-0", "funnel_reached:negotiation"), negotiated + 1);
  EXPECT_EQ(Figure("rep-0", "signings"), signings + 1);
  EXPECT_EQ(Figure("rep-0", "payments"), payments + 200000);  // pay-own's defining payment.
  v1::GetKpisResponse rep1_after = November2026("rep-1");
  rep1_after.clear_seq();
  EXPECT_EQ(rep1_after.DebugString(), rep1.DebugString());
  // An action may name any opportunity: no figure depends on it.
  v1::Event visit = testing::Action("own-visit", "rep-0", "cust-1", November(18));
  visit.mutable_action_logged()->set_opportunity_id("opp-r1");
  EXPECT_TRUE(Append("rep0-phone", {visit}).ok());
}

TEST_F(EntityAccessTest, ConcurrentBatchesOpeningOneIdGiveItToExactlyOneRep) {
  constexpr int kRounds = 24;
  for (int round = 0; round < kRounds; ++round) {
    const std::string opp = absl::StrCat("race-", round);
    absl::Barrier* start = new absl::Barrier(3);
    auto send = [&](const std::string& key, std::vector<v1::Event> events) {
      return std::async(std::launch::async, [&, key, events = std::move(events)] {
        if (start->Block()) delete start;  // True for exactly one caller.
        return Append(key, events);
      });
    };
    // rep-0's opening is the earlier: it would take the opportunity over if both were accepted.
    auto r1 = send("rep1-phone", {Opened(opp + "-r1", "rep-1", opp, November(19, 10)),
                                  Staged(opp + "-r1-stage", "rep-1", opp, November(19, 11))});
    auto r0 = send("rep0-phone", {Opened(opp + "-r0", "rep-0", opp, November(19, 9))});
    auto crm = send("crm", testing::RecentActions(opp + "-crm-", "rep-2", 5));
    grpc::Status s1 = r1.get(), s0 = r0.get(), s_crm = crm.get();
    EXPECT_TRUE(s_crm.ok()) << s_crm.error_message();  // Other batches of the group pass.
    ASSERT_NE(s0.ok(), s1.ok()) << round << ": " << s0.error_message() << " / "
                                << s1.error_message();
    const grpc::Status& lost = s0.ok() ? s1 : s0;
    EXPECT_EQ(lost.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_THAT(lost.error_message(),
                HasSubstr(absl::StrCat("may not reuse opportunity \"", opp, "\" of rep \"",
                                       s0.ok() ? "rep-0" : "rep-1", "\"")));
  }
}

TEST_F(EntityAccessTest, AdminsAndConnectorsMayStillNameAnyEntity) {
  EXPECT_TRUE(Append("crm", {Staged("crm-stage", "rep-0", "opp-r1", November(20)),
                             Paid("crm-pay", "rep-0", "pay-crm", "ct-r1", November(20)),
                             Staged("crm-unknown", "rep-0", "opp-crm-unknown", November(20))})
                  .ok());
  EXPECT_TRUE(Append("root", {Opened("root-reopen", "rep-3", "opp-r1", November(20))}).ok());
}

TEST_F(EntityAccessTest, AppendStreamRefusesOnlyTheOffendingBatch) {
  auto stub = v1::LogService::NewStub(Channel("rep0-phone"));
  testing::StreamedAppends streamed = testing::AppendOnStream(
      *stub, {{Closed("stream-close", "rep-0", "opp-r1", November(21))},
              {testing::Action("stream-ok", "rep-0", "cust-1", November(21))}});
  EXPECT_TRUE(streamed.status.ok());
  ASSERT_EQ(streamed.answers.size(), 2u);
  const v1::AppendStreamResponse& r1 = streamed.answers[0];
  const v1::AppendStreamResponse& r2 = streamed.answers[1];
  EXPECT_EQ(r1.error().code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(r1.error().event_index(), 0);
  EXPECT_EQ(r1.error().field(), "opportunity_closed.opportunity_id");
  EXPECT_TRUE(r2.has_ok()) << r2.error().message();
}

}  // namespace
}  // namespace salestrack
