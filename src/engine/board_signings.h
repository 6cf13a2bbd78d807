// The contracts signed on a board, for the celebration banner of a TV board: the hub is handed
// each commit group's ContractSigned events (Views::ChangeListener), keeps them until its next
// round, and gives every subscriber of a board those signed by the board's members.
#ifndef SALESTRACK_ENGINE_BOARD_SIGNINGS_H_
#define SALESTRACK_ENGINE_BOARD_SIGNINGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/time/time.h"
#include "salestrack/leaderboard.h"
#include "salestrack/projector.h"
#include "salestrack/v1/events.pb.h"
#include "salestrack/v1/leaderboard_service.pb.h"

namespace salestrack::engine {

// A ContractSigned as the hub keeps it between rounds (the event itself is the writer's).
struct SignedContract {
  uint64_t seq = 0;
  std::string rep;
  std::string contract;
  std::string customer;
  int64_t amount = 0;
  absl::Time at;
};
// At most this many wait for the hub's next round, and go in one update: the latest.
inline constexpr size_t kMaxPendingSignings = 32;

// REQUIRES: event.has_contract_signed().
SignedContract SignedContractOf(uint64_t seq, const v1::Event& event);

// Appends `next` to `pending`, keeping the latest kMaxPendingSignings.
void KeepLatest(std::vector<SignedContract>& pending, std::vector<SignedContract> next);
void KeepLatest(std::vector<v1::Signing>& pending, const std::vector<v1::Signing>& next);

// Those of `signed_contracts` that belong on the board: signed by one of its members (a rep on
// it; on a TEAM board a rep under one of its units), inside its period (unit boards) or window
// (competitions). With the reps' names as `p` holds them. Call under the views' reader lock.
std::vector<v1::Signing> SigningsOnBoard(const Projector& p, const BoardSpec& spec,
                                         const BoardShape& shape,
                                         const absl::flat_hash_set<std::string>& members,
                                         const std::vector<SignedContract>& signed_contracts);

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_BOARD_SIGNINGS_H_
