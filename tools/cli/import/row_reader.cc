#include "cli/import/row_reader.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "salestrack/validation.h"

namespace salestrack::cli::crm {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr std::pair<Kind, const char*> kKinds[] = {
    {Kind::kActivities, "activities"},
    {Kind::kOpportunities, "opportunities"},
    {Kind::kStageHistory, "stage_history"},
    {Kind::kContracts, "contracts"},
    {Kind::kContractLines, "contract_lines"},
    {Kind::kInstallments, "installments"},
    {Kind::kPayments, "payments"},
    {Kind::kFeedback, "feedback"},
};

// The section field that fills a kind's occurred_at.
std::string TimeField(Kind kind) {
  switch (kind) {
    case Kind::kActivities:
      return "occurred_at";
    case Kind::kOpportunities:
      return "opened_at";
    case Kind::kStageHistory:
      return "changed_at";
    case Kind::kContracts:
      return "signed_at";
    case Kind::kPayments:
      return "received_at";
    case Kind::kFeedback:
      return "recorded_at";
    default:
      return "";
  }
}

const Message& SectionOf(const Mapping& mapping, Kind kind) {
  const FieldDescriptor* field =
      mapping.spec.GetDescriptor()->FindFieldByName(std::string(KindName(kind)));
  return mapping.spec.GetReflection()->GetMessage(mapping.spec, field);
}

// One file's rows read through its mapping section: cells by field name, with every problem
// recorded against the row's file, line and column.
}  // namespace

absl::string_view KindName(Kind kind) {
  for (const auto& [k, name] : kKinds) {
    if (k == kind) return name;
  }
  return "";
}

std::optional<Kind> KindFromName(absl::string_view name) {
  for (const auto& [k, n] : kKinds) {
    if (name == n) return k;
  }
  return std::nullopt;
}

bool HasSection(const Mapping& mapping, Kind kind) {
  const FieldDescriptor* field =
      mapping.spec.GetDescriptor()->FindFieldByName(std::string(KindName(kind)));
  return mapping.spec.GetReflection()->HasField(mapping.spec, field);
}

std::string SectionFileName(const Mapping& mapping, Kind kind) {
  const Message& section = SectionOf(mapping, kind);
  return section.GetReflection()->GetString(section,
                                            section.GetDescriptor()->FindFieldByName("file_name"));
}

std::string RowError::ToString() const {
  if (column == 0) return absl::StrCat(path, ":", line, ": ", message);
  return absl::StrCat(path, ":", line, ":", column, ": ", message);
}

RowReader::RowReader(const Mapping& mapping, const InputFile& file, std::vector<RowError>* errors)
    : mapping_(mapping),
      file_(file),
      section_(SectionOf(mapping, file.kind)),
      errors_(errors),
      time_field_(TimeField(file.kind)) {}

bool RowReader::ResolveColumns() {
  bool ok = true;
  const auto* reflection = section_.GetReflection();
  const auto* descriptor = section_.GetDescriptor();
  const std::string prefix = std::string(KindName(file_.kind));
  auto find = [&](const std::string& field, const std::string& column) {
    auto at = std::find(file_.table.header.begin(), file_.table.header.end(), column);
    if (at == file_.table.header.end()) {
      errors_->push_back({file_.path, 1, 0,
                          absl::StrCat("missing column \"", column, "\" (mapping: ", prefix, ".",
                                       field, "); nothing of this file is read")});
      ok = false;
      return -1;
    }
    return static_cast<int>(at - file_.table.header.begin());
  };
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->name() == "file_name") continue;
    if (field->is_repeated()) {
      for (int k = 0; k < reflection->FieldSize(section_, field); ++k) {
        key_.push_back(find(field->name(), reflection->GetRepeatedString(section_, field, k)));
      }
    } else if (std::string column = reflection->GetString(section_, field); !column.empty()) {
      columns_[field->name()] = find(field->name(), column);
    }
  }
  return ok;
}

