// salestrack: the command-line client of salestrackd.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "cli/channel.h"
#include "cli/commands.h"
#include "cmdline/help.h"

ABSL_FLAG(std::string, server, "",
          "salestrackd address, host:port. Default $SALESTRACK_SERVER, else 127.0.0.1:7411.");
ABSL_FLAG(std::string, token, "",
          "API key (bearer token) for salestrackd. Default $SALESTRACK_TOKEN. Prefer the "
          "environment variable: a flag shows in the process list.");
ABSL_FLAG(bool, tls, false,
          "Connect with TLS, checking the server's certificate against the system's CAs. Default: "
          "on when $SALESTRACK_TLS_CA or any --tls_* flag is given.");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM file of the CA that signed salestrackd's certificate (implies --tls). Default "
          "$SALESTRACK_TLS_CA.");
ABSL_FLAG(std::string, tls_cert, "",
          "PEM client certificate, for a daemon that requires one (with --tls_key).");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert.");
ABSL_FLAG(std::string, tls_server_name, "",
          "The name salestrackd's certificate must carry, when it differs from the --server host.");
ABSL_FLAG(double, timeout, 30, "Seconds to wait for the daemon on one-shot calls.");

namespace {

constexpr char kUsage[] =
    "salestrack: the command-line client of salestrackd.\n"
    "\n"
    "Usage: salestrack [--server HOST:PORT] [--token TOKEN] [--tls_ca PEM] COMMAND [flags] [args]\n"
    "(or $SALESTRACK_SERVER, $SALESTRACK_TOKEN, $SALESTRACK_TLS_CA; --tls_cert/--tls_key for\n"
    "a daemon that requires client certificates)\n"
    "\n"
    "Commands:\n"
    "  append [FILE]   Append events given as JSON lines (protobuf JSON mapping of\n"
    "                  salestrack.v1.Event), from FILE or stdin. Every line is checked first;\n"
    "                  bad lines are reported with their line number and field, and nothing is\n"
    "                  sent unless --keep_going. Flags: --batch, --keep_going.\n"
    "  events          Print the log as JSON lines (EventRecord). Flags: --from, --follow, "
    "--limit.\n"
    "  health          Ask the daemon whether it is serving.\n"
    "\n"
    "  kpis            Every KPI of a rep or a unit in one calendar period, then the\n"
    "                  point-in-time figures (outstanding, overdue, open pipeline, ...).\n"
    "                  Flags: --rep ID | --unit ID, --period day|week|month|quarter|year\n"
    "                  (default month), --date YYYY-MM-DD (default today, daemon's zone).\n"
    "  funnel          The cohort funnel of the opportunities opened in the period: reached\n"
    "                  and conversion per stage. Flags as for kpis.\n"
    "  followups       Follow-ups due in a window. Flags: --rep ID | --unit ID,\n"
    "                  --due_from/--due_to RFC 3339 instants (default 30 days either side of\n"
    "                  now, plus every open one however old), --state "
    "any|open|done|on_time|overdue.\n"
    "  scorecard       The KPI evaluation table of a rep or unit in one period (KPI_SPEC §6):\n"
    "                  per component weight, baseline / target / challenge, actual,\n"
    "                  attainment, score; then composite score, bonus multiplier, commission.\n"
    "                  Flags as for kpis, plus --scheme ID to score by another scheme.\n"
    "  explain         One scorecard component explained: formula, target and the TargetSet\n"
    "                  that set it, rule, members' figures (a unit), contributing contracts or\n"
    "                  payments. Flags as for scorecard, plus --metric NAME, --limit N (100).\n"
    "  targets check   Where the targets of a unit's children (teams, reps) do not add up to\n"
    "                  the unit's own, for it and every unit below it; exits 1 if any do not.\n"
    "                  Flags: --unit ID, --period/--date as for kpis, --metric NAME.\n"
    "  report          The team evaluation report of a unit (team scorecard, ranking, per-rep\n"
    "                  scorecards, funnel) as report.md, report.csv and a self-contained\n"
    "                  report.html with charts. Flags: --unit ID, --period/--date as for kpis,\n"
    "                  --out DIR (default .).\n"
    "  demo            Load the example org, schemes and targets (--examples, default\n"
    "                  deploy/examples) and a generated quarter of activity, with some late\n"
    "                  and duplicate events. Flags: --seed, --demo_from, --demo_until.\n"
    "  verify          Replay the log into fresh views and compare them with the live ones;\n"
    "                  exits 1 and lists the differences when they disagree.\n"
    "  rebuild         Replace the live views with a replay of the log.\n"
    "\n"
    "  backup DIR      Online backup of the daemon's whole data directory into DIR, on the\n"
    "                  daemon's machine: a name under its backup_dir, or an absolute path.\n"
    "                  Prints the salestrackd command that restores it (with the daemon's\n"
    "                  config and the backup's time zone; NEW_DIR: the new data directory).\n"
    "  export [FILE]   Write the whole log as JSON lines to FILE (never overwritten) or\n"
    "                  stdout: a header line with the daemon's time zone, then EventRecords.\n"
    "                  Portable across versions.\n"
    "  new-key         Make a new API key: prints the token (give it to its holder) and\n"
    "                  the api_keys entry for salestrackd's config (only its SHA-256).\n"
    "                  Flags: --name NAME, --role admin|connector|rep|manager|screen,\n"
    "                  --rep ID (role rep), --unit ID (role manager).\n"
    "  import [FILE]   Append the events of an export (or of plain Event lines) in file\n"
    "                  order; validated like append, and importing twice changes nothing.\n"
    "                  Refuses a daemon in another time zone than the export's header\n"
    "                  names (--ignore_time_zone imports anyway).\n"
    "                  Flags: --batch (default 500), --keep_going.\n"
    "  import --mapping=MAPPING FILE...\n"
    "                  Import a CRM's CSV export (Salesforce, HubSpot, ...; one file per\n"
    "                  kind, named by the mapping's file_name or as KIND=FILE) through a\n"
    "                  mapping file (docs/import.md; import/salesforce/, import/hubspot/).\n"
    "                  Event ids come from the rows' keys: importing again, or a grown\n"
    "                  export, appends only the new rows. Every bad row is reported as\n"
    "                  file:line:column and nothing is sent unless --skip_bad_rows;\n"
    "                  --dry_run checks everything and sends nothing.\n"
    "                  append and import retry a batch refused for the key's rate limit\n"
    "                  after the wait the daemon hints (--max_retries, --max_retry_wait).\n"
    "  stats           The daemon's operational figures (admin key): appends by outcome,\n"
    "                  batch sizes, commit and WAL sync latency, subscribers, RocksDB sizes;\n"
    "                  the same figures as its Prometheus endpoint.\n"
    "  notify dead-letters\n"
    "                  The notifications (webhooks) that failed every attempt, with their\n"
    "                  idempotency keys and last errors (admin key). Flags: --rule, --limit.\n"
    "  notify retry KEY... | --all [--rule NAME]\n"
    "                  Queue dead letters again, with the same idempotency keys.\n"
    "\n"
    "  top             A leaderboard, once: --unit ID --metric NAME [--period, --date as for\n"
    "                  kpis] or --competition ID; --top N (default 10), or --around REP\n"
    "                  [--radius R], or --member REP (that rep's rank).\n"
    "  watch           The same board, live: redraws on every change with up/down markers.\n"
    "                  Without --date it follows the current period. --top N or --members\n"
    "                  A,B to filter; --updates N to stop after N updates. If the daemon\n"
    "                  goes away it retries for about 30 s and resumes.\n"
    "\n"
    "kpis, funnel, followups, scorecard, explain, targets, verify, rebuild, backup, stats and\n"
    "top print tables; --json prints the daemon's response as JSON instead. Exit codes: 0 ok,\n"
    "1 refused or failed (message on stderr), 2 usage error.\n"
    "\n"
    "Run 'salestrack --help' for every flag.";

}  // namespace

