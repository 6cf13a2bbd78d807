// Projector::Impl: the projector's state, and its methods grouped by the room that defines them.
//
// The rooms' own types and pure functions are in their headers (cells.h, calendar.h, interner.h,
// actions.h, opportunities.h, contracts.h, singles.h); this class holds their tables and ties them
// together. Internal to src/core: include/salestrack/projector.h is the API.
#ifndef SALESTRACK_CORE_PROJECTOR_IMPL_H_
#define SALESTRACK_CORE_PROJECTOR_IMPL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/container/node_hash_map.h"
#include "absl/functional/function_ref.h"
#include "core/projector/actions.h"
#include "core/projector/calendar.h"
#include "core/projector/cells.h"
#include "core/projector/common.h"
#include "core/projector/contracts.h"
#include "core/projector/interner.h"
#include "core/projector/opportunities.h"
#include "core/projector/singles.h"
#include "core/projector/state_coding.h"
#include "salestrack/event_order.h"
#include "salestrack/log_totals.h"
#include "salestrack/mutex.h"
#include "salestrack/projector.h"

namespace salestrack {

class Projector::Impl {
 public:
  using Micros = projection::Micros;
  using Id = projection::Id;
  using MetricId = projection::MetricId;
  using SubjectId = projection::SubjectId;
  using Entry = projection::Entry;
  using Touch = projection::Touch;
  using TouchList = projection::TouchList;
  using AggKey = projection::AggKey;
  using AggCell = projection::AggCell;
  using Hists = projection::Hists;
  using Presence = projection::Presence;
  using Pit = projection::Pit;
  using ActionItem = projection::ActionItem;
  using OppEvent = projection::OppEvent;
  using Contract = projection::Contract;
  using ContractDef = projection::ContractDef;
  using PaymentDef = projection::PaymentDef;
  using PaymentDefs = projection::PaymentDefs;
  using Single = projection::Single;

  using Scope = projection::Scope;
  using CompWindow = projection::CompWindow;
  // A subject's figures in one period or window.
  struct Figures {
    std::vector<int64_t> sums;  // By MetricId.
    Hists hists;
    int64_t customers = 0, returning = 0;
  };
  // The subjects a contract's presence counts for.
  using Subjects = absl::InlinedVector<SubjectId, 8>;

  explicit Impl(ProjectorOptions options);

  // ---- Interning (projector.cc). In a bulk replay the reading thread interns the events' ids
  // (Prepare) while this one applies them, so the id table is then used under ids_mu_; a name's
  // bytes never move once stored.
  Id Intern(std::string_view s) {
    salestrack::MutexLockMaybe lock(bulk_ ? &ids_mu_ : nullptr);
    return ids_.Intern(s);
  }
  std::optional<Id> Lookup(std::string_view s) const {
    salestrack::MutexLockMaybe lock(bulk_ ? &ids_mu_ : nullptr);
    return ids_.Find(s);
  }
  absl::string_view Name(Id id) const {
    salestrack::MutexLockMaybe lock(bulk_ ? &ids_mu_ : nullptr);
    return ids_.Name(id);
  }
  // The ids an event names, interned (see EventIds). The caller holds ids_mu_ when another thread
  // may intern.
  EventIds InternIdsUnlocked(const v1::Event& e);
  EventIds InternIds(const v1::Event& e) {
    salestrack::MutexLockMaybe lock(bulk_ ? &ids_mu_ : nullptr);
    return InternIdsUnlocked(e);
  }
  void Prepare(const v1::Event& e, EventIds* ids) {
    salestrack::MutexLock lock(&ids_mu_);
    *ids = InternIdsUnlocked(e);
  }
  MetricId InternMetric(absl::string_view name) {
    return metrics_.Intern(std::string_view(name.data(), name.size()));
  }
  std::optional<MetricId> FindMetric(absl::string_view name) const {
    return metrics_.Find(std::string_view(name.data(), name.size()));
  }
  absl::string_view MetricName(MetricId m) const { return metrics_.Name(m); }

