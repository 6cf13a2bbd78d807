// `salestrack top` and `salestrack watch`: LeaderboardService as a table, once or live.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "report/scorecard_text.h"
#include "salestrack/v1/leaderboard_service.grpc.pb.h"

ABSL_FLAG(std::string, competition, "", "top, watch: the competition's board.");
ABSL_FLAG(std::string, metric, "",
          "top, watch: the metric to rank a unit's reps by, e.g. sales_amount, win_rate; "
          "attainment:sales_amount (actual over target); overdue_follow_ups (as of now).");
ABSL_FLAG(int32_t, top, -1, "top, watch: only the first N entries (top default 10; watch: all).");
ABSL_FLAG(std::string, around, "", "top: the entries around this member.");
ABSL_FLAG(int32_t, radius, 3, "top: with --around, how many entries either side.");
ABSL_FLAG(std::string, member, "", "top: just this member's rank.");
ABSL_FLAG(std::string, members, "", "watch: only these members, comma-separated.");
ABSL_FLAG(int32_t, updates, 0, "watch: stop after this many updates (0: run until interrupted).");

ABSL_DECLARE_FLAG(std::string, unit);

namespace salestrack::cli {
namespace {

absl::StatusOr<v1::BoardRef> BoardFromFlags() {
  v1::BoardRef board;
  std::string unit = absl::GetFlag(FLAGS_unit), competition = absl::GetFlag(FLAGS_competition);
  std::string metric = absl::GetFlag(FLAGS_metric);
  if (unit.empty() == competition.empty()) {
    return absl::InvalidArgumentError("give either --unit ID (with --metric) or --competition ID");
  }
  if (!competition.empty()) {
    if (!metric.empty()) {
      return absl::InvalidArgumentError("a competition ranks by its own metric: drop --metric");
    }
    board.set_competition_id(competition);
    return board;
  }
  if (metric.empty()) return absl::InvalidArgumentError("--metric is required with --unit");
  board.set_unit_id(unit);
  board.set_metric(metric);
  absl::StatusOr<v1::Period> period = PeriodFromFlags();
  if (!period.ok()) return period.status();
  *board.mutable_period() = *period;
  return board;
}

// With `money` (--locale): money in the org currency and ratios as the locale's percents, as the
// KPI tables show them.
std::string FormatValue(const v1::BoardInfo& info, const v1::LeaderboardEntry& e,
                        const format::MoneyFormatter* money) {
  if (!e.defined()) return "-";
  // Basis points, as a scorecard shows an attainment.
  if (e.has_attainment_bp()) return report::BasisPointsPercent(e.attainment_bp());
  if (std::isinf(e.value())) return e.value() > 0 ? "∞" : "-∞";  // LOWER, actual 0.
  if (money != nullptr && info.kind() != v1::MetricValue::DISTRIBUTION &&
      std::isfinite(e.value()) && std::fabs(e.value()) < 9e18) {
    v1::MetricValue m;
    m.set_name(info.metric());
    m.set_kind(info.kind());
    m.set_defined(true);
    if (info.kind() == v1::MetricValue::MONEY || info.kind() == v1::MetricValue::COUNT) {
      m.set_integer(std::llround(e.value()));
    } else {
      m.set_real(e.value());
    }
    return FormatMetric(m, money);
  }
  switch (info.kind()) {
    case v1::MetricValue::MONEY:
      return Money(std::llround(e.value()));
    case v1::MetricValue::RATIO:
      return Percent(e.value());
    case v1::MetricValue::MEAN:
      return Decimal2(e.value());
    case v1::MetricValue::DISTRIBUTION:
      return Duration(e.value(), DurationUnit(e.value()));
    default:
      return Grouped(std::llround(e.value()));
  }
}

std::string Title(const v1::BoardInfo& info, uint64_t seq, bool names) {
  const v1::BoardRef& b = info.board();
  std::string scope =
      b.has_competition_id()
          ? absl::StrCat("competition ", WithName(b.competition_id(), info.name(), names),
                         info.team() ? " (teams)" : "")
          : absl::StrCat("unit ", WithName(b.unit_id(), info.name(), names), ", ",
                         info.as_of_now() ? "as of now" : FormatPeriod(b.period()));
  return absl::StrCat(info.metric(), info.lower_is_better() ? " (lower is better)" : "", " — ",
                      scope, ", ", info.members(), " on the board, seq ", seq);
}

// `markers`: member -> "▲ 3" / "▼ 1" / "new" for the entries the last update moved. With
// `money` (--locale), values in the org currency and names beside ids.
std::string Render(const v1::BoardInfo& info, uint64_t seq,
                   const std::vector<v1::LeaderboardEntry>& entries,
                   const absl::flat_hash_map<std::string, std::string>& markers,
                   const format::MoneyFormatter* money) {
  const bool names = money != nullptr;
  Table table({{"rank", Table::Align::kRight},
               {info.team() ? "unit" : "rep"},
               {"value", Table::Align::kRight},
               {""}});
  for (const v1::LeaderboardEntry& e : entries) {
    auto m = markers.find(e.member_id());
    table.AddRow({e.rank() == 0 ? "-" : absl::StrCat(e.rank()),
                  WithName(e.member_id(), e.display_name(), names), FormatValue(info, e, money),
                  m == markers.end() ? "" : m->second});
  }
  return absl::StrCat(Title(info, seq, names), "\n\n", table.Render());
}

bool Before(const v1::LeaderboardEntry& a, const v1::LeaderboardEntry& b) {
  // Board order from the entries themselves: ranked first by rank, unranked last, then by id.
  uint32_t ra = a.rank() == 0 ? UINT32_MAX : a.rank(), rb = b.rank() == 0 ? UINT32_MAX : b.rank();
  return ra != rb ? ra < rb : a.member_id() < b.member_id();
}

}  // namespace

int RunTop(const Context& ctx) {
  constexpr char kCmd[] = "top";
  if (!ctx.args.empty()) {
    return UsageError(kCmd, absl::StrCat("unexpected argument \"", ctx.args[0], "\""));
  }
  absl::StatusOr<v1::BoardRef> board = BoardFromFlags();
  if (!board.ok()) return UsageError(kCmd, board.status().message());
  v1::GetLeaderboardRequest request;
  *request.mutable_board() = *board;
  const std::string around = absl::GetFlag(FLAGS_around), member = absl::GetFlag(FLAGS_member);
  const int32_t top = absl::GetFlag(FLAGS_top);
  if (!around.empty() + !member.empty() + (top >= 0) > 1) {
    return UsageError(kCmd, "choose one of --top, --around or --member");
  }
  if (!around.empty()) {
    if (absl::GetFlag(FLAGS_radius) < 0) return UsageError(kCmd, "--radius must be >= 0");
    request.mutable_around()->set_member_id(around);
    request.mutable_around()->set_radius(static_cast<uint32_t>(absl::GetFlag(FLAGS_radius)));
  } else if (!member.empty()) {
    request.set_member_id(member);
  } else {
    request.set_top(top < 0 ? 10 : static_cast<uint32_t>(top));
  }
  v1::GetLeaderboardResponse response;
  grpc::ClientContext context;
  SetDeadline(context, ctx);
  grpc::Status status =
      v1::LeaderboardService::NewStub(ctx.channel)->GetLeaderboard(&context, request, &response);
  if (!status.ok()) return RpcFailed(kCmd, ctx, status);
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(response);
    return 0;
  }
  std::unique_ptr<format::MoneyFormatter> money;
  if (status = MoneyFormatterFromFlags(ctx, &money); !status.ok()) {
    return RpcFailed(kCmd, ctx, status);
  }
  std::fputs(Render(response.info(), response.seq(),
                    {response.entries().begin(), response.entries().end()}, {}, money.get())
                 .c_str(),
             stdout);
  return 0;
}

