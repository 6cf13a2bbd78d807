#include "salestrack/metric_names.h"

#include <array>

#include "salestrack/v1/events.pb.h"
#include "salestrack/validation.h"

namespace salestrack {
namespace {

constexpr std::array<absl::string_view, 33> kPlainMetrics = {
    "actions", "action_cost", "opportunities_opened", "opportunities_won", "opportunities_lost",
    "win_rate", "funnel_won", "sales_cycle", "signings", "products_sold", "sales_amount",
    "gross_profit", "gross_margin", "customers_signed", "new_customers", "returning_customers",
    "repeat_purchase_rate", "avg_deal_size", "payments", "amount_due", "collection_rate",
    "satisfaction", "follow_ups_due", "follow_ups_on_time", "follow_up_rate",
    // Point-in-time figures.
    "outstanding", "overdue", "overdue_ratio", "open_pipeline", "open_follow_ups",
    "overdue_follow_ups",
    // Scheme results (KPI_SPEC §6), rankable on boards.
    "composite_score", "commission"};

bool IsChannelName(absl::string_view s) {
  v1::Channel c;
  return v1::Channel_Parse(std::string(s), &c) && c != v1::CHANNEL_UNSPECIFIED;
}

bool IsPurposeName(absl::string_view s) {
  v1::Purpose p;
  return v1::Purpose_Parse(std::string(s), &p) && p != v1::PURPOSE_UNSPECIFIED;
}

}  // namespace

bool IsKnownMetricName(absl::string_view name) {
  for (absl::string_view plain : kPlainMetrics) {
    if (name == plain) return true;
  }
  size_t colon = name.find(':');
  if (colon == absl::string_view::npos) return false;
  absl::string_view family = name.substr(0, colon);
  absl::string_view arg = name.substr(colon + 1);
  if (family == "actions_by_channel") return IsChannelName(arg);
  if (family == "actions_by_purpose") return IsPurposeName(arg);
  if (family == "funnel_reached" || family == "stage_duration" || family == "score") {
    return !CheckIdentifier(arg).has_value() && arg.find(':') == absl::string_view::npos;
  }
  return false;
}

}  // namespace salestrack
