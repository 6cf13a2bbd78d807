// salestrackd: the salestrack daemon. Only this file reads flags and the config file.
#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "cmdline/help.h"
#include "engine/auth.h"
#include "engine/rate_limiter.h"
#include "salestrack/mutex.h"
#include "server/config.h"
#include "server/server.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, config, "",
          "Path to a config file in protobuf text format (salestrack.v1.DaemonConfig; see "
          "deploy/salestrackd.conf.example). Flags given on the command line override it.");
ABSL_FLAG(std::string, listen, "", "host:port to serve gRPC on. Default 127.0.0.1:7411.");
ABSL_FLAG(std::string, data_dir, "",
          "Directory holding the RocksDB log and views; created if missing. Default "
          "./salestrack-data.");
ABSL_FLAG(std::string, time_zone, "",
          "Org time zone for calendar periods, as an IANA name such as Asia/Shanghai. The data "
          "directory keeps the zone it was created with (UTC if none was given): without this flag "
          "that zone is used, and another zone is refused unless --reproject_time_zone.");
ABSL_FLAG(bool, reproject_time_zone, false,
          "With --time_zone (or time_zone in the config): when the data directory holds another "
          "zone, re-project every figure under the new one and store it (logged as "
          "event=time_zone_reprojected). Also settable in the config.");
ABSL_FLAG(uint32_t, max_batch_events, 0, "Events per append request (1..1000). Default 1000.");
ABSL_FLAG(uint32_t, max_request_bytes, 0,
          "Largest request message in bytes (up to 4194304). Default 4 MiB.");
ABSL_FLAG(uint32_t, max_future_skew_seconds, 0,
          "How far after the daemon's clock an event's occurred_at may be. Default 300.");
ABSL_FLAG(uint32_t, max_stream_in_flight, 0,
          "Requests one AppendStream may have unanswered, or answered but not taken, before the "
          "daemon stops reading it. Default 64.");
ABSL_FLAG(std::string, backup_dir, "",
          "Directory under which `salestrack backup NAME` writes backups. Default: none (clients "
          "give absolute paths).");
ABSL_FLAG(std::string, restore_from, "",
          "Restore: copy this backup directory into --data_dir (which must be missing or empty), "
          "then open it and serve. Given once, when setting up the new data directory.");
ABSL_FLAG(bool, insecure_no_auth, false,
          "DEVELOPMENT ONLY: serve without API keys; every caller is an admin. Refused when the "
          "config has api_keys. Logs a warning at start-up.");
ABSL_FLAG(bool, check_config, false,
          "Check the config file and flags (time zone, limits, ...), print the options that would "
          "apply, and exit: 0 if they are good, 2 if not. Opens nothing.");
ABSL_FLAG(std::string, log_level, "",
          "Log level: trace, debug, info, warn, error, off. Default info. Logs go to stderr as "
          "key=value lines.");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port of the Prometheus endpoint (/metrics, plain HTTP). Default: none.");
ABSL_FLAG(std::string, http_listen, "",
          "host:port of the HTTP/JSON front door (Connect protocol, Server-Sent Events, the web "
          "app). Default: none.");
ABSL_FLAG(int64_t, views_checkpoint_events, -1,
          "Write the KPI views' checkpoint after this many log records, so a start after a crash "
          "replays at most about this many (a clean stop always writes one); 0: only on a clean "
          "stop. Default 1000000.");
ABSL_FLAG(bool, replay_views, false,
          "Flag only: at this start, leave the KPI views' checkpoint unused and replay the whole "
          "log (then write a fresh checkpoint as usual). For when the checkpoint is in doubt, and "
          "for measuring a replay.");
ABSL_FLAG(double, shutdown_grace_seconds, 10,
          "On SIGTERM/SIGINT, how long in-flight calls may take before they are cancelled.");

