// Projector: every KPI of KPI_SPEC §4–§5, kept exact as records arrive in any order.
//
// A pure function of the log: Apply() records in seq order, then ask for figures. No I/O, no clock
// (queries take `now` for the point-in-time figures). Every figure is a sum of per-entity
// contributions; when an event touches an entity, the entity's contribution is recomputed from its
// whole ordered history and new − old is applied to the cells (see docs/projections.md). So any
// arrival order, duplicate (already dropped by the sequencer) or void yields the same figures as a
// replay of the log sorted by (occurred_at, seq).
//
//   Projector p(ProjectorOptions{shanghai});
//   for (const v1::EventRecord& r : log) p.Apply(r);
//   KpiReport k = p.Kpis(Subject::Rep("rep-li"), PeriodOf(PeriodKind::kMonth, now, shanghai), now);
//
// Not thread-safe (but see Prepare): the server guards it with a reader/writer lock.
#ifndef SALESTRACK_PROJECTOR_H_
#define SALESTRACK_PROJECTOR_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "salestrack/event_order.h"
#include "salestrack/log_totals.h"
#include "salestrack/org_state.h"
#include "salestrack/period.h"
#include "salestrack/plans.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack {

struct ProjectorOptions {
  absl::TimeZone zone = absl::UTCTimeZone();
  // Remember every applied event by id, so that a void finds its target and a follow-up its
  // scheduling event's id without the log. On for tests and tools holding small logs; the daemon
  // turns it off and passes a void's target (read from the log) to Apply instead: the projector
  // then keeps no per-event strings at all.
  bool index_events = true;
};

struct Subject {
  bool is_unit = false;
  std::string id;
  static Subject Rep(std::string id) { return {false, std::move(id)}; }
  static Subject Unit(std::string id) { return {true, std::move(id)}; }
};

// One figure. Counts and money are exact integers; ratios and means are absent when undefined
// (zero denominator); distributions are in seconds.
struct MetricValue {
  enum class Kind { kCount, kMoney, kRatio, kMean, kDistribution };
  Kind kind = Kind::kCount;
  int64_t integer = 0;
  std::optional<double> real;
  int64_t count = 0;  // Distributions.
  double mean_seconds = 0, p50_seconds = 0, p90_seconds = 0;
  // The exact figure behind `real` (ratios and means: num / den; both 0 when undefined) and behind
  // `mean_seconds` (distributions: sum_micros / count), for scoring without rounding.
  int64_t num = 0, den = 0;
  absl::int128 sum_micros = 0;

  friend bool operator==(const MetricValue&, const MetricValue&) = default;
};

struct KpiReport {
  uint64_t seq = 0;
  Period period;
  // The members whose figures are merged, sorted (shared: a company has thousands).
  std::shared_ptr<const std::vector<std::string>> reps;
  std::map<std::string, MetricValue> metrics;  // By KPI_SPEC §5 name, e.g. "win_rate".
  std::map<std::string, MetricValue> point_in_time;
};

struct FunnelStage {
  std::string stage_id;
  std::string name;
  int64_t reached = 0;
  std::optional<double> conversion;  // reached(next) / reached(this); last stage: won / reached.
};
struct FunnelReport {
  uint64_t seq = 0;
  Period period;
  int64_t opened = 0;
  std::vector<FunnelStage> stages;
  int64_t won = 0;
};

// A team competition (CompetitionDefined, KPI_SPEC §3 and §7): the latest definition of its id.
struct Competition {
  std::string id;
  std::string name;
  absl::Time start, end;  // [start, end).
  std::string metric;     // A per-period metric of §5; empty when ranked by a scheme.
  std::string scheme_id;  // Set when ranked by a scheme's composite score.
  std::vector<std::string> rep_ids;
  std::vector<std::string> unit_ids;
  bool team = false;  // TEAM: units are ranked; INDIVIDUAL: reps.
};

// One event's part in a per-period sum (ExplainScore): a contract's amount in sales_amount, a
// payment's in payments, ...
struct Contribution {
  uint64_t seq = 0;    // The defining event's seq.
  absl::Time at;       // Its occurred_at.
  std::string rep;     // Whose figure it adds to (the contract's owner).
  std::string entity;  // The contract or payment id.
  int64_t amount = 0;  // What it adds, in the metric's unit.
};

enum class FollowUpState { kAny, kOpen, kDone, kOnTime, kOverdue };
struct FollowUp {
  std::string rep;
  std::string customer;
  std::string scheduled_by;  // The ActionLogged event id that scheduled it (see FollowUps).
  uint64_t scheduled_by_seq = 0;
  absl::Time due;
  std::optional<absl::Time> done_at;  // The next action with the customer, if any.
  bool on_time = false;               // Done within 24 h after due.
  bool overdue = false;               // Open and past due at `now`.
};

