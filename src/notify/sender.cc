#include "notify/sender.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "notify/http_post.h"
#include "spdlog/spdlog.h"

namespace salestrack::notify {
namespace {

using google::protobuf::util::TimeUtil;

}  // namespace

RuleSender::RuleSender(v1::NotifyRule rule, const DeliveryOptions& delivery, Outbox* outbox,
                       NotifyStats* stats, const Clock* clock)
    : rule_(std::move(rule)),
      delivery_(delivery),
      outbox_(outbox),
      stats_(stats),
      clock_(clock),
      random_(std::random_device{}()) {}

RuleSender::~RuleSender() { Stop(); }

void RuleSender::Start() {
  thread_ = std::thread([this] { Run(); });
}

void RuleSender::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void RuleSender::Add(std::vector<v1::Notification> notifications) {
  MutexLock lock(&mu_);
  stats_->queued += static_cast<int64_t>(notifications.size());
  for (v1::Notification& n : notifications) queue_.push_back(std::move(n));
  wake_ = true;
}

size_t RuleSender::pending() const {
  MutexLock lock(&mu_);
  return queue_.size() + (in_flight_ ? 1 : 0);
}

absl::Duration RuleSender::Backoff(const DeliveryOptions& delivery, uint32_t failures,
                                   double unit) {
  absl::Duration delay = delivery.initial_backoff;
  // Doubling past max_backoff (<= 1 day) stops early, so the product never overflows.
  for (uint32_t i = 1; i < failures && delay < delivery.max_backoff; ++i) delay *= 2;
  delay = std::min(delay, delivery.max_backoff);
  return delay + delay * (std::clamp(unit, 0.0, 1.0) / 2);
}

absl::Time RuleSender::DueAt(const v1::Notification& n) const {
  if (!n.has_next_attempt_at()) return absl::InfinitePast();
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(n.next_attempt_at()));
}

void RuleSender::Run() {
  for (;;) {
    v1::Notification next;
    {
      MutexLock lock(&mu_);
      for (;;) {
        if (stopping_) return;
        auto earliest = std::min_element(queue_.begin(), queue_.end(),
                                         [&](const v1::Notification& a, const v1::Notification& b) {
                                           const absl::Time da = DueAt(a), db = DueAt(b);
                                           if (da != db) return da < db;
                                           return a.seq() != b.seq()
                                                      ? a.seq() < b.seq()
                                                      : a.idempotency_key() < b.idempotency_key();
                                         });
        const absl::Time now = clock_->Now();
        if (earliest != queue_.end() && DueAt(*earliest) <= now) {
          next = std::move(*earliest);
          queue_.erase(earliest);
          in_flight_ = true;
          break;
        }
        // Woken by Add or Stop, or when the earliest is due.
        const absl::Duration wait =
            earliest == queue_.end() ? absl::Seconds(1) : DueAt(*earliest) - now;
        mu_.AwaitWithTimeout(absl::Condition(
                                 +[](RuleSender* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
                                   return s->stopping_.load() || s->wake_;
                                 },
                                 this),
                             std::min(wait, absl::Seconds(1)));
        wake_ = false;
      }
    }
    Attempt(std::move(next));
  }
}

void RuleSender::Attempt(v1::Notification n) {
  const v1::NotifyTarget& target = rule_.target();
  PostRequest request{
      .url = target.secret().empty() ? target.url()
                                     : DingTalkSignedUrl(target.url(), target.secret(),
                                                         absl::ToUnixMillis(clock_->Now())),
      .body = n.body(),
      .idempotency_key = n.idempotency_key(),
      .connect_timeout = delivery_.connect_timeout,
      .total_timeout = delivery_.attempt_timeout,
      .abort = &stopping_,
  };
  const PostResult result = PostJson(request, target.format());
  auto finish = [&](bool keep) {
    MutexLock lock(&mu_);
    in_flight_ = false;
    if (keep) {
      queue_.push_back(std::move(n));
    } else {
      --stats_->queued;
    }
  };
  if (result.aborted) return finish(/*keep=*/true);
  if (result.delivered) {
    ++stats_->sent;
    // Not recorded (a failed write): it stays pending on disk and is sent again after a restart,
    // with the same key.
    if (absl::Status s = outbox_->Delivered(n); !s.ok()) {
      spdlog::error("event=notify_record_failed rule={} key={} error=\"{}\"", rule_.name(),
                    n.idempotency_key(), std::string(s.message()));
    }
    spdlog::debug("event=notify_sent rule={} key={} attempts={}", rule_.name(), n.idempotency_key(),
                  n.attempts() + 1);
    return finish(/*keep=*/false);
  }
  ++stats_->failed;
  n.set_attempts(n.attempts() + 1);
  n.set_last_error(result.error);
  const absl::Time now = clock_->Now();
  if (n.attempts() >= delivery_.max_attempts) {
    if (absl::Status s = outbox_->Bury(n); s.ok()) {
      ++stats_->dead_lettered;
      spdlog::warn("event=notify_dead_letter rule={} key={} attempts={} error=\"{}\"", rule_.name(),
                   n.idempotency_key(), n.attempts(), result.error);
      return finish(/*keep=*/false);
    } else {
      spdlog::error("event=notify_record_failed rule={} key={} error=\"{}\"", rule_.name(),
                    n.idempotency_key(), std::string(s.message()));
    }
  }
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const absl::Duration delay = Backoff(delivery_, n.attempts(), unit(random_));
  *n.mutable_next_attempt_at() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now + delay));
  if (absl::Status s = outbox_->Reschedule(n); !s.ok()) {
    spdlog::error("event=notify_record_failed rule={} key={} error=\"{}\"", rule_.name(),
                  n.idempotency_key(), std::string(s.message()));
  }
  ++stats_->retried;
  spdlog::info("event=notify_retry rule={} key={} attempts={} retry_in_ms={} error=\"{}\"",
               rule_.name(), n.idempotency_key(), n.attempts(), absl::ToInt64Milliseconds(delay),
               result.error);
  finish(/*keep=*/true);
}

}  // namespace salestrack::notify
