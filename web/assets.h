// The web app's files (web/static/), built into salestrackd by cmake/embed_assets.cmake, so the
// daemon serves its pages with nothing installed beside it and nothing fetched from elsewhere.
//
//   const web::Asset* asset = web::FindAsset("/index.html");   // null: no such file
//
// Paths are the file's path under web/static/ with a leading "/", matched exactly (no
// normalisation: "/../x" or "/a//b" is simply not found). The table is immutable: thread-safe.
#ifndef SALESTRACK_WEB_ASSETS_H_
#define SALESTRACK_WEB_ASSETS_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace salestrack::web {

struct Asset {
  absl::string_view path;          // "/index.html"
  absl::string_view content_type;  // "text/html; charset=utf-8", by the file's extension
  absl::string_view body;          // The file's bytes.
  absl::string_view etag;          // A strong ETag, quotes included: the body's SHA-256, shortened.
};

const Asset* FindAsset(absl::string_view path);

// Every asset, for listings and tests.
const Asset* AllAssets(size_t* count);

}  // namespace salestrack::web

#endif  // SALESTRACK_WEB_ASSETS_H_