// The interned ids an event names, for Apply (see Projector::Prepare). Which field holds which id
// depends on the event's kind; the projector fills and reads them, nobody else.
struct EventIds {
  uint32_t rep = 0;      // The event's rep (a payment names none).
  uint32_t subject = 0;  // The customer (action, contract), opportunity, or paid contract.
  uint32_t other = 0;    // The contract signed, the opportunity's stage, or the payment.
  uint32_t won = 0;      // The opportunity a contract names (kNoId: none).
};

// The kinds of entity an id names (KPI_SPEC §4), and one event that opens such an id: an
// OpportunityOpened, a ContractSigned or a PaymentReceived. Of an id's openings, the earliest by
// (at, seq) defines the entity.
enum class EntityKind { kOpportunity, kContract, kPayment };
struct EntityOpening {
  int64_t at_micros = 0;  // occurred_at.
  uint64_t seq = 0;
  std::string rep;       // Opportunities and contracts: the event's rep.
  std::string contract;  // Payments: the contract paid into.
  EventOrder order() const { return {at_micros, seq}; }
};

class Projector {
 public:
  explicit Projector(ProjectorOptions options);
  ~Projector();
  Projector(const Projector&) = delete;
  Projector& operator=(const Projector&) = delete;

  // Applies one committed record, each once. For an EventVoided, `void_target` is the record it
  // names, read from the log; nullptr to look it up among the applied events (index_events). A void
  // may come before its target (both in one batch): the target is then skipped when it arrives.
  // `ids`, if given, are the event's ids from Prepare.
  void Apply(const v1::EventRecord& record) { Apply(record.seq(), record.event()); }
  void Apply(uint64_t seq, const v1::Event& event, const v1::EventRecord* void_target = nullptr,
             const EventIds* ids = nullptr);
  // Interns the ids `event` names, which Apply would otherwise do. Between BeginBulkReplay and
  // EndBulkReplay (only), it may run on another thread than Apply: a replay's reading thread takes
  // that work off the applying one (~20 % of Apply at 1-10M events, the id table's cache misses).
  void Prepare(const v1::Event& event, EventIds* ids);
  uint64_t applied_seq() const;
  // The log-wide totals of the applied records (log_totals.h): the writer's starting point.
  const LogTotals& totals() const;
  // A replay of many records may defer the units' calendar aggregates and point-in-time figures:
  // between BeginBulkReplay and EndBulkReplay, Apply updates the reps' figures (and competition
  // windows and customer counts, as always) but not their units' 3 levels x 5 period kinds, and
  // EndBulkReplay sums every unit's figures afresh from its current members'. A unit's figures are
  // that sum in any case, so the result is the same as applying incrementally (verify and the
  // property test compare the two); unit queries in between see stale figures.
  void BeginBulkReplay();
  void EndBulkReplay();
  const OrgState& org() const;
  // Targets and schemes (KPI_SPEC §6); scorecard.h scores them.
  const PlanState& plans() const;
  const ProjectorOptions& options() const;

  // NOT_FOUND for an undefined unit; a rep need not be defined (its activity still counts).
  absl::StatusOr<KpiReport> Kpis(const Subject& subject, const Period& period,
                                 absl::Time now) const;
  absl::StatusOr<FunnelReport> Funnel(const Subject& subject, const Period& period) const;
  // Follow-ups of the subject due in [from, to), filtered by state, ordered by (due, rep, customer,
  // seq): the first `limit` of them, and in *total (if given) how many there are. scheduled_by is
  // filled only with index_events; scheduled_by_seq always.
  absl::StatusOr<std::vector<FollowUp>> FollowUps(const Subject& subject, absl::Time from,
                                                  absl::Time to, FollowUpState state,
                                                  absl::Time now, size_t limit = SIZE_MAX,
                                                  size_t* total = nullptr) const;

  // One per-period metric of KPI_SPEC §5 (not a point-in-time figure) for a rep or a unit, in a
  // calendar period or over a competition's window. INVALID_ARGUMENT for any other name; NOT_FOUND
  // for an undefined unit or competition. Cheap for a rep: boards call it per member.
  absl::StatusOr<MetricValue> Metric(const Subject& subject, const Period& period,
                                     const std::string& metric) const;
  absl::StatusOr<MetricValue> CompetitionMetric(const std::string& competition_id,
                                                const Subject& subject,
                                                const std::string& metric) const;
  // A point-in-time figure (outstanding, overdue, overdue_ratio, open_pipeline, open_follow_ups,
  // overdue_follow_ups) of a rep or unit as of `now`. INVALID_ARGUMENT for any other name.
  absl::StatusOr<MetricValue> PointInTimeMetric(const Subject& subject, const std::string& metric,
                                                absl::Time now) const;
  // The first instant after `after` at which `metric` of `subject` changes with no event (an
  // installment or a follow-up falls due: overdue, overdue_ratio, overdue_follow_ups step with the
  // clock); absent when none is ahead, or for a figure that moves only with events. Valid until
  // the next Apply.
  absl::StatusOr<std::optional<absl::Time>> NextClockStep(const Subject& subject,
                                                          const std::string& metric,
                                                          absl::Time after) const;
  const Competition* FindCompetition(const std::string& id) const;
  // Every defined competition (its latest definition), by id.
  std::vector<const Competition*> Competitions() const;
  // The events that add to `metric` for the reps `reps` in [from, to), by (at, seq): the first
  // `limit`, and in *total how many. Listed metrics: sales_amount, signings, products_sold,
  // gross_profit (contracts) and payments; for any other, nullopt (the figure is still exact, it
  // is just not itemised). Walks every contract or payment: for an occasional explanation.
  std::optional<std::vector<Contribution>> Contributions(const std::vector<std::string>& reps,
                                                         absl::Time from, absl::Time to,
                                                         const std::string& metric, size_t limit,
                                                         size_t* total) const;

