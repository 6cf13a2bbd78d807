#include "salestrack/validation.h"

#include <functional>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salestrack/event_error.h"

namespace salestrack {
namespace {

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

Event Base(const std::string& rep = "rep-1") {
  Event e;
  e.set_event_id("evt-1");
  e.set_rep_id(rep);
  *e.mutable_occurred_at() = Ts(kNow - absl::Hours(1));
  return e;
}

// One valid event of every payload type; each test case mutates one of them.
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

TEST(ValidationTest, EveryValidExampleIsAccepted) {
  for (const Event& e :
       {ValidAction(), ValidContract(), ValidOpportunity(), ValidStageChange(), ValidClose(),
        ValidPayment(), ValidFeedback(), ValidScore(), ValidUnit(), ValidRep(), ValidStages(),
        ValidTarget(), ValidScheme(), ValidCompetition(), ValidVoid()}) {
    std::optional<FieldProblem> p = ValidateEvent(e, kNow, ValidationOptions());
    EXPECT_FALSE(p.has_value()) << e.ShortDebugString() << " -> " << p->field << ": " << p->reason;
  }
}

struct Case {
  const char* name;
  std::function<Event()> make;
  const char* field;   // Expected field path.
  const char* reason;  // Expected substring of the reason.
};

Event With(Event e, const std::function<void(Event&)>& change) {
  change(e);
  return e;
}

const std::vector<Case>& Cases() {
  static const auto* cases = new std::vector<Case>{
      // Envelope.
      {"empty event id", [] { return With(ValidAction(), [](Event& e) { e.clear_event_id(); }); },
       "event_id", "is required"},
      {"event id over 128 bytes",
       [] { return With(ValidAction(), [](Event& e) { e.set_event_id(std::string(129, 'x')); }); },
       "event_id", "at most 128 bytes"},
      {"event id of exactly 128 bytes is fine but the rep id has a control char",
       [] {
         return With(ValidAction(), [](Event& e) {
           e.set_event_id(std::string(128, 'x'));
           e.set_rep_id("rep\n1");
         });
       },
       "rep_id", "control characters"},
      {"event id not UTF-8",
       [] { return With(ValidAction(), [](Event& e) { e.set_event_id("\xff\xfe"); }); }, "event_id",
       "not valid UTF-8"},
      {"event id with C1 control",
       [] {
         return With(ValidAction(), [](Event& e) {
           e.set_event_id(
               "a\xc2\x85"
               "b");
         });
       },
       "event_id", "control characters"},
      {"missing occurred_at",
       [] { return With(ValidAction(), [](Event& e) { e.clear_occurred_at(); }); }, "occurred_at",
       "is required"},
      {"occurred_at six minutes in the future",
       [] {
         return With(ValidAction(), [](Event& e) {
           *e.mutable_occurred_at() = Ts(kNow + absl::Minutes(6));
           e.mutable_action_logged()->clear_next_follow_up_at();
         });
       },
       "occurred_at", "in the future"},
      {"occurred_at with nanoseconds",
       [] { return With(ValidAction(), [](Event& e) { e.mutable_occurred_at()->set_nanos(1); }); },
       "occurred_at", "microsecond precision"},
      {"occurred_at before 1970",
       [] {
         return With(ValidAction(), [](Event& e) { e.mutable_occurred_at()->set_seconds(-5); });
       },
       "occurred_at", "between 1970-01-01"},
      {"missing payload", [] { return Base(); }, "payload", "is required"},
      {"activity without rep",
       [] { return With(ValidAction(), [](Event& e) { e.clear_rep_id(); }); }, "rep_id",
       "is required for this event type"},
      // ActionLogged.
      {"action without customer",
       [] {
         return With(ValidAction(),
                     [](Event& e) { e.mutable_action_logged()->clear_customer_id(); });
       },
       "action_logged.customer_id", "is required"},
      {"action with unspecified channel",
       [] {
         return With(ValidAction(), [](Event& e) { e.mutable_action_logged()->clear_channel(); });
       },
       "action_logged.channel", "is required"},
      {"action with unknown purpose value",
       [] {
         return With(ValidAction(), [](Event& e) {
           e.mutable_action_logged()->set_purpose(static_cast<v1::Purpose>(99));
         });
       },
       "action_logged.purpose", "unknown value 99"},
      {"action with negative cost",
       [] {
         return With(ValidAction(), [](Event& e) { e.mutable_action_logged()->set_cost(-1); });
       },
       "action_logged.cost", "must be >= 0 (got -1)"},
      {"follow-up not after the action",
       [] {
         return With(ValidAction(), [](Event& e) {
           *e.mutable_action_logged()->mutable_next_follow_up_at() = e.occurred_at();
         });
       },
       "action_logged.next_follow_up_at", "after occurred_at"},
      {"latitude out of range",
       [] {
         return With(ValidAction(),
                     [](Event& e) { e.mutable_action_logged()->mutable_geo()->set_latitude(91); });
       },
       "action_logged.geo.latitude", "[-90, 90]"},
      {"too long a description",
       [] {
         return With(ValidAction(), [](Event& e) {
           e.mutable_action_logged()->set_description(std::string(4097, 'd'));
         });
       },
       "action_logged.description", "at most 4096 bytes"},
      {"bad participant id",
       [] {
         return With(ValidAction(),
                     [](Event& e) { e.mutable_action_logged()->add_participant_rep_ids(""); });
       },
       "action_logged.participant_rep_ids[0]", "is required"},
      {"negative duration",
       [] {
         return With(ValidAction(),
                     [](Event& e) { e.mutable_action_logged()->set_duration_minutes(-1); });
       },
       "action_logged.duration_minutes", "must be in"},
      // Opportunities.
      {"opportunity with negative expected amount",
       [] {
         return With(ValidOpportunity(),
                     [](Event& e) { e.mutable_opportunity_opened()->set_expected_amount(-10); });
       },
       "opportunity_opened.expected_amount", "must be >= 0"},
      {"stage change without stage",
       [] {
         return With(ValidStageChange(),
                     [](Event& e) { e.mutable_opportunity_stage_changed()->clear_stage(); });
       },
       "opportunity_stage_changed.stage", "is required"},
      {"close without outcome",
       [] {
         return With(ValidClose(),
                     [](Event& e) { e.mutable_opportunity_closed()->clear_outcome(); });
       },
       "opportunity_closed.outcome", "is required"},
      // Contracts and payments.
      {"contract with negative amount",
       [] {
         return With(ValidContract(), [](Event& e) {
           e.mutable_contract_signed()->set_amount(-1);
           e.mutable_contract_signed()->clear_installments();
         });
       },
       "contract_signed.amount", "must be >= 0"},
      {"installments not summing to the amount",
       [] {
         return With(ValidContract(), [](Event& e) {
           e.mutable_contract_signed()->mutable_installments(1)->set_amount(599);
         });
       },
       "contract_signed.installments", "must sum to amount 1000 (got 999)"},
      {"installment without due date",
       [] {
         return With(ValidContract(), [](Event& e) {
           e.mutable_contract_signed()->mutable_installments(0)->clear_due_at();
         });
       },
       "contract_signed.installments[0].due_at", "is required"},
      {"negative installment",
       [] {
         return With(ValidContract(), [](Event& e) {
           e.mutable_contract_signed()->mutable_installments(0)->set_amount(-400);
           e.mutable_contract_signed()->mutable_installments(1)->set_amount(1400);
         });
       },
       "contract_signed.installments[0].amount", "must be >= 0"},
      {"line with zero quantity",
       [] {
         return With(ValidContract(), [](Event& e) {
           e.mutable_contract_signed()->mutable_lines(0)->set_quantity(0);
         });
       },
       "contract_signed.lines[0].quantity", "must be > 0"},
      {"negative contract cost",
       [] {
         return With(ValidContract(), [](Event& e) { e.mutable_contract_signed()->set_cost(-5); });
       },
       "contract_signed.cost", "must be >= 0"},
      {"payment with negative amount",
       [] {
         return With(ValidPayment(),
                     [](Event& e) { e.mutable_payment_received()->set_amount(-1); });
       },
       "payment_received.amount", "must be >= 0"},
      // The per-event maximum (10^15), in every money field and line quantity.
      {"action cost past the per-event maximum",
       [] {
         return With(ValidAction(),
                     [](Event& e) { e.mutable_action_logged()->set_cost(kMaxEventAmount + 1); });
       },
       "action_logged.cost", "must be at most 1000000000000000, the per-event maximum"},
      {"expected amount past the per-event maximum",
       [] {
         return With(ValidOpportunity(), [](Event& e) {
           e.mutable_opportunity_opened()->set_expected_amount(kMaxEventAmount + 1);
         });
       },
       "opportunity_opened.expected_amount", "the per-event maximum"},
      {"contract amount of INT64_MAX",
       [] {
         return With(ValidContract(), [](Event& e) {
           e.mutable_contract_signed()->set_amount(std::numeric_limits<int64_t>::max());
           e.mutable_contract_signed()->clear_installments();
         });
       },
       "contract_signed.amount", "the per-event maximum (got 9223372036854775807)"},
      {"contract cost past the per-event maximum",
       [] {
         return With(ValidContract(),
                     [](Event& e) { e.mutable_contract_signed()->set_cost(kMaxEventAmount + 1); });
       },
       "contract_signed.cost", "the per-event maximum"},
      {"line quantity past the per-event maximum",
       [] {
         return With(ValidContract(), [](Event& e) {
           e.mutable_contract_signed()->mutable_lines(0)->set_quantity(kMaxEventAmount + 1);
         });
       },
       "contract_signed.lines[0].quantity", "the per-event maximum"},
      {"unit price past the per-event maximum",
       [] {
         return With(ValidContract(), [](Event& e) {
           e.mutable_contract_signed()->mutable_lines(0)->set_unit_price(kMaxEventAmount + 1);
         });
       },
       "contract_signed.lines[0].unit_price", "the per-event maximum"},
      {"installment past the per-event maximum",
       [] {
         return With(ValidContract(), [](Event& e) {
           e.mutable_contract_signed()->mutable_installments(0)->set_amount(kMaxEventAmount + 1);
         });
       },
       "contract_signed.installments[0].amount", "the per-event maximum"},
      {"payment past the per-event maximum",
       [] {
         return With(ValidPayment(), [](Event& e) {
           e.mutable_payment_received()->set_amount(kMaxEventAmount + 1);
         });
       },
       "payment_received.amount", "the per-event maximum"},
      {"payment without contract",
       [] {
         return With(ValidPayment(),
                     [](Event& e) { e.mutable_payment_received()->clear_contract_id(); });
       },
       "payment_received.contract_id", "is required"},
      // Feedback and scores.
      {"feedback score 6",
       [] {
         return With(ValidFeedback(),
                     [](Event& e) { e.mutable_feedback_recorded()->set_score(6); });
       },
       "feedback_recorded.score", "[1, 5]"},
      {"score 101",
       [] {
         return With(ValidScore(), [](Event& e) { e.mutable_score_recorded()->set_value(101); });
       },
       "score_recorded.value", "[0, 100]"},
      {"score metric given as score:NAME",
       [] {
         return With(ValidScore(),
                     [](Event& e) { e.mutable_score_recorded()->set_metric("score:teamwork"); });
       },
       "score_recorded.metric", "must not contain ':'"},
      // Org and configuration.
      {"unit that is its own parent",
       [] {
         return With(ValidUnit(),
                     [](Event& e) { e.mutable_unit_defined()->set_parent_unit_id("sh"); });
       },
       "unit_defined.parent_unit_id", "own parent"},
      {"unit without name",
       [] { return With(ValidUnit(), [](Event& e) { e.mutable_unit_defined()->clear_name(); }); },
       "unit_defined.name", "is required"},
      {"rep envelope id differs from payload",
       [] { return With(ValidRep(), [](Event& e) { e.set_rep_id("rep-2"); }); }, "rep_id",
       "equal to rep_defined.rep_id"},
      {"rep without unit",
       [] { return With(ValidRep(), [](Event& e) { e.mutable_rep_defined()->clear_unit_id(); }); },
       "rep_defined.unit_id", "is required"},
      {"no stages",
       [] {
         return With(ValidStages(), [](Event& e) { e.mutable_stages_defined()->clear_stages(); });
       },
       "stages_defined.stages", "at least one"},
      {"duplicate stage",
       [] {
         return With(ValidStages(), [](Event& e) {
           e.mutable_stages_defined()->mutable_stages(2)->set_stage_id("contact");
         });
       },
       "stages_defined.stages[2].stage_id", "duplicate stage"},
      {"target past the per-event maximum",
       [] {
         return With(ValidTarget(),
                     [](Event& e) { e.mutable_target_set()->set_challenge(kMaxEventAmount + 1); });
       },
       "target_set.challenge", "the per-event maximum"},
      {"target for unknown metric",
       [] {
         return With(ValidTarget(), [](Event& e) { e.mutable_target_set()->set_metric("bogus"); });
       },
       "target_set.metric", "unknown metric"},
      {"target without subject",
       [] {
         return With(ValidTarget(),
                     [](Event& e) { e.mutable_target_set()->clear_subject_unit_id(); });
       },
       "target_set.subject", "one of subject_rep_id"},
      {"target on 2026-02-30",
       [] {
         return With(ValidTarget(), [](Event& e) {
           auto* d = e.mutable_target_set()->mutable_period()->mutable_date();
           d->set_month(2);
           d->set_day(30);
         });
       },
       "target_set.period.date.day", "not a day of 2026-2"},
      {"target with zero target value",
       [] { return With(ValidTarget(), [](Event& e) { e.mutable_target_set()->set_target(0); }); },
       "target_set.target", "must be > 0"},
      {"scheme weights summing to 9999",
       [] {
         return With(ValidScheme(), [](Event& e) {
           e.mutable_scheme_defined()->mutable_components(3)->set_weight_bp(1499);
         });
       },
       "scheme_defined.components", "sum to 10000 basis points (got 9999)"},
      {"scheme component with unknown metric",
       [] {
         return With(ValidScheme(), [](Event& e) {
           e.mutable_scheme_defined()->mutable_components(1)->set_metric("margin");
         });
       },
       "scheme_defined.components[1].metric", "unknown metric"},
      {"target on a scheme result",
       [] {
         return With(ValidTarget(),
                     [](Event& e) { e.mutable_target_set()->set_metric("composite_score"); });
       },
       "target_set.metric", "not a per-period metric"},
      {"scheme component on a point-in-time figure",
       [] {
         return With(ValidScheme(), [](Event& e) {
           e.mutable_scheme_defined()->mutable_components(1)->set_metric("overdue_ratio");
         });
       },
       "scheme_defined.components[1].metric", "not a per-period metric"},
      {"scheme naming a metric twice",
       [] {
         return With(ValidScheme(), [](Event& e) {
           e.mutable_scheme_defined()->mutable_components(2)->set_metric("sales_amount");
         });
       },
       "scheme_defined.components[2].metric", "already components[0]"},
      {"scheme component without rule",
       [] {
         return With(ValidScheme(), [](Event& e) {
           e.mutable_scheme_defined()->mutable_components(0)->clear_threshold();
         });
       },
       "scheme_defined.components[0].rule", "one of threshold or linear"},
      {"scheme component without direction",
       [] {
         return With(ValidScheme(), [](Event& e) {
           e.mutable_scheme_defined()->mutable_components(0)->clear_direction();
         });
       },
       "scheme_defined.components[0].direction", "is required"},
      {"multiplier tiers not decreasing",
       [] {
         return With(ValidScheme(), [](Event& e) {
           e.mutable_scheme_defined()->mutable_multiplier_tiers(1)->set_min_score_centi(9500);
         });
       },
       "scheme_defined.multiplier_tiers[1].min_score_centi", "strictly decreasing"},
      {"overlapping commission tiers",
       [] {
         return With(ValidScheme(), [](Event& e) {
           e.mutable_scheme_defined()->mutable_commission_tiers(1)->set_from_bp(10500);
         });
       },
       "scheme_defined.commission_tiers[1].from_bp", "must not overlap"},
      {"competition ending before it starts",
       [] {
         return With(ValidCompetition(), [](Event& e) {
           *e.mutable_competition_defined()->mutable_end() = e.competition_defined().start();
         });
       },
       "competition_defined.end", "after start"},
      {"team competition listing reps",
       [] {
         return With(ValidCompetition(), [](Event& e) {
           e.mutable_competition_defined()->add_participant_rep_ids("rep-1");
         });
       },
       "competition_defined.participant_rep_ids", "TEAM competition ranks units"},
      {"competition without measure",
       [] {
         return With(ValidCompetition(),
                     [](Event& e) { e.mutable_competition_defined()->clear_metric(); });
       },
       "competition_defined.measure", "one of metric or scheme_id"},
      {"competition ranked by a point-in-time figure",
       [] {
         return With(ValidCompetition(),
                     [](Event& e) { e.mutable_competition_defined()->set_metric("outstanding"); });
       },
       "competition_defined.metric", "per-period metric"},
      {"competition ranked by a scheme result named as a metric",
       [] {
         return With(ValidCompetition(), [](Event& e) {
           e.mutable_competition_defined()->set_metric("composite_score");
         });
       },
       "competition_defined.metric", "scheme_id"},
      {"void of itself",
       [] {
         return With(ValidVoid(),
                     [](Event& e) { e.mutable_event_voided()->set_target_event_id("evt-1"); });
       },
       "event_voided.target_event_id", "cannot void itself"},
      {"void without target",
       [] {
         return With(ValidVoid(),
                     [](Event& e) { e.mutable_event_voided()->clear_target_event_id(); });
       },
       "event_voided.target_event_id", "is required"},
  };
  return *cases;
}

TEST(ValidationTest, EachRuleNamesItsFieldAndReason) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    std::optional<FieldProblem> p = ValidateEvent(c.make(), kNow, ValidationOptions());
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->field, c.field);
    EXPECT_THAT(p->reason, HasSubstr(c.reason));
  }
}

