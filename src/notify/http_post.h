// One HTTP POST of a JSON body through libcurl: the delivery of one notification attempt.
//
// Bounded: a connect timeout and a total timeout per attempt, no redirects (a 3xx is a failure:
// a receiver that moved must be reconfigured, and a redirect could lead to another scheme or
// host), http and https only, and at most kMaxResponseBytes of the answer kept (for the error
// message and the robots' errcode). Thread-safe: each call has its own handle.
#ifndef SALESTRACK_NOTIFY_HTTP_POST_H_
#define SALESTRACK_NOTIFY_HTTP_POST_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "salestrack/v1/config.pb.h"

namespace salestrack::notify {

inline constexpr size_t kMaxResponseBytes = 4096;

struct PostRequest {
  std::string url;
  std::string body;
  std::string idempotency_key;  // Sent as the Idempotency-Key header.
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration total_timeout = absl::Seconds(10);
  // Checked while the request runs: true aborts it (the daemon is stopping).
  const std::atomic<bool>* abort = nullptr;
};

struct PostResult {
  bool delivered = false;  // A 2xx (and, for the robots, errcode 0).
  bool aborted = false;    // Stopped by `abort`: not an attempt.
  long http_status = 0;    // 0: no answer.
  std::string error;       // Why not delivered, for the dead letter and the log.
};

// Posts `request`. For DINGTALK and WECOM a 2xx whose JSON body has a non-zero "errcode" is a
// failure too (the robots answer 200 to a refused message).
PostResult PostJson(const PostRequest& request, v1::NotifyTarget::Format format);

// A DingTalk robot's signed URL: `url` with timestamp=MS and sign=urlencode(base64(
// HMAC-SHA256(key=secret, "MS\nsecret"))) appended.
std::string DingTalkSignedUrl(const std::string& url, const std::string& secret,
                              int64_t timestamp_ms);

}  // namespace salestrack::notify

#endif  // SALESTRACK_NOTIFY_HTTP_POST_H_
