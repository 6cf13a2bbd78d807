// Helpers shared by salestrack's end-to-end tests: a real salestrackd child process on a loopback
// port, the CLI, and gRPC reads and appends; with test_base.h's temp directories and events.
#ifndef SALESTRACK_TESTS_TEST_UTIL_H_
#define SALESTRACK_TESTS_TEST_UTIL_H_

#include <memory>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "salestrack/v1/log_service.grpc.pb.h"
#include "test_base.h"

namespace salestrack::testing {

// A salestrackd child process listening on 127.0.0.1:<ephemeral port>.
class Daemon {
 public:
  // Starts salestrackd with --data_dir and any extra flags; waits until it listens. Without a
  // --insecure_no_auth[=...] flag among them, adds --insecure_no_auth (no API keys).
  Daemon(const std::string& data_dir, std::vector<std::string> extra_flags = {});
  // Runs `command` (a whole salestrackd command line, through /bin/sh, taken literally: nothing is
  // added) with stderr to `stderr_path`; waits until it listens.
  static std::unique_ptr<Daemon> FromCommand(const std::string& command,
                                             const std::string& stderr_path);
  ~Daemon();  // SIGKILLs if still running.

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  // The Prometheus endpoint's port, when started with --metrics_listen (else 0).
  int metrics_port() const { return metrics_port_; }
  // The HTTP front door's port, when started with --http_listen (else 0).
  int http_port() const { return http_port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // Everything the daemon wrote to stderr so far is in this file.
  const std::string& stderr_path() const { return stderr_path_; }
  std::shared_ptr<grpc::Channel> NewChannel() const;
  std::unique_ptr<v1::LogService::Stub> NewStub() const;

  // SIGTERM and wait; returns the exit status (as from waitpid's WEXITSTATUS, or 128+signal).
  int Stop();
  // SIGKILL and wait.
  void Kill();

 private:
  Daemon() = default;
  // Spawns argv with stdout to a pipe and stderr to stderr_path_, and waits for the port.
  void Start(const std::vector<std::string>& argv);
  int Wait();
  pid_t pid_ = -1;
  int port_ = 0;
  int metrics_port_ = 0;
  int http_port_ = 0;
  std::string stderr_path_;
};

// Runs salestrackd to completion (for start-up failures); returns exit code, fills stderr text.
// A daemon still running after 30 s is killed and -1 returned.
// Adds --insecure_no_auth as Daemon does.
int RunDaemonToExit(const std::vector<std::string>& flags, std::string* err);

// Runs the salestrack CLI with `args` (a shell-quoted string; add --server yourself) and collects
// its exit code, stdout and stderr.
struct CliResult {
  int code = -1;
  std::string out;
  std::string err;
};
CliResult RunCli(const std::string& args);

// Reads the whole log (no follow) through ReadEvents.
std::vector<v1::EventRecord> ReadAll(v1::LogService::Stub& stub, uint64_t from_seq = 1);

// Sends each batch as one request of an AppendStream (request ids 1, 2, ...), closes it, and
// returns the answers in order and the stream's final status.
struct StreamedAppends {
  std::vector<v1::AppendStreamResponse> answers;
  grpc::Status status;
};
StreamedAppends AppendOnStream(v1::LogService::Stub& stub,
                               const std::vector<std::vector<v1::Event>>& batches);

}  // namespace salestrack::testing

#endif  // SALESTRACK_TESTS_TEST_UTIL_H_
