// The service's own limits are never the customer's fault: a server started with a low
// open-file limit, under a burst of slow verifications, refuses what does not fit (OVERLOADED)
// or fails it as its own shortage (LOCAL_RESOURCES), and never answers with a diagnosis that
// blames the mail server for "Too many open files".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "support/loopback_suite.h"
#include "support/peers.h"
#include "support/server.h"

namespace cv::testing {
namespace {

namespace v1 = channelverify::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kBurst = 240;

class LocalResourcesTest : public LoopbackSuite {
 protected:
  static void SetUpTestSuite() { StartLoopback(DnsPeerOptions().Host("slow.t.test", "127.0.0.1")); }
};

TEST_F(LocalResourcesTest, LowOpenFileLimitUnderABurstNeverBlamesTheServer) {
  SmtpPeerOptions options;
  options.profile = "generic-ok";
  options.cert = ca_->valid();
  options.delay_ms = 1500;  // every reply: each verification holds its socket for seconds
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  // 200 open files: the server's socket budget is 136, below the burst.
  auto server = ServerProcess::Start(Flags({"--max_in_flight_per_host=100000"}), absl::Seconds(15),
                                     {"/usr/bin/prlimit", "--nofile=200:200", "--"});
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_THAT(server->Logs(), HasSubstr("\"soft\":200"));

  struct Call {
    grpc::ClientContext context;
    v1::VerifyChannelRequest request;
    v1::VerifyChannelResponse response;
    grpc::Status status;
  };
  std::vector<Call> calls(kBurst);
  std::mutex mu;
  std::condition_variable cv;
  int done = 0;
  auto stub = server->Stub();
  for (int i = 0; i < kBurst; ++i) {
    Call& c = calls[i];
    auto* smtp = c.request.mutable_channel()->mutable_smtp();
    smtp->set_host("slow.t.test");
    smtp->set_port(peer->port());
    smtp->set_tls_mode(v1::TLS_MODE_STARTTLS);
    smtp->set_username(absl::StrCat("user", i, "@t.test"));  // no coalescing
    smtp->set_password("s3cret-Pa55");
    c.context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    stub->async()->VerifyChannel(&c.context, &c.request, &c.response, [&, i](grpc::Status s) {
      std::lock_guard lock(mu);
      calls[i].status = std::move(s);
      ++done;
      cv.notify_one();
    });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done == kBurst; });
  }
  int answered = 0, overloaded = 0, local = 0;
  for (const Call& c : calls) {
    if (c.status.ok()) {
      ++answered;
      const std::string text = c.response.DebugString();
      EXPECT_THAT(text, Not(HasSubstr("Too many open files"))) << text;
      for (const auto& d : c.response.diagnoses()) {
        EXPECT_NE(d.code(), v1::DIAGNOSIS_CODE_SERVER_UNREACHABLE) << text;
        EXPECT_NE(d.code(), v1::DIAGNOSIS_CODE_CONNECTION_REFUSED) << text;
      }
      continue;
    }
    const std::string reason = ErrorReason(c.status);
    if (c.status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && reason == "OVERLOADED") {
      ++overloaded;
    } else if (c.status.error_code() == grpc::StatusCode::UNAVAILABLE &&
               reason == "LOCAL_RESOURCES") {
      ++local;
      EXPECT_THAT(c.status.error_message(), HasSubstr("channel-verifier"));
    } else {
      ADD_FAILURE() << c.status.error_code() << " " << reason << ": " << c.status.error_message();
    }
  }
  // The limit was reached, and what fit was verified.
  EXPECT_GT(overloaded + local, 0);
  EXPECT_GT(answered, 0);
  EXPECT_EQ(answered + overloaded + local, kBurst);
  EXPECT_TRUE(server->process().Running());
}

}  // namespace
}  // namespace cv::testing
