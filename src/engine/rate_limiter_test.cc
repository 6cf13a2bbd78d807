#include "engine/rate_limiter.h"
#include "salestrack/event_error.h"

#include "engine/retry_hint.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace salestrack::engine {
namespace {

using ::testing::HasSubstr;

const Principal kPhone{"li-phone", Role::kRep, "rep-li", ""};
const Principal kOtherPhone{"wang-phone", Role::kRep, "rep-wang", ""};

class RateLimiterTest : public ::testing::Test {
 protected:
  // Reps: 10 events/s, burst 20.
  RateLimiterTest() : clock_(absl::FromUnixSeconds(1'800'000'000)) {
    v1::RateLimit rep;
    rep.set_role("rep");
    rep.set_events_per_second(10);
    rep.set_burst(20);
    options_.rate_limits.push_back(rep);
  }
  std::unique_ptr<RateLimiter> Make() { return *RateLimiter::Create(options_, &clock_); }

  FakeClock clock_;
  EngineOptions options_;
};

TEST_F(RateLimiterTest, BurstPassesThenRefusesWithTheWaitTheMissingTokensNeed) {
  auto limiter = Make();
  EXPECT_TRUE(limiter->Take(kPhone, 15).ok());
  EXPECT_TRUE(limiter->Take(kPhone, 5).ok());
  absl::Status refused = limiter->Take(kPhone, 3);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.message(), HasSubstr("key \"li-phone\" (role rep) is over its append rate "
                                           "limit of 10 events/s (burst 20)"));
  EXPECT_THAT(refused.message(), HasSubstr("retry in 300 ms"));
  EXPECT_EQ(RetryAfter(refused), absl::Milliseconds(300));
  // A refusal takes nothing: after the hinted wait the same batch passes.
  clock_.Advance(absl::Milliseconds(300));
  EXPECT_TRUE(limiter->Take(kPhone, 3).ok());
  EXPECT_FALSE(limiter->Take(kPhone, 1).ok());
}

TEST_F(RateLimiterTest, RefillsAtTheRateUpToTheBurst) {
  auto limiter = Make();
  ASSERT_TRUE(limiter->Take(kPhone, 20).ok());
  clock_.Advance(absl::Hours(1));  // Far more than the burst's worth.
  EXPECT_TRUE(limiter->Take(kPhone, 20).ok());
  EXPECT_EQ(RetryAfter(limiter->Take(kPhone, 1)), absl::Milliseconds(100));
}

TEST_F(RateLimiterTest, CheckAnswersLikeTakeButTakesNothing) {
  auto limiter = Make();
  EXPECT_TRUE(limiter->Check(kPhone, 20).ok());
  EXPECT_TRUE(limiter->Check(kPhone, 20).ok());
  EXPECT_EQ(limiter->Check(kPhone, 21).code(), absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE(limiter->Take(kPhone, 15).ok());
  EXPECT_EQ(RetryAfter(limiter->Check(kPhone, 6)), absl::Milliseconds(100));
  EXPECT_TRUE(limiter->Take(kPhone, 5).ok());
}

TEST_F(RateLimiterTest, ARefundGivesBackTokensUpToTheBurst) {
  auto limiter = Make();
  ASSERT_TRUE(limiter->Take(kPhone, 20).ok());
  limiter->Refund(kPhone, 20);  // The writer refused that batch.
  EXPECT_TRUE(limiter->Take(kPhone, 20).ok());
  limiter->Refund(kPhone, 20);
  limiter->Refund(kPhone, 20);  // Never past the burst.
  EXPECT_TRUE(limiter->Take(kPhone, 20).ok());
  EXPECT_FALSE(limiter->Take(kPhone, 1).ok());
}

TEST_F(RateLimiterTest, RefusedWorkHasItsOwnBucketThatMayRunOneBurstIntoDebt) {
  auto limiter = Make();
  limiter->Refused(kPhone, 20);  // A burst of refused events costs valid work nothing...
  EXPECT_TRUE(limiter->CheckRefusals(kPhone).ok());
  EXPECT_TRUE(limiter->Take(kPhone, 20).ok());
  limiter->Refused(kPhone, 5);  // ...past it the key waits until the debt is paid at the rate.
  absl::Status slowed = limiter->CheckRefusals(kPhone);
  EXPECT_EQ(slowed.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(slowed.message(), HasSubstr("key \"li-phone\" (role rep) had more events refused "
                                          "than its append rate limit of 10 events/s (burst 20) "
                                          "allows for refused work"));
  EXPECT_EQ(RetryAfter(slowed), absl::Milliseconds(500));
  EXPECT_TRUE(limiter->CheckRefusals(kOtherPhone).ok());
  limiter->Refused(kPhone, 1000);  // The debt is at most one burst: 2 s to wait at most.
  EXPECT_EQ(RetryAfter(limiter->CheckRefusals(kPhone)), absl::Seconds(2));
  clock_.Advance(absl::Seconds(2));
  EXPECT_TRUE(limiter->CheckRefusals(kPhone).ok());
  limiter->Refused(kPhone, 0);  // An empty batch counts as one event.
  EXPECT_EQ(RetryAfter(limiter->CheckRefusals(kPhone)), absl::Milliseconds(100));
}

TEST_F(RateLimiterTest, EveryKeyHasItsOwnBucket) {
  auto limiter = Make();
  ASSERT_TRUE(limiter->Take(kPhone, 20).ok());
  EXPECT_FALSE(limiter->Take(kPhone, 1).ok());
  EXPECT_TRUE(limiter->Take(kOtherPhone, 20).ok());
}

TEST_F(RateLimiterTest, ABatchLargerThanTheBurstIsRefusedWithTheSplitAsItsHint) {
  auto limiter = Make();
  absl::Status s = limiter->Take(kPhone, 21);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(s.message(), HasSubstr("split it into batches of at most 20"));
  EXPECT_FALSE(RetryAfter(s).has_value());
  EXPECT_EQ(MaxBatchEventsHint(s), 20u);
  EXPECT_TRUE(limiter->Take(kPhone, 20).ok());  // It took nothing.
}

TEST_F(RateLimiterTest, KeyOverridesRoleAndDefaultsApplyToUnlistedRoles) {
  v1::ApiKey key;
  key.set_name("li-phone");
  key.mutable_rate_limit()->set_events_per_second(1);
  key.mutable_rate_limit()->set_burst(2);
  options_.api_keys.push_back(key);
  auto limiter = Make();
  EXPECT_EQ(limiter->LimitOf(kPhone).burst, 2);
  EXPECT_EQ(limiter->LimitOf(kOtherPhone).burst, 20);
  const Principal crm{"crm", Role::kConnector, "", ""};
  EXPECT_EQ(limiter->LimitOf(crm).events_per_second, 20000);
  EXPECT_EQ(limiter->LimitOf({"boss", Role::kManager, "", "east"}).events_per_second, 20);
  // Admins (and so every caller with authentication off) have no limit unless configured.
  const Principal root{"root", Role::kAdmin, "", ""};
  EXPECT_TRUE(limiter->LimitOf(root).unlimited());
  EXPECT_TRUE(limiter->Take(root, 1000000).ok());
}

TEST_F(RateLimiterTest, BurstDefaultsToTheBatchLimitOrOneSecondOfRate) {
  options_.rate_limits[0].set_burst(0);
  EXPECT_EQ(Make()->LimitOf(kPhone).burst, 1000);  // max_batch_events.
  options_.rate_limits[0].set_events_per_second(5000);
  EXPECT_EQ(Make()->LimitOf(kPhone).burst, 5000);
}

TEST_F(RateLimiterTest, ConfigErrorsNameTheField) {
  options_.rate_limits[0].set_role("intern");
  EXPECT_THAT(RateLimiter::Create(options_, &clock_).status().message(),
              HasSubstr("limits.rate_limits[0].role: \"intern\" is not one of"));
  options_.rate_limits[0].set_role("rep");
  options_.rate_limits.push_back(options_.rate_limits[0]);
  EXPECT_THAT(RateLimiter::Create(options_, &clock_).status().message(),
              HasSubstr("limits.rate_limits[1].role: \"rep\" has another entry"));
  options_.rate_limits.pop_back();
  v1::ApiKey key;
  key.set_name("x");
  key.mutable_rate_limit()->set_events_per_second(-1);
  options_.api_keys.push_back(key);
  EXPECT_THAT(RateLimiter::Create(options_, &clock_).status().message(),
              HasSubstr("api_keys[0].rate_limit.events_per_second: must be >= 0"));
}

}  // namespace
}  // namespace salestrack::engine
