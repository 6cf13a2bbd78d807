// The org time zone a data directory's figures are computed in.
//
// Day, week, month, quarter and year figures depend on the zone as much as on the events, so the
// zone is stored in the data directory ("meta" key "time_zone", keys.h) and travels with it:
// through a restart, a backup and its restore. The rule, for a start with `requested` (from
// --time_zone or the config's time_zone, empty when neither gives one):
//
//   stored  requested  log        serves  and
//   none    none / Z   any        UTC / Z stores it (a new directory, or one written before the
//   key) S       none / S   any        S       - S       Z != S     empty      Z       stores Z (no
//   figure to re-project) S       Z != S     non-empty  -       refuses, naming S and Z, unless
//   `reproject`: serves Z,
//                                         stores Z (every figure is recomputed in Z by the replay)
//
//   ASSIGN_OR_RETURN(TimeZoneChoice zone, BindTimeZone(*store, {"Asia/Shanghai", false}));
#ifndef SALESTRACK_STORE_TIME_ZONE_BINDING_H_
#define SALESTRACK_STORE_TIME_ZONE_BINDING_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/log_store.h"

namespace salestrack::store {

inline constexpr char kDefaultTimeZone[] = "UTC";

struct TimeZoneRequest {
  std::string zone;        // IANA name; empty: none given.
  bool reproject = false;  // Re-project the figures under `zone` if the directory holds another.
};

struct TimeZoneChoice {
  std::string name;  // The zone to serve.
  absl::TimeZone zone;
  bool store = false;        // `name` must be written to the directory.
  std::string previous;      // The stored zone `name` replaces; empty if none was stored.
  bool reprojected = false;  // A non-empty log's figures move from `previous` to `name`.
};

// Applies the rule above. `stored` and `head` describe the directory `dir` (named in errors).
// FAILED_PRECONDITION when the zones differ without `reproject`, or when the zone to serve is not
// one this machine knows.
absl::StatusOr<TimeZoneChoice> ChooseTimeZone(const std::optional<std::string>& stored,
                                              uint64_t head, const TimeZoneRequest& request,
                                              const std::string& dir);

// Reads the store's zone, chooses (ChooseTimeZone) and writes the choice when it must be stored.
// REQUIRES: called at start-up, before the sequencer runs.
absl::StatusOr<TimeZoneChoice> BindTimeZone(LogStore& store, const TimeZoneRequest& request);

}  // namespace salestrack::store

#endif  // SALESTRACK_STORE_TIME_ZONE_BINDING_H_
