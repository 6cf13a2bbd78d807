#include "server/reflection_v1.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "grpcpp/impl/server_initializer.h"
#include "salestrack/mutex.h"
#include "server/raw_call.h"

namespace salestrack::server {
namespace {

namespace rv1 = grpc::reflection::v1;
using google::protobuf::Descriptor;
using google::protobuf::DescriptorPool;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;

void Error(grpc::StatusCode code, const std::string& message, rv1::ServerReflectionResponse* out) {
  out->mutable_error_response()->set_error_code(static_cast<int32_t>(code));
  out->mutable_error_response()->set_error_message(message);
}

// The file and every file it imports, each once, as serialized FileDescriptorProtos (what a client
// needs to build the file's descriptors).
void AddFiles(const FileDescriptor* file, absl::flat_hash_set<std::string>* sent,
              rv1::FileDescriptorResponse* out) {
  if (!sent->insert(file->name()).second) return;
  google::protobuf::FileDescriptorProto proto;
  file->CopyTo(&proto);
  proto.SerializeToString(out->add_file_descriptor_proto());
  for (int i = 0; i < file->dependency_count(); ++i) AddFiles(file->dependency(i), sent, out);
}

// One ServerReflectionInfo stream: read a request, write its answer, read the next.
class Reactor final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  explicit Reactor(const ReflectionV1Service* service) : service_(service) { StartRead(&in_); }

  void OnReadDone(bool ok) override {
    if (!ok) return Finish(grpc::Status::OK);
    rv1::ServerReflectionRequest request;
    rv1::ServerReflectionResponse response;
    if (absl::Status s = ParseRequest(in_, &request); !s.ok()) {
      Error(grpc::StatusCode::INVALID_ARGUMENT, std::string(s.message()), &response);
    } else {
      service_->Answer(request, &response);
    }
    in_.Clear();
    if (absl::Status s = SerializeReply(response, &out_); !s.ok()) {
      return Finish(ToGrpcStatus(s));
    }
    StartWrite(&out_);
  }
  void OnWriteDone(bool ok) override {
    if (!ok) return Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    StartRead(&in_);
  }
  void OnDone() override { delete this; }

 private:
  const ReflectionV1Service* const service_;
  grpc::ByteBuffer in_;
  grpc::ByteBuffer out_;
};

class Plugin final : public grpc::ServerBuilderPlugin {
 public:
  std::string name() override { return "salestrack_reflection_v1"; }
  void InitServer(grpc::ServerInitializer* si) override {
    service_->SetServiceList(si->GetServiceList());
    si->RegisterService(service_);
  }
  void Finish(grpc::ServerInitializer* si) override {}
  void ChangeArguments(const std::string& name, void* value) override {}

 private:
  std::shared_ptr<ReflectionV1Service> service_ = std::make_shared<ReflectionV1Service>();
};

}  // namespace

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>*
ReflectionV1Service::ServerReflectionInfo(grpc::CallbackServerContext* context) {
  return new Reactor(this);
}

void ReflectionV1Service::Answer(const rv1::ServerReflectionRequest& request,
                                 rv1::ServerReflectionResponse* response) const {
  const DescriptorPool* pool = DescriptorPool::generated_pool();
  response->set_valid_host(request.host());
  *response->mutable_original_request() = request;
  const FileDescriptor* file = nullptr;
  switch (request.message_request_case()) {
    case rv1::ServerReflectionRequest::kListServices:
      if (services_ != nullptr) {
        for (const std::string& name : *services_) {
          response->mutable_list_services_response()->add_service()->set_name(name);
        }
      }
      return;
    case rv1::ServerReflectionRequest::kFileByFilename:
      file = pool->FindFileByName(request.file_by_filename());
      if (file == nullptr) {
        return Error(grpc::StatusCode::NOT_FOUND,
                     absl::StrCat("no file \"", request.file_by_filename(), "\""), response);
      }
      break;
    case rv1::ServerReflectionRequest::kFileContainingSymbol:
      file = pool->FindFileContainingSymbol(request.file_containing_symbol());
      if (file == nullptr) {
        return Error(grpc::StatusCode::NOT_FOUND,
                     absl::StrCat("no symbol \"", request.file_containing_symbol(), "\""),
                     response);
      }
      break;
    case rv1::ServerReflectionRequest::kFileContainingExtension: {
      const rv1::ExtensionRequest& ext = request.file_containing_extension();
      const Descriptor* type = pool->FindMessageTypeByName(ext.containing_type());
      const FieldDescriptor* field =
          type == nullptr ? nullptr : pool->FindExtensionByNumber(type, ext.extension_number());
      if (field == nullptr) {
        return Error(grpc::StatusCode::NOT_FOUND,
                     absl::StrCat("no extension ", ext.extension_number(), " of \"",
                                  ext.containing_type(), "\""),
                     response);
      }
      file = field->file();
      break;
    }
    case rv1::ServerReflectionRequest::kAllExtensionNumbersOfType: {
      const Descriptor* type = pool->FindMessageTypeByName(request.all_extension_numbers_of_type());
      if (type == nullptr) {
        return Error(
            grpc::StatusCode::NOT_FOUND,
            absl::StrCat("no message type \"", request.all_extension_numbers_of_type(), "\""),
            response);
      }
      std::vector<const FieldDescriptor*> extensions;
      pool->FindAllExtensions(type, &extensions);
      rv1::ExtensionNumberResponse* out = response->mutable_all_extension_numbers_response();
      out->set_base_type_name(type->full_name());
      for (const FieldDescriptor* e : extensions) out->add_extension_number(e->number());
      return;
    }
    case rv1::ServerReflectionRequest::MESSAGE_REQUEST_NOT_SET:
      return Error(grpc::StatusCode::INVALID_ARGUMENT,
                   "message_request: set one of file_by_filename, file_containing_symbol, "
                   "file_containing_extension, all_extension_numbers_of_type, list_services",
                   response);
  }
  absl::flat_hash_set<std::string> sent;
  AddFiles(file, &sent, response->mutable_file_descriptor_response());
}

void ReflectionV1Option::UpdatePlugins(
    std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) {
  plugins->push_back(std::make_unique<Plugin>());
}

}  // namespace salestrack::server
