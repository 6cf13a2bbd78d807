#include "format/money.h"

#include <cstdint>
#include <limits>

#include "gtest/gtest.h"

namespace salestrack::format {
namespace {

TEST(MinorUnitsToDecimalTest, ExactForEveryInt64) {
  EXPECT_EQ(MinorUnitsToDecimal(0, 2), "0.00");
  EXPECT_EQ(MinorUnitsToDecimal(1200000, 2), "12000.00");
  EXPECT_EQ(MinorUnitsToDecimal(-5, 3), "-0.005");
  EXPECT_EQ(MinorUnitsToDecimal(7, 0), "7");
  EXPECT_EQ(MinorUnitsToDecimal(std::numeric_limits<int64_t>::max(), 2), "92233720368547758.07");
  EXPECT_EQ(MinorUnitsToDecimal(std::numeric_limits<int64_t>::min(), 2), "-92233720368547758.08");
  EXPECT_EQ(MinorUnitsToDecimal(std::numeric_limits<int64_t>::min(), 0), "-9223372036854775808");
}

TEST(MoneyFormatterTest, EnglishAndChinese) {
  MoneyFormatter en({"CNY", 2}, "en");
  EXPECT_EQ(en.Format(1200000), "¥12,000.00");
  EXPECT_EQ(en.Format(0), "¥0.00");
  EXPECT_EQ(en.Format(-550), "-¥5.50");  // A refund or a void's negative delta.
  EXPECT_EQ(en.FormatShort(1200000), "¥12K");
  MoneyFormatter zh({"CNY", 2}, "zh-CN");
  EXPECT_EQ(zh.Format(1200000), "¥12,000.00");
  EXPECT_EQ(zh.FormatShort(1000000000), "¥1000万");
  EXPECT_EQ(zh.FormatShort(12000000000), "¥1.2亿");
  EXPECT_EQ(zh.FormatShort(120000000), "¥120万");
}

TEST(MoneyFormatterTest, HugeValuesAreExact) {
  MoneyFormatter en({"CNY", 2}, "en");
  EXPECT_EQ(en.Format(std::numeric_limits<int64_t>::max()), "¥92,233,720,368,547,758.07");
  EXPECT_EQ(en.Format(std::numeric_limits<int64_t>::min()), "-¥92,233,720,368,547,758.08");
  EXPECT_EQ(en.Format(std::numeric_limits<int64_t>::max() - 1), "¥92,233,720,368,547,758.06");
}

TEST(MoneyFormatterTest, OtherExponents) {
  EXPECT_EQ(MoneyFormatter({"JPY", 0}, "en").Format(1200000), "¥1,200,000");
  EXPECT_EQ(MoneyFormatter({"KWD", 3}, "en").Format(1234567),
            "KWD\u00a01,234.567");  // ICU puts a no-break space.
  EXPECT_EQ(MoneyFormatter({"USD", 2}, "en").Format(199), "$1.99");
}

TEST(MoneyFormatterTest, RatiosAndDurations) {
  MoneyFormatter en({"CNY", 2}, "en");
  EXPECT_EQ(en.FormatRatio(0.355), "35.5%");
  EXPECT_EQ(en.FormatRatio(0), "0%");
  EXPECT_EQ(FormatDuration(3 * 86400 + 4 * 3600, "en"), "3d 4h");
  EXPECT_EQ(FormatDuration(3 * 86400 + 4 * 3600, "zh-CN"), "3天4小时");
  EXPECT_EQ(FormatDuration(5400, "en"), "1h 30m");
  EXPECT_EQ(FormatDuration(0, "en"), "0m");
  EXPECT_EQ(FormatDuration(1e300, "en"), "1e+300s");
}

TEST(LocaleFromLangTest, PosixNamesToIcu) {
  EXPECT_EQ(LocaleFromLang("zh_CN.UTF-8"), "zh-CN");
  EXPECT_EQ(LocaleFromLang("en_US"), "en-US");
  EXPECT_EQ(LocaleFromLang("C"), "en");
  EXPECT_EQ(LocaleFromLang(""), "en");
}

}  // namespace
}  // namespace salestrack::format
