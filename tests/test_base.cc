#include "test_base.h"

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace salestrack::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/salestrack-test-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

v1::Event Action(const std::string& event_id, const std::string& rep, const std::string& customer,
                 absl::Time when) {
  v1::Event e;
  e.set_event_id(event_id);
  e.set_rep_id(rep);
  *e.mutable_occurred_at() = ToProto(when);
  v1::ActionLogged* a = e.mutable_action_logged();
  a->set_customer_id(customer);
  a->set_subject("product demo");
  a->set_location("Shanghai office");
  a->set_purpose(v1::INTRODUCE_PRODUCT);
  a->set_channel(v1::PHONE);
  a->set_cost(1500);
  a->set_duration_minutes(30);
  return e;
}

absl::Time ThreeHoursAgo() {
  return absl::FromUnixMicros(absl::ToUnixMicros(absl::Now() - absl::Hours(3)));
}

std::vector<v1::Event> RecentActions(const std::string& prefix, const std::string& rep, int n) {
  std::vector<v1::Event> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(Action(absl::StrCat(prefix, i), rep, "cust-1", ThreeHoursAgo()));
  }
  return out;
}

v1::Event Contract(const std::string& event_id, const std::string& rep,
                   const std::string& contract_id, int64_t amount, absl::Time when) {
  v1::Event e;
  e.set_event_id(event_id);
  e.set_rep_id(rep);
  *e.mutable_occurred_at() = ToProto(when);
  v1::ContractSigned* c = e.mutable_contract_signed();
  c->set_contract_id(contract_id);
  c->set_customer_id("cust-1");
  c->set_amount(amount);
  return e;
}

v1::Event OpportunityOpened(const std::string& event_id, const std::string& rep,
                            const std::string& opportunity_id, absl::Time when) {
  v1::Event e;
  e.set_event_id(event_id);
  e.set_rep_id(rep);
  *e.mutable_occurred_at() = ToProto(when);
  e.mutable_opportunity_opened()->set_opportunity_id(opportunity_id);
  e.mutable_opportunity_opened()->set_customer_id("c");
  return e;
}

v1::Event Void(const std::string& event_id, const std::string& target, absl::Time when) {
  v1::Event e;
  e.set_event_id(event_id);
  *e.mutable_occurred_at() = ToProto(when);
  e.mutable_event_voided()->set_target_event_id(target);
  e.mutable_event_voided()->set_reason("entered twice");
  return e;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

ShellRun RunShell(const std::string& command) {
  ShellRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  int status = pclose(pipe);
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace salestrack::testing