void RowReader::StartRow(const CsvRow& row) {
  row_ = &row;
  row_ok_ = true;
}

int RowReader::ColumnOf(absl::string_view event_field) const {
  absl::string_view last = event_field.substr(event_field.rfind('.') + 1);
  last = last.substr(0, last.find('['));
  for (std::string name : {std::string(last), std::string(absl::StripSuffix(last, "_id"))}) {
    if (name == "occurred_at") name = time_field_;
    if (auto it = columns_.find(name); it != columns_.end()) return it->second;
  }
  return -1;
}

std::string RowReader::Cell(const std::string& field) const {
  auto it = columns_.find(field);
  if (it == columns_.end()) return "";
  return std::string(absl::StripAsciiWhitespace(row_->cells[it->second]));
}

std::string RowReader::Key(const std::string& id_field) {
  if (key_.empty()) return Cell(id_field);
  std::vector<std::string> parts;
  for (int column : key_) parts.emplace_back(absl::StripAsciiWhitespace(row_->cells[column]));
  std::string key = absl::StrJoin(parts, "|");
  if (absl::StripAsciiWhitespace(absl::StrJoin(parts, "")).empty()) {
    Fail(key_[0], "key", "", "the key is empty");
  }
  return key;
}

void RowReader::Bad(const std::string& field, absl::string_view reason) {
  auto it = columns_.find(field);
  Fail(it == columns_.end() ? -1 : it->second, field, Cell(field), reason);
}

void RowReader::Fail(int column, const std::string& field, const std::string& value,
                     absl::string_view reason) {
  row_ok_ = false;
  std::string where = absl::StrCat(KindName(file_.kind), ".", field);
  if (column >= 0) absl::StrAppend(&where, " (column \"", file_.table.header[column], "\")");
  std::string shown = value.size() > 80 ? value.substr(0, 80) + "..." : value;
  errors_->push_back({file_.path, row_->line, column + 1,
                      absl::StrCat(where, ": ", reason,
                                   value.empty() ? "" : absl::StrCat(" (got \"", shown, "\")"))});
}

std::string RowReader::Id(const std::string& field, bool required) {
  std::string cell = Cell(field);
  if (cell.empty()) {
    if (required) Bad(field, "is required (the cell is empty)");
    return cell;
  }
  if (std::optional<std::string> why = CheckIdentifier(cell)) Bad(field, *why);
  return cell;
}

std::string RowReader::Rep(const std::string& field) {
  std::string cell = Cell(field);
  if (cell.empty()) {
    Bad(field, "is required (the cell is empty)");
    return cell;
  }
  if (mapping_.spec.reps().empty()) return Id(field, true);
  return Mapped(field, mapping_.spec.reps(), "reps", "");
}

std::optional<absl::Time> RowReader::Instant(const std::string& field, bool required) {
  return Parse(field, required,
               [&](absl::string_view cell) { return ParseInstant(cell, mapping_); });
}

std::optional<int64_t> RowReader::Money(const std::string& field, bool required) {
  return Parse(field, required,
               [&](absl::string_view cell) { return ParseMoney(cell, mapping_.spec.money()); });
}

std::optional<int64_t> RowReader::Integer(const std::string& field, int64_t min, int64_t max,
                                          bool required) {
  return Parse(field, required,
               [&](absl::string_view cell) { return ParseInteger(cell, min, max); });
}

std::string RowReader::Mapped(const std::string& field,
                              const google::protobuf::Map<std::string, std::string>& map,
                              absl::string_view map_name, const std::string& fallback) {
  std::string cell = Cell(field);
  if (cell.empty()) return fallback;
  auto it = map.find(cell);
  if (it != map.end()) return it->second;
  Bad(field, absl::StrCat("not in the mapping's ", map_name));
  return "";
}

}  // namespace salestrack::cli::crm
