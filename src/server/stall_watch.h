// StallWatch: ends server streams whose client stopped taking what is sent.
//
// A stream can send only as fast as its client reads: a write waits in gRPC until the client makes
// room. A client that never reads would keep its stream's memory (the message in flight, what the
// daemon queued behind it, gRPC's buffers) and its place in the tables (max_log_followers,
// max_board_subscribers) for as long as its connection lives. Each watched stream says when a write
// starts and ends; one whose write has waited longer than the limit (limits.stalled_stream_seconds)
// is ended in two steps:
//   1. OnStalled: the stream stops its work, frees what it holds and finishes with the status given
//      (RESOURCE_EXHAUSTED naming the limit), which a client that reads again still sees;
//   2. one more limit later, if gRPC has still not ended the call (the client took nothing, not
//      even the status), CancelStalled: the call is cancelled, which frees gRPC's buffers.
//
// Thread-safe. One thread scans the watched streams a few times per limit.
#ifndef SALESTRACK_SERVER_STALL_WATCH_H_
#define SALESTRACK_SERVER_STALL_WATCH_H_

#include <atomic>
#include <cstdint>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "salestrack/mutex.h"

namespace salestrack::server {

class StallWatch;

// A stream the watch can end. Implementations keep themselves alive between Ref and Unref.
class WatchedStream {
 public:
  virtual ~WatchedStream() = default;
  virtual void Ref() = 0;
  virtual void Unref() = 0;
  // Step 1 above. Called at most once, never under the watch's lock.
  virtual void OnStalled(const absl::Status& status) = 0;
  // Step 2 above (grpc::ServerContextBase::TryCancel). At most once, after OnStalled.
  virtual void CancelStalled() = 0;
  // The daemon is stopping (StallWatch::EndAll): a stream that would otherwise stay open for the
  // shutdown's grace ends as soon as what it took in is answered. Never under the watch's lock.
  virtual void OnShutdown() {}

 protected:
  // Around every write: the time the write waits is what the watch measures.
  void WriteStarted();
  void WriteDone();

 private:
  friend class StallWatch;
  static int64_t NowNanos();
  std::atomic<int64_t> write_since_{0};  // Steady-clock ns when the pending write began; 0: none.
  int64_t stalled_since_ = 0;            // Guarded by the watch's lock: when OnStalled ran.
};

class StallWatch {
 public:
  // `limit` zero or negative: streams are never ended (no thread).
  explicit StallWatch(absl::Duration limit);
  ~StallWatch();  // Stops the thread; streams still watched are left alone.
  StallWatch(const StallWatch&) = delete;
  StallWatch& operator=(const StallWatch&) = delete;

  absl::Duration limit() const { return limit_; }

  // A stream registers when it starts and unregisters in OnDone, before it can be deleted.
  void Add(WatchedStream* stream);
  void Remove(WatchedStream* stream);

  // Calls OnShutdown on every stream registered now.
  void EndAll();

 private:
  void Run();
  // One scan: returns the streams to end (referenced) and those to cancel.
  void Scan(std::vector<WatchedStream*>* stall, std::vector<WatchedStream*>* cancel)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const absl::Duration limit_;
  salestrack::Mutex mu_;
  absl::flat_hash_set<WatchedStream*> streams_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_STALL_WATCH_H_
