// Server reflection through a real daemon (issue 18, item 12), as grpcurl and `buf curl` use it:
// both grpc.reflection.v1 and v1alpha list every service the daemon serves, and every listed
// service, grpc.health.v1.Health included, can be described from the file descriptors they return
// alone. (grpcurl itself is not a Debian package, so the test is this client.)
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpc/reflection/v1/reflection.pb.h"
#include "gtest/gtest.h"
#include "raw_client.h"
#include "test_util.h"

namespace salestrack {
namespace {

namespace rv1 = ::grpc::reflection::v1;
using ::salestrack::testing::Daemon;
using ::salestrack::testing::RawStream;
using ::salestrack::testing::TempDir;
using ::testing::IsSupersetOf;

// v1alpha's messages are v1's under another package name: one client speaks both.
class Reflection {
 public:
  Reflection(const Daemon& daemon, const std::string& package)
      : stream_(daemon.NewChannel(),
                absl::StrCat("/", package, ".ServerReflection/ServerReflectionInfo")) {}

  rv1::ServerReflectionResponse Ask(const rv1::ServerReflectionRequest& request) {
    rv1::ServerReflectionResponse response;
    EXPECT_TRUE(stream_.Write(request));
    EXPECT_TRUE(stream_.Read(&response));
    return response;
  }
  rv1::ServerReflectionResponse AskRaw(const std::string& bytes) {
    rv1::ServerReflectionResponse response;
    EXPECT_TRUE(stream_.Write(bytes));
    EXPECT_TRUE(stream_.Read(&response));
    return response;
  }

  std::vector<std::string> Services() {
    rv1::ServerReflectionRequest request;
    request.set_list_services("");
    std::vector<std::string> names;
    rv1::ServerReflectionResponse response = Ask(request);
    for (const rv1::ServiceResponse& s : response.list_services_response().service()) {
      names.push_back(s.name());
    }
    return names;
  }

  // Builds the files describing `symbol` into `pool` from the answer alone; false if it cannot.
  bool Describe(const std::string& symbol, google::protobuf::DescriptorPool* pool) {
    rv1::ServerReflectionRequest request;
    request.set_file_containing_symbol(symbol);
    rv1::ServerReflectionResponse response = Ask(request);
    if (!response.has_file_descriptor_response()) {
      ADD_FAILURE() << symbol << ": " << response.error_response().error_message();
      return false;
    }
    std::vector<google::protobuf::FileDescriptorProto> files;
    for (const std::string& bytes : response.file_descriptor_response().file_descriptor_proto()) {
      files.emplace_back().ParseFromString(bytes);
    }
    // Dependencies first, in whatever order they came.
    for (bool progress = true; progress;) {
      progress = false;
      for (const auto& f : files) {
        if (pool->FindFileByName(f.name()) != nullptr) continue;
        bool ready = true;
        for (const std::string& dep : f.dependency()) ready &= pool->FindFileByName(dep) != nullptr;
        if (ready && pool->BuildFile(f) != nullptr) progress = true;
      }
    }
    return true;
  }

 private:
  RawStream stream_;
};

class ReflectionTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    daemon_ = new Daemon(dir_->Sub("data"));
  }
  static void TearDownTestSuite() {
    delete daemon_;
    delete dir_;
  }
  static TempDir* dir_;
  static Daemon* daemon_;
};

TempDir* ReflectionTest::dir_ = nullptr;
Daemon* ReflectionTest::daemon_ = nullptr;

TEST_P(ReflectionTest, ListsEveryServiceAndDescribesEachFromItsAnswerAlone) {
  Reflection reflection(*daemon_, GetParam());
  std::vector<std::string> services = reflection.Services();
  EXPECT_THAT(services,
              IsSupersetOf({"salestrack.v1.LogService", "salestrack.v1.KpiService",
                            "salestrack.v1.AdminService", "salestrack.v1.LeaderboardService",
                            "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
                            "grpc.reflection.v1alpha.ServerReflection"}));
  for (const std::string& name : services) {
    SCOPED_TRACE(name);
    google::protobuf::DescriptorPool pool;
    ASSERT_TRUE(reflection.Describe(name, &pool));
    const google::protobuf::ServiceDescriptor* service = pool.FindServiceByName(name);
    ASSERT_NE(service, nullptr) << "the answer does not describe " << name;
    EXPECT_GT(service->method_count(), 0);
    for (int i = 0; i < service->method_count(); ++i) {
      EXPECT_NE(service->method(i)->input_type(), nullptr);
    }
  }
  google::protobuf::DescriptorPool health;
  ASSERT_TRUE(reflection.Describe("grpc.health.v1.Health", &health));
  const google::protobuf::MethodDescriptor* check =
      health.FindMethodByName("grpc.health.v1.Health.Check");
  ASSERT_NE(check, nullptr);
  EXPECT_EQ(check->input_type()->full_name(), "grpc.health.v1.HealthCheckRequest");
}

TEST_P(ReflectionTest, UnknownSymbolsAreNotFound) {
  Reflection reflection(*daemon_, GetParam());
  rv1::ServerReflectionRequest request;
  request.set_file_containing_symbol("no.such.Service");
  rv1::ServerReflectionResponse response = reflection.Ask(request);
  ASSERT_TRUE(response.has_error_response());
  EXPECT_EQ(response.error_response().error_code(), static_cast<int>(grpc::StatusCode::NOT_FOUND));
}

INSTANTIATE_TEST_SUITE_P(Versions, ReflectionTest,
                         ::testing::Values("grpc.reflection.v1", "grpc.reflection.v1alpha"),
                         [](const auto& info) {
                           return info.param == "grpc.reflection.v1" ? "v1" : "v1alpha";
                         });

// Ours parses its own requests (raw_call.h): bad bytes get an answer and the stream goes on.
TEST(ReflectionV1Test, AnUndecodableRequestIsAnsweredAndTheStreamGoesOn) {
  TempDir dir;
  Daemon daemon(dir.Sub("data"));
  Reflection reflection(daemon, "grpc.reflection.v1");
  rv1::ServerReflectionResponse bad = reflection.AskRaw("\x1a\x03\xff\xfe\xfd");
  ASSERT_TRUE(bad.has_error_response());
  EXPECT_EQ(bad.error_response().error_code(),
            static_cast<int>(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(bad.error_response().error_message(),
              ::testing::HasSubstr("grpc.reflection.v1.ServerReflectionRequest: file_by_filename: "
                                   "is not valid UTF-8"));
  EXPECT_THAT(reflection.Services(), ::testing::Contains("grpc.health.v1.Health"));
}

}  // namespace
}  // namespace salestrack
