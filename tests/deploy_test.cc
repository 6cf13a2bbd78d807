// deploy/: the example config explains every option and is accepted by salestrackd as shipped; the
// systemd unit passes systemd-analyze and keeps its hardening score.
#include <cstdlib>
#include <fstream>
#include <regex>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "salestrack/v1/config.pb.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::ReadFile;
using ::salestrack::testing::TempDir;
using ::testing::HasSubstr;

const std::string kDeploy = std::string(SALESTRACK_SOURCE_DIR) + "/deploy/";

// Every field of `message`, recursively, as "name" and "parent.name" paths.
void FieldPaths(const google::protobuf::Descriptor* message, const std::string& prefix,
                std::vector<std::string>* out) {
  for (int i = 0; i < message->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = message->field(i);
    out->push_back(prefix + f->name());
    if (f->message_type() != nullptr) FieldPaths(f->message_type(), prefix + f->name() + ".", out);
  }
}

TEST(DeployTest, ExampleConfigShowsEveryOption) {
  std::string text = ReadFile(kDeploy + "salestrackd.conf.example");
  ASSERT_FALSE(text.empty());
  std::vector<std::string> paths;
  FieldPaths(v1::DaemonConfig::descriptor(), "", &paths);
  for (const std::string& path : paths) {
    std::string name = path.substr(path.rfind('.') + 1);
    // Set or shown commented out, with an explanation above it.
    EXPECT_TRUE(std::regex_search(text, std::regex("(^|\\n)[ #]*" + name + "[ :{]")))
        << "deploy/salestrackd.conf.example does not show option " << path;
  }
}

TEST(DeployTest, SalestrackdAcceptsTheExampleConfig) {
  std::string err;
  // --check_config prints the options and exits without opening anything.
  TempDir tmp;
  std::string out_path = tmp.Sub("out");
  std::string cmd = absl::StrCat(SALESTRACKD_PATH, " --config ", kDeploy,
                                 "salestrackd.conf.example --check_config >", out_path, " 2>&1");
  int status = std::system(cmd.c_str());
  ASSERT_EQ(status, 0) << ReadFile(out_path);
  EXPECT_THAT(ReadFile(out_path), HasSubstr("config ok: listen 127.0.0.1:7411, data_dir "
                                            "/var/lib/salestrack, time_zone Asia/Shanghai"));
  // A bad option is refused with its name.
  std::ofstream(tmp.Sub("bad.conf")) << "time_zone: \"Mars/Olympus\"\n";
  EXPECT_EQ(testing::RunDaemonToExit({"--config=" + tmp.Sub("bad.conf"), "--check_config"}, &err),
            2);
  EXPECT_THAT(err, HasSubstr("time_zone: \"Mars/Olympus\""));
}

TEST(DeployTest, SystemdUnitVerifiesAndIsHardened) {
  if (std::system("command -v systemd-analyze >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "systemd-analyze is not installed";
  }
  TempDir tmp;
  // The unit names the installed binary; verify checks that it exists, so point it at the build.
  std::string unit = ReadFile(kDeploy + "salestrackd.service");
  ASSERT_THAT(unit, HasSubstr("ExecStart=/usr/local/bin/salestrackd --config"));
  unit = std::regex_replace(unit, std::regex("/usr/local/bin/salestrackd"), SALESTRACKD_PATH);
  std::ofstream(tmp.Sub("salestrackd.service")) << unit;
  std::string out = tmp.Sub("out");
  int verify = std::system(
      absl::StrCat("systemd-analyze verify ", tmp.Sub("salestrackd.service"), " >", out, " 2>&1")
          .c_str());
  EXPECT_EQ(verify, 0) << ReadFile(out);
  EXPECT_EQ(ReadFile(out), "");  // No warnings either.
  int security = std::system(absl::StrCat("systemd-analyze security --offline=yes --no-pager ",
                                          tmp.Sub("salestrackd.service"), " >", out, " 2>&1")
                                 .c_str());
  std::string report = ReadFile(out);
  ASSERT_EQ(security, 0) << report;
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(report, m, std::regex("Overall exposure level for [^:]+: ([0-9.]+)")))
      << report;
  // 0 is a fully locked-down unit, 10 an unprotected one; below 2 systemd calls it "OK". A network
  // daemon keeps its sockets, so about 1.4 is what is left.
  EXPECT_LE(std::stod(m[1].str()), 2.0) << report;
}

}  // namespace
}  // namespace salestrack
