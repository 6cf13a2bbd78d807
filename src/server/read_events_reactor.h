// ReadEventsReactor: one ReadEvents call, the gRPC face of an engine LogReader (a catch-up
// subscription on the log, engine/log_reader.h): it writes what the reader reads, one message at a
// time, and waits with it when it is caught up.
//
// A client that takes no message for the StallWatch's limit is ended (stall_watch.h).
//
// Lifetime: gRPC holds one reference until OnDone; a pending WaitPast and the StallWatch's calls
// hold others.
#ifndef SALESTRACK_SERVER_READ_EVENTS_REACTOR_H_
#define SALESTRACK_SERVER_READ_EVENTS_REACTOR_H_

#include <memory>

#include "engine/log_reader.h"
#include "grpcpp/grpcpp.h"
#include "salestrack/mutex.h"
#include "salestrack/v1/log_service.pb.h"
#include "server/stall_watch.h"

namespace salestrack::server {

class ReadEventsReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
                                public WatchedStream {
 public:
  // `watch` (may be null) ends the stream when its client stops taking records.
  ReadEventsReactor(std::unique_ptr<engine::LogReader> reader, grpc::CallbackServerContext* context,
                    StallWatch* watch);

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

  // Used by one step at a time (the constructor, OnWriteDone or a wake-up); OnDone gives its
  // follower place back.
  std::unique_ptr<engine::LogReader> reader_;
  grpc::CallbackServerContext* const context_;
  StallWatch* const watch_;
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
