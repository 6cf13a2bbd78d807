// Projector snapshots (Projector::SaveState / LoadState): on random realistic histories, a
// projector loaded from a snapshot answers every query as the one saved, and stays equal to it as
// the rest of the log is applied to both; and a snapshot of another format or options, cut short,
// or with bytes flipped is refused or loads into a projector that still works, never a crash.
#include <algorithm>
#include <cstdlib>
#include <random>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/stubs/logging.h"
#include "gtest/gtest.h"
#include "history_generator.h"
#include "salestrack/projector.h"

namespace salestrack {
namespace {

using ::salestrack::testing::HistoryGenerator;
using ::salestrack::testing::kReps;
using ::salestrack::testing::kStart;
using ::salestrack::testing::kUnits;
using ::salestrack::testing::PeriodsOf;
using ::salestrack::testing::Records;
using ::salestrack::testing::Shanghai;

using Chunks = std::vector<std::string>;

Chunks Save(const Projector& p, size_t chunk_bytes = Projector::kStateChunkBytes) {
  Chunks chunks;
  absl::Status s = p.SaveState(
      [&](std::string_view c) {
        chunks.emplace_back(c);
        return absl::OkStatus();
      },
      chunk_bytes);
  EXPECT_TRUE(s.ok()) << s;
  return chunks;
}

absl::StatusOr<std::unique_ptr<Projector>> Load(ProjectorOptions options, Chunks chunks) {
  size_t i = 0;
  return Projector::LoadState(options, [&](std::string* c) -> absl::StatusOr<bool> {
    if (i == chunks.size()) return false;
    *c = std::move(chunks[i++]);
    return true;
  });
}

// Applies log[from, to) as the daemon does: without an event index, each void is handed its
// target.
class Applier {
 public:
  explicit Applier(const std::vector<v1::EventRecord>& log) : log_(log) {
    for (const v1::EventRecord& r : log) by_id_[r.event().event_id()] = &r;
  }
  void Apply(Projector& p, size_t from, size_t to) const {
    for (size_t i = from; i < to; ++i) {
      const v1::EventRecord& r = log_[i];
      const v1::EventRecord* target = nullptr;
      if (!p.options().index_events && r.event().has_event_voided()) {
        auto it = by_id_.find(r.event().event_voided().target_event_id());
        if (it != by_id_.end()) target = it->second;
      }
      p.Apply(r.seq(), r.event(), target);
    }
  }

