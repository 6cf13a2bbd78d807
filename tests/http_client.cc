#include "http_client.h"

#include <curl/curl.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace salestrack::testing {
namespace {

struct Transfer {
  const HttpRequest* request;
  HttpReply* reply;
  bool stopped = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  t->reply->body.append(data, size * n);
  if (t->request->until && t->request->until(t->reply->body)) {
    t->stopped = true;
    return 0;  // Aborts the transfer: the test has what it waited for.
  }
  return size * n;
}

size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  absl::string_view line(data, size * n);
  size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    std::string name = absl::AsciiStrToLower(line.substr(0, colon));
    std::string value(absl::StripAsciiWhitespace(line.substr(colon + 1)));
    if (name == "set-cookie") t->reply->set_cookies.push_back(value);
    t->reply->headers[name] = value;
  }
  return size * n;
}

}  // namespace

HttpReply Fetch(const HttpRequest& request) {
  static const bool initialized = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  HttpReply reply;
  if (!initialized) {
    reply.error = "curl_global_init failed";
    return reply;
  }
  CURL* curl = curl_easy_init();
  Transfer transfer{&request, &reply};
  curl_slist* headers = nullptr;
  for (const std::string& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, request.timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (request.path_as_is) curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  if (code != CURLE_OK && !transfer.stopped) reply.error = curl_easy_strerror(code);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return reply;
}

HttpReply PostJson(int port, const std::string& method, const std::string& json,
                   std::vector<std::string> headers) {
  HttpRequest request;
  request.method = "POST";
  request.url = absl::StrCat("http://127.0.0.1:", port, method);
  headers.push_back("Content-Type: application/json");
  request.headers = std::move(headers);
  request.body = json;
  return Fetch(request);
}

std::string Envelope(const std::string& json) {
  std::string out(5, '\0');
  const uint32_t n = static_cast<uint32_t>(json.size());
  for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<char>(n >> (24 - 8 * i));
  return out + json;
}

std::vector<Frame> Frames(const std::string& body) {
  std::vector<Frame> frames;
  size_t at = 0;
  while (body.size() - at >= 5) {
    const auto* b = reinterpret_cast<const unsigned char*>(body.data() + at);
    const size_t n = (size_t{b[1]} << 24) | (size_t{b[2]} << 16) | (size_t{b[3]} << 8) | b[4];
    if (body.size() - at - 5 < n) break;
    frames.push_back({b[0], body.substr(at + 5, n)});
    at += 5 + n;
  }
  return frames;
}

std::vector<SseEvent> SseEvents(const std::string& body) {
  std::vector<SseEvent> events;
  std::vector<absl::string_view> blocks = absl::StrSplit(body, "\n\n");
  blocks.pop_back();  // What follows the last blank line is not complete.
  for (absl::string_view block : blocks) {
    SseEvent e;
    bool any = false;
    for (absl::string_view line : absl::StrSplit(block, '\n')) {
      if (absl::ConsumePrefix(&line, "id: ")) {
        e.id = std::string(line), any = true;
      } else if (absl::ConsumePrefix(&line, "event: ")) {
        e.event = std::string(line), any = true;
      } else if (absl::ConsumePrefix(&line, "data: ")) {
        e.data = std::string(line), any = true;
      }
    }
    if (any) events.push_back(std::move(e));
  }
  return events;
}

size_t CountSseEvents(const std::string& body) { return SseEvents(body).size(); }

}  // namespace salestrack::testing
