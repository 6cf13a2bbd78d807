#include "keyed_daemon.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "auth/api_token.h"
#include "cli/channel.h"
#include "gtest/gtest.h"

namespace salestrack::testing {

std::string NewTestToken() {
  absl::StatusOr<std::string> token = NewApiToken();
  EXPECT_TRUE(token.ok()) << token.status();
  return token.ok() ? *token : "";
}

std::string ApiKeyEntry(const TestKey& key, const std::string& token) {
  return absl::StrCat("api_keys { name: \"", key.name, "\" role: \"", key.role, "\" sha256: \"",
                      Sha256Hex(token), "\" ", key.fields, " }\n");
}

KeyedDaemon::KeyedDaemon(const std::string& config, const std::vector<TestKey>& keys,
                         std::vector<std::string> extra_flags) {
  std::string text = config;
  for (const TestKey& key : keys) {
    std::string token = NewTestToken();
    tokens_[key.name] = token;
    text += ApiKeyEntry(key, token);
  }
  std::ofstream(dir_.Sub("d.conf")) << text;
  extra_flags.push_back("--config=" + dir_.Sub("d.conf"));
  extra_flags.push_back("--insecure_no_auth=false");
  daemon_ = std::make_unique<Daemon>(dir_.Sub("data"), std::move(extra_flags));
}

std::string KeyedDaemon::token(const std::string& name) const {
  auto it = tokens_.find(name);
  EXPECT_TRUE(it != tokens_.end()) << "no key named " << name;
  return it == tokens_.end() ? "" : it->second;
}

std::shared_ptr<grpc::Channel> KeyedDaemon::Channel(const std::string& name) const {
  cli::ChannelOptions options;
  options.token = token(name);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      cli::NewChannel(daemon_->address(), options);
  EXPECT_TRUE(channel.ok()) << channel.status();
  return channel.ok() ? *channel : nullptr;
}

}  // namespace salestrack::testing
