// The rules of the activity and sales events: actions, opportunities, contracts, payments,
// feedback and scores, with the per-event money maximum in every amount.
#include "salestrack/validation.h"

#include <limits>

#include "core/validation_examples.h"
#include "gtest/gtest.h"

namespace salestrack::testing {
namespace {

using v1::Event;

const std::vector<Case>& ActivityCases() {
  static const auto* cases = new std::vector<Case>{
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
  };
  return *cases;
}

TEST(ValidationTest, EachActivityRuleNamesItsFieldAndReason) {
  ExpectEachCaseRefused(ActivityCases());
}

}  // namespace
}  // namespace salestrack::testing