namespace {

using salestrack::server::ServerOptions;

// Flags given on the command line win over the config file.
salestrack::v1::DaemonConfig FlagsAsConfig() {
  salestrack::v1::DaemonConfig c;
  c.set_listen_address(absl::GetFlag(FLAGS_listen));
  c.set_data_dir(absl::GetFlag(FLAGS_data_dir));
  c.set_time_zone(absl::GetFlag(FLAGS_time_zone));
  c.set_backup_dir(absl::GetFlag(FLAGS_backup_dir));
  c.set_log_level(absl::GetFlag(FLAGS_log_level));
  c.set_metrics_listen_address(absl::GetFlag(FLAGS_metrics_listen));
  c.set_http_listen_address(absl::GetFlag(FLAGS_http_listen));
  if (absl::GetFlag(FLAGS_views_checkpoint_events) >= 0) {
    c.set_views_checkpoint_events(absl::GetFlag(FLAGS_views_checkpoint_events));
  }
  c.mutable_limits()->set_max_batch_events(absl::GetFlag(FLAGS_max_batch_events));
  c.mutable_limits()->set_max_request_bytes(absl::GetFlag(FLAGS_max_request_bytes));
  c.mutable_limits()->set_max_future_skew_seconds(absl::GetFlag(FLAGS_max_future_skew_seconds));
  c.mutable_limits()->set_max_stream_in_flight(absl::GetFlag(FLAGS_max_stream_in_flight));
  return c;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "salestrackd: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const salestrack::cmdline::HelpText help{
      .program = "salestrackd",
      .usage =
          "salestrackd: the salestrack daemon. It keeps the event log of a sales team in RocksDB\n"
          "and serves its KPIs, funnels, scorecards and live leaderboards over gRPC\n"
          "(salestrack.v1 services, grpc.health.v1.Health, server reflection) and, with\n"
          "--http_listen, over HTTP/JSON with the web app (docs/http.md).\n\n"
          "Usage: salestrackd [--config FILE] [--listen HOST:PORT] [--data_dir DIR] "
          "[--time_zone ZONE] ...\n"
          "Stops gracefully on SIGTERM or SIGINT.",
      .owns_flag = [](absl::string_view file) {
        return absl::StrContains(file, "salestrackd_main");
      }};
  if (std::optional<int> code = salestrack::cmdline::HandleHelpAndVersion(argc, argv, help)) {
    return *code;
  }
  salestrack::DisableLockOrderChecks();
  absl::SetProgramUsageMessage(help.usage);
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1) return Fail(std::string("unexpected argument: ") + rest[1]);

  // One line per event: "2026-11-23T08:00:00.123456Z info event=serving port=7411 ...".
  auto logger = spdlog::stderr_logger_mt("salestrackd");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %v", spdlog::pattern_time_type::utc);

  if (absl::GetFlag(FLAGS_views_checkpoint_events) < -1) {
    return Fail("--views_checkpoint_events: must be 0 or more");
  }
  ServerOptions options;
  if (std::string path = absl::GetFlag(FLAGS_config); !path.empty()) {
    absl::StatusOr<salestrack::v1::DaemonConfig> file = salestrack::server::ReadConfigFile(path);
    if (!file.ok()) return Fail(std::string(file.status().message()));
    if (absl::Status s = salestrack::server::ApplyConfig(*file, &options); !s.ok()) {
      return Fail(path + ": " + std::string(s.message()));
    }
  }
  if (absl::Status s = salestrack::server::ApplyConfig(FlagsAsConfig(), &options); !s.ok()) {
    return Fail(std::string(s.message()));
  }
  spdlog::set_level(spdlog::level::from_str(options.log_level));  // ApplyConfig checked it.

  if (absl::GetFlag(FLAGS_reproject_time_zone)) {
    if (!options.time_zone_given) {
      return Fail(
          "--reproject_time_zone: needs --time_zone (or time_zone in the config): the zone "
          "to re-project the figures under");
    }
    options.reproject_time_zone = true;
  }
  if (std::string path = absl::GetFlag(FLAGS_config); !path.empty()) {
    std::error_code ec;
    options.config_path = std::filesystem::absolute(path, ec).lexically_normal().string();
  }
  options.restore_from = absl::GetFlag(FLAGS_restore_from);
  options.replay_views = absl::GetFlag(FLAGS_replay_views);
  options.insecure_no_auth = absl::GetFlag(FLAGS_insecure_no_auth);
  if (absl::Status s =
          salestrack::engine::Auth::Create(salestrack::server::EngineOptionsOf(options)).status();
      !s.ok()) {
    return Fail(std::string(s.message()));
  }
  if (absl::Status s = salestrack::server::MakeServerCredentials(options).status(); !s.ok()) {
    return Fail(std::string(s.message()));
  }
  if (absl::Status s =
          salestrack::engine::RateLimiter::Create(salestrack::server::EngineOptionsOf(options),
                                                  salestrack::RealClock::Get())
              .status();
      !s.ok()) {
    return Fail(std::string(s.message()));
  }
  if (absl::GetFlag(FLAGS_check_config)) {
    // The data directory is not opened, so without a zone given its stored one is not known here.
    const std::string zone =
        !options.time_zone_given ? "(the data directory's; UTC for a new one)"
        : options.reproject_time_zone
            ? options.time_zone_name + " (re-projecting a data directory in another zone)"
            : options.time_zone_name;
    std::printf("config ok: listen %s, data_dir %s, time_zone %s, backup_dir %s, %s\n",
                options.listen_address.c_str(), options.data_dir.c_str(), zone.c_str(),
                options.backup_dir.empty() ? "(none)" : options.backup_dir.c_str(),
                options.insecure_no_auth
                    ? "AUTHENTICATION OFF"
                    : (std::to_string(options.api_keys.size()) + " API key(s)").c_str());
    return 0;
  }

  // Block the stop signals in every thread (gRPC's and RocksDB's inherit this mask) and wait for
  // them here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::StatusOr<std::unique_ptr<salestrack::server::Server>> server =
      salestrack::server::Server::Start(options, salestrack::RealClock::Get());
  if (!server.ok()) return Fail(std::string(server.status().message()));
  // A line a supervisor or test can wait for.
  std::printf("salestrackd listening on %s port %d", options.listen_address.c_str(),
              (*server)->port());
  if ((*server)->metrics_port() != 0) std::printf(" metrics_port %d", (*server)->metrics_port());
  if ((*server)->http_port() != 0) std::printf(" http_port %d", (*server)->http_port());
  std::printf("\n");
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("event=signal signal={}", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  return 0;
}
