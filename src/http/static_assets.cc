#include "http/static_assets.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "civetweb.h"
#include "http/response.h"
#include "web/assets.h"

namespace salestrack::http {
namespace {

Headers PageHeaders() {
  return {{"Content-Security-Policy", kContentSecurityPolicy},
          {"Referrer-Policy", "no-referrer"},
          {"X-Frame-Options", "DENY"}};
}

// True when the If-None-Match value lists `etag` (or is "*").
bool Matches(const char* if_none_match, absl::string_view etag) {
  if (if_none_match == nullptr) return false;
  for (absl::string_view tag : absl::StrSplit(if_none_match, ',')) {
    tag = absl::StripAsciiWhitespace(tag);
    absl::ConsumePrefix(&tag, "W/");
    if (tag == "*" || tag == etag) return true;
  }
  return false;
}

}  // namespace

absl::string_view AssetPathFor(absl::string_view path) {
  if (path == "/") return "/index.html";
  if (path == "/screen" || absl::StartsWith(path, "/screen/")) return "/screen.html";
  return path;
}

int SendErrorPage(mg_connection* conn, int status, absl::string_view title) {
  const std::string body =
      absl::StrCat("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>", title,
                   "</title></head><body><h1>", title,
                   "</h1><p><a href=\"/\">salestrack</a></p></body></html>\n");
  return SendResponse(conn, status, "text/html; charset=utf-8", body, PageHeaders());
}

int ServeAsset(mg_connection* conn, absl::string_view path, bool head_only) {
  const web::Asset* asset = web::FindAsset(AssetPathFor(path));
  if (asset == nullptr) return SendErrorPage(conn, 404, "Not found");
  Headers headers = PageHeaders();
  headers.emplace_back("ETag", std::string(asset->etag));
  headers.emplace_back("Cache-Control", "no-cache");
  if (Matches(mg_get_header(conn, "If-None-Match"), asset->etag)) {
    mg_response_header_start(conn, 304);
    for (const auto& [name, value] : headers) {
      mg_response_header_add(conn, name.c_str(), value.c_str(), static_cast<int>(value.size()));
    }
    mg_response_header_send(conn);
    return 304;
  }
  return SendResponse(conn, 200, asset->content_type, asset->body, headers, head_only);
}

}  // namespace salestrack::http
