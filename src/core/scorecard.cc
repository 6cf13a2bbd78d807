#include "salestrack/scorecard.h"

#include <algorithm>
#include <functional>
#include <limits>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "salestrack/leaderboard.h"
#include "salestrack/metric_names.h"
#include "salestrack/pacing.h"
#include "salestrack/score_math.h"
#include "salestrack/status_macros.h"

namespace salestrack {
namespace {

using Component = v1::SchemeDefined::Component;

std::string Percent(const Exact& ratio) {
  return absl::StrFormat("%.4g%%", Exact(ratio * 100).get_d());
}

std::string RuleText(const Component& c, const std::optional<Target>& t, bool lower_is_better) {
  if (c.has_threshold()) return absl::StrCat("threshold ", Percent(ThresholdFloor(c)));
  if (c.linear().cap_bp() > 0 || !t) {
    return c.linear().cap_bp() > 0
               ? absl::StrCat("linear cap ", Percent(Exact(c.linear().cap_bp(), 10000)))
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

// The role most active reps under `unit` have (ties: the smaller name), and how many have it;
// empty if none has one.
std::string UnitRole(const OrgState& org, const std::string& unit, int* best_count) {
  std::map<std::string, int> counts;
  for (const std::string& id : org.RepsUnder(unit)) {
    const OrgState::Rep* r = org.FindRep(id);
    if (r != nullptr && r->active && !r->role.empty()) ++counts[r->role];
  }
  std::string best;
  *best_count = 0;
  for (const auto& [role, n] : counts) {
    if (n > *best_count) best = role, *best_count = n;
  }
  return best;
}

// What a scorecard scores: a calendar period, or a competition's window (whose targets are those
// of the period that holds it).
struct Scope {
  Period period;      // Where targets are looked up; the card's period.
  absl::Time start;   // What is scored: [start, end).
  absl::Time end;     // Schemes dated before this apply.
  absl::Time now;     // For pacing while [start, end) runs.
  std::string where;  // "MONTH 2026-11-01" or "competition q4-pk".
  std::function<absl::StatusOr<MetricValue>(const std::string& metric)> metric;
};

// The scheme that scores `subject`, and why (Scorecard::scheme_reason). A unit: a scheme for the
// role "unit:<id>", else for the role "unit" (schemes written for units), else the scheme of the
// role most of its active reps have.
absl::StatusOr<const v1::SchemeDefined*> ChooseScheme(const Projector& p, const Subject& subject,
                                                      const Scope& scope,
                                                      const std::string& scheme_id,
                                                      std::string* role, std::string* reason) {
  const absl::Time end = scope.end;
  const std::string in = absl::StrCat(" in force by the end of ", scope.where);
  if (!scheme_id.empty()) {
    const v1::SchemeDefined* s = p.plans().SchemeById(scheme_id, end);
    if (s == nullptr) return absl::NotFoundError(absl::StrCat("no scheme \"", scheme_id, "\"", in));
    *role = s->role();
    *reason = scope.where.starts_with("competition") ? absl::StrCat("the scheme of ", scope.where)
                                                     : "requested (scheme_id)";
    return s;
  }
  if (subject.is_unit) {
    for (const std::string& unit_role :
         {absl::StrCat(kUnitSchemeRole, ":", subject.id), std::string(kUnitSchemeRole)}) {
      if (const v1::SchemeDefined* s = p.plans().SchemeForRole(unit_role, end)) {
        *role = unit_role;
        *reason = absl::StrCat("the unit scheme (role \"", unit_role, "\")");
        return s;
      }
    }
    int count = 0;
    *role = UnitRole(p.org(), subject.id, &count);
    if (role->empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("unit \"", subject.id, "\" has no unit scheme (role \"", kUnitSchemeRole,
                       ":", subject.id, "\" or \"", kUnitSchemeRole,
                       "\") and no active rep with a role: name a scheme (--scheme)"));
    }
    *reason = absl::StrCat("no unit scheme (role \"", kUnitSchemeRole, ":", subject.id, "\" or \"",
                           kUnitSchemeRole, "\"): the role most of its active reps have (", *role,
                           ", ", count, count == 1 ? " rep)" : " reps)");
  } else {
    const OrgState::Rep* rep = p.org().FindRep(subject.id);
    if (rep == nullptr || rep->role.empty()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "rep \"", subject.id, "\" has no role (RepDefined.role), so no scheme applies"));
    }
    *role = rep->role;
    *reason = absl::StrCat("the rep's role (", rep->role, ")");
  }
  const v1::SchemeDefined* s = p.plans().SchemeForRole(*role, end);
  if (s == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat("no scheme for role \"", *role, "\"", in));
  }
  return s;
}

}  // namespace

std::optional<std::pair<Target, TargetSubject>> FindTargetFor(const Projector& p,
                                                              const Subject& subject,
                                                              const Period& period,
                                                              const std::string& metric) {
  return FindTargetUp(p.plans(), TargetChain(p.org(), subject), period, metric);
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
                   ChooseScheme(p, subject, scope, scheme_id, &card.role, &card.scheme_reason));
  card.scheme_id = scheme->scheme_id();
  card.scheme_name = scheme->name();
  const std::vector<TargetSubject> chain = TargetChain(org, subject);
  const std::optional<Exact> share = ElapsedShare(scope.start, scope.end, scope.now);
  if (share) {
    card.in_progress = true;
    card.elapsed_bp = static_cast<int32_t>(FloorClamped(*share * 10000));
  }

  Exact weighted = 0;  // Σ weight_bp x points.
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
    const std::optional<Exact> actual = ExactInTargetUnits(value);
    if (actual) row.actual = actual->get_d();
    if (!row.target) {
      row.note = "no target: unscored";
    } else if (!actual) {
      row.note = "no data (undefined): unscored";
    } else {
      const std::optional<Exact> a =
          ExactAttainment(*actual, row.target->target, row.lower_is_better);
      if (a) {
        row.attainment = a->get_d();
        row.attainment_bp = FloorClamped(*a * 10000);
      } else {
        row.note = "actual 0: best possible";
      }
      if (share) {
        const Pace pace = PaceOf(*actual, *row.target, value.kind, row.lower_is_better, *share);
        row.paced_target = pace.paced_target;
        row.pace_gap = pace.gap;
      }
      const Exact points = ExactRuleScore(c, a, *row.target, row.lower_is_better);
      row.score = points.get_d();
      row.score_centi = RoundHalfAway(points * 100);
      weighted += c.weight_bp() * points;
    }
    card.rows.push_back(std::move(row));
  }
  // Points x 100 = Σ weight_bp x points / 100, rounded once.
  card.composite_centi = RoundHalfAway(weighted / 100, kMaxCompositeCenti);
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
                                           const Period& period, const std::string& scheme_id,
                                           absl::Time now) {
  const absl::TimeZone zone = p.options().zone;
  Scope scope{period,
              PeriodBegin(period, zone),
              PeriodEnd(period, zone),
              now,
              PeriodName(period),
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
                                                      const Subject& subject, absl::Time now) {
  const Competition* c = p.FindCompetition(competition_id);
  if (c == nullptr) {
    return absl::NotFoundError(absl::StrCat("competition \"", competition_id, "\" is not defined"));
  }
  if (c->scheme_id.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("competition \"", competition_id, "\" ranks by a metric, not by a scheme"));
  }
  Scope scope{WindowPeriod(c->start, c->end, p.options().zone),
              c->start,
              c->end,
              now,
              absl::StrCat("competition ", competition_id),
              [&](const std::string& metric) {
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
