// The server as Kubernetes runs it: TLS and mutual TLS on the API port while kubelet's gRPC
// probes use a plaintext health port, certificates renewed without a restart, Prometheus
// metrics that move with the calls, request ids in the log, and startup that refuses bad
// configuration at once.
#include "support/deploy.h"

#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "support/loopback_suite.h"
#include "support/peers.h"
#include "support/process.h"
#include "support/server.h"

namespace cv::testing {
namespace {

namespace fs = std::filesystem;
namespace v1 = channelverify::v1;
using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kApiService[] = "channelverify.v1.ChannelVerifierService";

std::string Binary() { return std::string(CV_BINARY_DIR) + "/service/channel-verifier"; }
std::string Buf() { return std::string(CV_SOURCE_DIR) + "/.tools/node_modules/.bin/buf"; }

grpc::Status ListDiagnoses(const std::shared_ptr<grpc::Channel>& channel,
                           std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  v1::ListDiagnosesRequest request;
  v1::ListDiagnosesResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  return v1::ChannelVerifierService::NewStub(channel)->ListDiagnoses(&context, request, &response);
}

absl::StatusOr<HealthCheckResponse::ServingStatus> Check(
    const std::shared_ptr<grpc::Channel>& channel, const std::string& service = "") {
  HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Status status = Health::NewStub(channel)->Check(&context, request, &response);
  if (!status.ok()) return absl::UnavailableError(status.error_message());
  return response.status();
}

// The CA and resolver of LoopbackSuite; each test starts its own server.
class DeployTest : public LoopbackSuite {
 protected:
  std::vector<std::string> TlsFlags(std::vector<std::string> more = {}) {
    std::vector<std::string> flags = {"--tls_cert_file=" + ca_->valid().cert.string(),
                                      "--tls_key_file=" + ca_->valid().key.string(),
                                      "--health_listen=127.0.0.1:0",
                                      "--metrics_listen=127.0.0.1:0"};
    flags.insert(flags.end(), more.begin(), more.end());
    return Flags(flags);
  }

  // Starts the binary with `flags` and returns its exit status and output; it must exit
  // by itself within 5 s.
  std::pair<int, std::string> RunToExit(std::vector<std::string> flags) {
    ChildProcess::Options options;
    options.argv = {Binary(), "--listen=127.0.0.1:0"};
    options.argv.insert(options.argv.end(), flags.begin(), flags.end());
    auto process = ChildProcess::Start(options);
    EXPECT_TRUE(process.ok()) << process.status();
    if (!process.ok()) return {-1, ""};
    auto status = process->Wait(absl::Seconds(5));
    EXPECT_TRUE(status.ok()) << "still running with " << absl::StrJoin(flags, " ");
    // All of stdout: the reader thread may not have drained the pipe when Wait returns.
    return {status.ok() ? *status : -1, process->CollectOutput(absl::Seconds(2))};
  }

