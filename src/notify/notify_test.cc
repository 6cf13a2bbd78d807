// The notifier's pure pieces: config checks, times of day, wording and money, payload shapes,
// backoff bounds, DingTalk's signature. The delivery itself is tested end to end
// (tests/notify_e2e_test.cc).
#include <cstdint>
#include <limits>
#include <utility>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "notify/config.h"
#include "notify/http_post.h"
#include "notify/payload.h"
#include "notify/sender.h"
#include "notify/wording.h"

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

TEST(NotifyWordingTest, MoneyInTheOrgCurrencyAndTheTargetsLanguage) {
  const Wording en(format::CurrencySpec{"CNY", 2}, "en");
  const Wording zh(format::CurrencySpec{"CNY", 2}, "zh-CN");
  EXPECT_FALSE(en.chinese());
  EXPECT_TRUE(zh.chinese());
  EXPECT_EQ(en.DealSigned(1234567, "Sun Lei (nj-sun)"),
            "Deal signed: ¥12,345.67 by Sun Lei (nj-sun)");
  EXPECT_EQ(zh.DealSigned(1234567, "孙磊 (nj-sun)"), "签约：孙磊 (nj-sun) ¥12,345.67");
  EXPECT_EQ(zh.DealVoided(100, "孙磊 (nj-sun)"), "签约作废：孙磊 (nj-sun) ¥1.00");
  EXPECT_EQ(en.Overdue("Li (li)", 1), "Li (li): 1 overdue follow-up");
  EXPECT_EQ(en.Overdue("Li (li)", 2), "Li (li): 2 overdue follow-ups");
  EXPECT_EQ(zh.Overdue("李 (li)", 2), "李 (li)：2 条逾期跟进");
  EXPECT_EQ(zh.EnteredTop("孙磊 (nj-sun)", 3, 2), "孙磊 (nj-sun) 进入前 3 名：第 2 名");
  // Every minor digit at int64's edges, in a currency without minor units too.
  EXPECT_EQ(Wording(format::CurrencySpec{"JPY", 0}, "en").Money(-9223372036854775807 - 1),
            "-¥9,223,372,036,854,775,808");
  EXPECT_EQ(zh.Money(9223372036854775807), "¥92,233,720,368,547,758.07");
}

TEST(NotifyWordingTest, ChineseRobotsDefaultToChinese) {
  v1::NotifyTarget t;
  for (auto [format, locale] : {std::pair{v1::NotifyTarget::DINGTALK, "zh-CN"},
                                {v1::NotifyTarget::WECOM, "zh-CN"},
                                {v1::NotifyTarget::SLACK, "en"},
                                {v1::NotifyTarget::TEAMS, "en"},
                                {v1::NotifyTarget::GENERIC_JSON, "en"}}) {
    t.set_format(format);
    EXPECT_EQ(TargetLocale(t), locale) << v1::NotifyTarget::Format_Name(format);
  }
  t.set_locale("zh-TW");
  EXPECT_EQ(TargetLocale(t), "zh-TW");
}

TEST(NotifyConfigTest, ALocaleMustBeEnglishOrChinese) {
  v1::DaemonConfig config;
  v1::NotifyRule* rule = config.add_notify_rules();
  rule->set_name("r");
  rule->mutable_deal_signed();
  rule->mutable_target()->set_url("https://example.com/hook");
  rule->mutable_target()->set_format(v1::NotifyTarget::WECOM);
  for (const char* good : {"en", "zh-CN", "zh_CN", "en-US", "zh-Hans-CN"}) {
    rule->mutable_target()->set_locale(good);
    EXPECT_TRUE(NotifyOptionsOf(config).ok()) << good;
  }
  for (const char* bad : {"fr", "de-DE", "english", "zh CN", "zh-CN;x", "e"}) {
    rule->mutable_target()->set_locale(bad);
    EXPECT_THAT(NotifyOptionsOf(config).status().message(),
                HasSubstr("notify_rules[0].target.locale: \""))
        << bad;
  }
}

TEST(NotifyPayloadTest, TeamsGetsAnAdaptiveCardMessage) {
  Content c;
  c.kind = "deal_signed";
  c.title = "Deal signed";
  c.lines = {"contract c-9, customer cust-3", "unit East (east)"};
  absl::StatusOr<std::string> body = RenderBody(v1::NotifyTarget::TEAMS, Origin{"r", "k", 1, 0}, c);
  ASSERT_TRUE(body.ok());
  google::protobuf::Struct json;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*body, &json).ok()) << *body;
  EXPECT_EQ(json.fields().at("type").string_value(), "message");
  const auto& attachments = json.fields().at("attachments").list_value();
  ASSERT_EQ(attachments.values_size(), 1);
  const auto& attachment = attachments.values(0).struct_value().fields();
  EXPECT_EQ(attachment.at("contentType").string_value(), "application/vnd.microsoft.card.adaptive");
  const auto& card = attachment.at("content").struct_value().fields();
  EXPECT_EQ(card.at("type").string_value(), "AdaptiveCard");
  const auto& blocks = card.at("body").list_value();
  ASSERT_EQ(blocks.values_size(), 3);
  EXPECT_EQ(blocks.values(0).struct_value().fields().at("text").string_value(), "Deal signed");
  EXPECT_EQ(blocks.values(0).struct_value().fields().at("weight").string_value(), "Bolder");
  EXPECT_EQ(blocks.values(2).struct_value().fields().at("text").string_value(), "unit East (east)");
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
