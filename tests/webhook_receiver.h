// WebhookReceiver: a local HTTP server (civetweb) standing in for the notification receivers in the
// notification tests: it records every POST (path, query, Idempotency-Key, body) and answers
// with a status the test sets, or holds the request (a receiver that hangs) until released.
#ifndef SALESTRACK_TESTS_WEBHOOK_RECEIVER_H_
#define SALESTRACK_TESTS_WEBHOOK_RECEIVER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "salestrack/mutex.h"

struct mg_context;
struct mg_connection;

namespace salestrack::testing {

class WebhookReceiver {
 public:
  struct Request {
    std::string path;
    std::string query;
    std::string idempotency_key;
    std::string content_type;
    std::string body;
  };

  // Listens on 127.0.0.1:port (0: a free port).
  explicit WebhookReceiver(int port = 0);
  ~WebhookReceiver();  // Releases held requests, then stops.
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  int port() const { return port_; }
  std::string Url(const std::string& path) const;

  // The status answered from now on (default 200, body {"errcode":0}).
  void SetStatus(int status);
  // From now on, hold each request (recorded first) until Release or `hold` has passed, then
  // answer.
  void Hold(absl::Duration hold);
  void Release();

  std::vector<Request> requests() const;
  // Waits until `done(requests())` holds; false after `timeout`.
  bool WaitFor(const std::function<bool(const std::vector<Request>&)>& done,
               absl::Duration timeout = absl::Seconds(20)) const;
  // Waits for at least n requests.
  bool WaitForCount(size_t n, absl::Duration timeout = absl::Seconds(20)) const;

 private:
  static int Handle(mg_connection* conn, void* self);
  int Serve(mg_connection* conn);

  mg_context* context_ = nullptr;
  int port_ = 0;
  mutable Mutex mu_;
  std::vector<Request> requests_ ABSL_GUARDED_BY(mu_);
  int status_ ABSL_GUARDED_BY(mu_) = 200;
  absl::Duration hold_ ABSL_GUARDED_BY(mu_) = absl::ZeroDuration();
  uint64_t release_generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace salestrack::testing

#endif  // SALESTRACK_TESTS_WEBHOOK_RECEIVER_H_
