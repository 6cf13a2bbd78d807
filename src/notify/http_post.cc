#include "notify/http_post.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace salestrack::notify {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t KeepSome(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  const size_t n = size * count;
  if (out->size() < kMaxResponseBytes)
    out->append(data, std::min(n, kMaxResponseBytes - out->size()));
  return n;  // The rest is read and dropped, so the connection ends cleanly.
}

int CheckAbort(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* abort = static_cast<const std::atomic<bool>*>(user);
  return abort != nullptr && abort->load() ? 1 : 0;
}

std::string PercentEncode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      // Upper-case hex, as RFC 3986 recommends and the robots' own examples produce.
      absl::StrAppend(&out, "%", absl::AsciiStrToUpper(absl::BytesToHexString(std::string(1, c))));
    }
  }
  return out;
}

// The robots' refusal inside a 200: {"errcode": N, "errmsg": "..."}; empty when none.
std::string RobotRefusal(const std::string& answer) {
  google::protobuf::Struct parsed;
  if (!google::protobuf::util::JsonStringToMessage(answer, &parsed).ok()) return "";
  auto code = parsed.fields().find("errcode");
  if (code == parsed.fields().end() || code->second.number_value() == 0) return "";
  auto message = parsed.fields().find("errmsg");
  return absl::StrCat("errcode ", code->second.number_value(),
                      message == parsed.fields().end() ? "" : ": ",
                      message == parsed.fields().end() ? "" : message->second.string_value());
}

}  // namespace

std::string DingTalkSignedUrl(const std::string& url, const std::string& secret,
                              int64_t timestamp_ms) {
  const std::string to_sign = absl::StrCat(timestamp_ms, "\n", secret);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(to_sign.data()), to_sign.size(), mac, &mac_size);
  const std::string sign =
      absl::Base64Escape(std::string(reinterpret_cast<const char*>(mac), mac_size));
  return absl::StrCat(url, absl::StrContains(url, "?") ? "&" : "?", "timestamp=", timestamp_ms,
                      "&sign=", PercentEncode(sign));
}

PostResult PostJson(const PostRequest& request, v1::NotifyTarget::Format format) {
  InitCurlOnce();
  PostResult result;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    result.error = "libcurl could not make a handle";
    return result;
  }
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json; charset=utf-8");
  headers = curl_slist_append(headers,
                              absl::StrCat("Idempotency-Key: ", request.idempotency_key).c_str());
  headers = curl_slist_append(headers, "Expect:");  // No 100-continue round trip.
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers,
                                                                          curl_slist_free_all);
  std::string answer;
  char error[CURL_ERROR_SIZE] = {0};
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // Timeouts without SIGALRM (threads).
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(request.connect_timeout)));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(request.total_timeout)));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(h, CURLOPT_USERAGENT, "salestrackd-notify/1");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, KeepSome);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, CheckAbort);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, request.abort);
  const CURLcode code = curl_easy_perform(h);
  if (code == CURLE_ABORTED_BY_CALLBACK) {
    result.aborted = true;
    result.error = "stopped: the daemon is shutting down";
    return result;
  }
  if (code != CURLE_OK) {
    result.error = absl::StrCat("POST failed: ", error[0] != 0 ? error : curl_easy_strerror(code));
    return result;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.http_status);
  if (result.http_status < 200 || result.http_status > 299) {
    result.error = absl::StrCat("HTTP ", result.http_status, ": ", answer.substr(0, 200));
    return result;
  }
  if (format == v1::NotifyTarget::DINGTALK || format == v1::NotifyTarget::WECOM) {
    if (std::string refusal = RobotRefusal(answer); !refusal.empty()) {
      result.error = absl::StrCat("the robot refused the message: ", refusal);
      return result;
    }
  }
  result.delivered = true;
  return result;
}

}  // namespace salestrack::notify
