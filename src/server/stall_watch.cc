#include "server/stall_watch.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace salestrack::server {

int64_t WatchedStream::NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void WatchedStream::WriteStarted() { write_since_.store(NowNanos(), std::memory_order_relaxed); }

void WatchedStream::WriteDone() { write_since_.store(0, std::memory_order_relaxed); }

StallWatch::StallWatch(absl::Duration limit) : limit_(limit) {
  if (limit_ > absl::ZeroDuration()) thread_ = std::thread([this] { Run(); });
}

StallWatch::~StallWatch() {
  {
    salestrack::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void StallWatch::Add(WatchedStream* stream) {
  salestrack::MutexLock lock(&mu_);
  streams_.insert(stream);
}

void StallWatch::Remove(WatchedStream* stream) {
  salestrack::MutexLock lock(&mu_);
  streams_.erase(stream);
}

void StallWatch::EndAll() {
  std::vector<WatchedStream*> streams;
  {
    salestrack::MutexLock lock(&mu_);
    for (WatchedStream* s : streams_) {
      s->Ref();  // Kept alive until its OnShutdown has run, outside the lock.
      streams.push_back(s);
    }
  }
  for (WatchedStream* s : streams) {
    s->OnShutdown();
    s->Unref();
  }
}

void StallWatch::Scan(std::vector<WatchedStream*>* stall, std::vector<WatchedStream*>* cancel) {
  const int64_t now = WatchedStream::NowNanos();
  const int64_t limit = absl::ToInt64Nanoseconds(limit_);
  for (WatchedStream* s : streams_) {
    if (s->stalled_since_ != 0) {
      if (s->stalled_since_ > 0 && now - s->stalled_since_ >= limit) {
        s->stalled_since_ = -1;  // Cancelled: nothing more to do.
        s->Ref();
        cancel->push_back(s);
      }
      continue;
    }
    const int64_t since = s->write_since_.load(std::memory_order_relaxed);
    if (since != 0 && now - since >= limit) {
      s->stalled_since_ = now;
      s->Ref();
      stall->push_back(s);
    }
  }
}

void StallWatch::Run() {
  // A few scans per limit: a stream is ended between 1 and 1.25 limits after its write began.
  const absl::Duration tick = std::min(absl::Seconds(1), limit_ / 4);
  const std::string message = absl::StrCat(
      "the client took nothing the daemon sent for ", absl::FormatDuration(limit_),
      " (limits.stalled_stream_seconds): the stream is ended to free what it held; read the "
      "stream's messages as they come");
  salestrack::MutexLock lock(&mu_);
  while (!stopping_) {
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), tick);
    if (stopping_) break;
    std::vector<WatchedStream*> stall, cancel;
    Scan(&stall, &cancel);
    if (stall.empty() && cancel.empty()) continue;
    mu_.Unlock();
    for (WatchedStream* s : stall) {
      spdlog::warn("event=stream_stalled limit_seconds={} action=finish",
                   absl::ToDoubleSeconds(limit_));
      s->OnStalled(absl::ResourceExhaustedError(message));
      s->Unref();
    }
    for (WatchedStream* s : cancel) {
      spdlog::warn("event=stream_stalled limit_seconds={} action=cancel",
                   absl::ToDoubleSeconds(limit_));
      s->CancelStalled();
      s->Unref();
    }
    mu_.Lock();
  }
}

}  // namespace salestrack::server
