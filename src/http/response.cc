#include "http/response.h"

#include "absl/strings/str_cat.h"
#include "civetweb.h"
#include "http/connect_status.h"

namespace salestrack::http {
namespace {

void StartHeaders(mg_connection* conn, int status, absl::string_view content_type,
                  const Headers& headers) {
  mg_response_header_start(conn, status);
  const std::string type(content_type);
  if (!type.empty()) mg_response_header_add(conn, "Content-Type", type.c_str(), -1);
  mg_response_header_add(conn, "X-Content-Type-Options", "nosniff", -1);
  bool cache_set = false;
  for (const auto& [name, value] : headers) {
    cache_set = cache_set || name == "Cache-Control";
    mg_response_header_add(conn, name.c_str(), value.c_str(), static_cast<int>(value.size()));
  }
  if (!cache_set) mg_response_header_add(conn, "Cache-Control", "no-store", -1);
}

}  // namespace

int SendResponse(mg_connection* conn, int status, absl::string_view content_type,
                 absl::string_view body, const Headers& headers, bool head_only) {
  StartHeaders(conn, status, content_type, headers);
  const std::string length = absl::StrCat(body.size());
  mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  mg_response_header_send(conn);
  if (!head_only && !body.empty()) mg_write(conn, body.data(), body.size());
  return status;
}

int SendConnectError(mg_connection* conn, const absl::Status& status, Headers headers) {
  for (auto& hint : HintHeaders(status)) headers.push_back(std::move(hint));
  return SendResponse(conn, HttpStatusOf(status.code()), "application/json",
                      ConnectErrorJson(status), headers);
}

void StartChunked(mg_connection* conn, absl::string_view content_type, const Headers& headers) {
  StartHeaders(conn, 200, content_type, headers);
  mg_response_header_add(conn, "Transfer-Encoding", "chunked", -1);
  mg_response_header_send(conn);
}

bool WriteChunk(mg_connection* conn, absl::string_view data) {
  if (data.empty()) return true;  // An empty chunk would end the body.
  // One write per chunk (size line, data, CRLF), where mg_send_chunk makes three: a board update
  // goes to every subscriber, so its system calls count.
  std::string chunk = absl::StrCat(absl::Hex(data.size()), "\r\n", data, "\r\n");
  return mg_write(conn, chunk.data(), chunk.size()) == static_cast<int>(chunk.size());
}

void EndChunks(mg_connection* conn) { mg_write(conn, "0\r\n\r\n", 5); }

}  // namespace salestrack::http
