// Auth: who is calling, and may they call this method? The engine's side of salestrack/access.h.
//
// Every method of the v1 API has a row in one table (auth.cc): full method name -> the Permission
// it needs. A front door starts each call with Engine::Authenticate (the key, then the row), and
// every engine method checks the row again for the principal it is given (Authorize), then the
// request's scope (access.h), so no front door can forget either:
//
//   absl::StatusOr<Principal> who = auth.Authenticate(authorization, methods::kGetKpis, peer);
//   if (!who.ok()) return who.status();          // before any other work
//
// Authenticate reads the bearer token from the request's authorization value ("Bearer TOKEN"),
// finds the key by the token's SHA-256, and checks the key's role against the method's row:
// UNAUTHENTICATED without a token or with an unknown one, PERMISSION_DENIED when the role may not
// use the method, or when the method has no row (deny by default). A new service adds rows to the
// table (and CheckMethodTable, run at start-up, refuses to serve a method without one).
//
// Thread-safe (immutable after Create).
#ifndef SALESTRACK_ENGINE_AUTH_H_
#define SALESTRACK_ENGINE_AUTH_H_

#include <memory>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/options.h"
#include "salestrack/access.h"

namespace salestrack::engine {

// Full method names ("/package.Service/Method"), as gRPC and the Connect protocol name them.
namespace methods {
inline constexpr char kAppend[] = "/salestrack.v1.LogService/Append";
inline constexpr char kAppendStream[] = "/salestrack.v1.LogService/AppendStream";
inline constexpr char kReadEvents[] = "/salestrack.v1.LogService/ReadEvents";
inline constexpr char kGetLogInfo[] = "/salestrack.v1.LogService/GetLogInfo";
inline constexpr char kGetKpis[] = "/salestrack.v1.KpiService/GetKpis";
inline constexpr char kGetFunnel[] = "/salestrack.v1.KpiService/GetFunnel";
inline constexpr char kListFollowUps[] = "/salestrack.v1.KpiService/ListFollowUps";
inline constexpr char kGetScorecard[] = "/salestrack.v1.KpiService/GetScorecard";
inline constexpr char kCheckTargets[] = "/salestrack.v1.KpiService/CheckTargets";
inline constexpr char kGetOrgInfo[] = "/salestrack.v1.KpiService/GetOrgInfo";
inline constexpr char kExplainScore[] = "/salestrack.v1.KpiService/ExplainScore";
inline constexpr char kGetReport[] = "/salestrack.v1.KpiService/GetReport";
inline constexpr char kVerify[] = "/salestrack.v1.AdminService/Verify";
inline constexpr char kRebuild[] = "/salestrack.v1.AdminService/Rebuild";
inline constexpr char kBackup[] = "/salestrack.v1.AdminService/Backup";
inline constexpr char kGetStats[] = "/salestrack.v1.AdminService/GetStats";
inline constexpr char kListDeadLetters[] = "/salestrack.v1.AdminService/ListDeadLetters";
inline constexpr char kRetryDeadLetters[] = "/salestrack.v1.AdminService/RetryDeadLetters";
inline constexpr char kGetLeaderboard[] = "/salestrack.v1.LeaderboardService/GetLeaderboard";
inline constexpr char kSubscribeLeaderboard[] =
    "/salestrack.v1.LeaderboardService/SubscribeLeaderboard";
}  // namespace methods

// The permission `method` needs; nullopt when the table has no row for it.
std::optional<Permission> MethodPermission(absl::string_view method);

// OK when every method of the v1 API's services (log, KPI, admin, leaderboard) has a row; else
// names the first one without.
absl::Status CheckMethodTable();

class Auth {
 public:
  // Checks the keys of `options` (names unique and set, hashes 64 hex digits and unique, roles
  // known, rep_id exactly for rep keys and unit_id exactly for manager keys). Refuses no keys
  // without insecure_no_auth, and keys with it. Errors name the key: "api_keys[2].role: ...".
  static absl::StatusOr<std::unique_ptr<Auth>> Create(const EngineOptions& options);

  // With insecure_no_auth every caller is an admin named "anonymous (auth off)".
  bool enabled() const { return enabled_; }

  // The key of `authorization` ("Bearer TOKEN"; nullopt: none sent), allowed to call `method`.
  // `peer` names the caller in the debug log.
  absl::StatusOr<Principal> Authenticate(std::optional<absl::string_view> authorization,
                                         absl::string_view method, absl::string_view peer) const;
  // PERMISSION_DENIED unless the method has a row that who's role satisfies.
  absl::Status Authorize(const Principal& who, absl::string_view method) const;

 private:
  Auth() = default;
  bool enabled_ = true;
  absl::flat_hash_map<std::string, Principal> by_hash_;  // SHA-256 hex of the token -> principal.
};

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_AUTH_H_
