// Callers and hosts: who is calling (mutual TLS, a trusted proxy's header), each caller's fair
// share of the in-flight slots, busy hosts that queue instead of refusing, and the SendTest
// quotas per recipient, channel and caller.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "support/deploy.h"
#include "support/find.h"
#include "support/loopback_suite.h"
#include "support/peers.h"
#include "support/server.h"

namespace cv::testing {
namespace {

namespace v1 = channelverify::v1;
using ::testing::HasSubstr;

constexpr char kPassword[] = "Corr3ct-Horse!pw";

class FairShareTest : public LoopbackSuite {
 protected:
  static void SetUpTestSuite() {
    LoopbackSuite::SetUpTestSuite();
    dir_ = new TempDir("cv-fair-share-");
  }
  static void TearDownTestSuite() {
    delete dir_;
    LoopbackSuite::TearDownTestSuite();
  }

  static v1::VerifyChannelRequest Request(int port, const std::string& user,
                                          const std::string& host = "smtp.t.test") {
    return SmtpRequest(port, user, kPassword, host);
  }

  static grpc::Status Call(v1::ChannelVerifierService::Stub& stub,
                           const v1::VerifyChannelRequest& request,
                           v1::VerifyChannelResponse* response, int deadline_s = 30) {
    return Verify(stub, request, response, deadline_s);
  }

  // A scripted peer that accepts every AUTH, each reply `delay_ms` late.
  static absl::StatusOr<SmtpPeer> OkPeer(int delay_ms) {
    SmtpPeerOptions options;
    options.profile = "generic-ok";
    options.cert = ca_->valid();
    options.delay_ms = delay_ms;
    return SmtpPeer::Start(options);
  }

