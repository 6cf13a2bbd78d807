#include "core/projector/opportunities.h"

#include <algorithm>

#include "core/projector/coding.h"
#include "core/projector/impl.h"

namespace salestrack {
namespace projection {

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

Timeline BuildTimeline(const std::vector<OppEvent>& events,
                       const std::vector<OppEvent>& contract_closes, const StageTable& stages) {
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
  Id current = t.opened->stage == kNoId ? stages.ids.front() : t.opened->stage;
  Micros start = opened_at;
  for (const OppEvent* e : rest) {
    Micros at = std::max(e->at, opened_at);
    if (e->kind == OppKind::kClosed) {
      t.intervals.push_back({current, start, at});
      t.close = std::make_pair(e->won, at);
      return t;
    }
    if (e->stage == current || stages.IndexOf(e->stage) < 0) continue;
    t.intervals.push_back({current, start, at});
    current = e->stage;
    start = at;
  }
  t.intervals.push_back({current, start, -1});
  return t;
}

std::optional<Id> OppOwner(const std::vector<OppEvent>& events) {
  for (const OppEvent& e : events) {
    if (e.kind == OppKind::kOpened) return e.rep;
  }
  return std::nullopt;
}

}  // namespace projection

using projection::AssignCompact;
using projection::DecodeOpp;
using projection::EncodeOpp;
using projection::Interval;
using projection::kNoId;
using projection::kPipeline;
using projection::OppKind;
using projection::Timeline;

// The WON closes that contracts naming the opportunity `opp` put on its timeline: one per
// contract whose defining def names it, at that def's (occurred_at, seq).
void Projector::Impl::AppendContractCloses(Id opp, std::vector<OppEvent>& closes) const {
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

void Projector::Impl::OppTouches(Id opp, const std::vector<OppEvent>& events, TouchList t) {
  contract_closes_.clear();
  AppendContractCloses(opp, contract_closes_);
  Timeline tl = BuildTimeline(events, contract_closes_, stages_);
  if (tl.opened == nullptr) return;
  const Id rep = tl.opened->rep;
  const Micros opened_at = tl.opened->at;
  t.Sum(rep, opened_at, m_opened_, 1);
  int reached = -1;
  for (const Interval& i : tl.intervals) reached = std::max(reached, stages_.IndexOf(i.stage));
  const bool won = tl.close && tl.close->first;
  if (won) reached = static_cast<int>(stages_.ids.size()) - 1;
  for (int j = 0; j <= reached; ++j) t.Sum(rep, opened_at, stages_.reached_metrics[j], 1);
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

void Projector::Impl::WithOpportunity(Id id,
                                      absl::FunctionRef<void(std::vector<OppEvent>&)> change) {
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

void Projector::Impl::ForEachOpportunity(int sign) {
  std::vector<OppEvent> events;
  for (const auto& [id, encoded] : opportunities_) {
    DecodeOpp(encoded, events);
    OppTouches(id, events, {&touches_, sign});
    Commit(touches_);
  }
}

}  // namespace salestrack