  // ---- The org as the aggregates see it (org.cc): a rep's units, its own first.
  std::vector<SubjectId> ComputeUnits(Id rep);
  const std::vector<SubjectId>& UnitsOf(Id rep) {
    auto [it, inserted] = rep_units_.try_emplace(rep);
    if (inserted) it->second = ComputeUnits(rep);
    return it->second;
  }
  void RefreshStages();
  MetricId DurationMetric(Id stage);
  void ChangeOrg(EventOrder key, const v1::Event& e, int sign);
  void MoveReps(const absl::flat_hash_map<Id, std::vector<SubjectId>>& moved);
  // Applies (with `sign`) every entity's current contribution within `scope`, for the entities
  // whose rep `owned` accepts (customers: any of whose contracts' reps it accepts).
  void ForEachContribution(const Scope& scope, absl::FunctionRef<bool(Id)> owned, int sign);
  void ChangeCompetition(EventOrder key, const v1::CompetitionDefined& c, int sign);

  // ---- Applying touches to the cells (commit.cc).
  void Commit(std::vector<Touch>& ts, const Scope& scope = {});
  void ApplyRep(const Touch* begin, const Touch* end, const Scope& scope);
  void SumUnits();

  // ---- Action chains (actions.cc).
  void InsertAction(Id rep, Id customer, const ActionItem& item);
  bool EraseAction(Id rep, Id customer, Micros at, uint64_t seq);

  // ---- Opportunities (opportunities.cc).
  void AppendContractCloses(Id opp, std::vector<OppEvent>& closes) const;
  void OppTouches(Id opp, const std::vector<OppEvent>& events, TouchList t);
  void WithOpportunity(Id id, absl::FunctionRef<void(std::vector<OppEvent>&)> change);
  void ForEachOpportunity(int sign);

  int64_t GrossProfit(const Figures& f) const;

  // ---- Contracts and payments (contracts.cc).
  const PaymentDef* DefiningPayment(Id payment) const {
    auto it = payments_.find(payment);
    if (it == payments_.end() || it->second.empty()) return nullptr;
    return &it->second.front();
  }
  void ContractTouches(Id id, const Contract& c, TouchList t) const {
    projection::ContractTouches(
        contract_metrics_, id, c, [this](Id p) { return DefiningPayment(p); }, t);
  }
  // Re-derives the contracts `ids` (and, when `defs_change`, their customers and `customers`)
  // around `change`. When `signing` is set, `change` adds or removes a def: the opportunities that
  // the contracts' defs and *signing name are re-derived too (a defining def wins its opportunity).
  void WithContracts(const std::vector<Id>& ids, bool defs_change, std::vector<Id> customers,
                     absl::FunctionRef<void()> change, std::optional<Id> signing = std::nullopt);
  void ChangePayment(Id payment, std::optional<Id> new_contract,
                     absl::FunctionRef<void(PaymentDefs&)> change);

  // ---- Customers (customers.cc).
  // Calls f(def) for each contract that the customer's first signing defines.
  template <typename F>
  void ForEachDefiningContract(Id customer, F f) const;
  // Calls emit(slot, i, key, returning) for each aggregate (within `scope`) that contract d falls
  // in, for subject subjects[i] (see customers.cc).
  template <typename Emit>
  void ContractAggregates(const ContractDef& d, Micros first_at, const Subjects& subjects,
                          const Scope& scope, Emit emit);
  const ContractDef* FirstContract(Id customer) const;
  void CustomerTouches(Id customer, TouchList t, std::vector<Presence>& ps, const Scope& scope);
  void PresenceSubjects(Id rep, const Scope& scope, Subjects& out);
  bool LaterContractPresence(Id id, const ContractDef& d, std::vector<Presence>& ps);

  // ---- Replay: apply, void, remove (projector.cc).
  void Apply(uint64_t seq, const v1::Event& e, const v1::EventRecord* void_target,
             const EventIds* prepared);
  void AddSingle(const Single& s);
  void Void(const std::string& target_id, const v1::EventRecord* target);
  bool Remove(uint64_t seq, const v1::Event& e);