  static inline TempDir* dir_ = nullptr;
};

TEST_F(FairShareTest, ABusyHostQueuesAndEverySpellingSharesItsCap) {
  auto peer = OkPeer(/*delay_ms=*/100);
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto server = Server({"--max_in_flight_per_host=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = server->Stub();
  const std::vector<std::string> hosts = {"smtp.t.test", "SMTP.T.TEST", "smtp.t.test.",
                                          "Smtp.T.Test."};
  std::vector<std::future<grpc::Status>> calls;
  for (size_t i = 0; i < hosts.size(); ++i) {
    calls.push_back(std::async(std::launch::async, [&, i] {
      v1::VerifyChannelResponse r;
      grpc::Status s =
          Call(*stub, Request(peer->port(), absl::StrCat("u", i, "@t.test"), hosts[i]), &r);
      EXPECT_EQ(r.verdict(), v1::VERDICT_PASS) << hosts[i];
      return s;
    }));
  }
  for (auto& call : calls) {
    const grpc::Status s = call.get();
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(peer->Transcripts().size(), hosts.size());
  EXPECT_EQ(peer->MaxConcurrentConnections(), 1) << "one cap for every spelling of the host";
}

TEST_F(FairShareTest, ABusyHostRefusesOnlyTheCallsThatCouldNotStartInTime) {
  // Each verification takes six delayed replies (2.4 s at least); a call with a 3 s deadline
  // must start within 1.5 s to keep half its budget, so the ones behind the first cannot.
  auto peer = OkPeer(/*delay_ms=*/400);
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto server = Server({"--max_in_flight_per_host=1"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = server->Stub();
  std::vector<std::future<grpc::Status>> calls;
  for (int i = 0; i < 3; ++i) {
    calls.push_back(std::async(std::launch::async, [&, i] {
      v1::VerifyChannelResponse r;
      return Call(*stub, Request(peer->port(), absl::StrCat("slow", i, "@t.test")), &r, 3);
    }));
  }
  int ok = 0, busy = 0;
  for (auto& call : calls) {
    const grpc::Status s = call.get();
    if (s.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
      EXPECT_EQ(ErrorReason(s), "HOST_BUSY");
      EXPECT_GT(RetryDelayMs(s), 0);
      ++busy;
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(busy, 2);
  EXPECT_EQ(peer->MaxConcurrentConnections(), 1);
}

TEST_F(FairShareTest, AThousandVerificationsOfOneHostAt200InFlightAllFinish) {
  auto peer = OkPeer(/*delay_ms=*/0);
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto server = Server();  // the default cap: 50 per host
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = server->Stub();
  std::atomic<int> next{0}, failed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 200; ++w) {
    workers.emplace_back([&] {
      for (int i = next++; i < 1000; i = next++) {
        v1::VerifyChannelResponse r;
        const grpc::Status s =
            Call(*stub, Request(peer->port(), absl::StrCat("bulk", i, "@t.test")), &r, 120);
        if (!s.ok() || r.verdict() != v1::VERDICT_PASS) {
          if (failed++ < 3) ADD_FAILURE() << i << ": " << s.error_message();
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(peer->Transcripts().size(), 1000u);
  EXPECT_LE(peer->MaxConcurrentConnections(), 50);
  EXPECT_GT(peer->MaxConcurrentConnections(), 1);
}

TEST_F(FairShareTest, OneCallerSaturatingItsShareLeavesTheOthersServed) {
  auto noisy_cert =
      MakeClientCert(ca_->dir(), dir_->path(), "noisy", "URI:spiffe://hr/noisy,DNS:noisy.t.test");
  ASSERT_TRUE(noisy_cert.ok()) << noisy_cert.status();
  auto quiet_cert = MakeClientCert(ca_->dir(), dir_->path(), "quiet");
  ASSERT_TRUE(quiet_cert.ok()) << quiet_cert.status();
  auto silent = SmtpPeer::StartSilent();
  ASSERT_TRUE(silent.ok()) << silent.status();
  auto peer = OkPeer(0);
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto server = Server({"--tls_cert_file=" + ca_->valid().cert.string(),
                        "--tls_key_file=" + ca_->valid().key.string(),
                        "--client_ca_file=" + ca_->ca().string(), "--max_in_flight=40",
                        "--max_in_flight_per_host=1000", "--greeting_timeout_ms=3000"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto noisy =
      v1::ChannelVerifierService::NewStub(TlsChannel(server->port(), ca_->ca(), *noisy_cert));
  auto quiet =
      v1::ChannelVerifierService::NewStub(TlsChannel(server->port(), ca_->ca(), *quiet_cert));

  // A thousand calls at once from one caller, each to a server that never answers.
  constexpr int kNoisy = 1000;
  struct Pending {
    grpc::ClientContext context;
    v1::VerifyChannelRequest request;
    v1::VerifyChannelResponse response;
    grpc::Status status;
  };
  std::vector<std::unique_ptr<Pending>> pending;
  std::mutex mu;
  std::condition_variable cv;
  int finished = 0;
  for (int i = 0; i < kNoisy; ++i) {
    auto p = std::make_unique<Pending>();
    p->request = Request(silent->port(), absl::StrCat("n", i, "@t.test"), "127.0.0.1");
    p->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    noisy->async()->VerifyChannel(&p->context, &p->request, &p->response,
                                  [&, raw = p.get()](grpc::Status s) {
                                    std::lock_guard lock(mu);
                                    raw->status = std::move(s);
                                    ++finished;
                                    cv.notify_all();
                                  });
    pending.push_back(std::move(p));
  }
  // While they hold their share, the other caller is served.
  v1::VerifyChannelResponse r;
  const grpc::Status served = Call(*quiet, Request(peer->port(), "quiet@t.test"), &r);
  EXPECT_TRUE(served.ok()) << ErrorReason(served) << ": " << served.error_message();
  EXPECT_EQ(r.verdict(), v1::VERDICT_PASS);
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return finished == kNoisy; }));
  }
  int busy = 0, admitted = 0;
  for (const auto& p : pending) {
    if (ErrorReason(p->status) == "CALLER_BUSY") {
      ++busy;
    } else {
      ++admitted;
    }
  }
  // A quarter of --max_in_flight by default: 10 at a time.
  EXPECT_LE(admitted, 10 + 50) << "slots free again as the silent calls time out";
  EXPECT_GE(busy, kNoisy - 60);
  EXPECT_THAT(server->Logs(), HasSubstr("\"caller\":\"uri:spiffe://hr/noisy\""));
  EXPECT_THAT(server->Logs(), HasSubstr("\"caller\":\"cn:quiet\""));
}

TEST_F(FairShareTest, SendTestQuotasPerRecipientChannelAndCallerAndRequestIdsPerCaller) {
  SmtpPeerOptions options;
  options.tls = SmtpTls::kStartTls;
  options.cert = ca_->valid();
  options.users = {{"a@t.test", kPassword}, {"b@t.test", kPassword}};
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  auto server =
      Server({"--caller_identity_header=X-Caller-Id", "--send_quota_per_recipient_per_hour=2",
              "--send_quota_per_channel_per_hour=3", "--send_quota_per_caller_per_hour=4"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = server->Stub();
  auto send = [&](const std::string& user, const std::string& to, const std::string& caller,
                  const std::string& request_id = "") {
    v1::SendTestRequest request;
    auto* smtp = request.mutable_channel()->mutable_smtp();
    smtp->set_host("smtp.t.test");
    smtp->set_port(peer->port());
    smtp->set_username(user);
    smtp->set_password(kPassword);
    smtp->set_from_address(user);
    request.set_recipient(to);
    request.set_request_id(request_id);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    context.AddMetadata("x-caller-id", caller);
    v1::SendTestResponse response;
    return stub->SendTest(&context, request, &response);
  };
  auto expect_quota = [](const grpc::Status& s, const std::string& quota) {
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << quota;
    EXPECT_EQ(ErrorReason(s), "SEND_QUOTA_EXCEEDED") << quota;
    EXPECT_EQ(ErrorMetadata(s, "quota"), quota);
    EXPECT_GT(RetryDelayMs(s), 3000 * 1000 - 60 * 1000) << "about an hour";
  };
  EXPECT_TRUE(send("a@t.test", "r1@t.test", "team-a").ok());
  EXPECT_TRUE(send("a@t.test", "R1@T.TEST", "team-a").ok());
  expect_quota(send("a@t.test", "r1@t.test", "team-a"), "recipient");
  EXPECT_TRUE(send("a@t.test", "r2@t.test", "team-a").ok());
  expect_quota(send("A@t.test", "r3@t.test", "team-a"), "channel");
  EXPECT_TRUE(send("b@t.test", "r3@t.test", "team-a").ok());
  expect_quota(send("b@t.test", "r4@t.test", "team-a"), "caller");
  auto delivered = peer->WaitForMessages(4);
  ASSERT_TRUE(delivered.ok()) << delivered.status();

  // Request ids belong to their caller: another caller's id is not a duplicate of mine.
  EXPECT_TRUE(send("b@t.test", "r5@t.test", "team-b", "onboarding-1").ok());
  const grpc::Status again = send("b@t.test", "r5@t.test", "team-b", "onboarding-1");
  EXPECT_EQ(ErrorReason(again), "DUPLICATE_REQUEST");
  EXPECT_TRUE(send("b@t.test", "r6@t.test", "team-c", "onboarding-1").ok());
  // A malformed identity header is the caller's mistake, named.
  const grpc::Status bad = send("b@t.test", "r7@t.test", "team a!");
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad.error_message(), HasSubstr("x-caller-id"));
  EXPECT_THAT(server->Logs(), HasSubstr("\"caller\":\"header:team-a\""));
}

}  // namespace
}  // namespace cv::testing
