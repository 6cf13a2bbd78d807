#include "server/raw_call.h"

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "grpcpp/impl/codegen/proto_utils.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "salestrack/event_error.h"
#include "server/undecodable.h"

namespace salestrack::server {

absl::StatusOr<Principal> Authorize(const engine::Engine& engine,
                                    const grpc::ServerContextBase& context,
                                    absl::string_view method) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  std::optional<absl::string_view> authorization;
  if (it != metadata.end()) authorization = absl::string_view(it->second.data(), it->second.size());
  return engine.Authenticate(authorization, method, context.peer());
}

std::string FlattenBuffer(const grpc::ByteBuffer& raw) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!raw.Dump(&slices).ok()) return bytes;
  bytes.reserve(raw.Length());
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return bytes;
}

namespace {

// "events[3].rest" -> (3, "rest"); anything else -> nullopt.
std::optional<EventErrorLocation> EventLocation(absl::string_view path) {
  if (!absl::ConsumePrefix(&path, "events[")) return std::nullopt;
  size_t close = path.find(']');
  int index = 0;
  if (close == absl::string_view::npos || !absl::SimpleAtoi(path.substr(0, close), &index)) {
    return std::nullopt;
  }
  path.remove_prefix(close + 1);
  absl::ConsumePrefix(&path, ".");
  return EventErrorLocation{index, std::string(path)};
}

}  // namespace

absl::Status ParseRequest(const grpc::ByteBuffer& raw, google::protobuf::Message* message) {
  message->Clear();
  if (!raw.Valid() || raw.Length() == 0) return absl::OkStatus();  // The empty message.
  grpc::ByteBuffer copy(raw);  // The reader needs a mutable buffer; this shares the slices.
  {
    grpc::ProtoBufferReader reader(&copy);
    if (reader.status().ok() && message->ParseFromZeroCopyStream(&reader)) return absl::OkStatus();
  }
  message->Clear();
  const google::protobuf::Descriptor& type = *message->GetDescriptor();
  UndecodableField bad = FindUndecodableField(type, FlattenBuffer(raw));
  const std::string reason = absl::StrCat("request does not decode as ", type.full_name(), ": ",
                                          bad.path.empty() ? "" : bad.path + ": ", bad.reason);
  absl::Status status = absl::InvalidArgumentError(reason);
  if (std::optional<EventErrorLocation> at = EventLocation(bad.path)) {
    SetEventErrorLocation(&status, at->event_index, at->field);
  }
  return status;
}

absl::Status SerializeReply(const google::protobuf::Message& message, grpc::ByteBuffer* raw) {
  raw->Clear();  // gRPC's writer requires an empty buffer.
  bool own = false;
  grpc::Status s =
      grpc::SerializationTraits<google::protobuf::Message>::Serialize(message, raw, &own);
  if (!s.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot encode the ", message.GetTypeName(), " reply: ", s.error_message()));
  }
  return absl::OkStatus();
}

}  // namespace salestrack::server
