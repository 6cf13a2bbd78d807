// The salestrack CLI's connection to salestrackd: the channel, plaintext or TLS (optionally with a
// client certificate), with the API key sent on every call (metadata "authorization: Bearer TOKEN",
// added by a client interceptor so no command can forget it). Tests use it too.
#ifndef SALESTRACK_TOOLS_CLI_CHANNEL_H_
#define SALESTRACK_TOOLS_CLI_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"

namespace salestrack::cli {

struct ChannelOptions {
  std::string token;  // Empty: no authorization metadata.
  // TLS when `tls` or any of the files is set. PEM files: the CA that signed the server's
  // certificate (default: the system's roots), and the client's certificate and key (for a daemon
  // that requires client certificates). server_name overrides the name the server certificate
  // must carry (default: the host of the target).
  bool tls = false;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_server_name;
};

absl::StatusOr<std::shared_ptr<grpc::Channel>> NewChannel(const std::string& target,
                                                          const ChannelOptions& options);

}  // namespace salestrack::cli

#endif  // SALESTRACK_TOOLS_CLI_CHANNEL_H_
