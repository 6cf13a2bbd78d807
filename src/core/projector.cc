// The projector's entities, their contributions, and the cells they add up in. The design and the
// table of entities is in docs/projections.md.
#include "salestrack/projector.h"

#include <algorithm>
#include <array>
#include <functional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "salestrack/histogram.h"
#include "salestrack/metric_names.h"
#include "salestrack/status_macros.h"
#include "salestrack/proto_time.h"

namespace salestrack {
namespace {

using Micros = int64_t;
using Id = uint32_t;  // Interned string.

struct Key {
  Micros at = 0;
  uint64_t seq = 0;
  friend auto operator<=>(const Key&, const Key&) = default;
};

Micros ToMicros(const google::protobuf::Timestamp& ts) { return ToUnixMicros(ts); }

constexpr Micros kDay = 86'400'000'000;

enum class TouchKind : uint8_t { kSum, kHist, kCustomer };

// One unit of an entity's contribution: add `value` to `metric` of `rep`'s cells at instant `at`
// (kSum), add a sample (kHist), or count one contract with customer `metric` (kCustomer).
struct Touch {
  Id rep;
  Micros at;
  TouchKind kind;
  Id metric;
  int64_t value;
};

struct Cell {
  absl::flat_hash_map<Id, int64_t> sums;
  absl::flat_hash_map<Id, Histogram> hists;
  absl::flat_hash_map<Id, int64_t> customers;  // Contracts per customer.
  bool empty() const { return sums.empty() && hists.empty() && customers.empty(); }
};

struct CellKey {
  Id rep;
  Period period;
  friend bool operator==(const CellKey&, const CellKey&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const CellKey& k) {
    return H::combine(std::move(h), k.rep, k.period);
  }
};

// ---- Entities ----------------------------------------------------------------------------------

struct ActionItem {
  Key key;
  std::string event_id;
  int64_t cost = 0;
  int channel = 0;
  int purpose = 0;
  std::optional<Micros> due;
};
// A rep's actions with one customer: actions and the follow-ups they schedule and complete.
struct Chain {
  Id rep;
  Id customer;
  std::vector<ActionItem> items;  // Sorted by key.
};

enum class OppKind { kOpened, kStage, kClosed };
struct OppEvent {
  Key key;
  std::string event_id;
  Id rep;
  OppKind kind;
  std::string stage;        // Opened: initial stage (may be empty); Stage: the new stage.
  int64_t expected = 0;     // Opened.
  bool won = false;         // Closed.
};
struct Opportunity {
  std::vector<OppEvent> events;  // Sorted by key.
};

struct ContractDef {
  Key key;
  std::string event_id;
  Id rep;
  Id customer;
  int64_t amount = 0;
  std::optional<int64_t> cost;
  int64_t quantity = 0;
  std::vector<std::pair<Micros, int64_t>> installments;  // (due, amount); never empty.
};
struct Contract {
  std::vector<ContractDef> defs;            // Sorted by key; defs[0] defines the contract.
  absl::flat_hash_set<std::string> payments;  // Payment ids with any def naming this contract.
};

struct PaymentDef {
  Key key;
  std::string event_id;
  std::string contract;
  int64_t amount = 0;
};

struct Single {  // FeedbackRecorded or ScoreRecorded: its own entity.
  Id rep;
  Micros at;
  Id sum_metric;
  Id count_metric;
  int64_t value;
};

// A competition's window, whose cells every touch inside it also adds to.
struct CompWindow {
  Id comp;
  Micros start, end;
};

// Where a voidable event lives.
enum class Home { kOrg, kChain, kOpportunity, kContract, kPayment, kSingle, kNone };
struct Locator {
  Home home = Home::kNone;
  std::string entity;  // Opportunity/contract/payment id.
  Id rep = 0, customer = 0;
};

template <typename T>
void InsertSorted(std::vector<T>& v, T item) {
  auto it = std::upper_bound(v.begin(), v.end(), item,
                             [](const T& a, const T& b) { return a.key < b.key; });
  v.insert(it, std::move(item));
}

template <typename T>
bool EraseByEventId(std::vector<T>& v, const std::string& event_id) {
  auto it = std::find_if(v.begin(), v.end(), [&](const T& x) { return x.event_id == event_id; });
  if (it == v.end()) return false;
  v.erase(it);
  return true;
}

}  // namespace

class Projector::Impl {
 public:
  explicit Impl(ProjectorOptions options) : options_(options) {
    for (const char* m : {"actions", "action_cost", "opportunities_opened", "opportunities_won",
                          "opportunities_lost", "funnel_won", "sales_cycle", "signings",
                          "products_sold", "sales_amount", "gross_profit", "margin_base",
                          "new_customers", "payments", "amount_due", "satisfaction_sum",
                          "satisfaction_count", "follow_ups_due", "follow_ups_on_time"}) {
      Intern(m);
    }
    // The per-action metrics are interned once: actions are most of the log.
    actions_id_ = Intern("actions");
    action_cost_id_ = Intern("action_cost");
    follow_ups_due_id_ = Intern("follow_ups_due");
    follow_ups_on_time_id_ = Intern("follow_ups_on_time");
    for (int ch = 0; ch <= v1::Channel_MAX; ++ch) {
      channel_ids_.push_back(
          Intern(absl::StrCat("actions_by_channel:", v1::Channel_Name(static_cast<v1::Channel>(ch)))));
    }
    for (int p = 0; p <= v1::Purpose_MAX; ++p) {
      purpose_ids_.push_back(
          Intern(absl::StrCat("actions_by_purpose:", v1::Purpose_Name(static_cast<v1::Purpose>(p)))));
    }
  }

