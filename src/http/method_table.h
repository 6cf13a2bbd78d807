// MethodTable: every v1 method the HTTP front door serves, by its full name
// ("/salestrack.v1.KpiService/GetKpis", the path a Connect client posts to), each with its JSON
// adapter over the engine. One line registers a method:
//
//   table.AddUnary(methods::kGetKpis, engine, &engine::Engine::GetKpis);
//
// The adapter decodes the JSON request (json_codec.h), calls the handler with the caller (whose key
// and role the server checked first, raw_call.h's order) and encodes the answer; the handler (an
// engine method) decides access, scope and validation, as it does for gRPC.
//
// CheckComplete, run at start-up, refuses a table that leaves a method of the v1 services out, so
// an RPC added to a .proto is served over HTTP or refused on purpose (kRefused), never forgotten.
//
// Not thread-safe while being filled; read-only (thread-safe) afterwards.
#ifndef SALESTRACK_HTTP_METHOD_TABLE_H_
#define SALESTRACK_HTTP_METHOD_TABLE_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "engine/engine.h"
#include "http/framing.h"
#include "http/json_codec.h"

namespace salestrack::http {

// A server stream's way to its client (Connect envelopes or Server-Sent Events).
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Sends one message; `seq` is the log position it reflects (SSE's event id). False when the
  // client is gone.
  virtual bool Send(const google::protobuf::Message& message, uint64_t seq) = 0;
  // Keeps an idle stream open through proxies and finds a dead peer; false when it is gone.
  virtual bool Heartbeat() = 0;

  // A writer thread's way to the connection (board_fanout.h), which sends many streams' messages
  // without a thread each. socket(): the connection's socket when another thread may write this
  // stream's bytes, else -1 (then only Send and Heartbeat). Start(): begins the response before
  // that thread writes. WriteRaw(): bytes as they are (what that thread left unsent); false when
  // the client is gone.
  virtual int socket() { return -1; }
  virtual Framing framing() const { return Framing::kSse; }
  virtual void Start() {}
  virtual bool WriteRaw(absl::string_view) { return false; }
};

struct Method {
  enum class Kind { kUnary, kServerStream, kRefused };
  Kind kind = Kind::kRefused;
  // kUnary: JSON request in, JSON response out (`out` set only when OK).
  std::function<absl::Status(const Principal& who, absl::string_view json, std::string* out)> unary;
  // kServerStream: JSON request in, messages to `writer`; the result is the stream's end.
  // `resume_after`: the last message's seq the client holds (SSE's Last-Event-ID), if any.
  std::function<absl::Status(const Principal& who, absl::string_view json,
                             std::optional<uint64_t> resume_after, StreamWriter* writer)>
      stream;
  // kRefused: why (UNIMPLEMENTED, naming the alternative).
  absl::Status refusal;
};

class MethodTable {
 public:
  template <typename Request, typename Response>
  using Handler = std::function<absl::Status(const Principal&, const Request&, Response*)>;
  template <typename Request>
  using StreamHandler =
      std::function<absl::Status(const Principal&, const Request&, StreamWriter*)>;

  template <typename Request, typename Response>
  void AddUnary(absl::string_view name, Handler<Request, Response> handler) {
    Method& m = methods_[name];
    m.kind = Method::Kind::kUnary;
    m.unary = [handler = std::move(handler)](const Principal& who, absl::string_view json,
                                             std::string* out) -> absl::Status {
      Request request;
      if (absl::Status s = ParseJson(json, &request); !s.ok()) return s;
      Response response;
      if (absl::Status s = handler(who, request, &response); !s.ok()) return s;
      absl::StatusOr<std::string> printed = PrintJson(response);
      if (!printed.ok()) return printed.status();
      *out = *std::move(printed);
      return absl::OkStatus();
    };
  }
  // An engine query (const) or command.
  template <typename Request, typename Response>
  void AddUnary(absl::string_view name, const engine::Engine* engine,
                absl::Status (engine::Engine::*fn)(const Principal&, const Request&, Response*)
                    const) {
    AddUnary<Request, Response>(
        name, [engine, fn](const Principal& who, const Request& request, Response* response) {
          return (engine->*fn)(who, request, response);
        });
  }
  template <typename Request, typename Response>
  void AddUnary(absl::string_view name, engine::Engine* engine,
                absl::Status (engine::Engine::*fn)(const Principal&, const Request&, Response*)) {
    AddUnary<Request, Response>(
        name, [engine, fn](const Principal& who, const Request& request, Response* response) {
          return (engine->*fn)(who, request, response);
        });
  }

  // `resume(request, seq)` makes the request resume after `seq` (the stream's own field).
  template <typename Request>
  void AddStream(absl::string_view name, StreamHandler<Request> handler,
                 std::function<void(Request*, uint64_t)> resume) {
    Method& m = methods_[name];
    m.kind = Method::Kind::kServerStream;
    m.stream = [handler = std::move(handler), resume = std::move(resume)](
                   const Principal& who, absl::string_view json,
                   std::optional<uint64_t> resume_after, StreamWriter* writer) -> absl::Status {
      Request request;
      if (absl::Status s = ParseJson(json, &request); !s.ok()) return s;
      if (resume_after) resume(&request, *resume_after);
      return handler(who, request, writer);
    };
  }

  void AddRefused(absl::string_view name, absl::Status why) {
    Method& m = methods_[name];
    m.kind = Method::Kind::kRefused;
    m.refusal = std::move(why);
  }

  // The method named `name` ("/pkg.Service/Method"); null when there is none.
  const Method* Find(absl::string_view name) const;

  // OK when every method of the v1 services (in the generated descriptor pool) is in the table;
  // else names the first one missing.
  absl::Status CheckComplete() const;

 private:
  absl::flat_hash_map<std::string, Method> methods_;
};

}  // namespace salestrack::http

#endif  // SALESTRACK_HTTP_METHOD_TABLE_H_
