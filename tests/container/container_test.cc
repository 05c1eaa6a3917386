// The container image, built from the Dockerfile with Podman and run the way the Helm chart
// runs it (non-root, read-only root, no capabilities, TLS with a client CA, the plaintext
// health port), answering Health/Check and VerifyChannel against peers on loopback.
//
// One process builds the image once for all the tests (about 5-10 min cold on 2 cores, far
// less with the build's compiler cache warm). Skips only when Podman is missing or cannot run
// on this machine at all; scripts/setup.sh installs and configures it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "channelverify/v1/channel_verifier.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "support/deploy.h"
#include "support/peers.h"
#include "support/process.h"

namespace cv::testing {
namespace {

namespace fs = std::filesystem;
namespace v1 = channelverify::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kImage[] = "localhost/channel-verifier:ctest";
constexpr char kBuildStage[] = "localhost/channel-verifier-build:ctest";
constexpr char kBase[] = "debian:bookworm-slim";

std::string Podman() {
  for (const char* path : {"/usr/bin/podman", "/usr/local/bin/podman"}) {
    if (fs::exists(path)) return path;
  }
  return "";
}

std::string Tail(const std::string& text, size_t n = 6000) {
  return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

// Runs a command with stdout and stderr together, for error messages worth reading.
absl::StatusOr<std::string> Sh(std::vector<std::string> argv,
                               absl::Duration timeout = absl::Minutes(2)) {
  std::vector<std::string> shell = {"/bin/sh", "-c", "exec \"$@\" 2>&1", "sh"};
  shell.insert(shell.end(), argv.begin(), argv.end());
  auto out = RunCommand(shell, timeout);
  if (!out.ok())
    return absl::Status(out.status().code(), Tail(std::string(out.status().message())));
  return out;
}

class ContainerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (Podman().empty()) {
      skip_reason_ = "podman is not installed (scripts/setup.sh installs it)";
      return;
    }
    if (auto info = Sh({Podman(), "info"}, absl::Minutes(1)); !info.ok()) {
      skip_reason_ = absl::StrCat("podman cannot run on this machine: ", info.status().message());
      return;
    }
    if (auto base = Sh({Podman(), "image", "exists", kBase}); !base.ok()) {
      build_error_ = absl::StrCat("no ", kBase, " image: scripts/setup.sh makes one");
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    // The build stage is tagged too: it holds the layer with the installed -dev packages, and
    // a tag keeps that cache from being pruned with the layers of earlier builds.
    std::vector<std::string> build = {Podman(),
                                      "build",
                                      "--network=host",
                                      "--build-arg",
                                      "BUILD_JOBS=2",
                                      "--build-arg",
                                      "VERSION=ctest",
                                      "--build-arg",
                                      "REVISION=ctest",
                                      "-f",
                                      std::string(CV_SOURCE_DIR) + "/Dockerfile"};
    std::vector<std::string> stage = build;
    stage.insert(stage.end(), {"--target", "build", "-t", kBuildStage, CV_SOURCE_DIR});
    build.insert(build.end(), {"-t", kImage, CV_SOURCE_DIR});
    for (const auto& argv : {stage, build}) {
      auto built = Sh(argv, absl::Minutes(40));
      if (!built.ok()) {
        build_error_ = absl::StrCat("podman build failed: ", built.status().message());
        return;
      }
    }
    build_seconds_ =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Earlier builds' layers, now untagged, would fill the disk run after run.
    Sh({Podman(), "image", "prune", "--force"}).IgnoreError();
    std::printf("[ container ] image built in %.0f s\n", build_seconds_);
  }

  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
    ASSERT_TRUE(build_error_.empty()) << build_error_;
    RecordProperty("image_build_seconds", static_cast<int>(build_seconds_));
  }

