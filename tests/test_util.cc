#include "test_util.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "absl/strings/str_cat.h"

namespace salestrack::testing {

namespace {

pid_t SpawnArgv(std::vector<std::string> argv, int stdout_fd, int stderr_fd) {
  pid_t pid = fork();
  if (pid == 0) {
    dup2(stdout_fd, 1);
    dup2(stderr_fd, 2);
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

pid_t Spawn(const std::vector<std::string>& flags, int stdout_fd, int stderr_fd) {
  std::vector<std::string> argv = {SALESTRACKD_PATH};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return SpawnArgv(std::move(argv), stdout_fd, stderr_fd);
}

// Tests that are not about access control run without API keys; those that are pass
// --insecure_no_auth=false (and a config with keys).
std::vector<std::string> WithoutAuthUnlessAsked(std::vector<std::string> flags) {
  for (const std::string& f : flags) {
    if (f.rfind("--insecure_no_auth", 0) == 0) return flags;
  }
  flags.push_back("--insecure_no_auth");
  return flags;
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

Daemon::Daemon(const std::string& data_dir, std::vector<std::string> extra_flags) {
  stderr_path_ = data_dir + ".stderr";
  std::vector<std::string> argv = {SALESTRACKD_PATH, "--listen=127.0.0.1:0",
                                   "--data_dir=" + data_dir};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  Start(WithoutAuthUnlessAsked(argv));
}

std::unique_ptr<Daemon> Daemon::FromCommand(const std::string& command,
                                            const std::string& stderr_path) {
  std::unique_ptr<Daemon> d(new Daemon());
  d->stderr_path_ = stderr_path;
  d->Start({"/bin/sh", "-c", "exec " + command});
  return d;
}

void Daemon::Start(const std::vector<std::string>& argv) {
  int err_fd = open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  pid_ = SpawnArgv(argv, pipe_fds[1], err_fd);
  close(pipe_fds[1]);
  close(err_fd);
  // Wait for "salestrackd listening on ... port N[ metrics_port M]".
  FILE* out = fdopen(pipe_fds[0], "r");
  char line[512];
  while (fgets(line, sizeof line, out) != nullptr) {
    if (const char* p = strstr(line, " port "); p != nullptr) {
      port_ = atoi(p + 6);
      if (const char* m = strstr(line, " metrics_port "); m != nullptr)
        metrics_port_ = atoi(m + 14);
      if (const char* h = strstr(line, " http_port "); h != nullptr) http_port_ = atoi(h + 11);
      break;
    }
  }
  fclose(out);  // The daemon prints nothing else to stdout.
  if (port_ == 0) {
    Wait();
    std::ifstream err(stderr_path_);
    std::stringstream text;
    text << err.rdbuf();
    throw std::runtime_error("salestrackd did not start: " + text.str());
  }
}

Daemon::~Daemon() {
  if (pid_ > 0) Kill();
}

std::shared_ptr<grpc::Channel> Daemon::NewChannel() const {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  return grpc::CreateCustomChannel(address(), grpc::InsecureChannelCredentials(), args);
}

std::unique_ptr<v1::LogService::Stub> Daemon::NewStub() const {
  return v1::LogService::NewStub(NewChannel());
}

int Daemon::Wait() {
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return ExitCode(status);
}

int Daemon::Stop() {
  kill(pid_, SIGTERM);
  return Wait();
}

void Daemon::Kill() {
  kill(pid_, SIGKILL);
  Wait();
}

int RunDaemonToExit(const std::vector<std::string>& flags, std::string* err) {
  TempDir tmp;
  std::string err_path = tmp.Sub("stderr");
  int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT, 0644);
  int null_fd = open("/dev/null", O_WRONLY);
  pid_t pid = Spawn(WithoutAuthUnlessAsked(flags), null_fd, err_fd);
  close(err_fd);
  close(null_fd);
  // A daemon that should have refused to start but serves instead is killed after 30 s.
  int status = 0;
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (absl::Now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      *err = ReadFile(err_path) + "\n(still running after 30 s: killed)";
      return -1;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  *err = ReadFile(err_path);
  return ExitCode(status);
}

CliResult RunCli(const std::string& args) {
  TempDir tmp;
  std::string err_path = tmp.Sub("stderr");
  std::string cmd = std::string(SALESTRACK_CLI_PATH) + " " + args + " 2>" + err_path;
  CliResult result;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) throw std::runtime_error("popen failed: " + cmd);
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) result.out.append(buf, n);
  int status = pclose(p);
  result.code = ExitCode(status);
  result.err = ReadFile(err_path);
  return result;
}

std::vector<v1::EventRecord> ReadAll(v1::LogService::Stub& stub, uint64_t from_seq) {
  grpc::ClientContext context;
  v1::ReadEventsRequest request;
  request.set_from_seq(from_seq);
  auto reader = stub.ReadEvents(&context, request);
  std::vector<v1::EventRecord> records;
  v1::ReadEventsResponse response;
  while (reader->Read(&response)) {
    for (const auto& r : response.records()) records.push_back(r);
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) throw std::runtime_error("ReadEvents: " + status.error_message());
  return records;
}

StreamedAppends AppendOnStream(v1::LogService::Stub& stub,
                               const std::vector<std::vector<v1::Event>>& batches) {
  grpc::ClientContext context;
  auto stream = stub.AppendStream(&context);
  for (size_t i = 0; i < batches.size(); ++i) {
    v1::AppendRequest request;
    request.set_request_id(i + 1);
    for (const v1::Event& e : batches[i]) *request.add_events() = e;
    stream->Write(request);
  }
  stream->WritesDone();
  StreamedAppends out;
  v1::AppendStreamResponse answer;
  while (stream->Read(&answer)) out.answers.push_back(answer);
  out.status = stream->Finish();
  return out;
}

}  // namespace salestrack::testing
