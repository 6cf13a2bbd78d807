// Metrics: salestrackd's figures, in one prometheus-cpp registry, served two ways: a Prometheus
// endpoint (MetricsEndpoint, when metrics_listen_address is set) and AdminService.GetStats
// (`salestrack stats`), which report the same families from the same Collect().
//
// Handlers and the sequencer report events as they happen (AppendAnswered, the SequencerProbe);
// figures that already live elsewhere (the log head, the boards, RocksDB's properties) are read
// when collected, from the sources given to SetSources.
//
//   salestrack_append_events_total{outcome}     events per outcome: new, duplicate, or the
//   refusal's
//                                               code (invalid_argument, resource_exhausted, ...)
//   salestrack_append_batch_events              histogram: events per append request
//   salestrack_commit_seconds                   histogram: a commit group, taken to answerable
//   salestrack_wal_sync_seconds                 histogram: its synced RocksDB write (WAL + fsync)
//   salestrack_query_seconds{method}            histogram: a query handler's time in the daemon
//                                               (GetKpis, GetFunnel, ListFollowUps, GetScorecard,
//                                               CheckTargets, GetLeaderboard), lock wait included
//   salestrack_views_read_wait_seconds{lock}    histogram: a reader's wait for the views' lock:
//                                               "read" (queries, between applied records) or
//                                               "whole_groups" (leaderboards, between groups)
//   salestrack_log_head_seq, salestrack_log_followers, salestrack_boards,
//   salestrack_board_subscribers, salestrack_board_updates_folded_total,
//   salestrack_board_largest_outbox_entries     gauges / counters read at collection
//   salestrack_rocksdb_*{cf}                    RocksDB properties (rocksdb.total-sst-files-size
//                                               becomes salestrack_rocksdb_total_sst_files_size)
//
// Thread-safe.
#ifndef SALESTRACK_SERVER_METRICS_H_
#define SALESTRACK_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/auth.h"
#include "engine/views.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "salestrack/v1/kpi_service.pb.h"
#include "store/log_store.h"
#include "store/sequencer.h"

namespace prometheus {
class Exposer;
}

namespace salestrack::engine {
class BoardHub;
}  // namespace salestrack::engine

namespace salestrack::server {

// The engine's method names (its access table's), as handlers and metrics name them.
namespace methods = ::salestrack::engine::methods;

class Metrics final : public store::SequencerProbe, public engine::Views::ReadProbe {
 public:
  Metrics();
  ~Metrics() override;

  // The figures read at collection time. Until set (and after ClearSources) they are left out.
  struct Sources {
    const store::LogStore* store = nullptr;
    const store::Sequencer* sequencer = nullptr;
    const engine::BoardHub* boards = nullptr;
    const std::atomic<size_t>* log_followers = nullptr;
  };
  void SetSources(const Sources& sources);
  void ClearSources();

  // An append request of `events` events was answered with `result` (refused before or by the
  // sequencer, or committed).
  void AppendAnswered(size_t events, const absl::StatusOr<store::AppendResult>& result);

  // store::SequencerProbe.
  void OnWalWrite(absl::Duration d) override;
  void OnGroupCommitted(absl::Duration d, size_t batches) override;
  // Views::ReadProbe.
  void OnReadWait(absl::Duration wait, bool whole_groups) const override;

  // A query handler of `method` (one of kQueryMethods, the auth table's names) took `d`; the label
  // is the name's last part ("GetKpis"). Other methods are not counted.
  void QueryAnswered(std::string_view method, absl::Duration d) const;
  static constexpr std::array<std::string_view, 6> kQueryMethods = {
      methods::kGetKpis,      methods::kGetFunnel,    methods::kListFollowUps,
      methods::kGetScorecard, methods::kCheckTargets, methods::kGetLeaderboard};

  // Times a query handler, from its construction to the end of its scope (nullptr metrics: off).
  class QueryTimer {
   public:
    QueryTimer(const Metrics* metrics, std::string_view method)
        : metrics_(metrics), method_(method), start_(absl::Now()) {}
    ~QueryTimer() {
      if (metrics_ != nullptr) metrics_->QueryAnswered(method_, absl::Now() - start_);
    }
    QueryTimer(const QueryTimer&) = delete;
    QueryTimer& operator=(const QueryTimer&) = delete;

   private:
    const Metrics* const metrics_;
    const std::string_view method_;
    const absl::Time start_;
  };

  // Where other front doors register their own families (http/http_metrics.h).
  prometheus::Registry* registry() const { return registry_.get(); }

  // Every family, as the endpoint serves them.
  std::vector<prometheus::MetricFamily> Collect() const;
  // The same, for GetStats.
  v1::GetStatsResponse Stats() const;

  // Serves Collect() at http://address/metrics. Fails (naming the address) when it cannot bind.
  // The endpoint must be dropped before the sources go away (Server::Shutdown does).
  absl::StatusOr<std::unique_ptr<prometheus::Exposer>> Serve(const std::string& address);

 private:
  class Live;  // The collect-time figures.

  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<Live> live_;
  prometheus::Family<prometheus::Counter>* events_;
  prometheus::Counter* new_events_;
  prometheus::Counter* duplicate_events_;
  prometheus::Histogram* batch_events_;
  prometheus::Histogram* commit_seconds_;
  prometheus::Histogram* wal_sync_seconds_;
  std::array<prometheus::Histogram*, kQueryMethods.size()> query_seconds_;  // By kQueryMethods.
  prometheus::Histogram* read_wait_seconds_;
  prometheus::Histogram* whole_groups_wait_seconds_;
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_METRICS_H_
