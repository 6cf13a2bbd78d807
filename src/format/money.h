// Figures as people read them: money in the org currency, ratios as percents, durations in days
// and hours, in a locale (en, zh-CN, ...). The one home of number formatting for the CLI and the
// daemon's reports. ICU does the locale's work (symbols, grouping, 万 / 亿); amounts go to it as
// exact decimal strings, never through a double, so every int64 of minor units formats exactly.
//
//   MoneyFormatter money({"CNY", 2}, "zh-CN");
//   money.Format(1200000)        // "¥12,000.00"
//   money.FormatShort(1000000000) // "¥1000万" (compact: report summaries, board values)
//
// Thread-compatible (const methods may be called concurrently).
#ifndef SALESTRACK_FORMAT_MONEY_H_
#define SALESTRACK_FORMAT_MONEY_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"

namespace salestrack::format {

struct CurrencySpec {
  std::string code = "CNY";          // ISO 4217.
  uint32_t minor_unit_exponent = 2;  // 0..4.
};

// `minor` minor units as an exact decimal string with `exponent` fraction digits: (1200000, 2) ->
// "12000.00", (-5, 3) -> "-0.005", INT64_MIN included. REQUIRES: exponent <= 18.
std::string MinorUnitsToDecimal(int64_t minor, uint32_t exponent);

// A locale name as LANG spells it ("zh_CN.UTF-8", "en_US", "C") -> an ICU / BCP 47 one ("zh-CN",
// "en-US"); "C", "POSIX" and "" -> "en".
std::string LocaleFromLang(absl::string_view lang);

class MoneyFormatter {
 public:
  MoneyFormatter(CurrencySpec currency, absl::string_view locale);
  ~MoneyFormatter();
  MoneyFormatter(const MoneyFormatter&) = delete;
  MoneyFormatter& operator=(const MoneyFormatter&) = delete;

  // Every minor digit, the locale's grouping and symbol: "¥12,000.00", "-¥5.50".
  std::string Format(int64_t minor) const;
  // The locale's compact form: "¥1.2万", "¥1.2亿" (zh-CN), "¥12K" (en).
  std::string FormatShort(int64_t minor) const;
  // A ratio as a percent with at most one decimal: 0.355 -> "35.5%".
  std::string FormatRatio(double ratio) const;

 private:
  struct Impl;
  CurrencySpec currency_;
  std::unique_ptr<Impl> impl_;
};

// Seconds as days and hours (minutes under a day): 273600 -> "3d 4h" (en), "3天4小时" (zh).
std::string FormatDuration(double seconds, absl::string_view locale);

}  // namespace salestrack::format

#endif  // SALESTRACK_FORMAT_MONEY_H_