  static std::string skip_reason_;
  static std::string build_error_;
  static double build_seconds_;
};

std::string ContainerTest::skip_reason_;
std::string ContainerTest::build_error_;
double ContainerTest::build_seconds_ = 0;

TEST_F(ContainerTest, ImageHoldsOnlyTheServerRunsAsNonRootAndIsLabelled) {
  auto config = Sh({Podman(), "image", "inspect", "--format",
                    "{{.Config.User}}|{{json .Config.ExposedPorts}}|{{json .Config.Entrypoint}}|"
                    "{{json .Config.Labels}}",
                    kImage});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_THAT(*config, HasSubstr("65532:65532|"));
  for (const char* port : {"50051/tcp", "8081/tcp", "9090/tcp"}) {
    EXPECT_THAT(*config, HasSubstr(port));
  }
  EXPECT_THAT(*config, HasSubstr(R"(["/usr/local/bin/channel-verifier"])"));
  for (const char* label :
       {R"("org.opencontainers.image.title":"channel-verifier")",
        R"("org.opencontainers.image.version":"ctest")",
        R"("org.opencontainers.image.revision":"ctest")", "org.opencontainers.image.created",
        "org.opencontainers.image.description"}) {
    EXPECT_THAT(*config, HasSubstr(label));
  }

  // The files of the image: the binary, its libraries, the CA bundle, and no shell or
  // package manager.
  TempDir dir("cv-container-");
  auto id = Sh({Podman(), "create", kImage});
  ASSERT_TRUE(id.ok()) << id.status();
  const std::string container(absl::StripAsciiWhitespace(*id));
  const std::string tar = (dir.path() / "image.tar").string();
  auto exported = Sh({Podman(), "export", "-o", tar, container});
  Sh({Podman(), "rm", container}).IgnoreError();
  ASSERT_TRUE(exported.ok()) << exported.status();
  auto listing = Sh({"/usr/bin/tar", "-tf", tar});
  ASSERT_TRUE(listing.ok()) << listing.status();
  std::set<std::string> files;
  for (absl::string_view line : absl::StrSplit(*listing, '\n')) {
    std::string name(line);
    if (name.rfind("./", 0) == 0) name = name.substr(2);
    if (!name.empty()) files.insert(name);
  }
  EXPECT_TRUE(files.count("usr/local/bin/channel-verifier"));
  EXPECT_TRUE(files.count("etc/ssl/certs/ca-certificates.crt"));
  for (const char* absent : {"bin/sh", "bin/bash", "usr/bin/sh", "usr/bin/bash", "bin/dash",
                             "usr/bin/apt-get", "usr/bin/dpkg", "usr/bin/perl", "usr/bin/env"}) {
    EXPECT_FALSE(files.count(absent)) << absent;
  }
  size_t libraries = 0;
  for (const auto& f : files) {
    if (f.find(".so") != std::string::npos) ++libraries;
    // Nothing but the binary, libraries, the CA bundle, users, and the runtime's mount points.
    const bool expected = f.rfind("usr/local/bin/", 0) == 0 || f.rfind("lib", 0) == 0 ||
                          f.rfind("usr/lib", 0) == 0 || f.rfind("etc/", 0) == 0 ||
                          f.rfind("tmp", 0) == 0 || f.rfind("usr/", 0) == 0 ||
                          f.rfind("run", 0) == 0 || f.rfind("dev", 0) == 0 ||
                          f.rfind("proc", 0) == 0 || f.rfind("sys", 0) == 0 || f == "etc";
    EXPECT_TRUE(expected) << f;
    EXPECT_EQ(f.find("usr/bin/"), std::string::npos) << f;
    EXPECT_EQ(f.find("usr/share/doc"), std::string::npos) << f;
  }
  EXPECT_GT(libraries, 10u);
  EXPECT_LT(files.size(), 200u);

  // No shell to run.
  auto shell = Sh(
      {Podman(), "run", "--rm", "--network=none", "--entrypoint", "/bin/sh", kImage, "-c", "true"});
  EXPECT_FALSE(shell.ok());
}

TEST_F(ContainerTest, ServesHealthAndVerifyChannelLikeThePodDoes) {
  auto ca = TestCa::Create();
  ASSERT_TRUE(ca.ok()) << ca.status();
  auto dns = DnsPeer::Start(DnsPeerOptions().Host("smtp.t.test", "127.0.0.1"));
  ASSERT_TRUE(dns.ok()) << dns.status();
  SmtpPeerOptions options;
  options.tls = SmtpTls::kStartTls;
  options.cert = ca->valid();
  options.require_starttls = true;
  options.users = {{"jobs@t.test", "pw-in-container"}};
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();

  // Mounted like the chart's Secrets: read-only files the non-root user can read.
  TempDir certs("cv-container-certs-");
  auto client = MakeClientCert(ca->dir(), certs.path(), "caller");
  ASSERT_TRUE(client.ok()) << client.status();
  fs::copy_file(ca->valid().cert, certs.path() / "tls.crt");
  fs::copy_file(ca->valid().key, certs.path() / "tls.key");
  fs::copy_file(ca->ca(), certs.path() / "ca.crt");
  for (const auto& entry : fs::directory_iterator(certs.path())) {
    fs::permissions(entry.path(),
                    fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  }

  const std::string name = absl::StrCat("cv-ctest-", ::getpid());
  ChildProcess::Options run;
  run.argv = {Podman(), "run", "--rm", "--name=" + name,
              // Loopback peers and ports: the host's network, bound to 127.0.0.1 only.
              "--network=host", "--read-only", "--cap-drop=ALL", "--security-opt=no-new-privileges",
              "--volume=" + certs.path().string() + ":/certs:ro", kImage, "--listen=127.0.0.1:0",
              "--health_listen=127.0.0.1:0", "--metrics_listen=127.0.0.1:0",
              "--tls_cert_file=/certs/tls.crt", "--tls_key_file=/certs/tls.key",
              "--client_ca_file=/certs/ca.crt", "--allow_cidrs=127.0.0.0/8",
              "--trusted_ca_file=/certs/ca.crt",
              absl::StrCat("--dns_servers=", dns->host(), ":", dns->port()),
              "--ehlo_name=verifier.test", "--io_threads=2", "--shutdown_delay_ms=300"};
  run.stderr_path = certs.path() / "podman.stderr";
  run.stop_grace = absl::Seconds(15);
  auto container = ChildProcess::Start(run);
  ASSERT_TRUE(container.ok()) << container.status();
  struct Cleanup {
    std::string name;
    ~Cleanup() { Sh({Podman(), "rm", "--force", "--time=1", name}).IgnoreError(); }
  } cleanup{name};

  absl::StatusOr<int> api_port = absl::UnavailableError("not yet");
  const absl::Time end = absl::Now() + absl::Seconds(60);
  while (absl::Now() < end && !api_port.ok() && container->Running()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    api_port = LoggedPort(container->Output(), "port");
  }
  ASSERT_TRUE(api_port.ok()) << container->Output() << container->StderrTail();
  auto health_port = LoggedPort(container->Output(), "health_port");
  auto metrics_port = LoggedPort(container->Output(), "metrics_port");
  ASSERT_TRUE(health_port.ok() && metrics_port.ok()) << container->Output();

  // Kubelet's probe: plaintext, no certificate.
  {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service("channelverify.v1.ChannelVerifierService");
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    auto status = grpc::health::v1::Health::NewStub(PlainChannel(*health_port))
                      ->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  // A calling service: mutual TLS.
  auto channel = TlsChannel(*api_port, ca->ca(), *client);
  {
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    auto status = grpc::health::v1::Health::NewStub(channel)->Check(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  }
  {
    v1::VerifyChannelRequest request;
    auto* smtp = request.mutable_channel()->mutable_smtp();
    smtp->set_host("smtp.t.test");
    smtp->set_port(peer->port());
    smtp->set_username("jobs@t.test");
    smtp->set_password("pw-in-container");
    smtp->set_from_address("jobs@t.test");
    v1::VerifyChannelResponse response;
    grpc::ClientContext context;
    context.AddMetadata("x-request-id", "container-test-1");
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    auto status =
        v1::ChannelVerifierService::NewStub(channel)->VerifyChannel(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.verdict(), v1::VERDICT_PASS) << response.DebugString();
  }
  // A caller without a certificate is refused.
  {
    v1::ListDiagnosesRequest request;
    v1::ListDiagnosesResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    EXPECT_EQ(v1::ChannelVerifierService::NewStub(TlsChannel(*api_port, ca->ca()))
                  ->ListDiagnoses(&context, request, &response)
                  .error_code(),
              grpc::StatusCode::UNAVAILABLE);
  }
  auto metrics = HttpGet(*metrics_port, "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_EQ(MetricValue(metrics->body,
                        R"(channel_verifier_rpcs_total{method="VerifyChannel",code="OK"})"),
            1);
  EXPECT_THAT(container->Output(), HasSubstr("\"request_id\":\"container-test-1\""));
  EXPECT_THAT(container->Output(), Not(HasSubstr("pw-in-container")));

  // SIGTERM reaches the server through podman: drain, exit 0.
  ASSERT_EQ(::kill(container->pid(), SIGTERM), 0);
  auto status = container->Wait(absl::Seconds(30));
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << *status << container->StderrTail();
  EXPECT_THAT(container->Output(), HasSubstr("\"msg\":\"stopped\""));
}

}  // namespace
}  // namespace cv::testing
