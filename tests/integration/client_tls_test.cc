// channelctl and channelverify::Client against the server binary serving TLS
// (--tls_cert_file/--tls_key_file) and mutual TLS (--client_ca_file), as deployed: the server's
// certificate checked against --ca-file, the client certificate presented with
// --cert-file/--key-file, and every refusal a clear exit 3 or UNAVAILABLE, never a crash.
#include <google/protobuf/util/json_util.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "channelverify/client.h"
#include "ctl_support.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/deploy.h"
#include "support/server.h"

namespace cv::testing {
namespace {
namespace v1 = channelverify::v1;
using ::testing::HasSubstr;
using ::testing::Not;

class ClientTlsTest : public ChannelctlSuite {
 protected:
  static void SetUpTestSuite() {
    // Servers of its own: the world's server speaks plaintext.
    StartWorld();
    if (HasFatalFailure()) return;
    dir_ = new TempDir("cv-client-tls-");
    // A client certificate from the server's client CA, and one from a CA it does not know.
    auto client = MakeClientCert(ca_->dir(), dir_->path(), "hr-platform");
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = new CertKey(*client);
    auto other_ca = TestCa::Create(dir_->path() / "other-ca");
    ASSERT_TRUE(other_ca.ok()) << other_ca.status();
    other_ca_ = new TestCa(std::move(*other_ca));
    auto stranger = MakeClientCert(other_ca_->dir(), dir_->path(), "stranger");
    ASSERT_TRUE(stranger.ok()) << stranger.status();
    stranger_ = new CertKey(*stranger);

    // The server's certificate is the test CA's "valid" one: 127.0.0.1 and localhost among
    // its names.
    std::vector<std::string> tls = EngineFlags('_');
    tls.push_back("--tls_cert_file=" + ca_->valid().cert.string());
    tls.push_back("--tls_key_file=" + ca_->valid().key.string());
    tls_ = KeepForSuite(ServerProcess::Start(tls));

    std::vector<std::string> mtls = tls;
    mtls.push_back("--client_ca_file=" + ca_->ca().string());
    mtls_ = KeepForSuite(ServerProcess::Start(mtls));
  }
  static void TearDownTestSuite() {
    ChannelctlSuite::TearDownTestSuite();  // the servers first
    delete stranger_;
    delete other_ca_;
    delete client_;
    delete dir_;
    mtls_ = tls_ = nullptr;
    stranger_ = client_ = nullptr;
    other_ca_ = nullptr;
    dir_ = nullptr;
  }

  static std::string Ca() { return ca_->ca().string(); }
  static std::vector<std::string> ClientCert(const CertKey& cert) {
    return {"--cert-file", cert.cert.string(), "--key-file", cert.key.string()};
  }
  static std::vector<std::string> Cat(std::vector<std::string> a,
                                      const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }
  // `channelctl --server ADDRESS ARGS verify CHANNEL --from ... --output json`.
  static CtlResult Verify(const ServerProcess& server, const std::vector<std::string>& args) {
    auto all = Cat({"--server=" + server.address()}, args);
    all = Cat(all, {"verify", Channel(), "--from", kCtlUser, "--output", "json"});
    return RunCtl(all, {{"CHANNELCTL_PASSWORD", kCtlPassword}});
  }
  static CtlResult Health(const ServerProcess& server, const std::vector<std::string>& args) {
    return RunCtl(Cat(Cat({"--server=" + server.address()}, args), {"health"}));
  }
  static void ExpectVerifyPasses(const CtlResult& r) {
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    v1::VerifyChannelResponse response;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &response).ok()) << r.out;
    EXPECT_EQ(response.verdict(), v1::VERDICT_PASS) << r.out;
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(kCtlPassword)));
  }
  // A refused connection: exit 3, one explanation on stderr, nothing on stdout.
  static void ExpectRefused(const CtlResult& r, const std::string& why) {
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_THAT(r.err, HasSubstr("channelctl: ")) << r.err;
    EXPECT_THAT(r.err, HasSubstr(why)) << r.err;
    EXPECT_THAT(r.err, Not(HasSubstr(kCtlPassword)));
  }

  static inline TempDir* dir_ = nullptr;
  static inline CertKey* client_ = nullptr;
  static inline TestCa* other_ca_ = nullptr;
  static inline CertKey* stranger_ = nullptr;
  static inline ServerProcess* tls_ = nullptr;
  static inline ServerProcess* mtls_ = nullptr;
};

TEST_F(ClientTlsTest, ChannelctlOverTlsWithCaFile) {
  for (const auto& flags : std::vector<std::vector<std::string>>{
           {"--tls", "--ca-file", Ca()}, {"--ca-file=" + Ca()}}) {  // --ca-file implies --tls
    SCOPED_TRACE(flags.size());
    CtlResult health = Health(*tls_, flags);
    EXPECT_EQ(health.exit_code, 0) << health.err;
    EXPECT_EQ(health.out, "SERVING\n");
    ExpectVerifyPasses(Verify(*tls_, flags));
  }
  // The name in the certificate is checked: localhost is one of its names too.
  CtlResult by_name =
      RunCtl({"--server=localhost:" + std::to_string(tls_->port()), "--ca-file=" + Ca(), "health"});
  EXPECT_EQ(by_name.exit_code, 0) << by_name.err;
}

