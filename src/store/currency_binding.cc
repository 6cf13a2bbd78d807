#include "store/currency_binding.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "salestrack/status_macros.h"
#include "store/keys.h"

namespace salestrack::store {
namespace {

bool IsCode(const std::string& code) {
  if (code.size() != 3) return false;
  for (char c : code) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string Encode(const Currency& c) { return absl::StrCat(c.code, " ", c.minor_unit_exponent); }

std::optional<Currency> Decode(const std::string& value) {
  std::vector<std::string> parts = absl::StrSplit(value, ' ');
  Currency c;
  if (parts.size() != 2 || !IsCode(parts[0]) ||
      !absl::SimpleAtoi(parts[1], &c.minor_unit_exponent) ||
      c.minor_unit_exponent > kMaxMinorUnitExponent) {
    return std::nullopt;
  }
  c.code = parts[0];
  return c;
}

std::string Describe(const Currency& c) {
  return absl::StrCat(c.code, " with minor-unit exponent ", c.minor_unit_exponent);
}

}  // namespace

absl::Status CheckCurrencyRequest(const CurrencyRequest& request) {
  if (!request.code.empty() && !IsCode(request.code)) {
    return absl::InvalidArgumentError(
        absl::StrCat("currency_code: \"", request.code,
                     "\" is not an ISO 4217 code (three capital letters, e.g. \"CNY\")"));
  }
  if (request.minor_unit_exponent && *request.minor_unit_exponent > kMaxMinorUnitExponent) {
    return absl::InvalidArgumentError(
        absl::StrCat("currency_minor_unit_exponent: ", *request.minor_unit_exponent,
                     " is not in 0..", kMaxMinorUnitExponent));
  }
  return absl::OkStatus();
}

absl::StatusOr<Currency> ChooseCurrency(const std::optional<std::string>& stored, uint64_t head,
                                        const CurrencyRequest& request, const std::string& dir,
                                        bool* store) {
  RETURN_IF_ERROR(CheckCurrencyRequest(request));
  *store = false;
  Currency base;
  if (stored) {
    std::optional<Currency> decoded = Decode(*stored);
    if (!decoded) {
      return absl::FailedPreconditionError(absl::StrCat(
          "data directory ", dir, " holds a currency that does not parse: \"", *stored, "\""));
    }
    base = *decoded;
  }
  Currency wanted = base;
  if (!request.code.empty()) wanted.code = request.code;
  if (request.minor_unit_exponent) wanted.minor_unit_exponent = *request.minor_unit_exponent;
  if (!stored || (wanted != base && head == 0)) {
    *store = true;
    return wanted;
  }
  if (wanted == base) return base;
  return absl::FailedPreconditionError(absl::StrCat(
      "data directory ", dir, " holds money in ", Describe(base), ", but this start asks for ",
      Describe(wanted),
      " (the config's currency_code and currency_minor_unit_exponent): every amount in its log "
      "would mean another sum. Start with the data directory's currency, or leave both fields "
      "out (see docs/configuration.md)"));
}

absl::StatusOr<Currency> BindCurrency(LogStore& store, const CurrencyRequest& request) {
  ASSIGN_OR_RETURN(std::optional<std::string> stored, store.ReadMeta(kCurrencyKey));
  bool write = false;
  ASSIGN_OR_RETURN(Currency currency,
                   ChooseCurrency(stored, store.head_at_open(), request, store.dir(), &write));
  if (write) RETURN_IF_ERROR(store.WriteMeta(kCurrencyKey, Encode(currency)));
  return currency;
}

}  // namespace salestrack::store
