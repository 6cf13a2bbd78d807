// tools/check_layers.sh, run on copies of a small tree without .git (as a fresh machine's copy):
// an include each layer must not have, planted one at a time, fails naming the file, the line and
// the include; what a layer may include passes; a tree without sources fails. The real tree passes.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_base.h"

namespace salestrack::testing {
namespace {

using ::testing::HasSubstr;

// Runs the script of the source tree on `root`, with stderr in the output.
ShellRun CheckLayers(const std::string& root) {
  return RunShell(absl::StrCat(SALESTRACK_SOURCE_DIR, "/tools/check_layers.sh '", root, "' 2>&1"));
}

// A tree with one clean file per layer, each including what its layer may.
void WriteCleanTree(const TempDir& tree) {
  const std::pair<const char*, const char*> files[] = {
      {"include/salestrack/a.h", "#include \"absl/status/status.h\"\n"},
      {"src/core/a.cc", "#include \"salestrack/v1/events.pb.h\"\n#include <string>\n"},
      {"src/auth/a.cc", "#include \"openssl/sha.h\"\n"},
      {"src/store/a.cc", "#include \"rocksdb/db.h\"\n#include \"salestrack/a.h\"\n"},
      {"src/engine/a.cc", "#include \"store/a.h\"\n#include \"auth/a.h\"\n"},
      {"src/server/a.cc", "#include \"grpcpp/grpcpp.h\"\n#include \"engine/a.h\"\n"},
      {"src/cmdline/a.cc", "#include \"absl/flags/flag.h\"\n"},
      {"src/notify/a.cc", "#include \"engine/engine.h\"\n#include <curl/curl.h>\n"},
      {"tools/cli/a.cc",
       "#include \"salestrack/v1/log_service.grpc.pb.h\"\n#include \"auth/a.h\"\n"},
  };
  for (const auto& [path, text] : files) {
    std::filesystem::create_directories(std::filesystem::path(tree.Sub(path)).parent_path());
    std::ofstream(tree.Sub(path)) << "// A file.\n" << text;
  }
}

TEST(CheckLayersTest, TheRealTreePasses) {
  ShellRun run = CheckLayers(SALESTRACK_SOURCE_DIR);
  EXPECT_EQ(run.code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("C++ files include only what their layers may"));
}

TEST(CheckLayersTest, WhatEachLayerMayIncludePasses) {
  TempDir tree;
  WriteCleanTree(tree);
  ShellRun run = CheckLayers(tree.path());
  EXPECT_EQ(run.code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("layers: 9 C++ files"));
}

TEST(CheckLayersTest, EachForbiddenIncludeFailsNamingFileLineAndInclude) {
  struct Plant {
    const char* file;
    const char* include;
  };
  const Plant plants[] = {
      {"src/core/b.cc", "grpcpp/grpcpp.h"},
      {"src/core/b.h", "salestrack/v1/log_service.grpc.pb.h"},
      {"src/core/b.cc", "rocksdb/db.h"},
      {"src/core/b.cc", "openssl/sha.h"},
      {"include/salestrack/b.h", "store/log_store.h"},
      {"src/core/b.cc", "auth/api_token.h"},
      {"src/core/b.cc", "server/views.h"},
      {"src/core/b.cc", "engine/views.h"},
      {"src/core/b.cc", "cli/channel.h"},
      {"src/auth/b.cc", "rocksdb/db.h"},
      {"src/store/b.cc", "grpc/health/v1/health.pb.h"},
      {"src/store/b.cc", "engine/views.h"},
      {"src/store/b.cc", "server/config.h"},
      {"src/engine/b.cc", "grpcpp/server_context.h"},
      {"src/engine/b.cc", "salestrack/v1/kpi_service.grpc.pb.h"},
      {"src/engine/b.cc", "server/auth.h"},
      {"src/engine/b.cc", "notify/notifier.h"},
      {"src/store/b.cc", "notify/outbox.h"},
      {"src/notify/b.cc", "grpcpp/grpcpp.h"},
      {"src/notify/b.cc", "server/server.h"},
      {"src/server/b.cc", "cli/commands.h"},
      {"src/cmdline/b.cc", "grpcpp/grpcpp.h"},
      {"tools/cli/b.cc", "store/log_store.h"},
      {"tools/cli/b.cc", "engine/views.h"},
      {"tools/cli/b.cc", "server/server.h"},
      {"tools/cli/b.cc", "rocksdb/db.h"},
  };
  for (const Plant& plant : plants) {
    SCOPED_TRACE(absl::StrCat(plant.file, " includes ", plant.include));
    TempDir tree;
    WriteCleanTree(tree);
    std::ofstream(tree.Sub(plant.file))
        << "// A file.\n#include <string>\n\n#include \"" << plant.include << "\"\n";
    ShellRun run = CheckLayers(tree.path());
    EXPECT_EQ(run.code, 1) << run.out;
    EXPECT_THAT(run.out,
                HasSubstr(absl::StrCat(plant.file, ":4: includes \"", plant.include, "\"")));
    EXPECT_THAT(run.out, HasSubstr("1 include(s) across layers"));
  }
}

TEST(CheckLayersTest, OnlySalestracksMutexHeaderIncludesAbslMutex) {
  TempDir tree;
  WriteCleanTree(tree);
  std::filesystem::create_directories(tree.Sub("include/salestrack"));
  std::ofstream(tree.Sub("include/salestrack/mutex.h"))
      << "// The one mutex.\n#include \"absl/synchronization/mutex.h\"\n";
  ShellRun run = CheckLayers(tree.path());
  EXPECT_EQ(run.code, 0) << run.out;
  std::ofstream(tree.Sub("src/core/b.cc"))
      << "// A file.\n#include <string>\n\n#include \"absl/synchronization/mutex.h\"\n";
  run = CheckLayers(tree.path());
  EXPECT_EQ(run.code, 1) << run.out;
  EXPECT_THAT(run.out, HasSubstr("src/core/b.cc:4: includes absl/synchronization/mutex.h; use "
                                 "salestrack/mutex.h"));
}

TEST(CheckLayersTest, ATreeWithoutSourcesFails) {
  TempDir tree;
  std::filesystem::create_directories(tree.Sub("src/core"));
  ShellRun run = CheckLayers(tree.path());
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.out, HasSubstr("no C++ files found"));
}

}  // namespace
}  // namespace salestrack::testing
