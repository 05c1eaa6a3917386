// VerifyChannel and SendTest agree about the direct integration: the verdict of VerifyChannel
// follows the path SendTest sends through (Gmail API, Microsoft Graph), whatever the SMTP
// (XOAUTH2) check says. One server, the loopback OAuth peer for the APIs and two XOAUTH2 SMTP
// peers; each scenario is verified, then sent, through the same server.
#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/find.h"
#include "support/loopback_suite.h"
#include "support/oauth_peer.h"
#include "support/peers.h"
#include "support/process.h"
#include "support/server.h"

namespace cv::testing {
namespace {

namespace v1 = channelverify::v1;

constexpr char kAccount[] = "jobs@example.com";

class OAuthAgreement : public OAuthSuite {
 protected:
  static void SetUpTestSuite() {
    OAuthPeerOptions options;
    options.account = kAccount;
    StartOAuth(options);
    if (HasFatalFailure()) return;
    // Every scenario sends to the same recipient through one server (one process per suite
    // under the sanitizers): the quotas have tests of their own.
    std::vector<std::string> more = {"--io_threads=2"};
    for (auto& f : ServerProcess::LiftedSendQuotas()) more.push_back(std::move(f));
    server_ = OAuthServer(more);
  }

  static void TearDownTestSuite() {
    OAuthSuite::TearDownTestSuite();
    server_ = nullptr;
  }

  static v1::Channel Channel(v1::Provider provider, const std::string& scenario, bool access) {
    v1::Channel channel;
    auto* oauth = channel.mutable_oauth();
    oauth->set_provider(provider);
    oauth->set_account(kAccount);
    if (access) {
      oauth->set_access_token("at-" + scenario);
    } else {
      oauth->set_refresh_token("rt-" + scenario);
    }
    return channel;
  }

  static inline ServerProcess* server_ = nullptr;
};

struct Scenario {
  std::string name;
  v1::Provider provider;
  std::string scenario;
  bool access_token = false;
};

void PrintTo(const Scenario& s, std::ostream* os) { *os << s.name; }

class OAuthAgreementTest : public OAuthAgreement, public ::testing::WithParamInterface<Scenario> {};

// VerifyChannel fails exactly when the test message is refused.
TEST_P(OAuthAgreementTest, VerifyChannelFailsExactlyWhenSendTestIsRefused) {
  const Scenario& s = GetParam();
  v1::VerifyChannelRequest verify;
  *verify.mutable_channel() = Channel(s.provider, s.scenario, s.access_token);
  verify.set_language_code("en");
  v1::VerifyChannelResponse verified;
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    ASSERT_TRUE(server_->Stub()->VerifyChannel(&context, verify, &verified).ok());
  }
  v1::SendTestRequest send;
  *send.mutable_channel() = Channel(s.provider, s.scenario, s.access_token);
  send.set_recipient("rcpt@sink.test");
  send.set_language_code("en");
  v1::SendTestResponse sent;
  {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    ASSERT_TRUE(server_->Stub()->SendTest(&context, send, &sent).ok());
  }
  EXPECT_EQ(verified.verdict() == v1::VERDICT_FAIL, !sent.accepted())
      << "VerifyChannel:\n"
      << verified.DebugString() << "\nSendTest:\n"
      << sent.DebugString();
  EXPECT_EQ(verified.verdict() == v1::VERDICT_FAIL, sent.verdict() == v1::VERDICT_FAIL);
  // Whatever the SMTP check found, it never advises the integration the channel already is.
  EXPECT_EQ(FindDiagnosis(verified, v1::DIAGNOSIS_CODE_DIRECT_INTEGRATION_RECOMMENDED), nullptr);
}

// The channel's own state: the token, its scopes, the mailbox and its licence, send-as rights,
// and the SMTP (XOAUTH2) side. Not in the list: refusals of one message (a recipient, a sending
// limit, a server error), which no verification can foresee, and the article's requirements for
// the integration account (admin rights, an own mailbox), which a send does not exercise and
// VerifyChannel reports on purpose.
INSTANTIATE_TEST_SUITE_P(
    Scenarios, OAuthAgreementTest,
    ::testing::Values(Scenario{"GoogleOk", v1::PROVIDER_GOOGLE, "ok"},
                      Scenario{"MicrosoftOk", v1::PROVIDER_MICROSOFT, "ok"},
                      Scenario{"MicrosoftSmtpAuthOff", v1::PROVIDER_MICROSOFT, "m-smtpoff"},
                      Scenario{"MicrosoftXoauth2Refused", v1::PROVIDER_MICROSOFT, "m-xo-bad"},
                      Scenario{"GoogleXoauth2Refused", v1::PROVIDER_GOOGLE, "g-xo-bad"},
                      Scenario{"MicrosoftSendAsDenied", v1::PROVIDER_MICROSOFT, "m-sendas"},
                      Scenario{"MicrosoftNoMailSend", v1::PROVIDER_MICROSOFT, "m-noscope"},
                      Scenario{"MicrosoftAccessDenied", v1::PROVIDER_MICROSOFT, "m-accessdenied"},
                      Scenario{"MicrosoftNoLicence", v1::PROVIDER_MICROSOFT, "m-nolicense"},
                      Scenario{"MicrosoftInvalidUser", v1::PROVIDER_MICROSOFT, "m-invaliduser"},
                      Scenario{"MicrosoftGrantExpired", v1::PROVIDER_MICROSOFT, "aadsts-700082"},
                      Scenario{"GoogleGrantRevoked", v1::PROVIDER_GOOGLE, "gerr-invalid_grant"},
                      Scenario{"GoogleNoMailService", v1::PROVIDER_GOOGLE, "g-nomail"},
                      Scenario{"GoogleInsufficientScope", v1::PROVIDER_GOOGLE, "g-scope"},
                      Scenario{"GoogleNoGmailScope", v1::PROVIDER_GOOGLE, "g-noscope"},
                      Scenario{"GoogleTokenOfAnotherUser", v1::PROVIDER_GOOGLE, "g-other"},
                      Scenario{"GoogleBadAccessToken", v1::PROVIDER_GOOGLE, "bad-token", true}),
    [](const ::testing::TestParamInfo<Scenario>& info) { return info.param.name; });

}  // namespace
}  // namespace cv::testing
