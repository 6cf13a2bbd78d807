#include "http/json_codec.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"

namespace salestrack::http {
namespace {

// The deepest nesting of objects and arrays in `json`, brackets inside strings not counted.
// Stops counting past `limit`.
int NestingDepth(absl::string_view json, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : json) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

// Protobuf's message up to its first line (the rest lists every field of the type), with its
// "(outer.path) field: why" form written as one path: "outer.path.field: why".
std::string Reason(absl::string_view text) {
  size_t end = text.find('\n');
  text = absl::StripAsciiWhitespace(end == absl::string_view::npos ? text : text.substr(0, end));
  if (absl::ConsumePrefix(&text, "(")) {
    size_t close = text.find(") ");
    if (close != absl::string_view::npos) {
      return absl::StrCat(text.substr(0, close), ".", text.substr(close + 2));
    }
  }
  return std::string(text);
}

}  // namespace

absl::Status ParseJson(absl::string_view json, google::protobuf::Message* message) {
  message->Clear();
  const std::string& type = message->GetDescriptor()->full_name();
  if (absl::StripAsciiWhitespace(json).empty()) return absl::OkStatus();
  if (NestingDepth(json, kMaxJsonDepth) > kMaxJsonDepth) {
    return absl::InvalidArgumentError(absl::StrCat("request does not decode as ", type,
                                                   ": JSON nested deeper than ", kMaxJsonDepth));
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  // Protobuf 3.21's own Status type: its message is read as a view.
  auto s = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), message, options);
  if (s.ok()) return absl::OkStatus();
  message->Clear();
  return absl::InvalidArgumentError(
      absl::StrCat("request does not decode as ", type, ": ",
                   Reason(absl::string_view(s.message().data(), s.message().size()))));
}

absl::StatusOr<std::string> PrintJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  auto s = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!s.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot encode the ", message.GetTypeName(), " reply: ", s.ToString()));
  }
  return out;
}

absl::StatusOr<std::shared_ptr<const std::string>> JsonMemo::Print(
    const google::protobuf::Message& m) {
  std::string key = m.GetDescriptor()->full_name();
  key.push_back('\0');
  if (!m.AppendToString(&key) || key.size() > kMaxBytes) {
    absl::StatusOr<std::string> json = PrintJson(m);
    if (!json.ok()) return json.status();
    return std::make_shared<const std::string>(*std::move(json));
  }
  {
    MutexLock lock(&mu_);
    if (auto it = by_bytes_.find(key); it != by_bytes_.end()) return it->second;
  }
  absl::StatusOr<std::string> json = PrintJson(m);  // Outside the lock: the costly part.
  if (!json.ok()) return json.status();
  auto shared = std::make_shared<const std::string>(*std::move(json));
  MutexLock lock(&mu_);
  if (by_bytes_.emplace(key, shared).second) {
    order_.push_back(std::move(key));
    if (order_.size() > kEntries) {
      by_bytes_.erase(order_.front());
      order_.pop_front();
    }
  }
  return shared;
}

}  // namespace salestrack::http
