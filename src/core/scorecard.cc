#include "salestrack/scorecard.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "salestrack/leaderboard.h"
#include "salestrack/metric_names.h"
#include "salestrack/status_macros.h"

namespace salestrack {
namespace {

using Component = v1::SchemeDefined::Component;

constexpr double kDefaultFloor = 0.8;
constexpr double kDefaultCap = 1.2;

std::string Percent(double ratio) { return absl::StrFormat("%.4g%%", ratio * 100); }

// The effective LINEAR cap: cap_bp, else the challenge's attainment, else 120 %.
double LinearCap(const Component& c, const Target& t, bool lower_is_better) {
  if (c.linear().cap_bp() > 0) return c.linear().cap_bp() / 10000.0;
  if (!lower_is_better && t.challenge > t.target) {
    return static_cast<double>(t.challenge) / static_cast<double>(t.target);
  }
  if (lower_is_better && t.challenge > 0 && t.challenge < t.target) {
    return static_cast<double>(t.target) / static_cast<double>(t.challenge);
  }
  return kDefaultCap;
}

double ThresholdFloor(const Component& c) {
  return c.threshold().floor_bp() > 0 ? c.threshold().floor_bp() / 10000.0 : kDefaultFloor;
}

std::string RuleText(const Component& c, const std::optional<Target>& t, bool lower_is_better) {
  if (c.has_threshold()) return absl::StrCat("threshold ", Percent(ThresholdFloor(c)));
  if (c.linear().cap_bp() > 0 || !t) {
    return c.linear().cap_bp() > 0 ? absl::StrCat("linear cap ", Percent(c.linear().cap_bp() / 1e4))
                                   : "linear cap challenge/target";
  }
  return absl::StrCat("linear cap ", Percent(LinearCap(c, *t, lower_is_better)));
}

// The subject, then the units above it, nearest first: where targets are looked up.
std::vector<TargetSubject> TargetChain(const OrgState& org, const Subject& subject) {
  std::vector<TargetSubject> chain;
  std::string unit = subject.id;
  if (!subject.is_unit) {
    chain.push_back({false, subject.id});
    const OrgState::Rep* rep = org.FindRep(subject.id);
    unit = rep != nullptr ? rep->unit : "";
  }
  for (int depth = 0; depth < 64 && !unit.empty(); ++depth) {  // Acyclic by OrgState::Check.
    const OrgState::Unit* u = org.FindUnit(unit);
    if (u == nullptr) break;
    chain.push_back({true, unit});
    unit = u->parent;
  }
  return chain;
}

std::optional<std::pair<Target, TargetSubject>> FindTargetUp(
    const PlanState& plans, const std::vector<TargetSubject>& chain, const Period& period,
    const std::string& metric) {
  for (const TargetSubject& s : chain) {
    if (const Target* t = plans.FindTarget(s, period, metric)) return std::make_pair(*t, s);
  }
  return std::nullopt;
}

std::string SubjectName(const TargetSubject& s) {
  return absl::StrCat(s.is_unit ? "unit " : "rep ", s.id);
}

// The role most active reps under `unit` have (ties: the smaller name); empty if none has one.
std::string UnitRole(const OrgState& org, const std::string& unit) {
  std::map<std::string, int> counts;
  for (const std::string& id : org.RepsUnder(unit)) {
    const OrgState::Rep* r = org.FindRep(id);
    if (r != nullptr && r->active && !r->role.empty()) ++counts[r->role];
  }
  std::string best;
  int best_count = 0;
  for (const auto& [role, n] : counts) {
    if (n > best_count) best = role, best_count = n;
  }
  return best;
}

// What a scorecard scores: a calendar period, or a competition's window (whose targets are those
// of the period that holds it).
struct Scope {
  Period period;      // Where targets are looked up; the card's period.
  absl::Time end;     // Schemes dated before this apply.
  std::string where;  // "MONTH 2026-11-01" or "competition q4-pk".
  std::function<absl::StatusOr<MetricValue>(const std::string& metric)> metric;
};

absl::StatusOr<const v1::SchemeDefined*> ChooseScheme(const Projector& p, const Subject& subject,
                                                      const Scope& scope,
                                                      const std::string& scheme_id,
                                                      std::string* role) {
  const absl::Time end = scope.end;
  const std::string in = absl::StrCat(" in force by the end of ", scope.where);
  if (!scheme_id.empty()) {
    const v1::SchemeDefined* s = p.plans().SchemeById(scheme_id, end);
    if (s == nullptr) return absl::NotFoundError(absl::StrCat("no scheme \"", scheme_id, "\"", in));
    *role = s->role();
    return s;
  }
  if (subject.is_unit) {
    *role = UnitRole(p.org(), subject.id);
    if (role->empty()) {
      return absl::FailedPreconditionError(absl::StrCat("no active rep of unit \"", subject.id,
                                                        "\" has a role: name a scheme (--scheme)"));
    }
  } else {
    const OrgState::Rep* rep = p.org().FindRep(subject.id);
    if (rep == nullptr || rep->role.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "rep \"", subject.id, "\" has no role (RepDefined.role), so no scheme applies"));
    }
    *role = rep->role;
  }
  const v1::SchemeDefined* s = p.plans().SchemeForRole(*role, end);
  if (s == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("no scheme for role \"", *role, "\"", in));
  }
  return s;
}

}  // namespace

