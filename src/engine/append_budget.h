// AppendBudget: the memory the daemon holds for appending clients, bounded per API key and in
// total.
//
// An append holds its request from the moment it is read until it is committed or refused, and an
// AppendStream holds each answer until the client takes it. Those bytes (the request's wire size,
// the answer's encoded size) are charged here to the caller's key and to the daemon's total.
// When a budget is used up:
//   - a unary Append is refused at once (RESOURCE_EXHAUSTED with a retry hint), freeing its
//     request;
//   - an AppendStream stops reading (Wait), so its transport's flow control slows its client; it
//     reads again when another holder of the same key, or any holder at all, releases bytes.
// A stream's own bound (limits.max_stream_bytes) is the stream's business
// (server/append_stream_reactor.h for gRPC).
//
// A stream checks for room before each read and is charged once the request arrives, so a key or
// the total may exceed its budget by at most one request per stream reading at that moment.
//
// Thread-safe.
#ifndef SALESTRACK_ENGINE_APPEND_BUDGET_H_
#define SALESTRACK_ENGINE_APPEND_BUDGET_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "salestrack/mutex.h"

namespace salestrack::engine {

class AppendBudget {
 public:
  // 0: no bound.
  AppendBudget(size_t per_key_bytes, size_t total_bytes)
      : per_key_(per_key_bytes), total_(total_bytes) {}
  AppendBudget(const AppendBudget&) = delete;
  AppendBudget& operator=(const AppendBudget&) = delete;

  // Charges `bytes` to `key` unconditionally (a stream's request, already read).
  void Charge(const std::string& key, size_t bytes);
  // Charges `bytes` to `key` if both budgets stay within bounds; else RESOURCE_EXHAUSTED naming the
  // budget (and its config field) with a retry hint, and nothing is charged.
  absl::Status TryCharge(const std::string& key, size_t bytes);
  // Returns bytes charged to `key`, then runs (outside the lock) every waiter registered meanwhile.
  void Release(const std::string& key, size_t bytes);

  // Room for `key` to read another request (its bytes and the total under their budgets): then
  // nullopt, and `wake` is dropped. Otherwise `wake` runs once, after the next Release of any key
  // (the waiter asks again), and the result identifies it for CancelWait. One lock for both, so a
  // Release between the check and the wait cannot be missed.
  using Waiter = absl::AnyInvocable<void() &&>;
  std::optional<uint64_t> WaitForRoom(const std::string& key, Waiter wake);
  // True when the waiter was removed before it ran (it will not run); false when it ran or runs.
  bool CancelWait(uint64_t id);

  size_t held() const;
  size_t held(const std::string& key) const;

 private:
  bool HasRoomLocked(const std::string& key, size_t more) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const size_t per_key_;
  const size_t total_;
  mutable salestrack::Mutex mu_;
  absl::flat_hash_map<std::string, size_t> by_key_ ABSL_GUARDED_BY(mu_);
  size_t held_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_waiter_ ABSL_GUARDED_BY(mu_) = 1;
  std::vector<std::pair<uint64_t, Waiter>> waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_APPEND_BUDGET_H_
