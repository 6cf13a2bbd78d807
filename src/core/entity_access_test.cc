#include "salestrack/entity_access.h"

#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salestrack/event_error.h"

namespace salestrack {
namespace {

using ::testing::HasSubstr;

// The log's entities: opp-w, ct-w and pay-w are rep-w's; pay-orphan pays into ct-unsigned.
class FakeTable : public EntityTable {
 public:
  FakeTable() {
    defs_[{EntityKind::kOpportunity, "opp-w"}] = {10, 1, "rep-w", ""};
    defs_[{EntityKind::kContract, "ct-w"}] = {11, 2, "rep-w", ""};
    defs_[{EntityKind::kPayment, "pay-w"}] = {12, 3, "", "ct-w"};
    defs_[{EntityKind::kOpportunity, "opp-r"}] = {10, 4, "rep-r", ""};
    defs_[{EntityKind::kContract, "ct-r"}] = {11, 5, "rep-r", ""};
    defs_[{EntityKind::kPayment, "pay-orphan"}] = {12, 6, "", "ct-unsigned"};
  }
  std::optional<EntityOpening> Defining(EntityKind kind, absl::string_view id) const override {
    auto it = defs_.find({kind, std::string(id)});
    if (it == defs_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::pair<EntityKind, std::string>, EntityOpening> defs_;
};

const Principal kRep{"r-phone", Role::kRep, "rep-r", ""};

v1::Event Ev(const std::string& text) {
  v1::Event e;
  e.set_rep_id("rep-r");
  if (absl::StartsWith(text, "open ")) {
    e.mutable_opportunity_opened()->set_opportunity_id(text.substr(5));
  } else if (absl::StartsWith(text, "stage ")) {
    e.mutable_opportunity_stage_changed()->set_opportunity_id(text.substr(6));
  } else if (absl::StartsWith(text, "close ")) {
    e.mutable_opportunity_closed()->set_opportunity_id(text.substr(6));
  } else if (absl::StartsWith(text, "sign ")) {  // "sign CONTRACT [OPPORTUNITY]"
    std::vector<std::string> words = absl::StrSplit(text.substr(5), ' ');
    e.mutable_contract_signed()->set_contract_id(words[0]);
    if (words.size() > 1) e.mutable_contract_signed()->set_opportunity_id(words[1]);
  } else if (absl::StartsWith(text, "pay ")) {  // "pay PAYMENT CONTRACT"
    std::vector<std::string> words = absl::StrSplit(text.substr(4), ' ');
    e.mutable_payment_received()->set_payment_id(words[0]);
    e.mutable_payment_received()->set_contract_id(words[1]);
  } else {
    e.mutable_action_logged()->set_customer_id("c");
    e.mutable_action_logged()->set_opportunity_id("opp-w");
  }
  return e;
}

absl::Status Check(const std::vector<std::string>& batch, const Principal& who = kRep) {
  google::protobuf::RepeatedPtrField<v1::Event> events;
  std::vector<int> fresh;
  for (const std::string& text : batch) {
    fresh.push_back(events.size());
    *events.Add() = Ev(text);
  }
  return CheckEntityAccess(who, events, fresh, FakeTable());
}

TEST(CheckEntityAccessTest, ARepUsesItsOwnEntitiesAndNewIds) {
  EXPECT_TRUE(Check({"open opp-r", "stage opp-r", "close opp-r", "sign ct-r opp-r",
                     "sign ct-new opp-r", "pay pay-new ct-r", "open opp-new", "action"})
                  .ok());
}

TEST(CheckEntityAccessTest, AnotherRepsEntityIsPermissionDeniedNamingFieldKeyAndOwner) {
  struct Case {
    std::string event, message;
  };
  for (const Case& c :
       std::vector<Case>{{"open opp-w",
                          "events[0].opportunity_opened.opportunity_id: key \"r-phone\" (rep "
                          "rep-r) may not reuse opportunity \"opp-w\" of rep \"rep-w\""},
                         {"stage opp-w",
                          "events[0].opportunity_stage_changed.opportunity_id: key \"r-phone\" "
                          "(rep rep-r) may not change opportunity \"opp-w\" of rep \"rep-w\""},
                         {"close opp-w",
                          "events[0].opportunity_closed.opportunity_id: key \"r-phone\" (rep "
                          "rep-r) may not change opportunity \"opp-w\" of rep \"rep-w\""},
                         {"sign ct-w",
                          "events[0].contract_signed.contract_id: key \"r-phone\" (rep rep-r) may "
                          "not reuse contract \"ct-w\" of rep \"rep-w\""},
                         {"sign ct-new opp-w",
                          "events[0].contract_signed.opportunity_id: key \"r-phone\" (rep "
                          "rep-r) may not sign a contract on opportunity \"opp-w\" of rep "
                          "\"rep-w\""},
                         {"pay pay-new ct-w",
                          "events[0].payment_received.contract_id: key \"r-phone\" (rep "
                          "rep-r) may not pay into contract \"ct-w\" of rep \"rep-w\""},
                         {"pay pay-w ct-r",
                          "events[0].payment_received.payment_id: key \"r-phone\" (rep rep-r) "
                          "may not reuse payment \"pay-w\" of rep \"rep-w\""},
                         {"pay pay-orphan ct-r",
                          "events[0].payment_received.payment_id: key \"r-phone\" (rep "
                          "rep-r) may not reuse payment \"pay-orphan\", which pays into "
                          "contract \"ct-unsigned\" (not in the log)"}}) {
    absl::Status s = Check({c.event});
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << c.event;
    EXPECT_EQ(s.message(), c.message);
  }
}

TEST(CheckEntityAccessTest, AReferenceToAnUnknownEntityWaitsForItsOpeningUnlessTheBatchHasIt) {
  absl::Status s = Check({"stage opp-x"});
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "events[0].opportunity_stage_changed.opportunity_id: opportunity "
            "\"opp-x\" is not in the log; append its OpportunityOpened first");
  EXPECT_EQ(Check({"sign ct-x opp-x"}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Check({"pay pay-x ct-x"}).message(),
            "events[0].payment_received.contract_id: contract \"ct-x\" is not in the log; append "
            "its ContractSigned first");
  // Opened in the same batch, before or after.
  EXPECT_TRUE(Check({"pay pay-x ct-x", "close opp-x", "sign ct-x opp-x", "open opp-x"}).ok());
}

TEST(CheckEntityAccessTest, TheFirstOffendingEventIsNamed) {
  absl::Status s = Check({"open opp-x", "stage opp-x", "pay pay-new ct-w", "close opp-w"});
  EXPECT_THAT(s.message(), HasSubstr("events[2].payment_received.contract_id"));
}

TEST(CheckEntityAccessTest, OnlyNewEventsAreChecked) {
  google::protobuf::RepeatedPtrField<v1::Event> events;
  *events.Add() = Ev("close opp-w");  // Already in the log: a duplicate changes nothing.
  *events.Add() = Ev("stage opp-r");
  EXPECT_TRUE(CheckEntityAccess(kRep, events, {1}, FakeTable()).ok());
  EXPECT_FALSE(CheckEntityAccess(kRep, events, {0, 1}, FakeTable()).ok());
}

TEST(CheckEntityAccessTest, OtherRolesAreNotChecked) {
  for (Role role : {Role::kAdmin, Role::kConnector, Role::kManager, Role::kScreen}) {
    EXPECT_TRUE(Check({"close opp-w", "stage opp-x", "pay pay-w ct-x"}, {"k", role, "", ""}).ok());
  }
}

}  // namespace
}  // namespace salestrack
