// LogReader: one ReadEvents call's position in the log, without a transport: a catch-up
// subscription a front door loops over (gRPC: server/read_events_reactor.h).
//
// It always reads from the store, from next_seq() up to the sequencer's committed seq, so the
// switch from stored records to live ones has no gap and no duplicate by construction: "live" just
// means waiting (WaitForMore) until the committed seq moves past what was read.
//
//   for (;;) {
//     ASSIGN_OR_RETURN(LogReader::Step step, reader->Read(&response));  // errors end the call
//     if (step == kRecords) send(response); else if (step == kEnd) finish OK;
//     else reader->WaitForMore([](bool live) { live ? loop again : finish(ShuttingDown()); });
//   }
//
// Not thread-safe: one caller at a time (the front door's stream). A follower holds one of the
// engine's follower places (limits.max_log_followers) until it is destroyed.
#ifndef SALESTRACK_ENGINE_LOG_READER_H_
#define SALESTRACK_ENGINE_LOG_READER_H_

#include <atomic>
#include <cstdint>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "salestrack/v1/log_service.pb.h"
#include "store/log_store.h"
#include "store/sequencer.h"

namespace salestrack::engine {

class LogReader {
 public:
  // Records per response message, and the byte budget that also ends one.
  static constexpr size_t kMaxRecordsPerMessage = 1000;
  static constexpr size_t kMaxBytesPerMessage = 1 << 20;

  // `followers`, if not null, was counted up for this reader; LeaveFollowers or the destructor
  // counts it down.
  LogReader(const store::LogStore* store, store::Sequencer* sequencer,
            const v1::ReadEventsRequest& request, std::atomic<size_t>* followers);
  ~LogReader();
  LogReader(const LogReader&) = delete;
  LogReader& operator=(const LogReader&) = delete;

  enum class Step {
    kRecords,  // `response` holds the next records: send them, then Read again.
    kWait,     // Following and caught up: WaitForMore, then Read again.
    kEnd,      // The request's limit, or the head without follow: the call ends OK.
  };
  // The next step. Errors end the call: UNAVAILABLE (ShuttingDown) when the daemon stops, DATA_LOSS
  // when a record is missing, the store's errors.
  absl::StatusOr<Step> Read(v1::ReadEventsResponse* response);

  // Runs woken(true) on another thread once the log moves past next_seq() - 1, or woken(false) when
  // the daemon is shutting down (then end with ShuttingDown()).
  void WaitForMore(absl::AnyInvocable<void(bool live) &&> woken);

  // UNAVAILABLE, naming the from_seq to resume with.
  absl::Status ShuttingDown() const;

  uint64_t next_seq() const { return next_seq_; }

  // Gives the follower place back now (the call is over, though a wait may still be pending).
  // Idempotent; thread-safe.
  void LeaveFollowers();

 private:
  const store::LogStore* const store_;
  store::Sequencer* const sequencer_;
  std::atomic<std::atomic<size_t>*> followers_;  // Null once left.
  const bool follow_;
  const uint64_t limit_;  // 0: none.
  uint64_t next_seq_;
  uint64_t sent_ = 0;
};

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_LOG_READER_H_
