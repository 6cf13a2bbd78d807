#include "engine/retry_hint.h"

#include <algorithm>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace salestrack::engine {
namespace {

// Payload: the hint in whole milliseconds.
constexpr absl::string_view kRetryAfterUrl = "type.salestrack.dev/salestrack.RetryAfterMs";

}  // namespace

int64_t RetryAfterMs(absl::Duration after) {
  return std::max<int64_t>(1, absl::ToInt64Milliseconds(absl::Ceil(after, absl::Milliseconds(1))));
}

void SetRetryAfter(absl::Status* status, absl::Duration after) {
  status->SetPayload(kRetryAfterUrl, absl::Cord(absl::StrCat(RetryAfterMs(after))));
}

std::optional<absl::Duration> RetryAfter(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kRetryAfterUrl);
  int64_t ms = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &ms)) return std::nullopt;
  return absl::Milliseconds(ms);
}

}  // namespace salestrack::engine
