// `salestrack report`: the team evaluation report of a unit for one period, written as report.md,
// report.csv and report.html (report_render.h) from GetScorecard, GetLeaderboard and GetFunnel.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/report_render.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"
#include "salestrack/v1/leaderboard_service.grpc.pb.h"

ABSL_FLAG(std::string, out, ".",
          "report: the directory to write report.md, report.csv, report.html to.");
ABSL_DECLARE_FLAG(std::string, unit);
ABSL_DECLARE_FLAG(std::string, scheme);

namespace salestrack::cli {
namespace {

constexpr char kCmd[] = "report";

// A scorecard, or why there is none (no scheme applies): FAILED_PRECONDITION is part of a report,
// any other error stops it.
grpc::Status Scorecard(const Context& ctx, const v1::Subject& subject, const v1::Period& period,
                       bool* scored, v1::GetScorecardResponse* card, std::string* why_not) {
  v1::GetScorecardRequest request;
  *request.mutable_subject() = subject;
  *request.mutable_period() = period;
  if (subject.has_unit_id()) request.set_scheme_id(absl::GetFlag(FLAGS_scheme));
  grpc::ClientContext context;
  SetDeadline(context, ctx);
  grpc::Status s = v1::KpiService::NewStub(ctx.channel)->GetScorecard(&context, request, card);
  *scored = s.ok();
  if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
    *why_not = s.error_message();
    return grpc::Status::OK;
  }
  return s;
}

bool Write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out.flush());
}

}  // namespace

int RunReport(const Context& ctx) {
  if (!ctx.args.empty()) {
    return UsageError(kCmd, absl::StrCat("unexpected argument \"", ctx.args[0], "\""));
  }
  ReportData r;
  r.unit_id = absl::GetFlag(FLAGS_unit);
  if (r.unit_id.empty()) return UsageError(kCmd, "give --unit ID");
  absl::StatusOr<v1::Period> period = PeriodFromFlags();
  if (!period.ok()) return UsageError(kCmd, period.status().message());
  v1::Subject unit;
  unit.set_unit_id(r.unit_id);

  grpc::Status s = Scorecard(ctx, unit, *period, &r.team_scored, &r.team, &r.team_why_not);
  if (!s.ok()) return RpcFailed(kCmd, ctx, s);
  {
    v1::GetLeaderboardRequest request;
    request.mutable_board()->set_unit_id(r.unit_id);
    request.mutable_board()->set_metric("composite_score");
    *request.mutable_board()->mutable_period() = *period;
    request.set_top(10000);  // The most a board answers.
    grpc::ClientContext context;
    SetDeadline(context, ctx);
    s = v1::LeaderboardService::NewStub(ctx.channel)->GetLeaderboard(&context, request, &r.ranking);
    if (!s.ok()) return RpcFailed(kCmd, ctx, s);
  }
  for (const v1::LeaderboardEntry& e : r.ranking.entries()) {
    RepCard& card = r.reps.emplace_back();
    card.rep_id = e.member_id();
    v1::Subject rep;
    rep.set_rep_id(e.member_id());
    s = Scorecard(ctx, rep, *period, &card.scored, &card.card, &card.why_not);
    if (!s.ok()) return RpcFailed(kCmd, ctx, s);
  }
  {
    v1::GetFunnelRequest request;
    *request.mutable_subject() = unit;
    *request.mutable_period() = *period;
    grpc::ClientContext context;
    SetDeadline(context, ctx);
    s = v1::KpiService::NewStub(ctx.channel)->GetFunnel(&context, request, &r.funnel);
    if (!s.ok()) return RpcFailed(kCmd, ctx, s);
  }
  r.period = r.funnel.period();
  r.seq = std::max({r.team.seq(), r.ranking.seq(), r.funnel.seq()});
  for (const RepCard& c : r.reps) r.seq = std::max(r.seq, c.card.seq());

  const std::string dir = absl::GetFlag(FLAGS_out);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);  // A new directory is what a user would expect.
  if (ec) {
    std::fprintf(stderr, "salestrack report: cannot create --out %s: %s\n", dir.c_str(),
                 ec.message().c_str());
    return 1;
  }
  for (auto [name, text] : {std::pair{"report.md", ReportMarkdown(r)},
                            {"report.csv", ReportCsv(r)},
                            {"report.html", ReportHtml(r)}}) {
    std::string path = absl::StrCat(dir, "/", name);
    if (!Write(path, text)) {
      std::fprintf(stderr, "salestrack report: cannot write %s\n", path.c_str());
      return 1;
    }
    std::printf("wrote %s\n", path.c_str());
  }
  return 0;
}

}  // namespace salestrack::cli
