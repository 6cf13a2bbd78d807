#include "cli/json_input.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "salestrack/validation.h"

namespace salestrack::cli {
namespace {

// Parses one line as an Event, or (records) as an EventRecord whose event is taken.
absl::Status ParseJson(const std::string& text, bool records, v1::Event* event) {
  google::protobuf::util::JsonParseOptions json;
  if (records) {
    v1::EventRecord record;
    auto parsed = google::protobuf::util::JsonStringToMessage(text, &record, json);
    if (parsed.ok() && record.has_event()) {
      *event = std::move(*record.mutable_event());
      return absl::OkStatus();
    }
    // Not a record: maybe a plain event. If not that either, the record's error says more.
    event->Clear();
    if (google::protobuf::util::JsonStringToMessage(text, event, json).ok()) {
      return absl::OkStatus();
    }
    if (parsed.ok()) return absl::InvalidArgumentError("record has no event");
    return absl::InvalidArgumentError(parsed.ToString());
  }
  auto parsed = google::protobuf::util::JsonStringToMessage(text, event, json);
  if (!parsed.ok()) return absl::InvalidArgumentError(parsed.ToString());
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseEventLine(const std::string& text, bool records, absl::Time now,
                            v1::Event* event) {
  if (absl::Status parsed = ParseJson(text, records, event); !parsed.ok()) return parsed;
  if (std::optional<FieldProblem> p = ValidateEvent(*event, now, ValidationOptions())) {
    return absl::InvalidArgumentError(p->field.empty() ? p->reason
                                                       : absl::StrCat(p->field, ": ", p->reason));
  }
  return absl::OkStatus();
}

bool ParseExportHeader(const std::string& text, v1::ExportHeader* header) {
  v1::ExportHeaderLine line;
  if (!google::protobuf::util::JsonStringToMessage(text, &line).ok()) return false;
  if (!line.has_salestrack_export()) return false;
  *header = line.salestrack_export();
  return true;
}

}  // namespace salestrack::cli
