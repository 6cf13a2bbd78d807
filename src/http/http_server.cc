#include "http/http_server.h"

#include <cstring>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "civetweb.h"
#include "engine/retry_hint.h"
#include "http/board_fanout.h"
#include "http/connect_status.h"
#include "http/framing.h"
#include "http/response.h"
#include "http/static_assets.h"
#include "spdlog/spdlog.h"

namespace salestrack::http {
namespace {

constexpr char kCookieName[] = "salestrack_key";
constexpr char kSsePrefix[] = "/sse";
// A session cookie lasts 30 days: a TV screen stays signed in across restarts of either side.
constexpr int kCookieMaxAgeSeconds = 30 * 24 * 3600;
// The longest ?message= an SSE request may carry (civetweb caps the request line anyway).
constexpr size_t kMaxQueryMessage = 8 << 10;

// "application/json; charset=utf-8" -> "application/json".
std::string MediaType(const char* content_type) {
  if (content_type == nullptr) return "";
  absl::string_view type = content_type;
  type = type.substr(0, type.find(';'));
  return absl::AsciiStrToLower(absl::StripAsciiWhitespace(type));
}

// The route label of an RPC: its method's name ("GetKpis").
absl::string_view Route(absl::string_view method) {
  size_t slash = method.rfind('/');
  return slash == absl::string_view::npos ? method : method.substr(slash + 1);
}

// A key fit for a cookie value and a header: printable ASCII without separators.
bool CookieSafe(absl::string_view token) {
  if (token.empty() || token.size() > 512) return false;
  for (char c : token) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

// Connect's server-streaming framing: each message an envelope (flags byte, 4-byte big-endian
// length, JSON), the last one flagged 0x02 with the end of the stream.
class ConnectWriter final : public StreamWriter {
 public:
  ConnectWriter(mg_connection* conn, JsonMemo* memo) : conn_(conn), memo_(memo) {}
  bool Send(const google::protobuf::Message& message, uint64_t) override {
    absl::StatusOr<std::shared_ptr<const std::string>> json = memo_->Print(message);
    return json.ok() && WriteChunk(conn_, ConnectEnvelope(0, **json));
  }
  bool Heartbeat() override { return true; }  // Connect has no empty frame; writes find the peer.
  int socket() override {
    if (!socket_) socket_ = ConnectionSocket(conn_);
    return *socket_;
  }
  Framing framing() const override { return Framing::kConnect; }
  bool WriteRaw(absl::string_view bytes) override {
    return mg_write(conn_, bytes.data(), bytes.size()) == static_cast<int>(bytes.size());
  }
  void End(const absl::Status& status) {
    std::string end = "{}";
    if (!status.ok()) {
      std::string metadata;
      for (const auto& [name, value] : HintHeaders(status)) {
        absl::StrAppend(&metadata, metadata.empty() ? "" : ",",
                        JsonQuote(absl::AsciiStrToLower(name)), ":[", JsonQuote(value), "]");
      }
      end =
          absl::StrCat("{\"error\":", ConnectErrorJson(status), ",\"metadata\":{", metadata, "}}");
    }
    WriteChunk(conn_, ConnectEnvelope(0x02, end));
    EndChunks(conn_);
  }

 private:
  mg_connection* const conn_;
  JsonMemo* const memo_;
  std::optional<int> socket_;
};

// Server-Sent Events: each message `id: <seq>` and `data: <json>`; a heartbeat is a comment line.
class SseWriter final : public StreamWriter {
 public:
  SseWriter(mg_connection* conn, JsonMemo* memo) : conn_(conn), memo_(memo) {}
  bool Send(const google::protobuf::Message& message, uint64_t seq) override {
    // One line: the printer puts no newline inside.
    absl::StatusOr<std::shared_ptr<const std::string>> json = memo_->Print(message);
    return json.ok() && WriteChunk(conn_, SseEvent(seq, **json));
  }
  bool Heartbeat() override { return WriteChunk(conn_, kSseHeartbeat); }
  int socket() override {
    if (!socket_) socket_ = ConnectionSocket(conn_);
    return *socket_;
  }
  bool WriteRaw(absl::string_view bytes) override {
    return mg_write(conn_, bytes.data(), bytes.size()) == static_cast<int>(bytes.size());
  }
  // The stream's end as an "error" (or "end") event; a retryable one tells EventSource when to
  // come back.
  void End(const absl::Status& status) {
    if (status.ok()) {
      WriteChunk(conn_, "event: end\ndata: {}\n\n");
    } else {
      std::string retry;
      if (std::optional<absl::Duration> after = engine::RetryAfter(status)) {
        retry = absl::StrCat("retry: ", engine::RetryAfterMs(*after), "\n");
      }
      WriteChunk(conn_,
                 absl::StrCat(retry, "event: error\ndata: ", ConnectErrorJson(status), "\n\n"));
    }
    EndChunks(conn_);
  }

 private:
  mg_connection* const conn_;
  JsonMemo* const memo_;
  std::optional<int> socket_;
};

bool Retryable(const absl::Status& status) {
  return status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kResourceExhausted;
}

}  // namespace

absl::Status CheckHttpOptions(const HttpOptions& o) {
  if (o.listen_address.empty()) return absl::OkStatus();  // Off.
  if (o.max_body_bytes < 1024 || o.max_body_bytes > (64u << 20)) {
    return absl::InvalidArgumentError(absl::StrCat("http_limits.max_body_bytes: ", o.max_body_bytes,
                                                   " is outside 1024..", 64u << 20));
  }
  if (o.num_threads < 4 || o.num_threads > 10000) {
    return absl::InvalidArgumentError(
        absl::StrCat("http_limits.num_threads: ", o.num_threads, " is outside 4..10000"));
  }
  // Streams hold their thread: leave at least a quarter of them, and 2, for unary calls.
  const size_t reserve = std::max<size_t>(2, o.num_threads / 4);
  if (o.max_streams + reserve > o.num_threads) {
    return absl::InvalidArgumentError(
        absl::StrCat("http_limits.max_streams: ", o.max_streams, " leaves fewer than ", reserve,
                     " of http_limits.num_threads (", o.num_threads, ") for unary calls"));
  }
  if (o.request_timeout < absl::Seconds(1) || o.request_timeout > absl::Seconds(600)) {
    return absl::InvalidArgumentError("http_limits.request_timeout_seconds: outside 1..600");
  }
  if (o.keep_alive_timeout < absl::Seconds(1) || o.keep_alive_timeout > absl::Seconds(600)) {
    return absl::InvalidArgumentError("http_limits.keep_alive_seconds: outside 1..600");
  }
  if (o.heartbeat < absl::Seconds(1) || o.heartbeat > absl::Seconds(600)) {
    return absl::InvalidArgumentError("http_limits.heartbeat_seconds: outside 1..600");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpOptions& options,
                                                              engine::Engine* engine,
                                                              EngineMethodsOptions methods,
                                                              prometheus::Registry* registry) {
  if (absl::Status s = CheckHttpOptions(options); !s.ok()) return s;
  std::unique_ptr<HttpServer> server(new HttpServer(options, engine, registry));
  methods.heartbeat = options.heartbeat;
  methods.stopping = &server->stopping_;
  server->fanout_ = std::make_unique<BoardFanout>(&server->json_memo_, options.heartbeat);
  if (server->fanout_->ok()) methods.fanout = server->fanout_.get();
  AddEngineMethods(engine, methods, &server->table_);
  if (absl::Status s = server->table_.CheckComplete(); !s.ok()) return s;

  mg_init_library(0);
  const std::string threads = absl::StrCat(options.num_threads);
  const std::string request_ms = absl::StrCat(absl::ToInt64Milliseconds(options.request_timeout));
  const std::string keep_alive_ms =
      absl::StrCat(absl::ToInt64Milliseconds(options.keep_alive_timeout));
  const char* config[] = {"listening_ports",
                          options.listen_address.c_str(),
                          "num_threads",
                          threads.c_str(),
                          "request_timeout_ms",
                          request_ms.c_str(),
                          "keep_alive_timeout_ms",
                          keep_alive_ms.c_str(),
                          "enable_keep_alive",
                          "yes",
                          "tcp_nodelay",
                          "1",
                          "max_request_size",
                          "16384",
                          nullptr};
  mg_callbacks callbacks;
  std::memset(&callbacks, 0, sizeof callbacks);
  callbacks.log_message = [](const mg_connection*, const char* message) {
    spdlog::debug("event=http_log msg=\"{}\"", message);
    return 1;
  };
  server->context_ = mg_start(&callbacks, nullptr, config);
  if (server->context_ == nullptr) {
    mg_exit_library();
    return absl::UnavailableError(
        absl::StrCat("http_listen_address: cannot listen on ", options.listen_address,
                     ": the address is in use or is not a local host:port"));
  }
  mg_set_request_handler(server->context_, "/", &HttpServer::Dispatch, server.get());
  mg_server_port ports[4];
  std::memset(ports, 0, sizeof ports);
  if (mg_get_server_ports(server->context_, 4, ports) > 0) server->port_ = ports[0].port;
  spdlog::info("event=http_serving address={} port={}", options.listen_address, server->port_);
  return server;
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() {
  if (context_ == nullptr) return;
  // Streams see stopping_ within moments (streams.h) and write their end; civetweb refuses writes
  // once mg_stop begins, so they are given a moment first.
  stopping_.store(true);
  if (fanout_ != nullptr) fanout_->Stop();
  const absl::Time deadline = absl::Now() + absl::Seconds(2);
  while (streams_.load() > 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
  mg_stop(context_);  // Waits for the request threads.
  context_ = nullptr;
  mg_exit_library();
}

int HttpServer::Dispatch(mg_connection* conn, void* self) {
  return static_cast<HttpServer*>(self)->Handle(conn);
}

bool HttpServer::TakeStream() {
  if (streams_.fetch_add(1) < options_.max_streams) return true;
  streams_.fetch_sub(1);
  return false;
}

void HttpServer::ReleaseStream() { streams_.fetch_sub(1); }

bool HttpServer::TakeBodyBytes(size_t bytes) {
  const size_t cap = kBodiesInFlight * options_.max_body_bytes;
  size_t held = body_bytes_.load();
  do {
    if (held + bytes > cap) return false;
  } while (!body_bytes_.compare_exchange_weak(held, held + bytes));
  return true;
}

int HttpServer::Handle(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  const absl::string_view verb = info->request_method;
  absl::string_view path = info->local_uri_raw != nullptr ? info->local_uri_raw : "";
  std::string route = "other";
  int status = 0;
  if (absl::StartsWith(path, absl::StrCat(kSsePrefix, "/"))) {
    path.remove_prefix(sizeof kSsePrefix - 1);
    const Method* method = table_.Find(path);
    if (method != nullptr && method->kind == Method::Kind::kServerStream) {
      route = std::string(Route(path));
      status = verb == "GET" ? ServeSse(conn, *method, path) : SendErrorPage(conn, 405, "Use GET");
    } else {
      status = SendConnectError(conn, absl::NotFoundError(absl::StrCat("no server stream ", path,
                                                                       " to follow as events")));
    }
  } else if (const Method* method = table_.Find(path); method != nullptr) {
    route = std::string(Route(path));
    status = verb == "POST" ? ServeApi(conn, *method, path)
                            : SendConnectError(conn,
                                               absl::UnimplementedError(absl::StrCat(
                                                   path, ": use POST (Connect protocol)")),
                                               {{"Allow", "POST"}});
  } else if (path == "/session") {
    route = "session";
    status = ServeSession(conn);
  } else if (absl::StartsWith(path, "/salestrack.")) {
    status = SendConnectError(conn, absl::UnimplementedError(absl::StrCat("no method ", path)));
  } else if (verb == "GET" || verb == "HEAD") {
    route = "asset";
    status = ServeAsset(conn, path, verb == "HEAD");
  } else {
    status = SendErrorPage(conn, 405, "Method not allowed");
  }
  metrics_.Answered(route, status);
  return status;
}

absl::StatusOr<std::string> HttpServer::ReadBody(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  const long long declared = info->content_length;
  if (declared > static_cast<long long>(options_.max_body_bytes)) {
    return absl::ResourceExhaustedError(absl::StrCat("request body: ", declared,
                                                     " bytes is over http_limits.max_body_bytes (",
                                                     options_.max_body_bytes, ")"));
  }
  std::string body;
  if (declared > 0) body.reserve(static_cast<size_t>(declared));
  char buf[16 << 10];
  for (;;) {
    int n = mg_read(conn, buf, sizeof buf);
    if (n <= 0) break;
    body.append(buf, static_cast<size_t>(n));
    if (body.size() > options_.max_body_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "request body: over http_limits.max_body_bytes (", options_.max_body_bytes, ")"));
    }
  }
  if (declared > 0 && body.size() != static_cast<size_t>(declared)) {
    return absl::InvalidArgumentError(
        absl::StrCat("request body: ", body.size(), " of ", declared, " bytes arrived"));
  }
  return body;
}

absl::StatusOr<Principal> HttpServer::Caller(mg_connection* conn, absl::string_view method,
                                             bool cookie_ok) {
  const mg_request_info* info = mg_get_request_info(conn);
  const std::string peer = absl::StrCat("http:", info->remote_addr, ":", info->remote_port);
  if (const char* header = mg_get_header(conn, "Authorization"); header != nullptr) {
    return engine_->Authenticate(absl::string_view(header), method, peer);
  }
  std::optional<std::string> from_cookie;
  if (const char* cookies = mg_get_header(conn, "Cookie"); cookies != nullptr && cookie_ok) {
    char token[600];
    if (mg_get_cookie(cookies, kCookieName, token, sizeof token) > 0) {
      from_cookie = absl::StrCat("Bearer ", token);
    }
  }
  return engine_->Authenticate(from_cookie, method, peer);
}

namespace {

// The CSRF rule for a state-changing or cookie-authenticated request: when the browser names the
// page's origin, it must be this daemon's (the Host it called).
absl::Status CheckOrigin(mg_connection* conn) {
  const char* origin = mg_get_header(conn, "Origin");
  if (origin == nullptr) return absl::OkStatus();  // Not a browser's cross-site request.
  const char* host = mg_get_header(conn, "Host");
  absl::string_view o = origin;
  if (host != nullptr &&
      (absl::ConsumePrefix(&o, "http://") || absl::ConsumePrefix(&o, "https://")) && o == host) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat("Origin ", origin, " is not this daemon's (",
                                                  host == nullptr ? "no Host" : host,
                                                  "): cross-origin requests are refused"));
}

}  // namespace

int HttpServer::ServeApi(mg_connection* conn, const Method& method, absl::string_view name) {
  const absl::Time start = absl::Now();
  const std::string type = MediaType(mg_get_header(conn, "Content-Type"));
  const bool streaming = method.kind == Method::Kind::kServerStream;
  const char* want = streaming ? "application/connect+json" : "application/json";
  if (type != want) {
    // 415, the Connect protocol's answer to a codec it does not serve.
    const absl::Status wrong = absl::InvalidArgumentError(
        absl::StrCat("Content-Type: \"", type, "\" is not ", want, " (", name,
                     streaming ? " is a server stream, Connect protocol)" : ", Connect protocol)"));
    return SendResponse(conn, 415, "application/json", ConnectErrorJson(wrong),
                        {{"Accept-Post", want}, {"Connection", "close"}});
  }
  if (absl::Status s = CheckOrigin(conn); !s.ok()) return SendConnectError(conn, s);
  // The bodies read at once are bounded in all (kBodiesInFlight bodies of the cap), not just each:
  // a crowd of clients cannot make the daemon hold num_threads full bodies.
  const long long declared = mg_get_request_info(conn)->content_length;
  const size_t reserve = declared >= 0 && static_cast<size_t>(declared) < options_.max_body_bytes
                             ? static_cast<size_t>(declared)
                             : options_.max_body_bytes;
  if (!TakeBodyBytes(reserve)) {
    absl::Status full = absl::ResourceExhaustedError(
        absl::StrCat("request bodies being read: over ", kBodiesInFlight,
                     " × http_limits.max_body_bytes; retry shortly"));
    engine::SetRetryAfter(&full, absl::Milliseconds(100));
    return SendConnectError(conn, full, {{"Connection", "close"}});
  }
  absl::Cleanup give_back = [this, reserve] { body_bytes_.fetch_sub(reserve); };
  absl::StatusOr<std::string> body = ReadBody(conn);
  if (!body.ok()) {
    const int code = body.status().code() == absl::StatusCode::kResourceExhausted ? 413 : 400;
    return SendResponse(conn, code, "application/json", ConnectErrorJson(body.status()),
                        {{"Connection", "close"}});
  }
  // The JSON content type makes a cross-site form impossible without a CORS preflight (which this
  // daemon never grants), and the Origin is checked: the cookie may stand in for the header.
  absl::StatusOr<Principal> who = Caller(conn, name, /*cookie_ok=*/true);
  if (method.kind == Method::Kind::kUnary) {
    std::string out;
    absl::Status s = who.status();
    if (s.ok()) s = method.unary(*who, *body, &out);
    int status =
        s.ok() ? SendResponse(conn, 200, "application/json", out) : SendConnectError(conn, s);
    metrics_.Timed(Route(name), absl::Now() - start);
    return status;
  }
  if (method.kind == Method::Kind::kRefused) {
    return SendConnectError(conn, who.ok() ? method.refusal : who.status());
  }
  // A server stream: errors, from here on, go in the end-of-stream message with HTTP 200.
  ConnectWriter writer(conn, &json_memo_);
  StartChunked(conn, "application/connect+json", {});
  absl::Status end = who.status();
  absl::string_view payload;
  if (end.ok()) {
    absl::string_view envelope = *body;
    const auto* b = reinterpret_cast<const unsigned char*>(envelope.data());
    const uint32_t n = envelope.size() >= 5 ? (uint32_t{b[1]} << 24) | (uint32_t{b[2]} << 16) |
                                                  (uint32_t{b[3]} << 8) | uint32_t{b[4]}
                                            : 0;
    if (envelope.size() < 5 || envelope.size() - 5 != n) {
      end = absl::InvalidArgumentError(
          "request body: not one Connect envelope (1 flags byte, 4-byte length, the JSON)");
    } else if (b[0] != 0) {
      end = absl::InvalidArgumentError(
          "request body: compressed or flagged envelopes are not "
          "accepted (flags must be 0)");
    } else {
      payload = envelope.substr(5);
    }
  }
  if (end.ok() && !TakeStream()) {
    end = absl::ResourceExhaustedError(absl::StrCat("the daemon serves http_limits.max_streams (",
                                                    options_.max_streams, ") HTTP streams"));
    engine::SetRetryAfter(&end, engine::kFullRetryAfter);
  } else if (end.ok()) {
    metrics_.StreamOpen("connect", 1);
    end = method.stream(*who, payload, std::nullopt, &writer);
    metrics_.StreamOpen("connect", -1);
    writer.End(end);
    ReleaseStream();  // After the end is written: Stop waits for it.
    return 200;
  }
  writer.End(end);
  return 200;
}

int HttpServer::ServeSse(mg_connection* conn, const Method& method, absl::string_view name) {
  const mg_request_info* info = mg_get_request_info(conn);
  std::string message;
  if (info->query_string != nullptr) {
    std::vector<char> buf(kMaxQueryMessage + 1);
    const size_t query_len = strlen(info->query_string);
    int n = mg_get_var2(info->query_string, query_len, "message", buf.data(), buf.size(), 0);
    if (n == -2) {
      return SendConnectError(conn, absl::InvalidArgumentError(absl::StrCat(
                                        "message: longer than ", kMaxQueryMessage, " bytes")));
    }
    if (n > 0) message.assign(buf.data(), static_cast<size_t>(n));
  }
  if (absl::Status s = CheckOrigin(conn); !s.ok()) return SendConnectError(conn, s);
  absl::StatusOr<Principal> who = Caller(conn, name, /*cookie_ok=*/true);
  if (!who.ok()) return SendConnectError(conn, who.status());
  // EventSource's reconnect names the last event it got: resume after it.
  std::optional<uint64_t> last_id;
  if (const char* last = mg_get_header(conn, "Last-Event-ID"); last != nullptr) {
    uint64_t id = 0;
    if (!absl::SimpleAtoi(last, &id)) {
      return SendConnectError(conn, absl::InvalidArgumentError(absl::StrCat(
                                        "Last-Event-ID: \"", last, "\" is not a seq")));
    }
    last_id = id;
  }
  if (!TakeStream()) {
    absl::Status full = absl::ResourceExhaustedError(absl::StrCat(
        "the daemon serves http_limits.max_streams (", options_.max_streams, ") HTTP streams"));
    engine::SetRetryAfter(&full, engine::kFullRetryAfter);
    SseWriter writer(conn, &json_memo_);
    StartChunked(conn, "text/event-stream", {});
    writer.End(full);
    return 200;
  }
  absl::Cleanup release = [this] { ReleaseStream(); };
  // Refusals that retrying cannot cure (bad request, key, scope) are an HTTP error, which stops
  // EventSource; the others become an error event, after which it reconnects by itself.
  SseWriter writer(conn, &json_memo_);
  bool started = false;
  struct FirstWrite final : StreamWriter {
    FirstWrite(StreamWriter* inner, mg_connection* conn, bool* started)
        : inner(inner), conn(conn), started(started) {}
    void Start() override {
      if (*started) return;
      *started = true;
      StartChunked(conn, "text/event-stream", {{"X-Accel-Buffering", "no"}});
    }
    bool Send(const google::protobuf::Message& m, uint64_t seq) override {
      Start();
      return inner->Send(m, seq);
    }
    bool Heartbeat() override {
      Start();
      return inner->Heartbeat();
    }
    int socket() override { return inner->socket(); }
    Framing framing() const override { return inner->framing(); }
    bool WriteRaw(absl::string_view bytes) override { return inner->WriteRaw(bytes); }
    StreamWriter* inner;
    mg_connection* conn;
    bool* started;
  } first(&writer, conn, &started);
  metrics_.StreamOpen("sse", 1);
  absl::Status end = method.stream(*who, message, last_id, &first);
  metrics_.StreamOpen("sse", -1);
  if (!started && !end.ok() && !Retryable(end)) return SendConnectError(conn, end);
  first.Start();
  writer.End(end);
  return 200;
}

int HttpServer::ServeSession(mg_connection* conn) {
  const absl::string_view verb = mg_get_request_info(conn)->request_method;
  if (absl::Status s = CheckOrigin(conn); !s.ok()) return SendConnectError(conn, s);
  std::string cookie = absl::StrCat(kCookieName, "=");
  const std::string attributes =
      absl::StrCat("; Path=/; HttpOnly; SameSite=Strict", options_.secure_cookie ? "; Secure" : "");
  if (verb == "DELETE") {
    return SendResponse(conn, 204, "", "",
                        {{"Set-Cookie", absl::StrCat(cookie, attributes, "; Max-Age=0")}});
  }
  if (verb != "POST") return SendErrorPage(conn, 405, "Use POST or DELETE");
  const char* header = mg_get_header(conn, "Authorization");
  absl::string_view token = header == nullptr ? "" : header;
  if (!absl::ConsumePrefix(&token, "Bearer ") || !CookieSafe(token)) {
    return SendConnectError(conn, absl::UnauthenticatedError(
                                      "POST /session needs \"Authorization: Bearer <API key>\""));
  }
  // Any known key may hold a session; what it may do is decided on each call. The role check of
  // a board read tells a known key (OK or PERMISSION_DENIED) from an unknown one.
  absl::StatusOr<Principal> who =
      engine_->Authenticate(absl::string_view(header), engine::methods::kGetLeaderboard, "http");
  if (!who.ok() && who.status().code() == absl::StatusCode::kUnauthenticated) {
    return SendConnectError(conn, who.status());
  }
  return SendResponse(conn, 204, "", "",
                      {{"Set-Cookie", absl::StrCat(cookie, token, attributes,
                                                   "; Max-Age=", kCookieMaxAgeSeconds)}});
}

}  // namespace salestrack::http
