#include "http/board_fanout.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>

#include "absl/strings/str_cat.h"

namespace salestrack::http {
namespace {

absl::Status ClientGone() { return absl::CancelledError("the client went away"); }

absl::Status ShuttingDown() {
  return absl::UnavailableError(
      "the daemon is shutting down; subscribe again with resume_after_seq");
}

// How often the thread looks for idle streams, at most.
constexpr absl::Duration kTick = absl::Milliseconds(250);
constexpr size_t kPrinted = 8;
constexpr int kMaxEvents = 256;

}  // namespace

// One stream: the hub's sink for its subscription, and its connection's state on the thread.
// Reference-counted: Serve's reference, the thread's while registered, and one per queue entry.
class BoardFanout::Outlet final : public engine::SubscriberSink {
 public:
  Outlet(std::shared_ptr<Inbox> inbox, int fd, Framing framing)
      : inbox_(std::move(inbox)), fd(fd), framing(framing) {}

  void Ref() override { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() override {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
  void Wake() override { inbox_->Queue(this); }
  void Close(const absl::Status& status) override {
    {
      salestrack::MutexLock lock(&mu);
      if (!closed) closed = status;
    }
    inbox_->Queue(this);
  }

  // Set before the thread sees the outlet (Register), then read-only.
  std::shared_ptr<engine::Subscription> subscription;
  const int fd;
  const Framing framing;

  std::atomic<bool> queued{false};

  // The thread's.
  bool registered = false;
  bool finished = false;
  bool armed = false;  // EPOLLOUT asked for: `out` waits for room.
  std::string out;     // Framed, not yet sent from `sent` on.
  size_t sent = 0;
  absl::Time last_write;

  salestrack::Mutex mu;
  std::optional<absl::Status> closed ABSL_GUARDED_BY(mu);  // The hub ended the subscription.
  std::optional<absl::Status> done ABSL_GUARDED_BY(mu);    // The thread ended the stream.
  std::string unsent ABSL_GUARDED_BY(mu);                  // What it had not sent then.

 private:
  const std::shared_ptr<Inbox> inbox_;
  std::atomic<int> refs_{1};
};

BoardFanout::BoardFanout(JsonMemo* memo, absl::Duration heartbeat)
    : memo_(memo), heartbeat_(heartbeat) {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  inbox_->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (!ok()) return;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // The wake-up.
  epoll_ctl(epoll_, EPOLL_CTL_ADD, inbox_->wake_fd, &ev);
  thread_ = std::thread([this] { Run(); });
}

BoardFanout::~BoardFanout() {
  Stop();
  std::vector<Outlet*> left;
  {
    salestrack::MutexLock lock(&inbox_->mu);
    inbox_->exit = true;
  }
  inbox_->Signal();
  if (thread_.joinable()) thread_.join();
  {
    salestrack::MutexLock lock(&inbox_->mu);
    left.swap(inbox_->queued);
  }
  for (Outlet* o : left) o->Unref();
  if (epoll_ >= 0) close(epoll_);
}

void BoardFanout::Stop() {
  {
    salestrack::MutexLock lock(&inbox_->mu);
    if (inbox_->stopped) return;
    inbox_->stopped = true;
  }
  inbox_->Signal();
}

BoardFanout::Inbox::~Inbox() {
  if (wake_fd >= 0) close(wake_fd);
}

void BoardFanout::Inbox::Signal() {
  const uint64_t one = 1;
  [[maybe_unused]] ssize_t n = write(wake_fd, &one, sizeof one);
}

void BoardFanout::Inbox::Queue(Outlet* o) {
  if (o->queued.exchange(true)) return;  // Already waiting for the thread.
  bool first;
  {
    salestrack::MutexLock lock(&mu);
    if (exit) return;
    o->Ref();
    first = queued.empty();
    queued.push_back(o);
  }
  // The thread reads the eventfd before it takes the queue: one signal per empty-to-not.
  if (first) Signal();
}

absl::Status BoardFanout::Serve(engine::Engine* engine, const Principal& who,
                                const v1::SubscribeLeaderboardRequest& request,
                                StreamWriter* writer) {
  auto* o = new Outlet(inbox_, writer->socket(), writer->framing());
  absl::StatusOr<std::shared_ptr<engine::Subscription>> sub =
      engine->SubscribeLeaderboard(who, request, o);
  if (!sub.ok()) {
    o->Unref();
    return sub.status();
  }
  writer->Start();
  o->subscription = *sub;
  o->Ref();  // The thread's.
  bool stopped;
  {
    salestrack::MutexLock lock(&inbox_->mu);
    stopped = inbox_->stopped;  // Then the thread may be gone: it takes nothing more.
    if (!stopped) inbox_->added.push_back(o);
  }
  if (stopped) {
    engine->Unsubscribe(*sub);
    o->Unref();
    o->Unref();
    return ShuttingDown();
  }
  inbox_->Signal();
  absl::Status end;
  std::string unsent;
  {
    salestrack::MutexLock lock(&o->mu);
    o->mu.Await(absl::Condition(
        +[](std::optional<absl::Status>* done) { return done->has_value(); }, &o->done));
    end = *o->done;
    unsent = std::move(o->unsent);
  }
  engine->Unsubscribe(*sub);
  if (!unsent.empty() && !writer->WriteRaw(unsent) && end.ok()) end = ClientGone();
  o->Unref();
  return end;
}

void BoardFanout::Run() {
  epoll_event events[kMaxEvents];
  absl::Time next_tick = absl::Now() + kTick;
  for (;;) {
    const int timeout_ms =
        static_cast<int>(std::max<int64_t>(0, absl::ToInt64Milliseconds(next_tick - absl::Now())));
    const int n = epoll_wait(epoll_, events, kMaxEvents, timeout_ms + 1);
    bool woken = false;
    for (int i = 0; i < n; ++i) {
      auto* o = static_cast<Outlet*>(events[i].data.ptr);
      if (o == nullptr) {
        woken = true;
        continue;
      }
      if (o->finished) continue;
      if (events[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        Finish(o, ClientGone());
      } else if ((events[i].events & EPOLLOUT) && Flush(o) && o->out.empty()) {
        Pump(o);  // What folded meanwhile.
      }
    }
    std::vector<Outlet*> added, queued;
    bool exit = false;
    if (woken) {
      uint64_t count;
      [[maybe_unused]] ssize_t r = read(inbox_->wake_fd, &count, sizeof count);
      salestrack::MutexLock lock(&inbox_->mu);
      added.swap(inbox_->added);
      queued.swap(inbox_->queued);
      stopping_ = inbox_->stopped;
      exit = inbox_->exit;
    }
    for (Outlet* o : added) Register(o);
    for (Outlet* o : queued) {
      o->queued.store(false);
      Pump(o);
      o->Unref();
    }
    if (stopping_) {
      std::vector<Outlet*> open(outlets_.begin(), outlets_.end());
      for (Outlet* o : open) Pump(o);
    }
    if (exit) return;
    const absl::Time now = absl::Now();
    if (now >= next_tick) {
      Heartbeats(now);
      next_tick = now + kTick;
    }
  }
}

void BoardFanout::Register(Outlet* o) {
  o->registered = true;
  o->last_write = absl::Now();
  outlets_.insert(o);
  epoll_event ev{};
  ev.events = EPOLLRDHUP;
  ev.data.ptr = o;
  if (epoll_ctl(epoll_, EPOLL_CTL_ADD, o->fd, &ev) != 0) {
    Finish(o, absl::InternalError(absl::StrCat("epoll_ctl: errno ", errno)));
    return;
  }
  Pump(o);  // The outbox holds the first message.
}

void BoardFanout::Pump(Outlet* o) {
  if (!o->registered || o->finished) return;
  // Read before taking: whatever the outbox held when the hub closed it goes out first.
  std::optional<absl::Status> closed;
  {
    salestrack::MutexLock lock(&o->mu);
    closed = o->closed;
  }
  if (stopping_ && !closed) closed = ShuttingDown();
  if (!o->armed) {  // Else the socket is full: the outbox folds until it drains.
    while (std::shared_ptr<const v1::LeaderboardUpdate> u = o->subscription->TakeShared()) {
      absl::StatusOr<const std::string*> frame = FrameOf(u, o->framing);
      if (!frame.ok()) return Finish(o, frame.status());
      o->out.append(**frame);
    }
    if (!Flush(o)) return;
  }
  if (closed) Finish(o, *closed);
}

bool BoardFanout::Flush(Outlet* o) {
  while (o->sent < o->out.size()) {
    const ssize_t n =
        send(o->fd, o->out.data() + o->sent, o->out.size() - o->sent, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      o->sent += static_cast<size_t>(n);
      o->last_write = absl::Now();
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      Arm(o, true);
      return true;
    } else {
      Finish(o, ClientGone());
      return false;
    }
  }
  o->out.clear();
  o->sent = 0;
  if (o->armed) Arm(o, false);
  return true;
}

void BoardFanout::Arm(Outlet* o, bool writable) {
  if (o->armed == writable) return;
  epoll_event ev{};
  ev.events = EPOLLRDHUP | (writable ? EPOLLOUT : 0u);
  ev.data.ptr = o;
  epoll_ctl(epoll_, EPOLL_CTL_MOD, o->fd, &ev);
  o->armed = writable;
}

void BoardFanout::Finish(Outlet* o, const absl::Status& status) {
  if (o->finished) return;
  o->finished = true;
  epoll_ctl(epoll_, EPOLL_CTL_DEL, o->fd, nullptr);
  outlets_.erase(o);
  {
    salestrack::MutexLock lock(&o->mu);
    o->unsent = o->out.substr(o->sent);
    o->done = status;  // The request thread takes the socket back.
  }
  o->Unref();  // The thread's.
}

void BoardFanout::Heartbeats(absl::Time now) {
  std::vector<Outlet*> idle;
  for (Outlet* o : outlets_) {
    if (o->framing == Framing::kSse && o->out.empty() && now - o->last_write >= heartbeat_) {
      idle.push_back(o);
    }
  }
  for (Outlet* o : idle) {
    o->out = Chunk(kSseHeartbeat);
    o->last_write = now;
    Flush(o);
  }
}

absl::StatusOr<const std::string*> BoardFanout::FrameOf(
    const std::shared_ptr<const v1::LeaderboardUpdate>& u, Framing framing) {
  Printed* p = nullptr;
  for (Printed& candidate : printed_) {
    if (candidate.update == u) p = &candidate;
  }
  if (p == nullptr) {
    if (printed_.size() < kPrinted) {
      p = &printed_.emplace_back();
    } else {
      p = &printed_[printed_next_];
      printed_next_ = (printed_next_ + 1) % kPrinted;
      *p = {};
    }
    p->update = u;
  }
  std::optional<std::string>& frame = p->frames[static_cast<int>(framing)];
  if (!frame) {
    absl::StatusOr<std::shared_ptr<const std::string>> json = memo_->Print(*u);
    if (!json.ok()) return json.status();
    frame = MessageChunk(framing, u->seq(), **json);
  }
  return &*frame;
}

}  // namespace salestrack::http
