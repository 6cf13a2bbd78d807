// The queries room: a subject's figures in a period or window (KPI_SPEC §5 metrics from the
// cells), the point-in-time figures, the funnel, follow-ups, members and entity openings.
#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/projector/impl.h"
#include "salestrack/metric_names.h"
#include "salestrack/status_macros.h"

namespace salestrack {
namespace {

MetricValue Count(int64_t v) { return {MetricValue::Kind::kCount, v}; }
MetricValue Money(int64_t v) { return {MetricValue::Kind::kMoney, v}; }
MetricValue Ratio(int64_t num, int64_t den, MetricValue::Kind kind = MetricValue::Kind::kRatio) {
  MetricValue m{kind};
  if (den != 0) {
    m.real = static_cast<double>(num) / static_cast<double>(den);
    m.num = num;
    m.den = den;
  }
  return m;
}
MetricValue Distribution(const Histogram& h) {
  MetricValue m{MetricValue::Kind::kDistribution};
  m.count = h.count();
  m.sum_micros = h.sum();
  m.mean_seconds = h.Mean() / 1e6;
  m.p50_seconds = h.Quantile(0.5) / 1e6;
  m.p90_seconds = h.Quantile(0.9) / 1e6;
  return m;
}

absl::Status NotPerPeriod(const std::string& metric) {
  if (IsKnownMetricName(metric)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "metric \"", metric, "\" is not a per-period metric (point-in-time figures and scheme ",
        "results are not summed over periods)"));
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown metric \"", metric, "\""));
}

}  // namespace

using projection::AggCell;
namespace cell = projection::cell;
using projection::AggKey;
using projection::ChainKey;
using projection::DecodeChain;
using projection::DecodeOpp;
using projection::HistFor;
using projection::Id;
using projection::kContracted;
using projection::kDay;
using projection::kMinTime;
using projection::kNoDue;
using projection::kOpenFollowUps;
using projection::kOverdueFollowUps;
using projection::kOverdueMoney;
using projection::kPaid;
using projection::kPipeline;
using projection::kUnitBit;
using projection::kWindow;
using projection::Micros;
using projection::OppKind;
using projection::RepCells;
using projection::Sample;
using projection::StepSum;
using projection::SubjectId;

// The reps whose figures a subject's are: the rep, or a unit's members. Every unit's are listed in
// one pass over the reps when the first query after an org change needs any (a pass per unit walked
// every rep, and the first team queries after a change queued behind each other's).
absl::StatusOr<std::shared_ptr<const std::vector<std::string>>> Projector::Impl::Members(
    const Subject& s) const {
  if (!s.is_unit) return std::make_shared<const std::vector<std::string>>(1, s.id);
  if (org_.FindUnit(s.id) == nullptr) {
    return absl::NotFoundError(absl::StrCat("unit \"", s.id, "\" is not defined"));
  }
  salestrack::MutexLock lock(&members_mu_);
  BuildMembers();
  auto [it, inserted] = members_.try_emplace(s.id);  // A unit with no reps under it.
  if (inserted) it->second = std::make_shared<const std::vector<std::string>>();
  return it->second;
}

void Projector::Impl::BuildMembers() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(members_mu_) {
  if (members_built_) return;
  for (auto& [unit, reps] : org_.RepsUnderEachUnit()) {
    members_[unit] = std::make_shared<const std::vector<std::string>>(std::move(reps));
  }
  members_built_ = true;
}

void Projector::Impl::WarmUp(Micros now) const {
  {
    salestrack::MutexLock lock(&members_mu_);
    BuildMembers();
  }
  salestrack::MutexLock lock(&cursor_mu_);
  for (const auto& [subject, p] : pit_) {
    for (const StepSum& steps : p.steps) steps.UpTo(now);
  }
}

// NOT_FOUND for an undefined unit.
absl::StatusOr<std::optional<SubjectId>> Projector::Impl::FindSubject(const Subject& s) const {
  if (s.is_unit && org_.FindUnit(s.id) == nullptr) {
    return absl::NotFoundError(absl::StrCat("unit \"", s.id, "\" is not defined"));
  }
  std::optional<Id> id = Lookup(s.id);
  if (!id) return std::optional<SubjectId>();
  return std::optional<SubjectId>(s.is_unit ? (*id | kUnitBit) : *id);
}

