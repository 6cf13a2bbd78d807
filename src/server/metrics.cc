#include "server/metrics.h"

#include <exception>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "engine/boards.h"
#include "prometheus/exposer.h"
#include "salestrack/mutex.h"

namespace salestrack::server {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// The figures that live elsewhere, read at each collection.
class Metrics::Live final : public prometheus::Collectable {
 public:
  void Set(const Sources& sources) {
    salestrack::MutexLock lock(&mu_);
    sources_ = sources;
  }

  std::vector<MetricFamily> Collect() const override {
    salestrack::MutexLock lock(&mu_);
    std::vector<MetricFamily> out;
    auto gauge = [&](const std::string& name, const std::string& help, double value,
                     MetricType type = MetricType::Gauge) {
      MetricFamily& f = out.emplace_back(MetricFamily{name, help, type, {}});
      ClientMetric& m = f.metric.emplace_back();
      (type == MetricType::Counter ? m.counter.value : m.gauge.value) = value;
    };
    if (sources_.sequencer != nullptr) {
      gauge("salestrack_log_head_seq", "The seq of the last durable log record.",
            static_cast<double>(sources_.sequencer->committed_seq()));
    }
    if (sources_.log_followers != nullptr) {
      gauge("salestrack_log_followers", "Live ReadEvents streams (follow).",
            static_cast<double>(sources_.log_followers->load()));
    }
    if (sources_.boards != nullptr) {
      engine::BoardHubStats s = sources_.boards->stats();
      gauge("salestrack_boards", "Live leaderboards.", static_cast<double>(s.boards));
      gauge("salestrack_board_subscribers", "Live SubscribeLeaderboard streams.",
            static_cast<double>(s.subscribers));
      gauge("salestrack_board_updates_folded_total",
            "Board updates folded into a pending one because its subscriber had not taken it yet.",
            static_cast<double>(s.updates_folded), MetricType::Counter);
      gauge("salestrack_board_largest_outbox_entries",
            "Entries waiting in the fullest subscriber outbox.",
            static_cast<double>(s.largest_outbox));
    }
    if (sources_.notify != nullptr) {
      const notify::NotifyStats& n = *sources_.notify;
      gauge("salestrack_notify_sent_total", "Webhook posts answered 2xx.",
            static_cast<double>(n.sent.load()), MetricType::Counter);
      gauge("salestrack_notify_failed_total", "Webhook posts that failed.",
            static_cast<double>(n.failed.load()), MetricType::Counter);
      gauge("salestrack_notify_retried_total", "Failed posts rescheduled for another attempt.",
            static_cast<double>(n.retried.load()), MetricType::Counter);
      gauge("salestrack_notify_dead_lettered_total", "Notifications that became dead letters.",
            static_cast<double>(n.dead_lettered.load()), MetricType::Counter);
      gauge("salestrack_notify_queue_depth", "Pending notifications over every rule.",
            static_cast<double>(n.queued.load()));
    }
    if (sources_.store != nullptr) {
      for (const store::StoreFigure& figure : sources_.store->Figures()) {
        // "rocksdb.total-sst-files-size" -> salestrack_rocksdb_total_sst_files_size; one family
        // per property, one sample per column family.
        std::string name = absl::StrCat(
            "salestrack_", absl::StrReplaceAll(figure.property, {{".", "_"}, {"-", "_"}}));
        if (out.empty() || out.back().name != name) {
          out.push_back(MetricFamily{name,
                                     absl::StrCat("RocksDB property ", figure.property, "."),
                                     MetricType::Gauge,
                                     {}});
        }
        ClientMetric& m = out.back().metric.emplace_back();
        if (!figure.family.empty()) m.label.push_back({"cf", figure.family});
        m.gauge.value = static_cast<double>(figure.value);
      }
    }
    return out;
  }