int main(int argc, char** argv) {
  const salestrack::cmdline::HelpText help{
      .program = "salestrack", .usage = kUsage, .owns_flag = [](absl::string_view file) {
        return absl::StrContains(file, "tools/cli/");
      }};
  if (std::optional<int> code = salestrack::cmdline::HandleHelpAndVersion(argc, argv, help)) {
    return *code;
  }
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() < 2) {
    std::fprintf(stderr, "%s\n", kUsage);
    return 2;
  }
  salestrack::cli::Context ctx;
  ctx.server = absl::GetFlag(FLAGS_server);
  if (ctx.server.empty()) {
    const char* env = std::getenv("SALESTRACK_SERVER");
    ctx.server = env != nullptr && *env != '\0' ? env : "127.0.0.1:7411";
  }
  ctx.timeout_seconds = absl::GetFlag(FLAGS_timeout);
  std::string command = rest[1];
  if (command == "new-key") return salestrack::cli::RunNewKey(rest);
  salestrack::cli::ChannelOptions channel;
  channel.token = absl::GetFlag(FLAGS_token);
  if (channel.token.empty()) {
    const char* env = std::getenv("SALESTRACK_TOKEN");
    if (env != nullptr) channel.token = env;
  }
  channel.tls = absl::GetFlag(FLAGS_tls);
  channel.tls_ca_file = absl::GetFlag(FLAGS_tls_ca);
  if (channel.tls_ca_file.empty()) {
    const char* env = std::getenv("SALESTRACK_TLS_CA");
    if (env != nullptr) channel.tls_ca_file = env;
  }
  channel.tls_cert_file = absl::GetFlag(FLAGS_tls_cert);
  channel.tls_key_file = absl::GetFlag(FLAGS_tls_key);
  channel.tls_server_name = absl::GetFlag(FLAGS_tls_server_name);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> connected =
      salestrack::cli::NewChannel(ctx.server, channel);
  if (!connected.ok()) {
    std::fprintf(stderr, "salestrack: %s\n", std::string(connected.status().message()).c_str());
    return 2;
  }
  ctx.channel = *std::move(connected);
  for (size_t i = 2; i < rest.size(); ++i) ctx.args.push_back(rest[i]);

  if (command == "append") return salestrack::cli::RunAppend(ctx);
  if (command == "events") return salestrack::cli::RunEvents(ctx);
  if (command == "health") return salestrack::cli::RunHealth(ctx);
  if (command == "kpis") return salestrack::cli::RunKpis(ctx);
  if (command == "funnel") return salestrack::cli::RunFunnel(ctx);
  if (command == "scorecard") return salestrack::cli::RunScorecard(ctx);
  if (command == "explain") return salestrack::cli::RunExplain(ctx);
  if (command == "targets") return salestrack::cli::RunTargets(ctx);
  if (command == "demo") return salestrack::cli::RunDemo(ctx);
  if (command == "report") return salestrack::cli::RunReport(ctx);
  if (command == "followups") return salestrack::cli::RunFollowUps(ctx);
  if (command == "verify") return salestrack::cli::RunVerify(ctx);
  if (command == "rebuild") return salestrack::cli::RunRebuild(ctx);
  if (command == "top") return salestrack::cli::RunTop(ctx);
  if (command == "watch") return salestrack::cli::RunWatch(ctx);
  if (command == "backup") return salestrack::cli::RunBackup(ctx);
  if (command == "export") return salestrack::cli::RunExport(ctx);
  if (command == "import") return salestrack::cli::RunImport(ctx);
  if (command == "stats") return salestrack::cli::RunStats(ctx);
  if (command == "notify") return salestrack::cli::RunNotify(ctx);
  std::fprintf(stderr, "salestrack: unknown command \"%s\"\n\n%s\n", command.c_str(), kUsage);
  return 2;
}