 private:
  const std::vector<v1::EventRecord>& log_;
  absl::flat_hash_map<std::string, const v1::EventRecord*> by_id_;
};

std::string Text(const MetricValue& v) {
  return absl::StrCat(static_cast<int>(v.kind), " ", v.integer, " ",
                      v.real ? absl::StrCat(*v.real) : "-", " ", v.count, " ", v.mean_seconds, " ",
                      v.p50_seconds, " ", v.p90_seconds, " ", v.num, "/", v.den, " ",
                      static_cast<double>(v.sum_micros));
}

template <typename T>
std::string Text(const absl::StatusOr<T>& s, std::string (*f)(const T&)) {
  return s.ok() ? f(*s) : s.status().ToString();
}

std::string KpiText(const KpiReport& k) {
  std::string out = absl::StrCat("seq ", k.seq, " reps ", absl::StrJoin(*k.reps, ","));
  for (const auto& [name, v] : k.metrics) absl::StrAppend(&out, " | ", name, " ", Text(v));
  for (const auto& [name, v] : k.point_in_time) absl::StrAppend(&out, " | ", name, " ", Text(v));
  return out;
}

std::string FunnelText(const FunnelReport& f) {
  std::string out = absl::StrCat("seq ", f.seq, " opened ", f.opened, " won ", f.won);
  for (const FunnelStage& s : f.stages) {
    absl::StrAppend(&out, " | ", s.stage_id, " ", s.name, " ", s.reached, " ",
                    s.conversion ? absl::StrCat(*s.conversion) : "-");
  }
  return out;
}

std::string FollowUpsText(const std::vector<FollowUp>& list) {
  std::string out;
  for (const FollowUp& f : list) {
    absl::StrAppend(&out, f.rep, " ", f.customer, " ", f.scheduled_by, " ", f.scheduled_by_seq, " ",
                    absl::FormatTime(f.due), " ", f.done_at ? absl::FormatTime(*f.done_at) : "-",
                    " ", f.on_time, f.overdue, "; ");
  }
  return out;
}

// Everything the projector answers about the history `log` touches, as text lines.
std::vector<std::string> Answers(const Projector& p, const std::vector<v1::EventRecord>& log) {
  std::vector<std::string> out = p.DumpCells();
  const LogTotals& t = p.totals();
  std::string totals = absl::StrCat("applied ", p.applied_seq(), " totals");
  for (int q = 0; q < LogTotals::kQuantities; ++q) {
    absl::StrAppend(&totals, " ", t.total(static_cast<LogTotals::Quantity>(q)));
  }
  out.push_back(absl::StrCat(totals, " over ", t.over_limit()));
  std::vector<Subject> subjects;
  for (const std::string& rep : kReps) subjects.push_back(Subject::Rep(rep));
  for (const std::string& unit : kUnits) subjects.push_back(Subject::Unit(unit));
  const absl::Time now = kStart + absl::Hours(24 * 75);
  const std::set<Period> periods = PeriodsOf(log, p.options().zone);
  for (const Subject& s : subjects) {
    const std::string who = absl::StrCat(s.is_unit ? "unit " : "rep ", s.id, " ");
    for (const Period& period : periods) {
      const std::string where = who + PeriodName(period);
      out.push_back(absl::StrCat(where, " kpis ", Text(p.Kpis(s, period, now), KpiText)));
      if (period.kind == PeriodKind::kMonth || period.kind == PeriodKind::kQuarter) {
        out.push_back(absl::StrCat(where, " funnel ", Text(p.Funnel(s, period), FunnelText)));
      }
    }
    size_t total = 0;
    out.push_back(absl::StrCat(
        who, "follow-ups ",
        Text(p.FollowUps(s, kStart - absl::Hours(24 * 30), kStart + absl::Hours(24 * 400),
                         FollowUpState::kAny, now, SIZE_MAX, &total),
             FollowUpsText),
        " of ", total));
    for (const char* m : {"overdue", "overdue_follow_ups", "outstanding", "open_pipeline"}) {
      for (int day : {0, 40, 75, 120}) {
        const absl::Time at = kStart + absl::Hours(24 * day);
        absl::StatusOr<MetricValue> v = p.PointInTimeMetric(s, m, at);
        absl::StatusOr<std::optional<absl::Time>> step = p.NextClockStep(s, m, at);
        out.push_back(absl::StrCat(who, m, " at ", day, " ",
                                   v.ok() ? Text(*v) : v.status().ToString(), " next ",
                                   !step.ok() ? step.status().ToString()
                                   : *step    ? absl::FormatTime(**step)
                                              : "-"));
      }
    }
  }
  for (const Competition* c : p.Competitions()) {
    out.push_back(absl::StrCat("competition ", c->id, " ", c->name, " ", absl::FormatTime(c->start),
                               " ", absl::FormatTime(c->end), " ", c->metric, " ", c->scheme_id,
                               " ", absl::StrJoin(c->rep_ids, ","), " ",
                               absl::StrJoin(c->unit_ids, ","), " ", c->team));
    for (const Subject& s : subjects) {
      for (const char* m : {"returning_customers", "sales_amount", "actions"}) {
        absl::StatusOr<MetricValue> v = p.CompetitionMetric(c->id, s, m);
        out.push_back(absl::StrCat("competition ", c->id, " ", s.id, " ", m, " ",
                                   v.ok() ? Text(*v) : v.status().ToString()));
      }
    }
  }
  for (const char* m : {"sales_amount", "payments", "signings", "products_sold", "gross_profit"}) {
    size_t total = 0;
    std::optional<std::vector<Contribution>> list = p.Contributions(
        kReps, kStart - absl::Hours(24 * 30), kStart + absl::Hours(24 * 400), m, SIZE_MAX, &total);
    std::string line = absl::StrCat("contributions ", m, " ", total, ":");
    for (const Contribution& c : list.value_or(std::vector<Contribution>{})) {
      absl::StrAppend(&line, " ", c.seq, " ", c.rep, " ", c.entity, " ", c.amount);
    }
    out.push_back(line);
  }
  auto openings = [&](EntityKind kind, const std::string& prefix, int n) {
    for (int i = 0; i < n; ++i) {
      std::vector<std::string> lines;
      for (const EntityOpening& o : p.Openings(kind, absl::StrCat(prefix, i))) {
        lines.push_back(absl::StrCat(o.at_micros, " ", o.seq, " ", o.rep, " ", o.contract));
      }
      std::sort(lines.begin(), lines.end());
      out.push_back(absl::StrCat("openings ", prefix, i, ": ", absl::StrJoin(lines, "; ")));
    }
  };
  openings(EntityKind::kOpportunity, "opp", 27);
  openings(EntityKind::kContract, "k", 20);
  openings(EntityKind::kPayment, "p", 20);
  const OrgState& org = p.org();
  for (const std::string& id : org.UnitIds()) {
    const OrgState::Unit* u = org.FindUnit(id);
    out.push_back(absl::StrCat("org unit ", id, " ", u->name, " ", u->parent));
  }
  for (const std::string& id : org.RepIds()) {
    const OrgState::Rep* r = org.FindRep(id);
    out.push_back(
        absl::StrCat("org rep ", id, " ", r->name, " ", r->unit, " ", r->role, " ", r->active));
  }
  for (const Stage& s : org.stages()) out.push_back(absl::StrCat("org stage ", s.id, " ", s.name));
  return out;
}

// The lines only in `a` ("- ") and only in `b` ("+ "): gtest prints long vectors truncated.
std::string Diff(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::vector<std::string> only_a, only_b;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(only_a));
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(only_b));
  std::string out;
  for (const std::string& line : only_a) absl::StrAppend(&out, "- ", line, "\n");
  for (const std::string& line : only_b) absl::StrAppend(&out, "+ ", line, "\n");
  return out;
}

