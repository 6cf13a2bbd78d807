// The client side of the HTTP front door's tests: one request through libcurl (a real socket, a
// real HTTP/1.1 client), and the parsers of what comes back: Connect envelopes, Server-Sent Events.
#ifndef SALESTRACK_TESTS_HTTP_CLIENT_H_
#define SALESTRACK_TESTS_HTTP_CLIENT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace salestrack::testing {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  bool path_as_is = false;  // Send the path exactly as given (no "../" folding).
  // For a stream: stop reading once this is true of the body so far.
  std::function<bool(const std::string& body)> until;
  long timeout_ms = 15000;
};

struct HttpReply {
  long status = 0;
  std::map<std::string, std::string> headers;  // Lower-case names; the last value of each.
  std::vector<std::string> set_cookies;
  std::string body;
  std::string error;  // libcurl's, when the transfer failed (a stream stopped by `until` is not).
};

HttpReply Fetch(const HttpRequest& request);

// POSTs `json` to http://127.0.0.1:port/<method> (a full name, "/salestrack.v1.X/Y") as a Connect
// unary call, with `headers` added.
HttpReply PostJson(int port, const std::string& method, const std::string& json,
                   std::vector<std::string> headers = {});

// Connect streaming: one request envelope, and the envelopes of a response.
std::string Envelope(const std::string& json);
struct Frame {
  uint8_t flags = 0;
  std::string json;
};
// The frames of `body`; a truncated one ends the list.
std::vector<Frame> Frames(const std::string& body);

// Server-Sent Events: the complete events of `body`.
struct SseEvent {
  std::string id, event, data;
};
std::vector<SseEvent> SseEvents(const std::string& body);
// The number of complete events in `body`.
size_t CountSseEvents(const std::string& body);

}  // namespace salestrack::testing

#endif  // SALESTRACK_TESTS_HTTP_CLIENT_H_
