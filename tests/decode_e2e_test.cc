// Requests that do not decode, through a real daemon (issue 18, item 8): every method of every
// service answers bytes that do not parse as its request type (invalid UTF-8 in a string, a
// truncated message) with INVALID_ARGUMENT naming the type and the field, after the caller's key
// is checked; an AppendStream answers such a request with an AppendError and goes on, so a valid
// request after it is answered and stored.
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "cli/channel.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "keyed_daemon.h"
#include "raw_client.h"
#include "salestrack/v1/kpi_service.pb.h"
#include "salestrack/v1/leaderboard_service.pb.h"
#include "salestrack/v1/log_service.pb.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::MethodDescriptor;
using ::salestrack::testing::Daemon;
using ::salestrack::testing::RawStream;
using ::salestrack::testing::RawUnary;
using ::salestrack::testing::TempDir;
using ::testing::HasSubstr;

// Field 1, length-delimited, declaring 5 bytes of which only 2 follow.
constexpr char kTruncated[] =
    "\x0a\x05"
    "ab";

// A length-delimited field.
std::string Field(int number, const std::string& payload) {
  std::string out(1, static_cast<char>((number << 3) | 2));
  out.push_back(static_cast<char>(payload.size()));  // Payloads here are short.
  return out + payload;
}

// Bytes of `type` whose first reachable string field holds invalid UTF-8, and that field's path
// ("subject.rep_id"); empty when the type has no string field within a few levels.
std::pair<std::string, std::string> BadUtf8(const Descriptor& type, int depth = 0) {
  if (depth > 3) return {};
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor* f = type.field(i);
    std::string name = f->is_repeated() ? absl::StrCat(f->name(), "[0]") : f->name();
    if (f->type() == FieldDescriptor::TYPE_STRING) {
      return {Field(f->number(), "ok\xff\xfe"), name};
    }
    if (f->type() == FieldDescriptor::TYPE_MESSAGE && !f->is_map()) {
      auto [bytes, path] = BadUtf8(*f->message_type(), depth + 1);
      if (!bytes.empty()) return {Field(f->number(), bytes), absl::StrCat(name, ".", path)};
    }
  }
  return {};
}

std::vector<const MethodDescriptor*> EveryMethod() {
  // Through the files' messages, which also links their descriptors into this binary.
  std::vector<const MethodDescriptor*> out;
  for (const google::protobuf::FileDescriptor* file :
       {v1::AppendRequest::descriptor()->file(), v1::GetKpisRequest::descriptor()->file(),
        v1::GetLeaderboardRequest::descriptor()->file()}) {
    for (int s = 0; s < file->service_count(); ++s) {
      for (int i = 0; i < file->service(s)->method_count(); ++i) {
        out.push_back(file->service(s)->method(i));
      }
    }
  }
  EXPECT_EQ(out.size(), 20);  // Every method of auth.cc's table.
  return out;
}

std::string Path(const MethodDescriptor& m) {
  return absl::StrCat("/", m.service()->full_name(), "/", m.name());
}

class DecodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { keyed_ = new testing::KeyedDaemon("", {{"root", "admin"}}); }
  static void TearDownTestSuite() { delete keyed_; }

  // One call of `method` with `request` as its bytes: its status.
  static grpc::Status Call(const MethodDescriptor& method, const std::string& request,
                           const std::string& token) {
    if (!method.client_streaming() && !method.server_streaming()) {
      std::string reply;
      return RawUnary(keyed_->daemon().NewChannel(), Path(method), request, &reply, token);
    }
    RawStream stream(keyed_->daemon().NewChannel(), Path(method), token);
    stream.Write(request);
    stream.WritesDone();
    std::string ignored;
    while (stream.Read(&ignored)) {
    }
    return stream.Finish();
  }

  static testing::KeyedDaemon* keyed_;
};

testing::KeyedDaemon* DecodeTest::keyed_ = nullptr;

TEST_F(DecodeTest, EveryMethodAnswersATruncatedRequestWithInvalidArgumentNamingTheType) {
  for (const MethodDescriptor* m : EveryMethod()) {
    if (m->client_streaming()) continue;  // AppendStream: answered in the stream (below).
    SCOPED_TRACE(Path(*m));
    grpc::Status s = Call(*m, kTruncated, keyed_->token("root"));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    const FieldDescriptor* first = m->input_type()->FindFieldByNumber(1);
    EXPECT_THAT(
        s.error_message(),
        HasSubstr(absl::StrCat("request does not decode as ", m->input_type()->full_name(), ": ",
                               first == nullptr       ? "#1"
                               : first->is_repeated() ? first->name() + "[0]"
                                                      : first->name(),
                               ": ")));
    EXPECT_THAT(s.error_message(), HasSubstr("truncated"));
  }
}