// Both ways round a mismatch: channelctl finds out what the port speaks and says which flags
// to change.
TEST_F(ClientTlsTest, ChannelctlPlaintextAgainstTlsAndTlsAgainstPlaintext) {
  CtlResult plain = Health(*tls_, {"--timeout=5s"});
  ExpectRefused(plain, "the server speaks TLS on this port: add --tls, and --ca-file");
  EXPECT_THAT(plain.err, HasSubstr("issued by CN=channel-verifier test CA"));

  FakeVerifier fake;
  FakeServer plaintext(&fake);
  CtlResult tls = RunCtl({"--server=" + plaintext.address(), "--ca-file", Ca(), "health"});
  ExpectRefused(tls, "the server does not speak TLS on this port");
  EXPECT_THAT(tls.err, HasSubstr("leave out --tls, --ca-file"));
}

TEST_F(ClientTlsTest, ChannelctlWithTheWrongCaSaysCertificate) {
  for (const std::string& ca : {other_ca_->ca().string(), ca_->self_signed().cert.string()}) {
    SCOPED_TRACE(ca);
    CtlResult r = Health(*tls_, {"--ca-file", ca, "--timeout=5s"});
    ExpectRefused(r,
                  "the server's certificate (CN=localhost, issued by CN=channel-verifier "
                  "test CA) is not signed by a CA in --ca-file " +
                      ca);
    ExpectRefused(Verify(*tls_, {"--ca-file", ca, "--timeout=5s"}), "certificate");
  }
}

TEST_F(ClientTlsTest, ChannelctlOverMutualTls) {
  const auto flags = Cat({"--ca-file", Ca()}, ClientCert(*client_));
  CtlResult health = Health(*mtls_, flags);
  EXPECT_EQ(health.exit_code, 0) << health.err;
  EXPECT_EQ(health.out, "SERVING\n");
  ExpectVerifyPasses(Verify(*mtls_, flags));
  CtlResult catalog = RunCtl(Cat(Cat({"--server=" + mtls_->address()}, flags), {"diagnoses"}));
  EXPECT_EQ(catalog.exit_code, 0) << catalog.err;
  EXPECT_THAT(catalog.out, HasSubstr("M365_SMTP_AUTH_DISABLED"));
}

TEST_F(ClientTlsTest, ChannelctlWithoutAClientCertificateIsRefusedClearly) {
  const std::string required =
      "the server requires a client certificate (mutual TLS): give --cert-file and --key-file";
  ExpectRefused(Health(*mtls_, {"--ca-file", Ca(), "--timeout=5s"}), required);
  ExpectRefused(Verify(*mtls_, {"--ca-file", Ca(), "--timeout=5s"}), required);
  // One the server's client CA did not sign fares no better.
  ExpectRefused(
      Health(*mtls_, Cat({"--ca-file", Ca(), "--timeout=5s"}, ClientCert(*stranger_))),
      "the server refused the client certificate of --cert-file " + stranger_->cert.string());
}

TEST_F(ClientTlsTest, ChannelctlTlsFlagMistakesAreUsageErrors) {
  const std::string missing = (dir_->path() / "missing.pem").string();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--ca-file", missing}, "--ca-file"},
      {{"--cert-file", client_->cert.string()}, "--key-file"},
      {{"--key-file", client_->key.string()}, "--cert-file"},
      {{"--cert-file", missing, "--key-file", client_->key.string()}, "--cert-file"},
      {{"--cert-file", client_->cert.string(), "--key-file", missing}, "--key-file"},
      {{"--local", "--ca-file", Ca()}, "--ca-file"},
      {{"--local", "--tls-server-name", "localhost"}, "--tls-server-name"},
  };
  for (const auto& [flags, named] : cases) {
    CtlResult r = flags[0] == "--local" ? RunCtl(Cat(flags, {"health"})) : Health(*tls_, flags);
    SCOPED_TRACE(flags[0] + " " + flags[1]);
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_THAT(r.err, HasSubstr(named));
    EXPECT_THAT(r.err, HasSubstr("Usage: channelctl health"));
    EXPECT_EQ(r.out, "");
  }
}

// A certificate for the service's DNS name reached through an address it does not name (a
// port-forward): refused, unless --tls-server-name says which name to expect.
TEST_F(ClientTlsTest, ChannelctlTlsServerNameForAPortForward) {
  auto named_ca = TestCa::Create(dir_->path() / "svc-ca", {"verifier.mail.svc"});
  ASSERT_TRUE(named_ca.ok()) << named_ca.status();
  auto server = ServerProcess::Start(
      Cat(EngineFlags('_'), {"--tls_cert_file=" + named_ca->valid().cert.string(),
                             "--tls_key_file=" + named_ca->valid().key.string()}));
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string ca = named_ca->ca().string();
  ExpectRefused(Health(*server, {"--ca-file", ca, "--timeout=5s"}),
                "is not for 127.0.0.1: connect by a name it carries, or give that name with "
                "--tls-server-name");
  CtlResult named = Health(*server, {"--ca-file", ca, "--tls-server-name", "verifier.mail.svc"});
  EXPECT_EQ(named.exit_code, 0) << named.err;
  EXPECT_EQ(named.out, "SERVING\n");
}

