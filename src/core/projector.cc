// The projector's entities, their contributions, and where they add up. The design, the table of
// entities and the storage layout are in docs/projections.md.
//
// Storage, in short (sized for 10^4 reps and 10^7 events in well under 1 GiB):
// - A rep's figures are kept per civil day only, in one byte string per rep: each day's nonzero
// sums
//   as (metric, value) varints. A week, month, quarter or year is the sum of its days, read at
//   query time (a rep has a few thousand events a year). Distribution samples are kept per rep as
//   sorted (day, metric, value) records.
// - A unit's figures (the sum of its current members') are kept per period of each kind, as dense
//   arrays by metric: a company-wide query reads one array.
// - Distinct customers (customers_signed, returning_customers) are not sums of days: every customer
//   contributes one presence per (subject, period) its contracts fall in, counted per period.
// - Point-in-time figures are running sums per subject; overdue amounts and overdue follow-ups are
//   step functions of `now`, summed up to a cursor that follows the clock.
// - Entities keep seqs and numbers, no event ids: a void gets its target from the log (or from the
//   optional in-memory index, for tests and tools).
#include "salestrack/projector.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <optional>

#include "absl/algorithm/container.h"
#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "salestrack/histogram.h"
#include "salestrack/log_totals.h"
#include "salestrack/metric_names.h"
#include "salestrack/mutex.h"
#include "salestrack/proto_time.h"
#include "salestrack/sparse_sum.h"
#include "salestrack/status_macros.h"

namespace salestrack {
namespace {

using Micros = int64_t;
using Id = uint32_t;        // An interned id string (rep, unit, customer, opportunity, ...).
using MetricId = uint16_t;  // An interned metric name.
// A rep's Id, or a unit's Id with kUnitBit set: reps and units may share an id string.
using SubjectId = uint32_t;
constexpr SubjectId kUnitBit = 1u << 31;
constexpr Id kNoId = std::numeric_limits<Id>::max();
constexpr Micros kDay = 86'400'000'000;
constexpr Micros kNoDue = std::numeric_limits<Micros>::min();
constexpr Micros kMinTime = std::numeric_limits<Micros>::min();
constexpr absl::CivilDay kEpochDay(1970, 1, 1);

int32_t DayIndex(absl::CivilDay d) { return static_cast<int32_t>(d - kEpochDay); }
absl::CivilDay CivilOf(int32_t d) { return kEpochDay + d; }
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// ---- Varints for the per-rep day cells
// -----------------------------------------------------------
void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
const char* GetVarint(const char* p, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0;; shift += 7) {
    auto byte = static_cast<uint8_t>(*p++);
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  *v = result;
  return p;
}
uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

using Entry = std::pair<MetricId, int64_t>;  // (metric, value) of a cell.

// ---- Contributions
// -------------------------------------------------------------------------------
enum class TouchKind : uint8_t { kSum, kHist, kPitSum, kPitStep };
// Outstanding is kept as its two non-negative parts (contract amounts, payments), like gross
// profit (margin_base, contract_cost): every stored sum is then a sub-sum of a log-wide total, so
// none can wrap (log_totals.h). Queries take the differences.
enum PitSumSlot : MetricId { kContracted, kPaid, kPipeline, kOpenFollowUps };
enum PitStepSlot : MetricId { kOverdueMoney, kOverdueFollowUps };

// One unit of an entity's contribution to `rep` (and, through it, to the rep's units): add `value`
// to `metric` at instant `at` (kSum), add `count` samples `value` (kHist), add `value` to a
// point-in-time sum (kPitSum; `at` unused) or a step of `value` at `at` to a point-in-time step
// function (kPitStep).
struct Touch {
  Micros at;
  Id rep;
  TouchKind kind;
  MetricId metric;
  int32_t count;
  int64_t value;
};

// Collects touches with a sign: the old contribution is retracted (-1), the new one added (+1).
struct TouchList {
  std::vector<Touch>* out;
  int sign;
  void Sum(Id rep, Micros at, MetricId m, int64_t v) {
    if (v != 0) out->push_back({at, rep, TouchKind::kSum, m, 0, sign * v});
  }
  void Hist(Id rep, Micros at, MetricId m, int64_t sample) {
    out->push_back({at, rep, TouchKind::kHist, m, sign, sample});
  }
  void PitSum(Id rep, PitSumSlot slot, int64_t v) {
    if (v != 0) out->push_back({0, rep, TouchKind::kPitSum, slot, 0, sign * v});
  }
  void PitStep(Id rep, Micros at, PitStepSlot slot, int64_t v) {
    if (v != 0) out->push_back({at, rep, TouchKind::kPitStep, slot, 0, sign * v});
  }
};

// Where aggregated figures live: a subject's calendar period (kind 1-5 = PeriodKind, index = the
// period's first day) or a competition window (kind kWindow, index = the competition's Id).
constexpr uint8_t kWindow = 6;
struct AggKey {
  SubjectId subject;
  uint8_t kind;
  int32_t index;
  friend bool operator==(const AggKey&, const AggKey&) = default;
  friend auto operator<=>(const AggKey&, const AggKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const AggKey& k) {
    return H::combine(std::move(h), k.subject, k.kind, k.index);
  }
};

// A customer's presence in one aggregate: it counts once towards customers_signed there, and
// towards returning_customers too when its first contract precedes the aggregate's start.
struct Presence {
  AggKey key;
  bool returning;
  int32_t count;
};

// Distributions by metric: a few per cell, so a vector searched in order.
using Hists = std::vector<std::pair<MetricId, Histogram>>;
Hists::iterator HistFor(Hists& hists, MetricId m) {
  auto it = std::find_if(hists.begin(), hists.end(), [&](const auto& h) { return h.first == m; });
  return it != hists.end() ? it : hists.insert(hists.end(), {m, Histogram()});
}

// A unit's or a window's figures: dense sums by metric, and the few distributions.
struct AggCell {
  int32_t start = 0;  // A unit period's first day.
  std::vector<int64_t> sums;
  Hists hists;
  void Add(MetricId m, int64_t v) {
    if (sums.size() <= m) sums.resize(m + 1, 0);
    sums[m] += v;
  }
  void AddSamples(MetricId m, int64_t sample, int32_t count) {
    auto it = HistFor(hists, m);
    for (int32_t i = 0; i < count; ++i) it->second.Add(sample);
    for (int32_t i = 0; i > count; --i) it->second.Remove(sample);
    if (it->second.empty()) hists.erase(it);
  }
};

// A unit's aggregates of one period kind, by period ordinal (see Ordinal): a vector, so the writer
// reaches the 5 periods x the units of a touched day without hashing. The vector spans at most
// kMaxDense ordinals from where it started; a period farther off (a follow-up due in 9999 beside
// this year's visits) gets a cell in `far`, so a date costs one cell, never a slot for every period
// in between.
struct PeriodRow {
  static constexpr int64_t kMaxDense = 4096;
  int32_t base = 0;
  std::vector<std::unique_ptr<AggCell>> cells;  // cells[i] is ordinal base + i.
  absl::flat_hash_map<int32_t, std::unique_ptr<AggCell>> far;

  AggCell& At(int32_t ordinal, int32_t start) {
    if (cells.empty()) base = ordinal;
    const int64_t lo = std::min<int64_t>(base, ordinal);
    const int64_t hi = std::max<int64_t>(base + static_cast<int64_t>(cells.size()), ordinal + 1);
    std::unique_ptr<AggCell>* slot;
    if (hi - lo > kMaxDense) {
      slot = &far[ordinal];
    } else {
      if (ordinal < base) {
        std::vector<std::unique_ptr<AggCell>> grown(base - ordinal);
        std::move(cells.begin(), cells.end(), std::back_inserter(grown));
        cells = std::move(grown);
        base = ordinal;
      }
      const size_t i = ordinal - base;
      if (i >= cells.size()) cells.resize(i + 1);
      slot = &cells[i];
    }
    if (*slot == nullptr) {
      *slot = std::make_unique<AggCell>();
      (*slot)->start = start;
    }
    return **slot;
  }
  const AggCell* Find(int32_t ordinal) const {
    if (ordinal >= base && ordinal - base < static_cast<int64_t>(cells.size())) {
      if (const AggCell* c = cells[ordinal - base].get()) return c;
    }
    auto it = far.find(ordinal);
    return it == far.end() ? nullptr : it->second.get();
  }
  template <typename F>
  void ForEach(F f) const {
    for (const auto& c : cells) {
      if (c != nullptr) f(*c);
    }
    for (const auto& [ordinal, c] : far) f(*c);
  }
};
using UnitRows = std::array<PeriodRow, 5>;  // By kAllPeriodKinds index.

// A period's ordinal among the periods of its kind: consecutive periods, consecutive ordinals.
int32_t Ordinal(PeriodKind kind, absl::CivilDay start) {
  switch (kind) {
    case PeriodKind::kDay:
      return DayIndex(start);
    case PeriodKind::kWeek:
      return static_cast<int32_t>(FloorDiv(DayIndex(start) - 4, 7));  // 1970-01-05 was a Monday.
    case PeriodKind::kMonth:
      return static_cast<int32_t>(start.year() * 12 + start.month() - 1);
    case PeriodKind::kQuarter:
      return static_cast<int32_t>(start.year() * 4 + (start.month() - 1) / 3);
    case PeriodKind::kYear:
      return static_cast<int32_t>(start.year());
  }
  return 0;
}

// A distribution sample of a rep, on a day.
struct Sample {
  int32_t day;
  MetricId metric;
  int64_t value;
  friend auto operator<=>(const Sample&, const Sample&) = default;
};

// A rep's figures by civil day: days[i]'s cell is bytes[ends[i-1], ends[i]), its nonzero sums as
// varint(metric − previous metric) zigzag-varint(value), by metric.
struct RepCells {
  std::vector<int32_t> days;
  std::vector<uint32_t> ends;
  std::string bytes;
  std::vector<Sample> samples;  // Sorted; a multiset.

  size_t Begin(size_t i) const { return i == 0 ? 0 : ends[i - 1]; }
  void Decode(size_t i, std::vector<Entry>& out) const {
    const char* p = bytes.data() + Begin(i);
    const char* end = bytes.data() + ends[i];
    MetricId m = 0;
    while (p < end) {
      uint64_t dm, v;
      p = GetVarint(p, &dm);
      p = GetVarint(p, &v);
      m = static_cast<MetricId>(m + dm);
      out.push_back({m, UnZigZag(v)});
    }
  }
  // Adds `deltas` (sorted by metric, each metric once) to the day's sums.
  void AddToDay(int32_t day, const std::vector<Entry>& deltas, std::vector<Entry>& scratch,
                std::vector<Entry>& merged, std::string& encoded) {
    // A replay, and live events in time order, mostly touch the rep's last day or a new one after
    // it.
    auto it = !days.empty() && day >= days.back()
                  ? (day == days.back() ? days.end() - 1 : days.end())
                  : std::lower_bound(days.begin(), days.end(), day);
    size_t i = it - days.begin();
    if (it == days.end() || *it != day) {
      uint32_t at = static_cast<uint32_t>(Begin(i));
      days.insert(it, day);
      ends.insert(ends.begin() + i, at);
    }
    scratch.clear();
    Decode(i, scratch);
    AddSparse(scratch, deltas, merged);
    encoded.clear();
    MetricId prev = 0;
    for (const auto& [m, v] : merged) {
      PutVarint(encoded, m - prev);
      PutVarint(encoded, ZigZag(v));
      prev = m;
    }
    const size_t begin = Begin(i), old_size = ends[i] - begin;
    bytes.replace(begin, old_size, encoded);
    const int64_t grow = static_cast<int64_t>(encoded.size()) - static_cast<int64_t>(old_size);
    for (size_t j = i; j < ends.size(); ++j) ends[j] = static_cast<uint32_t>(ends[j] + grow);
    if (encoded.empty()) {
      days.erase(days.begin() + i);
      ends.erase(ends.begin() + i);
    }
  }
  void AddSamples(int32_t day, MetricId m, int64_t value, int32_t count) {
    const Sample s{day, m, value};
    for (int32_t i = 0; i < count; ++i) {
      samples.insert(std::upper_bound(samples.begin(), samples.end(), s), s);
    }
    for (int32_t i = 0; i > count; --i) {
      auto it = std::lower_bound(samples.begin(), samples.end(), s);
      if (it != samples.end() && *it == s) samples.erase(it);
    }
  }
};

// A step function of time: the sum of the steps at or before t.
struct StepSum {
  absl::btree_map<Micros, int64_t> steps;
  // Queries follow the clock: `below` is the sum of the steps at or before `cursor`, so a query
  // only walks the steps between two queries.
  mutable Micros cursor = kMinTime;
  mutable int64_t below = 0;