void Projector::Impl::AddCustomers(const AggKey& key, Figures& f) const {
  if (auto it = customer_cells_.find(key); it != customer_cells_.end()) {
    f.customers = it->second.first;
    f.returning = it->second.second;
  }
}

void Projector::Impl::AddAgg(const AggKey& key, Figures& f) const {
  if (auto it = agg_.find(key); it != agg_.end()) {
    f.sums = it->second.sums;
    f.hists = it->second.hists;
  }
  AddCustomers(key, f);
}

Projector::Impl::Figures Projector::Impl::PeriodFigures(std::optional<SubjectId> subject,
                                                        const Period& period) const {
  Figures f;
  if (!subject) return f;
  const int32_t first = projection::DayIndex(period.start);
  const AggKey key{*subject, static_cast<uint8_t>(period.kind), first};
  if (*subject & kUnitBit) {
    AddCustomers(key, f);
    auto rows = unit_rows_.find(*subject);
    if (rows == unit_rows_.end()) return f;
    const size_t k = static_cast<size_t>(period.kind) - 1;
    if (const AggCell* c = rows->second[k].Find(projection::Ordinal(period.kind, period.start))) {
      f.sums = c->sums;
      f.hists = c->hists;
    }
    return f;
  }
  AddCustomers(key, f);
  auto it = rep_cells_.find(*subject);
  if (it == rep_cells_.end()) return f;
  const RepCells& cells = it->second;
  const int32_t last = projection::DayIndex(NextPeriod(period).start) - 1;
  f.sums.assign(metrics_.size(), 0);
  std::vector<Entry> entries;
  for (size_t i =
           std::lower_bound(cells.days.begin(), cells.days.end(), first) - cells.days.begin();
       i < cells.days.size() && cells.days[i] <= last; ++i) {
    entries.clear();
    cells.Decode(i, entries);
    for (const auto& [m, v] : entries) f.sums[m] += v;
  }
  for (auto s =
           std::lower_bound(cells.samples.begin(), cells.samples.end(), Sample{first, 0, kMinTime});
       s != cells.samples.end() && s->day <= last; ++s) {
    HistFor(f.hists, s->metric)->second.Add(s->value);
  }
  return f;
}

int64_t Projector::Impl::SumOf(const Figures& f, absl::string_view metric) const {
  std::optional<MetricId> id = FindMetric(metric);
  return id && *id < f.sums.size() ? f.sums[*id] : 0;
}

Histogram Projector::Impl::HistOf(const Figures& f, absl::string_view metric) const {
  std::optional<MetricId> id = FindMetric(metric);
  if (!id) return Histogram();
  for (const auto& [m, h] : f.hists) {
    if (m == *id) return h;
  }
  return Histogram();
}

// Both parts are sub-sums of log-wide totals (log_totals.h), so the difference fits.
int64_t Projector::Impl::GrossProfit(const Figures& f) const {
  return SumOf(f, cell::kMarginBase) - SumOf(f, cell::kContractCost);
}

// One per-period metric. REQUIRES: IsPerPeriodMetric(name).
MetricValue Projector::Impl::MetricOf(const Figures& f, const std::string& name) const {
  using K = MetricValue::Kind;
  namespace m = metric;
  if (name == m::kWinRate) {
    int64_t won = SumOf(f, m::kOpportunitiesWon);
    return Ratio(won, won + SumOf(f, m::kOpportunitiesLost));
  }
  if (name == m::kGrossProfit) return Money(GrossProfit(f));
  if (name == m::kGrossMargin) return Ratio(GrossProfit(f), SumOf(f, cell::kMarginBase));
  if (name == m::kCustomersSigned) return Count(f.customers);
  if (name == m::kReturningCustomers) return Count(f.returning);
  if (name == m::kRepeatPurchaseRate) return Ratio(f.returning, f.customers);
  if (name == m::kAvgDealSize) return Ratio(SumOf(f, m::kSalesAmount), f.customers, K::kMean);
  if (name == m::kCollectionRate) return Ratio(SumOf(f, m::kPayments), SumOf(f, m::kAmountDue));
  if (name == m::kSatisfaction) {
    return Ratio(SumOf(f, cell::kSatisfactionSum), SumOf(f, cell::kSatisfactionCount), K::kMean);
  }
  if (name == m::kFollowUpRate) {
    return Ratio(SumOf(f, m::kFollowUpsOnTime), SumOf(f, m::kFollowUpsDue));
  }
  if (name == m::kSalesCycle || InFamily(name, m::kStageDuration)) {
    return Distribution(HistOf(f, name));
  }
  if (InFamily(name, m::kScore)) {
    const absl::string_view score = absl::string_view(name).substr(m::kScore.size() + 1);
    return Ratio(SumOf(f, absl::StrCat(cell::kScoreSum, ":", score)),
                 SumOf(f, absl::StrCat(cell::kScoreCount, ":", score)), K::kMean);
  }
  if (IsMoneyMetric(name)) return Money(SumOf(f, name));
  return Count(SumOf(f, name));
}