// Found by the event_decoder fuzzer: an unknown field inside occurred_at was stored, then lost by
// export (JSON), so the re-imported event conflicted with the stored one.
TEST(ValidationTest, FieldsUnknownToTheSchemaAreRefusedWhereverTheyAre) {
  Event top = ValidAction();
  top.GetReflection()->MutableUnknownFields(&top)->AddVarint(99, 1);
  std::optional<FieldProblem> p = ValidateEvent(top, kNow, ValidationOptions());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->field, "");
  EXPECT_EQ(p->reason, "has a field unknown to this daemon (number 99); is the client newer?");

  Event nested = ValidAction();
  google::protobuf::Timestamp* at = nested.mutable_occurred_at();
  at->GetReflection()->MutableUnknownFields(at)->AddVarint(18033, 109307);
  p = ValidateEvent(nested, kNow, ValidationOptions());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->field, "occurred_at");

  Event contract = ValidContract();
  auto* installment = contract.mutable_contract_signed()->mutable_installments(1);
  installment->GetReflection()->MutableUnknownFields(installment)->AddFixed32(7, 0);
  p = ValidateEvent(contract, kNow, ValidationOptions());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->field, "contract_signed.installments[1]");

  google::protobuf::RepeatedPtrField<Event> batch;
  *batch.Add() = ValidAction();
  *batch.Add() = nested;
  EXPECT_THAT(std::string(ValidateBatch(batch, kNow, ValidationOptions()).message()),
              HasSubstr("events[1].occurred_at: has a field unknown to this daemon"));
}

