// TLS from the config, with a CA made in the test by the openssl CLI: the daemon serves TLS (and
// refuses plaintext and servers' certificates from another CA), and with client_ca_file requires a
// client certificate signed by that CA.
#include <cstdlib>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "keyed_daemon.h"
#include "test_util.h"

namespace salestrack {
namespace {

using ::salestrack::testing::CliResult;
using ::salestrack::testing::Daemon;
using ::salestrack::testing::ReadFile;
using ::salestrack::testing::RunCli;
using ::salestrack::testing::TempDir;
using ::testing::HasSubstr;

void Run(const std::string& command) {
  ASSERT_EQ(std::system((command + " >/dev/null 2>&1").c_str()), 0) << command;
}

// Makes `name`.pem / `name`.key, a certificate signed by CA `ca` (or self-signed when ca is "")
// with the given extensions.
void MakeCert(const TempDir& dir, const std::string& name, const std::string& ca,
              const std::string& extensions) {
  std::string base = dir.Sub(name);
  std::string key =
      "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout " + base + ".key";
  if (ca.empty()) {
    Run("openssl req -x509 " + key + " -out " + base + ".pem -days 2 -subj /CN=" + name);
    return;
  }
  std::ofstream(base + ".ext") << extensions << "\n";
  Run("openssl req " + key + " -out " + base + ".csr -subj /CN=" + name);
  Run("openssl x509 -req -in " + base + ".csr -CA " + dir.Sub(ca) + ".pem -CAkey " + dir.Sub(ca) +
      ".key -CAcreateserial -out " + base + ".pem -days 2 -extfile " + base + ".ext");
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::system("command -v openssl >/dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl CLI";
    MakeCert(dir_, "ca", "", "");
    MakeCert(dir_, "rogue-ca", "", "");
    MakeCert(dir_, "server", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1");
    MakeCert(dir_, "client", "ca", "extendedKeyUsage=clientAuth");
    MakeCert(dir_, "rogue-client", "rogue-ca", "extendedKeyUsage=clientAuth");
    token_ = testing::NewTestToken();
  }

  std::unique_ptr<Daemon> Start(const std::string& tls_block) {
    std::ofstream(dir_.Sub("d.conf")) << "tls { " << tls_block << " }\n"
                                      << testing::ApiKeyEntry({"ops", "admin"}, token_);
    return std::make_unique<Daemon>(
        dir_.Sub("data"),
        std::vector<std::string>{"--config=" + dir_.Sub("d.conf"), "--insecure_no_auth=false"});
  }

  CliResult Cli(const Daemon& d, const std::string& flags, const std::string& command) {
    return RunCli(absl::StrCat("--timeout=5 --server=", d.address(), " --token=", token_, " ",
                               flags, " ", command));
  }

  std::string ServerTls() const {
    return absl::StrCat("cert_file: \"", dir_.Sub("server.pem"), "\" key_file: \"",
                        dir_.Sub("server.key"), "\"");
  }

  TempDir dir_;
  std::string token_;
};

TEST_F(TlsTest, ServesTlsWithTheConfiguredCertificate) {
  std::unique_ptr<Daemon> d = Start(ServerTls());
  EXPECT_THAT(ReadFile(d->stderr_path()), HasSubstr("transport=tls "));
  CliResult ok = Cli(*d, "--tls_ca=" + dir_.Sub("ca.pem"), "verify");
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("views match"));
  // By name too: the certificate carries localhost. (Checked by the TLS name, not by resolving
  // "localhost": a fresh build root need not have /etc/hosts or DNS.)
  CliResult by_name =
      RunCli("--timeout=5 --server=" + d->address() + " --tls_ca=" + dir_.Sub("ca.pem") +
             " --tls_server_name=localhost health");
  EXPECT_EQ(by_name.code, 0) << by_name.err;

  CliResult plaintext = Cli(*d, "", "health");
  EXPECT_EQ(plaintext.code, 1);
  CliResult other_ca = Cli(*d, "--tls_ca=" + dir_.Sub("rogue-ca.pem"), "health");
  EXPECT_EQ(other_ca.code, 1);
  CliResult wrong_name =
      Cli(*d, "--tls_ca=" + dir_.Sub("ca.pem") + " --tls_server_name=evil.example", "health");
  EXPECT_EQ(wrong_name.code, 1);
  // The API key still applies over TLS.
  CliResult no_token = RunCli("--timeout=5 --server=" + d->address() +
                              " --tls_ca=" + dir_.Sub("ca.pem") + " verify");
  EXPECT_EQ(no_token.code, 1);
  EXPECT_THAT(no_token.err, HasSubstr("no API key"));
}

TEST_F(TlsTest, ClientCaRequiresAClientCertificateFromThatCa) {
  std::unique_ptr<Daemon> d =
      Start(ServerTls() + " client_ca_file: \"" + dir_.Sub("ca.pem") + "\"");
  EXPECT_THAT(ReadFile(d->stderr_path()), HasSubstr("transport=mutual_tls "));
  const std::string ca = "--tls_ca=" + dir_.Sub("ca.pem");
  CliResult with_cert =
      Cli(*d, ca + " --tls_cert=" + dir_.Sub("client.pem") + " --tls_key=" + dir_.Sub("client.key"),
          "verify");
  EXPECT_EQ(with_cert.code, 0) << with_cert.err;
  EXPECT_EQ(Cli(*d, ca, "verify").code, 1);
  CliResult rogue = Cli(*d,
                        ca + " --tls_cert=" + dir_.Sub("rogue-client.pem") +
                            " --tls_key=" + dir_.Sub("rogue-client.key"),
                        "verify");
  EXPECT_EQ(rogue.code, 1);
}

TEST_F(TlsTest, StartupNamesAnUnreadableFile) {
  std::ofstream(dir_.Sub("bad.conf")) << "tls { cert_file: \"" << dir_.Sub("server.pem")
                                      << "\" key_file: \"" << dir_.Sub("missing.key") << "\" }\n";
  std::string err;
  EXPECT_EQ(testing::RunDaemonToExit({"--config=" + dir_.Sub("bad.conf"), "--check_config"}, &err),
            2);
  EXPECT_THAT(err, HasSubstr("tls.key_file: cannot read a PEM file at"));
  std::ofstream(dir_.Sub("half.conf"))
      << "tls { cert_file: \"" << dir_.Sub("server.pem") << "\" }\n";
  EXPECT_EQ(testing::RunDaemonToExit({"--config=" + dir_.Sub("half.conf"), "--check_config"}, &err),
            2);
  EXPECT_THAT(err, HasSubstr("tls: cert_file and key_file go together"));
}

}  // namespace
}  // namespace salestrack
