// The engine's KPI queries: GetKpis, GetFunnel and ListFollowUps. Each checks the method's role
// and the subject's scope, decodes, asks the projector under the views' reader lock, and encodes.
#include "engine/engine.h"

#include <algorithm>
#include <iterator>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engine/names.h"
#include "engine/wire.h"
#include "salestrack/proto_time.h"
#include "salestrack/status_macros.h"
#include "salestrack/validation.h"

namespace salestrack::engine {
namespace {

// The subject and period of a GetKpis or GetFunnel request.
template <typename Request>
absl::StatusOr<std::pair<Subject, Period>> DecodeQuery(const Request& request, const Views& views,
                                                       absl::Time now) {
  absl::StatusOr<Subject> subject = DecodeSubject(request.subject());
  if (!subject.ok()) return subject.status();
  absl::StatusOr<Period> period = DecodePeriod(request.period(), now, views.zone());
  if (!period.ok()) return period.status();
  return std::make_pair(*std::move(subject), *period);
}

void EncodeMetric(const std::string& name, const MetricValue& m, v1::MetricValue* out) {
  out->set_name(name);
  switch (m.kind) {
    case MetricValue::Kind::kCount:
      out->set_kind(v1::MetricValue::COUNT);
      out->set_defined(true);
      out->set_integer(m.integer);
      break;
    case MetricValue::Kind::kMoney:
      out->set_kind(v1::MetricValue::MONEY);
      out->set_defined(true);
      out->set_integer(m.integer);
      break;
    case MetricValue::Kind::kRatio:
    case MetricValue::Kind::kMean:
      out->set_kind(m.kind == MetricValue::Kind::kRatio ? v1::MetricValue::RATIO
                                                        : v1::MetricValue::MEAN);
      out->set_defined(m.real.has_value());
      if (m.real) out->set_real(*m.real);
      break;
    case MetricValue::Kind::kDistribution: {
      out->set_kind(v1::MetricValue::DISTRIBUTION);
      out->set_defined(m.count > 0);
      v1::Distribution* d = out->mutable_distribution();
      d->set_count(m.count);
      d->set_mean_seconds(m.mean_seconds);
      d->set_p50_seconds(m.p50_seconds);
      d->set_p90_seconds(m.p90_seconds);
      break;
    }
  }
}

}  // namespace

absl::Status Engine::GetKpis(const Principal& who, const v1::GetKpisRequest& request,
                             v1::GetKpisResponse* response) const {
  RETURN_IF_ERROR(Authorize(who, methods::kGetKpis));
  RETURN_IF_ERROR(CheckSubject(who, request.subject()));
  absl::Time now = clock_->Now();
  auto query = DecodeQuery(request, *views_, now);
  if (!query.ok()) return query.status();
  const bool list_reps = request.include_rep_ids() || !request.subject().rep_id().empty();
  std::vector<std::string> rep_names;  // Beside the reps listed, read with the figures.
  absl::StatusOr<KpiReport> report = views_->Read([&](const Projector& p) {
    absl::StatusOr<KpiReport> r = p.Kpis(query->first, query->second, now);
    response->set_subject_name(SubjectName(p.org(), request.subject()));
    if (r.ok() && list_reps) {
      rep_names.reserve(r->reps->size());
      for (const std::string& rep : *r->reps) rep_names.push_back(RepName(p.org(), rep));
    }
    return r;
  });
  if (!report.ok()) return report.status();
  response->set_seq(report->seq);
  *response->mutable_subject() = request.subject();
  *response->mutable_period() = EncodePeriod(report->period);
  response->set_rep_count(static_cast<uint32_t>(report->reps->size()));
  if (list_reps) {  // A rep: itself.
    response->mutable_rep_ids()->Reserve(static_cast<int>(report->reps->size()));
    for (const std::string& rep : *report->reps) response->add_rep_ids(rep);
    for (std::string& name : rep_names) response->add_rep_names(std::move(name));
  }
  for (const auto& [name, m] : report->metrics) EncodeMetric(name, m, response->add_metrics());
  for (const auto& [name, m] : report->point_in_time) {
    EncodeMetric(name, m, response->add_point_in_time());
  }
  *response->mutable_as_of() = ToProto(now);
  return absl::OkStatus();
}

absl::Status Engine::GetFunnel(const Principal& who, const v1::GetFunnelRequest& request,
                               v1::GetFunnelResponse* response) const {
  RETURN_IF_ERROR(Authorize(who, methods::kGetFunnel));
  RETURN_IF_ERROR(CheckSubject(who, request.subject()));
  auto query = DecodeQuery(request, *views_, clock_->Now());
  if (!query.ok()) return query.status();
  absl::StatusOr<FunnelReport> funnel = views_->Read([&](const Projector& p) {
    response->set_subject_name(SubjectName(p.org(), request.subject()));
    return p.Funnel(query->first, query->second);
  });
  if (!funnel.ok()) return funnel.status();
  response->set_seq(funnel->seq);
  *response->mutable_subject() = request.subject();
  *response->mutable_period() = EncodePeriod(funnel->period);
  response->set_opened(funnel->opened);
  response->set_won(funnel->won);
  for (const FunnelStage& s : funnel->stages) {
    auto* out = response->add_stages();
    out->set_stage_id(s.stage_id);
    out->set_name(s.name);
    out->set_reached(s.reached);
    if (s.conversion) out->set_conversion(*s.conversion);
  }
  return absl::OkStatus();
}

namespace {

// The first `limit` of two lists sorted by (due, rep, customer, seq), in that order.
std::vector<FollowUp> MergeFollowUps(std::vector<FollowUp> a, std::vector<FollowUp> b,
                                     size_t limit) {
  std::vector<FollowUp> out;
  out.reserve(std::min(limit, a.size() + b.size()));
  auto key = [](const FollowUp& f) {
    return std::tie(f.due, f.rep, f.customer, f.scheduled_by_seq);
  };
  std::merge(std::make_move_iterator(a.begin()), std::make_move_iterator(a.end()),
             std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()),
             std::back_inserter(out),
             [&](const FollowUp& x, const FollowUp& y) { return key(x) < key(y); });
  if (out.size() > limit) out.resize(limit);
  return out;
}

}  // namespace

