// Writing HTTP responses on a civetweb connection: every response carries the same safety headers
// (X-Content-Type-Options: nosniff, and Cache-Control: no-store unless the caller sets its own),
// and a Connect error is sent as its JSON with the HTTP status and hint headers of
// connect_status.h.
#ifndef SALESTRACK_HTTP_RESPONSE_H_
#define SALESTRACK_HTTP_RESPONSE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

struct mg_connection;

namespace salestrack::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Sends status, headers and `body` (Content-Length set; the body is left out for HEAD when
// `head_only`). Returns the status, for the request metrics.
int SendResponse(mg_connection* conn, int status, absl::string_view content_type,
                 absl::string_view body, const Headers& headers = {}, bool head_only = false);

// A Connect unary error. REQUIRES: !status.ok().
int SendConnectError(mg_connection* conn, const absl::Status& status, Headers headers = {});

// Starts a streamed response (chunked); then WriteChunk each piece and EndChunks.
void StartChunked(mg_connection* conn, absl::string_view content_type, const Headers& headers);
bool WriteChunk(mg_connection* conn, absl::string_view data);
void EndChunks(mg_connection* conn);

// The connection's socket, for a thread that writes a stream's bytes itself while the request
// thread waits in its handler; -1 over TLS or when it is not found. civetweb does not hand out its
// sockets: this finds the one whose two ends are the request's (server_port, remote address and
// port) among the process's open descriptors, unique for a live TCP connection.
int ConnectionSocket(const mg_connection* conn);

}  // namespace salestrack::http

#endif  // SALESTRACK_HTTP_RESPONSE_H_
