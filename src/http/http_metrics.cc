#include "http/http_metrics.h"

#include "absl/strings/str_cat.h"

namespace salestrack::http {

HttpMetrics::HttpMetrics(prometheus::Registry* registry) {
  if (registry == nullptr) return;
  requests_ = &prometheus::BuildCounter()
                   .Name("salestrack_http_requests_total")
                   .Help(
                       "HTTP requests answered, by route (RPC name, asset, session, other) and "
                       "HTTP status.")
                   .Register(*registry);
  seconds_ = &prometheus::BuildHistogram()
                  .Name("salestrack_http_request_seconds")
                  .Help("HTTP unary calls: from the request read to the answer written, by route.")
                  .Register(*registry);
  streams_ = &prometheus::BuildGauge()
                  .Name("salestrack_http_open_streams")
                  .Help(
                      "Live HTTP streams: connect (Connect server streams) or sse (Server-Sent "
                      "Events).")
                  .Register(*registry);
}

void HttpMetrics::Answered(absl::string_view route, int http_status) {
  if (requests_ == nullptr) return;
  const std::string key = absl::StrCat(route, "/", http_status);
  prometheus::Counter* counter;
  {
    MutexLock lock(&mu_);
    auto [it, inserted] = counters_.try_emplace(key, nullptr);
    if (inserted) {
      it->second =
          &requests_->Add({{"route", std::string(route)}, {"code", absl::StrCat(http_status)}});
    }
    counter = it->second;
  }
  counter->Increment();
}

void HttpMetrics::Timed(absl::string_view route, absl::Duration d) {
  if (seconds_ == nullptr) return;
  prometheus::Histogram* histogram;
  {
    MutexLock lock(&mu_);
    auto [it, inserted] = histograms_.try_emplace(route, nullptr);
    if (inserted) {
      it->second = &seconds_->Add(
          {{"route", std::string(route)}},
          prometheus::Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                  0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5});
    }
    histogram = it->second;
  }
  histogram->Observe(absl::ToDoubleSeconds(d));
}

void HttpMetrics::StreamOpen(absl::string_view kind, int delta) {
  if (streams_ == nullptr) return;
  streams_->Add({{"kind", std::string(kind)}}).Increment(delta);
}

}  // namespace salestrack::http