 private:
  mutable salestrack::Mutex mu_;
  Sources sources_ ABSL_GUARDED_BY(mu_);
};

namespace {

const prometheus::Histogram::BucketBoundaries kLatencyBuckets = {
    0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
// Queries take microseconds in the daemon; their waits for the views' lock, up to milliseconds.
const prometheus::Histogram::BucketBoundaries kQueryBuckets = {
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1};
const prometheus::Histogram::BucketBoundaries kBatchBuckets = {1,  2,   5,   10,  20,
                                                               50, 100, 200, 500, 1000};

v1::StatsMetric::Type ToStatsType(MetricType type) {
  switch (type) {
    case MetricType::Counter:
      return v1::StatsMetric::COUNTER;
    case MetricType::Gauge:
      return v1::StatsMetric::GAUGE;
    case MetricType::Histogram:
      return v1::StatsMetric::HISTOGRAM;
    case MetricType::Summary:
    case MetricType::Untyped:
      break;
  }
  return v1::StatsMetric::TYPE_UNSPECIFIED;
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()), live_(std::make_shared<Live>()) {
  events_ = &prometheus::BuildCounter()
                 .Name("salestrack_append_events_total")
                 .Help(
                     "Events of answered append requests, by outcome: new (written), duplicate "
                     "(already stored), or the refusal's gRPC code in lower case.")
                 .Register(*registry_);
  new_events_ = &events_->Add({{"outcome", "new"}});
  duplicate_events_ = &events_->Add({{"outcome", "duplicate"}});
  batch_events_ = &prometheus::BuildHistogram()
                       .Name("salestrack_append_batch_events")
                       .Help("Events per append request (Append call or AppendStream message).")
                       .Register(*registry_)
                       .Add({}, kBatchBuckets);
  commit_seconds_ = &prometheus::BuildHistogram()
                         .Name("salestrack_commit_seconds")
                         .Help(
                             "Commit groups: from the writer taking the group to its answers "
                             "being ready (dedup, write, WAL sync, views applied).")
                         .Register(*registry_)
                         .Add({}, kLatencyBuckets);
  wal_sync_seconds_ = &prometheus::BuildHistogram()
                           .Name("salestrack_wal_sync_seconds")
                           .Help("The synced RocksDB write of a commit group (WAL append + fsync).")
                           .Register(*registry_)
                           .Add({}, kLatencyBuckets);
  auto& queries = prometheus::BuildHistogram()
                      .Name("salestrack_query_seconds")
                      .Help(
                          "Query handlers' time in the daemon, by method, from the request's "
                          "arrival at the handler to its answer (views' lock wait included; "
                          "gRPC's queuing and the network not).")
                      .Register(*registry_);
  for (size_t i = 0; i < kQueryMethods.size(); ++i) {
    const std::string_view method = kQueryMethods[i];
    query_seconds_[i] = &queries.Add(
        {{"method", std::string(method.substr(method.rfind('/') + 1))}}, kQueryBuckets);
  }
  auto& waits = prometheus::BuildHistogram()
                    .Name("salestrack_views_read_wait_seconds")
                    .Help(
                        "Readers' wait for the KPI views' lock, by lock: read (queries; the "
                        "applier lets them in between records) or whole_groups (leaderboards; "
                        "between commit groups).")
                    .Register(*registry_);
  read_wait_seconds_ = &waits.Add({{"lock", "read"}}, kQueryBuckets);
  whole_groups_wait_seconds_ = &waits.Add({{"lock", "whole_groups"}}, kQueryBuckets);
}

Metrics::~Metrics() = default;

void Metrics::SetSources(const Sources& sources) { live_->Set(sources); }
void Metrics::ClearSources() { live_->Set(Sources{}); }

void Metrics::AppendAnswered(size_t events, const absl::StatusOr<store::AppendResult>& result) {
  batch_events_->Observe(static_cast<double>(events));
  if (result.ok()) {
    duplicate_events_->Increment(result->duplicates);
    new_events_->Increment(static_cast<double>(events - result->duplicates));
    return;
  }
  std::string code = absl::AsciiStrToLower(absl::StatusCodeToString(result.status().code()));
  events_->Add({{"outcome", code}}).Increment(static_cast<double>(events));
}

void Metrics::OnWalWrite(absl::Duration d) { wal_sync_seconds_->Observe(absl::ToDoubleSeconds(d)); }

void Metrics::OnGroupCommitted(absl::Duration d, size_t batches) {
  commit_seconds_->Observe(absl::ToDoubleSeconds(d));
}

void Metrics::OnReadWait(absl::Duration wait, bool whole_groups) const {
  (whole_groups ? whole_groups_wait_seconds_ : read_wait_seconds_)
      ->Observe(absl::ToDoubleSeconds(wait));
}

void Metrics::QueryAnswered(std::string_view method, absl::Duration d) const {
  for (size_t i = 0; i < kQueryMethods.size(); ++i) {
    if (kQueryMethods[i] == method) {
      query_seconds_[i]->Observe(absl::ToDoubleSeconds(d));
      return;
    }
  }
}

std::vector<MetricFamily> Metrics::Collect() const {
  std::vector<MetricFamily> out = registry_->Collect();
  for (MetricFamily& f : live_->Collect()) out.push_back(std::move(f));
  return out;
}

v1::GetStatsResponse Metrics::Stats() const {
  v1::GetStatsResponse response;
  for (const MetricFamily& family : Collect()) {
    for (const ClientMetric& sample : family.metric) {
      v1::StatsMetric* m = response.add_metrics();
      m->set_name(family.name);
      m->set_help(family.help);
      m->set_type(ToStatsType(family.type));
      for (const ClientMetric::Label& label : sample.label) {
        (*m->mutable_labels())[label.name] = label.value;
      }
      switch (family.type) {
        case MetricType::Counter:
          m->set_value(sample.counter.value);
          break;
        case MetricType::Gauge:
          m->set_value(sample.gauge.value);
          break;
        case MetricType::Histogram:
          m->set_count(sample.histogram.sample_count);
          m->set_sum(sample.histogram.sample_sum);
          for (const ClientMetric::Bucket& b : sample.histogram.bucket) {
            v1::HistogramBucket* out = m->add_buckets();
            out->set_upper_bound(b.upper_bound);
            out->set_cumulative_count(b.cumulative_count);
          }
          break;
        case MetricType::Summary:
        case MetricType::Untyped:
          break;
      }
    }
  }
  return response;
}

absl::StatusOr<std::unique_ptr<prometheus::Exposer>> Metrics::Serve(const std::string& address) {
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    // One thread: scrapes are rare and cheap.
    exposer = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("metrics_listen_address: cannot serve on ", address, " (", e.what(), ")"));
  }
  exposer->RegisterCollectable(registry_);
  exposer->RegisterCollectable(live_);
  return exposer;
}

}  // namespace salestrack::server