double Attainment(double actual, double target, bool lower_is_better) {
  if (!lower_is_better) return actual / target;
  if (actual <= 0) return std::numeric_limits<double>::infinity();
  return target / actual;
}

double RuleScore(const Component& c, double a, const Target& target, bool lower_is_better) {
  if (c.has_threshold()) {
    if (a >= 1) return 100;
    return a >= ThresholdFloor(c) ? 100 * a : 0;
  }
  return 100 * std::min(a, LinearCap(c, target, lower_is_better));
}

int32_t MultiplierFor(const v1::SchemeDefined& scheme, int64_t composite_centi) {
  if (scheme.multiplier_tiers().empty()) return 10000;
  for (const auto& tier : scheme.multiplier_tiers()) {  // Strictly decreasing min_score.
    if (composite_centi >= tier.min_score_centi()) return tier.multiplier_bp();
  }
  return 0;
}

int64_t CommissionFor(const v1::SchemeDefined& scheme, int64_t sales, int64_t sales_target) {
  __int128 total = 0;  // In minor units x 10000 until the end.
  for (const auto& tier : scheme.commission_tiers()) {
    const __int128 lo = static_cast<__int128>(sales_target) * tier.from_bp() / 10000;
    const __int128 hi = tier.to_bp() == 0
                            ? static_cast<__int128>(std::numeric_limits<int64_t>::max())
                            : static_cast<__int128>(sales_target) * tier.to_bp() / 10000;
    const __int128 part = std::min<__int128>(sales, hi) - lo;
    if (part > 0) total += part * tier.rate_bp();
  }
  return static_cast<int64_t>(total / 10000);
}

std::optional<double> InTargetUnits(const MetricValue& v) {
  std::optional<double> n = RankValue(v);
  const bool scaled = v.kind == MetricValue::Kind::kRatio || v.kind == MetricValue::Kind::kMean;
  if (n && scaled) *n *= 10000;
  return n;
}

namespace {

absl::StatusOr<Scorecard> Score(const Projector& p, const Subject& subject, const Scope& scope,
                                const std::string& scheme_id) {
  const Period& period = scope.period;
  const OrgState& org = p.org();
  if (subject.is_unit && org.FindUnit(subject.id) == nullptr) {
    return absl::NotFoundError(absl::StrCat("unit \"", subject.id, "\" is not defined"));
  }
  Scorecard card;
  card.seq = p.applied_seq();
  card.subject = subject;
  card.period = period;
  ASSIGN_OR_RETURN(const v1::SchemeDefined* scheme,
                   ChooseScheme(p, subject, scope, scheme_id, &card.role));
  card.scheme_id = scheme->scheme_id();
  card.scheme_name = scheme->name();
  const std::vector<TargetSubject> chain = TargetChain(org, subject);

  double weighted = 0;  // Σ weight_bp x score.
  for (const Component& c : scheme->components()) {
    ScoreRow row;
    row.dimension = c.dimension();
    row.metric = c.metric();
    row.weight_bp = c.weight_bp();
    row.lower_is_better = c.direction() == v1::LOWER_IS_BETTER;
    auto found = FindTargetUp(p.plans(), chain, period, c.metric());
    if (found) {
      row.target = found->first;
      row.target_from = SubjectName(found->second);
    }
    row.rule = RuleText(c, row.target, row.lower_is_better);
    ASSIGN_OR_RETURN(MetricValue value, scope.metric(c.metric()));
    row.kind = value.kind;
    row.actual = InTargetUnits(value);
    if (!row.target) {
      row.note = "no target: unscored";
    } else if (!row.actual) {
      row.note = "no data (undefined): unscored";
    } else {
      double a =
          Attainment(*row.actual, static_cast<double>(row.target->target), row.lower_is_better);
      if (std::isinf(a)) {
        row.note = "actual 0: best possible";
      } else {
        row.attainment = a;
      }
      row.score = RuleScore(c, a, *row.target, row.lower_is_better);
      weighted += c.weight_bp() * *row.score;
    }
    card.rows.push_back(std::move(row));
  }
  card.composite_centi =
      std::llround(std::min(weighted / 100, static_cast<double>(kMaxCompositeCenti)));
  card.multiplier_bp = MultiplierFor(*scheme, card.composite_centi);

  ASSIGN_OR_RETURN(MetricValue sales, scope.metric("sales_amount"));
  card.sales_amount = sales.integer;
  if (auto t = FindTargetUp(p.plans(), chain, period, "sales_amount")) {
    card.sales_target = t->first.target;
    card.commission = CommissionFor(*scheme, card.sales_amount, *card.sales_target);
  } else if (!scheme->commission_tiers().empty()) {
    card.notes.push_back("no sales_amount target: no commission");
  }
  for (const ScoreRow& row : card.rows) {
    if (!row.score) {
      card.notes.push_back(absl::StrCat(row.metric, " is unscored and adds 0 to the composite"));
    }
  }
  return card;
}

}  // namespace

