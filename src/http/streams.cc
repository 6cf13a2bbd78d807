#include "http/streams.h"

#include <memory>
#include <optional>

#include "salestrack/mutex.h"

namespace salestrack::http {
namespace {

absl::Status ClientGone() { return absl::CancelledError("the client went away"); }

bool Stopping(const std::atomic<bool>* stopping) {
  return stopping != nullptr && stopping->load(std::memory_order_relaxed);
}

// A subscriber's sink that a blocked request thread waits on. Reference-counted: the hub takes a
// reference around each Wake and Close, so the sink outlives a call that races the stream's end.
class BlockingSink final : public engine::SubscriberSink {
 public:
  void Ref() override { refs_.fetch_add(1); }
  void Unref() override {
    if (refs_.fetch_sub(1) == 1) delete this;
  }
  void Wake() override {
    MutexLock lock(&mu_);
    woken_ = true;
  }
  void Close(const absl::Status& status) override {
    MutexLock lock(&mu_);
    if (!closed_) closed_ = status;
  }
  // Waits until woken, closed, or `timeout`; returns the close status if closed.
  std::optional<absl::Status> Wait(absl::Duration timeout) {
    MutexLock lock(&mu_);
    auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return woken_ || closed_.has_value(); };
    mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
    woken_ = false;
    return closed_;
  }

 private:
  std::atomic<int> refs_{1};
  Mutex mu_;
  bool woken_ ABSL_GUARDED_BY(mu_) = true;  // The outbox holds the first message.
  std::optional<absl::Status> closed_ ABSL_GUARDED_BY(mu_);
};

// How often a waiting stream looks at `stopping`, at most.
constexpr absl::Duration kStopPoll = absl::Milliseconds(200);

}  // namespace

absl::Status StreamBoard(engine::Engine* engine, const Principal& who,
                         const v1::SubscribeLeaderboardRequest& request, StreamWriter* writer,
                         absl::Duration heartbeat, const std::atomic<bool>* stopping,
                         BoardFanout* fanout) {
  if (fanout != nullptr && writer->socket() >= 0) {
    return fanout->Serve(engine, who, request, writer);
  }
  BlockingSink* sink = new BlockingSink();
  absl::StatusOr<std::shared_ptr<engine::Subscription>> sub =
      engine->SubscribeLeaderboard(who, request, sink);
  if (!sub.ok()) {
    sink->Unref();
    return sub.status();
  }
  absl::Status end;
  absl::Time idle_since = absl::Now();
  for (;;) {
    while (std::optional<v1::LeaderboardUpdate> next = (*sub)->Take()) {
      if (!writer->Send(*next, next->seq())) {
        end = ClientGone();
        break;
      }
      idle_since = absl::Now();
    }
    if (!end.ok()) break;
    if (Stopping(stopping)) {
      end = absl::UnavailableError(
          "the daemon is shutting down; subscribe again with resume_after_seq");
      break;
    }
    if (std::optional<absl::Status> closed = sink->Wait(std::min(heartbeat, kStopPoll))) {
      // Whatever the outbox still holds goes first (the last commits before a shutdown).
      while (std::optional<v1::LeaderboardUpdate> next = (*sub)->Take()) {
        if (!writer->Send(*next, next->seq())) break;
      }
      end = *closed;
      break;
    }
    if (absl::Now() - idle_since >= heartbeat) {
      if (!writer->Heartbeat()) {
        end = ClientGone();
        break;
      }
      idle_since = absl::Now();
    }
  }
  engine->Unsubscribe(*sub);
  sink->Unref();
  return end;
}

absl::Status StreamEvents(engine::Engine* engine, const Principal& who,
                          const v1::ReadEventsRequest& request, StreamWriter* writer,
                          absl::Duration heartbeat, const std::atomic<bool>* stopping) {
  absl::StatusOr<std::unique_ptr<engine::LogReader>> opened = engine->ReadEvents(who, request);
  if (!opened.ok()) return opened.status();
  engine::LogReader& reader = **opened;
  // The wait's callback may run after this call returned (a shutdown wakes it): it holds the
  // state it writes.
  struct Woken {
    Mutex mu;
    std::optional<bool> live ABSL_GUARDED_BY(mu);
  };
  for (;;) {
    v1::ReadEventsResponse response;
    absl::StatusOr<engine::LogReader::Step> step = reader.Read(&response);
    if (!step.ok()) return step.status();
    if (*step == engine::LogReader::Step::kEnd) return absl::OkStatus();
    if (*step == engine::LogReader::Step::kRecords) {
      const uint64_t seq =
          response.records_size() > 0 ? response.records().rbegin()->seq() : response.head_seq();
      if (!writer->Send(response, seq)) return ClientGone();
      continue;
    }
    auto woken = std::make_shared<Woken>();
    reader.WaitForMore([woken](bool live) {
      MutexLock lock(&woken->mu);
      woken->live = live;
    });
    absl::Time idle_since = absl::Now();
    for (;;) {
      {
        MutexLock lock(&woken->mu);
        auto ready = [&]()
                         ABSL_SHARED_LOCKS_REQUIRED(woken->mu) { return woken->live.has_value(); };
        woken->mu.AwaitWithTimeout(absl::Condition(&ready), std::min(heartbeat, kStopPoll));
        if (woken->live.has_value()) {
          if (!*woken->live) return reader.ShuttingDown();
          break;
        }
      }
      if (Stopping(stopping)) return reader.ShuttingDown();
      if (absl::Now() - idle_since >= heartbeat) {
        if (!writer->Heartbeat()) return ClientGone();
        idle_since = absl::Now();
      }
    }
  }
}

}  // namespace salestrack::http
