// GetOrgInfo: what a client needs to show the figures (names, zone, currency, the metric
// catalogue), cut to the caller's scope:
//   admin, connector  every unit, rep and competition (a connector reads the whole log anyway);
//   manager           the units of its subtree and the reps in them;
//   rep               itself, its unit and the units above it (the boards it may read);
//   screen            every unit (it may read every board), no rep list (boards name theirs);
// every role sees every competition (every board reader may read a competition's board), the
// zone, the currency and the catalogue.
#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "engine/names.h"
#include "engine/wire.h"
#include "salestrack/metric_names.h"
#include "salestrack/proto_time.h"
#include "salestrack/status_macros.h"

namespace salestrack::engine {
namespace {

// The units and reps `who` may see.
struct Scope {
  std::vector<std::string> units;
  std::vector<std::string> reps;
};

Scope ScopeOf(const Principal& who, const OrgState& org) {
  Scope scope;
  switch (who.role) {
    case Role::kAdmin:
    case Role::kConnector:
      scope.units = org.UnitIds();
      scope.reps = org.RepIds();
      break;
    case Role::kManager:
      for (const std::string& unit : org.UnitIds()) {
        if (org.InSubtree(unit, who.unit_id)) scope.units.push_back(unit);
      }
      scope.reps = org.RepsUnder(who.unit_id);
      break;
    case Role::kRep:
      scope.reps.push_back(who.rep_id);
      if (const OrgState::Rep* rep = org.FindRep(who.rep_id); rep != nullptr) {
        for (const std::string& unit : org.UnitsAbove(rep->unit)) {
          if (org.FindUnit(unit) != nullptr) scope.units.push_back(unit);
        }
        std::sort(scope.units.begin(), scope.units.end());
      }
      break;
    case Role::kScreen:
      scope.units = org.UnitIds();
      break;
  }
  return scope;
}

std::string UnitOf(MetricValue::Kind kind, absl::string_view name) {
  switch (kind) {
    case MetricValue::Kind::kCount:
      return "count";
    case MetricValue::Kind::kMoney:
      return "money";
    case MetricValue::Kind::kRatio:
      return "ratio";
    case MetricValue::Kind::kDistribution:
      return "seconds";
    case MetricValue::Kind::kMean:
      break;
  }
  return name == metric::kAvgDealSize ? "money" : "number";  // A mean of minor units.
}

void AddMetric(const std::string& name, MetricValue::Kind kind, bool point_in_time,
               v1::GetOrgInfoResponse* response) {
  v1::GetOrgInfoResponse::Metric* m = response->add_metrics();
  m->set_name(name);
  m->set_kind(EncodeKind(kind));
  m->set_unit(UnitOf(kind, name));
  m->set_lower_is_better(BoardRanksAscending(name));
  m->set_point_in_time(point_in_time);
  m->set_rankable(IsBoardMetric(name));
  m->set_attainment(IsAttainmentMetric(name));
}

}  // namespace

absl::Status Engine::GetOrgInfo(const Principal& who, const v1::GetOrgInfoRequest& /*request*/,
                                v1::GetOrgInfoResponse* response) const {
  RETURN_IF_ERROR(Authorize(who, methods::kGetOrgInfo));
  response->set_time_zone(zone_name_);
  response->mutable_currency()->set_code(currency_.code);
  response->mutable_currency()->set_minor_unit_exponent(currency_.minor_unit_exponent);
  const absl::Time now = clock_->Now();
  return views_->Read([&](const Projector& p) -> absl::Status {
    response->set_seq(p.applied_seq());
    const OrgState& org = p.org();
    Scope scope = ScopeOf(who, org);
    absl::flat_hash_set<std::string> visible(scope.units.begin(), scope.units.end());
    for (const std::string& id : scope.units) {
      const OrgState::Unit* unit = org.FindUnit(id);
      v1::GetOrgInfoResponse::Unit* out = response->add_units();
      out->set_unit_id(id);
      out->set_name(unit->name);
      if (visible.contains(unit->parent)) out->set_parent_unit_id(unit->parent);
    }
    for (const std::string& id : scope.reps) {
      const OrgState::Rep* rep = org.FindRep(id);
      if (rep == nullptr) continue;  // A rep key for a rep not defined yet.
      v1::GetOrgInfoResponse::Rep* out = response->add_reps();
      out->set_rep_id(id);
      out->set_name(rep->name);
      out->set_unit_id(rep->unit);
      out->set_active(rep->active);
    }
    for (const Competition* c : p.Competitions()) {
      v1::GetOrgInfoResponse::Competition* out = response->add_competitions();
      out->set_competition_id(c->id);
      out->set_name(c->name);
      *out->mutable_start() = ToProto(c->start);
      *out->mutable_end() = ToProto(c->end);
      out->set_metric(c->metric.empty() ? "composite_score" : c->metric);
      out->set_team(c->team);
    }
    // The catalogue as GetKpis reports it: every metric of an empty rep's period, with its kind.
    ASSIGN_OR_RETURN(KpiReport kinds, p.Kpis(Subject::Rep(""),
                                             PeriodOf(PeriodKind::kDay, now, views_->zone()), now));
    for (const auto& [name, m] : kinds.metrics) AddMetric(name, m.kind, false, response);
    for (const auto& [name, m] : kinds.point_in_time) AddMetric(name, m.kind, true, response);
    AddMetric("composite_score", MetricValue::Kind::kMean, false, response);
    AddMetric("commission", MetricValue::Kind::kMoney, false, response);
    for (const auto& [name, m] : kinds.metrics) {
      AddMetric(absl::StrCat(metric::kAttainment, ":", name), MetricValue::Kind::kRatio, false,
                response);
    }
    return absl::OkStatus();
  });
}

}  // namespace salestrack::engine
