#include "raw_client.h"

#include <vector>

namespace salestrack::testing {
namespace {

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  (void)buffer.Dump(&slices);
  for (const grpc::Slice& s : slices)
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

void AddToken(grpc::ClientContext* context, const std::string& token) {
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
}

}  // namespace

grpc::Status RawUnary(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                      const std::string& request, std::string* reply, const std::string& token) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  AddToken(&context, token);
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
      stub.PrepareUnaryCall(&context, method, ToBuffer(request), &cq);
  call->StartCall();
  grpc::ByteBuffer response;
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag;
  bool ok;
  cq.Next(&tag, &ok);
  if (status.ok()) *reply = FromBuffer(response);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

RawStream::RawStream(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                     const std::string& token, absl::Duration timeout)
    : stub_(channel), timeout_(timeout) {
  AddToken(&context_, token);
  call_ = stub_.PrepareCall(&context_, method, &cq_);
  call_->StartCall(reinterpret_cast<void*>(1));
  Wait(reinterpret_cast<void*>(1));
}

RawStream::~RawStream() {
  if (!finished_) context_.TryCancel();
  if (!finished_ && !broken_) call_->Finish(&finish_status_, reinterpret_cast<void*>(9));
  cq_.Shutdown();
  void* tag;
  bool ok;
  while (cq_.Next(&tag, &ok)) {
  }
}

bool RawStream::Wait(void* want) {
  void* tag;
  bool ok;
  switch (cq_.AsyncNext(&tag, &ok, absl::ToChronoTime(absl::Now() + timeout_))) {
    case grpc::CompletionQueue::GOT_EVENT:
      return tag == want && ok;
    default:
      broken_ = true;
      return false;
  }
}

bool RawStream::Write(const std::string& message) {
  call_->Write(ToBuffer(message), reinterpret_cast<void*>(2));
  return Wait(reinterpret_cast<void*>(2));
}

bool RawStream::WritesDone() {
  call_->WritesDone(reinterpret_cast<void*>(3));
  return Wait(reinterpret_cast<void*>(3));
}

bool RawStream::Read(std::string* message) {
  call_->Read(&read_buffer_, reinterpret_cast<void*>(4));
  if (!Wait(reinterpret_cast<void*>(4))) return false;
  *message = FromBuffer(read_buffer_);
  return true;
}

grpc::Status RawStream::Finish() {
  call_->Finish(&finish_status_, reinterpret_cast<void*>(5));
  if (!Wait(reinterpret_cast<void*>(5))) {
    return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "Finish timed out in the test");
  }
  finished_ = true;
  return finish_status_;
}

}  // namespace salestrack::testing