TEST(ValidationTest, FutureSkewIsConfigurable) {
  Event e = ValidFeedback();
  *e.mutable_occurred_at() = Ts(kNow + absl::Minutes(4));
  EXPECT_FALSE(ValidateEvent(e, kNow, ValidationOptions()).has_value());
  ValidationOptions strict;
  strict.max_future_skew = absl::Minutes(1);
  EXPECT_TRUE(ValidateEvent(e, kNow, strict).has_value());
}

TEST(ValidationTest, BatchErrorNamesTheEventIndexAndField) {
  google::protobuf::RepeatedPtrField<Event> batch;
  *batch.Add() = ValidAction();
  *batch.Add() = ValidPayment();
  batch.Mutable(1)->mutable_payment_received()->set_amount(-3);
  absl::Status s = ValidateBatch(batch, kNow, ValidationOptions());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "events[1].payment_received.amount: must be >= 0 (got -3)");
  std::optional<EventErrorLocation> where = GetEventErrorLocation(s);
  ASSERT_TRUE(where.has_value());
  EXPECT_EQ(where->event_index, 1);
  EXPECT_EQ(where->field, "payment_received.amount");
}

TEST(ValidationTest, EmptyAndOversizedBatchesAreRefusedWhole) {
  google::protobuf::RepeatedPtrField<Event> batch;
  absl::Status empty = ValidateBatch(batch, kNow, ValidationOptions());
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(empty.message()), HasSubstr("empty"));

  for (int i = 0; i < 1001; ++i) *batch.Add() = ValidFeedback();
  absl::Status big = ValidateBatch(batch, kNow, ValidationOptions());
  EXPECT_EQ(big.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(big.message()), HasSubstr("1001 events; the limit is 1000"));
  EXPECT_EQ(MaxBatchEventsHint(big), 1000u);
  EXPECT_EQ(GetEventErrorLocation(big)->event_index, -1);
  batch.RemoveLast();
  EXPECT_TRUE(ValidateBatch(batch, kNow, ValidationOptions()).ok());
}

TEST(IdentifierTest, AcceptsUnicodeAndRejectsControlCharacters) {
  EXPECT_FALSE(CheckIdentifier("客户-上海-001").has_value());
  EXPECT_FALSE(CheckIdentifier("01J9Z8Q4X7W2K3M5N6P7R8S9T0").has_value());
  EXPECT_TRUE(CheckIdentifier(std::string("a\0b", 3)).has_value());
  EXPECT_TRUE(CheckIdentifier("tab\there").has_value());
  EXPECT_TRUE(CheckIdentifier("del\x7f").has_value());
  EXPECT_TRUE(CheckIdentifier("\xed\xa0\x80").has_value());  // A UTF-16 surrogate.
  EXPECT_TRUE(CheckIdentifier("\xc0\xaf").has_value());      // Overlong encoding.
}

}  // namespace
}  // namespace salestrack
