#include "cli/import/mapping.h"

#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "auth/api_token.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "salestrack/v1/events.pb.h"
#include "salestrack/validation.h"

namespace salestrack::cli::crm {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

class CollectErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    errors.push_back(absl::StrCat("line ", line + 1, ", column ", column + 1, ": ", message));
  }
  std::vector<std::string> errors;
};

absl::Status Bad(absl::string_view field, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", reason));
}

// The columns each file section must name (the rest are optional).
struct Section {
  const char* name;
  std::vector<const char*> required;
};
const std::vector<Section>& Sections() {
  static const auto* sections = new std::vector<Section>{
      {"activities", {"key", "occurred_at", "rep", "customer"}},
      {"opportunities", {"opportunity_id", "opened_at", "rep", "customer"}},
      {"stage_history", {"key", "opportunity_id", "changed_at", "stage"}},
      {"contracts", {"contract_id", "signed_at", "rep", "customer", "amount"}},
      {"contract_lines", {"contract_id", "product_id", "quantity", "unit_price"}},
      {"installments", {"contract_id", "due_at", "amount"}},
      {"payments", {"payment_id", "received_at", "contract_id", "amount"}},
      {"feedback", {"key", "recorded_at", "rep", "customer", "score"}},
  };
  return *sections;
}

absl::Status CheckSection(const Message& section, const Section& rules) {
  const auto* reflection = section.GetReflection();
  const auto* descriptor = section.GetDescriptor();
  for (const char* name : rules.required) {
    const FieldDescriptor* field = descriptor->FindFieldByName(name);
    bool set = field->is_repeated() ? reflection->FieldSize(section, field) > 0
                                    : !reflection->GetString(section, field).empty();
    if (!set) return Bad(absl::StrCat(rules.name, ".", name), "is required (a column name)");
  }
  return absl::OkStatus();
}