absl::StatusOr<KpiReport> Projector::Impl::Kpis(const Subject& subject, const Period& period,
                                                absl::Time now) const {
  ASSIGN_OR_RETURN(std::optional<SubjectId> id, FindSubject(subject));
  ASSIGN_OR_RETURN(auto reps, Members(subject));
  KpiReport r;
  r.seq = applied_seq_;
  r.period = period;
  r.reps = std::move(reps);
  Figures f = PeriodFigures(id, period);
  std::vector<std::string> names(kPlainPeriodMetrics.begin(), kPlainPeriodMetrics.end());
  for (int ch = v1::Channel_MIN + 1; ch <= v1::Channel_MAX; ++ch) {
    names.push_back(absl::StrCat(metric::kActionsByChannel, ":",
                                 v1::Channel_Name(static_cast<v1::Channel>(ch))));
  }
  for (int p = v1::Purpose_MIN + 1; p <= v1::Purpose_MAX; ++p) {
    names.push_back(absl::StrCat(metric::kActionsByPurpose, ":",
                                 v1::Purpose_Name(static_cast<v1::Purpose>(p))));
  }
  for (const Stage& s : org_.stages()) {
    names.push_back(absl::StrCat(metric::kFunnelReached, ":", s.id));
    names.push_back(absl::StrCat(metric::kStageDuration, ":", s.id));
  }
  for (size_t m = 0; m < f.sums.size(); ++m) {
    const absl::string_view name = MetricName(m);
    if (f.sums[m] != 0 && InFamily(name, cell::kScoreCount)) {
      names.push_back(absl::StrCat(metric::kScore, ":", name.substr(cell::kScoreCount.size() + 1)));
    }
  }
  for (const std::string& name : names) r.metrics[name] = MetricOf(f, name);
  PointInTime(id, absl::ToUnixMicros(now), r.point_in_time);
  return r;
}

absl::StatusOr<MetricValue> Projector::Impl::Metric(const Subject& subject, const Period& period,
                                                    const std::string& metric) const {
  if (!IsPerPeriodMetric(metric)) return NotPerPeriod(metric);
  ASSIGN_OR_RETURN(std::optional<SubjectId> id, FindSubject(subject));
  return MetricOf(PeriodFigures(id, period), metric);
}

absl::StatusOr<MetricValue> Projector::Impl::CompetitionMetric(const std::string& competition_id,
                                                               const Subject& subject,
                                                               const std::string& metric) const {
  if (!IsPerPeriodMetric(metric)) return NotPerPeriod(metric);
  const Competition* competition = FindCompetition(competition_id);
  std::optional<Id> comp = Lookup(competition_id);
  if (competition == nullptr || !comp) {
    return absl::NotFoundError(absl::StrCat("competition \"", competition_id, "\" is not defined"));
  }
  ASSIGN_OR_RETURN(std::optional<SubjectId> id, FindSubject(subject));
  Figures f;
  if (id) AddAgg({*id, kWindow, static_cast<int32_t>(*comp)}, f);
  return MetricOf(f, metric);
}

const Competition* Projector::Impl::FindCompetition(const std::string& id) const {
  auto it = competitions_.find(id);
  if (it == competitions_.end() || it->second.empty()) return nullptr;
  return &it->second.rbegin()->second;
}

