// The web app's files (web/assets.h) over HTTP GET and HEAD: "/" is /index.html, "/screen" and
// "/screen/..." are /screen.html (the TV board reads its board from the path), anything else is
// found by its exact path or is a 404 page. Every answer carries the page-safety headers
// (Content-Security-Policy "default-src 'self'": a page fetches nothing from outside the daemon;
// X-Content-Type-Options, Referrer-Policy); files carry their ETag, are revalidated on each use
// (Cache-Control: no-cache) and answer a matching If-None-Match with 304.
#ifndef SALESTRACK_HTTP_STATIC_ASSETS_H_
#define SALESTRACK_HTTP_STATIC_ASSETS_H_

#include "absl/strings/string_view.h"

struct mg_connection;

namespace salestrack::http {

inline constexpr char kContentSecurityPolicy[] =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// The asset path `path` (the request's, decoded) stands for.
absl::string_view AssetPathFor(absl::string_view path);

// Answers the request for `path`; returns the HTTP status sent.
int ServeAsset(mg_connection* conn, absl::string_view path, bool head_only);

// The small HTML page of an error (404, 405) with the same safety headers.
int SendErrorPage(mg_connection* conn, int status, absl::string_view title);

}  // namespace salestrack::http

#endif  // SALESTRACK_HTTP_STATIC_ASSETS_H_