absl::Status Engine::ListFollowUps(const Principal& who, const v1::ListFollowUpsRequest& request,
                                   v1::ListFollowUpsResponse* response) const {
  RETURN_IF_ERROR(Authorize(who, methods::kListFollowUps));
  RETURN_IF_ERROR(CheckSubject(who, request.subject()));
  absl::Time now = clock_->Now();
  absl::StatusOr<Subject> subject = DecodeSubject(request.subject());
  if (!subject.ok()) return subject.status();
  if (!v1::ListFollowUpsRequest::State_IsValid(request.state())) {
    return absl::InvalidArgumentError("state: unknown value");
  }
  FollowUpState state = static_cast<FollowUpState>(request.state());
  // Open and overdue follow-ups are still to be done however old, so those lists are unbounded by
  // default; the others show 30 days either side of now (and "any" adds every open one, below).
  const bool pending = state == FollowUpState::kOpen || state == FollowUpState::kOverdue;
  absl::Time from = request.has_from() ? FromProto(request.from())
                    : pending          ? absl::InfinitePast()
                                       : now - absl::Hours(24 * 30);
  absl::Time to = request.has_to() ? FromProto(request.to())
                  : pending        ? absl::InfiniteFuture()
                                   : now + absl::Hours(24 * 30);
  if (to <= from) return absl::InvalidArgumentError("to: must be after from");
  // A response holds at most 10,000 entries (~1 MB): a company's years of follow-ups would
  // otherwise be one unbounded message.
  constexpr uint32_t kDefaultLimit = 1000, kMaxLimit = 10000;
  const size_t limit = request.limit() == 0 ? kDefaultLimit : std::min(request.limit(), kMaxLimit);
  // Without a window, "any" is everything still open (however old) and the done ones of the
  // default window: the first `limit` of both, merged in the list's order.
  const bool open_and_recent =
      state == FollowUpState::kAny && !request.has_from() && !request.has_to();
  size_t total = 0, open_total = 0;
  absl::flat_hash_map<std::string, std::string> rep_names;  // Of the reps listed.
  auto [seq, list] = views_->Read([&](const Projector& p) {
    auto r = [&] {
      if (!open_and_recent) {
        return std::make_pair(p.applied_seq(),
                              p.FollowUps(*subject, from, to, state, now, limit, &total));
      }
      absl::StatusOr<std::vector<FollowUp>> done =
          p.FollowUps(*subject, from, to, FollowUpState::kDone, now, limit, &total);
      absl::StatusOr<std::vector<FollowUp>> open =
          p.FollowUps(*subject, absl::InfinitePast(), absl::InfiniteFuture(), FollowUpState::kOpen,
                      now, limit, &open_total);
      if (done.ok() && open.ok()) *done = MergeFollowUps(std::move(*done), std::move(*open), limit);
      return std::make_pair(p.applied_seq(), open.ok() ? std::move(done) : std::move(open));
    }();
    // Names as of the list's seq: read here, under the same lock.
    if (r.second.ok()) {
      for (const FollowUp& f : *r.second) {
        if (!rep_names.contains(f.rep)) rep_names.emplace(f.rep, RepName(p.org(), f.rep));
      }
    }
    return r;
  });
  total += open_total;
  if (!list.ok()) return list.status();
  if (absl::Status s = views_->FillScheduledBy(&*list); !s.ok()) return s;
  response->set_seq(seq);
  response->set_total(total);
  for (const FollowUp& f : *list) {
    v1::FollowUpEntry* e = response->add_follow_ups();
    e->set_rep_id(f.rep);
    e->set_rep_name(rep_names[f.rep]);
    e->set_customer_id(f.customer);
    e->set_scheduled_by_event_id(f.scheduled_by);
    *e->mutable_due_at() = ToProto(f.due);
    if (f.done_at) *e->mutable_done_at() = ToProto(*f.done_at);
    e->set_on_time(f.on_time);
    e->set_overdue(f.overdue);
  }
  return absl::OkStatus();
}

}  // namespace salestrack::engine