std::vector<const Competition*> Projector::Impl::Competitions() const {
  std::vector<const Competition*> all;
  for (const auto& [id, history] : competitions_) {
    if (!history.empty()) all.push_back(&history.rbegin()->second);
  }
  std::sort(all.begin(), all.end(),
            [](const Competition* a, const Competition* b) { return a->id < b->id; });
  return all;
}

std::vector<std::string> Projector::Impl::TakeChanged(bool* everything) {
  *everything = changed_everything_;
  changed_everything_ = false;
  std::vector<std::string> reps;
  reps.reserve(changed_reps_.size());
  for (Id rep : changed_reps_) reps.emplace_back(Name(rep));
  changed_reps_.clear();
  return reps;
}

void Projector::Impl::PointInTime(std::optional<SubjectId> subject, Micros now,
                                  std::map<std::string, MetricValue>& out) const {
  int64_t outstanding = 0, overdue = 0, pipeline = 0, open_fu = 0, overdue_fu = 0;
  if (subject) {
    if (auto it = pit_.find(*subject); it != pit_.end()) {
      const Pit& p = it->second;
      outstanding = p.sums[kContracted] - p.sums[kPaid];
      pipeline = p.sums[kPipeline];
      open_fu = p.sums[kOpenFollowUps];
      salestrack::MutexLock lock(&cursor_mu_);
      overdue = p.steps[kOverdueMoney].UpTo(now);
      overdue_fu = p.steps[kOverdueFollowUps].UpTo(now);
    }
  }
  out[std::string(metric::kOutstanding)] = Money(outstanding);
  out[std::string(metric::kOverdue)] = Money(overdue);
  out[std::string(metric::kOverdueRatio)] = Ratio(overdue, outstanding);
  out[std::string(metric::kOpenPipeline)] = Money(pipeline);
  out[std::string(metric::kOpenFollowUps)] = Count(open_fu);
  out[std::string(metric::kOverdueFollowUps)] = Count(overdue_fu);
}

absl::StatusOr<MetricValue> Projector::Impl::PointInTimeMetric(const Subject& subject,
                                                               const std::string& metric,
                                                               absl::Time now) const {
  if (!IsPointInTimeMetric(metric)) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", metric, "\" is not a point-in-time figure"));
  }
  ASSIGN_OR_RETURN(std::optional<SubjectId> id, FindSubject(subject));
  std::map<std::string, MetricValue> all;
  PointInTime(id, absl::ToUnixMicros(now), all);
  return all[metric];
}

absl::StatusOr<std::optional<absl::Time>> Projector::Impl::NextClockStep(const Subject& subject,
                                                                         const std::string& metric,
                                                                         absl::Time after) const {
  std::optional<projection::PitStepSlot> slot;
  if (metric == metric::kOverdue || metric == metric::kOverdueRatio)
    slot = projection::kOverdueMoney;
  if (metric == metric::kOverdueFollowUps) slot = projection::kOverdueFollowUps;
  ASSIGN_OR_RETURN(std::optional<SubjectId> id, FindSubject(subject));
  if (!slot || !id) return std::optional<absl::Time>();
  auto it = pit_.find(*id);
  if (it == pit_.end()) return std::optional<absl::Time>();
  const auto& steps = it->second.steps[*slot].steps;
  auto next = steps.upper_bound(absl::ToUnixMicros(after));
  if (next == steps.end()) return std::optional<absl::Time>();
  return std::optional<absl::Time>(absl::FromUnixMicros(next->first));
}

absl::StatusOr<FunnelReport> Projector::Impl::Funnel(const Subject& subject,
                                                     const Period& period) const {
  ASSIGN_OR_RETURN(std::optional<SubjectId> id, FindSubject(subject));
  Figures f = PeriodFigures(id, period);
  FunnelReport r;
  r.seq = applied_seq_;
  r.period = period;
  r.opened = SumOf(f, metric::kOpportunitiesOpened);
  r.won = SumOf(f, metric::kFunnelWon);
  for (const Stage& s : org_.stages()) {
    r.stages.push_back({s.id, s.name, SumOf(f, absl::StrCat(metric::kFunnelReached, ":", s.id))});
  }
  for (size_t i = 0; i < r.stages.size(); ++i) {
    int64_t next = i + 1 < r.stages.size() ? r.stages[i + 1].reached : r.won;
    if (r.stages[i].reached != 0) {
      r.stages[i].conversion = static_cast<double>(next) / static_cast<double>(r.stages[i].reached);
    }
  }
  return r;
}