  // The applied, not voided openings of entity `id`, in no particular order (access checks:
  // entity_access.h).
  std::vector<EntityOpening> Openings(EntityKind kind, absl::string_view id) const;

  // From now on, note which reps' figures (in any period or competition window) change. Off by
  // default: a replay that nobody watches (start-up, verify, rebuild) need not pay for it.
  void TrackChanges();
  // The reps whose figures may have changed since the last call (or since TrackChanges), unordered.
  // `everything` is set when a change may move any figure or board membership: the org, the stages
  // or a competition changed. For the leaderboards; call under the writer's lock.
  std::vector<std::string> TakeChanged(bool* everything);

  // Does ahead the work the first queries after a replay would otherwise do, and changes no
  // figure: builds every unit's member list and reads each point-in-time step sum up to `now`
  // (a query then walks only the steps since). Without it, the first team and company queries
  // after a start-up or a rebuild took milliseconds (kpi_bench, 10M events: up to 8 ms in process).
  void WarmUp(absl::Time now) const;

  // Every (rep, period) cell's raw figures as text lines, sorted: a canonical dump for comparing a
  // live projector with a replay (salestrack verify).
  std::vector<std::string> DumpCells() const;

  // Estimated bytes held by each of the projector's structures, by name: where its memory goes.
  // Writer's lock (walks everything).
  std::vector<std::pair<std::string, size_t>> Memory() const;

  // ---- Snapshots (docs/projections.md, "Snapshots"): the whole state as bytes, and back, so that
  // a start-up may load a checkpoint and replay only the log after its applied_seq().
  //
  //   std::vector<std::string> chunks;
  //   absl::Status s = p.SaveState([&](std::string_view c) {
  //     chunks.emplace_back(c);
  //     return absl::OkStatus();
  //   });
  //   size_t i = 0;
  //   auto q = Projector::LoadState(p.options(), [&](std::string* c) -> absl::StatusOr<bool> {
  //     if (i == chunks.size()) return false;
  //     *c = std::move(chunks[i++]);
  //     return true;
  //   });

  // The state format. Any change to what SaveState writes bumps it; a snapshot of another format
  // is refused (the caller then replays the log instead).
  static constexpr uint32_t kStateFormat = 1;
  static constexpr size_t kStateChunkBytes = 4 << 20;
  // Writes the whole state (everything Apply built, applied_seq() included) to `sink` as a
  // sequence of chunks, each about `chunk_bytes` at most and decodable on its own: no entry spans
  // two chunks, so only an entry larger than `chunk_bytes` (a single very long action chain)
  // makes its chunk larger. Const and safe beside concurrent queries: runs under the views'
  // reader lock. Stops at the sink's first error and returns it; FAILED_PRECONDITION between
  // BeginBulkReplay and EndBulkReplay (the units' figures are stale then).
  absl::Status SaveState(absl::FunctionRef<absl::Status(std::string_view chunk)> sink,
                         size_t chunk_bytes = kStateChunkBytes) const;
  // A projector in the state SaveState wrote: every query answers the same, and any further
  // Apply gives the same figures as on the original. `next` yields the chunks in order (false: no
  // more); its error is returned as it is. DATA_LOSS on a malformed, truncated or over-long
  // stream (chunks out of order, a field past its chunk, an id or metric out of range, bytes after
  // the end); FAILED_PRECONDITION on a snapshot of another kStateFormat or when `options` (zone,
  // index_events) differ from the saved ones. Garbage never crashes it: it returns an error or,
  // when the bytes happen to decode, a projector that holds them (with figures that may be wrong).
  // Query caches start empty, and changes are not tracked (TrackChanges).
  static absl::StatusOr<std::unique_ptr<Projector>> LoadState(
      ProjectorOptions options, absl::FunctionRef<absl::StatusOr<bool>(std::string* chunk)> next);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace salestrack

#endif  // SALESTRACK_PROJECTOR_H_
