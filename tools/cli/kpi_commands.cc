// `salestrack kpis`, `salestrack funnel` and `salestrack followups`: KpiService as text tables (or
// JSON with --json).
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "salestrack/proto_time.h"
#include "salestrack/time_range.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"

ABSL_DECLARE_FLAG(uint64_t, limit);  // events_command.cc

ABSL_FLAG(std::string, rep, "", "kpis, funnel, followups, scorecard: the rep to report on.");
ABSL_FLAG(std::string, unit, "",
          "kpis, funnel, followups, scorecard, report, targets: the org unit to report on (its "
          "whole subtree, by current membership).");
ABSL_FLAG(std::string, period, "month",
          "kpis, funnel, scorecard, report, targets: the calendar period: day, week, month, "
          "quarter or year.");
ABSL_FLAG(std::string, date, "",
          "kpis, funnel, scorecard, report, targets: a date inside the period, YYYY-MM-DD (org "
          "time zone). Default: today in "
          "the daemon's time zone.");
ABSL_FLAG(
    bool, list_reps, false,
    "kpis: list the reps whose figures are merged (a unit's members; otherwise only how many).");
ABSL_FLAG(std::string, due_from, "",
          "followups: list follow-ups due at or after this RFC 3339 instant, e.g. "
          "2026-11-01T00:00:00Z. Default: 30 days ago, and any time for open ones (every state).");
ABSL_FLAG(std::string, due_to, "",
          "followups: list follow-ups due before this RFC 3339 instant. Default: 30 days from now, "
          "and any time for open ones (every state).");
ABSL_FLAG(std::string, state, "any",
          "followups: any, open, done, on_time (done within 24 h after due) or overdue (open and "
          "past due).");

namespace salestrack::cli {

absl::StatusOr<v1::Subject> SubjectFromFlags() {
  std::string rep = absl::GetFlag(FLAGS_rep), unit = absl::GetFlag(FLAGS_unit);
  v1::Subject subject;
  if (!rep.empty() && !unit.empty()) {
    return absl::InvalidArgumentError("give either --rep or --unit, not both");
  }
  if (!rep.empty()) {
    subject.set_rep_id(rep);
  } else if (!unit.empty()) {
    subject.set_unit_id(unit);
  } else {
    return absl::InvalidArgumentError("give --rep ID or --unit ID");
  }
  return subject;
}

namespace {

// A strict YYYY-MM-DD that names a real day.
std::optional<absl::CivilDay> ParseDate(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
  }
  int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) return std::nullopt;
  return day;
}

absl::StatusOr<std::optional<google::protobuf::Timestamp>> InstantFromFlag(const char* name,
                                                                           const std::string& s) {
  if (s.empty()) return std::nullopt;
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, s, &t, &error)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", name, " must be an RFC 3339 instant such as 2026-11-01T00:00:00Z (got \"", s,
        "\": ", error, ")"));
  }
  return ToProto(t);
}

// No positional arguments; --rep or --unit.
int CheckArgs(const char* command, const Context& ctx) {
  if (!ctx.args.empty()) {
    return UsageError(command, absl::StrCat("unexpected argument \"", ctx.args[0], "\""));
  }
  return 0;
}

std::string Bar(int64_t n, int64_t of) {
  constexpr int kWidth = 30;
  if (of <= 0 || n <= 0) return "";
  int64_t len =
      std::llround(static_cast<double>(kWidth) * static_cast<double>(n) / static_cast<double>(of));
  return std::string(static_cast<size_t>(std::clamp<int64_t>(len, 1, kWidth)), '#');
}

}  // namespace

absl::StatusOr<v1::Period> PeriodFromFlags() {
  v1::Period period;
  std::string kind = absl::AsciiStrToUpper(absl::GetFlag(FLAGS_period));
  v1::PeriodKind parsed;
  if (!v1::PeriodKind_Parse(kind, &parsed) || parsed == v1::PERIOD_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("--period must be day, week, month, quarter or year (got \"",
                     absl::GetFlag(FLAGS_period), "\")"));
  }
  period.set_kind(parsed);
  std::string date = absl::GetFlag(FLAGS_date);
  if (!date.empty()) {
    std::optional<absl::CivilDay> day = ParseDate(date);
    if (!day) {
      return absl::InvalidArgumentError(
          absl::StrCat("--date must be a date YYYY-MM-DD (got \"", date, "\")"));
    }
    period.mutable_date()->set_year(static_cast<int32_t>(day->year()));
    period.mutable_date()->set_month(day->month());
    period.mutable_date()->set_day(day->day());
    // The daemon's own rule (time_range.h), so what it returns is accepted here too.
    if (std::optional<FieldProblem> bad =
            CheckPeriodDate("--date", static_cast<PeriodKind>(parsed), period.date())) {
      return absl::InvalidArgumentError(absl::StrCat(bad->field, ": ", bad->reason));
    }
  }
  return period;
}

