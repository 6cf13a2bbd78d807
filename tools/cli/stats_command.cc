// `salestrack stats`: AdminService.GetStats, the figures of the daemon's Prometheus endpoint, as a
// table. Counters and gauges show their value; histograms their count, mean and the bucket bounds
// that hold the 50th and 99th percentiles ("p99 <= 5 ms": what the buckets can tell).
#include <cmath>
#include <cstdio>
#include <map>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "salestrack/v1/kpi_service.grpc.pb.h"

namespace salestrack::cli {
namespace {

// name{a="x",b="y"}, labels in name order as Prometheus writes them.
std::string SampleName(const v1::StatsMetric& m) {
  if (m.labels().empty()) return m.name();
  std::map<std::string, std::string> sorted(m.labels().begin(), m.labels().end());
  std::vector<std::string> parts;
  for (const auto& [k, v] : sorted) parts.push_back(absl::StrCat(k, "=\"", v, "\""));
  return absl::StrCat(m.name(), "{", absl::StrJoin(parts, ","), "}");
}

// Seconds histograms in ms, others (batch sizes) as plain numbers.
std::string Amount(double v, bool seconds) {
  if (!seconds) return absl::StrFormat("%g", v);
  return v * 1000 >= 1 ? absl::StrFormat("%.1f ms", v * 1000) : absl::StrFormat("%.0f µs", v * 1e6);
}

// The upper bound of the bucket holding quantile q: "<= 5 ms", or "> 2.5 s" past the last bound.
std::string QuantileBound(const v1::StatsMetric& m, double q, bool seconds) {
  const double rank = q * static_cast<double>(m.count());
  double previous = 0;
  for (const v1::HistogramBucket& b : m.buckets()) {
    if (static_cast<double>(b.cumulative_count()) >= rank) {
      if (std::isinf(b.upper_bound())) return absl::StrCat("> ", Amount(previous, seconds));
      return absl::StrCat("<= ", Amount(b.upper_bound(), seconds));
    }
    previous = b.upper_bound();
  }
  return "?";
}

std::string FormatSample(const v1::StatsMetric& m) {
  if (m.type() != v1::StatsMetric::HISTOGRAM) {
    double v = m.value();
    return v == static_cast<double>(static_cast<int64_t>(v)) ? Grouped(static_cast<int64_t>(v))
                                                             : absl::StrFormat("%g", v);
  }
  if (m.count() == 0) return "n=0";
  const bool seconds = absl::EndsWith(m.name(), "_seconds");
  return absl::StrCat("n=", Grouped(static_cast<int64_t>(m.count())),
                      " mean=", Amount(m.sum() / static_cast<double>(m.count()), seconds), " p50 ",
                      QuantileBound(m, 0.5, seconds), " p99 ", QuantileBound(m, 0.99, seconds));
}

}  // namespace

int RunStats(const Context& ctx) {
  constexpr char kCmd[] = "stats";
  if (!ctx.args.empty()) {
    return UsageError(kCmd, absl::StrCat("unexpected argument \"", ctx.args[0], "\""));
  }
  v1::GetStatsResponse response;
  grpc::ClientContext context;
  SetDeadline(context, ctx);
  grpc::Status status =
      v1::AdminService::NewStub(ctx.channel)->GetStats(&context, v1::GetStatsRequest(), &response);
  if (!status.ok()) return RpcFailed(kCmd, ctx, status);
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(response);
    return 0;
  }
  Table table({{"metric"}, {"value", Table::Align::kRight}});
  for (const v1::StatsMetric& m : response.metrics())
    table.AddRow({SampleName(m), FormatSample(m)});
  std::printf("salestrackd %s\n\n%s", ctx.server.c_str(), table.Render().c_str());
  return 0;
}

}  // namespace salestrack::cli
