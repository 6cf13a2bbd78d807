// A CSV file as a header and rows, read with libcsv (RFC 4180: quoted fields may hold commas,
// quotes and newlines), with the line each row starts on, for error messages.
//
//   CsvTable table = ParseCsv(text);
//   // table.header = {"Opportunity ID", "Stage", ...}; table.rows[0].line = 2
//   // table.problems: {line, column, "has 5 fields, the header has 6"}, ...
//
// A UTF-8 byte order mark before the header is dropped. Blank lines are skipped. A row whose field
// count differs from the header's, that is not valid UTF-8, or that has a cell over kMaxCellBytes,
// is a problem and left out of rows; a quoting error stops the file there (a problem too).
#ifndef SALESTRACK_TOOLS_CLI_IMPORT_CSV_TABLE_H_
#define SALESTRACK_TOOLS_CLI_IMPORT_CSV_TABLE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace salestrack::cli::crm {

inline constexpr size_t kMaxCellBytes = 64 * 1024;
inline constexpr size_t kMaxColumns = 512;
inline constexpr size_t kMaxFileBytes = 512 * 1024 * 1024;

// Where something is wrong: 1-based line and column (the field's number in its row; 0: the whole
// row), and what.
struct CsvProblem {
  int line = 0;
  int column = 0;
  std::string message;
};

struct CsvRow {
  int line = 0;  // The line the row starts on.
  std::vector<std::string> cells;
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
  std::vector<CsvProblem> problems;
};

CsvTable ParseCsv(absl::string_view text);
// ParseCsv of a file; NOT_FOUND / INVALID_ARGUMENT when it cannot be read or is over
// kMaxFileBytes.
absl::StatusOr<CsvTable> ReadCsv(const std::string& path);

}  // namespace salestrack::cli::crm

#endif  // SALESTRACK_TOOLS_CLI_IMPORT_CSV_TABLE_H_