void SetDeadline(grpc::ClientContext& context, const Context& ctx) {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(static_cast<int64_t>(ctx.timeout_seconds * 1000)));
}

int RunKpis(const Context& ctx) {
  constexpr char kCmd[] = "kpis";
  if (int code = CheckArgs(kCmd, ctx)) return code;
  absl::StatusOr<v1::Subject> subject = SubjectFromFlags();
  if (!subject.ok()) return UsageError(kCmd, subject.status().message());
  absl::StatusOr<v1::Period> period = PeriodFromFlags();
  if (!period.ok()) return UsageError(kCmd, period.status().message());

  v1::GetKpisRequest request;
  *request.mutable_subject() = *subject;
  *request.mutable_period() = *period;
  request.set_include_rep_ids(absl::GetFlag(FLAGS_list_reps));
  v1::GetKpisResponse response;
  grpc::ClientContext context;
  SetDeadline(context, ctx);
  grpc::Status status = v1::KpiService::NewStub(ctx.channel)->GetKpis(&context, request, &response);
  if (!status.ok()) return RpcFailed(kCmd, ctx, status);
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(response);
    return 0;
  }
  std::unique_ptr<format::MoneyFormatter> money;
  if (status = MoneyFormatterFromFlags(ctx, &money); !status.ok()) {
    return RpcFailed(kCmd, ctx, status);
  }
  // With --locale, the subject's display name beside its id.
  std::string subject_text = FormatSubject(response.subject());
  if (money != nullptr && !response.subject_name().empty()) {
    absl::StrAppend(&subject_text, " (", response.subject_name(), ")");
  }

  // The reps' ids when the response lists them (a rep, or --list_reps), else how many.
  std::string reps = response.rep_count() == 0    ? "none"
                     : response.rep_ids().empty() ? absl::StrCat(response.rep_count())
                                                  : absl::StrJoin(response.rep_ids(), ", ");
  std::printf("KPIs for %s, %s, at seq %llu (reps merged: %s)\n\n", subject_text.c_str(),
              FormatPeriod(response.period()).c_str(),
              static_cast<unsigned long long>(response.seq()), reps.c_str());
  Table metrics({{"metric"}, {"value"}});
  for (const v1::MetricValue& m : response.metrics()) {
    metrics.AddRow({m.name(), FormatMetric(m, money.get())});
  }
  std::fputs(metrics.Render().c_str(), stdout);

  google::protobuf::Timestamp as_of = response.as_of();
  as_of.set_nanos(0);  // Whole seconds are enough here.
  std::printf("\npoint in time, as of %s\n\n", FormatTimestamp(as_of).c_str());
  Table now({{"figure"}, {"value"}});
  for (const v1::MetricValue& m : response.point_in_time()) {
    now.AddRow({m.name(), FormatMetric(m, money.get())});
  }
  std::fputs(now.Render().c_str(), stdout);
  return 0;
}

int RunFunnel(const Context& ctx) {
  constexpr char kCmd[] = "funnel";
  if (int code = CheckArgs(kCmd, ctx)) return code;
  absl::StatusOr<v1::Subject> subject = SubjectFromFlags();
  if (!subject.ok()) return UsageError(kCmd, subject.status().message());
  absl::StatusOr<v1::Period> period = PeriodFromFlags();
  if (!period.ok()) return UsageError(kCmd, period.status().message());

  v1::GetFunnelRequest request;
  *request.mutable_subject() = *subject;
  *request.mutable_period() = *period;
  v1::GetFunnelResponse response;
  grpc::ClientContext context;
  SetDeadline(context, ctx);
  grpc::Status status =
      v1::KpiService::NewStub(ctx.channel)->GetFunnel(&context, request, &response);
  if (!status.ok()) return RpcFailed(kCmd, ctx, status);
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(response);
    return 0;
  }

  std::printf("funnel for %s: opportunities opened in %s, as of seq %llu\n\n",
              FormatSubject(*subject).c_str(), FormatPeriod(response.period()).c_str(),
              static_cast<unsigned long long>(response.seq()));
  const int64_t opened = response.opened();
  Table table({{"stage"},
               {"name"},
               {"reached", Table::Align::kRight},
               {"conversion", Table::Align::kRight},
               {"of opened"}});
  table.AddRow({"opened", "", Grouped(opened), "", Bar(opened, opened)});
  for (const v1::GetFunnelResponse::Stage& s : response.stages()) {
    table.AddRow({s.stage_id(), s.name(), Grouped(s.reached()),
                  s.has_conversion() ? Percent(s.conversion()) : "—", Bar(s.reached(), opened)});
  }
  table.AddRow({"won", "", Grouped(response.won()), "", Bar(response.won(), opened)});
  std::fputs(table.Render().c_str(), stdout);
  std::printf(
      "\nconversion: share of a stage's opportunities that reached the next stage (the "
      "last stage: that were won)\n");
  return 0;
}