absl::StatusOr<Scorecard> ComputeScorecard(const Projector& p, const Subject& subject,
                                           const Period& period, const std::string& scheme_id) {
  Scope scope{period, PeriodEnd(period, p.options().zone), PeriodName(period),
              [&](const std::string& metric) { return p.Metric(subject, period, metric); }};
  return Score(p, subject, scope, scheme_id);
}

Period WindowPeriod(absl::Time start, absl::Time end, absl::TimeZone zone) {
  for (PeriodKind kind : kAllPeriodKinds) {
    Period period = PeriodOf(kind, start, zone);
    if (PeriodEnd(period, zone) >= end) return period;
  }
  return PeriodOf(PeriodKind::kYear, start, zone);
}

absl::StatusOr<Scorecard> ComputeCompetitionScorecard(const Projector& p,
                                                      const std::string& competition_id,
                                                      const Subject& subject) {
  const Competition* c = p.FindCompetition(competition_id);
  if (c == nullptr) {
    return absl::NotFoundError(absl::StrCat("competition \"", competition_id, "\" is not defined"));
  }
  if (c->scheme_id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("competition \"", competition_id, "\" ranks by a metric, not by a scheme"));
  }
  Scope scope{WindowPeriod(c->start, c->end, p.options().zone), c->end,
              absl::StrCat("competition ", competition_id), [&](const std::string& metric) {
                return p.CompetitionMetric(competition_id, subject, metric);
              }};
  return Score(p, subject, scope, c->scheme_id);
}

absl::StatusOr<TargetCheck> CheckTargets(const Projector& p, const std::string& unit_id,
                                         const Period& period, const std::string& metric) {
  const OrgState& org = p.org();
  if (org.FindUnit(unit_id) == nullptr) {
    return absl::NotFoundError(absl::StrCat("unit \"", unit_id, "\" is not defined"));
  }
  TargetCheck check;
  check.seq = p.applied_seq();
  check.period = period;
  std::vector<std::string> units{unit_id};
  for (size_t i = 0; i < units.size() && units.size() < 100000; ++i) {
    for (std::string& child : org.ChildUnits(units[i])) units.push_back(std::move(child));
  }
  std::vector<std::string> metrics =
      metric.empty() ? p.plans().TargetMetricsIn(period) : std::vector<std::string>{metric};
  for (const std::string& m : metrics) {
    ASSIGN_OR_RETURN(MetricValue probe, p.Metric(Subject::Rep(""), period, m));
    if (probe.kind != MetricValue::Kind::kCount && probe.kind != MetricValue::Kind::kMoney)
      continue;
    const std::map<TargetSubject, Target> targets = p.plans().TargetsIn(period, m);
    for (const std::string& unit : units) {
      auto own = targets.find({true, unit});
      if (own == targets.end()) continue;
      TargetGap gap{unit, m, own->second.target, 0, {}, {}};
      auto add = [&](const TargetSubject& child, bool expected) {
        auto t = targets.find(child);
        if (t != targets.end()) {
          gap.children.emplace_back(SubjectName(child), t->second.target);
          gap.children_sum =
              t->second.target > std::numeric_limits<int64_t>::max() - gap.children_sum
                  ? std::numeric_limits<int64_t>::max()
                  : gap.children_sum + t->second.target;
        } else if (expected) {
          gap.missing.push_back(SubjectName(child));
        }
      };
      for (const std::string& child : org.ChildUnits(unit)) add({true, child}, true);
      for (const std::string& rep : org.RepsIn(unit)) {
        const OrgState::Rep* r = org.FindRep(rep);
        add({false, rep}, r != nullptr && r->active);  // A rep who left need not have a target.
      }
      if (gap.children.empty() && gap.missing.empty()) continue;  // A leaf: nothing to add up.
      ++check.checked;
      if (gap.children_sum != gap.unit_target || !gap.missing.empty()) {
        check.gaps.push_back(std::move(gap));
      }
    }
  }
  return check;
}

}  // namespace salestrack
