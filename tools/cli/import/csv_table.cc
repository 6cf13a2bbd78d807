#include "cli/import/csv_table.h"

#include <csv.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "salestrack/validation.h"

namespace salestrack::cli::crm {
namespace {

// libcsv's callbacks collect into this.
struct Collector {
  CsvTable* table;
  int feeding_line = 1;    // The line being fed to the parser.
  int row_start_line = 1;  // Where the row being parsed started.
  std::vector<std::string> cells;
  bool header_done = false;
  bool oversized = false;

  void Field(const char* data, size_t size) {
    if (size > kMaxCellBytes) oversized = true;
    if (cells.size() <= kMaxColumns) cells.emplace_back(data == nullptr ? "" : data, size);
  }

  void RowEnd() {
    const int line = row_start_line;
    // The next row starts after the line this one ended on (CSV_REPALL_NL reports every
    // unquoted line end, so blank lines and CRLF give empty rows here).
    row_start_line = feeding_line + 1;
    std::vector<std::string> row = std::exchange(cells, {});
    if (row.empty() || (row.size() == 1 && row[0].empty())) return;
    if (oversized || row.size() > kMaxColumns) {
      oversized = false;
      table->problems.push_back({line, 0,
                                 absl::StrCat("row has a cell over ", kMaxCellBytes,
                                              " bytes or more than ", kMaxColumns, " fields")});
      return;
    }
    for (size_t i = 0; i < row.size(); ++i) {
      if (std::optional<size_t> at = FindInvalidUtf8(row[i])) {
        const bool named = header_done && i < table->header.size();
        table->problems.push_back(
            {line, static_cast<int>(i + 1),
             absl::StrCat(named ? absl::StrCat("column \"", table->header[i], "\": ") : "",
                          "is not valid UTF-8 (at byte ", *at,
                          " of the cell); save the export as UTF-8")});
        return;
      }
    }
    if (!header_done) {
      header_done = true;
      table->header = std::move(row);
      return;
    }
    if (row.size() != table->header.size()) {
      table->problems.push_back(
          {line, 0,
           absl::StrCat("has ", row.size(), " fields, the header has ", table->header.size())});
      return;
    }
    table->rows.push_back({line, std::move(row)});
  }
};

void OnField(void* data, size_t size, void* self) {
  static_cast<Collector*>(self)->Field(static_cast<const char*>(data), size);
}
void OnRowEnd(int, void* self) { static_cast<Collector*>(self)->RowEnd(); }

}  // namespace

CsvTable ParseCsv(absl::string_view text) {
  CsvTable table;
  csv_parser parser;
  csv_init(&parser, CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI);
  Collector collector{&table};
  // A UTF-8 byte order mark (Excel's and many CRMs' exports) would read as part of the first
  // field, and a quoted first header as a quoting error.
  if (absl::StartsWith(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  // Fed line by line so that rows and errors know their line.
  for (size_t begin = 0; begin < text.size(); ++collector.feeding_line) {
    size_t end = text.find('\n', begin);
    end = end == absl::string_view::npos ? text.size() : end + 1;
    const size_t size = end - begin;
    if (csv_parse(&parser, text.data() + begin, size, OnField, OnRowEnd, &collector) != size) {
      table.problems.push_back(
          {collector.feeding_line, 0,
           absl::StrCat("CSV syntax: ", csv_strerror(csv_error(&parser)),
                        " (a quote inside an unquoted field, or text after "
                        "a closing quote); the rest of the file is not read")});
      csv_free(&parser);
      return table;
    }
    begin = end;
  }
  if (csv_fini(&parser, OnField, OnRowEnd, &collector) != 0) {
    table.problems.push_back({collector.row_start_line, 0,
                              "CSV syntax: a quoted field is not closed at the end of the file"});
  }
  csv_free(&parser);
  if (!collector.header_done) table.problems.push_back({1, 0, "has no header row"});
  return table;
}

absl::StatusOr<CsvTable> ReadCsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0 || static_cast<uint64_t>(size) > kMaxFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": larger than ", kMaxFileBytes, " bytes; split the export"));
  }
  in.seekg(0);
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), size);
  return ParseCsv(text);
}

}  // namespace salestrack::cli::crm