template <typename ParseEnum>
absl::Status CheckEnumNames(const google::protobuf::Map<std::string, std::string>& map,
                            absl::string_view field, ParseEnum parse) {
  for (const auto& [from, to] : map) {
    if (!parse(to)) {
      return Bad(absl::StrCat(field, "[\"", from, "\"]"),
                 absl::StrCat("unknown value \"", to, "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckIds(const google::protobuf::Map<std::string, std::string>& map,
                      absl::string_view field) {
  for (const auto& [from, to] : map) {
    if (std::optional<std::string> why = CheckIdentifier(to)) {
      return Bad(absl::StrCat(field, "[\"", from, "\"]"), *why);
    }
  }
  return absl::OkStatus();
}

bool IsChannel(const std::string& name) {
  v1::Channel c;
  return v1::Channel_Parse(name, &c) && c != v1::CHANNEL_UNSPECIFIED;
}
bool IsPurpose(const std::string& name) {
  v1::Purpose p;
  return v1::Purpose_Parse(name, &p) && p != v1::PURPOSE_UNSPECIFIED;
}

absl::Status CheckMapping(const v1::ImportMapping& m) {
  if (m.source().empty() || m.source().size() > 32) return Bad("source", "must be 1..32 bytes");
  for (char c : m.source()) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '-') {
      return Bad("source", "may hold only A-Z a-z 0-9 _ . -");
    }
  }
  if (m.time_formats().empty()) return Bad("time_formats", "at least one is required");
  const v1::ImportMoneyFormat& money = m.money();
  if (money.has_minor_digits() && (money.minor_digits() < 0 || money.minor_digits() > 6)) {
    return Bad("money.minor_digits", "must be in 0..6");
  }
  const std::string mark = money.decimal_mark().empty() ? "." : money.decimal_mark();
  for (const std::string& sep : money.group_separators()) {
    if (sep.empty() || sep == mark) {
      return Bad("money.group_separators", "must be non-empty and differ from the decimal mark");
    }
  }
  if (absl::Status s = CheckIds(m.reps(), "reps"); !s.ok()) return s;
  if (absl::Status s = CheckIds(m.stages(), "stages"); !s.ok()) return s;
  if (absl::Status s = CheckEnumNames(m.channels(), "channels", IsChannel); !s.ok()) return s;
  if (absl::Status s = CheckEnumNames(m.purposes(), "purposes", IsPurpose); !s.ok()) return s;
  if (!m.default_channel().empty() && !IsChannel(m.default_channel())) {
    return Bad("default_channel", absl::StrCat("unknown value \"", m.default_channel(), "\""));
  }
  if (!m.default_purpose().empty() && !IsPurpose(m.default_purpose())) {
    return Bad("default_purpose", absl::StrCat("unknown value \"", m.default_purpose(), "\""));
  }
  const auto* reflection = m.GetReflection();
  bool any = false;
  for (const Section& rules : Sections()) {
    const FieldDescriptor* field = m.GetDescriptor()->FindFieldByName(rules.name);
    if (!reflection->HasField(m, field)) continue;
    any = true;
    if (absl::Status s = CheckSection(reflection->GetMessage(m, field), rules); !s.ok()) return s;
  }
  if (!any) return Bad("mapping", "names no file (activities, opportunities, ...)");
  if (m.has_activities()) {
    if (m.activities().channel().empty() && m.default_channel().empty()) {
      return Bad("default_channel", "is required when activities.channel is not set");
    }
    if (m.activities().purpose().empty() && m.default_purpose().empty()) {
      return Bad("default_purpose", "is required when activities.purpose is not set");
    }
  }
  if (m.opportunities().stage().empty() != m.opportunities().closed_at().empty()) {
    return Bad("opportunities.closed_at", "and opportunities.stage go together");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Mapping> ParseMapping(absl::string_view text) {
  Mapping mapping;
  google::protobuf::TextFormat::Parser parser;
  CollectErrors errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(std::string(text), &mapping.spec)) {
    return absl::InvalidArgumentError(absl::StrJoin(errors.errors, "; "));
  }
  if (absl::Status s = CheckMapping(mapping.spec); !s.ok()) return s;
  if (!absl::LoadTimeZone(mapping.spec.time_zone(), &mapping.zone) ||
      mapping.spec.time_zone().empty()) {
    return Bad("time_zone", absl::StrCat("unknown time zone \"", mapping.spec.time_zone(),
                                         "\" (an IANA name such as Asia/Shanghai)"));
  }
  return mapping;
}

absl::StatusOr<Mapping> LoadMapping(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  std::ostringstream text;
  text << in.rdbuf();
  absl::StatusOr<Mapping> mapping = ParseMapping(text.str());
  if (!mapping.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", mapping.status().message()));
  }
  return mapping;
}

absl::StatusOr<int64_t> ParseMoney(absl::string_view cell, const v1::ImportMoneyFormat& format) {
  std::string text(absl::StripAsciiWhitespace(cell));
  for (const std::string& symbol : format.currency_symbols()) {
    if (!symbol.empty()) absl::StrReplaceAll({{symbol, ""}}, &text);
  }
  absl::string_view s = absl::StripAsciiWhitespace(text);
  if (s.empty()) return absl::InvalidArgumentError("is not an amount (empty)");
  if (s.front() == '-' || s.front() == '(') {
    return absl::InvalidArgumentError("must not be negative");
  }
  const std::string mark = format.decimal_mark().empty() ? "." : format.decimal_mark();
  const int digits = format.has_minor_digits() ? format.minor_digits() : 2;
  absl::string_view whole = s, fraction;
  if (size_t at = s.find(mark); at != absl::string_view::npos) {
    whole = s.substr(0, at);
    fraction = s.substr(at + mark.size());
  }
  // Whole part: digits, with group separators only between digits.
  std::string whole_digits;
  for (size_t i = 0; i < whole.size();) {
    if (absl::ascii_isdigit(whole[i])) {
      whole_digits += whole[i++];
      continue;
    }
    bool separator = false;
    for (const std::string& sep : format.group_separators()) {
      if (absl::StartsWith(whole.substr(i), sep) && !whole_digits.empty() &&
          i + sep.size() < whole.size() && absl::ascii_isdigit(whole[i + sep.size()])) {
        i += sep.size();
        separator = true;
        break;
      }
    }
    if (!separator) {
      return absl::InvalidArgumentError(
          absl::StrCat("is not an amount (unexpected \"", whole.substr(i, 1), "\")"));
    }
  }
  for (char c : fraction) {
    if (!absl::ascii_isdigit(c)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "is not an amount (unexpected \"", std::string(1, c), "\" after \"", mark, "\")"));
    }
  }
  if (whole_digits.empty() && fraction.empty()) {
    return absl::InvalidArgumentError("is not an amount (no digits)");
  }
  if (static_cast<int>(fraction.size()) > digits) {
    if (fraction.find_first_not_of('0', digits) != absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("has more than ", digits, " decimals (minor units are 1/10^", digits, ")"));
    }
    fraction = fraction.substr(0, digits);
  }
  std::string all = whole_digits + std::string(fraction) +
                    std::string(digits - static_cast<int>(fraction.size()), '0');
  int64_t value = 0;
  for (char c : all) {
    if (value > (kMaxEventAmount - (c - '0')) / 10) {
      return absl::InvalidArgumentError(
          absl::StrCat("is too large (at most ", kMaxEventAmount, " minor units)"));
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

absl::StatusOr<absl::Time> ParseInstant(absl::string_view cell, const Mapping& mapping) {
  const std::string text(absl::StripAsciiWhitespace(cell));
  for (const std::string& format : mapping.spec.time_formats()) {
    absl::Time t;
    std::string error;
    if (!absl::ParseTime(format, text, mapping.zone, &t, &error)) continue;
    if (absl::FromUnixMicros(absl::ToUnixMicros(t)) != t) {
      return absl::InvalidArgumentError("has more than microsecond precision");
    }
    return t;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("is not a time in the mapping's time_formats (\"",
                   absl::StrJoin(mapping.spec.time_formats(), "\", \""), "\")"));
}

absl::StatusOr<int64_t> ParseInteger(absl::string_view cell, int64_t min, int64_t max) {
  absl::string_view s = absl::StripAsciiWhitespace(cell);
  if (s.empty() || s.find_first_not_of("0123456789") != absl::string_view::npos) {
    return absl::InvalidArgumentError("is not a whole number");
  }
  int64_t value = 0;
  // More than 18 digits could wrap, and is out of range anyway.
  if (s.size() <= 18) {
    for (char c : s) value = value * 10 + (c - '0');
  }
  if (s.size() > 18 || value < min || value > max) {
    return absl::InvalidArgumentError(absl::StrCat("must be in ", min, "..", max));
  }
  return value;
}

std::string EventId(absl::string_view source, absl::string_view kind, absl::string_view key) {
  std::string id = absl::StrCat(source, ":", kind, ":", key);
  if (!CheckIdentifier(id).has_value()) return id;
  return absl::StrCat(source, ":", kind, ":sha256:", Sha256Hex(key).substr(0, 32));
}

}  // namespace salestrack::cli::crm
