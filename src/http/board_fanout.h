// BoardFanout: one thread that writes the board streams (SubscribeLeaderboard as Server-Sent
// Events or a Connect stream) of many HTTP connections, so a commit seen by N subscribers costs N
// non-blocking sends on one thread rather than N threads woken on a machine with a few cores.
//
// civetweb serves a connection per thread and a stream's handler must not return while the stream
// lives, so each stream's request thread parks in Serve (woken once, when the stream ends) and
// this thread writes to the connection's socket (StreamWriter::socket()). The hub's Wake queues
// the stream; this thread takes its outbox (Subscription::TakeShared: one commit's message is
// built once per view by the hub), prints the message as JSON once for all the streams it goes to,
// frames it (framing.h) and sends it with MSG_DONTWAIT. A connection whose socket is full keeps
// its unsent bytes and waits for EPOLLOUT while its outbox folds, so a slow reader never holds up
// the others; a peer that hangs up (EPOLLRDHUP) or fails a send ends its stream at once. An idle
// SSE stream gets a heartbeat every `heartbeat`.
//
// When a stream ends (its board closed, the daemon stopping, the client gone) its request thread
// wakes, writes what this thread had not sent, then the stream's end, through civetweb.
#ifndef SALESTRACK_HTTP_BOARD_FANOUT_H_
#define SALESTRACK_HTTP_BOARD_FANOUT_H_

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "engine/engine.h"
#include "http/json_codec.h"
#include "http/method_table.h"
#include "salestrack/mutex.h"

namespace salestrack::http {

class BoardFanout {
 public:
  // `memo` (shared with the request threads' streams) must outlive this.
  BoardFanout(JsonMemo* memo, absl::Duration heartbeat);
  ~BoardFanout();  // Stop()s and joins the thread.
  BoardFanout(const BoardFanout&) = delete;
  BoardFanout& operator=(const BoardFanout&) = delete;

  // False when the thread's epoll or eventfd could not be made (out of descriptors): streams are
  // then written by their request threads.
  bool ok() const { return epoll_ >= 0 && inbox_->wake_fd >= 0; }

  // Serves `who`'s subscription to `request` on `writer` (REQUIRES: ok(), writer->socket() >= 0)
  // until the stream ends, blocking the calling thread. A refusal (access, scope, the board)
  // returns before anything is written. Returns how the stream ended (streams.h's StreamBoard);
  // what this thread had not sent has been written through writer->WriteRaw by then.
  absl::Status Serve(engine::Engine* engine, const Principal& who,
                     const v1::SubscribeLeaderboardRequest& request, StreamWriter* writer);

  // Ends every stream with UNAVAILABLE and refuses new ones: the daemon is stopping. Idempotent.
  void Stop();

 private:
  class Outlet;
  // A message's frames, by its address (the hub shares one message among a view's subscribers).
  struct Printed {
    std::shared_ptr<const v1::LeaderboardUpdate> update;
    std::optional<std::string> frames[2];  // By Framing.
  };

  // What the other threads hand the thread, shared with the outlets: the hub may still wake one
  // (outside its locks) as its stream ends with the daemon.
  struct Inbox {
    ~Inbox();
    void Queue(Outlet* o);  // From the hub's thread (Wake, Close).
    void Signal();
    int wake_fd = -1;  // An eventfd.
    salestrack::Mutex mu;
    std::vector<Outlet*> queued ABSL_GUARDED_BY(mu);  // Each holds a reference.
    std::vector<Outlet*> added ABSL_GUARDED_BY(mu);   // Each holds the thread's reference.
    bool stopped ABSL_GUARDED_BY(mu) = false;
    bool exit ABSL_GUARDED_BY(mu) = false;  // The thread is gone: nothing more is queued.
  };

  void Run();
  // The rest run on the thread.
  void Register(Outlet* o);
  void Pump(Outlet* o);
  bool Flush(Outlet* o);  // False when the stream ended.
  void Arm(Outlet* o, bool writable);
  void Finish(Outlet* o, const absl::Status& status);
  void Heartbeats(absl::Time now);
  absl::StatusOr<const std::string*> FrameOf(const std::shared_ptr<const v1::LeaderboardUpdate>& u,
                                             Framing framing);

  JsonMemo* const memo_;
  const absl::Duration heartbeat_;
  int epoll_ = -1;
  const std::shared_ptr<Inbox> inbox_ = std::make_shared<Inbox>();

  // The thread's own.
  absl::flat_hash_set<Outlet*> outlets_;
  std::vector<Printed> printed_;  // The last few messages, a ring.
  size_t printed_next_ = 0;
  bool stopping_ = false;  // Stop() seen: every stream is finished as it is seen.
  std::thread thread_;
};

}  // namespace salestrack::http

#endif  // SALESTRACK_HTTP_BOARD_FANOUT_H_
