// ReadEventsReactor: one ReadEvents call, a catch-up subscription on the log.
//
// It always reads from the store, from next_seq_ up to the sequencer's committed seq, so the switch
// from stored records to live ones has no gap and no duplicate by construction: "live" just means
// waiting (Sequencer::WaitPast) until the committed seq moves past what was sent.
//
// A client that takes no message for the StallWatch's limit is ended (stall_watch.h).
//
// Lifetime: gRPC holds one reference until OnDone; a pending WaitPast and the StallWatch's calls
// hold others.
#ifndef SALESTRACK_SERVER_READ_EVENTS_REACTOR_H_
#define SALESTRACK_SERVER_READ_EVENTS_REACTOR_H_

#include <atomic>

#include "grpcpp/grpcpp.h"
#include "salestrack/mutex.h"
#include "salestrack/v1/log_service.pb.h"
#include "server/stall_watch.h"
#include "store/log_store.h"
#include "store/sequencer.h"

namespace salestrack::server {

class ReadEventsReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
                                public WatchedStream {
 public:
  // Records per response message, and the byte budget that also ends one.
  static constexpr size_t kMaxRecordsPerMessage = 1000;
  static constexpr size_t kMaxBytesPerMessage = 1 << 20;

  // `followers`, if not null, was counted up for this stream; the reactor counts it down when done.
  // `watch` (may be null) ends the stream when its client stops taking records.
  ReadEventsReactor(store::LogStore* store, store::Sequencer* sequencer,
                    const v1::ReadEventsRequest& request, std::atomic<size_t>* followers,
                    grpc::CallbackServerContext* context, StallWatch* watch);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  // WatchedStream.
  void Ref() override;
  void Unref() override;
  void OnStalled(const absl::Status& status) override;
  void CancelStalled() override;

 private:
  // Sends the next stored records, or waits for new ones, or finishes.
  void Next();
  void OnWoken(bool live);
  void FinishOnce(const grpc::Status& status);
  void FinishShuttingDown();  // UNAVAILABLE, naming the from_seq to resume with.

  store::LogStore* const store_;
  store::Sequencer* const sequencer_;
  std::atomic<size_t>* const followers_;
  grpc::CallbackServerContext* const context_;
  StallWatch* const watch_;
  const bool follow_;
  const uint64_t limit_;  // 0: none.
  uint64_t next_seq_;
  uint64_t sent_ = 0;
  grpc::ByteBuffer response_;  // The encoded message in flight; lives until OnWriteDone.

  salestrack::Mutex mu_;
  int refs_ ABSL_GUARDED_BY(mu_) = 1;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;  // OnDone ran: context_ is gone.
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_READ_EVENTS_REACTOR_H_
