// snapshot_bench: a projector snapshot (Projector::SaveState / LoadState) against the replay it
// would save a start-up, in process and in the same run.
//
// Builds kpi_bench's synthetic log (synthetic.h: --reps reps, --events events with late events and
// ~1 % voids), then --runs times, alternating: replays it into a fresh projector as the daemon's
// start-up does (a bulk replay, voids handed their targets; no log reading or parsing, which the
// daemon's replay adds), saves that projector's state into chunks in memory, and loads a
// projector from them (each chunk copied out of the saved ones, as a read from a store would
// hand it over). Checks that the loaded projector answers a set of GetKpis questions as the
// replayed one, then prints a Markdown table: the times, events/s equivalents (the log's events
// over the time) and the snapshot's bytes.
//
//   snapshot_bench                        # 1M events, 10,000 reps, 3 runs
//   snapshot_bench --events 100000 --runs 1
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench_common.h"
#include "salestrack/period.h"
#include "salestrack/projector.h"
#include "synthetic.h"

namespace salestrack::bench {
namespace {

struct Options {
  uint64_t events = 1'000'000;
  int reps = 10'000;
  int runs = 3;
  uint64_t seed = 20260101;
  size_t chunk_bytes = Projector::kStateChunkBytes;
};

bool ParseFlags(int argc, char** argv, Options* o) {
  FlagParser flags(argc, argv);
  while (flags.Next()) {
    double v = 0;
    if (flags.flag() == "--events") {
      if (!flags.Number(1000, &v)) return false;
      o->events = static_cast<uint64_t>(v);
    } else if (flags.flag() == "--reps") {
      if (!flags.Number(9, &v)) return false;
      o->reps = static_cast<int>(v);
    } else if (flags.flag() == "--runs") {
      if (!flags.Number(1, &v)) return false;
      o->runs = static_cast<int>(v);
    } else if (flags.flag() == "--seed") {
      if (!flags.Number(0, &v)) return false;
      o->seed = static_cast<uint64_t>(v);
    } else if (flags.flag() == "--chunk_bytes") {
      if (!flags.Number(64, &v)) return false;
      o->chunk_bytes = static_cast<size_t>(v);
    } else {
      return flags.Unknown();
    }
  }
  return true;
}

struct Run {
  double replay = 0, save = 0, load = 0;
  size_t bytes = 0, chunks = 0;
  size_t replay_memory = 0, load_memory = 0;  // Projector::Memory()'s total.
  bool same = false;
};

size_t MemoryTotal(const Projector& p) {
  size_t n = 0;
  for (const auto& [what, bytes] : p.Memory()) n += bytes;
  return n;
}

// GetKpis of this month for the company, its regions, its teams and 200 reps, as text.
std::vector<std::string> Sample(const Projector& p, const Org& org, absl::Time now) {
  std::vector<Subject> subjects = {Subject::Unit(org.company)};
  for (const std::string& u : org.regions) subjects.push_back(Subject::Unit(u));
  for (const std::string& u : org.teams) subjects.push_back(Subject::Unit(u));
  for (size_t i = 0; i < org.reps.size(); i += std::max<size_t>(1, org.reps.size() / 200)) {
    subjects.push_back(Subject::Rep(org.reps[i]));
  }
  std::vector<std::string> out;
  for (PeriodKind kind : {PeriodKind::kMonth, PeriodKind::kYear}) {
    const Period period = PeriodOf(kind, now, absl::UTCTimeZone());
    for (const Subject& s : subjects) {
      absl::StatusOr<KpiReport> k = p.Kpis(s, period, now);
      std::string line = s.id;
      if (!k.ok()) {
        line += k.status().ToString();
      } else {
        for (const auto& [name, v] : k->metrics) {
          absl::StrAppendFormat(&line, " %s %d %d/%d %d", name, v.integer, v.num, v.den, v.count);
        }
        for (const auto& [name, v] : k->point_in_time) {
          absl::StrAppendFormat(&line, " %s %d", name, v.integer);
        }
      }
      out.push_back(std::move(line));
    }
  }
  return out;
}

Run RunOnce(const Options& o, const Org& org, const Log& log,
            const std::vector<std::unique_ptr<v1::EventRecord>>& targets, absl::Time now) {
  Run r;
  ProjectorOptions options;
  options.index_events = false;  // The daemon's.
  Projector replayed(options);
  Clock::time_point t0 = Clock::now();
  replayed.BeginBulkReplay();
  for (size_t i = 0; i < log.events.size(); ++i) {
    replayed.Apply(i + 1, log.events[i], targets[i].get());
  }
  replayed.EndBulkReplay();
  r.replay = Seconds(Clock::now() - t0);

  std::vector<std::string> chunks;
  t0 = Clock::now();
  absl::Status saved = replayed.SaveState(
      [&](std::string_view c) {
        chunks.emplace_back(c);
        return absl::OkStatus();
      },
      o.chunk_bytes);
  r.save = Seconds(Clock::now() - t0);
  if (!saved.ok()) {
    std::fprintf(stderr, "snapshot_bench: SaveState: %s\n", saved.ToString().c_str());
    return r;
  }
  r.chunks = chunks.size();
  for (const std::string& c : chunks) r.bytes += c.size();

  size_t next = 0;
  t0 = Clock::now();
  absl::StatusOr<std::unique_ptr<Projector>> loaded =
      Projector::LoadState(options, [&](std::string* c) -> absl::StatusOr<bool> {
        if (next == chunks.size()) return false;
        c->assign(chunks[next++]);
        return true;
      });
  r.load = Seconds(Clock::now() - t0);
  if (!loaded.ok()) {
    std::fprintf(stderr, "snapshot_bench: LoadState: %s\n", loaded.status().ToString().c_str());
    return r;
  }
  r.same = Sample(**loaded, org, now) == Sample(replayed, org, now) &&
           (*loaded)->applied_seq() == replayed.applied_seq();
  r.replay_memory = MemoryTotal(replayed);
  r.load_memory = MemoryTotal(**loaded);
  return r;
}

int Main(int argc, char** argv) {
  SetProgramName("snapshot_bench");
  Options o;
  if (!ParseFlags(argc, argv, &o)) return 2;
  const Org org = MakeOrg(o.reps);
  std::fprintf(stderr, "snapshot_bench: generating %llu events...\n",
               static_cast<unsigned long long>(o.events));
  const Log log = GenerateLog(org, o.events, o.seed);
  const std::vector<std::unique_ptr<v1::EventRecord>> targets = VoidTargets(log);
  const absl::Time now = absl::Now();
  const double n = static_cast<double>(log.events.size());
  std::vector<Run> runs;
  bool all_same = true;
  for (int i = 0; i < o.runs; ++i) {
    std::fprintf(stderr, "snapshot_bench: run %d of %d...\n", i + 1, o.runs);
    runs.push_back(RunOnce(o, org, log, targets, now));
    all_same = all_same && runs.back().same;
  }
  std::printf("## Projector snapshot: %s events, %s reps, %s voids, %s late\n\n",
              Thousands(n).c_str(), Thousands(o.reps).c_str(),
              Thousands(static_cast<double>(log.voids)).c_str(),
              Thousands(static_cast<double>(log.late)).c_str());
  std::printf(
      "| run | replay (bulk) | replay events/s | SaveState | LoadState | load events/s equiv. | "
      "load / replay | snapshot | chunks | Memory() replayed / loaded | same answers |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (size_t i = 0; i < runs.size(); ++i) {
    const Run& r = runs[i];
    std::printf(
        "| %zu | %.2f s | %s | %.2f s | %.2f s | %s | %.1f %% | %s (%.0f B/event) | %zu | "
        "%s / %s | %s |\n",
        i + 1, r.replay, Thousands(n / r.replay).c_str(), r.save, r.load,
        Thousands(n / r.load).c_str(), 100 * r.load / r.replay,
        Mib(static_cast<double>(r.bytes)).c_str(), static_cast<double>(r.bytes) / n, r.chunks,
        Mib(static_cast<double>(r.replay_memory)).c_str(),
        Mib(static_cast<double>(r.load_memory)).c_str(), r.same ? "yes" : "NO");
  }
  return all_same ? 0 : 1;
}

}  // namespace
}  // namespace salestrack::bench

int main(int argc, char** argv) { return salestrack::bench::Main(argc, argv); }