absl::StatusOr<std::vector<FollowUp>> Projector::Impl::FollowUps(const Subject& subject,
                                                                 absl::Time from, absl::Time to,
                                                                 FollowUpState state,
                                                                 absl::Time now, size_t limit,
                                                                 size_t* total) const {
  // The first `limit` by (due, rep, customer, seq): a max-heap of them, so a unit's years of
  // follow-ups cost `limit` entries of memory, not all of them.
  auto before = [](const FollowUp& a, const FollowUp& b) {
    return std::tie(a.due, a.rep, a.customer, a.scheduled_by_seq) <
           std::tie(b.due, b.rep, b.customer, b.scheduled_by_seq);
  };
  size_t matched = 0;
  ASSIGN_OR_RETURN(auto members, Members(subject));
  const std::vector<std::string>& reps = *members;
  const Micros lo = absl::ToUnixMicros(from), hi = absl::ToUnixMicros(to),
               now_us = absl::ToUnixMicros(now);
  std::vector<FollowUp> out;
  std::vector<ActionItem> items;
  for (const std::string& rep : reps) {
    std::optional<Id> id = Lookup(rep);
    if (!id) continue;
    auto it = customers_by_rep_.find(*id);
    if (it == customers_by_rep_.end()) continue;
    for (Id customer : it->second) {
      DecodeChain(chains_.at(ChainKey(*id, customer)), items);
      for (size_t i = 0; i < items.size(); ++i) {
        const ActionItem& a = items[i];
        if (a.due == kNoDue || a.due < lo || a.due >= hi) continue;
        FollowUp f;
        f.rep = rep;
        f.customer = std::string(Name(customer));
        f.due = absl::FromUnixMicros(a.due);
        f.scheduled_by_seq = a.seq;
        if (auto s = ids_by_seq_.find(a.seq); s != ids_by_seq_.end()) f.scheduled_by = s->second;
        if (i + 1 < items.size()) {
          Micros done = items[i + 1].at;
          f.done_at = absl::FromUnixMicros(done);
          f.on_time = done <= a.due + kDay;
        } else {
          f.overdue = a.due < now_us;
        }
        bool keep = state == FollowUpState::kAny || (state == FollowUpState::kOpen && !f.done_at) ||
                    (state == FollowUpState::kDone && f.done_at) ||
                    (state == FollowUpState::kOnTime && f.on_time) ||
                    (state == FollowUpState::kOverdue && f.overdue);
        if (!keep) continue;
        ++matched;
        if (out.size() < limit) {
          out.push_back(std::move(f));
          std::push_heap(out.begin(), out.end(), before);
        } else if (limit > 0 && before(f, out.front())) {
          std::pop_heap(out.begin(), out.end(), before);
          out.back() = std::move(f);
          std::push_heap(out.begin(), out.end(), before);
        }
      }
    }
  }
  std::sort_heap(out.begin(), out.end(), before);
  if (total != nullptr) *total = matched;
  return out;
}

std::vector<EntityOpening> Projector::Impl::Openings(EntityKind kind,
                                                     absl::string_view name) const {
  std::vector<EntityOpening> out;
  const std::optional<Id> id = Lookup(std::string_view(name.data(), name.size()));
  if (!id) return out;
  if (kind == EntityKind::kOpportunity) {
    auto it = opportunities_.find(*id);
    if (it == opportunities_.end()) return out;
    std::vector<OppEvent> events;
    DecodeOpp(it->second, events);
    for (const OppEvent& e : events) {
      if (e.kind == OppKind::kOpened) out.push_back({e.at, e.seq, std::string(Name(e.rep)), ""});
    }
  } else if (kind == EntityKind::kContract) {
    auto it = contracts_.find(*id);
    if (it == contracts_.end()) return out;
    for (const ContractDef& d : it->second.defs) {
      out.push_back({d.at, d.seq, std::string(Name(d.rep)), ""});
    }
  } else {
    auto it = payments_.find(*id);
    if (it == payments_.end()) return out;
    for (const PaymentDef& d : it->second) {
      out.push_back({d.at, d.seq, "", std::string(Name(d.contract))});
    }
  }
  return out;
}

}  // namespace salestrack
