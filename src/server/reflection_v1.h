// grpc.reflection.v1.ServerReflection, which `grpcurl` and `buf curl` ask first. libgrpc++ 1.51
// ships only the v1alpha service (its reflection plugin, also served); v1 is the same messages in
// another package, answered here from the same generated descriptor pool, with the same list of
// services.
//
//   builder.SetOption(std::make_unique<ReflectionV1Option>());  // before BuildAndStart
//
// Like gRPC's own reflection (and health), it needs no API key: the schema is public.
#ifndef SALESTRACK_SERVER_REFLECTION_V1_H_
#define SALESTRACK_SERVER_REFLECTION_V1_H_

#include <memory>
#include <string>
#include <vector>

#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/server_builder_option.h"

namespace salestrack::server {

// The service; requests are parsed as in raw_call.h (one that does not parse gets an ErrorResponse
// with INVALID_ARGUMENT, and the stream goes on). One request is answered at a time.
class ReflectionV1Service final
    : public grpc::reflection::v1::ServerReflection::WithRawCallbackMethod_ServerReflectionInfo<
          grpc::reflection::v1::ServerReflection::Service> {
 public:
  // The server's service names (gRPC's list, which it fills as services register). REQUIRES: set
  // before the server starts, and outliving it.
  void SetServiceList(const std::vector<std::string>* services) { services_ = services; }

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* ServerReflectionInfo(
      grpc::CallbackServerContext* context) override;

  // One answer (exposed for the reactor).
  void Answer(const grpc::reflection::v1::ServerReflectionRequest& request,
              grpc::reflection::v1::ServerReflectionResponse* response) const;

 private:
  const std::vector<std::string>* services_ = nullptr;
};

// Registers a ReflectionV1Service with the server being built and hands it the service list.
class ReflectionV1Option final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments* args) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override;
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_REFLECTION_V1_H_
