#include "notify/payload.h"

#include <string>

#include "absl/strings/str_cat.h"
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

Value TextBlock(const std::string& text, bool heading) {
  Struct block;
  (*block.mutable_fields())["type"] = Text("TextBlock");
  (*block.mutable_fields())["text"] = Text(text);
  (*block.mutable_fields())["wrap"].set_bool_value(true);
  if (heading) {
    (*block.mutable_fields())["size"] = Text("Medium");
    (*block.mutable_fields())["weight"] = Text("Bolder");
  }
  return Object(std::move(block));
}

// What a Teams workflow ("When a Teams webhook request is received") posts to a channel: a message
// with one Adaptive Card attachment, the title as its heading and a text block per line.
Struct AdaptiveCardMessage(const Content& c) {
  Struct card;
  auto& cf = *card.mutable_fields();
  cf["type"] = Text("AdaptiveCard");
  cf["$schema"] = Text("http://adaptivecards.io/schemas/adaptive-card.json");
  cf["version"] = Text("1.4");
  Value body;
  *body.mutable_list_value()->add_values() = TextBlock(c.title, true);
  for (const std::string& line : c.lines) {
    *body.mutable_list_value()->add_values() = TextBlock(line, false);
  }
  cf["body"] = std::move(body);
  Struct attachment;
  (*attachment.mutable_fields())["contentType"] = Text("application/vnd.microsoft.card.adaptive");
  (*attachment.mutable_fields())["content"] = Object(std::move(card));
  Struct out;
  (*out.mutable_fields())["type"] = Text("message");
  *(*out.mutable_fields())["attachments"].mutable_list_value()->add_values() =
      Object(std::move(attachment));
  return out;
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
      return AdaptiveCardMessage(c);
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

}  // namespace salestrack::notify
