// The org currency a data directory's money figures are in.
//
// Money is stored and summed as integers in the currency's minor unit (fen for CNY), so the same
// log read with another currency or another exponent would mean other amounts: ¥1,000.00 stored
// as 100000 would read as ¥100,000 with exponent 0. The currency is therefore kept in the data
// directory ("meta" key "currency", keys.h), like the time zone, and travels with it through a
// restart, a backup and its restore. For a start with `requested` (the config's currency_code and
// currency_minor_unit_exponent, each possibly absent):
//
//   stored  requested          serves                  and
//   none    any                requested, else CNY / 2  stores it (a new directory, or one
//                                                       written before the key existed)
//   S       none, or equal     S                        -
//   S       differs            -                        refuses, naming both (when the log is
//                                                       empty: serves and stores the request)
//
//   ASSIGN_OR_RETURN(Currency currency, BindCurrency(*store, {"CNY", 2}));
#ifndef SALESTRACK_STORE_CURRENCY_BINDING_H_
#define SALESTRACK_STORE_CURRENCY_BINDING_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/log_store.h"

namespace salestrack::store {

struct Currency {
  std::string code = "CNY";          // ISO 4217: three capital letters.
  uint32_t minor_unit_exponent = 2;  // 0..4.
  friend bool operator==(const Currency&, const Currency&) = default;
};

struct CurrencyRequest {
  std::string code;  // Empty: not given.
  std::optional<uint32_t> minor_unit_exponent;
};

inline constexpr uint32_t kMaxMinorUnitExponent = 4;

// INVALID_ARGUMENT naming the config field (currency_code, currency_minor_unit_exponent) when a
// given value is malformed: not three capital letters, or an exponent above 4.
absl::Status CheckCurrencyRequest(const CurrencyRequest& request);

// Applies the rule above. `stored` is the directory's "currency" value (e.g. "CNY 2"), `head`
// its last seq; `dir` is named in errors. FAILED_PRECONDITION when the currencies differ on a
// non-empty log, or the stored value does not parse.
absl::StatusOr<Currency> ChooseCurrency(const std::optional<std::string>& stored, uint64_t head,
                                        const CurrencyRequest& request, const std::string& dir,
                                        bool* store);

// Reads the store's currency, chooses (ChooseCurrency) and writes the choice when it must be
// stored. REQUIRES: called at start-up, before the sequencer runs.
absl::StatusOr<Currency> BindCurrency(LogStore& store, const CurrencyRequest& request);

}  // namespace salestrack::store

#endif  // SALESTRACK_STORE_CURRENCY_BINDING_H_