  void Add(Micros t, int64_t delta) {
    auto [it, inserted] = steps.try_emplace(t, 0);
    if ((it->second += delta) == 0) steps.erase(it);
    if (t <= cursor) below += delta;
  }
  // REQUIRES: the caller serialises the queries (the cursor moves).
  int64_t UpTo(Micros t) const {
    if (t > cursor) {
      for (auto it = steps.upper_bound(cursor); it != steps.end() && it->first <= t; ++it) {
        below += it->second;
      }
    } else if (t < cursor) {
      for (auto it = steps.upper_bound(t); it != steps.end() && it->first <= cursor; ++it) {
        below -= it->second;
      }
    }
    cursor = t;
    return below;
  }
};

// A subject's point-in-time figures.
struct Pit {
  std::array<int64_t, 4> sums{};  // By PitSumSlot.
  std::array<StepSum, 2> steps;   // By PitStepSlot.
};

// ---- Entities
// ------------------------------------------------------------------------------------
struct ActionItem {
  Micros at;
  Micros due;  // kNoDue: schedules no follow-up.
  int64_t cost;
  uint64_t seq : 48;
  uint64_t channel : 8;
  uint64_t purpose : 8;
};
bool Before(const ActionItem& a, const ActionItem& b) {
  return a.at != b.at ? a.at < b.at : a.seq < b.seq;
}

// The (at, seq) of records sorted by (at, seq), as varints zigzag(at − previous at) and
// zigzag(seq − previous seq): the first fields of each record of an encoded chain or opportunity.
struct AtSeqWriter {
  Micros at = 0;
  int64_t seq = 0;
  void Put(std::string& out, Micros next_at, uint64_t next_seq) {
    PutVarint(out, ZigZag(next_at - at));
    PutVarint(out, ZigZag(static_cast<int64_t>(next_seq) - seq));
    at = next_at;
    seq = static_cast<int64_t>(next_seq);
  }
};

// Reads an encoded chain or opportunity back, record by record: Next() reads the (at, seq).
class AtSeqReader {
 public:
  explicit AtSeqReader(const std::string& bytes) : p_(bytes.data()), end_(p_ + bytes.size()) {}
  bool Next() {
    if (p_ == end_) return false;
    at += UnZigZag(Varint());
    seq += UnZigZag(Varint());
    return true;
  }
  uint64_t Varint() {
    uint64_t v;
    p_ = GetVarint(p_, &v);
    return v;
  }
  uint8_t Byte() { return static_cast<uint8_t>(*p_++); }

  Micros at = 0;
  int64_t seq = 0;

 private:
  const char* p_;
  const char* end_;
};

// A rep's actions with one customer, sorted by (at, seq), delta-encoded in one byte string: a chain
// is a few actions (at 10M events in kpi_bench: 1.1M chains of 5.4 actions on average, 184 MiB with
// their table against 328 MiB as vectors of 32-byte structs), and a short one fits inside the
// string itself. Per action, varints: zigzag(at − previous at),
// zigzag(seq − previous seq), then a byte channel | purpose << 3 | has_due << 6 | has_cost << 7,
// then zigzag(due − at) and zigzag(cost) when present.
static_assert(v1::Channel_MAX < 8 && v1::Purpose_MAX < 8, "an action's flags byte holds both");
// Copies `from` into `to`, growing `to` by an eighth instead of doubling it, as std::string does
// (libstdc++ still rounds a first allocation past the 15 inline bytes up to 30): at 10M events in
// kpi_bench, actions 209 -> 184 MiB, opportunities 101 -> 90.
void AssignCompact(std::string& to, const std::string& from) {
  if (from.size() > to.capacity()) {
    std::string grown;
    grown.reserve(from.size() + from.size() / 8);
    to.swap(grown);
  }
  to.assign(from);
}

void EncodeChain(const std::vector<ActionItem>& items, std::string& out) {
  out.clear();
  AtSeqWriter w;
  for (const ActionItem& a : items) {
    w.Put(out, a.at, a.seq);
    const bool due = a.due != kNoDue, cost = a.cost != 0;
    out.push_back(static_cast<char>(a.channel | a.purpose << 3 | due << 6 | cost << 7));
    if (due) PutVarint(out, ZigZag(a.due - a.at));
    if (cost) PutVarint(out, ZigZag(a.cost));
  }
}
void DecodeChain(const std::string& bytes, std::vector<ActionItem>& out) {
  out.clear();
  for (AtSeqReader r(bytes); r.Next();) {
    const uint8_t flags = r.Byte();
    ActionItem a{r.at, kNoDue, 0, static_cast<uint64_t>(r.seq), flags & 7u, (flags >> 3) & 7u};
    if (flags & 0x40) a.due = r.at + UnZigZag(r.Varint());
    if (flags & 0x80) a.cost = UnZigZag(r.Varint());
    out.push_back(a);
  }
}

enum class OppKind : uint8_t { kOpened, kStage, kClosed };
struct OppEvent {
  Micros at;
  uint64_t seq;
  int64_t expected;  // Opened.
  Id rep;
  Id stage;  // Opened: the initial stage (kNoId: the first); Stage: the new stage.
  OppKind kind;
  bool won;  // Closed.
};

// An opportunity's events, sorted by (at, seq), delta-encoded like an action chain: varints
// zigzag(at − previous at), zigzag(seq − previous seq), rep, then a byte kind | won << 2 |
// has_stage << 3 | has_expected << 4, then stage and zigzag(expected) when present.
void EncodeOpp(const std::vector<OppEvent>& events, std::string& out) {
  out.clear();
  AtSeqWriter w;
  for (const OppEvent& e : events) {
    w.Put(out, e.at, e.seq);
    PutVarint(out, e.rep);
    const bool stage = e.stage != kNoId, expected = e.expected != 0;
    out.push_back(
        static_cast<char>(static_cast<uint8_t>(e.kind) | e.won << 2 | stage << 3 | expected << 4));
    if (stage) PutVarint(out, e.stage);
    if (expected) PutVarint(out, ZigZag(e.expected));
  }
}
void DecodeOpp(const std::string& bytes, std::vector<OppEvent>& out) {
  out.clear();
  for (AtSeqReader r(bytes); r.Next();) {
    const auto rep = static_cast<Id>(r.Varint());
    const uint8_t flags = r.Byte();
    OppEvent e{r.at,
               static_cast<uint64_t>(r.seq),
               0,
               rep,
               kNoId,
               static_cast<OppKind>(flags & 3),
               (flags & 4) != 0};
    if (flags & 8) e.stage = static_cast<Id>(r.Varint());
    if (flags & 16) e.expected = UnZigZag(r.Varint());
    out.push_back(e);
  }
}

struct ContractDef {
  Micros at;
  uint64_t seq;
  Id rep;
  Id customer;
  int64_t amount = 0;
  int64_t cost = 0;
  bool has_cost = false;
  int64_t quantity = 0;
  Id opportunity = kNoId;  // The opportunity it names: a defining def wins it (KPI_SPEC §4).
  // (due, amount) by due; never empty. Inline: most contracts are paid in one installment.
  absl::InlinedVector<std::pair<Micros, int64_t>, 1> installments;
};
// A contract's defs and payments, inline in the table's slot for the usual one def (a second is a
// correction) and one or two payments.
struct Contract {
  absl::InlinedVector<ContractDef, 1> defs;  // Sorted by (at, seq); defs[0] defines the contract.
  absl::InlinedVector<Id, 2> payments;       // Sorted: payments with any def naming this contract.
};

struct PaymentDef {
  Micros at;
  uint64_t seq;
  Id contract;
  int64_t amount;
};
// A payment's defs: one, nearly always (a second is a correction of the first), so it lives
// inline in the table's slot.
using PaymentDefs = absl::InlinedVector<PaymentDef, 1>;

struct Single {  // FeedbackRecorded or ScoreRecorded.
  uint64_t seq;
  Micros at;
  Id rep;
  MetricId sum_metric, count_metric;
  int32_t value;
  bool voided;
};

// A competition's window, whose aggregates every touch inside it also adds to.
struct CompWindow {
  Id comp;
  Micros start, end;
};

template <typename V, typename T = typename V::value_type>
void InsertSorted(V& v, T item) {
  auto it = std::upper_bound(v.begin(), v.end(), item, [](const T& a, const T& b) {
    return a.at != b.at ? a.at < b.at : a.seq < b.seq;
  });
  v.insert(it, std::move(item));
}

template <typename V>
bool EraseBySeq(V& v, uint64_t seq) {
  auto it = std::find_if(v.begin(), v.end(), [&](const auto& x) { return x.seq == seq; });
  if (it == v.end()) return false;
  v.erase(it);
  return true;
}

template <typename V>
void InsertUnique(V& v, Id id) {
  auto it = std::lower_bound(v.begin(), v.end(), id);
  if (it == v.end() || *it != id) v.insert(it, id);
}

// (occurred_at, seq) of an org event.
struct Key {
  Micros at = 0;
  uint64_t seq = 0;
  friend auto operator<=>(const Key&, const Key&) = default;
};

// Strings numbered densely in order of first sight. Each name is stored once, back to back in
// blocks that never move, as an entry [id: 4 bytes][size: 4 bytes][bytes], and named by a 32-bit
// reference (block << 16 | offset). The hash set holds the references, hashed and compared by their
// names, so a lookup reaches the name it compares, and the id beside it, in one step from the set;
// by id, names_ holds the references. At 1.9M ids (kpi_bench --projector_only, 10M events):
// 64 MiB, against 74 MiB when the set held ids and names_ string_views, and 158 MiB for the map
// of std::string keys before that; a replay's lookups (interning ~3 ids per event, Prepare) took
// one cache miss less.
template <typename IdT>
class Interner {
 public:
  Interner() : refs_(0, ByName{&blocks_}, ByName{&blocks_}) {}
  Interner(const Interner&) = delete;
  Interner& operator=(const Interner&) = delete;

  IdT Intern(std::string_view s) {
    if (auto it = refs_.find(s); it != refs_.end()) return IdAt(*it);
    const auto id = static_cast<IdT>(names_.size());
    const Ref ref = Store(id, s);
    names_.push_back(ref);
    refs_.insert(ref);
    return id;
  }
  std::optional<IdT> Find(std::string_view s) const {
    auto it = refs_.find(s);
    if (it == refs_.end()) return std::nullopt;
    return IdAt(*it);
  }
  absl::string_view Name(IdT id) const {
    const std::string_view name = ByName{&blocks_}.Of(names_[id]);
    return {name.data(), name.size()};
  }
  size_t size() const { return names_.size(); }
  size_t Bytes() const {
    return refs_.capacity() * (sizeof(Ref) + 1) + names_.capacity() * sizeof(Ref) +
           blocks_.size() * sizeof(char*) + block_bytes_;
  }

 private:
  using Ref = uint32_t;
  static constexpr size_t kBlock = 64 << 10;  // A reference's offset has 16 bits.
  static constexpr size_t kHeader = 2 * sizeof(uint32_t);

  // Hashes and compares references by their names, and names as themselves.
  struct ByName {
    using is_transparent = void;
    const std::vector<std::unique_ptr<char[]>>* blocks;
    std::string_view Of(Ref ref) const {
      const char* entry = Entry(*blocks, ref);
      uint32_t size;
      std::memcpy(&size, entry + sizeof(uint32_t), sizeof(size));
      return {entry + kHeader, size};
    }
    static std::string_view Of(std::string_view s) { return s; }
    size_t operator()(Ref ref) const { return absl::Hash<std::string_view>()(Of(ref)); }
    size_t operator()(std::string_view s) const { return absl::Hash<std::string_view>()(s); }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return Of(a) == Of(b);
    }
  };

  static const char* Entry(const std::vector<std::unique_ptr<char[]>>& blocks, Ref ref) {
    return blocks[ref >> 16].get() + (ref & 0xffff);
  }
  IdT IdAt(Ref ref) const {
    uint32_t id;
    std::memcpy(&id, Entry(blocks_, ref), sizeof(id));
    return static_cast<IdT>(id);
  }

  Ref Store(IdT id, std::string_view s) {
    const size_t need = kHeader + s.size();
    const bool own_block = need > kBlock / 4;  // Long names get a block of their own.
    if (own_block || blocks_.empty() || used_ + need > kBlock) {
      // 2^16 blocks of 64 KiB: 4 GiB of names, far past what the views' memory allows.
      if (blocks_.size() == (size_t{1} << 16)) {
        std::fprintf(stderr, "salestrack: more than 4 GiB of interned names\n");
        std::abort();
      }
      const size_t bytes = own_block ? need : kBlock;
      blocks_.push_back(std::make_unique<char[]>(bytes));
      block_bytes_ += bytes;
      used_ = 0;
    }
    char* at = blocks_.back().get() + used_;
    const uint32_t id32 = static_cast<uint32_t>(id), size = static_cast<uint32_t>(s.size());
    std::memcpy(at, &id32, sizeof(id32));
    std::memcpy(at + sizeof(id32), &size, sizeof(size));
    std::copy(s.begin(), s.end(), at + kHeader);
    const Ref ref = static_cast<Ref>((blocks_.size() - 1) << 16 | used_);
    used_ = own_block ? kBlock : used_ + need;  // Nothing goes after a long name.
    return ref;
  }

