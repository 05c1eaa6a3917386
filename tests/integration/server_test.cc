// The server as engineers and Kubernetes meet it: reflection with `buf curl`, the health
// service, and a graceful SIGTERM.
#include "support/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "support/loopback_suite.h"
#include "support/peers.h"

namespace cv::testing {
namespace {

namespace v1 = channelverify::v1;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

std::string Buf() { return std::string(CV_SOURCE_DIR) + "/.tools/node_modules/.bin/buf"; }

// The CA and resolver of LoopbackSuite; each test starts its own server.
class ServerTest : public LoopbackSuite {};

TEST_F(ServerTest, BufCurlReachesVerifyChannelAndHealthThroughReflection) {
  ASSERT_TRUE(std::filesystem::exists(Buf())) << "scripts/setup.sh installs buf";
  SmtpPeerOptions options;
  options.tls = SmtpTls::kStartTls;
  options.cert = ca_->valid();
  options.require_starttls = true;
  options.users = {{"jobs@t.test", "pw-for-buf-curl"}};
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto server = Server();
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string base = absl::StrCat("http://", server->address(), "/");

  auto health = RunCommand({Buf(), "curl", "--protocol", "grpc", "--http2-prior-knowledge",
                            base + "grpc.health.v1.Health/Check"});
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_THAT(*health, HasSubstr("\"status\": \"SERVING\""));

  const std::string body = absl::StrCat(
      R"({"channel":{"smtp":{"host":"smtp.t.test","port":)", peer->port(),
      R"(,"tlsMode":"TLS_MODE_STARTTLS","username":"jobs@t.test","password":"pw-for-buf-curl",)",
      R"("fromAddress":"jobs@t.test"}},"languageCode":"de"})");
  auto verify = RunCommand({Buf(), "curl", "--protocol", "grpc", "--http2-prior-knowledge", "-d",
                            body, base + "channelverify.v1.ChannelVerifierService/VerifyChannel"});
  ASSERT_TRUE(verify.ok()) << verify.status();
  EXPECT_THAT(*verify, HasSubstr("\"verdict\": \"VERDICT_PASS\""));
  EXPECT_THAT(*verify, HasSubstr("\"name\": \"smtp.auth\""));
  EXPECT_THAT(*verify, ::testing::Not(HasSubstr("pw-for-buf-curl")));

  auto list = RunCommand(
      {Buf(), "curl", "--protocol", "grpc", "--http2-prior-knowledge", "--list-methods", base});
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_THAT(*list, HasSubstr("grpc.health.v1.Health/Check"));
  EXPECT_THAT(*list, HasSubstr("channelverify.v1.ChannelVerifierService/ListDiagnoses"));
}

TEST_F(ServerTest, HealthAnswersForTheServerAndTheServiceOnly) {
  auto server = Server();
  ASSERT_TRUE(server.ok()) << server.status();
  for (const std::string name : {"", "channelverify.v1.ChannelVerifierService"}) {
    HealthCheckRequest request;
    request.set_service(name);
    HealthCheckResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(server->HealthStub()->Check(&context, request, &response).ok()) << name;
    EXPECT_EQ(response.status(), HealthCheckResponse::SERVING);
  }
  HealthCheckRequest unknown;
  unknown.set_service("no.such.Service");
  HealthCheckResponse response;
  grpc::ClientContext context;
  EXPECT_EQ(server->HealthStub()->Check(&context, unknown, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ServerTest, SigtermTurnsHealthNotServingFinishesCallsInFlightAndExitsZero) {
  SmtpPeerOptions options;
  options.profile = "generic-ok";
  options.cert = ca_->valid();
  options.delay_ms = 300;  // about 1.5 s for the whole dialog
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  // Health says NOT_SERVING for the shutdown delay; the test asks within it.
  auto server = Server({"--shutdown_delay_ms=3000"});
  ASSERT_TRUE(server.ok()) << server.status();

  auto in_flight = std::async(std::launch::async, [&] {
    v1::VerifyChannelRequest request;
    auto* smtp = request.mutable_channel()->mutable_smtp();
    smtp->set_host("smtp.t.test");
    smtp->set_port(peer->port());
    smtp->set_username("jobs@t.test");
    smtp->set_password("pw");
    v1::VerifyChannelResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    const grpc::Status status = server->Stub()->VerifyChannel(&context, request, &response);
    return std::make_pair(status.ok(), response.verdict());
  });
  // In flight for certain once the server has dialed the peer (its connection has a
  // transcript), however long the call took to get there.
  ASSERT_TRUE(Eventually([&] { return !peer->Transcripts().empty(); }))
      << "the call never reached the peer";
  ASSERT_EQ(::kill(server->process().pid(), SIGTERM), 0);

  // The switch comes just after the server's "shutting down" line: asked until it shows.
  auto health = server->HealthStub();
  EXPECT_TRUE(Eventually([&] {
    HealthCheckRequest request;
    HealthCheckResponse response;
    grpc::ClientContext context;
    return health->Check(&context, request, &response).ok() &&
           response.status() == HealthCheckResponse::NOT_SERVING;
  })) << "health never said NOT_SERVING";

  const auto [ok, verdict] = in_flight.get();
  EXPECT_TRUE(ok);
  EXPECT_EQ(verdict, v1::VERDICT_PASS);
  auto status = server->process().Wait(absl::Seconds(10));
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  EXPECT_THAT(server->Logs(), HasSubstr("\"msg\":\"stopped\""));
}

TEST_F(ServerTest, BadConfigurationFailsFastWithAClearMessage) {
  for (const std::string flag : {"--allow_cidrs=10.0.0.0/33", "--dns_servers=not-an-ip",
                                 "--trusted_ca_file=/nonexistent/ca.pem", "--smtp_ports=0"}) {
    ChildProcess::Options options;
    options.argv = {std::string(CV_BINARY_DIR) + "/service/channel-verifier",
                    "--listen=127.0.0.1:0", flag};
    auto process = ChildProcess::Start(options);
    ASSERT_TRUE(process.ok());
    auto status = process->Wait(absl::Seconds(5));
    ASSERT_TRUE(status.ok()) << flag;
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 2) << flag;
    EXPECT_THAT(process->Output(), HasSubstr(flag.substr(0, flag.find('=')))) << flag;
  }
}

// The build links jemalloc into the server for speed (README "Performance"); a link that
// silently fell back to glibc's malloc would lose that without any test noticing otherwise.
TEST_F(ServerTest, RunsOnTheAllocatorItWasBuiltWith) {
  auto server = Server();
  ASSERT_TRUE(server.ok()) << server.status();
  std::ifstream maps("/proc/" + std::to_string(server->process().pid()) + "/maps");
  std::stringstream mapped;
  mapped << maps.rdbuf();
#ifdef CV_EXPECT_JEMALLOC
  EXPECT_THAT(server->Logs(), HasSubstr("\"allocator\":\"jemalloc 5."));
  EXPECT_THAT(mapped.str(), HasSubstr("libjemalloc.so"));
#else
  EXPECT_THAT(server->Logs(), HasSubstr("\"allocator\":\"libc\""));
  EXPECT_THAT(mapped.str(), ::testing::Not(HasSubstr("libjemalloc.so")));
#endif
}

}  // namespace
}  // namespace cv::testing
