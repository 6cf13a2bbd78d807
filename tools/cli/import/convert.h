// CRM CSV rows -> salestrack events, as a mapping (mapping.h) says: each file kind's rows become
// their events (docs/import.md), contract lines and installments join their contract, and every
// event is checked with the daemon's validation (validation.h). Every problem is kept, with its
// file, line and column.
//
//   std::vector<InputFile> files = {{Kind::kOpportunities, "opps.csv", *ReadCsv("opps.csv")}};
//   Conversion c = Convert(mapping, files, absl::Now());
//   // c.events: the events of the good rows, each with its file and line, in time order
//   // c.errors: "opps.csv:7:4: opportunities.stage (column \"Stage\"): unknown stage \"Won\""
#ifndef SALESTRACK_TOOLS_CLI_IMPORT_CONVERT_H_
#define SALESTRACK_TOOLS_CLI_IMPORT_CONVERT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "cli/import/csv_table.h"
#include "cli/import/mapping.h"
#include "cli/import/row_reader.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack::cli::crm {

struct ImportedEvent {
  std::string path;
  int line = 0;
  v1::Event event;
};

struct Conversion {
  std::vector<ImportedEvent> events;  // Sorted by occurred_at (then file and line).
  std::vector<RowError> errors;       // In file and line order.
  size_t rows = 0;                    // Data rows read, good and bad.
  size_t skipped_closes = 0;          // Stage history rows entering a won or lost stage.
};

Conversion Convert(const Mapping& mapping, const std::vector<InputFile>& files, absl::Time now);

}  // namespace salestrack::cli::crm

#endif  // SALESTRACK_TOOLS_CLI_IMPORT_CONVERT_H_
