// The set-up most integration suites share, started once per suite: the test CA and a
// resolver that answers smtp.t.test with 127.0.0.1, and servers started with the usual test
// flags pointing at both.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/peers.h"
#include "support/server.h"

namespace cv::testing {

class LoopbackSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto ca = TestCa::Create();
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = new TestCa(std::move(*ca));
    auto dns = DnsPeer::Start(DnsPeerOptions().Host("smtp.t.test", "127.0.0.1"));
    ASSERT_TRUE(dns.ok()) << dns.status();
    dns_ = new DnsPeer(std::move(*dns));
  }
  static void TearDownTestSuite() {
    delete dns_;
    delete ca_;
    dns_ = nullptr;
    ca_ = nullptr;
  }

  // The server binary with ServerProcess::TestFlags for this CA and resolver, and `more`.
  static absl::StatusOr<ServerProcess> Server(std::vector<std::string> more = {}) {
    return ServerProcess::Start(ServerProcess::TestFlags(
        ca_->ca().string(), dns_->host() + ":" + std::to_string(dns_->port()), std::move(more)));
  }

  // An SMTP VerifyChannel request for smtp.t.test (or `host`).
  static channelverify::v1::VerifyChannelRequest SmtpRequest(
      int port, const std::string& user, const std::string& password,
      const std::string& host = "smtp.t.test") {
    channelverify::v1::VerifyChannelRequest request;
    auto* smtp = request.mutable_channel()->mutable_smtp();
    smtp->set_host(host);
    smtp->set_port(port);
    smtp->set_username(user);
    smtp->set_password(password);
    return request;
  }

  // VerifyChannel with a deadline of `deadline_s`.
  static grpc::Status Verify(channelverify::v1::ChannelVerifierService::Stub& stub,
                             const channelverify::v1::VerifyChannelRequest& request,
                             channelverify::v1::VerifyChannelResponse* response,
                             int deadline_s = 20) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(deadline_s));
    return stub.VerifyChannel(&context, request, response);
  }

  static inline TestCa* ca_ = nullptr;
  static inline DnsPeer* dns_ = nullptr;
};

}  // namespace cv::testing