  std::vector<Ref> names_;  // By id.
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_ = 0;  // Of the last block.
  size_t block_bytes_ = 0;
  absl::flat_hash_set<Ref, ByName, ByName> refs_;
};

// The opportunity an OpportunityOpened, OpportunityStageChanged or OpportunityClosed names.
const std::string& OpportunityIdOf(const v1::Event& e) {
  return e.has_opportunity_opened()          ? e.opportunity_opened().opportunity_id()
         : e.has_opportunity_stage_changed() ? e.opportunity_stage_changed().opportunity_id()
                                             : e.opportunity_closed().opportunity_id();
}

// The org, its stages, competitions and plans: applied through ChangeOrg, voided by event id.
bool IsOrgEvent(const v1::Event& e) {
  switch (e.payload_case()) {
    case v1::Event::kUnitDefined:
    case v1::Event::kRepDefined:
    case v1::Event::kStagesDefined:
    case v1::Event::kCompetitionDefined:
    case v1::Event::kTargetSet:
    case v1::Event::kSchemeDefined:
      return true;
    default:
      return false;
  }
}

uint64_t ChainKey(Id rep, Id customer) { return (static_cast<uint64_t>(rep) << 32) | customer; }

// Which aggregates an application reaches.
struct Scope {
  bool reps = true;  // The reps' own cells (their units' aggregates are reached, but see bulk_).
  // Set: only this competition's window aggregates (re-summing a window); else every calendar
  // period, the point-in-time figures and every window.
  std::optional<Id> only_window;
};

}  // namespace

class Projector::Impl {
 public:
  explicit Impl(ProjectorOptions options) : options_(options) {
    for (const char* m :
         {"actions", "action_cost", "opportunities_opened", "opportunities_won",
          "opportunities_lost", "funnel_won", "sales_cycle", "signings", "products_sold",
          "sales_amount", "contract_cost", "margin_base", "new_customers", "payments", "amount_due",
          "satisfaction_sum", "satisfaction_count", "follow_ups_due", "follow_ups_on_time"}) {
      InternMetric(m);
    }
    m_actions_ = InternMetric("actions");
    m_action_cost_ = InternMetric("action_cost");
    m_opened_ = InternMetric("opportunities_opened");
    m_won_ = InternMetric("opportunities_won");
    m_lost_ = InternMetric("opportunities_lost");
    m_funnel_won_ = InternMetric("funnel_won");
    m_sales_cycle_ = InternMetric("sales_cycle");
    m_signings_ = InternMetric("signings");
    m_products_ = InternMetric("products_sold");
    m_sales_ = InternMetric("sales_amount");
    m_contract_cost_ = InternMetric("contract_cost");
    m_margin_base_ = InternMetric("margin_base");
    m_new_customers_ = InternMetric("new_customers");
    m_payments_ = InternMetric("payments");
    m_amount_due_ = InternMetric("amount_due");
    m_satisfaction_sum_ = InternMetric("satisfaction_sum");
    m_satisfaction_count_ = InternMetric("satisfaction_count");
    m_fu_due_ = InternMetric("follow_ups_due");
    m_fu_on_time_ = InternMetric("follow_ups_on_time");
    for (int ch = 0; ch <= v1::Channel_MAX; ++ch) {
      channel_metrics_.push_back(InternMetric(
          absl::StrCat("actions_by_channel:", v1::Channel_Name(static_cast<v1::Channel>(ch)))));
    }
    for (int p = 0; p <= v1::Purpose_MAX; ++p) {
      purpose_metrics_.push_back(InternMetric(
          absl::StrCat("actions_by_purpose:", v1::Purpose_Name(static_cast<v1::Purpose>(p)))));
    }
    // A first guess of the zone's offset; DayOf corrects it with the zone's real day starts.
    offset_guess_ = static_cast<Micros>(options_.zone.At(absl::Now()).offset) * 1'000'000;
    RefreshStages();
  }

  // ---- Interning
  // --------------------------------------------------------------------------------- In a bulk
  // replay the reading thread interns the events' ids (Prepare) while this one applies them, so the
  // id table is then used under ids_mu_; a name's bytes never move once stored.
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
  // The ids an event names, interned (see EventIds); a bulk replay's reading thread calls it
  // through Prepare. The caller holds ids_mu_ when another thread may intern.
  EventIds InternIdsUnlocked(const v1::Event& e) {
    EventIds ids;
    auto intern = [&](std::string_view s) { return ids_.Intern(s); };
    switch (e.payload_case()) {
      case v1::Event::kActionLogged:
        ids.rep = intern(e.rep_id());
        ids.subject = intern(e.action_logged().customer_id());
        break;
      case v1::Event::kOpportunityOpened:
      case v1::Event::kOpportunityStageChanged:
      case v1::Event::kOpportunityClosed: {
        ids.rep = intern(e.rep_id());
        ids.subject = intern(OpportunityIdOf(e));
        const std::string* stage =
            e.has_opportunity_opened()          ? &e.opportunity_opened().initial_stage()
            : e.has_opportunity_stage_changed() ? &e.opportunity_stage_changed().stage()
                                                : nullptr;
        if (stage != nullptr) ids.other = stage->empty() ? kNoId : intern(*stage);
        break;
      }
      case v1::Event::kContractSigned: {
        const auto& c = e.contract_signed();
        ids.rep = intern(e.rep_id());
        ids.subject = intern(c.customer_id());
        ids.other = intern(c.contract_id());
        ids.won = c.opportunity_id().empty() ? kNoId : intern(c.opportunity_id());
        break;
      }
      case v1::Event::kPaymentReceived:
        ids.subject = intern(e.payment_received().contract_id());
        ids.other = intern(e.payment_received().payment_id());
        break;
      case v1::Event::kFeedbackRecorded:
      case v1::Event::kScoreRecorded:
        ids.rep = intern(e.rep_id());
        break;
      default:
        break;
    }
    return ids;
  }
  EventIds InternIds(const v1::Event& e) {
    salestrack::MutexLockMaybe lock(bulk_ ? &ids_mu_ : nullptr);
    return InternIdsUnlocked(e);
  }
  void Prepare(const v1::Event& e, EventIds* ids) {
    salestrack::MutexLock lock(&ids_mu_);
    *ids = InternIdsUnlocked(e);
  }
  MetricId InternMetric(std::string_view name) { return metrics_.Intern(name); }
  std::optional<MetricId> FindMetric(std::string_view name) const { return metrics_.Find(name); }
  absl::string_view MetricName(MetricId m) const { return metrics_.Name(m); }

  // ---- Days and periods (writer only: the caches are not guarded) -------------------------------
  Micros DayStart(int32_t d) {
    auto [it, inserted] = day_starts_.try_emplace(d, 0);
    if (inserted) {
      it->second = absl::ToUnixMicros(PeriodBegin({PeriodKind::kDay, CivilOf(d)}, options_.zone));
    }
    return it->second;
  }
  int32_t DayOf(Micros at) {
    if (at >= last_day_begin_ && at < last_day_end_) return last_day_;
    auto d = static_cast<int32_t>(FloorDiv(at + offset_guess_, kDay));
    while (at < DayStart(d)) --d;
    while (at >= DayStart(d + 1)) ++d;
    last_day_ = d;
    last_day_begin_ = DayStart(d);
    last_day_end_ = DayStart(d + 1);
    return d;
  }
  // The periods of each kind (in kAllPeriodKinds order) that contain day d.
  struct DayPeriods {
    std::array<int32_t, 5> start;    // First days.
    std::array<int32_t, 5> ordinal;  // Ordinals.
  };
  const DayPeriods& PeriodsOf(int32_t d) {
    auto [it, inserted] = day_periods_.try_emplace(d);
    if (inserted) {
      for (size_t k = 0; k < kAllPeriodKinds.size(); ++k) {
        absl::CivilDay start = PeriodContaining(kAllPeriodKinds[k], CivilOf(d)).start;
        it->second.start[k] = DayIndex(start);
        it->second.ordinal[k] = Ordinal(kAllPeriodKinds[k], start);
      }
    }
    return it->second;
  }

  // ---- The org, as the aggregates see it
  // --------------------------------------------------------- A rep's units, its own first: where
  // its figures add up.
  std::vector<SubjectId> ComputeUnits(Id rep) {
    std::vector<SubjectId> units;
    const OrgState::Rep* r = org_.FindRep(Name(rep));
    if (r == nullptr) return units;
    for (const std::string& unit : org_.UnitsAbove(r->unit))
      units.push_back(Intern(unit) | kUnitBit);
    return units;
  }
  const std::vector<SubjectId>& UnitsOf(Id rep) {
    auto [it, inserted] = rep_units_.try_emplace(rep);
    if (inserted) it->second = ComputeUnits(rep);
    return it->second;
  }

  void RefreshStages() {
    stage_ids_.clear();
    stage_index_.clear();
    reached_metrics_.clear();
    for (const Stage& s : org_.stages()) {
      Id id = Intern(s.id);
      stage_index_.emplace(id, static_cast<int>(stage_ids_.size()));
      stage_ids_.push_back(id);
      reached_metrics_.push_back(InternMetric(absl::StrCat("funnel_reached:", s.id)));
    }
  }
  int StageIndex(Id stage) const {
    auto it = stage_index_.find(stage);
    return it == stage_index_.end() ? -1 : it->second;
  }
  MetricId DurationMetric(Id stage) {
    auto [it, inserted] = duration_metrics_.try_emplace(stage, 0);
    if (inserted) it->second = InternMetric(absl::StrCat("stage_duration:", Name(stage)));
    return it->second;
  }

  // ---- Applying contributions
  // -------------------------------------------------------------------- Sorts touches and nets
  // them: a retraction and an addition of the same figure cancel, so an entity's change costs what
  // changed, not its whole contribution twice.
  static void Net(std::vector<Touch>& ts) {
    auto key = [](const Touch& t) {
      return std::make_tuple(t.rep, t.at, t.kind, t.metric,
                             t.kind == TouchKind::kHist ? t.value : 0);
    };
    std::sort(ts.begin(), ts.end(),
              [&](const Touch& a, const Touch& b) { return key(a) < key(b); });
    size_t out = 0;
    for (size_t i = 0; i < ts.size();) {
      Touch merged = ts[i];
      size_t j = i + 1;
      for (; j < ts.size() && key(ts[j]) == key(merged); ++j) {
        if (merged.kind == TouchKind::kHist) {
          merged.count += ts[j].count;
        } else {
          merged.value += ts[j].value;
        }
      }
      bool zero = merged.kind == TouchKind::kHist ? merged.count == 0 : merged.value == 0;
      if (!zero) ts[out++] = merged;
      i = j;
    }
    ts.resize(out);
  }

  AggCell& Agg(const AggKey& key) { return agg_[key]; }

  void Commit(std::vector<Touch>& ts, const Scope& scope = {}) {
    Net(ts);
    for (size_t i = 0; i < ts.size();) {
      size_t j = i;
      while (j < ts.size() && ts[j].rep == ts[i].rep) ++j;
      ApplyRep(ts.data() + i, ts.data() + j, scope);
      i = j;
    }
    ts.clear();
  }

  // Applies one rep's netted touches, sorted by instant.
  void ApplyRep(const Touch* begin, const Touch* end, const Scope& scope) {
    const Id rep = begin->rep;
    if (track_changes_) changed_reps_.insert(rep);
    const std::vector<SubjectId>& units = UnitsOf(rep);
    // The units whose calendar periods and point-in-time figures this reaches: none in a bulk
    // replay, which sums them at the end (SumUnits).
    static const std::vector<SubjectId> kNoUnits;
    const std::vector<SubjectId>& period_units = bulk_ ? kNoUnits : units;
    const bool periods = !scope.only_window.has_value();
    RepCells* cells = scope.reps && periods ? &rep_cells_[rep] : nullptr;
    day_deltas_.clear();
    int32_t cached_day = 0;
    bool have_day = false;
    agg_cells_.clear();  // The units' period aggregates of cached_day.
    pits_.clear();       // The point-in-time figures of the rep and its units, once needed.
    for (const Touch* t = begin; t != end; ++t) {
      switch (t->kind) {
        case TouchKind::kSum:
        case TouchKind::kHist: {
          const bool sum = t->kind == TouchKind::kSum;
          if (periods) {
            const int32_t day = DayOf(t->at);
            if (cells != nullptr) {
              if (sum) {
                day_deltas_.push_back({day, {t->metric, t->value}});
              } else {
                cells->AddSamples(day, t->metric, t->value, t->count);
              }
            }
            if (!period_units.empty()) {
              if (!have_day || day != cached_day) {
                agg_cells_.clear();
                const DayPeriods& periods = PeriodsOf(day);
                for (SubjectId u : period_units) {
                  UnitRows& rows = unit_rows_[u];
                  for (size_t k = 0; k < rows.size(); ++k) {
                    agg_cells_.push_back(&rows[k].At(periods.ordinal[k], periods.start[k]));
                  }
                }
                cached_day = day;
                have_day = true;
              }
              for (AggCell* c : agg_cells_) {
                sum ? c->Add(t->metric, t->value) : c->AddSamples(t->metric, t->value, t->count);
              }
            }
          }
          for (const CompWindow& w : windows_) {
            if (scope.only_window && w.comp != *scope.only_window) continue;
            if (t->at < w.start || t->at >= w.end) continue;
            auto add = [&](SubjectId s) {
              AggCell& c = Agg({s, kWindow, static_cast<int32_t>(w.comp)});
              sum ? c.Add(t->metric, t->value) : c.AddSamples(t->metric, t->value, t->count);
            };
            if (scope.reps) add(rep);
            for (SubjectId u : units) add(u);
          }
          break;
        }
        case TouchKind::kPitSum:
        case TouchKind::kPitStep: {
          if (!periods) break;
          if (pits_.empty()) {
            if (scope.reps) pits_.push_back(&pit_[rep]);
            for (SubjectId u : period_units) pits_.push_back(&pit_[u]);
          }
          for (Pit* p : pits_) {
            if (t->kind == TouchKind::kPitSum) {
              p->sums[t->metric] += t->value;
            } else {
              p->steps[t->metric].Add(t->at, t->value);
            }
          }
          break;
        }
      }
    }
    if (cells == nullptr || day_deltas_.empty()) return;
    std::sort(day_deltas_.begin(), day_deltas_.end());
    for (size_t i = 0; i < day_deltas_.size();) {
      const int32_t day = day_deltas_[i].first;
      entries_.clear();
      for (; i < day_deltas_.size() && day_deltas_[i].first == day; ++i) {
        const Entry& e = day_deltas_[i].second;
        if (!entries_.empty() && entries_.back().first == e.first) {
          entries_.back().second += e.second;
          if (entries_.back().second == 0) entries_.pop_back();
        } else {
          entries_.push_back(e);
        }
      }
      if (!entries_.empty())
        cells->AddToDay(day, entries_, decode_scratch_, merge_scratch_, encode_scratch_);
    }
  }

