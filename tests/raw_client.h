// Raw gRPC calls for tests: any bytes to any method through grpc::GenericStub, so a test can send
// what a typed stub never would (invalid UTF-8, truncated messages), and requests it never reads.
#ifndef SALESTRACK_TESTS_RAW_CLIENT_H_
#define SALESTRACK_TESTS_RAW_CLIENT_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"

namespace salestrack::testing {

// One unary call with `request` as the raw message; on OK, `reply` holds the raw answer.
grpc::Status RawUnary(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                      const std::string& request, std::string* reply,
                      const std::string& token = "");

// One streaming call (any kind: a server-streaming method takes its one request through Write).
// Each operation waits for its completion, up to `timeout`; false when it failed or timed out.
class RawStream {
 public:
  RawStream(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
            const std::string& token = "", absl::Duration timeout = absl::Seconds(30));
  ~RawStream();  // Cancels the call if it was not finished.

  bool Write(const std::string& message);
  bool Write(const google::protobuf::Message& message) {
    return Write(message.SerializeAsString());
  }
  bool WritesDone();
  bool Read(std::string* message);
  // Reads one message as `M` (false: none, or it did not parse).
  template <typename M>
  bool Read(M* message) {
    std::string raw;
    return Read(&raw) && message->ParseFromString(raw);
  }
  grpc::Status Finish();
  grpc::ClientContext& context() { return context_; }

 private:
  bool Wait(void* tag);

  grpc::CompletionQueue cq_;
  grpc::GenericStub stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  absl::Duration timeout_;
  bool finished_ = false;
  bool broken_ = false;  // An operation timed out: its tag is still pending.
  // Where a pending Read and Finish write when they complete: members, not locals, because a timed
  // out operation completes later (at the latest in the destructor's drain of cq_).
  grpc::ByteBuffer read_buffer_;
  grpc::Status finish_status_;
};

}  // namespace salestrack::testing

#endif  // SALESTRACK_TESTS_RAW_CLIENT_H_