  // ---- Interning -------------------------------------------------------------------------------
  Id Intern(const std::string& s) {
    auto [it, inserted] = ids_.try_emplace(s, static_cast<Id>(names_.size()));
    if (inserted) names_.push_back(s);
    return it->second;
  }
  std::optional<Id> Lookup(const std::string& s) const {
    auto it = ids_.find(s);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  const std::string& Name(Id id) const { return names_[id]; }

  // ---- Cells -----------------------------------------------------------------------------------
  // Adds one touch to one cell; true when that leaves the cell empty.
  static bool AddTo(Cell& cell, const Touch& t, int sign) {
    switch (t.kind) {
      case TouchKind::kSum: {
        int64_t& v = cell.sums[t.metric];
        v += sign * t.value;
        if (v == 0) cell.sums.erase(t.metric);
        break;
      }
      case TouchKind::kHist: {
        Histogram& h = cell.hists[t.metric];
        sign > 0 ? h.Add(t.value) : h.Remove(t.value);
        if (h.empty()) cell.hists.erase(t.metric);
        break;
      }
      case TouchKind::kCustomer: {
        int64_t& n = cell.customers[t.metric];
        n += sign;
        if (n == 0) cell.customers.erase(t.metric);
        break;
      }
    }
    return cell.empty();
  }

  // Adds touches to the cells of the competition windows that contain them (all windows, or only
  // `only`).
  void ApplyToWindows(const Touch& t, int sign, const CompWindow* only) {
    for (const CompWindow& w : windows_) {
      if (only != nullptr && w.comp != only->comp) continue;
      if (t.at < w.start || t.at >= w.end) continue;
      auto& cells = window_cells_[w.comp];
      auto it = cells.try_emplace(t.rep).first;
      if (AddTo(it->second, t, sign)) cells.erase(it);
    }
  }

  void ApplyTouches(const std::vector<Touch>& touches, int sign,
                    const CompWindow* only_window = nullptr) {
    if (only_window != nullptr) {  // Re-summing a competition: ChangeCompetition flags everything.
      for (const Touch& t : touches) ApplyToWindows(t, sign, only_window);
      return;
    }
    // Consecutive touches usually share the rep and the instant (an action's four, a contract's
    // several), hence the same five cells: look them up once. Node-map pointers stay valid while
    // other cells are inserted; cells left empty are erased only after the loop.
    Id last_rep = 0;
    Micros last_at = 0;
    bool have_last = false;
    std::array<Cell*, kAllPeriodKinds.size()> cells{};
    std::array<CellKey, kAllPeriodKinds.size()> keys{};
    std::vector<CellKey> maybe_empty;
    for (const Touch& t : touches) {
      if (!have_last || t.rep != last_rep || t.at != last_at) {
        if (track_changes_ && (!have_last || t.rep != last_rep)) changed_reps_.insert(t.rep);
        absl::CivilDay day = absl::ToCivilDay(absl::FromUnixMicros(t.at), options_.zone);
        for (size_t k = 0; k < kAllPeriodKinds.size(); ++k) {
          keys[k] = CellKey{t.rep, PeriodContaining(kAllPeriodKinds[k], day)};
          cells[k] = &cells_[keys[k]];
        }
        last_rep = t.rep;
        last_at = t.at;
        have_last = true;
      }
      for (size_t k = 0; k < kAllPeriodKinds.size(); ++k) {
        if (AddTo(*cells[k], t, sign)) maybe_empty.push_back(keys[k]);
      }
      if (!windows_.empty()) ApplyToWindows(t, sign, nullptr);
    }
    for (const CellKey& key : maybe_empty) {
      auto it = cells_.find(key);
      if (it != cells_.end() && it->second.empty()) cells_.erase(it);
    }
  }

  void Sum(std::vector<Touch>& out, Id rep, Micros at, const char* metric, int64_t v) {
    out.push_back({rep, at, TouchKind::kSum, Intern(metric), v});
  }
  void Sum(std::vector<Touch>& out, Id rep, Micros at, const std::string& metric, int64_t v) {
    out.push_back({rep, at, TouchKind::kSum, Intern(metric), v});
  }

  // ---- Contributions ---------------------------------------------------------------------------
  // An action's own touches: they depend on nothing but the action.
  void ActionTouches(const Chain& c, size_t i, std::vector<Touch>& out) const {
    const ActionItem& a = c.items[i];
    out.push_back({c.rep, a.key.at, TouchKind::kSum, actions_id_, 1});
    if (a.cost != 0) out.push_back({c.rep, a.key.at, TouchKind::kSum, action_cost_id_, a.cost});
    out.push_back({c.rep, a.key.at, TouchKind::kSum, channel_ids_[a.channel], 1});
    out.push_back({c.rep, a.key.at, TouchKind::kSum, purpose_ids_[a.purpose], 1});
  }

  // The follow-up action i schedules, if any: due at its time, on time if the chain's next action
  // comes within 24 h after due. Depends on items[i + 1] only.
  void FollowUpTouches(const Chain& c, size_t i, std::vector<Touch>& out) const {
    const ActionItem& a = c.items[i];
    if (!a.due) return;
    out.push_back({c.rep, *a.due, TouchKind::kSum, follow_ups_due_id_, 1});
    if (i + 1 < c.items.size() && c.items[i + 1].key.at <= *a.due + kDay) {
      out.push_back({c.rep, *a.due, TouchKind::kSum, follow_ups_on_time_id_, 1});
    }
  }

  // The opportunity's timeline (KPI_SPEC §4), as stage intervals and an optional close.
  struct Interval {
    std::string stage;
    Micros start, end;  // end < 0: still open.
  };
  struct Timeline {
    const OppEvent* opened = nullptr;
    std::vector<Interval> intervals;
    std::optional<std::pair<bool, Micros>> close;  // (won, at)
  };
  Timeline BuildTimeline(const Opportunity& o) const {
    Timeline t;
    for (const OppEvent& e : o.events) {
      if (e.kind == OppKind::kOpened) {
        t.opened = &e;
        break;
      }
    }
    if (t.opened == nullptr) return t;
    const Micros opened_at = t.opened->key.at;
    std::vector<const OppEvent*> rest;
    for (const OppEvent& e : o.events) {
      if (e.kind != OppKind::kOpened) rest.push_back(&e);
    }
    auto order = [&](const OppEvent* e) { return std::make_pair(std::max(e->key.at, opened_at), e->key.seq); };
    std::stable_sort(rest.begin(), rest.end(),
                     [&](const OppEvent* a, const OppEvent* b) { return order(a) < order(b); });
    const std::vector<Stage>& stages = org_.stages();
    std::string current = t.opened->stage.empty() ? stages.front().id : t.opened->stage;
    Micros start = opened_at;
    for (const OppEvent* e : rest) {
      Micros at = std::max(e->key.at, opened_at);
      if (e->kind == OppKind::kClosed) {
        t.intervals.push_back({current, start, at});
        t.close = std::make_pair(e->won, at);
        return t;
      }
      if (e->stage == current || org_.StageIndex(e->stage) < 0) continue;
      t.intervals.push_back({current, start, at});
      current = e->stage;
      start = at;
    }
    t.intervals.push_back({current, start, -1});
    return t;
  }

  std::vector<Touch> OppTouches(const Opportunity& o) {
    std::vector<Touch> out;
    Timeline t = BuildTimeline(o);
    if (t.opened == nullptr) return out;
    const Id rep = t.opened->rep;
    const Micros opened_at = t.opened->key.at;
    Sum(out, rep, opened_at, "opportunities_opened", 1);
    const std::vector<Stage>& stages = org_.stages();
    int reached = -1;
    for (const Interval& i : t.intervals) reached = std::max(reached, org_.StageIndex(i.stage));
    bool won = t.close && t.close->first;
    if (won) reached = static_cast<int>(stages.size()) - 1;
    for (int j = 0; j <= reached; ++j) {
      Sum(out, rep, opened_at, absl::StrCat("funnel_reached:", stages[j].id), 1);
    }
    for (const Interval& i : t.intervals) {
      if (i.end < 0) continue;
      out.push_back({rep, i.end, TouchKind::kHist, Intern(absl::StrCat("stage_duration:", i.stage)),
                     i.end - i.start});
    }
    if (t.close) {
      Sum(out, rep, t.close->second, won ? "opportunities_won" : "opportunities_lost", 1);
      if (won) {
        Sum(out, rep, opened_at, "funnel_won", 1);
        out.push_back({rep, t.close->second, TouchKind::kHist, Intern("sales_cycle"),
                       t.close->second - opened_at});
      }
    }
    return out;
  }

  const PaymentDef* DefiningPayment(const std::string& payment_id) const {
    auto it = payments_.find(payment_id);
    if (it == payments_.end() || it->second.empty()) return nullptr;
    return &it->second.front();
  }

  std::vector<Touch> ContractTouches(const std::string& id, const Contract& c) {
    std::vector<Touch> out;
    if (c.defs.empty()) return out;
    const ContractDef& d = c.defs.front();
    Sum(out, d.rep, d.key.at, "signings", 1);
    if (d.quantity != 0) Sum(out, d.rep, d.key.at, "products_sold", d.quantity);
    if (d.amount != 0) Sum(out, d.rep, d.key.at, "sales_amount", d.amount);
    if (d.cost) {
      if (d.amount - *d.cost != 0) Sum(out, d.rep, d.key.at, "gross_profit", d.amount - *d.cost);
      if (d.amount != 0) Sum(out, d.rep, d.key.at, "margin_base", d.amount);
    }
    out.push_back({d.rep, d.key.at, TouchKind::kCustomer, d.customer, 1});
    for (const auto& [due, amount] : d.installments) {
      if (amount != 0) Sum(out, d.rep, due, "amount_due", amount);
    }
    for (const std::string& pid : c.payments) {
      const PaymentDef* p = DefiningPayment(pid);
      if (p != nullptr && p->contract == id && p->amount != 0) {
        Sum(out, d.rep, p->key.at, "payments", p->amount);
      }
    }
    return out;
  }

  // The customer's first contract: its earliest defining contract def, org-wide.
  const ContractDef* FirstContract(Id customer) const {
    auto it = contracts_by_customer_.find(customer);
    if (it == contracts_by_customer_.end()) return nullptr;
    const ContractDef* first = nullptr;
    for (const std::string& cid : it->second) {
      auto c = contracts_.find(cid);
      if (c == contracts_.end() || c->second.defs.empty()) continue;
      const ContractDef& d = c->second.defs.front();
      if (d.customer == customer && (first == nullptr || d.key < first->key)) first = &d;
    }
    return first;
  }

  std::vector<Touch> CustomerTouches(Id customer) {
    std::vector<Touch> out;
    if (const ContractDef* first = FirstContract(customer)) {
      Sum(out, first->rep, first->key.at, "new_customers", 1);
    }
    return out;
  }

  // ---- Mutations: retract, change, re-add ------------------------------------------------------
  // Inserting or removing action i changes only its own touches and the follow-ups of actions i-1
  // (whose next action changes) and i: O(1) however long the rep's history with the customer is.
  void InsertAction(Id rep, Id customer, ActionItem item) {
    Chain& c = chains_[{rep, customer}];
    c.rep = rep;
    c.customer = customer;
    auto pos = std::upper_bound(c.items.begin(), c.items.end(), item,
                                [](const ActionItem& a, const ActionItem& b) { return a.key < b.key; });
    const size_t i = pos - c.items.begin();
    std::vector<Touch> before, after;
    if (i > 0) FollowUpTouches(c, i - 1, before);
    c.items.insert(pos, std::move(item));
    if (i > 0) FollowUpTouches(c, i - 1, after);
    ActionTouches(c, i, after);
    FollowUpTouches(c, i, after);
    ApplyTouches(before, -1);
    ApplyTouches(after, +1);
    customers_by_rep_[rep].insert(customer);
  }

  void EraseAction(Id rep, Id customer, const std::string& event_id) {
    auto chain = chains_.find({rep, customer});
    if (chain == chains_.end()) return;
    Chain& c = chain->second;
    auto pos = std::find_if(c.items.begin(), c.items.end(),
                            [&](const ActionItem& a) { return a.event_id == event_id; });
    if (pos == c.items.end()) return;
    const size_t i = pos - c.items.begin();
    std::vector<Touch> before, after;
    if (i > 0) FollowUpTouches(c, i - 1, before);
    ActionTouches(c, i, before);
    FollowUpTouches(c, i, before);
    c.items.erase(pos);
    if (i > 0) FollowUpTouches(c, i - 1, after);
    ApplyTouches(before, -1);
    ApplyTouches(after, +1);
    if (c.items.empty()) {
      chains_.erase(chain);
      auto it = customers_by_rep_.find(rep);
      if (it != customers_by_rep_.end()) {
        it->second.erase(customer);
        if (it->second.empty()) customers_by_rep_.erase(it);
      }
    }
  }

  void WithOpportunity(const std::string& id, const std::function<void(Opportunity&)>& change) {
    Opportunity& o = opportunities_[id];
    std::optional<Id> old_owner = OppOwner(o);
    ApplyTouches(OppTouches(o), -1);
    change(o);
    ApplyTouches(OppTouches(o), +1);
    std::optional<Id> new_owner = OppOwner(o);
    if (old_owner != new_owner) {
      if (old_owner) opps_by_owner_[*old_owner].erase(id);
      if (new_owner) opps_by_owner_[*new_owner].insert(id);
    }
    if (o.events.empty()) opportunities_.erase(id);
  }

  static std::optional<Id> OppOwner(const Opportunity& o) {
    for (const OppEvent& e : o.events) {
      if (e.kind == OppKind::kOpened) return e.rep;
    }
    return std::nullopt;
  }

  // `extra_customers`: customers a def being added names (they may not be indexed yet).
  void WithContracts(const std::vector<std::string>& ids, std::vector<Id> customers,
                     const std::function<void()>& change) {
    for (const std::string& id : ids) {
      for (const ContractDef& d : contracts_[id].defs) customers.push_back(d.customer);
    }
    std::sort(customers.begin(), customers.end());
    customers.erase(std::unique(customers.begin(), customers.end()), customers.end());
    std::vector<std::optional<Id>> old_owners;
    for (const std::string& id : ids) {
      const Contract& c = contracts_[id];
      old_owners.push_back(c.defs.empty() ? std::nullopt : std::optional<Id>(c.defs.front().rep));
      ApplyTouches(ContractTouches(id, c), -1);
    }
    for (Id cust : customers) ApplyTouches(CustomerTouches(cust), -1);
    change();
    for (size_t i = 0; i < ids.size(); ++i) {
      const Contract& c = contracts_[ids[i]];
      ApplyTouches(ContractTouches(ids[i], c), +1);
      std::optional<Id> owner =
          c.defs.empty() ? std::nullopt : std::optional<Id>(c.defs.front().rep);
      if (owner != old_owners[i]) {
        if (old_owners[i]) contracts_by_owner_[*old_owners[i]].erase(ids[i]);
        if (owner) contracts_by_owner_[*owner].insert(ids[i]);
      }
    }
    for (Id cust : customers) ApplyTouches(CustomerTouches(cust), +1);
  }

  void ForEachOpportunity(int sign) {
    for (auto& [id, o] : opportunities_) ApplyTouches(OppTouches(o), sign);
  }

  // ---- Apply -----------------------------------------------------------------------------------
  void Apply(uint64_t seq, const v1::Event& e) {
    const Key key{ToMicros(e.occurred_at()), seq};
    applied_seq_ = seq;
    Locator loc;
    switch (e.payload_case()) {
      case v1::Event::kUnitDefined:
      case v1::Event::kRepDefined:
      case v1::Event::kStagesDefined:
      case v1::Event::kCompetitionDefined:
      case v1::Event::kTargetSet:
      case v1::Event::kSchemeDefined:
        ChangeOrg(key, e, +1);
        org_events_[e.event_id()] = {key, e};
        loc.home = Home::kOrg;
        break;
      case v1::Event::kActionLogged: {
        const auto& a = e.action_logged();
        loc = {Home::kChain, "", Intern(e.rep_id()), Intern(a.customer_id())};
        ActionItem item{key, e.event_id(), a.cost(), a.channel(), a.purpose(), std::nullopt};
        if (a.has_next_follow_up_at()) item.due = ToMicros(a.next_follow_up_at());
        InsertAction(loc.rep, loc.customer, std::move(item));
        break;
      }
      case v1::Event::kOpportunityOpened: {
        const auto& o = e.opportunity_opened();
        loc = {Home::kOpportunity, o.opportunity_id()};
        OppEvent ev{key, e.event_id(), Intern(e.rep_id()), OppKind::kOpened, o.initial_stage(),
                    o.expected_amount(), false};
        WithOpportunity(o.opportunity_id(), [&](Opportunity& x) { InsertSorted(x.events, ev); });
        break;
      }
      case v1::Event::kOpportunityStageChanged: {
        const auto& o = e.opportunity_stage_changed();
        loc = {Home::kOpportunity, o.opportunity_id()};
        OppEvent ev{key, e.event_id(), Intern(e.rep_id()), OppKind::kStage, o.stage(), 0, false};
        WithOpportunity(o.opportunity_id(), [&](Opportunity& x) { InsertSorted(x.events, ev); });
        break;
      }
      case v1::Event::kOpportunityClosed: {
        const auto& o = e.opportunity_closed();
        loc = {Home::kOpportunity, o.opportunity_id()};
        OppEvent ev{key, e.event_id(), Intern(e.rep_id()), OppKind::kClosed, "", 0,
                    o.outcome() == v1::OpportunityClosed::WON};
        WithOpportunity(o.opportunity_id(), [&](Opportunity& x) { InsertSorted(x.events, ev); });
        break;
      }
      case v1::Event::kContractSigned: {
        const auto& c = e.contract_signed();
        loc = {Home::kContract, c.contract_id()};
        ContractDef d{key, e.event_id(), Intern(e.rep_id()), Intern(c.customer_id()), c.amount(),
                      std::nullopt, 0, {}};
        if (c.has_cost()) d.cost = c.cost();
        for (const auto& line : c.lines()) d.quantity += line.quantity();
        for (const auto& i : c.installments()) d.installments.push_back({ToMicros(i.due_at()), i.amount()});
        if (d.installments.empty()) d.installments.push_back({key.at, c.amount()});
        Id customer = d.customer;
        const std::string& id = c.contract_id();
        WithContracts({id}, {customer}, [&] {
          InsertSorted(contracts_[id].defs, std::move(d));
          contracts_by_customer_[customer].insert(id);
        });
        break;
      }
      case v1::Event::kPaymentReceived: {
        const auto& p = e.payment_received();
        loc = {Home::kPayment, p.payment_id()};
        ChangePayment(p.payment_id(), p.contract_id(), [&](std::vector<PaymentDef>& defs) {
          InsertSorted(defs, PaymentDef{key, e.event_id(), p.contract_id(), p.amount()});
        });
        break;
      }
      case v1::Event::kFeedbackRecorded: {
        loc.home = Home::kSingle;
        Single s{Intern(e.rep_id()), key.at, Intern("satisfaction_sum"),
                 Intern("satisfaction_count"), e.feedback_recorded().score()};
        AddSingle(e.event_id(), s);
        break;
      }
      case v1::Event::kScoreRecorded: {
        loc.home = Home::kSingle;
        const auto& s = e.score_recorded();
        Single single{Intern(e.rep_id()), key.at, Intern(absl::StrCat("score_sum:", s.metric())),
                      Intern(absl::StrCat("score_count:", s.metric())), s.value()};
        AddSingle(e.event_id(), single);
        break;
      }
      case v1::Event::kEventVoided:
        Void(e.event_voided().target_event_id());
        break;
      default:
        break;
    }
    if (loc.home != Home::kNone) locators_[e.event_id()] = loc;
  }

  void ChangeOrg(Key key, const v1::Event& e, int sign) {
    changed_everything_ = true;
    if (e.has_competition_defined()) return ChangeCompetition(key, e.competition_defined(), sign);
    if (e.has_target_set() || e.has_scheme_defined()) {  // Scored at query time: no cells move.
      sign > 0 ? plans_.Add({key.at, key.seq}, e) : plans_.Remove({key.at, key.seq}, e);
      return;
    }
    bool stages = e.has_stages_defined();
    if (stages) ForEachOpportunity(-1);
    OrderKey order{key.at, key.seq};
    sign > 0 ? org_.Add(order, e) : org_.Remove(order, e);
    if (stages) ForEachOpportunity(+1);
  }

  // The latest definition of a competition counts; when its window changes, its cells are summed
  // afresh from every entity's contribution (competitions are few and rarely redefined).
  void ChangeCompetition(Key key, const v1::CompetitionDefined& c, int sign) {
    auto& history = competitions_[c.competition_id()];
    auto window = [&]() -> std::optional<std::pair<absl::Time, absl::Time>> {
      if (history.empty()) return std::nullopt;
      const Competition& latest = history.rbegin()->second;
      return std::make_pair(latest.start, latest.end);
    };
    auto before = window();
    if (sign > 0) {
      Competition def{c.competition_id(), c.name(), FromProto(c.start()), FromProto(c.end()),
                      c.metric(), c.scheme_id(),
                      {c.participant_rep_ids().begin(), c.participant_rep_ids().end()},
                      {c.participant_unit_ids().begin(), c.participant_unit_ids().end()},
                      c.mode() == v1::CompetitionDefined::TEAM};
      history[key] = std::move(def);
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
    window_cells_.erase(comp);
    if (!after) return;
    const CompWindow w{comp, absl::ToUnixMicros(after->first), absl::ToUnixMicros(after->second)};
    windows_.push_back(w);
    ForEachContribution([&](const std::vector<Touch>& touches) { ApplyTouches(touches, +1, &w); });
  }

  // Every entity's current contribution, as the touches its mutations would add.
  void ForEachContribution(const std::function<void(const std::vector<Touch>&)>& fn) {
    std::vector<Touch> touches;
    for (const auto& [key, chain] : chains_) {
      for (size_t i = 0; i < chain.items.size(); ++i) {
        touches.clear();
        ActionTouches(chain, i, touches);
        FollowUpTouches(chain, i, touches);
        fn(touches);
      }
    }
    for (const auto& [id, o] : opportunities_) fn(OppTouches(o));
    for (const auto& [id, c] : contracts_) fn(ContractTouches(id, c));
    for (const auto& [customer, contracts] : contracts_by_customer_) fn(CustomerTouches(customer));
    for (const auto& [id, single] : singles_) fn(SingleTouches(single));
  }

  static std::vector<Touch> SingleTouches(const Single& s) {
    return {{s.rep, s.at, TouchKind::kSum, s.sum_metric, s.value},
            {s.rep, s.at, TouchKind::kSum, s.count_metric, 1}};
  }

  void ChangePayment(const std::string& payment_id, const std::string& new_contract,
                     const std::function<void(std::vector<PaymentDef>&)>& change) {
    std::vector<std::string> contracts;
    if (!new_contract.empty()) contracts.push_back(new_contract);
    for (const PaymentDef& d : payments_[payment_id]) contracts.push_back(d.contract);
    std::sort(contracts.begin(), contracts.end());
    contracts.erase(std::unique(contracts.begin(), contracts.end()), contracts.end());
    WithContracts(contracts, {}, [&] {
      std::vector<PaymentDef>& defs = payments_[payment_id];
      change(defs);
      if (!new_contract.empty()) contracts_[new_contract].payments.insert(payment_id);
      if (defs.empty()) payments_.erase(payment_id);
    });
  }

  void AddSingle(const std::string& event_id, const Single& s) {
    singles_[event_id] = s;
    ApplyTouches(SingleTouches(s), +1);
  }

  void Void(const std::string& target) {
    auto it = locators_.find(target);
    if (it == locators_.end()) return;  // Already voided, or nothing to undo.
    Locator loc = it->second;
    locators_.erase(it);
    switch (loc.home) {
      case Home::kOrg: {
        auto org = org_events_.find(target);
        if (org == org_events_.end()) return;
        auto [key, event] = std::move(org->second);
        org_events_.erase(org);
        ChangeOrg(key, event, -1);
        break;
      }
      case Home::kChain:
        EraseAction(loc.rep, loc.customer, target);
        break;
      case Home::kOpportunity:
        WithOpportunity(loc.entity, [&](Opportunity& o) { EraseByEventId(o.events, target); });
        break;
      case Home::kContract:
        WithContracts({loc.entity}, {}, [&] {
          Contract& c = contracts_[loc.entity];
          EraseByEventId(c.defs, target);
        });
        break;
      case Home::kPayment:
        ChangePayment(loc.entity, "",
                      [&](std::vector<PaymentDef>& defs) { EraseByEventId(defs, target); });
        break;
      case Home::kSingle: {
        auto s = singles_.find(target);
        if (s == singles_.end()) return;
        ApplyTouches(SingleTouches(s->second), -1);
        singles_.erase(s);
        break;
      }
      case Home::kNone:
        break;
    }
  }

  // ---- Queries ---------------------------------------------------------------------------------
  absl::StatusOr<std::vector<std::string>> Members(const Subject& s) const {
    if (!s.is_unit) return std::vector<std::string>{s.id};
    if (org_.FindUnit(s.id) == nullptr) {
      return absl::NotFoundError(absl::StrCat("unit \"", s.id, "\" is not defined"));
    }
    return org_.RepsUnder(s.id);
  }

  // The members' cells, found by `find` (nullptr for none), merged.
  template <typename Find>
  Cell Merged(const std::vector<std::string>& reps, Find find) const {
    Cell merged;
    for (const std::string& rep : reps) {
      std::optional<Id> id = Lookup(rep);
      if (!id) continue;
      const Cell* cell = find(*id);
      if (cell == nullptr) continue;
      for (const auto& [m, v] : cell->sums) merged.sums[m] += v;
      for (const auto& [m, h] : cell->hists) merged.hists[m].Merge(h);
      for (const auto& [c, n] : cell->customers) merged.customers[c] += n;
    }
    return merged;
  }
  Cell Merged(const std::vector<std::string>& reps, const Period& period) const {
    return Merged(reps, [&](Id rep) { return PeriodCell(rep, period); });
  }

  const Cell* PeriodCell(Id rep, const Period& period) const {
    auto it = cells_.find(CellKey{rep, period});
    return it == cells_.end() ? nullptr : &it->second;
  }
  const Cell* WindowCell(Id comp, Id rep) const {
    auto w = window_cells_.find(comp);
    if (w == window_cells_.end()) return nullptr;
    auto it = w->second.find(rep);
    return it == w->second.end() ? nullptr : &it->second;
  }

  int64_t SumOf(const Cell& c, const std::string& metric) const {
    std::optional<Id> id = Lookup(metric);
    if (!id) return 0;
    auto it = c.sums.find(*id);
    return it == c.sums.end() ? 0 : it->second;
  }
  Histogram HistOf(const Cell& c, const std::string& metric) const {
    std::optional<Id> id = Lookup(metric);
    auto it = id ? c.hists.find(*id) : c.hists.end();
    return it == c.hists.end() ? Histogram() : it->second;
  }

  static MetricValue Count(int64_t v) { return {MetricValue::Kind::kCount, v}; }
  static MetricValue Money(int64_t v) { return {MetricValue::Kind::kMoney, v}; }
  static MetricValue Ratio(int64_t num, int64_t den, MetricValue::Kind kind = MetricValue::Kind::kRatio) {
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

  // Customers of the cell whose first contract is before `begin`.
  int64_t Returning(const Cell& c, Micros begin) const {
    int64_t returning = 0;
    for (const auto& [customer, n] : c.customers) {
      const ContractDef* first = FirstContract(customer);
      if (first != nullptr && first->key.at < begin) ++returning;
    }
    return returning;
  }

  // One per-period metric of a cell whose span begins at `begin`. REQUIRES:
  // IsPerPeriodMetric(name).
  MetricValue MetricOf(const Cell& c, const std::string& name, Micros begin) const {
    using K = MetricValue::Kind;
    const auto customers = static_cast<int64_t>(c.customers.size());
    if (name == "win_rate") {
      int64_t won = SumOf(c, "opportunities_won");
      return Ratio(won, won + SumOf(c, "opportunities_lost"));
    }
    if (name == "gross_margin") return Ratio(SumOf(c, "gross_profit"), SumOf(c, "margin_base"));
    if (name == "customers_signed") return Count(customers);
    if (name == "returning_customers") return Count(Returning(c, begin));
    if (name == "repeat_purchase_rate") return Ratio(Returning(c, begin), customers);
    if (name == "avg_deal_size") return Ratio(SumOf(c, "sales_amount"), customers, K::kMean);
    if (name == "collection_rate") return Ratio(SumOf(c, "payments"), SumOf(c, "amount_due"));
    if (name == "satisfaction") {
      return Ratio(SumOf(c, "satisfaction_sum"), SumOf(c, "satisfaction_count"), K::kMean);
    }
    if (name == "follow_up_rate") {
      return Ratio(SumOf(c, "follow_ups_on_time"), SumOf(c, "follow_ups_due"));
    }
    if (name == "sales_cycle" || absl::StartsWith(name, "stage_duration:")) {
      return Distribution(HistOf(c, name));
    }
    if (absl::StartsWith(name, "score:")) {
      std::string score = name.substr(6);
      return Ratio(SumOf(c, absl::StrCat("score_sum:", score)),
                   SumOf(c, absl::StrCat("score_count:", score)), K::kMean);
    }
    if (name == "action_cost" || name == "sales_amount" || name == "gross_profit" ||
        name == "payments" || name == "amount_due") {
      return Money(SumOf(c, name));
    }
    return Count(SumOf(c, name));
  }

  absl::StatusOr<KpiReport> Kpis(const Subject& subject, const Period& period, absl::Time now) const {
    absl::StatusOr<std::vector<std::string>> reps = Members(subject);
    if (!reps.ok()) return reps.status();
    KpiReport r;
    r.seq = applied_seq_;
    r.period = period;
    r.reps = *reps;
    Cell c = Merged(*reps, period);
    const Micros begin = absl::ToUnixMicros(PeriodBegin(period, options_.zone));
    std::vector<std::string> names(kPlainPeriodMetrics.begin(), kPlainPeriodMetrics.end());
    for (int ch = v1::Channel_MIN + 1; ch <= v1::Channel_MAX; ++ch) {
      names.push_back(absl::StrCat("actions_by_channel:", v1::Channel_Name(static_cast<v1::Channel>(ch))));
    }
    for (int p = v1::Purpose_MIN + 1; p <= v1::Purpose_MAX; ++p) {
      names.push_back(absl::StrCat("actions_by_purpose:", v1::Purpose_Name(static_cast<v1::Purpose>(p))));
    }
    for (const Stage& s : org_.stages()) {
      names.push_back(absl::StrCat("funnel_reached:", s.id));
      names.push_back(absl::StrCat("stage_duration:", s.id));
    }
    for (const auto& [metric, count] : c.sums) {
      const std::string& name = Name(metric);
      if (absl::StartsWith(name, "score_count:")) names.push_back(absl::StrCat("score:", name.substr(12)));
    }
    for (const std::string& name : names) r.metrics[name] = MetricOf(c, name, begin);
    PointInTime(*reps, absl::ToUnixMicros(now), r.point_in_time);
    return r;
  }

  absl::StatusOr<MetricValue> Metric(const Subject& subject, const Period& period,
                                     const std::string& metric) const {
    if (!IsPerPeriodMetric(metric)) return NotPerPeriod(metric);
    const Micros begin = absl::ToUnixMicros(PeriodBegin(period, options_.zone));
    if (!subject.is_unit) {
      std::optional<Id> rep = Lookup(subject.id);
      const Cell* cell = rep ? PeriodCell(*rep, period) : nullptr;
      return MetricOf(cell != nullptr ? *cell : kEmptyCell, metric, begin);
    }
    ASSIGN_OR_RETURN(std::vector<std::string> reps, Members(subject));
    return MetricOf(Merged(reps, period), metric, begin);
  }

  absl::StatusOr<MetricValue> CompetitionMetric(const std::string& competition_id,
                                                const Subject& subject,
                                                const std::string& metric) const {
    if (!IsPerPeriodMetric(metric)) return NotPerPeriod(metric);
    const Competition* competition = FindCompetition(competition_id);
    std::optional<Id> comp = Lookup(competition_id);
    if (competition == nullptr || !comp) {
      return absl::NotFoundError(absl::StrCat("competition \"", competition_id, "\" is not defined"));
    }
    const Micros begin = absl::ToUnixMicros(competition->start);
    if (!subject.is_unit) {
      std::optional<Id> rep = Lookup(subject.id);
      const Cell* cell = rep ? WindowCell(*comp, *rep) : nullptr;
      return MetricOf(cell != nullptr ? *cell : kEmptyCell, metric, begin);
    }
    ASSIGN_OR_RETURN(std::vector<std::string> reps, Members(subject));
    return MetricOf(Merged(reps, [&](Id rep) { return WindowCell(*comp, rep); }), metric, begin);
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
    for (Id rep : changed_reps_) reps.push_back(Name(rep));
    changed_reps_.clear();
    return reps;
  }

  void PointInTime(const std::vector<std::string>& reps, Micros now,
                   std::map<std::string, MetricValue>& out) const {
    int64_t outstanding = 0, overdue = 0, pipeline = 0, open_fu = 0, overdue_fu = 0;
    for (const std::string& rep : reps) {
      std::optional<Id> id = Lookup(rep);
      if (!id) continue;
      if (auto it = contracts_by_owner_.find(*id); it != contracts_by_owner_.end()) {
        for (const std::string& cid : it->second) {
          const Contract& c = contracts_.at(cid);
          const ContractDef& d = c.defs.front();
          int64_t paid = 0;
          for (const std::string& pid : c.payments) {
            const PaymentDef* p = DefiningPayment(pid);
            if (p != nullptr && p->contract == cid) paid += p->amount;
          }
          int64_t due_now = 0;
          for (const auto& [due, amount] : d.installments) {
            if (due <= now) due_now += amount;
          }
          outstanding += d.amount - paid;
          overdue += std::max<int64_t>(0, due_now - paid);
        }
      }
      if (auto it = opps_by_owner_.find(*id); it != opps_by_owner_.end()) {
        for (const std::string& oid : it->second) {
          Timeline t = BuildTimeline(opportunities_.at(oid));
          if (t.opened != nullptr && !t.close) pipeline += t.opened->expected;
        }
      }
      if (auto it = customers_by_rep_.find(*id); it != customers_by_rep_.end()) {
        for (Id customer : it->second) {
          const Chain& chain = chains_.at({*id, customer});
          for (size_t i = 0; i < chain.items.size(); ++i) {
            if (!chain.items[i].due || i + 1 < chain.items.size()) continue;
            ++open_fu;
            if (*chain.items[i].due < now) ++overdue_fu;
          }
        }
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
    absl::StatusOr<std::vector<std::string>> reps = Members(subject);
    if (!reps.ok()) return reps.status();
    Cell c = Merged(*reps, period);
    FunnelReport f;
    f.seq = applied_seq_;
    f.period = period;
    f.opened = SumOf(c, "opportunities_opened");
    f.won = SumOf(c, "funnel_won");
    for (const Stage& s : org_.stages()) {
      f.stages.push_back({s.id, s.name, SumOf(c, absl::StrCat("funnel_reached:", s.id))});
    }
    for (size_t i = 0; i < f.stages.size(); ++i) {
      int64_t next = i + 1 < f.stages.size() ? f.stages[i + 1].reached : f.won;
      if (f.stages[i].reached != 0) {
        f.stages[i].conversion = static_cast<double>(next) / static_cast<double>(f.stages[i].reached);
      }
    }
    return f;
  }

  absl::StatusOr<std::vector<FollowUp>> FollowUps(const Subject& subject, absl::Time from,
                                                  absl::Time to, FollowUpState state,
                                                  absl::Time now) const {
    absl::StatusOr<std::vector<std::string>> reps = Members(subject);
    if (!reps.ok()) return reps.status();
    const Micros lo = absl::ToUnixMicros(from), hi = absl::ToUnixMicros(to),
                 now_us = absl::ToUnixMicros(now);
    std::vector<FollowUp> out;
    for (const std::string& rep : *reps) {
      std::optional<Id> id = Lookup(rep);
      if (!id) continue;
      auto it = customers_by_rep_.find(*id);
      if (it == customers_by_rep_.end()) continue;
      for (Id customer : it->second) {
        const Chain& chain = chains_.at({*id, customer});
        for (size_t i = 0; i < chain.items.size(); ++i) {
          const ActionItem& a = chain.items[i];
          if (!a.due || *a.due < lo || *a.due >= hi) continue;
          FollowUp f{rep, Name(customer), a.event_id, absl::FromUnixMicros(*a.due)};
          if (i + 1 < chain.items.size()) {
            Micros done = chain.items[i + 1].key.at;
            f.done_at = absl::FromUnixMicros(done);
            f.on_time = done <= *a.due + kDay;
          } else {
            f.overdue = *a.due < now_us;
          }
          bool keep = state == FollowUpState::kAny ||
                      (state == FollowUpState::kOpen && !f.done_at) ||
                      (state == FollowUpState::kDone && f.done_at) ||
                      (state == FollowUpState::kOnTime && f.on_time) ||
                      (state == FollowUpState::kOverdue && f.overdue);
          if (keep) out.push_back(std::move(f));
        }
      }
    }
    std::sort(out.begin(), out.end(), [](const FollowUp& a, const FollowUp& b) {
      return std::tie(a.due, a.rep, a.customer, a.scheduled_by) <
             std::tie(b.due, b.rep, b.customer, b.scheduled_by);
    });
    return out;
  }

  std::vector<std::string> DumpCells() const {
    std::vector<std::string> lines;
    auto dump = [&](const std::string& prefix, const Cell& cell) {
      for (const auto& [m, v] : cell.sums) lines.push_back(absl::StrCat(prefix, Name(m), " = ", v));
      for (const auto& [m, h] : cell.hists) {
        lines.push_back(absl::StrCat(prefix, Name(m), " = n ", h.count(), " sum ",
                                     static_cast<double>(h.sum()), " p50 ", h.Quantile(0.5),
                                     " p90 ", h.Quantile(0.9)));
      }
      for (const auto& [c, n] : cell.customers) {
        lines.push_back(absl::StrCat(prefix, "customer ", Name(c), " = ", n));
      }
    };
    for (const auto& [key, cell] : cells_) {
      dump(absl::StrCat(Name(key.rep), " ", PeriodName(key.period), " "), cell);
    }
    for (const auto& [comp, cells] : window_cells_) {
      for (const auto& [rep, cell] : cells) {
        dump(absl::StrCat(Name(rep), " COMPETITION ", Name(comp), " "), cell);
      }
    }
    for (std::string& line : plans_.Dump()) lines.push_back(std::move(line));
    std::sort(lines.begin(), lines.end());
    return lines;
  }

  ProjectorOptions options_;
  uint64_t applied_seq_ = 0;
  OrgState org_;
  PlanState plans_;  // Targets and schemes (KPI_SPEC §6).
  absl::flat_hash_map<std::string, Id> ids_;
  std::vector<std::string> names_;
  // A node map: growing it moves pointers, not cells (a flat map's rehash of millions of cells
  // stalled the writer for seconds).
  absl::node_hash_map<CellKey, Cell> cells_;
  absl::flat_hash_map<std::pair<Id, Id>, Chain> chains_;
  absl::flat_hash_map<Id, absl::flat_hash_set<Id>> customers_by_rep_;
  absl::flat_hash_map<std::string, Opportunity> opportunities_;
  absl::flat_hash_map<Id, absl::flat_hash_set<std::string>> opps_by_owner_;
  absl::flat_hash_map<std::string, Contract> contracts_;
  absl::flat_hash_map<Id, absl::flat_hash_set<std::string>> contracts_by_owner_;
  absl::flat_hash_map<Id, absl::flat_hash_set<std::string>> contracts_by_customer_;
  absl::flat_hash_map<std::string, std::vector<PaymentDef>> payments_;
  absl::flat_hash_map<std::string, Single> singles_;
  absl::flat_hash_map<std::string, Locator> locators_;
  absl::flat_hash_map<std::string, std::pair<Key, v1::Event>> org_events_;
  absl::flat_hash_map<std::string, std::map<Key, Competition>> competitions_;
  std::vector<CompWindow> windows_;  // The effective competitions' windows.
  absl::flat_hash_map<Id, absl::node_hash_map<Id, Cell>> window_cells_;  // By competition, rep.
  bool track_changes_ = false;
  absl::flat_hash_set<Id> changed_reps_;
  bool changed_everything_ = false;
  static inline const Cell kEmptyCell{};
  Id actions_id_, action_cost_id_, follow_ups_due_id_, follow_ups_on_time_id_;
  std::vector<Id> channel_ids_, purpose_ids_;  // By enum value.
};

Projector::Projector(ProjectorOptions options) : impl_(std::make_unique<Impl>(options)) {}
Projector::~Projector() = default;
void Projector::Apply(uint64_t seq, const v1::Event& event) { impl_->Apply(seq, event); }
uint64_t Projector::applied_seq() const { return impl_->applied_seq_; }
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
                                                           absl::Time now) const {
  return impl_->FollowUps(s, from, to, state, now);
}
std::vector<std::string> Projector::DumpCells() const { return impl_->DumpCells(); }
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
void Projector::TrackChanges() { impl_->track_changes_ = true; }
std::vector<std::string> Projector::TakeChanged(bool* everything) {
  return impl_->TakeChanged(everything);
}

}  // namespace salestrack
