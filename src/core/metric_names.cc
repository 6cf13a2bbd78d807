#include "salestrack/metric_names.h"

#include <array>

#include "absl/strings/match.h"

#include "salestrack/v1/events.pb.h"
#include "salestrack/validation.h"

namespace salestrack {
namespace {

constexpr std::array<absl::string_view, 6> kPointInTimeMetrics = {
    metric::kOutstanding,  metric::kOverdue,       metric::kOverdueRatio,
    metric::kOpenPipeline, metric::kOpenFollowUps, metric::kOverdueFollowUps};

// Scheme results (KPI_SPEC §6), rankable on boards.
constexpr std::array<absl::string_view, 2> kSchemeMetrics = {"composite_score", "commission"};

template <size_t N>
bool OneOf(const std::array<absl::string_view, N>& names, absl::string_view name) {
  for (absl::string_view n : names) {
    if (n == name) return true;
  }
  return false;
}

bool IsChannelName(absl::string_view s) {
  v1::Channel c;
  return v1::Channel_Parse(std::string(s), &c) && c != v1::CHANNEL_UNSPECIFIED;
}

bool IsPurposeName(absl::string_view s) {
  v1::Purpose p;
  return v1::Purpose_Parse(std::string(s), &p) && p != v1::PURPOSE_UNSPECIFIED;
}

}  // namespace

bool IsPointInTimeMetric(absl::string_view name) { return OneOf(kPointInTimeMetrics, name); }
bool IsSchemeMetric(absl::string_view name) { return OneOf(kSchemeMetrics, name); }

bool IsPerPeriodMetric(absl::string_view name) {
  return IsKnownMetricName(name) && !IsPointInTimeMetric(name) && !IsSchemeMetric(name);
}

bool IsLowerBetterMetric(absl::string_view name) {
  return name == metric::kSalesCycle || InFamily(name, metric::kStageDuration);
}

bool IsAttainmentMetric(absl::string_view name) {
  return InFamily(name, metric::kAttainment) && IsPerPeriodMetric(AttainmentOf(name));
}

absl::string_view AttainmentOf(absl::string_view name) {
  return name.substr(metric::kAttainment.size() + 1);
}

bool IsBoardMetric(absl::string_view name) {
  return IsKnownMetricName(name) || IsAttainmentMetric(name);
}

bool IsCompetitionMetric(absl::string_view name) {
  return IsPerPeriodMetric(name) || IsAttainmentMetric(name);
}

bool BoardRanksAscending(absl::string_view name) {
  return IsLowerBetterMetric(name) || name == metric::kOverdue || name == metric::kOverdueRatio ||
         name == metric::kOverdueFollowUps;
}

bool IsKnownMetricName(absl::string_view name) {
  if (OneOf(kPlainPeriodMetrics, name) || IsPointInTimeMetric(name) || IsSchemeMetric(name)) {
    return true;
  }
  size_t colon = name.find(':');
  if (colon == absl::string_view::npos) return false;
  absl::string_view family = name.substr(0, colon);
  absl::string_view arg = name.substr(colon + 1);
  if (family == metric::kActionsByChannel) return IsChannelName(arg);
  if (family == metric::kActionsByPurpose) return IsPurposeName(arg);
  if (family == metric::kFunnelReached || family == metric::kStageDuration ||
      family == metric::kScore) {
    return !CheckIdentifier(arg).has_value() && arg.find(':') == absl::string_view::npos;
  }
  return false;
}

}  // namespace salestrack
