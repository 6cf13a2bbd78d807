// The CLI's JSON input: one line of `salestrack append` / `import` becomes a checked Event.
//
//   v1::Event event;
//   absl::Status s = ParseEventLine(line, /*records=*/false, absl::Now(), &event);
//   // s.message(): "payment_received.amount: must be >= 0 (got -5)", or the JSON parser's error
//
// A line is protobuf's JSON mapping of salestrack.v1.Event (snake_case or camelCase); with
// `records`, an EventRecord (what `salestrack export` writes) whose event is taken, or a plain
// Event. The event is then checked with the daemon's own validation (validation.h), so a bad file
// is reported line by line before anything is sent. Also the entry point of the cli_json fuzz
// target.
#ifndef SALESTRACK_TOOLS_CLI_JSON_INPUT_H_
#define SALESTRACK_TOOLS_CLI_JSON_INPUT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "salestrack/v1/events.pb.h"
#include "salestrack/v1/log_service.pb.h"

namespace salestrack::cli {

// OK and *event filled, or INVALID_ARGUMENT saying what is wrong with the line ("field: reason" for
// a rule of validation.h).
absl::Status ParseEventLine(const std::string& text, bool records, absl::Time now,
                            v1::Event* event);

// True, with *header filled, when `text` is the header line `salestrack export` writes first
// (v1::ExportHeaderLine: {"salestrack_export": {"time_zone": ..., "head_seq": ...}}).
bool ParseExportHeader(const std::string& text, v1::ExportHeader* header);

}  // namespace salestrack::cli

#endif  // SALESTRACK_TOOLS_CLI_JSON_INPUT_H_
