#include "engine/auth.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "auth/api_token.h"
#include "salestrack/status_macros.h"
#include "salestrack/v1/kpi_service.pb.h"
#include "salestrack/v1/leaderboard_service.pb.h"
#include "salestrack/v1/log_service.pb.h"
#include "spdlog/spdlog.h"

namespace salestrack::engine {
namespace {

// THE table. Health (grpc.health.v1.Health) and server reflection (v1 and v1alpha) are gRPC's own
// services and need no key: a load balancer must probe health, and the schema is public.
const absl::flat_hash_map<std::string, Permission>& Table() {
  static const auto* table = new absl::flat_hash_map<std::string, Permission>{
      {methods::kAppend, Permission::kAppend},
      {methods::kAppendStream, Permission::kAppend},
      {methods::kReadEvents, Permission::kReadLog},
      {methods::kGetLogInfo, Permission::kReadLog},
      {methods::kGetKpis, Permission::kReadKpis},
      {methods::kGetFunnel, Permission::kReadKpis},
      {methods::kListFollowUps, Permission::kReadKpis},
      {methods::kVerify, Permission::kAdmin},
      {methods::kRebuild, Permission::kAdmin},
      {methods::kBackup, Permission::kAdmin},
      {methods::kGetStats, Permission::kAdmin},
      {methods::kListDeadLetters, Permission::kAdmin},
      {methods::kRetryDeadLetters, Permission::kAdmin},
      {methods::kGetLeaderboard, Permission::kReadBoards},
      {methods::kSubscribeLeaderboard, Permission::kReadBoards},
      // Scoring: a rep its own scorecard, a manager its subtree's (scope as for GetKpis).
      {methods::kGetScorecard, Permission::kReadKpis},
      {methods::kCheckTargets, Permission::kReadKpis},
      {methods::kGetOrgInfo, Permission::kReadOrg},
      {methods::kExplainScore, Permission::kReadKpis},
      {methods::kGetReport, Permission::kReadKpis},  // Scorecards, a board and a funnel.
  };
  return *table;
}

bool IsLowerHex64(absl::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return true;
}

}  // namespace

std::optional<Permission> MethodPermission(absl::string_view method) {
  auto it = Table().find(method);
  if (it == Table().end()) return std::nullopt;
  return it->second;
}

absl::Status CheckMethodTable() {
  // One message of each service file: its descriptor lists the file's services.
  for (const google::protobuf::FileDescriptor* file :
       {v1::AppendRequest::descriptor()->file(), v1::GetKpisRequest::descriptor()->file(),
        v1::GetLeaderboardRequest::descriptor()->file()}) {
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int i = 0; i < service->method_count(); ++i) {
        std::string name = absl::StrCat("/", service->full_name(), "/", service->method(i)->name());
        if (!MethodPermission(name)) {
          return absl::InternalError(absl::StrCat(
              "method ", name, " has no row in the access table (src/engine/auth.cc)"));
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Auth>> Auth::Create(const EngineOptions& options) {
  std::unique_ptr<Auth> auth(new Auth());
  if (options.insecure_no_auth) {
    if (!options.api_keys.empty()) {
      return absl::InvalidArgumentError(
          "--insecure_no_auth was given but the config has api_keys: remove one or the other");
    }
    auth->enabled_ = false;
    return auth;
  }
  if (options.api_keys.empty()) {
    return absl::InvalidArgumentError(
        "api_keys: none configured, so every call would be refused. Add keys to the config "
        "(`salestrack new-key --name NAME --role ROLE` prints an entry), or, for development only, "
        "start with --insecure_no_auth");
  }
  absl::flat_hash_set<std::string> names;
  for (size_t i = 0; i < options.api_keys.size(); ++i) {
    const v1::ApiKey& key = options.api_keys[i];
    const std::string at = absl::StrCat("api_keys[", i, "]");
    absl::StatusOr<Principal> p = PrincipalOfKey(key);
    if (!p.ok()) return absl::InvalidArgumentError(absl::StrCat(at, ".", p.status().message()));
    if (!names.insert(p->name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, ".name: \"", p->name, "\" is used by another key"));
    }
    std::string hash = absl::AsciiStrToLower(key.sha256());
    if (!IsLowerHex64(hash)) {
      return absl::InvalidArgumentError(absl::StrCat(
          at,
          ".sha256: must be the 64 hex digits of the token's SHA-256 (salestrack new-key "
          "prints it)"));
    }
    if (!auth->by_hash_.emplace(hash, *std::move(p)).second) {
      return absl::InvalidArgumentError(absl::StrCat(at, ".sha256: the same token as another key"));
    }
  }
  return auth;
}

absl::StatusOr<Principal> Auth::Authenticate(std::optional<absl::string_view> authorization,
                                             absl::string_view method,
                                             absl::string_view peer) const {
  if (!MethodPermission(method)) {
    return absl::PermissionDeniedError(absl::StrCat(method, " has no access rule"));
  }
  if (!enabled_) return Principal{"anonymous (auth off)", Role::kAdmin, "", ""};
  if (!authorization) {
    return absl::UnauthenticatedError(
        "no API key: send metadata \"authorization: Bearer TOKEN\" (salestrack --token or "
        "$SALESTRACK_TOKEN)");
  }
  absl::string_view value = *authorization;
  if (!absl::ConsumePrefix(&value, "Bearer ") || value.empty()) {
    return absl::UnauthenticatedError("authorization metadata must read \"Bearer TOKEN\"");
  }
  auto key = by_hash_.find(Sha256Hex(value));
  if (key == by_hash_.end()) {
    spdlog::debug("event=unauthenticated method={} peer={}", std::string(method),
                  std::string(peer));
    return absl::UnauthenticatedError("unknown API key");
  }
  RETURN_IF_ERROR(Authorize(key->second, method));
  return key->second;
}

absl::Status Auth::Authorize(const Principal& who, absl::string_view method) const {
  std::optional<Permission> permission = MethodPermission(method);
  if (!permission) {
    return absl::PermissionDeniedError(absl::StrCat(method, " has no access rule"));
  }
  if (!RoleAllows(who.role, *permission)) {
    spdlog::debug("event=permission_denied method={} key=\"{}\" role={}", std::string(method),
                  who.name, std::string(RoleName(who.role)));
    return absl::PermissionDeniedError(absl::StrCat("key \"", who.name, "\" (role ",
                                                    RoleName(who.role), ") may not call ", method));
  }
  return absl::OkStatus();
}

}  // namespace salestrack::engine
