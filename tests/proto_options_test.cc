// Every .proto of the wire API carries the same options for other languages' generated code (Go
// import path, Java package and outer class, C# namespace), read back from the descriptors protoc
// compiled into the build, so a file added to proto/salestrack/v1/ without them fails here.
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "gtest/gtest.h"
#include "salestrack/v1/config.pb.h"
#include "salestrack/v1/events.pb.h"
#include "salestrack/v1/import_mapping.pb.h"
#include "salestrack/v1/kpi_service.pb.h"
#include "salestrack/v1/leaderboard_service.pb.h"
#include "salestrack/v1/log_service.pb.h"

namespace salestrack {
namespace {

// "leaderboard_service" -> "LeaderboardServiceProto": protoc's and Buf's naming of outer classes.
std::string OuterClassName(const std::string& stem) {
  std::string name;
  for (absl::string_view word : absl::StrSplit(stem, '_')) {
    if (word.empty()) continue;
    absl::StrAppend(&name, std::string(1, static_cast<char>(toupper(word[0]))), word.substr(1));
  }
  return name + "Proto";
}

TEST(ProtoOptionsTest, EveryWireApiFileHasTheSameLanguageOptions) {
  // One message of each file: its descriptor is that file's, as protoc compiled it.
  std::map<std::string, const google::protobuf::FileDescriptor*> files;
  for (const google::protobuf::Descriptor* d :
       {v1::DaemonConfig::descriptor(), v1::Event::descriptor(), v1::GetKpisRequest::descriptor(),
        v1::GetLeaderboardRequest::descriptor(), v1::AppendRequest::descriptor(),
        v1::ImportMapping::descriptor()}) {
    files[d->file()->name()] = d->file();
  }

  std::set<std::string> stems;
  const std::filesystem::path dir =
      std::filesystem::path(SALESTRACK_SOURCE_DIR) / "proto/salestrack/v1";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".proto") stems.insert(entry.path().stem().string());
  }
  ASSERT_EQ(stems.size(), files.size()) << "a new .proto: add one of its messages above";

  for (const std::string& stem : stems) {
    SCOPED_TRACE(stem);
    auto it = files.find(absl::StrCat("salestrack/v1/", stem, ".proto"));
    ASSERT_NE(it, files.end());
    const google::protobuf::FileDescriptor* file = it->second;
    const google::protobuf::FileOptions& options = file->options();
    EXPECT_EQ(options.go_package(), "salestrack/gen/go/salestrack/v1;salestrackv1");
    EXPECT_EQ(options.java_package(), "com.salestrack.v1");
    EXPECT_TRUE(options.java_multiple_files());
    EXPECT_EQ(options.java_outer_classname(), OuterClassName(stem));
    EXPECT_EQ(options.csharp_namespace(), "Salestrack.V1");
  }
}

}  // namespace
}  // namespace salestrack