struct Case {
  uint64_t seed;
  bool index_events;
};

class ProjectorSnapshotTest : public ::testing::TestWithParam<Case> {};

// For cuts through the log: P holds the prefix; Q is loaded from P's snapshot (cut into small
// chunks, so that tables span chunks) and answers the same; then the rest of the log, applied to
// both, leaves them equal again, which needs every entity, not just the cells, to have survived.
TEST_P(ProjectorSnapshotTest, LoadedProjectorAnswersAndGoesOnAsTheSaved) {
  const Case c = GetParam();
  HistoryGenerator gen(c.seed);
  const std::vector<v1::EventRecord> log = Records(gen.Shuffle(gen.Generate()));
  const Applier applier(log);
  const ProjectorOptions options{Shanghai(), c.index_events};
  for (size_t cut : {size_t{0}, log.size() / 5, log.size() / 2, log.size() * 4 / 5, log.size()}) {
    SCOPED_TRACE(absl::StrCat("seed ", c.seed, " index_events ", c.index_events, " cut ", cut));
    Projector p(options);
    applier.Apply(p, 0, cut);
    const Chunks chunks = Save(p, 512);
    if (cut > 0) {
      EXPECT_GT(chunks.size(), 3u);
    }
    absl::StatusOr<std::unique_ptr<Projector>> q = Load(options, chunks);
    ASSERT_TRUE(q.ok()) << q.status();
    const std::vector<std::string> before = Answers(p, log);
    EXPECT_EQ(Answers(**q, log), before) << Diff(before, Answers(**q, log));
    // A snapshot of the loaded projector, in one chunk, loads to the same again.
    absl::StatusOr<std::unique_ptr<Projector>> again = Load(options, Save(**q));
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(Answers(**again, log), before);

    applier.Apply(p, cut, log.size());
    applier.Apply(**q, cut, log.size());
    const std::vector<std::string> after = Answers(p, log);
    EXPECT_EQ(Answers(**q, log), after) << Diff(after, Answers(**q, log));
    if (HasFailure()) return;
  }
}

std::vector<Case> Cases() {
  std::vector<Case> out;
  for (uint64_t seed = 1; seed <= 8; ++seed) out.push_back({seed, seed % 2 == 0});
  out.push_back({9, true});
  out.push_back({9, false});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Seeds, ProjectorSnapshotTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return absl::StrCat("seed", info.param.seed,
                                               info.param.index_events ? "_indexed" : "_unindexed");
                         });

// The histories hold what the round trip must carry: voids, a late org move, a competition,
// targets and a scheme, stage redefinitions.
TEST(ProjectorSnapshotCoverageTest, HistoriesHoldEveryKindOfState) {
  std::set<v1::Event::PayloadCase> kinds;
  for (const Case& c : Cases()) {
    HistoryGenerator gen(c.seed);
    for (const v1::Event& e : gen.Generate()) kinds.insert(e.payload_case());
  }
  for (v1::Event::PayloadCase k :
       {v1::Event::kEventVoided, v1::Event::kRepDefined, v1::Event::kCompetitionDefined,
        v1::Event::kTargetSet, v1::Event::kSchemeDefined, v1::Event::kStagesDefined,
        v1::Event::kFeedbackRecorded, v1::Event::kScoreRecorded, v1::Event::kPaymentReceived}) {
    EXPECT_TRUE(kinds.contains(k)) << k;
  }
}

