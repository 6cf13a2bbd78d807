// RuleSender: one rule's delivery queue and its thread. It posts the rule's pending notifications
// one at a time, the earliest due first, and records each outcome in the outbox before the next:
// delivered (2xx) -> removed; failed -> rescheduled after an exponential backoff with jitter, or
// after delivery.max_attempts attempts a dead letter. Each rule has its own thread, so a receiver
// that hangs holds up only its own rule (for at most the attempt timeout per attempt).
//
// Thread-safe. Stop() aborts a post in flight (it stays pending, its attempt uncounted).
#ifndef SALESTRACK_NOTIFY_SENDER_H_
#define SALESTRACK_NOTIFY_SENDER_H_

#include <atomic>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "notify/config.h"
#include "notify/outbox.h"
#include "notify/stats.h"
#include "salestrack/clock.h"
#include "salestrack/mutex.h"

namespace salestrack::notify {

class RuleSender {
 public:
  // REQUIRES: the pointers outlive this.
  RuleSender(v1::NotifyRule rule, const DeliveryOptions& delivery, Outbox* outbox,
             NotifyStats* stats, const Clock* clock);
  ~RuleSender();  // Stop()s.

  // Adds notifications already written to the outbox as pending.
  void Add(std::vector<v1::Notification> notifications);
  // Pending notifications held (the queue's depth).
  size_t pending() const;
  void Start();
  void Stop();

  // The delay before attempt `failures` + 1: initial * 2^(failures-1) capped at max, plus up to
  // half of it again at random (`unit` in [0, 1)).
  static absl::Duration Backoff(const DeliveryOptions& delivery, uint32_t failures, double unit);

 private:
  void Run();
  // Posts `n` once, records the outcome and puts it back in the queue unless it is done.
  void Attempt(v1::Notification n);
  absl::Time DueAt(const v1::Notification& n) const;

  const v1::NotifyRule rule_;
  const DeliveryOptions delivery_;
  Outbox* const outbox_;
  NotifyStats* const stats_;
  const Clock* const clock_;
  std::atomic<bool> stopping_{false};
  mutable Mutex mu_;
  std::vector<v1::Notification> queue_ ABSL_GUARDED_BY(mu_);
  bool in_flight_ ABSL_GUARDED_BY(mu_) = false;  // One taken from queue_, being posted.
  bool wake_ ABSL_GUARDED_BY(mu_) = false;       // Add ran since Run last looked.
  std::mt19937_64 random_;                       // The thread's only.
  std::thread thread_;
};

}  // namespace salestrack::notify

#endif  // SALESTRACK_NOTIFY_SENDER_H_