  // ---- Queries (queries.cc).
  absl::StatusOr<std::shared_ptr<const std::vector<std::string>>> Members(const Subject& s) const;
  void BuildMembers() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(members_mu_);
  void WarmUp(Micros now) const;
  absl::StatusOr<std::optional<SubjectId>> FindSubject(const Subject& s) const;
  void AddCustomers(const AggKey& key, Figures& f) const;
  void AddAgg(const AggKey& key, Figures& f) const;
  Figures PeriodFigures(std::optional<SubjectId> subject, const Period& period) const;
  int64_t SumOf(const Figures& f, absl::string_view metric) const;
  Histogram HistOf(const Figures& f, absl::string_view metric) const;
  MetricValue MetricOf(const Figures& f, const std::string& name) const;
  absl::StatusOr<KpiReport> Kpis(const Subject& subject, const Period& period,
                                 absl::Time now) const;
  absl::StatusOr<MetricValue> Metric(const Subject& subject, const Period& period,
                                     const std::string& metric) const;
  // contributions.cc.
  std::optional<std::vector<Contribution>> Contributions(const std::vector<std::string>& reps,
                                                         absl::Time from, absl::Time to,
                                                         const std::string& metric, size_t limit,
                                                         size_t* total) const;
  absl::StatusOr<MetricValue> CompetitionMetric(const std::string& competition_id,
                                                const Subject& subject,
                                                const std::string& metric) const;
  const Competition* FindCompetition(const std::string& id) const;
  std::vector<const Competition*> Competitions() const;
  std::vector<std::string> TakeChanged(bool* everything);
  void PointInTime(std::optional<SubjectId> subject, Micros now,
                   std::map<std::string, MetricValue>& out) const;
  absl::StatusOr<MetricValue> PointInTimeMetric(const Subject& subject, const std::string& metric,
                                                absl::Time now) const;
  absl::StatusOr<std::optional<absl::Time>> NextClockStep(const Subject& subject,
                                                          const std::string& metric,
                                                          absl::Time after) const;
  absl::StatusOr<FunnelReport> Funnel(const Subject& subject, const Period& period) const;
  absl::StatusOr<std::vector<FollowUp>> FollowUps(const Subject& subject, absl::Time from,
                                                  absl::Time to, FollowUpState state,
                                                  absl::Time now, size_t limit,
                                                  size_t* total) const;
  std::vector<EntityOpening> Openings(EntityKind kind, absl::string_view name) const;

  // ---- Dump and memory (dump.cc).
  std::string SubjectName(SubjectId s) const;
  std::string AggName(const AggKey& k) const;
  std::vector<std::string> DumpCells() const;
  std::vector<std::pair<std::string, size_t>> Memory() const;

  // ---- Snapshots: the framing, header, names and org (snapshot.cc), the cells
  // (snapshot_cells.cc) and the entities (snapshot_entities.cc). Save* write their sections;
  // Load* read one record of a section into this projector, which holds only what its
  // constructor made, checking every id and metric against the names loaded before.
  using Section = projection::Section;
  using StateReader = projection::StateReader;
  using StateWriter = projection::StateWriter;
  using NextChunk = absl::FunctionRef<absl::StatusOr<bool>(std::string* chunk)>;
  void SaveState(StateWriter& w) const;
  void SaveCells(StateWriter& w) const;
  void SaveEntities(StateWriter& w) const;
  absl::Status LoadState(NextChunk next);
  absl::Status LoadRecord(Section s, uint32_t count, StateReader& r);
  absl::Status EndSection(Section s);  // Completes what a section's records leave to its end.
  absl::Status LoadCells(Section s, uint32_t count, StateReader& r);
  absl::Status LoadEntities(Section s, uint32_t count, StateReader& r);
  bool IdOk(uint64_t id) const { return id < ids_.size(); }
  bool SubjectOk(uint64_t s) const { return s <= UINT32_MAX && IdOk(s & ~projection::kUnitBit); }
  bool MetricOk(uint64_t m) const { return m < metrics_.size(); }
  // A competition's definition as the org room keeps it.
  static Competition CompetitionOf(const v1::CompetitionDefined& c);
  size_t names_loaded_ = 0, metrics_loaded_ = 0;  // LoadState's progress through the names.

  ProjectorOptions options_;
  uint64_t applied_seq_ = 0;
  LogTotals totals_;
  OrgState org_;
  PlanState plans_;  // Targets and schemes (KPI_SPEC §6).
  projection::Calendar calendar_;

  projection::Interner<Id> ids_;
  mutable salestrack::Mutex ids_mu_;  // Guards ids_ in a bulk replay (see Intern).
  projection::Interner<MetricId> metrics_;