int RunWatch(const Context& ctx) {
  constexpr char kCmd[] = "watch";
  if (!ctx.args.empty()) {
    return UsageError(kCmd, absl::StrCat("unexpected argument \"", ctx.args[0], "\""));
  }
  absl::StatusOr<v1::BoardRef> board = BoardFromFlags();
  if (!board.ok()) return UsageError(kCmd, board.status().message());
  v1::SubscribeLeaderboardRequest request;
  *request.mutable_board() = *board;
  if (absl::GetFlag(FLAGS_top) > 0)
    request.set_top(static_cast<uint32_t>(absl::GetFlag(FLAGS_top)));
  for (absl::string_view m : absl::StrSplit(absl::GetFlag(FLAGS_members), ',', absl::SkipEmpty())) {
    request.add_member_ids(std::string(m));
  }
  if (request.top() != 0 && request.member_ids_size() != 0) {
    return UsageError(kCmd, "choose --top or --members, not both");
  }
  std::unique_ptr<format::MoneyFormatter> money;
  if (grpc::Status status = MoneyFormatterFromFlags(ctx, &money); !status.ok()) {
    return RpcFailed(kCmd, ctx, status);
  }
  const bool tty = isatty(STDOUT_FILENO) != 0;
  const int limit = absl::GetFlag(FLAGS_updates);
  int shown = 0;
  absl::flat_hash_map<std::string, v1::LeaderboardEntry> board_now;
  auto stub = v1::LeaderboardService::NewStub(ctx.channel);
  for (int attempt = 0;; ++attempt) {
    grpc::Status status;
    {  // The call ends (and is released) before the pause below.
      grpc::ClientContext context;
      auto reader = stub->SubscribeLeaderboard(&context, request);
      v1::LeaderboardUpdate u;
      while (reader->Read(&u)) {
        attempt = 0;
        absl::flat_hash_map<std::string, std::string> markers;
        if (u.kind() == v1::LeaderboardUpdate::SNAPSHOT) board_now.clear();
        for (const std::string& gone : u.removed()) board_now.erase(gone);
        for (const v1::LeaderboardEntry& e : u.entries()) {
          board_now[e.member_id()] = e;
          if (u.kind() != v1::LeaderboardUpdate::DELTA) continue;
          if (!e.was_present()) {
            markers[e.member_id()] = "new";
          } else if (e.rank() != e.previous_rank()) {
            bool up = e.rank() != 0 && (e.previous_rank() == 0 || e.rank() < e.previous_rank());
            markers[e.member_id()] =
                absl::StrCat(up ? "▲ " : "▼ ", "was ",
                             e.previous_rank() == 0 ? "-" : absl::StrCat(e.previous_rank()));
          }
        }
        std::vector<v1::LeaderboardEntry> entries;
        for (auto& [m, e] : board_now) entries.push_back(e);
        std::sort(entries.begin(), entries.end(), Before);
        std::string screen = Render(u.info(), u.seq(), entries, markers, money.get());
        if (tty) {
          std::printf("\033[H\033[2J%s", screen.c_str());
        } else {
          std::printf("%s%s\n", shown == 0 ? "" : "\n", screen.c_str());
        }
        std::fflush(stdout);
        request.set_resume_after_seq(u.seq());
        if (limit > 0 && ++shown >= limit) {
          context.TryCancel();
          reader->Finish();
          return 0;
        }
      }
      status = reader->Finish();
    }
    // UNAVAILABLE: the daemon is stopping or restarting. CANCELLED (this loop never cancels a call
    // it goes on with): a call the stopping daemon dropped. Both resume from the last seq shown.
    const bool restarting = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                            status.error_code() == grpc::StatusCode::CANCELLED;
    if (!restarting || attempt >= 30) {
      return RpcFailed(
          kCmd, ctx,
          status.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "the daemon ended the stream")
                      : status);
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));  // Daemon restarting: resume.
  }
}

}  // namespace salestrack::cli
