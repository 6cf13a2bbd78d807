// ListFollowUps' default window through a real salestrackd and the CLI: every follow-up still open
// is listed however old it is, beside the done ones of the 30 days either side of now.
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salestrack/v1/kpi_service.pb.h"
#include "scoring_fixture.h"

namespace salestrack {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using FollowUpWindowE2eTest = testing::ScoringDaemonTest;

// A text-format ActionLogged of rep "fay" with customer `customer` `days_ago` days ago, scheduling
// a follow-up one day later.
std::string Visit(const std::string& id, const std::string& customer, int days_ago) {
  const int64_t at = absl::ToUnixSeconds(absl::Now() - absl::Hours(24 * days_ago));
  return absl::StrFormat(
      R"txt(event_id: "%s" occurred_at { seconds: %d } rep_id: "fay" action_logged { customer_id: "%s" purpose: PURPOSE_OTHER channel: CHANNEL_OTHER next_follow_up_at { seconds: %d } }
)txt",
      id, at, customer, at + 86400);
}

TEST_F(FollowUpWindowE2eTest, TheDefaultListHoldsEveryOpenFollowUpHoweverOld) {
  Append(absl::StrCat(
      R"txt(event_id: "u" occurred_at { seconds: 1788220800 } unit_defined { unit_id: "solo" name: "Solo" }
event_id: "r" occurred_at { seconds: 1788220800 } rep_defined { rep_id: "fay" name: "Fay" unit_id: "solo" active: true }
)txt",
      Visit("old-open", "c-old", 90),  // Due 89 days ago, never done: overdue.
      Visit("old-done", "c-done", 90), Visit("old-done-2", "c-done", 80),  // Done 80 days ago.
      Visit("new-done", "c-new", 5), Visit("new-done-2", "c-new", 3)));    // Done 3 days ago.
  testing::CliResult r = Cli("followups --rep fay --json");
  ASSERT_EQ(r.code, 0) << r.err;
  v1::ListFollowUpsResponse list;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &list).ok()) << r.out;
  // Open however old: old-open and the one old-done-2 scheduled (due 79 days ago); done within 30
  // days: new-done's; and the one new-done-2 scheduled (open). old-done's was done 80 days ago.
  ASSERT_EQ(list.total(), 4u) << r.out;
  ASSERT_EQ(list.follow_ups_size(), 4);
  EXPECT_EQ(list.follow_ups(0).scheduled_by_event_id(), "old-open");
  EXPECT_TRUE(list.follow_ups(0).overdue());
  EXPECT_EQ(list.follow_ups(1).scheduled_by_event_id(), "old-done-2");
  EXPECT_EQ(list.follow_ups(2).scheduled_by_event_id(), "new-done");
  EXPECT_TRUE(list.follow_ups(2).on_time());
  EXPECT_EQ(list.follow_ups(3).scheduled_by_event_id(), "new-done-2");
  EXPECT_THAT(r.out, Not(HasSubstr("\"old-done\"")));  // Done long ago: outside the window.
  // The limit applies to the merged list; the total counts both parts.
  r = Cli("followups --rep fay --json --limit 1");
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &list).ok()) << r.out;
  EXPECT_EQ(list.total(), 4u);
  ASSERT_EQ(list.follow_ups_size(), 1);
  EXPECT_EQ(list.follow_ups(0).scheduled_by_event_id(), "old-open");
}

}  // namespace
}  // namespace salestrack