  // Figures.
  absl::flat_hash_map<Id, projection::RepCells> rep_cells_;
  absl::node_hash_map<AggKey, AggCell> agg_;  // Competition windows' aggregates.
  projection::CustomerCells customer_cells_;
  absl::node_hash_map<SubjectId, Pit> pit_;  // Node map: ApplyRep holds pointers across inserts.
  absl::flat_hash_map<SubjectId, projection::UnitRows>
      unit_rows_;                        // A unit's aggregates by period.
  mutable salestrack::Mutex cursor_mu_;  // Serialises queries' StepSum::UpTo.
  mutable salestrack::Mutex members_mu_;
  mutable absl::flat_hash_map<std::string, std::shared_ptr<const std::vector<std::string>>> members_
      ABSL_GUARDED_BY(members_mu_);
  mutable bool members_built_ ABSL_GUARDED_BY(members_mu_) = false;

  // Entities.
  absl::flat_hash_map<uint64_t, std::string> chains_;  // By ChainKey(rep, customer): EncodeChain.
  absl::flat_hash_map<Id, std::vector<Id>> customers_by_rep_;  // Sorted.
  absl::flat_hash_map<Id, std::string> opportunities_;  // EncodeOpp of its events, by (at, seq).
  absl::flat_hash_map<Id, Contract> contracts_;
  absl::flat_hash_map<Id, std::vector<Id>> contracts_by_customer_;  // Sorted.
  // Contracts any of whose defs names the opportunity. Sorted; a void leaves its entry (the
  // closes are read from the contracts' defining defs).
  absl::flat_hash_map<Id, absl::InlinedVector<Id, 1>> contracts_by_opportunity_;
  absl::flat_hash_map<Id, PaymentDefs> payments_;  // Sorted by (at, seq).
  std::vector<Single> singles_;                    // Sorted by seq.
  absl::flat_hash_map<std::string, std::pair<EventOrder, v1::Event>> org_events_;
  absl::flat_hash_map<std::string, std::map<EventOrder, Competition>> competitions_;
  std::vector<CompWindow> windows_;              // The effective competitions' windows.
  absl::flat_hash_set<uint64_t> pending_voids_;  // Seqs voided before they were applied.
  // index_events only.
  absl::flat_hash_map<std::string, std::pair<uint64_t, v1::Event>> events_by_id_;
  absl::flat_hash_map<uint64_t, std::string> ids_by_seq_;

  // The org as the aggregates see it.
  absl::flat_hash_map<Id, std::vector<SubjectId>> rep_units_;  // The reps seen so far.
  projection::StageTable stages_;

  // Writer scratch space.
  std::vector<Touch> touches_;
  std::vector<ActionItem> chain_scratch_;
  std::vector<OppEvent> opp_scratch_;
  std::vector<OppEvent> contract_closes_;                  // OppTouches'.
  std::vector<Id> opp_ids_scratch_;                        // WithContracts'.
  std::vector<std::vector<OppEvent>> opp_events_scratch_;  // WithContracts'.
  std::vector<Presence> presence_;
  Subjects subjects_, other_subjects_;  // Scratch for PresenceSubjects.
  std::vector<bool> covered_scratch_;
  std::vector<std::pair<int32_t, Entry>> day_deltas_;
  std::vector<Entry> entries_, decode_scratch_, merge_scratch_;
  std::string encode_scratch_;
  std::string bytes_scratch_;  // An entity encoded, before AssignCompact.
  std::vector<AggCell*> agg_cells_;
  std::vector<Pit*> pits_;

  bool track_changes_ = false;
  bool bulk_ = false;  // Between BeginBulkReplay and EndBulkReplay: units are summed at the end.
  absl::flat_hash_set<Id> changed_reps_;
  bool changed_everything_ = false;

  // Interned metrics.
  projection::ActionMetrics action_metrics_;
  projection::ContractMetrics contract_metrics_;
  MetricId m_opened_, m_won_, m_lost_, m_funnel_won_, m_sales_cycle_, m_new_customers_,
      m_satisfaction_sum_, m_satisfaction_count_;
};

}  // namespace salestrack

#endif  // SALESTRACK_CORE_PROJECTOR_IMPL_H_
