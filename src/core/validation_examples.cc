#include "core/validation_examples.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salestrack/validation.h"

namespace salestrack::testing {

using ::testing::HasSubstr;
using v1::Event;

const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 11, 23, 12, 0, 0), absl::UTCTimeZone());

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  ts.set_nanos(static_cast<int32_t>((absl::ToUnixMicros(t) % 1'000'000) * 1000));
  return ts;
}

Event Base(const std::string& rep) {
  Event e;
  e.set_event_id("evt-1");
  e.set_rep_id(rep);
  *e.mutable_occurred_at() = Ts(kNow - absl::Hours(1));
  return e;
}

Event ValidAction() {
  Event e = Base();
  auto* a = e.mutable_action_logged();
  a->set_customer_id("cust-1");
  a->set_purpose(v1::NEGOTIATE);
  a->set_channel(v1::VISIT);
  a->set_cost(100);
  a->mutable_geo()->set_latitude(31.23);
  a->mutable_geo()->set_longitude(121.47);
  *a->mutable_next_follow_up_at() = Ts(kNow + absl::Hours(24));
  return e;
}
Event ValidContract() {
  Event e = Base();
  auto* c = e.mutable_contract_signed();
  c->set_contract_id("c-1");
  c->set_customer_id("cust-1");
  c->set_amount(1000);
  c->set_cost(600);
  auto* line = c->add_lines();
  line->set_product_id("p-1");
  line->set_quantity(2);
  line->set_unit_price(500);
  auto* i1 = c->add_installments();
  *i1->mutable_due_at() = Ts(kNow);
  i1->set_amount(400);
  auto* i2 = c->add_installments();
  *i2->mutable_due_at() = Ts(kNow + absl::Hours(24 * 30));
  i2->set_amount(600);
  return e;
}
Event ValidOpportunity() {
  Event e = Base();
  auto* o = e.mutable_opportunity_opened();
  o->set_opportunity_id("o-1");
  o->set_customer_id("cust-1");
  o->set_expected_amount(5000);
  return e;
}
Event ValidStageChange() {
  Event e = Base();
  e.mutable_opportunity_stage_changed()->set_opportunity_id("o-1");
  e.mutable_opportunity_stage_changed()->set_stage("value");
  return e;
}
Event ValidClose() {
  Event e = Base();
  e.mutable_opportunity_closed()->set_opportunity_id("o-1");
  e.mutable_opportunity_closed()->set_outcome(v1::OpportunityClosed::WON);
  return e;
}
Event ValidPayment() {
  Event e = Base();
  e.mutable_payment_received()->set_payment_id("pay-1");
  e.mutable_payment_received()->set_contract_id("c-1");
  e.mutable_payment_received()->set_amount(400);
  return e;
}
Event ValidFeedback() {
  Event e = Base();
  e.mutable_feedback_recorded()->set_customer_id("cust-1");
  e.mutable_feedback_recorded()->set_score(4);
  return e;
}
Event ValidScore() {
  Event e = Base();
  e.mutable_score_recorded()->set_metric("teamwork");
  e.mutable_score_recorded()->set_value(85);
  return e;
}
Event ValidUnit() {
  Event e = Base("");
  e.mutable_unit_defined()->set_unit_id("sh");
  e.mutable_unit_defined()->set_name("Shanghai");
  e.mutable_unit_defined()->set_parent_unit_id("east");
  return e;
}
Event ValidRep() {
  Event e = Base("");
  auto* r = e.mutable_rep_defined();
  r->set_rep_id("rep-1");
  r->set_name("Li Lei");
  r->set_unit_id("sh");
  r->set_role("hunter");
  r->set_active(true);
  return e;
}
Event ValidStages() {
  Event e = Base("");
  for (const char* id : {"contact", "value", "negotiation"}) {
    auto* s = e.mutable_stages_defined()->add_stages();
    s->set_stage_id(id);
    s->set_name(id);
  }
  return e;
}
Event ValidTarget() {
  Event e = Base("");
  auto* t = e.mutable_target_set();
  t->set_subject_unit_id("east");
  t->mutable_period()->set_kind(v1::QUARTER);
  t->mutable_period()->mutable_date()->set_year(2026);
  t->mutable_period()->mutable_date()->set_month(10);
  t->mutable_period()->mutable_date()->set_day(1);
  t->set_metric("sales_amount");
  t->set_baseline(8'000'000);
  t->set_target(10'000'000);
  t->set_challenge(12'000'000);
  return e;
}
Event ValidScheme() {
  Event e = Base("");
  auto* s = e.mutable_scheme_defined();
  s->set_scheme_id("hunter-2026");
  s->set_name("New business");
  s->set_role("hunter");
  struct C {
    const char* metric;
    int weight;
  };
  for (C c : {C{"sales_amount", 4000}, C{"gross_margin", 2500}, C{"repeat_purchase_rate", 2000},
              C{"collection_rate", 1500}}) {
    auto* comp = s->add_components();
    comp->set_dimension("result");
    comp->set_metric(c.metric);
    comp->set_weight_bp(c.weight);
    comp->mutable_threshold()->set_floor_bp(8000);
    comp->set_direction(v1::HIGHER_IS_BETTER);
  }
  auto* m1 = s->add_multiplier_tiers();
  m1->set_min_score_centi(9000);
  m1->set_multiplier_bp(12000);
  auto* m2 = s->add_multiplier_tiers();
  m2->set_min_score_centi(7000);
  m2->set_multiplier_bp(10000);
  auto* t1 = s->add_commission_tiers();
  t1->set_from_bp(10000);
  t1->set_to_bp(11000);
  t1->set_rate_bp(100);
  auto* t2 = s->add_commission_tiers();
  t2->set_from_bp(11000);
  t2->set_to_bp(12000);
  t2->set_rate_bp(200);
  return e;
}
Event ValidCompetition() {
  Event e = Base("");
  auto* c = e.mutable_competition_defined();
  c->set_competition_id("q4-pk");
  c->set_name("Q4 PK");
  *c->mutable_start() = Ts(kNow - absl::Hours(24));
  *c->mutable_end() = Ts(kNow + absl::Hours(24 * 30));
  c->set_metric("sales_amount");
  c->add_participant_unit_ids("sh");
  c->add_participant_unit_ids("hz");
  c->set_mode(v1::CompetitionDefined::TEAM);
  return e;
}
Event ValidVoid() {
  Event e = Base("");
  e.mutable_event_voided()->set_target_event_id("evt-0");
  return e;
}

Event With(Event e, const std::function<void(Event&)>& change) {
  change(e);
  return e;
}

void ExpectEachCaseRefused(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::optional<FieldProblem> p = ValidateEvent(c.make(), kNow, ValidationOptions());
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->field, c.field);
    EXPECT_THAT(p->reason, HasSubstr(c.reason));
  }
}

}  // namespace salestrack::testing
