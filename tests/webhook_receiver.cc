#include "webhook_receiver.h"

#include <civetweb.h>

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

namespace salestrack::testing {

WebhookReceiver::WebhookReceiver(int port) {
  static const int init = mg_init_library(0);
  (void)init;
  const std::string ports = absl::StrCat("127.0.0.1:", port);
  const char* options[] = {"listening_ports",    ports.c_str(), "num_threads", "16",
                           "request_timeout_ms", "60000",       nullptr};
  mg_callbacks callbacks{};
  context_ = mg_start(&callbacks, this, options);
  if (context_ == nullptr) {
    std::fprintf(stderr, "WebhookReceiver: cannot listen on %s\n", ports.c_str());
    std::abort();
  }
  mg_set_request_handler(context_, "/", &WebhookReceiver::Handle, this);
  mg_server_port bound[4];
  const int n = mg_get_server_ports(context_, 4, bound);
  port_ = n > 0 ? bound[0].port : 0;
}

WebhookReceiver::~WebhookReceiver() {
  Release();
  {
    MutexLock lock(&mu_);
    hold_ = absl::ZeroDuration();
  }
  mg_stop(context_);
}

std::string WebhookReceiver::Url(const std::string& path) const {
  return absl::StrCat("http://127.0.0.1:", port_, path);
}

void WebhookReceiver::SetStatus(int status) {
  MutexLock lock(&mu_);
  status_ = status;
}

void WebhookReceiver::Hold(absl::Duration hold) {
  MutexLock lock(&mu_);
  hold_ = hold;
}

void WebhookReceiver::Release() {
  MutexLock lock(&mu_);
  hold_ = absl::ZeroDuration();
  ++release_generation_;
}

std::vector<WebhookReceiver::Request> WebhookReceiver::requests() const {
  MutexLock lock(&mu_);
  return requests_;
}

bool WebhookReceiver::WaitFor(const std::function<bool(const std::vector<Request>&)>& done,
                              absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    if (done(requests())) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

bool WebhookReceiver::WaitForCount(size_t n, absl::Duration timeout) const {
  return WaitFor([n](const std::vector<Request>& r) { return r.size() >= n; }, timeout);
}

int WebhookReceiver::Handle(mg_connection* conn, void* self) {
  return static_cast<WebhookReceiver*>(self)->Serve(conn);
}

int WebhookReceiver::Serve(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  Request r;
  r.path = info->local_uri != nullptr ? info->local_uri : "";
  r.query = info->query_string != nullptr ? info->query_string : "";
  const char* key = mg_get_header(conn, "Idempotency-Key");
  r.idempotency_key = key != nullptr ? key : "";
  const char* type = mg_get_header(conn, "Content-Type");
  r.content_type = type != nullptr ? type : "";
  char buffer[4096];
  for (int n; (n = mg_read(conn, buffer, sizeof buffer)) > 0;) r.body.append(buffer, n);
  int status = 200;
  {
    MutexLock lock(&mu_);
    requests_.push_back(r);
    status = status_;
    if (hold_ > absl::ZeroDuration()) {
      const uint64_t generation = release_generation_;
      const absl::Duration hold = hold_;
      struct Released {
        const WebhookReceiver* receiver;
        uint64_t generation;
        bool Check() const ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return receiver->release_generation_ != generation;
        }
      } released{this, generation};
      mu_.AwaitWithTimeout(absl::Condition(&released, &Released::Check), hold);
      status = status_;
    }
  }
  const std::string body = status == 200 ? R"({"errcode":0,"errmsg":"ok"})" : "receiver says no";
  mg_printf(conn,
            "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
            "Connection: close\r\n\r\n",
            status, body.size());
  mg_write(conn, body.data(), body.size());
  return status;
}

}  // namespace salestrack::testing
