#include "http/connect_status.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/retry_hint.h"
#include "salestrack/event_error.h"

namespace salestrack::http {

// Exhaustive on purpose: no default, so a new absl code cannot go unmapped (-Wswitch). The HTTP
// statuses are the Connect protocol's table.
namespace {
struct CodeInfo {
  absl::string_view name;
  int http;
};
CodeInfo Info(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      break;
    case absl::StatusCode::kCancelled:
      return {"canceled", 499};
    case absl::StatusCode::kUnknown:
      return {"unknown", 500};
    case absl::StatusCode::kInvalidArgument:
      return {"invalid_argument", 400};
    case absl::StatusCode::kDeadlineExceeded:
      return {"deadline_exceeded", 504};
    case absl::StatusCode::kNotFound:
      return {"not_found", 404};
    case absl::StatusCode::kAlreadyExists:
      return {"already_exists", 409};
    case absl::StatusCode::kPermissionDenied:
      return {"permission_denied", 403};
    case absl::StatusCode::kResourceExhausted:
      return {"resource_exhausted", 429};
    case absl::StatusCode::kFailedPrecondition:
      return {"failed_precondition", 400};
    case absl::StatusCode::kAborted:
      return {"aborted", 409};
    case absl::StatusCode::kOutOfRange:
      return {"out_of_range", 400};
    case absl::StatusCode::kUnimplemented:
      return {"unimplemented", 501};
    case absl::StatusCode::kInternal:
      return {"internal", 500};
    case absl::StatusCode::kUnavailable:
      return {"unavailable", 503};
    case absl::StatusCode::kDataLoss:
      return {"data_loss", 500};
    case absl::StatusCode::kUnauthenticated:
      return {"unauthenticated", 401};
    case absl::StatusCode::kDoNotUseReservedForFutureExpansionUseDefaultInSwitchInstead_:
      break;
  }
  return {"unknown", 500};
}
}  // namespace

absl::string_view ConnectCode(absl::StatusCode code) { return Info(code).name; }
int HttpStatusOf(absl::StatusCode code) { return Info(code).http; }

std::string JsonQuote(absl::string_view text) {
  std::string out = "\"";
  out.reserve(text.size() + 2);
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        // Control characters, and '<' '>' '&' so the text is safe inside HTML too.
        if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&') {
          absl::StrAppendFormat(&out, "\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string ConnectErrorJson(const absl::Status& status) {
  return absl::StrCat("{\"code\":\"", ConnectCode(status.code()),
                      "\",\"message\":", JsonQuote(status.message()), "}");
}

std::vector<std::pair<std::string, std::string>> HintHeaders(const absl::Status& status) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (std::optional<absl::Duration> after = engine::RetryAfter(status)) {
    headers.emplace_back(kRetryAfterHeader, absl::StrCat(engine::RetryAfterMs(*after)));
  }
  if (std::optional<size_t> max = MaxBatchEventsHint(status)) {
    headers.emplace_back(kMaxBatchEventsHeader, absl::StrCat(*max));
  }
  return headers;
}

}  // namespace salestrack::http
