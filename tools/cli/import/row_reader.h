// The file kinds of a CRM export and a reader of one file's rows through its mapping section:
// cells by mapping field name, parsed and checked, every problem recorded with the row's file, line
// and column ("contracts.amount (column \"Contract Value\"): has more than 2 decimals").
//
//   RowReader r(mapping, file, &errors);
//   if (r.ResolveColumns()) {  // Every mapped column is in the header.
//     for (const CsvRow& row : file.table.rows) {
//       r.StartRow(row);
//       std::optional<int64_t> amount = r.Money("amount", /*required=*/true);
//       if (r.row_ok()) ...
//     }
//   }
#ifndef SALESTRACK_TOOLS_CLI_IMPORT_ROW_READER_H_
#define SALESTRACK_TOOLS_CLI_IMPORT_ROW_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cli/import/csv_table.h"
#include "cli/import/mapping.h"
#include "google/protobuf/map.h"
#include "google/protobuf/message.h"

namespace salestrack::cli::crm {

// The file kinds, named as the mapping's sections.
enum class Kind {
  kActivities,
  kOpportunities,
  kStageHistory,
  kContracts,
  kContractLines,
  kInstallments,
  kPayments,
  kFeedback,
};
inline constexpr Kind kAllKinds[] = {
    Kind::kActivities,    Kind::kOpportunities, Kind::kStageHistory, Kind::kContracts,
    Kind::kContractLines, Kind::kInstallments,  Kind::kPayments,     Kind::kFeedback,
};
// "activities", "opportunities", ... (ImportMapping's field names).
absl::string_view KindName(Kind kind);
std::optional<Kind> KindFromName(absl::string_view name);
// Whether the mapping has a section for `kind`, and its file_name.
bool HasSection(const Mapping& mapping, Kind kind);
std::string SectionFileName(const Mapping& mapping, Kind kind);

struct InputFile {
  Kind kind;
  std::string path;
  CsvTable table;
};

// "path:line:column: message" (column 0: the whole row, printed as "path:line: message").
struct RowError {
  std::string path;
  int line = 0;
  int column = 0;
  std::string message;
  std::string ToString() const;
};

class RowReader {
 public:
  // `mapping` and `file` must outlive the reader; problems are appended to *errors.
  RowReader(const Mapping& mapping, const InputFile& file, std::vector<RowError>* errors);

  // Finds every column the section names in the header; false (reported) when some are missing.
  bool ResolveColumns();
  void StartRow(const CsvRow& row);
  // False once a problem of the current row was reported.
  bool row_ok() const { return row_ok_; }
  int line() const { return row_->line; }
  const std::string& path() const { return file_.path; }
  // Whether the section names a column for `field`.
  bool Has(const std::string& field) const { return columns_.contains(field); }

  // The 0-based column of the cell that filled an event field validation names (e.g.
  // "action_logged.customer_id", "contract_signed.amount"), or -1 when not known.
  int ColumnOf(absl::string_view event_field) const;
  const std::string& Header(int column) const { return file_.table.header[column]; }

  // The row's cells by section field name. Each reports a bad cell, and an empty one when
  // `required`, and then gives an empty value.
  std::string Cell(const std::string& field) const;  // Trimmed; "" when not mapped.
  // The key columns' cells joined by "|"; `id_field`'s cell when the section names no key.
  std::string Key(const std::string& id_field);
  std::string Id(const std::string& field, bool required);  // An identifier (KPI_SPEC §1).
  std::string Rep(const std::string& field);                // Through the mapping's reps.
  std::optional<absl::Time> Instant(const std::string& field, bool required);
  std::optional<int64_t> Money(const std::string& field, bool required);
  std::optional<int64_t> Integer(const std::string& field, int64_t min, int64_t max, bool required);
  // The cell through a value map of the mapping (named `map_name` in the message); `fallback`
  // for an empty cell.
  std::string Mapped(const std::string& field,
                     const google::protobuf::Map<std::string, std::string>& map,
                     absl::string_view map_name, const std::string& fallback);

  // Reports `field`'s cell as bad for `reason`.
  void Bad(const std::string& field, absl::string_view reason);
  // Reports a problem at `column` (0-based; -1: the whole row) of the row.
  void Fail(int column, const std::string& field, const std::string& value,
            absl::string_view reason);

 private:
  // A cell through `parse`; nullopt for an empty or bad cell (reported, and required ones too).
  template <typename Parser>
  auto Parse(const std::string& field, bool required, Parser parse)
      -> std::optional<typename decltype(parse(absl::string_view()))::value_type> {
    std::string cell = Cell(field);
    if (cell.empty()) {
      if (required) Bad(field, "is required (the cell is empty)");
      return std::nullopt;
    }
    auto parsed = parse(cell);
    if (!parsed.ok()) {
      Bad(field, parsed.status().message());
      return std::nullopt;
    }
    return *parsed;
  }

  const Mapping& mapping_;
  const InputFile& file_;
  const google::protobuf::Message& section_;
  std::vector<RowError>* errors_;
  absl::flat_hash_map<std::string, int> columns_;  // Section field -> column.
  std::vector<int> key_;
  std::string time_field_;  // The section field that fills the event's occurred_at.
  const CsvRow* row_ = nullptr;
  bool row_ok_ = true;
};

}  // namespace salestrack::cli::crm

#endif  // SALESTRACK_TOOLS_CLI_IMPORT_ROW_READER_H_