int RunFollowUps(const Context& ctx) {
  constexpr char kCmd[] = "followups";
  if (int code = CheckArgs(kCmd, ctx)) return code;
  absl::StatusOr<v1::Subject> subject = SubjectFromFlags();
  if (!subject.ok()) return UsageError(kCmd, subject.status().message());
  auto from = InstantFromFlag("due_from", absl::GetFlag(FLAGS_due_from));
  if (!from.ok()) return UsageError(kCmd, from.status().message());
  auto to = InstantFromFlag("due_to", absl::GetFlag(FLAGS_due_to));
  if (!to.ok()) return UsageError(kCmd, to.status().message());
  if (*from && *to &&
      std::make_pair((*to)->seconds(), (*to)->nanos()) <=
          std::make_pair((*from)->seconds(), (*from)->nanos())) {
    return UsageError(kCmd, "--due_to must be after --due_from");
  }
  std::string state_name = absl::AsciiStrToUpper(absl::GetFlag(FLAGS_state));
  v1::ListFollowUpsRequest::State state;
  if (!v1::ListFollowUpsRequest::State_Parse(state_name, &state)) {
    return UsageError(kCmd,
                      absl::StrCat("--state must be any, open, done, on_time or overdue (got \"",
                                   absl::GetFlag(FLAGS_state), "\")"));
  }

  v1::ListFollowUpsRequest request;
  *request.mutable_subject() = *subject;
  if (*from) *request.mutable_from() = **from;
  if (*to) *request.mutable_to() = **to;
  request.set_state(state);
  request.set_limit(
      static_cast<uint32_t>(std::min<uint64_t>(absl::GetFlag(FLAGS_limit), UINT32_MAX)));
  v1::ListFollowUpsResponse response;
  grpc::ClientContext context;
  SetDeadline(context, ctx);
  grpc::Status status =
      v1::KpiService::NewStub(ctx.channel)->ListFollowUps(&context, request, &response);
  if (!status.ok()) return RpcFailed(kCmd, ctx, status);
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(response);
    return 0;
  }

  // The daemon's default window (ListFollowUpsRequest): unbounded for what is still to be done.
  const bool pending =
      state == v1::ListFollowUpsRequest::OPEN || state == v1::ListFollowUpsRequest::OVERDUE;
  std::string window = !*from && !*to && pending ? "at any time"
                                                 : absl::StrCat(*from     ? FormatTimestamp(**from)
                                                                : pending ? "any time"
                                                                          : "30 days ago",
                                                                " to ",
                                                                *to       ? FormatTimestamp(**to)
                                                                : pending ? "any time"
                                                                          : "30 days from now");
  std::printf(
      "follow-ups of %s due %s, state %s, at seq %llu: %llu%s\n\n", FormatSubject(*subject).c_str(),
      window.c_str(), absl::AsciiStrToLower(state_name).c_str(),
      static_cast<unsigned long long>(response.seq()),
      static_cast<unsigned long long>(response.total()),
      response.total() > static_cast<uint64_t>(response.follow_ups_size())
          ? absl::StrCat(" (the first ", response.follow_ups_size(), " shown; --limit for more)")
                .c_str()
          : "");
  if (response.follow_ups().empty()) return 0;
  const bool names = NamesFromFlags();  // --locale: the reps' names beside their ids.
  Table table({{"due"}, {"rep"}, {"customer"}, {"state"}, {"done_at"}, {"scheduled_by"}});
  for (const v1::FollowUpEntry& f : response.follow_ups()) {
    const char* s =
        f.has_done_at() ? (f.on_time() ? "on_time" : "late") : (f.overdue() ? "overdue" : "open");
    table.AddRow({FormatTimestamp(f.due_at()), WithName(f.rep_id(), f.rep_name(), names),
                  f.customer_id(), s, f.has_done_at() ? FormatTimestamp(f.done_at()) : "",
                  f.scheduled_by_event_id()});
  }
  std::fputs(table.Render().c_str(), stdout);
  return 0;
}

}  // namespace salestrack::cli
