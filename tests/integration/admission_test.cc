// Protection of accounts, of the service and of the network around it: the AUTH failure
// limit, identical calls sharing one run, in-flight caps, gRPC message limits, the port policy
// and DNS rebinding.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <future>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "support/find.h"
#include "support/loopback_suite.h"
#include "support/peers.h"
#include "support/server.h"

namespace cv::testing {
namespace {

namespace v1 = channelverify::v1;
using ::testing::Contains;
using ::testing::HasSubstr;

constexpr char kUser[] = "jobs@t.test";
constexpr char kWrongPassword[] = "wr0ng-Batt3ry!pw";

class AdmissionTest : public LoopbackSuite {
 protected:
  static v1::VerifyChannelRequest Request(int port, const std::string& user = kUser,
                                          const std::string& password = kWrongPassword) {
    return SmtpRequest(port, user, password);
  }

  static grpc::Status Call(const ServerProcess& server, const v1::VerifyChannelRequest& request,
                           v1::VerifyChannelResponse* response) {
    return Verify(*server.Stub(), request, response);
  }
};

TEST_F(AdmissionTest, AfterThreeRejectedAuthsTheServerIsNotContactedAgain) {
  auto peer = SmtpPeer::StartProfile("generic-auth-credentials-invalid", ca_);
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto server = Server();
  ASSERT_TRUE(server.ok()) << server.status();
  for (int i = 0; i < 3; ++i) {
    v1::VerifyChannelResponse r;
    ASSERT_TRUE(
        Call(*server, Request(peer->port(), kUser, absl::StrCat(kWrongPassword, i)), &r).ok())
        << i;
    EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
  }
  EXPECT_EQ(AuthAttempts(*peer), 3u);
  v1::VerifyChannelResponse r;
  const grpc::Status limited = Call(*server, Request(peer->port(), kUser, "a-fourth-one"), &r);
  EXPECT_EQ(limited.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(ErrorReason(limited), "AUTH_RATE_LIMITED");
  EXPECT_GT(RetryDelayMs(limited), 1000);
  EXPECT_EQ(ErrorMetadata(limited, "account"), "smtp.t.test/jobs@t.test");
  EXPECT_EQ(AuthAttempts(*peer), 3u) << "the fourth call must not reach the server";
  // Another account on the same server is not affected.
  ASSERT_TRUE(Call(*server, Request(peer->port(), "other@t.test"), &r).ok());
  EXPECT_EQ(AuthAttempts(*peer), 4u);
}

TEST_F(AdmissionTest, TwentyConcurrentWrongPasswordsMakeAtMostThreeAuths) {
  SmtpPeerOptions options;
  options.profile = "generic-auth-credentials-invalid";
  options.cert = ca_->valid();
  options.delay_ms = 200;  // the calls overlap
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto server = Server();
  ASSERT_TRUE(server.ok()) << server.status();
  std::vector<std::future<grpc::Status>> calls;
  for (int i = 0; i < 20; ++i) {
    calls.push_back(std::async(std::launch::async, [&, i] {
      v1::VerifyChannelResponse r;
      return Call(*server, Request(peer->port(), kUser, absl::StrCat("wrong-", i)), &r);
    }));
  }
  int limited = 0;
  for (auto& call : calls) {
    const grpc::Status s = call.get();
    if (!s.ok()) {
      EXPECT_EQ(ErrorReason(s), "AUTH_RATE_LIMITED");
      ++limited;
    }
  }
  EXPECT_LE(AuthAttempts(*peer), 3u);
  EXPECT_GE(limited, 17);
}

TEST_F(AdmissionTest, ARejectedPasswordIsAnsweredFromMemoryWithoutAConnection) {
  auto peer = SmtpPeer::StartProfile("generic-auth-credentials-invalid", ca_);
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto server = Server();
  ASSERT_TRUE(server.ok()) << server.status();
  for (int i = 0; i < 5; ++i) {
    v1::VerifyChannelResponse r;
    ASSERT_TRUE(Call(*server, Request(peer->port()), &r).ok()) << i;
    EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
    ASSERT_NE(FindDiagnosis(r, v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS), nullptr) << i;
  }
  EXPECT_EQ(peer->Transcripts().size(), 1u) << "five clicks, one connection";
  // The repeats did not use up the budget: two more distinct passwords are still tried.
  for (int i = 0; i < 2; ++i) {
    v1::VerifyChannelResponse r;
    ASSERT_TRUE(Call(*server, Request(peer->port(), kUser, absl::StrCat("new-", i)), &r).ok());
  }
  EXPECT_EQ(AuthAttempts(*peer), 3u);
}

TEST_F(AdmissionTest, AnIpLiteralSharesTheBudgetOfTheNameItBelongsTo) {
  auto peer = SmtpPeer::StartProfile("generic-auth-credentials-invalid", ca_);
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto server = Server();
  ASSERT_TRUE(server.ok()) << server.status();
  v1::VerifyChannelResponse r;
  // By name first: the server learns that smtp.t.test is 127.0.0.1.
  ASSERT_TRUE(Call(*server, Request(peer->port(), kUser, "by-name"), &r).ok());
  auto by_ip = [&](const std::string& password) {
    return Verify(*server->Stub(), SmtpRequest(peer->port(), kUser, password, "127.0.0.1"), &r);
  };
  ASSERT_TRUE(by_ip("by-ip-1").ok());
  ASSERT_TRUE(by_ip("by-ip-2").ok());
  const grpc::Status limited = by_ip("by-ip-3");
  EXPECT_EQ(ErrorReason(limited), "AUTH_RATE_LIMITED");
  EXPECT_EQ(ErrorMetadata(limited, "account"), "smtp.t.test/jobs@t.test");
  EXPECT_EQ(AuthAttempts(*peer), 3u);
}

TEST_F(AdmissionTest, IdenticalConcurrentVerificationsShareOneRun) {
  SmtpPeerOptions options;
  options.profile = "generic-ok";
  options.cert = ca_->valid();
  options.delay_ms = 300;
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto server = Server();
  ASSERT_TRUE(server.ok()) << server.status();
  std::vector<std::future<std::pair<bool, v1::Verdict>>> calls;
  for (int i = 0; i < 4; ++i) {
    calls.push_back(std::async(std::launch::async, [&] {
      v1::VerifyChannelResponse r;
      const bool ok = Call(*server, Request(peer->port(), kUser, "Corr3ct-Horse!pw"), &r).ok();
      return std::make_pair(ok, r.verdict());
    }));
  }
  for (auto& call : calls) {
    const auto [ok, verdict] = call.get();
    EXPECT_TRUE(ok);
    EXPECT_EQ(verdict, v1::VERDICT_PASS);
  }
  EXPECT_EQ(peer->Transcripts().size(), 1u) << "four identical calls, one connection";
  EXPECT_EQ(AuthAttempts(*peer), 1u);
}

TEST_F(AdmissionTest, InFlightCapsRefuseWithResourceExhausted) {
  SmtpPeerOptions options;
  options.profile = "generic-ok";
  options.cert = ca_->valid();
  options.delay_ms = 400;
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  // A busy host makes calls wait instead (fair_share_test.cc); the total and a caller's share
  // refuse at once.
  for (const auto& [flag, reason] : std::vector<std::pair<std::string, std::string>>{
           {"--max_in_flight=2", "OVERLOADED"}, {"--max_in_flight_per_caller=1", "CALLER_BUSY"}}) {
    // The total's test gives the one caller the whole total as its share.
    auto server = Server({flag, flag == "--max_in_flight=2" ? "--max_in_flight_per_caller=2"
                                                            : "--max_in_flight=100"});
    ASSERT_TRUE(server.ok()) << server.status();
    std::vector<std::future<grpc::Status>> calls;
    for (int i = 0; i < 3; ++i) {
      calls.push_back(std::async(std::launch::async, [&, i] {
        v1::VerifyChannelResponse r;
        // Different accounts: no sharing of runs.
        return Call(*server, Request(peer->port(), absl::StrCat("user", i, "@t.test")), &r);
      }));
    }
    int refused = 0;
    for (auto& call : calls) {
      const grpc::Status status = call.get();
      if (!status.ok()) {
        EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
        EXPECT_EQ(ErrorReason(status), reason);
        ++refused;
      }
    }
    EXPECT_GE(refused, 1) << flag;
    EXPECT_LE(refused, 2) << flag;
  }
}

TEST_F(AdmissionTest, OversizedRequestIsRefusedByGrpc) {
  auto server = Server();
  ASSERT_TRUE(server.ok()) << server.status();
  v1::VerifyChannelResponse r;
  const grpc::Status status = Call(*server, Request(25, kUser, std::string(100000, 'p')), &r);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(AdmissionTest, WithoutTrustedRangesOnlyPublicAddressesAndMailPortsAreDialed) {
  // No --allow_cidrs: loopback is as forbidden as any private range.
  auto server = ServerProcess::Start(
      {"--trusted_ca_file=" + ca_->ca().string(), "--dns_servers=" + Resolver()});
  ASSERT_TRUE(server.ok()) << server.status();
  v1::VerifyChannelResponse r;
  const grpc::Status port = Call(*server, Request(8025), &r);
  EXPECT_EQ(port.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ErrorReason(port), "TARGET_FORBIDDEN");
  ASSERT_TRUE(Call(*server, Request(587), &r).ok());
  EXPECT_THAT(DiagnosisOrFail(r, v1::DIAGNOSIS_CODE_TARGET_FORBIDDEN).evidence(),
              Contains(HasSubstr("loopback")));
  EXPECT_EQ(FindProbe(r, "smtp.tcp"), nullptr);
}

TEST_F(AdmissionTest, DnsRebindingCannotSwapTheVettedAddress) {
  // The name answers 127.0.0.1 first and 10.0.0.1 afterwards. The verification resolves once,
  // vets that answer and dials exactly it; the next verification sees the private address and
  // is refused without dialing.
  TempDir dir;
  const std::string counts = (dir.path() / "counts.json").string();
  int dns_port = 0;
  auto dns = ChildProcess::StartAndWaitReady(
      {.argv = {CV_PYTHON, std::string(CV_SOURCE_DIR) + "/tests/peers/rebind_dns.py",
                "--answers=127.0.0.1,10.0.0.1", "--counts=" + counts}},
      &dns_port);
  ASSERT_TRUE(dns.ok()) << dns.status();
  SmtpPeerOptions options;
  options.tls = SmtpTls::kStartTls;
  options.cert = ca_->valid();
  options.users = {{kUser, "Corr3ct-Horse!pw"}};
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto server = ServerProcess::Start(
      ServerProcess::TestFlags(ca_->ca().string(), absl::StrCat("127.0.0.1:", dns_port), {}));
  ASSERT_TRUE(server.ok()) << server.status();

  v1::VerifyChannelResponse first;
  ASSERT_TRUE(Call(*server, Request(peer->port(), kUser, "Corr3ct-Horse!pw"), &first).ok());
  EXPECT_EQ(first.verdict(), v1::VERDICT_PASS) << first.DebugString();
  std::ifstream in(counts);
  std::stringstream json;
  json << in.rdbuf();
  EXPECT_THAT(json.str(), HasSubstr("\"smtp.t.test\": 1")) << "one A query per verification";

  v1::VerifyChannelResponse second;
  ASSERT_TRUE(Call(*server, Request(peer->port(), kUser, "Corr3ct-Horse!pw"), &second).ok());
  EXPECT_THAT(Codes(second), Contains(v1::DIAGNOSIS_CODE_TARGET_FORBIDDEN)) << second.DebugString();
  EXPECT_EQ(FindProbe(second, "smtp.tcp"), nullptr);
}

}  // namespace
}  // namespace cv::testing
