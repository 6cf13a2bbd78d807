// PendingEntities: the entity openings (and voids) the writer accepted that the views have not
// applied yet. The writer decides group N+1 while the applier still applies group N (sequencer.h),
// so the projector alone is behind the log; the projector plus these is the log as written, which
// is what an access check on the writer thread must see (entity_access.h).
//
//   Views::CheckBatch (accepted):  pending_.Add(events, fresh, seqs, void_targets);
//   Views::BeginGroup:             pending_.Prune(applied_seq);
//   a rep's batch, under the views' reader lock:
//     CheckEntityAccess(who, events, fresh, WrittenEntities(*projector_, pending_));
//
// Writer thread only. Holds copies of the ids, so nothing points into requests already answered.
#ifndef SALESTRACK_ENGINE_PENDING_ENTITIES_H_
#define SALESTRACK_ENGINE_PENDING_ENTITIES_H_

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/string_view.h"
#include "salestrack/entity_access.h"
#include "salestrack/projector.h"
#include "store/sequencer.h"

namespace salestrack::engine {

class PendingEntities {
 public:
  // Notes the openings and voids of an accepted batch (CommitHook::CheckBatch's arguments).
  void Add(const store::Events& events, const std::vector<int>& fresh,
           const std::vector<uint64_t>& seqs, const std::vector<uint64_t>& void_targets);
  // Forgets what the views have applied: every record up to seq `applied`.
  void Prune(uint64_t applied);
  // Forgets every record from seq `first` on (a group whose write failed).
  void DropFrom(uint64_t first);

  // The opening that defines `id`: the earliest by (at, seq) of the projector's and the pending
  // ones, less those a pending void removes.
  std::optional<EntityOpening> Defining(const Projector& p, EntityKind kind,
                                        absl::string_view id) const;

 private:
  using OpeningList = absl::InlinedVector<EntityOpening, 1>;               // In seq order.
  std::array<absl::flat_hash_map<std::string, OpeningList>, 3> openings_;  // By EntityKind.
  std::deque<std::pair<EntityKind, std::string>> order_;  // Every pending opening, in seq order.
  absl::flat_hash_map<uint64_t, uint64_t> voided_;        // Target seq -> the earliest void's seq.
};

// The log as written, for CheckEntityAccess: `p` plus `pending`.
// REQUIRES: the views' lock is held while it is used (p cannot move).
class WrittenEntities final : public EntityTable {
 public:
  WrittenEntities(const Projector& p, const PendingEntities& pending) : p_(p), pending_(pending) {}
  std::optional<EntityOpening> Defining(EntityKind kind, absl::string_view id) const override {
    return pending_.Defining(p_, kind, id);
  }

 private:
  const Projector& p_;
  const PendingEntities& pending_;
};

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_PENDING_ENTITIES_H_