  TempDir dir_{"cv-deploy-"};
};

// One request on server reflection's stream (an empty ServerReflectionRequest), as grpcurl's
// first step is.
grpc::Status CallReflection(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                 grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  return done.get_future().get();
}

TEST_F(DeployTest, ApiRequiresTlsWhileKubeletStyleHealthChecksArePlaintext) {
  auto server = ServerProcess::Start(TlsFlags());
  ASSERT_TRUE(server.ok()) << server.status();
  auto health_port = LoggedPort(server->Logs(), "health_port");
  ASSERT_TRUE(health_port.ok()) << health_port.status();
  ASSERT_NE(*health_port, server->port());

  // The API port speaks TLS only: a plaintext client gets nowhere.
  EXPECT_EQ(ListDiagnoses(PlainChannel(server->port()), std::chrono::seconds(2)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // A client that trusts the CA is served, health included.
  auto tls = TlsChannel(server->port(), ca_->ca());
  EXPECT_TRUE(ListDiagnoses(tls).ok());
  EXPECT_EQ(Check(tls).value_or(HealthCheckResponse::UNKNOWN), HealthCheckResponse::SERVING);
  // A client that does not trust the server's certificate refuses it.
  EXPECT_FALSE(ListDiagnoses(TlsChannel(server->port(), ca_->self_signed().cert)).ok());

  // What kubelet's gRPC probes do: plaintext Health/Check on the health port, for the server
  // and for the API's service name.
  auto plain_health = PlainChannel(*health_port);
  EXPECT_EQ(Check(plain_health).value_or(HealthCheckResponse::UNKNOWN),
            HealthCheckResponse::SERVING);
  EXPECT_EQ(Check(plain_health, kApiService).value_or(HealthCheckResponse::UNKNOWN),
            HealthCheckResponse::SERVING);
  // The health port serves nothing else: the API is not reachable without TLS, and server
  // reflection (which registers itself with every server of the process) is not there either.
  EXPECT_EQ(ListDiagnoses(plain_health).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(CallReflection(plain_health).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  // While the API port has it (the same call, so the check above can fail).
  EXPECT_TRUE(CallReflection(tls).ok());

  // And as an engineer checks it by hand: without reflection there, buf takes the schema from
  // Debian's grpc-proto.
  auto curl =
      RunCommand({Buf(), "curl", "--schema", "/usr/share/grpc-proto/grpc/health/v1/health.proto",
                  "--protocol", "grpc", "--http2-prior-knowledge",
                  absl::StrCat("http://127.0.0.1:", *health_port, "/grpc.health.v1.Health/Check")});
  ASSERT_TRUE(curl.ok()) << curl.status();
  EXPECT_THAT(*curl, HasSubstr("\"status\": \"SERVING\""));
  EXPECT_THAT(server->Logs(), HasSubstr("\"msg\":\"tls\""));
  EXPECT_THAT(server->Logs(), HasSubstr("\"tls\":true"));
}

TEST_F(DeployTest, MutualTlsRefusesClientsWithoutACertificateFromTheClientCa) {
  auto client = MakeClientCert(ca_->dir(), dir_.path(), "hr-platform");
  ASSERT_TRUE(client.ok()) << client.status();
  auto other_ca = TestCa::Create(dir_.path() / "other-ca");
  ASSERT_TRUE(other_ca.ok()) << other_ca.status();
  auto stranger = MakeClientCert(other_ca->dir(), dir_.path(), "stranger");
  ASSERT_TRUE(stranger.ok()) << stranger.status();

  auto server = ServerProcess::Start(TlsFlags({"--client_ca_file=" + ca_->ca().string()}));
  ASSERT_TRUE(server.ok()) << server.status();

  EXPECT_TRUE(ListDiagnoses(TlsChannel(server->port(), ca_->ca(), *client)).ok());
  // No certificate, or one from another CA: the handshake fails, no RPC is served.
  EXPECT_EQ(
      ListDiagnoses(TlsChannel(server->port(), ca_->ca()), std::chrono::seconds(2)).error_code(),
      grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ListDiagnoses(TlsChannel(server->port(), ca_->ca(), *stranger), std::chrono::seconds(2))
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ListDiagnoses(PlainChannel(server->port()), std::chrono::seconds(2)).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // kubelet has no client certificate: its probes still pass on the health port.
  auto health_port = LoggedPort(server->Logs(), "health_port");
  ASSERT_TRUE(health_port.ok());
  EXPECT_EQ(Check(PlainChannel(*health_port), kApiService).value_or(HealthCheckResponse::UNKNOWN),
            HealthCheckResponse::SERVING);
  EXPECT_THAT(server->Logs(), HasSubstr("\"client_auth\":true"));
}

TEST_F(DeployTest, RenewedCertificateIsServedWithoutARestart) {
  auto next_ca = TestCa::Create(dir_.path() / "next-ca");
  ASSERT_TRUE(next_ca.ok()) << next_ca.status();
  // Mounted like a Kubernetes Secret: the files are replaced by a rename, never rewritten.
  const fs::path cert = dir_.path() / "tls.crt";
  const fs::path key = dir_.path() / "tls.key";
  fs::copy_file(ca_->valid().cert, cert);
  fs::copy_file(ca_->valid().key, key);
  auto server = Server({"--tls_cert_file=" + cert.string(), "--tls_key_file=" + key.string(),
                        "--tls_reload_interval_s=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_TRUE(ListDiagnoses(TlsChannel(server->port(), ca_->ca())).ok());

  fs::copy_file(next_ca->valid().cert, dir_.path() / "tls.crt.new");
  fs::copy_file(next_ca->valid().key, dir_.path() / "tls.key.new");
  fs::rename(dir_.path() / "tls.key.new", key);
  fs::rename(dir_.path() / "tls.crt.new", cert);

  const bool renewed = Eventually(
      [&] {
        return ListDiagnoses(TlsChannel(server->port(), next_ca->ca()), std::chrono::seconds(2))
            .ok();
      },
      absl::Seconds(10));
  EXPECT_TRUE(renewed) << "the new certificate was not served within 10 s";
  EXPECT_FALSE(ListDiagnoses(TlsChannel(server->port(), ca_->ca()), std::chrono::seconds(2)).ok());
  EXPECT_TRUE(server->process().Running());
}

TEST_F(DeployTest, MetricsMoveWithTheCalls) {
  SmtpPeerOptions options;
  options.tls = SmtpTls::kStartTls;
  options.cert = ca_->valid();
  options.require_starttls = true;
  options.users = {{"jobs@t.test", "pw-never-in-metrics"}};
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto server = Server({"--metrics_listen=127.0.0.1:0"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto metrics_port = LoggedPort(server->Logs(), "metrics_port");
  ASSERT_TRUE(metrics_port.ok()) << metrics_port.status();

  auto before = HttpGet(*metrics_port, "/metrics");
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->status, 200);
  EXPECT_EQ(before->content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(MetricValue(before->body,
                        R"(channel_verifier_limiter_rejections_total{reason="OVERLOADED"})"),
            0);
  EXPECT_EQ(MetricValue(before->body, "channel_verifier_verifications_in_flight"), 0);
  EXPECT_EQ(
      MetricValue(before->body,
                  R"(channel_verifier_verifications_total{method="VerifyChannel",verdict="pass"})"),
      0);
  EXPECT_THAT(before->body, HasSubstr("# TYPE channel_verifier_probe_duration_seconds histogram"));

  auto stub = server->Stub();
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(ListDiagnoses(PlainChannel(server->port())).ok());
  {
    v1::VerifyChannelRequest empty;  // no channel: INVALID_ARGUMENT
    v1::VerifyChannelResponse response;
    grpc::ClientContext context;
    EXPECT_EQ(stub->VerifyChannel(&context, empty, &response).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    v1::VerifyChannelRequest request;
    auto* smtp = request.mutable_channel()->mutable_smtp();
    smtp->set_host("smtp.t.test");
    smtp->set_port(peer->port());
    smtp->set_username("jobs@t.test");
    smtp->set_password("pw-never-in-metrics");
    smtp->set_from_address("jobs@t.test");
    v1::VerifyChannelResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    ASSERT_TRUE(stub->VerifyChannel(&context, request, &response).ok());
    EXPECT_EQ(response.verdict(), v1::VERDICT_PASS);
  }

  // The in-flight gauge drops when the call's last reference is released, which can be just
  // after its reply reached us: read the metrics until it has (bounded), then check them all.
  absl::StatusOr<HttpResponse> after;
  Eventually(
      [&] {
        after = HttpGet(*metrics_port, "/metrics");
        return !after.ok() ||
               MetricValue(after->body, "channel_verifier_verifications_in_flight") == 0;
      },
      absl::Seconds(5));
  ASSERT_TRUE(after.ok()) << after.status();
  const std::string& text = after->body;
  EXPECT_EQ(MetricValue(text, R"(channel_verifier_rpcs_total{method="ListDiagnoses",code="OK"})"),
            2);
  EXPECT_EQ(
      MetricValue(text,
                  R"(channel_verifier_rpcs_total{method="VerifyChannel",code="INVALID_ARGUMENT"})"),
      1);
  EXPECT_EQ(MetricValue(text, R"(channel_verifier_rpcs_total{method="VerifyChannel",code="OK"})"),
            1);
  EXPECT_EQ(
      MetricValue(text,
                  R"(channel_verifier_verifications_total{method="VerifyChannel",verdict="pass"})"),
      1);
  EXPECT_EQ(
      MetricValue(
          text, R"(channel_verifier_probe_duration_seconds_count{probe="smtp.auth",outcome="ok"})"),
      1);
  EXPECT_EQ(
      MetricValue(text, R"(channel_verifier_rpc_duration_seconds_count{method="ListDiagnoses"})"),
      2);
  EXPECT_EQ(MetricValue(text, "channel_verifier_verifications_in_flight"), 0);
  EXPECT_THAT(text, Not(HasSubstr("pw-never-in-metrics")));
  EXPECT_THAT(text, Not(HasSubstr("jobs@t.test")));

  auto missing = HttpGet(*metrics_port, "/");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
}

TEST_F(DeployTest, RequestIdComesFromTheCallerOrIsMadeAndIsEchoed) {
  auto server = Server();
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = server->Stub();
  v1::ListDiagnosesRequest request;
  v1::ListDiagnosesResponse response;
  {
    grpc::ClientContext context;
    context.AddMetadata("x-request-id", "req-7f3a-from-caller");
    ASSERT_TRUE(stub->ListDiagnoses(&context, request, &response).ok());
    auto echoed = context.GetServerInitialMetadata().find("x-request-id");
    ASSERT_NE(echoed, context.GetServerInitialMetadata().end());
    EXPECT_EQ(std::string(echoed->second.data(), echoed->second.size()), "req-7f3a-from-caller");
  }
  std::string made;
  {
    grpc::ClientContext context;
    context.AddMetadata("x-request-id", "bad id with \"quotes\"");  // refused, replaced
    ASSERT_TRUE(stub->ListDiagnoses(&context, request, &response).ok());
    auto echoed = context.GetServerInitialMetadata().find("x-request-id");
    ASSERT_NE(echoed, context.GetServerInitialMetadata().end());
    made = std::string(echoed->second.data(), echoed->second.size());
    EXPECT_EQ(made.size(), 32u);
  }
  // Log lines are written before the answer goes out.
  const std::string logs = server->Logs();
  EXPECT_THAT(logs,
              HasSubstr("\"method\":\"ListDiagnoses\",\"request_id\":\"req-7f3a-from-caller\""));
  EXPECT_THAT(logs, HasSubstr(absl::StrCat("\"request_id\":\"", made, "\"")));
  EXPECT_THAT(logs, Not(HasSubstr("quotes")));
}

TEST_F(DeployTest, SigtermTurnsThePlaintextHealthPortNotServingToo) {
  // Health says NOT_SERVING for the shutdown delay; the test asks within it.
  auto server = ServerProcess::Start(TlsFlags({"--shutdown_delay_ms=3000"}));
  ASSERT_TRUE(server.ok()) << server.status();
  auto health_port = LoggedPort(server->Logs(), "health_port");
  ASSERT_TRUE(health_port.ok());
  auto plain_health = PlainChannel(*health_port);
  ASSERT_EQ(Check(plain_health, kApiService).value_or(HealthCheckResponse::UNKNOWN),
            HealthCheckResponse::SERVING);
  ASSERT_EQ(::kill(server->process().pid(), SIGTERM), 0);
  // The switch comes just after the server's "shutting down" line: asked until it shows.
  EXPECT_TRUE(Eventually([&] {
    return Check(plain_health, kApiService).value_or(HealthCheckResponse::UNKNOWN) ==
           HealthCheckResponse::NOT_SERVING;
  })) << "the health port never said NOT_SERVING";
  auto status = server->process().Wait(absl::Seconds(10));
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

TEST_F(DeployTest, BadTlsOrListenConfigurationFailsFastNamingTheFlag) {
  std::ofstream(dir_.path() / "garbage.pem") << "not a certificate\n";
  std::ofstream(dir_.path() / "empty.pem");
  const std::string cert = "--tls_cert_file=" + ca_->valid().cert.string();
  const std::string key = "--tls_key_file=" + ca_->valid().key.string();
  const std::string garbage = (dir_.path() / "garbage.pem").string();
  struct Case {
    std::vector<std::string> flags;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--tls_cert_file=/nonexistent/tls.crt", key}, "--tls_cert_file: cannot read"},
      {{cert, "--tls_key_file=" + (dir_.path() / "empty.pem").string()}, "is empty"},
      {{"--tls_cert_file=" + garbage, key}, "--tls_cert_file: no PEM certificate"},
      {{cert, "--tls_key_file=" + garbage}, "--tls_key_file: no unencrypted PEM private key"},
      {{cert, "--tls_key_file=" + ca_->expired().key.string()}, "does not belong to"},
      {{cert}, "--tls_cert_file and --tls_key_file go together"},
      {{"--client_ca_file=" + ca_->ca().string()}, "--client_ca_file needs TLS"},
      {{cert, key, "--client_ca_file=" + garbage}, "--client_ca_file: no PEM certificate"},
      {{"--metrics_listen=9090"}, "--metrics_listen: bad listen address"},
      {{"--metrics_listen=0.0.0.0:http"}, "--metrics_listen: bad listen address"},
      {{"--health_listen=127.0.0.1:notaport"}, "--health_listen: cannot listen"},
  };
  for (const auto& c : cases) {
    auto [status, output] = RunToExit(c.flags);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << c.message;
    EXPECT_THAT(output, HasSubstr(c.message)) << output;
    EXPECT_THAT(output, HasSubstr("\"msg\":\"startup failed\""));
  }
}

TEST_F(DeployTest, PortInUseFailsFast) {
  auto first = Server({"--health_listen=127.0.0.1:0"});
  ASSERT_TRUE(first.ok()) << first.status();
  auto health_port = LoggedPort(first->Logs(), "health_port");
  ASSERT_TRUE(health_port.ok());
  auto [status, output] = RunToExit({absl::StrCat("--health_listen=127.0.0.1:", *health_port)});
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2);
  EXPECT_THAT(output, HasSubstr("--health_listen: cannot listen"));
  auto [status2, output2] = RunToExit({absl::StrCat("--metrics_listen=127.0.0.1:", *health_port)});
  EXPECT_TRUE(WIFEXITED(status2) && WEXITSTATUS(status2) == 2);
  EXPECT_THAT(output2, HasSubstr("--metrics_listen: cannot listen"));
}

}  // namespace
}  // namespace cv::testing
