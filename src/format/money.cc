#include "format/money.h"

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "unicode/numberformatter.h"
#include "unicode/unistr.h"

namespace salestrack::format {
namespace {

using icu::number::LocalizedNumberFormatter;
using icu::number::Notation;
using icu::number::NumberFormatter;
using icu::number::Precision;

std::string Utf8(const icu::UnicodeString& s) {
  std::string out;
  s.toUTF8String(out);
  return out;
}

std::string FormatWith(const LocalizedNumberFormatter& f, const std::string& decimal) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out = f.formatDecimal(decimal, status).toString(status);
  if (U_FAILURE(status)) return decimal;  // ICU without the locale's data: the plain number.
  return Utf8(out);
}

}  // namespace

std::string MinorUnitsToDecimal(int64_t minor, uint32_t exponent) {
  // The magnitude in unsigned arithmetic: -INT64_MIN does not fit an int64.
  const bool negative = minor < 0;
  const uint64_t magnitude =
      negative ? uint64_t{0} - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string digits = absl::StrCat(magnitude);
  if (exponent == 0) return absl::StrCat(negative ? "-" : "", digits);
  if (digits.size() <= exponent) digits.insert(0, exponent + 1 - digits.size(), '0');
  digits.insert(digits.size() - exponent, ".");
  return absl::StrCat(negative ? "-" : "", digits);
}

std::string LocaleFromLang(absl::string_view lang) {
  lang = lang.substr(0, lang.find_first_of(".@"));
  if (lang.empty() || lang == "C" || lang == "POSIX") return "en";
  return absl::StrReplaceAll(lang, {{"_", "-"}});
}

struct MoneyFormatter::Impl {
  LocalizedNumberFormatter full, compact, percent;
};

MoneyFormatter::MoneyFormatter(CurrencySpec currency, absl::string_view locale)
    : currency_(std::move(currency)), impl_(std::make_unique<Impl>()) {
  UErrorCode status = U_ZERO_ERROR;
  icu::Locale loc = icu::Locale::forLanguageTag(std::string(locale), status);
  if (U_FAILURE(status)) loc = icu::Locale::getEnglish();
  status = U_ZERO_ERROR;
  icu::UnicodeString code = icu::UnicodeString::fromUTF8(currency_.code);
  icu::CurrencyUnit unit(code.getTerminatedBuffer(), status);
  // The narrow symbol: "¥", not en's "CN¥" (an org has one currency, GetOrgInfo names it).
  auto base = NumberFormatter::withLocale(loc);
  if (U_SUCCESS(status)) base = base.unit(unit).unitWidth(UNUM_UNIT_WIDTH_NARROW);
  impl_->full = base.precision(Precision::fixedFraction(currency_.minor_unit_exponent));
  impl_->compact = base.notation(Notation::compactShort());
  impl_->percent = NumberFormatter::withLocale(loc)
                       .unit(icu::NoUnit::percent())
                       .scale(icu::number::Scale::powerOfTen(2))
                       .precision(Precision::maxFraction(1));
}

MoneyFormatter::~MoneyFormatter() = default;

std::string MoneyFormatter::Format(int64_t minor) const {
  return FormatWith(impl_->full, MinorUnitsToDecimal(minor, currency_.minor_unit_exponent));
}

std::string MoneyFormatter::FormatShort(int64_t minor) const {
  return FormatWith(impl_->compact, MinorUnitsToDecimal(minor, currency_.minor_unit_exponent));
}

std::string MoneyFormatter::FormatRatio(double ratio) const {
  if (!std::isfinite(ratio)) return absl::StrCat(ratio);
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out = impl_->percent.formatDouble(ratio, status).toString(status);
  return U_FAILURE(status) ? absl::StrCat(ratio * 100, "%") : Utf8(out);
}

std::string FormatDuration(double seconds, absl::string_view locale) {
  // Past ~30 million years the minutes would not fit an int64: print the seconds.
  if (!std::isfinite(seconds) || std::fabs(seconds) > 1e15) return absl::StrCat(seconds, "s");
  const bool zh = absl::StartsWith(locale, "zh");
  const bool negative = seconds < 0;
  const int64_t total_minutes = static_cast<int64_t>(std::llround(std::fabs(seconds) / 60));
  const int64_t days = total_minutes / (24 * 60), hours = total_minutes / 60 % 24,
                minutes = total_minutes % 60;
  std::string out = negative ? "-" : "";
  if (days > 0) {
    absl::StrAppend(&out, days, zh ? "天" : "d ", hours, zh ? "小时" : "h");
  } else if (hours > 0) {
    absl::StrAppend(&out, hours, zh ? "小时" : "h ", minutes, zh ? "分钟" : "m");
  } else {
    absl::StrAppend(&out, minutes, zh ? "分钟" : "m");
  }
  return out;
}

}  // namespace salestrack::format
