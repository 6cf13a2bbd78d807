#include "notify/payload.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"

namespace salestrack::notify {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

Value Text(const std::string& s) {
  Value v;
  v.set_string_value(s);
  return v;
}

Value Object(Struct s) {
  Value v;
  *v.mutable_struct_value() = std::move(s);
  return v;
}

Struct MarkdownMessage(const std::string& msgtype, Struct body) {
  Struct out;
  (*out.mutable_fields())["msgtype"] = Text(msgtype);
  (*out.mutable_fields())[msgtype] = Object(std::move(body));
  return out;
}

std::string Markdown(const Content& c) {
  std::string text = absl::StrCat("### ", c.title);
  for (const std::string& line : c.lines) absl::StrAppend(&text, "\n\n- ", line);
  return text;
}

std::string PlainText(const Content& c) {
  std::string text = c.title;
  for (const std::string& line : c.lines) absl::StrAppend(&text, "\n• ", line);
  return text;
}

Struct Body(v1::NotifyTarget::Format format, const Origin& origin, const Content& c) {
  Struct out;
  auto& f = *out.mutable_fields();
  switch (format) {
    case v1::NotifyTarget::DINGTALK: {
      Struct md;
      (*md.mutable_fields())["title"] = Text(c.title);
      (*md.mutable_fields())["text"] = Text(Markdown(c));
      return MarkdownMessage("markdown", std::move(md));
    }
    case v1::NotifyTarget::WECOM: {
      Struct md;
      (*md.mutable_fields())["content"] = Text(Markdown(c));
      return MarkdownMessage("markdown", std::move(md));
    }
    case v1::NotifyTarget::SLACK:
      f["text"] = Text(PlainText(c));
      return out;
    case v1::NotifyTarget::TEAMS:
      f["@type"] = Text("MessageCard");
      f["@context"] = Text("http://schema.org/extensions");
      f["themeColor"] = Text("0076D7");
      f["summary"] = Text(c.title);
      f["title"] = Text(c.title);
      f["text"] = Text(absl::StrJoin(c.lines, "\n\n"));
      return out;
    default:
      break;
  }
  f["idempotency_key"] = Text(origin.idempotency_key);
  f["rule"] = Text(origin.rule);
  f["kind"] = Text(c.kind);
  // A string: JSON numbers lose integers past 2^53 in most readers.
  f["seq"] = Text(absl::StrCat(origin.seq));
  f["created_at"] = Text(absl::FormatTime(
      absl::RFC3339_full, absl::FromUnixMicros(origin.created_at_micros), absl::UTCTimeZone()));
  f["title"] = Text(c.title);
  f["text"] = Text(PlainText(c));
  f["data"] = Object(c.data);
  return out;
}

}  // namespace

absl::StatusOr<std::string> RenderBody(v1::NotifyTarget::Format format, const Origin& origin,
                                       const Content& content) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  auto status =
      google::protobuf::util::MessageToJsonString(Body(format, origin, content), &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("rendering a notification: ", status.ToString()));
  }
  return json;
}

std::string FormatMinorUnits(int64_t amount) {
  // Unsigned arithmetic: the magnitude of INT64_MIN fits.
  const bool negative = amount < 0;
  const uint64_t magnitude =
      negative ? ~static_cast<uint64_t>(amount) + 1 : static_cast<uint64_t>(amount);
  std::string whole = absl::StrCat(magnitude / 100);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(whole[i]);
  }
  const uint64_t cents = magnitude % 100;
  return absl::StrCat(negative ? "-" : "", grouped, ".", cents < 10 ? "0" : "", cents);
}

}  // namespace salestrack::notify
