// The salestrack CLI's connection to salestrackd: the channel, with the API key sent on every call
// (metadata "authorization: Bearer TOKEN", added by a client interceptor so no command can forget
// it). Tests use it too.
#ifndef SALESTRACK_TOOLS_CLI_CHANNEL_H_
#define SALESTRACK_TOOLS_CLI_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"

namespace salestrack::cli {

struct ChannelOptions {
  std::string token;  // Empty: no authorization metadata.
};

absl::StatusOr<std::shared_ptr<grpc::Channel>> NewChannel(const std::string& target,
                                                          const ChannelOptions& options);

}  // namespace salestrack::cli

#endif  // SALESTRACK_TOOLS_CLI_CHANNEL_H_