TEST_F(DecodeTest, EveryMethodAnswersInvalidUtf8WithInvalidArgumentNamingTheField) {
  int checked = 0;
  for (const MethodDescriptor* m : EveryMethod()) {
    if (m->client_streaming()) continue;
    auto [bytes, path] = BadUtf8(*m->input_type());
    if (bytes.empty()) continue;  // No string field (VerifyRequest, ...).
    SCOPED_TRACE(Path(*m));
    grpc::Status s = Call(*m, bytes, keyed_->token("root"));
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_THAT(s.error_message(),
                HasSubstr(absl::StrCat("request does not decode as ", m->input_type()->full_name(),
                                       ": ", path, ": is not valid UTF-8")));
    ++checked;
  }
  EXPECT_GE(checked, 9);
}

// The key first: a caller without one learns nothing from the bytes it sent.
TEST_F(DecodeTest, AnUnauthenticatedCallerGetsUnauthenticatedWhateverItSends) {
  for (const MethodDescriptor* m : EveryMethod()) {
    SCOPED_TRACE(Path(*m));
    grpc::Status s = Call(*m, kTruncated, "not-a-key");
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << s.error_message();
    EXPECT_THAT(s.error_message(), ::testing::Not(HasSubstr("decode")));
  }
}

TEST_F(DecodeTest, AppendStreamAnswersUndecodableRequestsAndGoesOn) {
  RawStream stream(keyed_->daemon().NewChannel(), "/salestrack.v1.LogService/AppendStream",
                   keyed_->token("root"));
  // 1: invalid UTF-8 in events[1].action_logged.customer_id (request_id 7 still readable).
  v1::AppendRequest bad;
  bad.set_request_id(7);
  *bad.add_events() = testing::Action("dec-0", "rep-1", "cust", testing::ThreeHoursAgo());
  *bad.add_events() = testing::Action("dec-1", "rep-1", "ZZZZ", testing::ThreeHoursAgo());
  std::string bytes = absl::StrReplaceAll(bad.SerializeAsString(), {{"ZZZZ", "\xff\xfe\xff\xfe"}});
  ASSERT_TRUE(stream.Write(bytes));
  // 2: truncated inside its first event.
  v1::AppendRequest cut;
  *cut.add_events() = testing::Action("dec-2", "rep-1", "cust", testing::ThreeHoursAgo());
  cut.set_request_id(8);
  ASSERT_TRUE(stream.Write(cut.SerializeAsString().substr(0, 20)));
  // 3: valid.
  v1::AppendRequest good;
  good.set_request_id(9);
  *good.add_events() = testing::Action("dec-3", "rep-1", "cust", testing::ThreeHoursAgo());
  ASSERT_TRUE(stream.Write(good));
  ASSERT_TRUE(stream.WritesDone());

  v1::AppendStreamResponse answer;
  ASSERT_TRUE(stream.Read(&answer));
  EXPECT_EQ(answer.request_id(), 7);
  ASSERT_TRUE(answer.has_error());
  EXPECT_EQ(answer.error().code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(answer.error().event_index(), 1);
  EXPECT_EQ(answer.error().field(), "action_logged.customer_id");
  EXPECT_THAT(answer.error().message(),
              HasSubstr("request does not decode as salestrack.v1.AppendRequest: "
                        "events[1].action_logged.customer_id: is not valid UTF-8"));

  ASSERT_TRUE(stream.Read(&answer));
  ASSERT_TRUE(answer.has_error());
  EXPECT_EQ(answer.error().code(), static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(answer.error().event_index(), 0);
  EXPECT_THAT(answer.error().message(), HasSubstr("truncated"));

  ASSERT_TRUE(stream.Read(&answer));
  EXPECT_EQ(answer.request_id(), 9);
  ASSERT_TRUE(answer.has_ok()) << answer.error().message();
  ASSERT_EQ(answer.ok().seqs_size(), 1);
  EXPECT_FALSE(stream.Read(&answer));
  EXPECT_TRUE(stream.Finish().ok());

  // Only the valid request was stored.
  std::vector<std::string> ids;
  for (const v1::EventRecord& r :
       testing::ReadAll(*v1::LogService::NewStub(keyed_->Channel("root")))) {
    ids.push_back(r.event().event_id());
  }
  EXPECT_THAT(ids, ::testing::ElementsAre("dec-3"));
}

}  // namespace
}  // namespace salestrack
