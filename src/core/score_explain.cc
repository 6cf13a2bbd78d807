#include "salestrack/score_explain.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "salestrack/metric_names.h"
#include "salestrack/score_math.h"
#include "salestrack/status_macros.h"

namespace salestrack {
namespace {

// "80%" or "112.5%" (an exact rational, to 4 significant digits: edges are whole basis points).
std::string PercentText(const Exact& ratio) {
  return absl::StrFormat("%.6g%%", Exact(ratio * 100).get_d());
}

std::string RuleExplanation(const v1::SchemeDefined::Component& c, const std::optional<Target>& t,
                            bool lower_is_better) {
  const std::string a = lower_is_better ? "a = target / actual" : "a = actual / target";
  if (c.has_threshold()) {
    const std::string floor = PercentText(ThresholdFloor(c));
    return absl::StrCat("THRESHOLD floor ", floor, " (", a, "): a >= 100% scores 100; ", floor,
                        " <= a < 100% scores 100 x a; a < ", floor, " scores 0");
  }
  std::string cap = c.linear().cap_bp() > 0 ? PercentText(Exact(c.linear().cap_bp(), 10000))
                    : t                     ? PercentText(LinearCap(c, *t, lower_is_better))
                                            : "challenge / target, else 120%";
  const char* source = c.linear().cap_bp() > 0 ? "cap_bp"
                       : t && LinearCap(c, *t, lower_is_better) != Exact(6, 5)
                           ? "the challenge's attainment"
                           : "the default";
  return absl::StrCat("LINEAR cap ", cap, " (", source, "; ", a, "): 100 x min(a, ", cap, ")");
}

}  // namespace

std::string MetricFormula(const std::string& metric) {
  namespace m = metric;
  static const auto* formulas = new std::map<std::string, std::string, std::less<>>{
      {std::string(m::kActions), "count of ActionLogged in the period (occurred_at)"},
      {std::string(m::kActionCost), "Σ cost of the actions logged in the period"},
      {std::string(m::kOpportunitiesOpened), "opportunities opened in the period"},
      {std::string(m::kOpportunitiesWon),
       "opportunities closed WON in the period (a signing wins)"},
      {std::string(m::kOpportunitiesLost), "opportunities closed LOST in the period"},
      {std::string(m::kWinRate), "won / (won + lost), closes in the period"},
      {std::string(m::kSalesCycle),
       "mean of close - open over WON opportunities closed in the period"},
      {std::string(m::kSignings), "contracts signed in the period (defining ContractSigned)"},
      {std::string(m::kProductsSold), "Σ line quantities of the contracts signed in the period"},
      {std::string(m::kSalesAmount),
       "Σ amount of the contracts signed in the period (defining ContractSigned, not voided)"},
      {std::string(m::kGrossProfit),
       "Σ (amount - cost) over the contracts signed in the period that have a cost"},
      {std::string(m::kGrossMargin),
       "gross_profit / Σ amount of those contracts (the ones with a cost)"},
      {std::string(m::kCustomersSigned), "distinct customers with a contract signed in the period"},
      {std::string(m::kNewCustomers), "contracts that are their customer's first (org-wide)"},
      {std::string(m::kReturningCustomers),
       "customers signed in the period whose first contract is before it"},
      {std::string(m::kRepeatPurchaseRate), "returning_customers / customers_signed"},
      {std::string(m::kAvgDealSize), "sales_amount / customers_signed"},
      {std::string(m::kPayments), "Σ payments received in the period"},
      {std::string(m::kAmountDue), "Σ installments due in the period"},
      {std::string(m::kCollectionRate), "payments / amount_due, both of the period"},
      {std::string(m::kSatisfaction), "mean FeedbackRecorded score in the period"},
      {std::string(m::kFollowUpsDue), "follow-ups due in the period"},
      {std::string(m::kFollowUpsOnTime), "follow-ups due in the period done within 24 h of due"},
      {std::string(m::kFollowUpRate), "follow_ups_on_time / follow_ups_due"},
  };
  if (auto it = formulas->find(metric); it != formulas->end()) return it->second;
  if (InFamily(metric, m::kScore)) return "mean of the ScoreRecorded values of that name";
  if (InFamily(metric, m::kStageDuration)) {
    return "mean time spent in the stage, over intervals that ended in the period";
  }
  return absl::StrCat(metric, ": see KPI_SPEC §5");
}

absl::StatusOr<ScoreExplanation> ExplainScore(const Projector& p, const Subject& subject,
                                              const Period& period, const std::string& scheme_id,
                                              const std::string& metric, absl::Time now,
                                              size_t limit) {
  ScoreExplanation e;
  ASSIGN_OR_RETURN(e.card, ComputeScorecard(p, subject, period, scheme_id, now));
  const v1::SchemeDefined* scheme = nullptr;
  const absl::TimeZone zone = p.options().zone;
  const absl::Time start = PeriodBegin(period, zone), end = PeriodEnd(period, zone);
  scheme = p.plans().SchemeById(e.card.scheme_id, end);
  auto row = std::find_if(e.card.rows.begin(), e.card.rows.end(),
                          [&](const ScoreRow& r) { return r.metric == metric; });
  if (row == e.card.rows.end() || scheme == nullptr) {
    return absl::NotFoundError(absl::StrCat(
        "metric: \"", metric, "\" is not a component of scheme \"", e.card.scheme_id, "\""));
  }
  e.row = *row;
  e.formula = MetricFormula(metric);
  for (const auto& c : scheme->components()) {
    if (c.metric() == metric) e.rule = RuleExplanation(c, row->target, row->lower_is_better);
  }
  std::vector<std::string> reps =
      subject.is_unit ? p.org().RepsUnder(subject.id) : std::vector<std::string>{subject.id};
  std::sort(reps.begin(), reps.end());
  if (subject.is_unit) {
    e.member_count = reps.size();
    for (size_t i = 0; i < reps.size() && i < limit; ++i) {
      ASSIGN_OR_RETURN(MetricValue v, p.Metric(Subject::Rep(reps[i]), period, metric));
      e.members.push_back({reps[i], v});
    }
  }
  e.events = p.Contributions(reps, start, end, metric, limit, &e.event_count);
  return e;
}

}  // namespace salestrack
