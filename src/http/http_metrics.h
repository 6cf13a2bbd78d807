// The HTTP front door's figures, registered in the daemon's prometheus-cpp registry (beside
// server/metrics.cc's), so the Prometheus endpoint and GetStats show them:
//   salestrack_http_requests_total{route, code}   requests answered, by route and HTTP status
//   salestrack_http_request_seconds{route}        unary calls' time, from the request to the answer
//   salestrack_http_open_streams{kind}            live streams: "connect" or "sse"
// `route` is the RPC's name ("GetKpis"), "asset", "session" or "other": a bounded set, whatever the
// paths clients send.
//
// Thread-safe.
#ifndef SALESTRACK_HTTP_HTTP_METRICS_H_
#define SALESTRACK_HTTP_HTTP_METRICS_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "salestrack/mutex.h"

namespace salestrack::http {

class HttpMetrics {
 public:
  // Null registry: nothing is counted.
  explicit HttpMetrics(prometheus::Registry* registry);

  void Answered(absl::string_view route, int http_status);
  void Timed(absl::string_view route, absl::Duration d);
  // A stream of `kind` opened (+1) or ended (-1).
  void StreamOpen(absl::string_view kind, int delta);

 private:
  prometheus::Family<prometheus::Counter>* requests_ = nullptr;
  prometheus::Family<prometheus::Histogram>* seconds_ = nullptr;
  prometheus::Family<prometheus::Gauge>* streams_ = nullptr;
  Mutex mu_;  // prometheus-cpp's Family::Add is thread-safe; this guards the caches.
  absl::flat_hash_map<std::string, prometheus::Counter*> counters_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, prometheus::Histogram*> histograms_ ABSL_GUARDED_BY(mu_);
};

}  // namespace salestrack::http

#endif  // SALESTRACK_HTTP_HTTP_METRICS_H_
