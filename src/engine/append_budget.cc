#include "engine/append_budget.h"

#include "absl/strings/str_cat.h"
#include "engine/retry_hint.h"

namespace salestrack::engine {
namespace {

// A full budget frees as commits land and clients take their answers: usually within milliseconds.
constexpr absl::Duration kBudgetRetryAfter = absl::Milliseconds(200);

}  // namespace

bool AppendBudget::HasRoomLocked(const std::string& key, size_t more) const {
  if (total_ != 0 && (held_ >= total_ || more > total_ - held_)) return false;
  if (per_key_ == 0) return true;
  auto it = by_key_.find(key);
  const size_t mine = it == by_key_.end() ? 0 : it->second;
  return mine < per_key_ && more <= per_key_ - mine;
}

void AppendBudget::Charge(const std::string& key, size_t bytes) {
  salestrack::MutexLock lock(&mu_);
  by_key_[key] += bytes;
  held_ += bytes;
}

absl::Status AppendBudget::TryCharge(const std::string& key, size_t bytes) {
  salestrack::MutexLock lock(&mu_);
  if (!HasRoomLocked(key, bytes)) {
    auto it = by_key_.find(key);
    const bool key_full = per_key_ != 0 && it != by_key_.end() && it->second + bytes > per_key_;
    absl::Status full = absl::ResourceExhaustedError(
        key_full ? absl::StrCat("this API key's appends in flight hold ", it->second,
                                " bytes, and this request of ", bytes, " would pass its budget of ",
                                per_key_, " (limits.max_key_append_bytes); retry later")
                 : absl::StrCat("appends in flight hold ", held_, " bytes, and this request of ",
                                bytes, " would pass the daemon's budget of ", total_,
                                " (limits.max_append_bytes); retry later"));
    SetRetryAfter(&full, kBudgetRetryAfter);
    return full;
  }
  by_key_[key] += bytes;
  held_ += bytes;
  return absl::OkStatus();
}

void AppendBudget::Release(const std::string& key, size_t bytes) {
  std::vector<std::pair<uint64_t, Waiter>> wake;
  {
    salestrack::MutexLock lock(&mu_);
    auto it = by_key_.find(key);
    // Holders release exactly what they charged; clamp anyway so a bug cannot wrap the counts.
    const size_t back = it == by_key_.end() ? 0 : std::min(bytes, it->second);
    if (it != by_key_.end()) {
      it->second -= back;
      if (it->second == 0) by_key_.erase(it);
    }
    held_ -= std::min(back, held_);
    wake.swap(waiters_);
  }
  for (auto& [id, fn] : wake) std::move(fn)();
}

std::optional<uint64_t> AppendBudget::WaitForRoom(const std::string& key, Waiter wake) {
  salestrack::MutexLock lock(&mu_);
  if (HasRoomLocked(key, 0)) return std::nullopt;
  const uint64_t id = next_waiter_++;
  waiters_.emplace_back(id, std::move(wake));
  return id;
}

bool AppendBudget::CancelWait(uint64_t id) {
  salestrack::MutexLock lock(&mu_);
  for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
    if (it->first == id) {
      waiters_.erase(it);
      return true;
    }
  }
  return false;
}

size_t AppendBudget::held() const {
  salestrack::ReaderMutexLock lock(&mu_);
  return held_;
}

size_t AppendBudget::held(const std::string& key) const {
  salestrack::ReaderMutexLock lock(&mu_);
  auto it = by_key_.find(key);
  return it == by_key_.end() ? 0 : it->second;
}

}  // namespace salestrack::engine