  // Every unit's calendar aggregates and point-in-time figures, summed afresh from its current
  // members'. Bottom up: a unit's figures are its own reps' plus its child units' (a rep's units
  // list its own unit first, then each parent), so each rep's day cells are decoded once, not once
  // per unit above it. A unit's day sums (and day histograms) are added up first, then each day
  // goes once into its 5 periods.
  void SumUnits() {
    unit_rows_.clear();
    absl::erase_if(pit_, [](const auto& kv) { return (kv.first & kUnitBit) != 0; });
    struct Sums {
      std::vector<Id> reps;  // The unit's own reps (not its child units').
      std::optional<SubjectId> parent;
      size_t height = 0;  // Its units above it.
      // Day sums by metric, and samples by (day, metric). Maps, not arrays spanning the first to
      // the last day: validation allows any day up to 9999.
      absl::flat_hash_map<int32_t, std::vector<int64_t>> days;
      absl::flat_hash_map<std::pair<int32_t, MetricId>, Histogram> samples;
      std::optional<Pit> pit;
    };
    absl::node_hash_map<SubjectId, Sums> units;  // Node map: references survive inserts.
    for (const auto& [rep, chain] : rep_units_) {
      if (chain.empty()) continue;
      units[chain[0]].reps.push_back(rep);
      for (size_t i = 0; i < chain.size(); ++i) {
        Sums& u = units[chain[i]];
        if (i + 1 < chain.size()) u.parent = chain[i + 1];
        u.height = chain.size() - 1 - i;
      }
    }
    std::vector<std::pair<size_t, SubjectId>> order;  // Deepest first: children before parents.
    for (const auto& [unit, sums] : units) order.push_back({sums.height, unit});
    std::sort(order.begin(), order.end(), std::greater<>());
    auto add_days = [](const absl::flat_hash_map<int32_t, std::vector<int64_t>>& from, auto& to) {
      for (const auto& [day, sums] : from) {
        std::vector<int64_t>& into = to[day];
        if (into.size() < sums.size()) into.resize(sums.size(), 0);
        for (size_t m = 0; m < sums.size(); ++m) into[m] += sums[m];
      }
    };
    auto add_pit = [](const Pit& from, std::optional<Pit>& to) {
      if (!to) to.emplace();
      for (size_t i = 0; i < from.sums.size(); ++i) to->sums[i] += from.sums[i];
      for (size_t i = 0; i < from.steps.size(); ++i) {
        for (const auto& [t, d] : from.steps[i].steps) to->steps[i].Add(t, d);
      }
    };
    std::vector<Entry> entries;
    for (const auto& [height, unit] : order) {
      Sums& u = units[unit];
      for (Id rep : u.reps) {
        if (auto c = rep_cells_.find(rep); c != rep_cells_.end()) {
          const RepCells& cells = c->second;
          for (size_t i = 0; i < cells.days.size(); ++i) {
            entries.clear();
            cells.Decode(i, entries);
            std::vector<int64_t>& sums = u.days[cells.days[i]];
            for (const auto& [m, v] : entries) {
              if (sums.size() <= m) sums.resize(m + 1, 0);
              sums[m] += v;
            }
          }
          for (const Sample& s : cells.samples) u.samples[{s.day, s.metric}].Add(s.value);
        }
        if (auto p = pit_.find(rep); p != pit_.end()) add_pit(p->second, u.pit);
      }
      UnitRows& rows = unit_rows_[unit];
      auto cell = [&](size_t k, int32_t day) -> AggCell& {
        const DayPeriods& periods = PeriodsOf(day);
        return rows[k].At(periods.ordinal[k], periods.start[k]);
      };
      for (const auto& [day, sums] : u.days) {
        for (size_t k = 0; k < rows.size(); ++k) {
          AggCell& c = cell(k, day);
          for (size_t m = 0; m < sums.size(); ++m) {
            if (sums[m] != 0) c.Add(static_cast<MetricId>(m), sums[m]);
          }
        }
      }
      for (const auto& [day_metric, h] : u.samples) {
        for (size_t k = 0; k < rows.size(); ++k) {
          HistFor(cell(k, day_metric.first).hists, day_metric.second)->second.Merge(h);
        }
      }
      if (u.parent) {
        Sums& parent = units[*u.parent];
        add_days(u.days, parent.days);
        for (const auto& [day_metric, h] : u.samples) parent.samples[day_metric].Merge(h);
        if (u.pit) add_pit(*u.pit, parent.pit);
      }
      if (u.pit) pit_[unit] = std::move(*u.pit);
      u = Sums();  // Its figures are in its rows and its parent's sums now.
    }
  }

  static void CommitPresence(std::vector<Presence>& ps,
                             absl::flat_hash_map<AggKey, std::pair<int32_t, int32_t>>& cells) {
    std::sort(ps.begin(), ps.end(), [](const Presence& a, const Presence& b) {
      return std::tie(a.key, a.returning) < std::tie(b.key, b.returning);
    });
    for (size_t i = 0; i < ps.size();) {
      int32_t n = 0;
      size_t j = i;
      for (; j < ps.size() && ps[j].key == ps[i].key && ps[j].returning == ps[i].returning; ++j) {
        n += ps[j].count;
      }
      if (n != 0) {
        auto it = cells.try_emplace(ps[i].key, 0, 0).first;
        it->second.first += n;
        if (ps[i].returning) it->second.second += n;
        if (it->second.first == 0 && it->second.second == 0) cells.erase(it);
      }
      i = j;
    }
    ps.clear();
  }

  // ---- Contributions
  // -----------------------------------------------------------------------------
  void ActionTouches(Id rep, const ActionItem& a, TouchList t) const {
    t.Sum(rep, a.at, m_actions_, 1);
    t.Sum(rep, a.at, m_action_cost_, a.cost);
    t.Sum(rep, a.at, channel_metrics_[a.channel], 1);
    t.Sum(rep, a.at, purpose_metrics_[a.purpose], 1);
  }

  // The follow-up action i schedules, if any: due at its time, on time if the chain's next action
  // comes within 24 h after due, open (and overdue once past due) while no action follows.
  void FollowUpTouches(Id rep, const std::vector<ActionItem>& items, size_t i, TouchList t) const {
    const ActionItem& a = items[i];
    if (a.due == kNoDue) return;
    t.Sum(rep, a.due, m_fu_due_, 1);
    if (i + 1 < items.size()) {
      if (items[i + 1].at <= a.due + kDay) t.Sum(rep, a.due, m_fu_on_time_, 1);
    } else {
      t.PitSum(rep, kOpenFollowUps, 1);
      t.PitStep(rep, a.due + 1, kOverdueFollowUps, 1);  // Overdue when due < now.
    }
  }

  // The opportunity's timeline (KPI_SPEC §4), as stage intervals and an optional close.
  struct Interval {
    Id stage;
    Micros start, end;  // end < 0: still open.
  };
  struct Timeline {
    const OppEvent* opened = nullptr;
    std::vector<Interval> intervals;
    std::optional<std::pair<bool, Micros>> close;  // (won, at)
  };
  // The WON closes that contracts naming the opportunity `opp` put on its timeline: one per
  // contract whose defining def names it, at that def's (occurred_at, seq).
  void AppendContractCloses(Id opp, std::vector<OppEvent>& closes) const {
    auto named = contracts_by_opportunity_.find(opp);
    if (named == contracts_by_opportunity_.end()) return;
    for (Id cid : named->second) {
      auto c = contracts_.find(cid);
      if (c == contracts_.end() || c->second.defs.empty()) continue;
      const ContractDef& d = c->second.defs.front();
      if (d.opportunity == opp)
        closes.push_back({d.at, d.seq, 0, d.rep, kNoId, OppKind::kClosed, true});
    }
  }

  // `events` are the opportunity's own; `contract_closes` the closes its contracts add.
  Timeline BuildTimeline(const std::vector<OppEvent>& events,
                         const std::vector<OppEvent>& contract_closes) const {
    Timeline t;
    for (const OppEvent& e : events) {
      if (e.kind == OppKind::kOpened) {
        t.opened = &e;
        break;
      }
    }
    if (t.opened == nullptr) return t;
    const Micros opened_at = t.opened->at;
    std::vector<const OppEvent*> rest;
    for (const OppEvent& e : events) {
      if (e.kind != OppKind::kOpened) rest.push_back(&e);
    }
    for (const OppEvent& e : contract_closes) rest.push_back(&e);
    auto order = [&](const OppEvent* e) {
      return std::make_pair(std::max(e->at, opened_at), e->seq);
    };
    std::stable_sort(rest.begin(), rest.end(),
                     [&](const OppEvent* a, const OppEvent* b) { return order(a) < order(b); });
    Id current = t.opened->stage == kNoId ? stage_ids_.front() : t.opened->stage;
    Micros start = opened_at;
    for (const OppEvent* e : rest) {
      Micros at = std::max(e->at, opened_at);
      if (e->kind == OppKind::kClosed) {
        t.intervals.push_back({current, start, at});
        t.close = std::make_pair(e->won, at);
        return t;
      }
      if (e->stage == current || StageIndex(e->stage) < 0) continue;
      t.intervals.push_back({current, start, at});
      current = e->stage;
      start = at;
    }
    t.intervals.push_back({current, start, -1});
    return t;
  }

  void OppTouches(Id opp, const std::vector<OppEvent>& events, TouchList t) {
    contract_closes_.clear();
    AppendContractCloses(opp, contract_closes_);
    Timeline tl = BuildTimeline(events, contract_closes_);
    if (tl.opened == nullptr) return;
    const Id rep = tl.opened->rep;
    const Micros opened_at = tl.opened->at;
    t.Sum(rep, opened_at, m_opened_, 1);
    int reached = -1;
    for (const Interval& i : tl.intervals) reached = std::max(reached, StageIndex(i.stage));
    const bool won = tl.close && tl.close->first;
    if (won) reached = static_cast<int>(stage_ids_.size()) - 1;
    for (int j = 0; j <= reached; ++j) t.Sum(rep, opened_at, reached_metrics_[j], 1);
    for (const Interval& i : tl.intervals) {
      if (i.end >= 0) t.Hist(rep, i.end, DurationMetric(i.stage), i.end - i.start);
    }
    if (tl.close) {
      t.Sum(rep, tl.close->second, won ? m_won_ : m_lost_, 1);
      if (won) {
        t.Sum(rep, opened_at, m_funnel_won_, 1);
        t.Hist(rep, tl.close->second, m_sales_cycle_, tl.close->second - opened_at);
      }
    } else {
      t.PitSum(rep, kPipeline, tl.opened->expected);
    }
  }

  static std::optional<Id> OppOwner(const std::vector<OppEvent>& events) {
    for (const OppEvent& e : events) {
      if (e.kind == OppKind::kOpened) return e.rep;
    }
    return std::nullopt;
  }

  const PaymentDef* DefiningPayment(Id payment) const {
    auto it = payments_.find(payment);
    if (it == payments_.end() || it->second.empty()) return nullptr;
    return &it->second.front();
  }

  void ContractTouches(Id id, const Contract& c, TouchList t) const {
    if (c.defs.empty()) return;
    const ContractDef& d = c.defs.front();
    t.Sum(d.rep, d.at, m_signings_, 1);
    t.Sum(d.rep, d.at, m_products_, d.quantity);
    t.Sum(d.rep, d.at, m_sales_, d.amount);
    if (d.has_cost) {
      t.Sum(d.rep, d.at, m_contract_cost_, d.cost);
      t.Sum(d.rep, d.at, m_margin_base_, d.amount);
    }
    for (const auto& [due, amount] : d.installments) t.Sum(d.rep, due, m_amount_due_, amount);
    int64_t paid = 0;
    for (Id pid : c.payments) {
      const PaymentDef* p = DefiningPayment(pid);
      if (p != nullptr && p->contract == id) {
        t.Sum(d.rep, p->at, m_payments_, p->amount);
        paid += p->amount;
      }
    }
    t.PitSum(d.rep, kContracted, d.amount);
    t.PitSum(d.rep, kPaid, paid);
    // Overdue as of now is max(0, due by now − paid): a step at each installment's due time.
    const auto& dues = d.installments;
    int64_t due = 0, before = std::max<int64_t>(0, -paid);
    t.PitStep(d.rep, kMinTime, kOverdueMoney, before);
    for (size_t i = 0; i < dues.size(); ++i) {
      due += dues[i].second;
      if (i + 1 < dues.size() && dues[i + 1].first == dues[i].first) continue;
      const int64_t now = std::max<int64_t>(0, due - paid);
      t.PitStep(d.rep, dues[i].first, kOverdueMoney, now - before);
      before = now;
    }
  }

