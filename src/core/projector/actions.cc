#include "core/projector/actions.h"

#include <algorithm>

#include "core/projector/coding.h"
#include "core/projector/impl.h"

namespace salestrack {
namespace projection {

static_assert(v1::Channel_MAX < 8 && v1::Purpose_MAX < 8, "an action's flags byte holds both");

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

}  // namespace projection

using projection::ActionItem;
using projection::AssignCompact;
using projection::ChainKey;
using projection::DecodeChain;

using projection::EncodeChain;
using projection::InsertUnique;
using projection::kNoDue;

// Inserting or removing action i changes only its own touches and the follow-ups of actions i-1
// (whose next action changes) and i: O(1) touches however long the rep's history with the customer
// is (the chain itself is decoded and re-encoded: a few actions, typically).
void Projector::Impl::InsertAction(Id rep, Id customer, const ActionItem& item) {
  std::string& chain = chains_[ChainKey(rep, customer)];
  std::vector<ActionItem>& items = chain_scratch_;
  DecodeChain(chain, items);
  auto pos = std::upper_bound(items.begin(), items.end(), item, EarlierEvent<ActionItem>);
  const size_t i = pos - items.begin();
  TouchList before{&touches_, -1}, after{&touches_, +1};
  if (i > 0) FollowUpTouches(action_metrics_, rep, items, i - 1, before);
  items.insert(pos, item);
  if (i > 0) FollowUpTouches(action_metrics_, rep, items, i - 1, after);
  ActionTouches(action_metrics_, rep, items[i], after);
  FollowUpTouches(action_metrics_, rep, items, i, after);
  EncodeChain(items, bytes_scratch_);
  AssignCompact(chain, bytes_scratch_);
  Commit(touches_);
  if (items.size() == 1) InsertUnique(customers_by_rep_[rep], customer);
}

bool Projector::Impl::EraseAction(Id rep, Id customer, Micros at, uint64_t seq) {
  auto chain = chains_.find(ChainKey(rep, customer));
  if (chain == chains_.end()) return false;
  std::vector<ActionItem>& items = chain_scratch_;
  DecodeChain(chain->second, items);
  ActionItem probe{at, kNoDue, 0, seq, 0, 0};
  auto pos = std::lower_bound(items.begin(), items.end(), probe, EarlierEvent<ActionItem>);
  if (pos == items.end() || pos->at != at || pos->seq != seq) return false;
  const size_t i = pos - items.begin();
  TouchList before{&touches_, -1}, after{&touches_, +1};
  if (i > 0) FollowUpTouches(action_metrics_, rep, items, i - 1, before);
  ActionTouches(action_metrics_, rep, items[i], before);
  FollowUpTouches(action_metrics_, rep, items, i, before);
  items.erase(pos);
  if (i > 0) FollowUpTouches(action_metrics_, rep, items, i - 1, after);
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

}  // namespace salestrack
