#include "ops_fixture.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "salestrack/proto_time.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "test_util.h"

namespace salestrack::testing {
namespace {

absl::Time At(int day_of_october, int minutes) {
  return absl::FromCivil(absl::CivilSecond(2026, 10, 1, 0, 0, 0), absl::UTCTimeZone()) +
         absl::Hours(24 * (day_of_october - 1)) + absl::Minutes(minutes);
}

v1::Event Base(const std::string& id, const std::string& rep, absl::Time when) {
  v1::Event e;
  e.set_event_id(id);
  e.set_rep_id(rep);
  *e.mutable_occurred_at() = ToProto(when);
  return e;
}

}  // namespace

std::vector<v1::Event> OpsHistory(int activity) {
  if (activity > kMaxOpsActivity) {
    ADD_FAILURE() << "OpsHistory(" << activity << ") would run past 2026-11-20; at most "
                  << kMaxOpsActivity;
  }
  std::vector<v1::Event> out;
  absl::Time org_time = At(1, 0);
  auto unit = [&](const std::string& id, const std::string& parent) {
    v1::Event e = Base("unit-" + id, "", org_time);
    e.mutable_unit_defined()->set_unit_id(id);
    e.mutable_unit_defined()->set_name("Unit " + id);
    e.mutable_unit_defined()->set_parent_unit_id(parent);
    out.push_back(e);
  };
  unit("company", "");
  unit("team-east", "company");
  unit("team-west", "company");
  for (size_t r = 0; r < kOpsReps.size(); ++r) {
    v1::Event e = Base("def-" + kOpsReps[r], "", org_time);
    v1::RepDefined* d = e.mutable_rep_defined();
    d->set_rep_id(kOpsReps[r]);
    d->set_name("Rep " + std::to_string(r));
    d->set_unit_id(r < 3 ? "team-east" : "team-west");
    d->set_role(r % 2 == 0 ? "hunter" : "farmer");
    d->set_active(true);
    out.push_back(e);
  }

  // Activity: step i happens at minute 53*i from October 1st (kMaxOpsActivity steps reach Nov 20).
  for (int i = 0; i < activity; ++i) {
    const std::string& rep = kOpsReps[i % kOpsReps.size()];
    const std::string customer = absl::StrCat("cust-", i % 17);
    absl::Time when = At(1, 60 + 53 * i);
    const std::string id = absl::StrCat("ev-", i);
    const int opp = i / 10;
    const std::string opp_id = absl::StrCat("opp-", opp);
    v1::Event e = Base(id, rep, when);
    switch (i % 10) {
      case 0: {
        v1::OpportunityOpened* o = e.mutable_opportunity_opened();
        o->set_opportunity_id(opp_id);
        o->set_customer_id(customer);
        o->set_expected_amount(100000 + 1000 * (i % 7));
        break;
      }
      case 3:
        e.mutable_opportunity_stage_changed()->set_opportunity_id(opp_id);
        e.mutable_opportunity_stage_changed()->set_stage(opp % 3 == 0 ? "value" : "negotiation");
        break;
      case 6:
        e.set_rep_id(kOpsReps[(i - 6) % kOpsReps.size()]);  // The opportunity's owner.
        e.mutable_opportunity_closed()->set_opportunity_id(opp_id);
        e.mutable_opportunity_closed()->set_outcome(opp % 4 == 0 ? v1::OpportunityClosed::LOST
                                                                 : v1::OpportunityClosed::WON);
        break;
      case 7: {
        v1::ContractSigned* c = e.mutable_contract_signed();
        c->set_contract_id(absl::StrCat("ct-", opp));
        c->set_customer_id(customer);
        c->set_amount(200000);
        c->set_cost(120000);
        v1::ContractSigned::Installment* first = c->add_installments();
        *first->mutable_due_at() = ToProto(when + absl::Hours(48));
        first->set_amount(100000);
        v1::ContractSigned::Installment* second = c->add_installments();
        *second->mutable_due_at() = ToProto(when + absl::Hours(24 * 20));
        second->set_amount(100000);
        break;
      }
      case 8:
        e.set_rep_id(kOpsReps[(i - 1) % kOpsReps.size()]);  // The contract's rep.
        e.mutable_payment_received()->set_payment_id(absl::StrCat("pay-", opp));
        e.mutable_payment_received()->set_contract_id(absl::StrCat("ct-", opp));
        e.mutable_payment_received()->set_amount(100000);
        break;
      case 9:
        if (opp % 5 == 0) {
          e = Void(id, absl::StrCat("ev-", i - 4), when);  // Voids an action of this decade.
        } else {
          e.mutable_feedback_recorded()->set_customer_id(customer);
          e.mutable_feedback_recorded()->set_score(1 + i % 5);
        }
        break;
      default: {
        e = Action(id, rep, customer, when);
        if (i % 3 == 0) {
          *e.mutable_action_logged()->mutable_next_follow_up_at() = ToProto(when + absl::Hours(30));
        }
        if (i % 2 == 0) e.mutable_action_logged()->set_channel(v1::VISIT);
        break;
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

void AppendAll(v1::LogService::Stub& stub, const std::vector<v1::Event>& events, int batch) {
  for (size_t begin = 0; begin < events.size(); begin += batch) {
    v1::AppendRequest request;
    for (size_t i = begin; i < std::min(events.size(), begin + batch); ++i) {
      *request.add_events() = events[i];
    }
    v1::AppendResponse response;
    grpc::ClientContext context;
    grpc::Status status = stub.Append(&context, request, &response);
    ASSERT_TRUE(status.ok()) << "batch at " << begin << ": " << status.error_message();
  }
}

std::string Figures(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::KpiService::NewStub(channel);
  std::vector<v1::Subject> subjects;
  for (const std::string& rep : kOpsReps) subjects.emplace_back().set_rep_id(rep);
  for (const std::string& unit : kOpsUnits) subjects.emplace_back().set_unit_id(unit);
  std::vector<v1::Period> periods(3);
  periods[0].set_kind(v1::MONTH);
  periods[1].set_kind(v1::QUARTER);
  periods[2].set_kind(v1::WEEK);
  for (v1::Period& p : periods) {
    p.mutable_date()->set_year(2026);
    p.mutable_date()->set_month(11);
    p.mutable_date()->set_day(9);
  }
  std::string text;
  for (const v1::Subject& subject : subjects) {
    for (const v1::Period& period : periods) {
      v1::GetKpisRequest request;
      *request.mutable_subject() = subject;
      *request.mutable_period() = period;
      v1::GetKpisResponse response;
      grpc::ClientContext context;
      grpc::Status s = stub->GetKpis(&context, request, &response);
      EXPECT_TRUE(s.ok()) << s.error_message();
      response.clear_as_of();
      // Point-in-time figures (overdue, ...) follow the wall clock, which moves between daemons.
      response.clear_point_in_time();
      absl::StrAppend(&text, response.DebugString());
    }
    v1::GetFunnelRequest funnel;
    *funnel.mutable_subject() = subject;
    *funnel.mutable_period() = periods[0];
    v1::GetFunnelResponse funnel_response;
    grpc::ClientContext funnel_context;
    grpc::Status s = stub->GetFunnel(&funnel_context, funnel, &funnel_response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    absl::StrAppend(&text, funnel_response.DebugString());
    v1::ListFollowUpsRequest follow_ups;
    *follow_ups.mutable_subject() = subject;
    *follow_ups.mutable_from() =
        ToProto(absl::FromCivil(absl::CivilDay(2026, 10, 1), absl::UTCTimeZone()));
    *follow_ups.mutable_to() =
        ToProto(absl::FromCivil(absl::CivilDay(2027, 1, 1), absl::UTCTimeZone()));
    v1::ListFollowUpsResponse follow_ups_response;
    grpc::ClientContext follow_ups_context;
    s = stub->ListFollowUps(&follow_ups_context, follow_ups, &follow_ups_response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    absl::StrAppend(&text, follow_ups_response.DebugString());
  }
  return text;
}

}  // namespace salestrack::testing
