// The engine's scoring methods (KPI_SPEC §6): GetScorecard, ExplainScore and CheckTargets. The
// scoring itself is src/core/scorecard.cc; these authorize, decode, ask it under the views' reader
// lock, and encode.
#include "engine/engine.h"
#include "engine/names.h"
#include "engine/wire.h"
#include "salestrack/proto_time.h"
#include "salestrack/score_explain.h"
#include "salestrack/score_math.h"
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
  if (r.attainment_bp) out->set_attainment_bp(*r.attainment_bp);
  if (r.score_centi) out->set_score_centi(*r.score_centi);
  if (r.paced_target) out->set_paced_target(*r.paced_target);
  if (r.pace_gap) out->set_pace_gap(*r.pace_gap);
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
  const absl::Time now = clock_->Now();
  absl::StatusOr<Period> period = DecodeScoringPeriod(request.period(), *views_, now);
  if (!period.ok()) return period.status();
  absl::StatusOr<Scorecard> card = views_->Read([&](const Projector& p) {
    absl::StatusOr<Scorecard> c = ComputeScorecard(p, *subject, *period, request.scheme_id(), now);
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
  response->set_composite_centi(card->composite_centi);
  response->set_scheme_reason(card->scheme_reason);
  response->set_in_progress(card->in_progress);
  response->set_elapsed_bp(static_cast<uint32_t>(card->elapsed_bp));
  return absl::OkStatus();
}

absl::Status Engine::ExplainScore(const Principal& who, const v1::ExplainScoreRequest& request,
                                  v1::ExplainScoreResponse* response) const {
  RETURN_IF_ERROR(Authorize(who, methods::kExplainScore));
  RETURN_IF_ERROR(CheckSubject(who, request.subject()));
  absl::StatusOr<Subject> subject = DecodeSubject(request.subject());
  if (!subject.ok()) return subject.status();
  if (request.metric().empty()) return absl::InvalidArgumentError("metric: is required");
  constexpr uint32_t kDefaultLimit = 100, kMaxLimit = 1000;
  if (request.limit() > kMaxLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: must be at most ", kMaxLimit, " (got ", request.limit(), ")"));
  }
  const size_t limit = request.limit() == 0 ? kDefaultLimit : request.limit();
  const absl::Time now = clock_->Now();
  absl::StatusOr<Period> period = DecodeScoringPeriod(request.period(), *views_, now);
  if (!period.ok()) return period.status();
  absl::StatusOr<ScoreExplanation> e = views_->Read([&](const Projector& p) {
    absl::StatusOr<ScoreExplanation> x = salestrack::ExplainScore(
        p, *subject, *period, request.scheme_id(), request.metric(), now, limit);
    // Names as of the explanation's seq: read here, under the same lock.
    if (x.ok()) EncodeRow(x->row, p.org(), response->mutable_row());
    return x;
  });
  if (!e.ok()) return e.status();
  response->set_seq(e->card.seq);
  *response->mutable_subject() = request.subject();
  *response->mutable_period() = EncodePeriod(e->card.period);
  response->set_scheme_id(e->card.scheme_id);
  response->set_scheme_reason(e->card.scheme_reason);
  response->set_formula(e->formula);
  response->set_rule(e->rule);
  if (e->row.target) {
    response->set_target_event_id(e->row.target->event_id);
    response->set_target_seq(e->row.target->seq);
  }
  for (const ScoreExplanation::Member& m : e->members) {
    v1::ExplainScoreResponse::Member* out = response->add_members();
    out->set_rep_id(m.rep);
    if (std::optional<Exact> v = ExactInTargetUnits(m.value)) out->set_actual(v->get_d());
  }
  response->set_member_count(static_cast<uint32_t>(e->member_count));
  response->set_events_listed(e->events.has_value());
  if (e->events) {
    std::vector<uint64_t> seqs;
    for (const Contribution& c : *e->events) seqs.push_back(c.seq);
    std::vector<std::string> ids;
    RETURN_IF_ERROR(views_->ReadEventIds(seqs, &ids));
    for (size_t i = 0; i < e->events->size(); ++i) {
      const Contribution& c = (*e->events)[i];
      v1::ExplainScoreResponse::Event* out = response->add_events();
      out->set_event_id(ids[i]);
      out->set_seq(c.seq);
      *out->mutable_occurred_at() = ToProto(c.at);
      out->set_rep_id(c.rep);
      out->set_entity_id(c.entity);
      out->set_amount(c.amount);
    }
    response->set_event_count(e->event_count);
  }
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