// The library: the same options, the same outcomes, as a grpc::Status.
class ClientLibraryTlsTest : public ClientTlsTest {
 protected:
  static grpc::Status List(const ServerProcess& server, channelverify::ClientOptions options) {
    options.target = server.address();
    options.timeout = std::chrono::seconds(5);
    // One attempt: a refused handshake is what is under test, not the retries.
    options.retry.max_attempts = 1;
    std::unique_ptr<channelverify::Client> client;
    grpc::Status created = channelverify::Client::Create(options, &client);
    if (!created.ok()) return created;
    v1::ListDiagnosesResponse response;
    grpc::Status status = client->ListDiagnoses({}, &response);
    if (status.ok() && response.entries_size() < 40) {
      return {grpc::StatusCode::INTERNAL, "short catalog"};
    }
    return status;
  }
  static channelverify::ClientOptions Trusting(const std::string& ca) {
    channelverify::ClientOptions options;
    options.tls = true;
    options.ca_file = ca;
    return options;
  }
};

TEST_F(ClientLibraryTlsTest, TlsWithCaFile) {
  grpc::Status s = List(*tls_, Trusting(Ca()));
  EXPECT_TRUE(s.ok()) << s.error_message();
  // Sync and callback calls, VerifyChannel included, over the one TLS channel.
  auto options = Trusting(Ca());
  options.target = tls_->address();
  std::unique_ptr<channelverify::Client> client;
  ASSERT_TRUE(channelverify::Client::Create(options, &client).ok());
  v1::VerifyChannelRequest request;
  auto* smtp = request.mutable_channel()->mutable_smtp();
  smtp->set_host("smtp.t.test");
  smtp->set_port(static_cast<uint32_t>(smtp_->port()));
  smtp->set_tls_mode(v1::TLS_MODE_STARTTLS);
  smtp->set_username(kCtlUser);
  smtp->set_password(kCtlPassword);
  smtp->set_from_address(kCtlUser);
  v1::VerifyChannelResponse response;
  s = client->VerifyChannel(request, &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response.verdict(), v1::VERDICT_PASS);
  grpc::health::v1::HealthCheckResponse serving;
  EXPECT_TRUE(client->CheckHealth("", &serving).ok());
  EXPECT_EQ(serving.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(ClientLibraryTlsTest, RefusedHandshakesAreUnavailable) {
  EXPECT_EQ(List(*tls_, Trusting(other_ca_->ca().string())).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(List(*tls_, {}).error_code(), grpc::StatusCode::UNAVAILABLE);  // plaintext
  EXPECT_EQ(List(*mtls_, Trusting(Ca())).error_code(), grpc::StatusCode::UNAVAILABLE);
  auto stranger = Trusting(Ca());
  stranger.cert_file = stranger_->cert.string();
  stranger.key_file = stranger_->key.string();
  EXPECT_EQ(List(*mtls_, stranger).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(ClientLibraryTlsTest, MutualTlsWithClientCertificate) {
  auto options = Trusting(Ca());
  options.cert_file = client_->cert.string();
  options.key_file = client_->key.string();
  grpc::Status s = List(*mtls_, options);
  EXPECT_TRUE(s.ok()) << s.error_message();
  // The certificate and key must come together.
  options.key_file.clear();
  EXPECT_EQ(List(*mtls_, options).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ClientLibraryTlsTest, TlsServerNameOverride) {
  // The name checked is the override's, not the target's (127.0.0.1, which the certificate
  // names too).
  auto options = Trusting(Ca());
  options.tls_server_name = "localhost";
  EXPECT_TRUE(List(*tls_, options).ok());
  options.tls_server_name = "verifier.mail.svc";
  EXPECT_EQ(List(*tls_, options).error_code(), grpc::StatusCode::UNAVAILABLE);
  // A server name alone means TLS too: never silently plaintext (a plaintext server refuses).
  channelverify::ClientOptions name_only;
  name_only.tls_server_name = "localhost";
  FakeVerifier fake;
  FakeServer plaintext(&fake);
  name_only.target = plaintext.address();
  name_only.retry.max_attempts = 1;
  std::unique_ptr<channelverify::Client> client;
  ASSERT_TRUE(channelverify::Client::Create(name_only, &client).ok());
  v1::ListDiagnosesResponse response;
  EXPECT_EQ(client->ListDiagnoses({}, &response).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(fake.list_calls.load(), 0);
}

}  // namespace
}  // namespace cv::testing
