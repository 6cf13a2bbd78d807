// The engine's scoring methods (KPI_SPEC §6): GetScorecard and CheckTargets. The scoring itself is
// src/core/scorecard.cc; these authorize, decode, ask it under the views' reader lock, and encode.
#include "engine/engine.h"
#include "engine/names.h"
#include "engine/wire.h"
#include "salestrack/scorecard.h"
#include "salestrack/status_macros.h"

namespace salestrack::engine {
namespace {

// The requested period, a month when the kind is not given.
absl::StatusOr<Period> DecodeScoringPeriod(v1::Period period, const Views& views, absl::Time now) {
  if (period.kind() == v1::PERIOD_KIND_UNSPECIFIED) period.set_kind(v1::MONTH);
  absl::TimeZone zone = views.zone();
  return DecodePeriod(period, now, zone);
}

void EncodeRow(const ScoreRow& r, const OrgState& org, v1::ScorecardRow* out) {
  out->set_dimension(r.dimension);
  out->set_metric(r.metric);
  out->set_weight_bp(r.weight_bp);
  out->set_direction(r.lower_is_better ? v1::LOWER_IS_BETTER : v1::HIGHER_IS_BETTER);
  out->set_rule(r.rule);
  out->set_kind(EncodeKind(r.kind));
  if (r.target) {
    out->set_has_target(true);
    out->set_baseline(r.target->baseline);
    out->set_target(r.target->target);
    out->set_challenge(r.target->challenge);
    out->set_target_from(r.target_from);
    out->set_target_from_name(DescribedSubjectName(org, r.target_from));
  }
  if (r.actual) out->set_actual(*r.actual);
  if (r.attainment) out->set_attainment(*r.attainment);
  if (r.score) out->set_score(*r.score);
  out->set_note(r.note);
}

void EncodeGaps(const std::vector<TargetGap>& gaps, const OrgState& org,
                v1::CheckTargetsResponse* response) {
  for (const TargetGap& g : gaps) {
    v1::TargetGap* out = response->add_gaps();
    out->set_unit_id(g.unit_id);
    out->set_unit_name(UnitName(org, g.unit_id));
    out->set_metric(g.metric);
    out->set_unit_target(g.unit_target);
    out->set_children_sum(g.children_sum);
    for (const auto& [subject, target] : g.children) {
      v1::TargetGap::Child* c = out->add_children();
      c->set_subject(subject);
      c->set_target(target);
      c->set_name(DescribedSubjectName(org, subject));
    }
    for (const std::string& m : g.missing) {
      out->add_missing(m);
      out->add_missing_names(DescribedSubjectName(org, m));
    }
  }
}

}  // namespace

absl::Status Engine::GetScorecard(const Principal& who, const v1::GetScorecardRequest& request,
                                  v1::GetScorecardResponse* response) const {
  RETURN_IF_ERROR(Authorize(who, methods::kGetScorecard));
  RETURN_IF_ERROR(CheckSubject(who, request.subject()));
  absl::StatusOr<Subject> subject = DecodeSubject(request.subject());
  if (!subject.ok()) return subject.status();
  absl::StatusOr<Period> period = DecodeScoringPeriod(request.period(), *views_, clock_->Now());
  if (!period.ok()) return period.status();
  absl::StatusOr<Scorecard> card = views_->Read([&](const Projector& p) {
    absl::StatusOr<Scorecard> c = ComputeScorecard(p, *subject, *period, request.scheme_id());
    // Names as of the card's seq: read here, under the same lock.
    if (c.ok()) {
      response->set_subject_name(SubjectName(p.org(), request.subject()));
      for (const ScoreRow& r : c->rows) EncodeRow(r, p.org(), response->add_rows());
    }
    return c;
  });
  if (!card.ok()) return card.status();
  response->set_seq(card->seq);
  *response->mutable_subject() = request.subject();
  *response->mutable_period() = EncodePeriod(card->period);
  response->set_scheme_id(card->scheme_id);
  response->set_scheme_name(card->scheme_name);
  response->set_role(card->role);
  response->set_composite_score(card->composite_centi / 100.0);
  response->set_multiplier_bp(card->multiplier_bp);
  response->set_sales_amount(card->sales_amount);
  if (card->sales_target) response->set_sales_target(*card->sales_target);
  response->set_commission(card->commission);
  for (const std::string& note : card->notes) response->add_notes(note);
  return absl::OkStatus();
}

absl::Status Engine::CheckTargets(const Principal& who, const v1::CheckTargetsRequest& request,
                                  v1::CheckTargetsResponse* response) const {
  RETURN_IF_ERROR(Authorize(who, methods::kCheckTargets));
  v1::Subject unit;
  unit.set_unit_id(request.unit_id());
  RETURN_IF_ERROR(CheckSubject(who, unit));
  if (request.unit_id().empty()) {
    return absl::InvalidArgumentError("unit_id: is required");
  }
  absl::StatusOr<Period> period = DecodeScoringPeriod(request.period(), *views_, clock_->Now());
  if (!period.ok()) return period.status();
  absl::StatusOr<TargetCheck> check = views_->Read([&](const Projector& p) {
    absl::StatusOr<TargetCheck> c =
        salestrack::CheckTargets(p, request.unit_id(), *period, request.metric());
    if (c.ok()) EncodeGaps(c->gaps, p.org(), response);  // Names as of the check's seq.
    return c;
  });
  if (!check.ok()) return check.status();
  response->set_seq(check->seq);
  *response->mutable_period() = EncodePeriod(check->period);
  response->set_checked(static_cast<uint32_t>(check->checked));
  return absl::OkStatus();
}

}  // namespace salestrack::engine
