// Auth: who is calling, and may they call this method? The server side of salestrack/access.h.
//
// Every RPC salestrackd serves has a row in one table (auth.cc): full method name -> the Permission
// it needs. Each handler starts with
//
//   absl::StatusOr<Principal> who = auth->Authorize(*context, methods::kGetKpis);
//   if (!who.ok()) return Finish(who.status());          // before any other work
//   ... then the scope check of access.h for the request, then the work.
//
// Authorize reads the bearer token from the "authorization" metadata ("Bearer TOKEN"), finds the
// key by the token's SHA-256, and checks the key's role against the method's row: UNAUTHENTICATED
// without a token or with an unknown one, PERMISSION_DENIED when the role may not use the method,
// or when the method has no row (deny by default). A new service adds rows to the table (and
// CheckMethodTable, run at start-up, refuses to serve a method without one).
//
// Thread-safe (immutable after Create).
#ifndef SALESTRACK_SERVER_AUTH_H_
#define SALESTRACK_SERVER_AUTH_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/grpcpp.h"
#include "salestrack/access.h"
#include "server/config.h"

namespace salestrack::server {

// Full gRPC method names, as handlers pass them to Authorize.
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
inline constexpr char kVerify[] = "/salestrack.v1.AdminService/Verify";
inline constexpr char kRebuild[] = "/salestrack.v1.AdminService/Rebuild";
inline constexpr char kBackup[] = "/salestrack.v1.AdminService/Backup";
inline constexpr char kGetStats[] = "/salestrack.v1.AdminService/GetStats";
inline constexpr char kGetLeaderboard[] = "/salestrack.v1.LeaderboardService/GetLeaderboard";
inline constexpr char kSubscribeLeaderboard[] =
    "/salestrack.v1.LeaderboardService/SubscribeLeaderboard";
}  // namespace methods

// The permission `method` needs; nullopt when the table has no row for it.
std::optional<Permission> MethodPermission(absl::string_view method);

// OK when every method of `services` has a row; else names the first one without.
absl::Status CheckMethodTable(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services);

class Auth {
 public:
  // Checks the keys of `options` (names unique and set, hashes 64 hex digits and unique, roles
  // known, rep_id exactly for rep keys and unit_id exactly for manager keys). Refuses no keys
  // without insecure_no_auth, and keys with it. Errors name the key: "api_keys[2].role: ...".
  static absl::StatusOr<std::unique_ptr<Auth>> Create(const ServerOptions& options);

  // With insecure_no_auth every caller is an admin named "anonymous (auth off)".
  bool enabled() const { return enabled_; }

  absl::StatusOr<Principal> Authorize(const grpc::ServerContextBase& context,
                                      absl::string_view method) const;

 private:
  Auth() = default;
  bool enabled_ = true;
  absl::flat_hash_map<std::string, Principal> by_hash_;  // SHA-256 hex of the token -> principal.
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_AUTH_H_
