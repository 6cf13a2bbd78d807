// The rules of the org and configuration events (units, reps, stages, targets, schemes,
// competitions) and of voids.
#include "salestrack/validation.h"

#include "core/validation_examples.h"
#include "gtest/gtest.h"

namespace salestrack::testing {
namespace {

using v1::Event;

const std::vector<Case>& OrgCases() {
  static const auto* cases = new std::vector<Case>{
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

TEST(ValidationTest, EachOrgAndConfigRuleNamesItsFieldAndReason) {
  ExpectEachCaseRefused(OrgCases());
}

}  // namespace
}  // namespace salestrack::testing
