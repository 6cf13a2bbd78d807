// The notifier's pure pieces: config checks, times of day, money text, backoff bounds, DingTalk's
// signature. The delivery itself is tested end to end (tests/notify_e2e_test.cc).
#include <cstdint>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "notify/config.h"
#include "notify/http_post.h"
#include "notify/payload.h"
#include "notify/sender.h"

namespace salestrack::notify {
namespace {

using ::testing::HasSubstr;

TEST(NotifyConfigTest, LocalTimes) {
  EXPECT_EQ(ParseLocalTime("00:00"), 0);
  EXPECT_EQ(ParseLocalTime("09:30"), 570);
  EXPECT_EQ(ParseLocalTime("23:59"), 1439);
  for (const char* bad : {"24:00", "9:30", "09:60", "0930", "09:3a", "", " 9:30", "-1:00"}) {
    EXPECT_FALSE(ParseLocalTime(bad).has_value()) << bad;
  }
}

TEST(NotifyConfigTest, DefaultsAndRanges) {
  v1::DaemonConfig config;
  absl::StatusOr<NotifyOptions> options = NotifyOptionsOf(config);
  ASSERT_TRUE(options.ok());
  EXPECT_FALSE(options->enabled());
  EXPECT_EQ(options->delivery.max_attempts, 8u);
  EXPECT_EQ(options->delivery.initial_backoff, absl::Seconds(1));

  config.mutable_notify_delivery()->set_initial_backoff_ms(5000);
  config.mutable_notify_delivery()->set_max_backoff_ms(1000);
  EXPECT_THAT(NotifyOptionsOf(config).status().message(),
              HasSubstr("notify_delivery.max_backoff_ms: must be at least initial_backoff_ms"));
  config.clear_notify_delivery();
  for (int i = 0; i <= 64; ++i) {
    v1::NotifyRule* rule = config.add_notify_rules();
    rule->set_name("r" + std::to_string(i));
    rule->mutable_deal_signed();
    rule->mutable_target()->set_url("https://example.com/hook");
    rule->mutable_target()->set_format(v1::NotifyTarget::SLACK);
  }
  EXPECT_THAT(NotifyOptionsOf(config).status().message(),
              HasSubstr("notify_rules: at most 64 rules, not 65"));
  config.mutable_notify_rules()->RemoveLast();
  EXPECT_TRUE(NotifyOptionsOf(config).ok());
  config.mutable_notify_rules(3)->mutable_target()->set_url("https://");
  EXPECT_THAT(NotifyOptionsOf(config).status().message(),
              HasSubstr("notify_rules[3].target.url: names no host"));
  config.mutable_notify_rules(3)->mutable_target()->set_url("https://a b");
  EXPECT_THAT(NotifyOptionsOf(config).status().message(), HasSubstr("spaces or control"));
}

TEST(NotifyPayloadTest, MinorUnitsAtTheirEdges) {
  EXPECT_EQ(FormatMinorUnits(0), "0.00");
  EXPECT_EQ(FormatMinorUnits(5), "0.05");
  EXPECT_EQ(FormatMinorUnits(123456789), "1,234,567.89");
  EXPECT_EQ(FormatMinorUnits(-100000), "-1,000.00");
  EXPECT_EQ(FormatMinorUnits(std::numeric_limits<int64_t>::max()), "92,233,720,368,547,758.07");
  EXPECT_EQ(FormatMinorUnits(std::numeric_limits<int64_t>::min()), "-92,233,720,368,547,758.08");
}

TEST(NotifyPayloadTest, TextIsEscapedByThePrinter) {
  Content c;
  c.kind = "deal_signed";
  c.title = "quote \" backslash \\ newline \n </script>";
  absl::StatusOr<std::string> body = RenderBody(v1::NotifyTarget::SLACK, Origin{"r", "k", 1, 0}, c);
  ASSERT_TRUE(body.ok());
  EXPECT_THAT(*body, HasSubstr(R"(quote \" backslash \\ newline \n)"));
}

TEST(NotifySenderTest, BackoffDoublesUpToItsCapWithHalfAgainOfJitter) {
  DeliveryOptions d;
  d.initial_backoff = absl::Milliseconds(100);
  d.max_backoff = absl::Seconds(1);
  EXPECT_EQ(RuleSender::Backoff(d, 1, 0), absl::Milliseconds(100));
  EXPECT_EQ(RuleSender::Backoff(d, 2, 0), absl::Milliseconds(200));
  EXPECT_EQ(RuleSender::Backoff(d, 4, 0), absl::Milliseconds(800));
  EXPECT_EQ(RuleSender::Backoff(d, 5, 0), absl::Seconds(1));
  EXPECT_EQ(RuleSender::Backoff(d, 100, 0), absl::Seconds(1));
  EXPECT_EQ(RuleSender::Backoff(d, 1, 1), absl::Milliseconds(150));
  d.max_backoff = absl::Hours(24);
  EXPECT_EQ(RuleSender::Backoff(d, 4000000000u, 0.999), absl::Hours(24) * 1.4995);
}

TEST(NotifyHttpTest, DingTalkSignatureMatchesAnIndependentComputation) {
  // Python: quote_plus(b64encode(hmac.new(b"SECabc", b"1700000000000\nSECabc", sha256).digest()))
  EXPECT_EQ(DingTalkSignedUrl("https://oapi.dingtalk.com/robot/send?access_token=T", "SECabc",
                              1700000000000),
            "https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000000&sign="
            "jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D");
  EXPECT_THAT(DingTalkSignedUrl("https://h/p", "s", 1), HasSubstr("https://h/p?timestamp=1&sign="));
}

}  // namespace
}  // namespace salestrack::notify
