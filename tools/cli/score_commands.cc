// `salestrack scorecard` and `salestrack targets check`: KpiService's scoring RPCs as text tables
// (or JSON with --json).
#include <cmath>
#include <cstdio>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "report/scorecard_text.h"
#include "salestrack/metric_names.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"

ABSL_FLAG(std::string, scheme, "",
          "scorecard: score by this scheme id instead of the rep's (role's) or unit's own.");
ABSL_DECLARE_FLAG(std::string, unit);
ABSL_DECLARE_FLAG(std::string, metric);

namespace salestrack::cli {

int RunScorecard(const Context& ctx) {
  constexpr char kCmd[] = "scorecard";
  if (!ctx.args.empty()) {
    return UsageError(kCmd, absl::StrCat("unexpected argument \"", ctx.args[0], "\""));
  }
  absl::StatusOr<v1::Subject> subject = SubjectFromFlags();
  if (!subject.ok()) return UsageError(kCmd, subject.status().message());
  absl::StatusOr<v1::Period> period = PeriodFromFlags();
  if (!period.ok()) return UsageError(kCmd, period.status().message());

  v1::GetScorecardRequest request;
  *request.mutable_subject() = *subject;
  *request.mutable_period() = *period;
  request.set_scheme_id(absl::GetFlag(FLAGS_scheme));
  v1::GetScorecardResponse response;
  grpc::ClientContext context;
  SetDeadline(context, ctx);
  grpc::Status status =
      v1::KpiService::NewStub(ctx.channel)->GetScorecard(&context, request, &response);
  if (!status.ok()) return RpcFailed(kCmd, ctx, status);
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(response);
    return 0;
  }
  std::unique_ptr<format::MoneyFormatter> money;  // --locale: money in the org currency.
  if (status = MoneyFormatterFromFlags(ctx, &money); !status.ok())
    return RpcFailed(kCmd, ctx, status);
  std::fputs(report::ScorecardText(response, money.get()).c_str(), stdout);
  return 0;
}

int RunTargets(const Context& ctx) {
  constexpr char kCmd[] = "targets";
  if (ctx.args.size() != 1 || ctx.args[0] != "check") {
    return UsageError(kCmd,
                      "usage: salestrack targets check --unit ID [--period P --date D] "
                      "[--metric NAME]");
  }
  const std::string unit = absl::GetFlag(FLAGS_unit);
  if (unit.empty()) return UsageError(kCmd, "give --unit ID");
  absl::StatusOr<v1::Period> period = PeriodFromFlags();
  if (!period.ok()) return UsageError(kCmd, period.status().message());

  v1::CheckTargetsRequest request;
  request.set_unit_id(unit);
  *request.mutable_period() = *period;
  request.set_metric(absl::GetFlag(FLAGS_metric));
  v1::CheckTargetsResponse response;
  grpc::ClientContext context;
  SetDeadline(context, ctx);
  grpc::Status status =
      v1::KpiService::NewStub(ctx.channel)->CheckTargets(&context, request, &response);
  if (!status.ok()) return RpcFailed(kCmd, ctx, status);
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(response);
    return response.gaps().empty() ? 0 : 1;
  }
  std::unique_ptr<format::MoneyFormatter> money;  // --locale: money in the org currency, names.
  if (status = MoneyFormatterFromFlags(ctx, &money); !status.ok())
    return RpcFailed(kCmd, ctx, status);
  const bool names = money != nullptr;
  std::printf("targets under unit %s, %s, at seq %llu: %u checked, %d not adding up\n",
              unit.c_str(), FormatPeriod(response.period()).c_str(),
              static_cast<unsigned long long>(response.seq()), response.checked(),
              response.gaps_size());
  if (response.gaps().empty()) return 0;
  Table table({{"unit"},
               {"metric"},
               {"unit target", Table::Align::kRight},
               {"children sum", Table::Align::kRight},
               {"difference", Table::Align::kRight},
               {"children"}});
  for (const v1::TargetGap& g : response.gaps()) {
    // Targets of money metrics are minor units: with --locale, money in the org currency.
    const format::MoneyFormatter* amounts = IsMoneyMetric(g.metric()) ? money.get() : nullptr;
    auto figure = [amounts](int64_t v) {
      return amounts != nullptr ? amounts->Format(v) : Grouped(v);
    };
    std::vector<std::string> children;
    for (const auto& c : g.children()) {
      children.push_back(
          absl::StrCat(WithName(c.subject(), c.name(), names), " ", figure(c.target())));
    }
    for (int i = 0; i < g.missing_size(); ++i) {
      const std::string name = i < g.missing_names_size() ? g.missing_names(i) : "";
      children.push_back(absl::StrCat(WithName(g.missing(i), name, names), " (none)"));
    }
    // The sums are of int64 targets: the difference in 128 bits cannot wrap.
    const __int128 difference = static_cast<__int128>(g.children_sum()) - g.unit_target();
    const bool fits = difference >= INT64_MIN && difference <= INT64_MAX;
    table.AddRow({WithName(g.unit_id(), g.unit_name(), names), g.metric(), figure(g.unit_target()),
                  figure(g.children_sum()),
                  fits ? figure(static_cast<int64_t>(difference)) : "(out of range)",
                  absl::StrJoin(children, ", ")});
  }
  std::printf("\n%s", table.Render().c_str());
  return 1;
}

}  // namespace salestrack::cli
