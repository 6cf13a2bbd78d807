// `salestrack report`: the evaluation report of a unit or a rep for one period, as the daemon
// renders it (GetReport), written as report.md, report.csv and report.html.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"

ABSL_FLAG(std::string, out, ".",
          "report: the directory to write report.md, report.csv, report.html to.");
ABSL_DECLARE_FLAG(std::string, unit);
ABSL_DECLARE_FLAG(std::string, rep);
ABSL_DECLARE_FLAG(std::string, scheme);
ABSL_DECLARE_FLAG(std::string, locale);

namespace salestrack::cli {
namespace {

constexpr char kCmd[] = "report";

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
  const std::string unit = absl::GetFlag(FLAGS_unit), rep = absl::GetFlag(FLAGS_rep);
  if (unit.empty() == rep.empty()) return UsageError(kCmd, "give --unit ID or --rep ID");
  absl::StatusOr<v1::Period> period = PeriodFromFlags();
  if (!period.ok()) return UsageError(kCmd, period.status().message());
  v1::GetReportRequest request;
  if (!unit.empty()) {
    request.mutable_subject()->set_unit_id(unit);
    request.set_scheme_id(absl::GetFlag(FLAGS_scheme));
  } else {
    request.mutable_subject()->set_rep_id(rep);
  }
  *request.mutable_period() = *period;
  request.set_locale(absl::GetFlag(FLAGS_locale));

  const std::string dir = absl::GetFlag(FLAGS_out);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);  // A new directory is what a user would expect.
  if (ec) {
    std::fprintf(stderr, "salestrack report: cannot create --out %s: %s\n", dir.c_str(),
                 ec.message().c_str());
    return 1;
  }
  for (auto [name, format] : {std::pair{"report.md", v1::GetReportRequest::MARKDOWN},
                              {"report.csv", v1::GetReportRequest::CSV},
                              {"report.html", v1::GetReportRequest::HTML}}) {
    request.set_format(format);
    v1::GetReportResponse response;
    grpc::ClientContext context;
    SetDeadline(context, ctx);
    grpc::Status s = v1::KpiService::NewStub(ctx.channel)->GetReport(&context, request, &response);
    if (!s.ok()) return RpcFailed(kCmd, ctx, s);
    std::string path = absl::StrCat(dir, "/", name);
    if (!Write(path, response.content())) {
      std::fprintf(stderr, "salestrack report: cannot write %s\n", path.c_str());
      return 1;
    }
    std::printf("wrote %s\n", path.c_str());
  }
  return 0;
}

}  // namespace salestrack::cli
