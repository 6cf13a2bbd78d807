// NotifyStats: the notifier's counters, read by the daemon's metrics at collection
// (salestrack_notify_*; server/metrics.h). Thread-safe.
#ifndef SALESTRACK_NOTIFY_STATS_H_
#define SALESTRACK_NOTIFY_STATS_H_

#include <atomic>
#include <cstdint>

namespace salestrack::notify {

struct NotifyStats {
  std::atomic<uint64_t> sent{0};           // Attempts answered 2xx.
  std::atomic<uint64_t> failed{0};         // Attempts that failed.
  std::atomic<uint64_t> retried{0};        // Failures rescheduled for another attempt.
  std::atomic<uint64_t> dead_lettered{0};  // Notifications that became dead letters.
  std::atomic<int64_t> queued{0};          // Pending notifications, over every rule.
};

}  // namespace salestrack::notify

#endif  // SALESTRACK_NOTIFY_STATS_H_