  // The customer's first contract: its earliest defining contract def, org-wide.
  // Calls f(def) for each contract that the customer's first signing defines (the contract's
  // earliest def names the customer).
  template <typename F>
  void ForEachDefiningContract(Id customer, F f) const {
    auto it = contracts_by_customer_.find(customer);
    if (it == contracts_by_customer_.end()) return;
    for (Id cid : it->second) {
      auto c = contracts_.find(cid);
      if (c == contracts_.end() || c->second.defs.empty()) continue;
      const ContractDef& d = c->second.defs.front();
      if (d.customer == customer) f(d);
    }
  }

  const ContractDef* FirstContract(Id customer) const {
    const ContractDef* first = nullptr;
    ForEachDefiningContract(customer, [&](const ContractDef& d) {
      if (first == nullptr || std::tie(d.at, d.seq) < std::tie(first->at, first->seq)) first = &d;
    });
    return first;
  }

  // The customer's contribution: new_customers at its first contract, and one presence in every
  // aggregate (within `scope`) one of its defining contracts falls in.
  void CustomerTouches(Id customer, TouchList t, std::vector<Presence>& ps, const Scope& scope) {
    const ContractDef* first = FirstContract(customer);
    if (first == nullptr) return;
    t.Sum(first->rep, first->at, m_new_customers_, 1);
    const size_t mark = ps.size();
    ForEachDefiningContract(customer, [&](const ContractDef& d) {
      PresenceSubjects(d.rep, scope, subjects_);
      ContractAggregates(d, first->at, subjects_, scope,
                         [&](size_t, size_t, const AggKey& key, bool returning) {
                           ps.push_back({key, returning, t.sign});
                         });
    });
    // One presence per aggregate, however many of its contracts fall in it.
    std::sort(ps.begin() + mark, ps.end(),
              [](const Presence& a, const Presence& b) { return a.key < b.key; });
    ps.erase(std::unique(ps.begin() + mark, ps.end(),
                         [](const Presence& a, const Presence& b) { return a.key == b.key; }),
             ps.end());
  }

  // The subjects a contract's presence counts for: its rep (within `scope`) and the rep's units.
  using Subjects = absl::InlinedVector<SubjectId, 8>;
  void PresenceSubjects(Id rep, const Scope& scope, Subjects& out) {
    out.clear();
    if (scope.reps) out.push_back(rep);
    const std::vector<SubjectId>& units = UnitsOf(rep);
    out.insert(out.end(), units.begin(), units.end());
  }

  // Calls emit(slot, i, key, returning) for each aggregate (within `scope`) that contract d falls
  // in, for subject subjects[i] (PresenceSubjects of d's rep): slot k < 5 for its calendar period
  // of kind k (kAllPeriodKinds order), 5 + w for competition windows_[w]. `returning`: the
  // customer, whose first contract is at first_at, had signed before the aggregate's start.
  template <typename Emit>
  void ContractAggregates(const ContractDef& d, Micros first_at, const Subjects& subjects,
                          const Scope& scope, Emit emit) {
    constexpr size_t kKinds = kAllPeriodKinds.size();
    if (!scope.only_window) {
      const std::array<int32_t, kKinds> starts = PeriodsOf(DayOf(d.at)).start;
      for (size_t k = 0; k < kKinds; ++k) {
        const bool returning = first_at < DayStart(starts[k]);
        for (size_t i = 0; i < subjects.size(); ++i) {
          emit(k, i, AggKey{subjects[i], static_cast<uint8_t>(k + 1), starts[k]}, returning);
        }
      }
    }
    for (size_t w = 0; w < windows_.size(); ++w) {
      const CompWindow& win = windows_[w];
      if (scope.only_window && win.comp != *scope.only_window) continue;
      if (d.at < win.start || d.at >= win.end) continue;
      for (size_t i = 0; i < subjects.size(); ++i) {
        emit(kKinds + w, i, AggKey{subjects[i], kWindow, static_cast<int32_t>(win.comp)},
             first_at < win.start);
      }
    }
  }

  // A contract new to the projector whose customer already has an earlier first contract: the
  // customer's new_customers and returning flags hang on that first contract, which stays first,
  // so its presence changes only by the aggregates the new contract falls in and none of its other
  // contracts does. Appends those (+1) to `ps` and returns true; returns false, appending nothing,
  // for any other contract (CustomerTouches then recounts the customer's presence from scratch,
  // before and after). Same result, without sorting every aggregate of every contract twice.
  bool LaterContractPresence(Id id, const ContractDef& d, std::vector<Presence>& ps) {
    if (contracts_.contains(id)) return false;  // Defined, or paid before it came: recount.
    const ContractDef* first = FirstContract(d.customer);
    if (first == nullptr || std::tie(d.at, d.seq) < std::tie(first->at, first->seq)) return false;
    PresenceSubjects(d.rep, {}, subjects_);
    const size_t n = subjects_.size();
    constexpr size_t kKinds = kAllPeriodKinds.size();
    const std::array<int32_t, kKinds> starts = PeriodsOf(DayOf(d.at)).start;
    // covered[slot * n + i] (ContractAggregates' slots): another contract of the customer falls in
    // that aggregate of subjects_[i]. Two contracts share one when they share the subject and the
    // period, or the window.
    std::vector<bool>& covered = covered_scratch_;
    covered.assign(n * (kKinds + windows_.size()), false);
    auto in = [](const CompWindow& w, Micros at) { return at >= w.start && at < w.end; };
    ForEachDefiningContract(d.customer, [&](const ContractDef& o) {
      PresenceSubjects(o.rep, {}, other_subjects_);
      const std::array<int32_t, kKinds> other_starts = PeriodsOf(DayOf(o.at)).start;
      for (size_t i = 0; i < n; ++i) {
        if (absl::c_find(other_subjects_, subjects_[i]) == other_subjects_.end()) continue;
        for (size_t k = 0; k < kKinds; ++k) {
          if (other_starts[k] == starts[k]) covered[k * n + i] = true;
        }
        for (size_t w = 0; w < windows_.size(); ++w) {
          if (in(windows_[w], d.at) && in(windows_[w], o.at)) covered[(kKinds + w) * n + i] = true;
        }
      }
    });
    ContractAggregates(d, first->at, subjects_, {},
                       [&](size_t slot, size_t i, const AggKey& key, bool returning) {
                         if (!covered[slot * n + i]) ps.push_back({key, returning, +1});
                       });
    return true;
  }

  void SingleTouches(const Single& s, TouchList t) const {
    t.Sum(s.rep, s.at, s.sum_metric, s.value);
    t.Sum(s.rep, s.at, s.count_metric, 1);
  }

  // ---- Mutations: retract, change, re-add
  // -------------------------------------------------------- Inserting or removing action i changes
  // only its own touches and the follow-ups of actions i-1 (whose next action changes) and i: O(1)
  // touches however long the rep's history with the customer is (the chain itself is decoded and
  // re-encoded: a few actions, typically).
  void InsertAction(Id rep, Id customer, const ActionItem& item) {
    std::string& chain = chains_[ChainKey(rep, customer)];
    std::vector<ActionItem>& items = chain_scratch_;
    DecodeChain(chain, items);
    auto pos = std::upper_bound(items.begin(), items.end(), item, Before);
    const size_t i = pos - items.begin();
    TouchList before{&touches_, -1}, after{&touches_, +1};
    if (i > 0) FollowUpTouches(rep, items, i - 1, before);
    items.insert(pos, item);
    if (i > 0) FollowUpTouches(rep, items, i - 1, after);
    ActionTouches(rep, items[i], after);
    FollowUpTouches(rep, items, i, after);
    EncodeChain(items, bytes_scratch_);
    AssignCompact(chain, bytes_scratch_);
    Commit(touches_);
    if (items.size() == 1) InsertUnique(customers_by_rep_[rep], customer);
  }

  bool EraseAction(Id rep, Id customer, Micros at, uint64_t seq) {
    auto chain = chains_.find(ChainKey(rep, customer));
    if (chain == chains_.end()) return false;
    std::vector<ActionItem>& items = chain_scratch_;
    DecodeChain(chain->second, items);
    ActionItem probe{at, kNoDue, 0, seq, 0, 0};
    auto pos = std::lower_bound(items.begin(), items.end(), probe, Before);
    if (pos == items.end() || pos->at != at || pos->seq != seq) return false;
    const size_t i = pos - items.begin();
    TouchList before{&touches_, -1}, after{&touches_, +1};
    if (i > 0) FollowUpTouches(rep, items, i - 1, before);
    ActionTouches(rep, items[i], before);
    FollowUpTouches(rep, items, i, before);
    items.erase(pos);
    if (i > 0) FollowUpTouches(rep, items, i - 1, after);
    Commit(touches_);
    if (!items.empty()) {
      EncodeChain(items, bytes_scratch_);
      AssignCompact(chain->second, bytes_scratch_);
      return true;
    }
    chains_.erase(chain);
    auto it = customers_by_rep_.find(rep);
    if (it != customers_by_rep_.end()) {
      auto c = std::lower_bound(it->second.begin(), it->second.end(), customer);
      if (c != it->second.end() && *c == customer) it->second.erase(c);
      if (it->second.empty()) customers_by_rep_.erase(it);
    }
    return true;
  }

