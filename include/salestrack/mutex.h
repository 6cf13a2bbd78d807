// salestrack::Mutex: absl::Mutex that ThreadSanitizer can see.
//
// Debian's libabsl is not built with TSan, so the acquire/release inside absl::Mutex is invisible
// to a TSan build of salestrack and every access it guards would be reported as a race. This
// wrapper tells TSan of each lock and unlock (the __tsan_mutex_* annotations absl makes itself when
// it is compiled with TSan); in any other build it is absl::Mutex with nothing added. Every mutex
// of salestrack's own code is a salestrack::Mutex; absl::Condition is used as is.
#ifndef SALESTRACK_MUTEX_H_
#define SALESTRACK_MUTEX_H_

#include "absl/base/config.h"
#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#ifdef ABSL_HAVE_THREAD_SANITIZER
#include <sanitizer/tsan_interface.h>
#endif

namespace salestrack {

class ABSL_LOCKABLE Mutex {
 public:
#ifdef ABSL_HAVE_THREAD_SANITIZER
  Mutex() { __tsan_mutex_create(this, 0); }
  ~Mutex() { __tsan_mutex_destroy(this, 0); }
#else
  Mutex() = default;
#endif
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    PreLock(0);
    mu_.Lock();
    PostLock(0);
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() {
    PreUnlock(0);
    mu_.Unlock();
    PostUnlock(0);
  }
  void ReaderLock() ABSL_SHARED_LOCK_FUNCTION() {
    PreLock(kRead);
    mu_.ReaderLock();
    PostLock(kRead);
  }
  void ReaderUnlock() ABSL_UNLOCK_FUNCTION() {
    PreUnlock(kRead);
    mu_.ReaderUnlock();
    PostUnlock(kRead);
  }
  void AssertHeld() const ABSL_ASSERT_EXCLUSIVE_LOCK() { mu_.AssertHeld(); }
  void AssertReaderHeld() const ABSL_ASSERT_SHARED_LOCK() { mu_.AssertReaderHeld(); }

  // Releases the mutex until `cond` holds (evaluated with the mutex held), then holds it again.
  void Await(const absl::Condition& cond) ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
    AwaitWithTimeout(cond, absl::InfiniteDuration());
  }
  // As Await, for at most `timeout`; returns whether `cond` holds.
  bool AwaitWithTimeout(const absl::Condition& cond, absl::Duration timeout)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(this) {
#ifdef ABSL_HAVE_THREAD_SANITIZER
    // While this thread waits, others hold the mutex: to TSan it is released, and every evaluation
    // of `cond` (by this thread or by one unlocking) is a critical section of its own.
    Observed observed{this, &cond};
    PreUnlock(0);
    PostUnlock(0);
    const bool held = mu_.AwaitWithTimeout(absl::Condition(&Observed::Eval, &observed), timeout);
    PreLock(0);
    PostLock(0);
    return held;
#else
    return mu_.AwaitWithTimeout(cond, timeout);
#endif
  }

 private:
  static constexpr unsigned kRead = 1u << 3;  // __tsan_mutex_read_lock.

#ifdef ABSL_HAVE_THREAD_SANITIZER
  struct Observed {
    static bool Eval(Observed* o) {
      o->mu->PreLock(0);
      o->mu->PostLock(0);
      const bool result = o->cond->Eval();
      o->mu->PreUnlock(0);
      o->mu->PostUnlock(0);
      return result;
    }
    Mutex* mu;
    const absl::Condition* cond;
  };
  void PreLock(unsigned flags) { __tsan_mutex_pre_lock(this, flags); }
  void PostLock(unsigned flags) { __tsan_mutex_post_lock(this, flags, 0); }
  void PreUnlock(unsigned flags) { __tsan_mutex_pre_unlock(this, flags); }
  void PostUnlock(unsigned flags) { __tsan_mutex_post_unlock(this, flags); }
#else
  void PreLock(unsigned) {}
  void PostLock(unsigned) {}
  void PreUnlock(unsigned) {}
  void PostUnlock(unsigned) {}
#endif

  mutable absl::Mutex mu_;
};

// Holds `mu` exclusively for the scope.
class ABSL_SCOPED_LOCKABLE MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// Holds `mu` exclusively for the scope when it is not null.
class ABSL_SCOPED_LOCKABLE MutexLockMaybe {
 public:
  explicit MutexLockMaybe(Mutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) {
    if (mu_ != nullptr) mu_->Lock();
  }
  ~MutexLockMaybe() ABSL_UNLOCK_FUNCTION() {
    if (mu_ != nullptr) mu_->Unlock();
  }
  MutexLockMaybe(const MutexLockMaybe&) = delete;
  MutexLockMaybe& operator=(const MutexLockMaybe&) = delete;

 private:
  Mutex* const mu_;
};

// Holds `mu` shared for the scope.
class ABSL_SCOPED_LOCKABLE ReaderMutexLock {
 public:
  explicit ReaderMutexLock(Mutex* mu) ABSL_SHARED_LOCK_FUNCTION(mu) : mu_(mu) { mu_->ReaderLock(); }
  ~ReaderMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->ReaderUnlock(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// Turns off Abseil's lock-order graph for the process. Debian's libabsl is built with it on (no
// NDEBUG), so every lock and unlock updates a global cycle graph: measurable on the board streams'
// hot paths. The sanitizer builds keep it, so the end-to-end tests under them still check the
// daemon's lock order (and the unit tests always do). Call once, early in a server's main().
inline void DisableLockOrderChecks() {
#if !defined(ABSL_HAVE_ADDRESS_SANITIZER) && !defined(ABSL_HAVE_THREAD_SANITIZER)
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
}

}  // namespace salestrack

#endif  // SALESTRACK_MUTEX_H_
