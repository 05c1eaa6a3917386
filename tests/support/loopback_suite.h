// The set-up most integration suites share, started once per suite: the test CA, a resolver
// (dnsmasq) with the suite's records for *.t.test, and servers started with the usual test
// flags pointing at both; for the OAuth suites, the CA, the OAuth peers and servers pointing
// at those. A suite with records, a CA or servers of its own calls StartLoopback and
// SuiteServer (StartOAuth and OAuthServer) from its SetUpTestSuite; a failure there fails the
// set-up, and gtest then skips the suite's tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/oauth_peer.h"
#include "support/peers.h"
#include "support/server.h"

namespace cv::testing {

class LoopbackSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { StartLoopback(); }
  // Stops the suite's servers (newest first), then the resolver and the CA.
  static void TearDownTestSuite() {
    if (servers_ != nullptr) {
      while (!servers_->empty()) servers_->pop_back();
    }
    delete servers_;
    delete dns_;
    delete ca_;
    servers_ = nullptr;
    dns_ = nullptr;
    ca_ = nullptr;
  }

  // smtp.t.test is 127.0.0.1.
  static DnsPeerOptions DefaultRecords() {
    return DnsPeerOptions().Host("smtp.t.test", "127.0.0.1");
  }

  // The CA (TestCa::Create with `ca_dir` and `ca_names`) and a resolver answering `records`.
  static void StartLoopback(DnsPeerOptions records = DefaultRecords(),
                            std::filesystem::path ca_dir = {},
                            std::vector<std::string> ca_names = TestCa::DefaultNames()) {
    StartCa(std::move(ca_dir), std::move(ca_names));
    if (HasFatalFailure()) return;
    auto dns = DnsPeer::Start(std::move(records));
    ASSERT_TRUE(dns.ok()) << dns.status();
    dns_ = new DnsPeer(std::move(*dns));
  }

  // The CA alone, for suites that need no resolver.
  static void StartCa(std::filesystem::path ca_dir = {},
                      std::vector<std::string> ca_names = TestCa::DefaultNames()) {
    auto ca = TestCa::Create(std::move(ca_dir), std::move(ca_names));
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = new TestCa(std::move(*ca));
  }

  // The resolver as --dns_servers takes it.
  static std::string Resolver() { return dns_->host() + ":" + std::to_string(dns_->port()); }

  // ServerProcess::TestFlags for this CA and resolver, and `more`.
  static std::vector<std::string> Flags(std::vector<std::string> more = {}) {
    return ServerProcess::TestFlags(ca_->ca().string(), Resolver(), std::move(more));
  }

  // The server binary with Flags(more), for one test.
  static absl::StatusOr<ServerProcess> Server(std::vector<std::string> more = {}) {
    return ServerProcess::Start(Flags(std::move(more)));
  }

  // A server the suite keeps until TearDownTestSuite: SuiteServer starts one with Flags(more),
  // KeepForSuite takes one started otherwise. nullptr when it did not start, and the set-up
  // fails.
  static ServerProcess* SuiteServer(std::vector<std::string> more = {}) {
    return KeepForSuite(Server(std::move(more)));
  }
  static ServerProcess* KeepForSuite(absl::StatusOr<ServerProcess> server) {
    if (!server.ok()) {
      ADD_FAILURE() << server.status();
      return nullptr;
    }
    if (servers_ == nullptr) servers_ = new std::vector<std::unique_ptr<ServerProcess>>;
    servers_->push_back(std::make_unique<ServerProcess>(std::move(*server)));
    return servers_->back().get();
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

 private:
  static inline std::vector<std::unique_ptr<ServerProcess>>* servers_ = nullptr;
};

// The same for the suites of the direct integration: the CA and OAuthPeers (no resolver: the
// peers are addressed by IP), and servers with the peers' engine flags.
class OAuthSuite : public LoopbackSuite {
 protected:
  // The CA and OAuthPeers::Start(options, smtp).
  static void StartOAuth(OAuthPeerOptions options = {}, bool smtp = true) {
    StartCa();
    if (HasFatalFailure()) return;
    auto peers = OAuthPeers::Start(*ca_, std::move(options), smtp);
    ASSERT_TRUE(peers.ok()) << peers.status();
    oauth_ = peers->release();
  }
  static void TearDownTestSuite() {
    LoopbackSuite::TearDownTestSuite();  // the servers first
    delete oauth_;
    oauth_ = nullptr;
  }

  // A server for the whole suite with the peers' OAuthPeers::EngineFlags and `more`.
  static ServerProcess* OAuthServer(std::vector<std::string> more = {}) {
    std::vector<std::string> flags = oauth_->EngineFlags();
    flags.insert(flags.end(), more.begin(), more.end());
    return KeepForSuite(ServerProcess::Start(flags));
  }

  static inline OAuthPeers* oauth_ = nullptr;
};

}  // namespace cv::testing