// A void may come before its target (one batch holds both): the target's seq is remembered and
// the target skipped when it comes, by the loaded projector too.
TEST(ProjectorSnapshotTest, PendingVoidSurvives) {
  HistoryGenerator gen(5);
  std::vector<v1::EventRecord> log = Records(gen.Generate());
  auto action = std::find_if(log.begin(), log.end(), [](const v1::EventRecord& r) {
    return r.event().has_action_logged();
  });
  ASSERT_NE(action, log.end());
  v1::EventRecord target = *action;
  target.set_seq(log.size() + 2);
  v1::Event void_event;
  void_event.set_event_id("void-first");
  *void_event.mutable_occurred_at() = target.event().occurred_at();
  void_event.mutable_event_voided()->set_target_event_id(target.event().event_id());
  log.erase(action);
  const ProjectorOptions options{Shanghai(), false};
  Projector p(options);
  for (const v1::EventRecord& r : log) {
    if (!r.event().has_event_voided()) p.Apply(r);  // No targets at hand: leave the voids out.
  }
  p.Apply(log.size() + 1, void_event, &target);
  absl::StatusOr<std::unique_ptr<Projector>> q = Load(options, Save(p, 256));
  ASSERT_TRUE(q.ok()) << q.status();
  p.Apply(target);
  (*q)->Apply(target);
  Projector without(options);
  for (const v1::EventRecord& r : log) {
    if (!r.event().has_event_voided()) without.Apply(r);
  }
  EXPECT_EQ(p.DumpCells(), without.DumpCells());
  EXPECT_EQ((*q)->DumpCells(), without.DumpCells());
}

// A bulk replay's projector (units summed at the end) round-trips too; in the middle of one, the
// units are stale, and saving is refused.
TEST(ProjectorSnapshotTest, BulkReplay) {
  HistoryGenerator gen(3);
  const std::vector<v1::EventRecord> log = Records(gen.Shuffle(gen.Generate()));
  const ProjectorOptions options{Shanghai(), true};
  Projector p(options);
  p.BeginBulkReplay();
  Applier(log).Apply(p, 0, log.size() / 2);
  EXPECT_EQ(p.SaveState([](std::string_view) { return absl::OkStatus(); }).code(),
            absl::StatusCode::kFailedPrecondition);
  p.EndBulkReplay();
  absl::StatusOr<std::unique_ptr<Projector>> q = Load(options, Save(p));
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(Answers(**q, log), Answers(p, log));
  Applier(log).Apply(p, log.size() / 2, log.size());
  Applier(log).Apply(**q, log.size() / 2, log.size());
  EXPECT_EQ(Answers(**q, log), Answers(p, log));
}

// The sink's error stops the save; `next`'s error is the load's.
TEST(ProjectorSnapshotTest, ErrorsOfSinkAndSourcePassThrough) {
  HistoryGenerator gen(2);
  const std::vector<v1::EventRecord> log = Records(gen.Generate());
  Projector p(ProjectorOptions{Shanghai(), true});
  Applier(log).Apply(p, 0, log.size());
  int calls = 0;
  absl::Status s = p.SaveState(
      [&](std::string_view) {
        return ++calls == 2 ? absl::ResourceExhaustedError("disk full") : absl::OkStatus();
      },
      256);
  EXPECT_EQ(s, absl::ResourceExhaustedError("disk full"));
  EXPECT_EQ(calls, 2);
  absl::StatusOr<std::unique_ptr<Projector>> q = Projector::LoadState(
      p.options(),
      [](std::string*) -> absl::StatusOr<bool> { return absl::UnavailableError("x"); });
  EXPECT_EQ(q.status(), absl::UnavailableError("x"));
}

class ProjectorSnapshotRefusalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HistoryGenerator gen(4);
    log_ = Records(gen.Shuffle(gen.Generate()));
    Applier(log_).Apply(saved_, 0, log_.size() / 2);
    chunks_ = Save(saved_, 256);
    ASSERT_GT(chunks_.size(), 10u);
  }
  absl::StatusCode LoadCode(Chunks chunks, ProjectorOptions options = {Shanghai(), false}) {
    return Load(options, std::move(chunks)).status().code();
  }

  std::vector<v1::EventRecord> log_;
  Projector saved_{ProjectorOptions{Shanghai(), false}};
  Chunks chunks_;
};