  std::vector<EntityOpening> Openings(EntityKind kind, absl::string_view name) const {
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

  template <typename Change>
  void WithOpportunity(Id id, Change change) {
    std::string& encoded = opportunities_[id];
    std::vector<OppEvent>& events = opp_scratch_;
    DecodeOpp(encoded, events);
    OppTouches(id, events, {&touches_, -1});
    change(events);
    OppTouches(id, events, {&touches_, +1});
    EncodeOpp(events, bytes_scratch_);
    AssignCompact(encoded, bytes_scratch_);
    Commit(touches_);
    if (events.empty()) opportunities_.erase(id);
  }

  // Re-derives the contracts `ids` (and, when `defs_change`, their customers and `extra_customers`)
  // around `change`. When `signing` is set, `change` adds or removes a def: the opportunities that
  // the contracts' defs and *signing name are re-derived too (a defining def wins its opportunity).
  template <typename Change>
  void WithContracts(const std::vector<Id>& ids, bool defs_change, std::vector<Id> customers,
                     Change change, std::optional<Id> signing = std::nullopt) {
    std::vector<Id>& opps = opp_ids_scratch_;
    opps.clear();
    if (signing) {
      if (*signing != kNoId) opps.push_back(*signing);
      for (Id id : ids) {
        for (const ContractDef& d : contracts_[id].defs) {
          if (d.opportunity != kNoId) opps.push_back(d.opportunity);
        }
      }
      std::sort(opps.begin(), opps.end());
      opps.erase(std::unique(opps.begin(), opps.end()), opps.end());
      std::erase_if(opps, [&](Id o) { return !opportunities_.contains(o); });
    }
    std::vector<std::vector<OppEvent>>& opp_events = opp_events_scratch_;
    if (opp_events.size() < opps.size()) opp_events.resize(opps.size());
    for (size_t i = 0; i < opps.size(); ++i) {
      DecodeOpp(opportunities_[opps[i]], opp_events[i]);
      OppTouches(opps[i], opp_events[i], {&touches_, -1});
    }
    if (defs_change) {
      for (Id id : ids) {
        for (const ContractDef& d : contracts_[id].defs) customers.push_back(d.customer);
      }
      std::sort(customers.begin(), customers.end());
      customers.erase(std::unique(customers.begin(), customers.end()), customers.end());
    } else {
      customers.clear();
    }
    for (Id id : ids) ContractTouches(id, contracts_[id], {&touches_, -1});
    for (Id cust : customers) CustomerTouches(cust, {&touches_, -1}, presence_, {});
    change();
    for (Id id : ids) ContractTouches(id, contracts_[id], {&touches_, +1});
    for (Id cust : customers) CustomerTouches(cust, {&touches_, +1}, presence_, {});
    for (size_t i = 0; i < opps.size(); ++i) OppTouches(opps[i], opp_events[i], {&touches_, +1});
    Commit(touches_);
    CommitPresence(presence_, customer_cells_);
  }

  template <typename Change>
  void ChangePayment(Id payment, std::optional<Id> new_contract, Change change) {
    std::vector<Id> contracts;
    if (new_contract) contracts.push_back(*new_contract);
    for (const PaymentDef& d : payments_[payment]) contracts.push_back(d.contract);
    std::sort(contracts.begin(), contracts.end());
    contracts.erase(std::unique(contracts.begin(), contracts.end()), contracts.end());
    WithContracts(contracts, /*defs_change=*/false, {}, [&] {
      PaymentDefs& defs = payments_[payment];
      change(defs);
      if (new_contract) InsertUnique(contracts_[*new_contract].payments, payment);
      if (defs.empty()) payments_.erase(payment);
    });
  }

  // ---- Apply
  // -------------------------------------------------------------------------------------
  void Apply(uint64_t seq, const v1::Event& e, const v1::EventRecord* void_target,
             const EventIds* prepared) {
    applied_seq_ = seq;
    totals_.AddSaturating(e);  // Every appended event counts, voided or not (log_totals.h).
    if (!pending_voids_.empty() && pending_voids_.erase(seq) > 0) return;  // Voided already.
    if (options_.index_events) {
      events_by_id_[e.event_id()] = {seq, e};
      ids_by_seq_[seq] = e.event_id();
    }
    const Micros at = ToUnixMicros(e.occurred_at());
    if (IsOrgEvent(e)) {
      ChangeOrg({at, seq}, e, +1);
      org_events_[e.event_id()] = {{at, seq}, e};
      return;
    }
    const EventIds ids = prepared != nullptr ? *prepared : InternIds(e);
    switch (e.payload_case()) {
      case v1::Event::kActionLogged: {
        const auto& a = e.action_logged();
        ActionItem item{at,
                        kNoDue,
                        a.cost(),
                        seq,
                        static_cast<uint64_t>(a.channel()),
                        static_cast<uint64_t>(a.purpose())};
        if (a.has_next_follow_up_at()) item.due = ToUnixMicros(a.next_follow_up_at());
        InsertAction(ids.rep, ids.subject, item);
        break;
      }
      case v1::Event::kOpportunityOpened: {
        const auto& o = e.opportunity_opened();
        OppEvent ev{at, seq, o.expected_amount(), ids.rep, ids.other, OppKind::kOpened, false};
        WithOpportunity(ids.subject, [&](std::vector<OppEvent>& x) { InsertSorted(x, ev); });
        break;
      }
      case v1::Event::kOpportunityStageChanged: {
        OppEvent ev{at, seq, 0, ids.rep, ids.other, OppKind::kStage, false};
        WithOpportunity(ids.subject, [&](std::vector<OppEvent>& x) { InsertSorted(x, ev); });
        break;
      }
      case v1::Event::kOpportunityClosed: {
        const auto& o = e.opportunity_closed();
        OppEvent ev{at,
                    seq,
                    0,
                    ids.rep,
                    kNoId,
                    OppKind::kClosed,
                    o.outcome() == v1::OpportunityClosed::WON};
        WithOpportunity(ids.subject, [&](std::vector<OppEvent>& x) { InsertSorted(x, ev); });
        break;
      }
      case v1::Event::kContractSigned: {
        const auto& c = e.contract_signed();
        ContractDef d{at, seq, ids.rep, ids.subject};
        d.opportunity = ids.won;
        d.amount = c.amount();
        d.has_cost = c.has_cost();
        d.cost = c.cost();
        for (const auto& line : c.lines()) d.quantity += line.quantity();
        for (const auto& i : c.installments()) {
          d.installments.push_back({ToUnixMicros(i.due_at()), i.amount()});
        }
        if (d.installments.empty()) d.installments.push_back({at, c.amount()});
        std::stable_sort(d.installments.begin(), d.installments.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        const Id id = ids.other;
        const Id customer = d.customer;
        // Usually a later contract of a known customer: its presence is added as it is, and the
        // customer's other figures stay. Else the customer's whole contribution is recounted.
        const bool later = LaterContractPresence(id, d, presence_);
        const Id won = d.opportunity;
        WithContracts(
            {id}, /*defs_change=*/!later, {customer},
            [&] {
              InsertSorted(contracts_[id].defs, std::move(d));
              InsertUnique(contracts_by_customer_[customer], id);
              if (won != kNoId) InsertUnique(contracts_by_opportunity_[won], id);
            },
            /*signing=*/won);
        break;
      }
      case v1::Event::kPaymentReceived: {
        const auto& p = e.payment_received();
        const Id contract = ids.subject;
        ChangePayment(ids.other, contract, [&](PaymentDefs& defs) {
          InsertSorted(defs, PaymentDef{at, seq, contract, p.amount()});
        });
        break;
      }
      case v1::Event::kFeedbackRecorded:
        AddSingle({seq, at, ids.rep, m_satisfaction_sum_, m_satisfaction_count_,
                   e.feedback_recorded().score(), false});
        break;
      case v1::Event::kScoreRecorded: {
        const auto& s = e.score_recorded();
        AddSingle({seq, at, ids.rep, InternMetric(absl::StrCat("score_sum:", s.metric())),
                   InternMetric(absl::StrCat("score_count:", s.metric())), s.value(), false});
        break;
      }
      case v1::Event::kEventVoided:
        Void(e.event_voided().target_event_id(), void_target);
        break;
      default:
        break;
    }
  }

  void AddSingle(const Single& s) {
    auto pos = std::upper_bound(singles_.begin(), singles_.end(), s.seq,
                                [](uint64_t seq, const Single& x) { return seq < x.seq; });
    singles_.insert(pos, s);
    SingleTouches(s, {&touches_, +1});
    Commit(touches_);
  }

  // Removes the target's contribution; a target not applied yet is skipped when it comes.
  void Void(const std::string& target_id, const v1::EventRecord* target) {
    std::optional<v1::EventRecord> indexed;
    if (target == nullptr) {
      auto it = events_by_id_.find(target_id);
      if (it == events_by_id_.end()) return;  // Not in this projector's index: nothing to undo.
      indexed.emplace();
      indexed->set_seq(it->second.first);
      *indexed->mutable_event() = it->second.second;
      target = &*indexed;
    }
    if (!Remove(target->seq(), target->event())) pending_voids_.insert(target->seq());
  }

  bool Remove(uint64_t seq, const v1::Event& e) {
    if (IsOrgEvent(e)) {
      auto org = org_events_.find(e.event_id());
      if (org == org_events_.end()) return false;
      auto [key, event] = std::move(org->second);
      org_events_.erase(org);
      ChangeOrg(key, event, -1);
      return true;
    }
    const Micros at = ToUnixMicros(e.occurred_at());
    switch (e.payload_case()) {
      case v1::Event::kActionLogged: {
        std::optional<Id> rep = Lookup(e.rep_id());
        std::optional<Id> customer = Lookup(e.action_logged().customer_id());
        return rep && customer && EraseAction(*rep, *customer, at, seq);
      }
      case v1::Event::kOpportunityOpened:
      case v1::Event::kOpportunityStageChanged:
      case v1::Event::kOpportunityClosed: {
        std::optional<Id> id = Lookup(OpportunityIdOf(e));
        if (!id || !opportunities_.contains(*id)) return false;
        bool found = false;
        WithOpportunity(*id, [&](std::vector<OppEvent>& x) { found = EraseBySeq(x, seq); });
        return found;
      }
      case v1::Event::kContractSigned: {
        std::optional<Id> id = Lookup(e.contract_signed().contract_id());
        if (!id || !contracts_.contains(*id)) return false;
        bool found = false;
        WithContracts(
            {*id}, /*defs_change=*/true, {}, [&] { found = EraseBySeq(contracts_[*id].defs, seq); },
            /*signing=*/kNoId);
        return found;
      }
      case v1::Event::kPaymentReceived: {
        std::optional<Id> id = Lookup(e.payment_received().payment_id());
        if (!id || !payments_.contains(*id)) return false;
        bool found = false;
        ChangePayment(*id, std::nullopt, [&](PaymentDefs& defs) { found = EraseBySeq(defs, seq); });
        return found;
      }
      case v1::Event::kFeedbackRecorded:
      case v1::Event::kScoreRecorded: {
        auto it = std::lower_bound(singles_.begin(), singles_.end(), seq,
                                   [](const Single& x, uint64_t s) { return x.seq < s; });
        if (it == singles_.end() || it->seq != seq || it->voided) return false;
        it->voided = true;
        SingleTouches(*it, {&touches_, -1});
        Commit(touches_);
        return true;
      }
      default:
        return false;
    }
  }

  // ---- The org, competitions and plans
  // -----------------------------------------------------------
  void ChangeOrg(Key key, const v1::Event& e, int sign) {
    changed_everything_ = true;
    if (e.has_competition_defined()) return ChangeCompetition(key, e.competition_defined(), sign);
    if (e.has_target_set() || e.has_scheme_defined()) {  // Scored at query time: nothing moves.
      sign > 0 ? plans_.Add({key.at, key.seq}, e) : plans_.Remove({key.at, key.seq}, e);
      return;
    }
    const OrderKey order{key.at, key.seq};
    {
      salestrack::MutexLock lock(&members_mu_);
      members_.clear();
      members_built_ = false;
    }
    if (e.has_stages_defined()) {  // Every opportunity's funnel and durations depend on the stages.
      ForEachOpportunity(-1);
      sign > 0 ? org_.Add(order, e) : org_.Remove(order, e);
      RefreshStages();
      ForEachOpportunity(+1);
      return;
    }
    // A rep's move takes its whole history to its new units; a unit's new parent takes its
    // members'. Only the reps already seen can have figures to move.
    std::vector<Id> candidates;
    if (e.has_rep_defined()) {
      std::optional<Id> rep = Lookup(e.rep_defined().rep_id());
      if (rep && rep_units_.contains(*rep)) candidates.push_back(*rep);
    } else {
      for (const auto& [rep, units] : rep_units_) candidates.push_back(rep);
    }
    sign > 0 ? org_.Add(order, e) : org_.Remove(order, e);
    absl::flat_hash_map<Id, std::vector<SubjectId>> moved;
    for (Id rep : candidates) {
      std::vector<SubjectId> now = ComputeUnits(rep);
      if (now != rep_units_[rep]) moved.emplace(rep, std::move(now));
    }
    if (!moved.empty()) MoveReps(moved);
  }

  // Moves the reps' figures from their cached units to `moved`'s: every contribution the reps
  // have is retracted from the old units' aggregates and added to the new ones'.
  void MoveReps(const absl::flat_hash_map<Id, std::vector<SubjectId>>& moved) {
    const Scope units_only{.reps = false};
    for (int sign : {-1, +1}) {
      if (sign > 0) {
        for (const auto& [rep, units] : moved) rep_units_[rep] = units;
      }
      ForEachContribution(
          units_only, [&](Id owner) { return moved.contains(owner); }, sign);
    }
  }

  void ForEachOpportunity(int sign) {
    std::vector<OppEvent> events;
    for (const auto& [id, encoded] : opportunities_) {
      DecodeOpp(encoded, events);
      OppTouches(id, events, {&touches_, sign});
      Commit(touches_);
    }
  }

  // Applies (with `sign`) every entity's current contribution within `scope`, for the entities
  // whose rep `owned` accepts (customers: any of whose contracts' reps it accepts).
  template <typename Owned>
  void ForEachContribution(const Scope& scope, Owned owned, int sign) {
    std::vector<ActionItem> items;
    for (const auto& [key, chain] : chains_) {
      const Id rep = static_cast<Id>(key >> 32);
      if (!owned(rep)) continue;
      DecodeChain(chain, items);
      for (size_t i = 0; i < items.size(); ++i) {
        ActionTouches(rep, items[i], {&touches_, sign});
        FollowUpTouches(rep, items, i, {&touches_, sign});
      }
      Commit(touches_, scope);
    }
    std::vector<OppEvent> events;
    for (const auto& [id, encoded] : opportunities_) {
      DecodeOpp(encoded, events);
      std::optional<Id> owner = OppOwner(events);
      if (!owner || !owned(*owner)) continue;
      OppTouches(id, events, {&touches_, sign});
      Commit(touches_, scope);
    }
    for (const auto& [id, c] : contracts_) {
      if (c.defs.empty() || !owned(c.defs.front().rep)) continue;
      ContractTouches(id, c, {&touches_, sign});
      Commit(touches_, scope);
    }
    std::vector<Id> customers;
    for (const auto& [customer, contracts] : contracts_by_customer_) {
      for (Id cid : contracts) {
        auto c = contracts_.find(cid);
        if (c != contracts_.end() && !c->second.defs.empty() && owned(c->second.defs.front().rep)) {
          customers.push_back(customer);
          break;
        }
      }
    }
    for (Id customer : customers) {
      CustomerTouches(customer, {&touches_, sign}, presence_, scope);
      Commit(touches_, scope);
      CommitPresence(presence_, customer_cells_);
    }
    for (const Single& s : singles_) {
      if (s.voided || !owned(s.rep)) continue;
      SingleTouches(s, {&touches_, sign});
    }
    Commit(touches_, scope);
  }

  // The latest definition of a competition counts; when its window changes, its aggregates are
  // summed afresh from every entity's contribution (competitions are few and rarely redefined).
  void ChangeCompetition(Key key, const v1::CompetitionDefined& c, int sign) {
    auto& history = competitions_[c.competition_id()];
    auto window = [&]() -> std::optional<std::pair<absl::Time, absl::Time>> {
      if (history.empty()) return std::nullopt;
      const Competition& latest = history.rbegin()->second;
      return std::make_pair(latest.start, latest.end);
    };
    auto before = window();
    if (sign > 0) {
      history[key] = Competition{c.competition_id(),
                                 c.name(),
                                 FromProto(c.start()),
                                 FromProto(c.end()),
                                 c.metric(),
                                 c.scheme_id(),
                                 {c.participant_rep_ids().begin(), c.participant_rep_ids().end()},
                                 {c.participant_unit_ids().begin(), c.participant_unit_ids().end()},
                                 c.mode() == v1::CompetitionDefined::TEAM};
    } else {
      history.erase(key);
    }
    auto after = window();
    if (history.empty()) competitions_.erase(c.competition_id());
    if (before == after) return;
    const Id comp = Intern(c.competition_id());
    windows_.erase(std::remove_if(windows_.begin(), windows_.end(),
                                  [&](const CompWindow& w) { return w.comp == comp; }),
                   windows_.end());
    const auto in_window = [&](const AggKey& k) {
      return k.kind == kWindow && k.index == static_cast<int32_t>(comp);
    };
    absl::erase_if(agg_, [&](const auto& kv) { return in_window(kv.first); });
    absl::erase_if(customer_cells_, [&](const auto& kv) { return in_window(kv.first); });
    if (!after) return;
    windows_.push_back({comp, absl::ToUnixMicros(after->first), absl::ToUnixMicros(after->second)});
    ForEachContribution(
        Scope{.only_window = comp}, [](Id) { return true; }, +1);
  }

  // ---- Queries
  // ----------------------------------------------------------------------------------- The reps
  // whose figures a subject's are: the rep, or a unit's members. Every unit's are listed in one
  // pass over the reps when the first query after an org change needs any (a pass per unit walked
  // every rep, and the first team queries after a change queued behind each other's).
  absl::StatusOr<std::shared_ptr<const std::vector<std::string>>> Members(const Subject& s) const {
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

  void BuildMembers() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(members_mu_) {
    if (members_built_) return;
    for (auto& [unit, reps] : org_.RepsUnderEachUnit()) {
      members_[unit] = std::make_shared<const std::vector<std::string>>(std::move(reps));
    }
    members_built_ = true;
  }

  void WarmUp(Micros now) const {
    {
      salestrack::MutexLock lock(&members_mu_);
      BuildMembers();
    }
    salestrack::MutexLock lock(&cursor_mu_);
    for (const auto& [subject, p] : pit_) {
      for (const StepSum& steps : p.steps) steps.UpTo(now);
    }
  }

  // A subject's figures in one period or window.
  struct Figures {
    std::vector<int64_t> sums;  // By MetricId.
    Hists hists;
    int64_t customers = 0, returning = 0;
  };

  // NOT_FOUND for an undefined unit.
  absl::StatusOr<std::optional<SubjectId>> FindSubject(const Subject& s) const {
    if (s.is_unit && org_.FindUnit(s.id) == nullptr) {
      return absl::NotFoundError(absl::StrCat("unit \"", s.id, "\" is not defined"));
    }
    std::optional<Id> id = Lookup(s.id);
    if (!id) return std::optional<SubjectId>();
    return std::optional<SubjectId>(s.is_unit ? (*id | kUnitBit) : *id);
  }

  void AddCustomers(const AggKey& key, Figures& f) const {
    if (auto it = customer_cells_.find(key); it != customer_cells_.end()) {
      f.customers = it->second.first;
      f.returning = it->second.second;
    }
  }

  void AddAgg(const AggKey& key, Figures& f) const {
    if (auto it = agg_.find(key); it != agg_.end()) {
      f.sums = it->second.sums;
      f.hists = it->second.hists;
    }
    AddCustomers(key, f);
  }

  Figures PeriodFigures(std::optional<SubjectId> subject, const Period& period) const {
    Figures f;
    if (!subject) return f;
    const int32_t first = DayIndex(period.start);
    const AggKey key{*subject, static_cast<uint8_t>(period.kind), first};
    if (*subject & kUnitBit) {
      AddCustomers(key, f);
      auto rows = unit_rows_.find(*subject);
      if (rows == unit_rows_.end()) return f;
      const size_t k = static_cast<size_t>(period.kind) - 1;
      if (const AggCell* c = rows->second[k].Find(Ordinal(period.kind, period.start))) {
        f.sums = c->sums;
        f.hists = c->hists;
      }
      return f;
    }
    AddCustomers(key, f);
    auto it = rep_cells_.find(*subject);
    if (it == rep_cells_.end()) return f;
    const RepCells& cells = it->second;
    const int32_t last = DayIndex(NextPeriod(period).start) - 1;
    f.sums.assign(metrics_.size(), 0);
    std::vector<Entry> entries;
    for (size_t i =
             std::lower_bound(cells.days.begin(), cells.days.end(), first) - cells.days.begin();
         i < cells.days.size() && cells.days[i] <= last; ++i) {
      entries.clear();
      cells.Decode(i, entries);
      for (const auto& [m, v] : entries) f.sums[m] += v;
    }
    for (auto s = std::lower_bound(cells.samples.begin(), cells.samples.end(),
                                   Sample{first, 0, kMinTime});
         s != cells.samples.end() && s->day <= last; ++s) {
      HistFor(f.hists, s->metric)->second.Add(s->value);
    }
    return f;
  }

  int64_t SumOf(const Figures& f, std::string_view metric) const {
    std::optional<MetricId> id = FindMetric(metric);
    return id && *id < f.sums.size() ? f.sums[*id] : 0;
  }
  Histogram HistOf(const Figures& f, std::string_view metric) const {
    std::optional<MetricId> id = FindMetric(metric);
    if (!id) return Histogram();
    for (const auto& [m, h] : f.hists) {
      if (m == *id) return h;
    }
    return Histogram();
  }

  // Both parts are sub-sums of log-wide totals (log_totals.h), so the difference fits.
  int64_t GrossProfit(const Figures& f) const {
    return SumOf(f, "margin_base") - SumOf(f, "contract_cost");
  }

  static MetricValue Count(int64_t v) { return {MetricValue::Kind::kCount, v}; }
  static MetricValue Money(int64_t v) { return {MetricValue::Kind::kMoney, v}; }
  static MetricValue Ratio(int64_t num, int64_t den,
                           MetricValue::Kind kind = MetricValue::Kind::kRatio) {
    MetricValue m{kind};
    if (den != 0) m.real = static_cast<double>(num) / static_cast<double>(den);
    return m;
  }
  static MetricValue Distribution(const Histogram& h) {
    MetricValue m{MetricValue::Kind::kDistribution};
    m.count = h.count();
    m.mean_seconds = h.Mean() / 1e6;
    m.p50_seconds = h.Quantile(0.5) / 1e6;
    m.p90_seconds = h.Quantile(0.9) / 1e6;
    return m;
  }

  // One per-period metric. REQUIRES: IsPerPeriodMetric(name).
  MetricValue MetricOf(const Figures& f, const std::string& name) const {
    using K = MetricValue::Kind;
    if (name == "win_rate") {
      int64_t won = SumOf(f, "opportunities_won");
      return Ratio(won, won + SumOf(f, "opportunities_lost"));
    }
    if (name == "gross_profit") return Money(GrossProfit(f));
    if (name == "gross_margin") return Ratio(GrossProfit(f), SumOf(f, "margin_base"));
    if (name == "customers_signed") return Count(f.customers);
    if (name == "returning_customers") return Count(f.returning);
    if (name == "repeat_purchase_rate") return Ratio(f.returning, f.customers);
    if (name == "avg_deal_size") return Ratio(SumOf(f, "sales_amount"), f.customers, K::kMean);
    if (name == "collection_rate") return Ratio(SumOf(f, "payments"), SumOf(f, "amount_due"));
    if (name == "satisfaction") {
      return Ratio(SumOf(f, "satisfaction_sum"), SumOf(f, "satisfaction_count"), K::kMean);
    }
    if (name == "follow_up_rate") {
      return Ratio(SumOf(f, "follow_ups_on_time"), SumOf(f, "follow_ups_due"));
    }
    if (name == "sales_cycle" || absl::StartsWith(name, "stage_duration:")) {
      return Distribution(HistOf(f, name));
    }
    if (absl::StartsWith(name, "score:")) {
      std::string score = name.substr(6);
      return Ratio(SumOf(f, absl::StrCat("score_sum:", score)),
                   SumOf(f, absl::StrCat("score_count:", score)), K::kMean);
    }
    if (name == "action_cost" || name == "sales_amount" || name == "payments" ||
        name == "amount_due") {
      return Money(SumOf(f, name));
    }
    return Count(SumOf(f, name));
  }

  absl::StatusOr<KpiReport> Kpis(const Subject& subject, const Period& period,
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
      names.push_back(
          absl::StrCat("actions_by_channel:", v1::Channel_Name(static_cast<v1::Channel>(ch))));
    }
    for (int p = v1::Purpose_MIN + 1; p <= v1::Purpose_MAX; ++p) {
      names.push_back(
          absl::StrCat("actions_by_purpose:", v1::Purpose_Name(static_cast<v1::Purpose>(p))));
    }
    for (const Stage& s : org_.stages()) {
      names.push_back(absl::StrCat("funnel_reached:", s.id));
      names.push_back(absl::StrCat("stage_duration:", s.id));
    }
    for (size_t m = 0; m < f.sums.size(); ++m) {
      const absl::string_view name = MetricName(m);
      if (f.sums[m] != 0 && absl::StartsWith(name, "score_count:")) {
        names.push_back(absl::StrCat("score:", name.substr(12)));
      }
    }
    for (const std::string& name : names) r.metrics[name] = MetricOf(f, name);
    PointInTime(id, absl::ToUnixMicros(now), r.point_in_time);
    return r;
  }

  absl::StatusOr<MetricValue> Metric(const Subject& subject, const Period& period,
                                     const std::string& metric) const {
    if (!IsPerPeriodMetric(metric)) return NotPerPeriod(metric);
    ASSIGN_OR_RETURN(std::optional<SubjectId> id, FindSubject(subject));
    return MetricOf(PeriodFigures(id, period), metric);
  }

  absl::StatusOr<MetricValue> CompetitionMetric(const std::string& competition_id,
                                                const Subject& subject,
                                                const std::string& metric) const {
    if (!IsPerPeriodMetric(metric)) return NotPerPeriod(metric);
    const Competition* competition = FindCompetition(competition_id);
    std::optional<Id> comp = Lookup(competition_id);
    if (competition == nullptr || !comp) {
      return absl::NotFoundError(
          absl::StrCat("competition \"", competition_id, "\" is not defined"));
    }
    ASSIGN_OR_RETURN(std::optional<SubjectId> id, FindSubject(subject));
    Figures f;
    if (id) AddAgg({*id, kWindow, static_cast<int32_t>(*comp)}, f);
    return MetricOf(f, metric);
  }

  static absl::Status NotPerPeriod(const std::string& metric) {
    if (IsKnownMetricName(metric)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "metric \"", metric, "\" is not a per-period metric (point-in-time figures and scheme ",
          "results are not summed over periods)"));
    }
    return absl::InvalidArgumentError(absl::StrCat("unknown metric \"", metric, "\""));
  }

