// A salestrackd with API keys (auth on), for the tests of access, limits and the front door: the
// config entries, the keys' tokens and channels that send them, in one place.
//
//   KeyedDaemon d("limits { max_log_followers: 1 }\n",
//                 {{"root", "admin"}, {"phone-0", "rep", "rep_id: \"rep-0\""}});
//   auto stub = v1::LogService::NewStub(d.Channel("phone-0"));
#ifndef SALESTRACK_TESTS_KEYED_DAEMON_H_
#define SALESTRACK_TESTS_KEYED_DAEMON_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "test_util.h"

namespace salestrack::testing {

// One api_keys entry of a test daemon's config.
struct TestKey {
  std::string name;
  std::string role;
  // The rest of the entry, in text format: `rep_id: "rep-0"`, `rate_limit { ... }`, ...
  std::string fields;
};

// A fresh random token ("st_" + 64 hex digits); fails the test if the kernel gives no randomness.
std::string NewTestToken();

// The config's api_keys entry (text format, one line) for `key` holding `token`'s SHA-256.
std::string ApiKeyEntry(const TestKey& key, const std::string& token);

// Writes `config` and an api_keys entry per key (each with a token of its own) to dir()/d.conf,
// and starts salestrackd on dir()/data with it and --insecure_no_auth=false, plus `extra_flags`.
class KeyedDaemon {
 public:
  KeyedDaemon(const std::string& config, const std::vector<TestKey>& keys,
              std::vector<std::string> extra_flags = {});

  const TempDir& dir() const { return dir_; }
  Daemon& daemon() { return *daemon_; }
  const Daemon& daemon() const { return *daemon_; }
  // The token of the key named `name`; fails the test (and returns "") for an unknown name.
  std::string token(const std::string& name) const;
  // A channel to the daemon sending `name`'s token (through the CLI's channel, as clients do).
  std::shared_ptr<grpc::Channel> Channel(const std::string& name) const;

 private:
  TempDir dir_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<Daemon> daemon_;
};

}  // namespace salestrack::testing

#endif  // SALESTRACK_TESTS_KEYED_DAEMON_H_
