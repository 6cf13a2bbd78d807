// `salestrack explain`: KpiService.ExplainScore as text (or JSON with --json): one scorecard
// component's formula, target and where it was set, rule, members' figures and contributing events.
#include <cstdio>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "report/scorecard_text.h"
#include "salestrack/proto_time.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"

ABSL_DECLARE_FLAG(std::string, scheme);
ABSL_DECLARE_FLAG(std::string, metric);
ABSL_DECLARE_FLAG(uint64_t, limit);

namespace salestrack::cli {
namespace {

std::string ExplainText(const v1::ExplainScoreResponse& e) {
  const v1::ScorecardRow& r = e.row();
  auto value = [&](double v) { return report::TargetUnitValue(v, r.kind()); };
  std::string out =
      absl::StrFormat("%s of %s, %s, scheme %s, at seq %d\n", r.metric(),
                      FormatSubject(e.subject()), FormatPeriod(e.period()), e.scheme_id(), e.seq());
  absl::StrAppend(&out, "scheme chosen: ", e.scheme_reason(), "\n");
  absl::StrAppend(&out, "formula:     ", e.formula(), "\n");
  absl::StrAppend(&out, "actual:      ", r.has_actual() ? value(r.actual()) : "— (undefined)",
                  "\n");
  if (r.has_target()) {
    absl::StrAppend(&out, "target:      ", value(r.target()), " (baseline ", value(r.baseline()),
                    ", challenge ", r.challenge() != 0 ? value(r.challenge()) : "—", "), set by ",
                    r.target_from(), " in TargetSet \"", e.target_event_id(), "\" (seq ",
                    e.target_seq(), ")\n");
  } else {
    absl::StrAppend(&out, "target:      none for this period up the tree: unscored\n");
  }
  absl::StrAppend(&out, "rule:        ", e.rule(), "\n");
  absl::StrAppend(&out, "attainment:  ",
                  r.has_attainment_bp() ? report::BasisPointsPercent(r.attainment_bp()) : "—",
                  "\n");
  absl::StrAppend(&out, "score:       ",
                  r.has_score_centi() ? absl::StrFormat("%.2f", r.score_centi() / 100.0) : "—",
                  r.note().empty() ? "" : absl::StrCat(" (", r.note(), ")"), "\n");
  if (e.member_count() > 0) {
    Table members({{"member"}, {"actual", Table::Align::kRight}});
    for (const auto& m : e.members()) {
      members.AddRow({m.rep_id(), m.has_actual() ? value(m.actual()) : "—"});
    }
    absl::StrAppend(&out, "\nmembers (", e.members_size(), " of ", e.member_count(), "):\n",
                    members.Render());
  }
  if (!e.events_listed()) {
    absl::StrAppend(&out, "\nevents: not itemised for ", r.metric(),
                    " (contract and payment sums are)\n");
    return out;
  }
  Table events({{"occurred_at"},
                {"event_id"},
                {"seq", Table::Align::kRight},
                {"rep"},
                {"contract/payment"},
                {"amount", Table::Align::kRight}});
  for (const auto& ev : e.events()) {
    events.AddRow(
        {absl::FormatTime("%Y-%m-%d %H:%M:%S", FromProto(ev.occurred_at()), absl::UTCTimeZone()),
         ev.event_id(), absl::StrCat(ev.seq()), ev.rep_id(), ev.entity_id(), Grouped(ev.amount())});
  }
  absl::StrAppend(&out, "\nevents (", e.events_size(), " of ", e.event_count(), ", UTC):\n",
                  events.Render());
  return out;
}

}  // namespace

int RunExplain(const Context& ctx) {
  constexpr char kCmd[] = "explain";
  if (!ctx.args.empty()) {
    return UsageError(kCmd, absl::StrCat("unexpected argument \"", ctx.args[0], "\""));
  }
  absl::StatusOr<v1::Subject> subject = SubjectFromFlags();
  if (!subject.ok()) return UsageError(kCmd, subject.status().message());
  absl::StatusOr<v1::Period> period = PeriodFromFlags();
  if (!period.ok()) return UsageError(kCmd, period.status().message());
  const std::string metric = absl::GetFlag(FLAGS_metric);
  if (metric.empty()) return UsageError(kCmd, "give --metric NAME (a component of the scheme)");
  const uint64_t limit = absl::GetFlag(FLAGS_limit);
  if (limit > 1000) return UsageError(kCmd, "--limit: at most 1000");

  v1::ExplainScoreRequest request;
  *request.mutable_subject() = *subject;
  *request.mutable_period() = *period;
  request.set_scheme_id(absl::GetFlag(FLAGS_scheme));
  request.set_metric(metric);
  request.set_limit(static_cast<uint32_t>(limit));
  v1::ExplainScoreResponse response;
  grpc::ClientContext context;
  SetDeadline(context, ctx);
  grpc::Status status =
      v1::KpiService::NewStub(ctx.channel)->ExplainScore(&context, request, &response);
  if (!status.ok()) return RpcFailed(kCmd, ctx, status);
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(response);
    return 0;
  }
  std::fputs(ExplainText(response).c_str(), stdout);
  return 0;
}

}  // namespace salestrack::cli
