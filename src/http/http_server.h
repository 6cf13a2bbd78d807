// HttpServer: salestrackd's second front door, HTTP/1.1 with JSON (civetweb), beside gRPC on the
// same engine (engine/engine.h). docs/http.md is its user's guide; in short:
//
//   POST /salestrack.v1.KpiService/GetKpis             Connect unary, application/json
//   POST /salestrack.v1.LeaderboardService/SubscribeLeaderboard
//                                                      Connect server stream,
//                                                      application/connect+json
//   GET  /sse/salestrack.v1.LeaderboardService/SubscribeLeaderboard?message=<JSON>
//                                                      Server-Sent Events (EventSource)
//   POST /session, DELETE /session                     the browser's key cookie
//   GET  /, /screen/..., /<asset>                      the web app (web/assets.h)
//
// Order on every API call, as over gRPC (server/raw_call.h): the body's size against the cap (413
// before reading it), the caller's key and role (Engine::Authenticate: from the Authorization
// header, else the session cookie under the CSRF rules of docs/access.md), the JSON (field-named
// INVALID_ARGUMENT), then the engine's method, which checks access and scope again.
//
// Threads: civetweb's, one per connection (limits in HttpOptions); a stream holds its thread for
// its life, so streams are capped below the thread count, leaving threads for unary calls. A board
// stream's thread only waits: one thread writes every board stream (board_fanout.h).
#ifndef SALESTRACK_HTTP_HTTP_SERVER_H_
#define SALESTRACK_HTTP_HTTP_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/engine.h"
#include "http/board_fanout.h"
#include "http/engine_methods.h"
#include "http/http_metrics.h"
#include "http/method_table.h"

struct mg_context;
struct mg_connection;

namespace salestrack::http {

struct HttpOptions {
  std::string listen_address;       // host:port (port 0: any free one); empty: no HTTP port.
  size_t max_body_bytes = 8 << 20;  // Request bodies past it: 413.
  size_t num_threads = 64;          // civetweb's workers: connections at once.
  size_t max_streams = 48;          // Live streams (Connect and SSE) at once.
  absl::Duration request_timeout = absl::Seconds(30);  // A slow request or write, at most.
  absl::Duration keep_alive_timeout = absl::Seconds(5);
  absl::Duration heartbeat = absl::Seconds(15);  // An idle stream's keep-alive.
  // Set Secure on the session cookie (a TLS-terminating proxy in front).
  bool secure_cookie = false;
};

// Checks `options` (errors name the config field, http_limits.*).
absl::Status CheckHttpOptions(const HttpOptions& options);

class HttpServer {
 public:
  // Serves `engine` (which must outlive the server) on options.listen_address. `methods` adds
  // the daemon's pieces the engine does not hold (GetStats, append metrics); `registry` (may be
  // null) receives the HTTP metrics. Fails naming the address when it cannot bind.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const HttpOptions& options,
                                                           engine::Engine* engine,
                                                           EngineMethodsOptions methods,
                                                           prometheus::Registry* registry);
  ~HttpServer();  // Stop()s.

  int port() const { return port_; }

  // Ends live streams (UNAVAILABLE, naming where to resume), waits for the request threads and
  // closes the port. Idempotent.
  void Stop();

 private:
  HttpServer(const HttpOptions& options, engine::Engine* engine, prometheus::Registry* registry)
      : options_(options), engine_(engine), metrics_(registry) {}
  static int Dispatch(mg_connection* conn, void* self);
  int Handle(mg_connection* conn);
  int ServeApi(mg_connection* conn, const Method& method, absl::string_view name);
  int ServeSse(mg_connection* conn, const Method& method, absl::string_view name);
  int ServeSession(mg_connection* conn);
  // The caller of `method` by the Authorization header, else (when `cookie_ok`) the cookie.
  absl::StatusOr<Principal> Caller(mg_connection* conn, absl::string_view method, bool cookie_ok);
  // Reads the request body, at most max_body_bytes; RESOURCE_EXHAUSTED past it.
  absl::StatusOr<std::string> ReadBody(mg_connection* conn);
  // A stream place (max_streams); false when all are taken.
  bool TakeStream();
  void ReleaseStream();
  // Room for `bytes` more of request bodies (kBodiesInFlight × max_body_bytes in all); the caller
  // gives them back to body_bytes_.
  bool TakeBodyBytes(size_t bytes);
  static constexpr size_t kBodiesInFlight = 8;

  const HttpOptions options_;
  engine::Engine* const engine_;
  HttpMetrics metrics_;
  MethodTable table_;
  JsonMemo json_memo_;                   // Shared by the streams: one board update is printed once.
  std::unique_ptr<BoardFanout> fanout_;  // Writes the board streams (board_fanout.h).
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> streams_{0};
  std::atomic<size_t> body_bytes_{0};
  mg_context* context_ = nullptr;
  int port_ = 0;
};

}  // namespace salestrack::http

#endif  // SALESTRACK_HTTP_HTTP_SERVER_H_