TEST_F(ProjectorSnapshotRefusalTest, AnotherFormatOrOptions) {
  EXPECT_EQ(LoadCode(chunks_), absl::StatusCode::kOk);
  // The format follows the magic string in the header.
  Chunks other = chunks_;
  const size_t magic = other[0].find("salestrack projector state");
  ASSERT_NE(magic, std::string::npos);
  const size_t format = magic + std::string_view("salestrack projector state").size();
  ASSERT_EQ(static_cast<uint32_t>(other[0][format]), Projector::kStateFormat);
  other[0][format] = static_cast<char>(Projector::kStateFormat + 1);
  EXPECT_EQ(LoadCode(other), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(LoadCode(chunks_, {absl::UTCTimeZone(), false}), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(LoadCode(chunks_, {Shanghai(), true}), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ProjectorSnapshotRefusalTest, TruncatedReorderedOrOverLong) {
  for (size_t n = 0; n < chunks_.size(); ++n) {
    EXPECT_EQ(LoadCode(Chunks(chunks_.begin(), chunks_.begin() + n)), absl::StatusCode::kDataLoss)
        << n << " chunks";
    for (size_t cut = 0; cut < chunks_[n].size(); cut += 1 + cut % 5) {
      Chunks part(chunks_.begin(), chunks_.begin() + n + 1);
      part.back().resize(cut);
      EXPECT_EQ(LoadCode(part), absl::StatusCode::kDataLoss) << "chunk " << n << " cut at " << cut;
    }
  }
  Chunks swapped = chunks_;
  std::swap(swapped[1], swapped[2]);
  EXPECT_EQ(LoadCode(swapped), absl::StatusCode::kDataLoss);
  Chunks dropped = chunks_;
  dropped.erase(dropped.begin() + 3);
  EXPECT_EQ(LoadCode(dropped), absl::StatusCode::kDataLoss);
  Chunks longer = chunks_;
  longer.back().push_back('\0');
  EXPECT_EQ(LoadCode(longer), absl::StatusCode::kDataLoss);
  longer = chunks_;
  longer.push_back(chunks_.back());
  EXPECT_EQ(LoadCode(longer), absl::StatusCode::kDataLoss);
}

// Random flips: each load returns an error or a projector that answers queries and takes the rest
// of the log (its figures may be wrong: the bytes decoded). Run under ASan by tools/sanitize.sh.
TEST_F(ProjectorSnapshotRefusalTest, FlippedBytesNeverCrash) {
  std::mt19937_64 rng(42);
  const Applier applier(log_);
  int refused = 0, loaded = 0;
  google::protobuf::LogSilencer quiet;  // Flipped org events may hold invalid UTF-8.
  const int trials = std::getenv("SALESTRACK_SNAPSHOT_FLIPS") != nullptr
                         ? std::atoi(std::getenv("SALESTRACK_SNAPSHOT_FLIPS"))
                         : 1500;
  for (int trial = 0; trial < trials; ++trial) {
    Chunks bad = chunks_;
    for (int flips = 1 + static_cast<int>(rng() % 3); flips > 0; --flips) {
      std::string& chunk = bad[rng() % bad.size()];
      chunk[rng() % chunk.size()] ^= static_cast<char>(1 + rng() % 255);
    }
    absl::StatusOr<std::unique_ptr<Projector>> q = Load(saved_.options(), std::move(bad));
    if (!q.ok()) {
      EXPECT_TRUE(q.status().code() == absl::StatusCode::kDataLoss ||
                  q.status().code() == absl::StatusCode::kFailedPrecondition)
          << q.status();
      ++refused;
      continue;
    }
    ++loaded;
    Projector& p = **q;
    p.DumpCells();
    p.Memory();
    const Period month{PeriodKind::kMonth, absl::CivilDay(2026, 2, 1)};
    for (const std::string& rep : kReps) (void)p.Kpis(Subject::Rep(rep), month, kStart);
    for (const std::string& unit : kUnits) (void)p.Kpis(Subject::Unit(unit), month, kStart);
    (void)p.FollowUps(Subject::Unit("co"), kStart, kStart + absl::Hours(24 * 200),
                      FollowUpState::kAny, kStart);
    size_t total = 0;
    (void)p.Contributions(kReps, kStart, kStart + absl::Hours(24 * 200), "payments", 100, &total);
    for (const Competition* c : p.Competitions()) {
      (void)p.CompetitionMetric(c->id, Subject::Unit("co"), "returning_customers");
    }
    applier.Apply(p, log_.size() / 2, log_.size());
    p.DumpCells();
  }
  EXPECT_GT(refused, trials / 10);
  std::printf("flipped snapshots: %d refused, %d loaded\n", refused, loaded);
}

}  // namespace
}  // namespace salestrack
