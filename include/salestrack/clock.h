// Clock: the one way logic asks for the time, so tests control it.
//
// Thread-safe: Now() may be called from any thread.
#ifndef SALESTRACK_CLOCK_H_
#define SALESTRACK_CLOCK_H_

#include <atomic>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace salestrack {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The system clock.
class RealClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  static RealClock* Get() {
    static RealClock clock;
    return &clock;
  }
};

// A clock that moves only when told to.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_us_(absl::ToUnixMicros(start)) {}
  absl::Time Now() const override { return absl::FromUnixMicros(now_us_.load()); }
  void Set(absl::Time t) { now_us_.store(absl::ToUnixMicros(t)); }
  void Advance(absl::Duration d) { now_us_.fetch_add(absl::ToInt64Microseconds(d)); }

 private:
  std::atomic<int64_t> now_us_;
};

}  // namespace salestrack

#endif  // SALESTRACK_CLOCK_H_
