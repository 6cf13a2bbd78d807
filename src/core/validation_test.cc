#include "salestrack/validation.h"

#include "core/validation_examples.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salestrack/event_error.h"

namespace salestrack::testing {
namespace {

using ::testing::HasSubstr;
using v1::Event;

TEST(ValidationTest, EveryValidExampleIsAccepted) {
  for (const Event& e :
       {ValidAction(), ValidContract(), ValidOpportunity(), ValidStageChange(), ValidClose(),
        ValidPayment(), ValidFeedback(), ValidScore(), ValidUnit(), ValidRep(), ValidStages(),
        ValidTarget(), ValidScheme(), ValidCompetition(), ValidVoid()}) {
    std::optional<FieldProblem> p = ValidateEvent(e, kNow, ValidationOptions());
    EXPECT_FALSE(p.has_value()) << e.ShortDebugString() << " -> " << p->field << ": " << p->reason;
  }
}

const std::vector<Case>& EnvelopeCases() {
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
  };
  return *cases;
}

TEST(ValidationTest, EachEnvelopeRuleNamesItsFieldAndReason) {
  ExpectEachCaseRefused(EnvelopeCases());
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
}  // namespace salestrack::testing
