// What every test may share, unit tests included: temp directories, event builders and file
// reading. No gRPC, no daemon (those are test_util.h's).
#ifndef SALESTRACK_TESTS_TEST_BASE_H_
#define SALESTRACK_TESTS_TEST_BASE_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "salestrack/proto_time.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack::testing {

// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

using ::salestrack::FromProto;
using ::salestrack::ToProto;

// A valid ActionLogged (a phone call) by `rep` with `customer` at `when`.
v1::Event Action(const std::string& event_id, const std::string& rep, const std::string& customer,
                 absl::Time when);
// A valid ContractSigned of `amount` with no installments.
v1::Event Contract(const std::string& event_id, const std::string& rep,
                   const std::string& contract_id, int64_t amount, absl::Time when);
// `n` Actions of `rep` with ids prefix0, prefix1, ..., three hours ago (microsecond precision),
// safely in the past of the daemon's real clock.
std::vector<v1::Event> RecentActions(const std::string& prefix, const std::string& rep, int n);
absl::Time ThreeHoursAgo();
// An OpportunityOpened of `opportunity_id` with customer "c" by `rep`.
v1::Event OpportunityOpened(const std::string& event_id, const std::string& rep,
                            const std::string& opportunity_id, absl::Time when);
v1::Event Void(const std::string& event_id, const std::string& target, absl::Time when);

// The whole file as a string ("" if it cannot be read).
std::string ReadFile(const std::string& path);

// Runs `command` through /bin/sh; its exit code (-1 if it did not exit) and stdout.
struct ShellRun {
  int code = -1;
  std::string out;
};
ShellRun RunShell(const std::string& command);

}  // namespace salestrack::testing

#endif  // SALESTRACK_TESTS_TEST_BASE_H_