  const Competition* FindCompetition(const std::string& id) const {
    auto it = competitions_.find(id);
    if (it == competitions_.end() || it->second.empty()) return nullptr;
    return &it->second.rbegin()->second;
  }

  std::vector<std::string> TakeChanged(bool* everything) {
    *everything = changed_everything_;
    changed_everything_ = false;
    std::vector<std::string> reps;
    reps.reserve(changed_reps_.size());
    for (Id rep : changed_reps_) reps.emplace_back(Name(rep));
    changed_reps_.clear();
    return reps;
  }

  void PointInTime(std::optional<SubjectId> subject, Micros now,
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
    out["outstanding"] = Money(outstanding);
    out["overdue"] = Money(overdue);
    out["overdue_ratio"] = Ratio(overdue, outstanding);
    out["open_pipeline"] = Money(pipeline);
    out["open_follow_ups"] = Count(open_fu);
    out["overdue_follow_ups"] = Count(overdue_fu);
  }

  absl::StatusOr<FunnelReport> Funnel(const Subject& subject, const Period& period) const {
    ASSIGN_OR_RETURN(std::optional<SubjectId> id, FindSubject(subject));
    Figures f = PeriodFigures(id, period);
    FunnelReport r;
    r.seq = applied_seq_;
    r.period = period;
    r.opened = SumOf(f, "opportunities_opened");
    r.won = SumOf(f, "funnel_won");
    for (const Stage& s : org_.stages()) {
      r.stages.push_back({s.id, s.name, SumOf(f, absl::StrCat("funnel_reached:", s.id))});
    }
    for (size_t i = 0; i < r.stages.size(); ++i) {
      int64_t next = i + 1 < r.stages.size() ? r.stages[i + 1].reached : r.won;
      if (r.stages[i].reached != 0) {
        r.stages[i].conversion =
            static_cast<double>(next) / static_cast<double>(r.stages[i].reached);
      }
    }
    return r;
  }

