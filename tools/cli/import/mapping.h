// The mapping file of `salestrack import --mapping` (salestrack.v1.ImportMapping in protobuf text
// format, docs/import.md) and the cell parsers it configures: money, instants, value maps and the
// event ids derived from a row's key.
//
//   absl::StatusOr<Mapping> m = LoadMapping("import/salesforce/mapping.textproto");
//   absl::StatusOr<int64_t> fen = ParseMoney("¥1,234.50", m->spec.money());  // 123450
//   absl::StatusOr<absl::Time> t = ParseInstant("2026-03-01 09:30", *m);    // in m->zone
//   EventId("sfdc", "opp", "0065g00000AbCdE")  // "sfdc:opp:0065g00000AbCdE"
#ifndef SALESTRACK_TOOLS_CLI_IMPORT_MAPPING_H_
#define SALESTRACK_TOOLS_CLI_IMPORT_MAPPING_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "salestrack/v1/import_mapping.pb.h"

namespace salestrack::cli::crm {

// A checked mapping: every named field is well-formed and its time zone is loaded.
struct Mapping {
  v1::ImportMapping spec;
  absl::TimeZone zone;
};

// Parses and checks a mapping. Errors name the place: "line 3, column 7: ..." for text format,
// "activities.occurred_at: is required" or "channels[\"Call\"]: ..." for the checks.
absl::StatusOr<Mapping> ParseMapping(absl::string_view text);
// The same for a file; errors are prefixed with its path.
absl::StatusOr<Mapping> LoadMapping(const std::string& path);

// A money cell in minor units, exactly: currency symbols dropped, group separators between digits,
// at most minor_digits decimals (more only when they are zeros), never negative, at most
// kMaxEventAmount. INVALID_ARGUMENT says what is wrong.
absl::StatusOr<int64_t> ParseMoney(absl::string_view cell, const v1::ImportMoneyFormat& format);

// An instant cell in the first of the mapping's time_formats that reads it whole, in the mapping's
// time zone unless the format reads an offset; at most microsecond precision.
absl::StatusOr<absl::Time> ParseInstant(absl::string_view cell, const Mapping& mapping);

// A non-negative decimal integer cell within [min, max].
absl::StatusOr<int64_t> ParseInteger(absl::string_view cell, int64_t min, int64_t max);

// "<source>:<kind>:<key>", or "<source>:<kind>:sha256:<first 32 hex digits of SHA-256(key)>" when
// that would pass the 128-byte identifier limit or the key is not a valid identifier's text.
std::string EventId(absl::string_view source, absl::string_view kind, absl::string_view key);

}  // namespace salestrack::cli::crm

#endif  // SALESTRACK_TOOLS_CLI_IMPORT_MAPPING_H_