  absl::StatusOr<std::vector<FollowUp>> FollowUps(const Subject& subject, absl::Time from,
                                                  absl::Time to, FollowUpState state,
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
          bool keep = state == FollowUpState::kAny ||
                      (state == FollowUpState::kOpen && !f.done_at) ||
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

  std::string SubjectName(SubjectId s) const {
    return s & kUnitBit ? absl::StrCat("unit:", Name(s & ~kUnitBit)) : std::string(Name(s));
  }
  std::string AggName(const AggKey& k) const {
    if (k.kind == kWindow)
      return absl::StrCat(SubjectName(k.subject), " COMPETITION ", Name(k.index));
    return absl::StrCat(SubjectName(k.subject), " ",
                        PeriodName({static_cast<PeriodKind>(k.kind), CivilOf(k.index)}));
  }

  std::vector<std::string> DumpCells() const {
    std::vector<std::string> lines;
    auto hist_line = [&](const std::string& prefix, MetricId m, const Histogram& h) {
      lines.push_back(absl::StrCat(prefix, MetricName(m), " = n ", h.count(), " sum ",
                                   static_cast<double>(h.sum()), " p50 ", h.Quantile(0.5), " p90 ",
                                   h.Quantile(0.9)));
    };
    std::vector<Entry> entries;
    for (const auto& [rep, cells] : rep_cells_) {
      for (size_t i = 0; i < cells.days.size(); ++i) {
        const std::string prefix = absl::StrCat(
            Name(rep), " ", PeriodName({PeriodKind::kDay, CivilOf(cells.days[i])}), " ");
        entries.clear();
        cells.Decode(i, entries);
        for (const auto& [m, v] : entries)
          lines.push_back(absl::StrCat(prefix, MetricName(m), " = ", v));
      }
      for (const Sample& s : cells.samples) {
        lines.push_back(absl::StrCat(Name(rep), " ", PeriodName({PeriodKind::kDay, CivilOf(s.day)}),
                                     " ", MetricName(s.metric), " sample ", s.value));
      }
    }
    auto dump_agg = [&](const AggKey& key, const AggCell& cell) {
      const std::string prefix = AggName(key) + " ";
      for (size_t m = 0; m < cell.sums.size(); ++m) {
        if (cell.sums[m] != 0)
          lines.push_back(absl::StrCat(prefix, MetricName(m), " = ", cell.sums[m]));
      }
      for (const auto& [m, h] : cell.hists) hist_line(prefix, m, h);
    };
    for (const auto& [key, cell] : agg_) dump_agg(key, cell);
    for (const auto& [unit_id, rows] : unit_rows_) {
      const SubjectId unit = unit_id;  // A lambda cannot capture a structured binding (C++20).
      for (size_t k = 0; k < rows.size(); ++k) {
        rows[k].ForEach([&](const AggCell& cell) {
          dump_agg({unit, static_cast<uint8_t>(k + 1), cell.start}, cell);
        });
      }
    }
    for (const auto& [key, n] : customer_cells_) {
      lines.push_back(absl::StrCat(AggName(key), " customers ", n.first, " returning ", n.second));
    }
    static constexpr const char* kPitSums[] = {"contracted", "paid", "open_pipeline",
                                               "open_follow_ups"};
    static constexpr const char* kPitSteps[] = {"overdue", "overdue_follow_ups"};
    for (const auto& [subject, p] : pit_) {
      const std::string prefix = SubjectName(subject) + " NOW ";
      for (size_t i = 0; i < p.sums.size(); ++i) {
        if (p.sums[i] != 0) lines.push_back(absl::StrCat(prefix, kPitSums[i], " = ", p.sums[i]));
      }
      for (size_t i = 0; i < p.steps.size(); ++i) {
        for (const auto& [t, d] : p.steps[i].steps) {
          lines.push_back(absl::StrCat(prefix, kPitSteps[i], " step at ", t, " = ", d));
        }
      }
    }
    for (std::string& line : plans_.Dump()) lines.push_back(std::move(line));
    std::sort(lines.begin(), lines.end());
    return lines;
  }

  // ---- Memory
  // ------------------------------------------------------------------------------------ Bytes held
  // by each structure, estimated from capacities (allocator overhead counted as 16 B per heap
  // block): where the RSS goes, for the benchmark and operators.
  std::vector<std::pair<std::string, size_t>> Memory() const {
    constexpr size_t kBlock = 16;
    auto vec = [](const auto& v) -> size_t {
      return v.capacity() == 0 ? 0 : v.capacity() * sizeof(v[0]) + kBlock;
    };
    auto inlined = [](const auto& v, size_t n) -> size_t {  // An absl::InlinedVector<T, n>.
      return v.capacity() > n ? v.capacity() * sizeof(v[0]) + kBlock : 0;
    };
    auto str = [](const std::string& s) -> size_t {
      return s.capacity() > 15 ? s.capacity() + 1 + kBlock : 0;
    };
    auto table = [](const auto& m) -> size_t {
      using V = typename std::decay_t<decltype(m)>::value_type;
      return m.capacity() == 0 ? 0 : m.capacity() * (sizeof(V) + 1) + kBlock;
    };
    std::vector<std::pair<std::string, size_t>> out;
    size_t n = table(chains_);
    for (const auto& [k, v] : chains_) n += str(v);
    out.push_back({absl::StrCat("actions (", chains_.size(), " chains)"), n});
    n = table(customers_by_rep_);
    for (const auto& [k, v] : customers_by_rep_) n += vec(v);
    out.push_back({"customers_by_rep", n});
    n = table(opportunities_);
    for (const auto& [k, v] : opportunities_) n += str(v);
    out.push_back({absl::StrCat("opportunities (", opportunities_.size(), ")"), n});
    n = table(contracts_);
    for (const auto& [k, c] : contracts_) {
      n += inlined(c.defs, 1) + inlined(c.payments, 2);
      for (const ContractDef& d : c.defs) n += inlined(d.installments, 1);
    }
    out.push_back({absl::StrCat("contracts (", contracts_.size(), ")"), n});
    n = table(contracts_by_customer_);
    for (const auto& [k, v] : contracts_by_customer_) n += vec(v);
    n += table(contracts_by_opportunity_);
    out.push_back({"contracts_by_customer and _by_opportunity", n});
    n = table(payments_);
    for (const auto& [k, v] : payments_) n += inlined(v, 1);
    out.push_back({absl::StrCat("payments (", payments_.size(), ")"), n});
    out.push_back({"singles", vec(singles_)});
    out.push_back({absl::StrCat("interned ids (", ids_.size(), ")"), ids_.Bytes()});
    n = table(rep_cells_);
    size_t samples = 0;
    for (const auto& [k, c] : rep_cells_) {
      n += vec(c.days) + vec(c.ends) + str(c.bytes);
      samples += vec(c.samples);
    }
    out.push_back({"rep day cells", n});
    out.push_back({"rep samples", samples});
    n = table(unit_rows_);
    for (const auto& [k, rows] : unit_rows_) {
      for (const PeriodRow& row : rows) {
        n += vec(row.cells) + table(row.far);
        row.ForEach([&](const AggCell& c) {
          n += sizeof(AggCell) + kBlock + vec(c.sums) + vec(c.hists);
          for (const auto& [m, h] : c.hists) n += h.Bytes();
        });
      }
    }
    out.push_back({"unit rows", n});
    out.push_back({"customer cells", table(customer_cells_)});
    n = table(pit_);
    for (const auto& [k, p] : pit_) {
      n += sizeof(Pit) + kBlock;
      for (const StepSum& s : p.steps) n += s.steps.size() * 24;  // btree nodes: ~1.5 x 16 B
    }
    out.push_back({"point in time", n});
    out.push_back({"rep_units", table(rep_units_)});
    out.push_back({"pending voids", table(pending_voids_)});
    n = table(events_by_id_) + table(ids_by_seq_);
    for (const auto& [k, v] : events_by_id_) n += str(k) + v.second.SpaceUsedLong();
    for (const auto& [k, v] : ids_by_seq_) n += str(v);
    out.push_back({"event index (index_events)", n});
    return out;
  }

  ProjectorOptions options_;
  uint64_t applied_seq_ = 0;
  LogTotals totals_;
  OrgState org_;
  PlanState plans_;  // Targets and schemes (KPI_SPEC §6).

  Interner<Id> ids_;
  mutable salestrack::Mutex ids_mu_;  // Guards ids_ in a bulk replay (see Intern).
  Interner<MetricId> metrics_;

  // Figures.
  absl::flat_hash_map<Id, RepCells> rep_cells_;
  absl::node_hash_map<AggKey, AggCell> agg_;  // Competition windows' aggregates.
  absl::flat_hash_map<AggKey, std::pair<int32_t, int32_t>> customer_cells_;  // (signed, returning)
  absl::node_hash_map<SubjectId, Pit> pit_;  // Node map: ApplyRep holds pointers across inserts.
  absl::flat_hash_map<SubjectId, UnitRows> unit_rows_;  // A unit's aggregates by period.
  mutable salestrack::Mutex cursor_mu_;                 // Serialises queries' StepSum::UpTo.
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
  absl::flat_hash_map<std::string, std::pair<Key, v1::Event>> org_events_;
  absl::flat_hash_map<std::string, std::map<Key, Competition>> competitions_;
  std::vector<CompWindow> windows_;              // The effective competitions' windows.
  absl::flat_hash_set<uint64_t> pending_voids_;  // Seqs voided before they were applied.
  // index_events only.
  absl::flat_hash_map<std::string, std::pair<uint64_t, v1::Event>> events_by_id_;
  absl::flat_hash_map<uint64_t, std::string> ids_by_seq_;

  // The org as the aggregates see it.
  absl::flat_hash_map<Id, std::vector<SubjectId>> rep_units_;  // The reps seen so far.
  std::vector<Id> stage_ids_;
  absl::flat_hash_map<Id, int> stage_index_;
  std::vector<MetricId> reached_metrics_;  // funnel_reached:<stage>, by stage index.
  absl::flat_hash_map<Id, MetricId> duration_metrics_;

  // Writer caches and scratch space.
  Micros offset_guess_ = 0;
  absl::flat_hash_map<int32_t, Micros> day_starts_;
  absl::flat_hash_map<int32_t, DayPeriods> day_periods_;
  int32_t last_day_ = 0;
  Micros last_day_begin_ = 0, last_day_end_ = 0;
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

  MetricId m_actions_, m_action_cost_, m_opened_, m_won_, m_lost_, m_funnel_won_, m_sales_cycle_,
      m_signings_, m_products_, m_sales_, m_contract_cost_, m_margin_base_, m_new_customers_,
      m_payments_, m_amount_due_, m_satisfaction_sum_, m_satisfaction_count_, m_fu_due_,
      m_fu_on_time_;
  std::vector<MetricId> channel_metrics_, purpose_metrics_;  // By enum value.
};

Projector::Projector(ProjectorOptions options) : impl_(std::make_unique<Impl>(options)) {}
Projector::~Projector() = default;
void Projector::Apply(uint64_t seq, const v1::Event& event, const v1::EventRecord* void_target,
                      const EventIds* ids) {
  impl_->Apply(seq, event, void_target, ids);
}
void Projector::Prepare(const v1::Event& event, EventIds* ids) { impl_->Prepare(event, ids); }
uint64_t Projector::applied_seq() const { return impl_->applied_seq_; }
const LogTotals& Projector::totals() const { return impl_->totals_; }
const OrgState& Projector::org() const { return impl_->org_; }
const PlanState& Projector::plans() const { return impl_->plans_; }
const ProjectorOptions& Projector::options() const { return impl_->options_; }
absl::StatusOr<KpiReport> Projector::Kpis(const Subject& s, const Period& p, absl::Time now) const {
  return impl_->Kpis(s, p, now);
}
absl::StatusOr<FunnelReport> Projector::Funnel(const Subject& s, const Period& p) const {
  return impl_->Funnel(s, p);
}
absl::StatusOr<std::vector<FollowUp>> Projector::FollowUps(const Subject& s, absl::Time from,
                                                           absl::Time to, FollowUpState state,
                                                           absl::Time now, size_t limit,
                                                           size_t* total) const {
  return impl_->FollowUps(s, from, to, state, now, limit, total);
}
void Projector::WarmUp(absl::Time now) const { impl_->WarmUp(absl::ToUnixMicros(now)); }
std::vector<std::string> Projector::DumpCells() const { return impl_->DumpCells(); }
std::vector<std::pair<std::string, size_t>> Projector::Memory() const { return impl_->Memory(); }
absl::StatusOr<MetricValue> Projector::Metric(const Subject& s, const Period& p,
                                              const std::string& metric) const {
  return impl_->Metric(s, p, metric);
}
absl::StatusOr<MetricValue> Projector::CompetitionMetric(const std::string& competition_id,
                                                         const Subject& s,
                                                         const std::string& metric) const {
  return impl_->CompetitionMetric(competition_id, s, metric);
}
const Competition* Projector::FindCompetition(const std::string& id) const {
  return impl_->FindCompetition(id);
}
std::vector<EntityOpening> Projector::Openings(EntityKind kind, absl::string_view id) const {
  return impl_->Openings(kind, id);
}
void Projector::TrackChanges() { impl_->track_changes_ = true; }
void Projector::BeginBulkReplay() { impl_->bulk_ = true; }
void Projector::EndBulkReplay() {
  if (!impl_->bulk_) return;
  impl_->bulk_ = false;
  impl_->SumUnits();
}
std::vector<std::string> Projector::TakeChanged(bool* everything) {
  return impl_->TakeChanged(everything);
}

}  // namespace salestrack
