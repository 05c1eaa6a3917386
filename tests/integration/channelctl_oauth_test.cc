// channelctl verify and send-test google|microsoft as an engineer runs them: a subprocess against
// the channel-verifier binary (started with the OAuth flags) and with --local (the same settings as
// channelctl flags), both pointed at tests/peers/oauth_peer.py on loopback: HTTPS stand-ins of
// the token endpoints, Graph, the Gmail and Directory APIs, and XOAUTH2 SMTP servers. The peer
// picks its behaviour from the refresh token ("rt-<scenario>"). Only 127.0.0.0/8 is contacted.
#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ctl_support.h"
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
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kClientSecret[] = "ctl-test-client-secret";
constexpr char kAccount[] = "jobs@example.com";

class ChannelctlOAuthTest : public OAuthSuite {
 protected:
  static void SetUpTestSuite() {
    OAuthPeerOptions options;
    options.client_secret = kClientSecret;
    options.record = true;
    StartOAuth(options);
    if (HasFatalFailure()) return;
    dir_ = new TempDir("cv-ctl-oauth-");
    server_ = OAuthServer();
  }
  static void TearDownTestSuite() {
    OAuthSuite::TearDownTestSuite();
    delete dir_;
    dir_ = nullptr;
    server_ = nullptr;
  }

  enum class Mode { kServer, kLocal, kLocalUnderscores };
  static constexpr Mode kModes[] = {Mode::kServer, Mode::kLocal, Mode::kLocalUnderscores};
  static std::string ModeName(Mode mode) {
    return mode == Mode::kServer ? "server" : mode == Mode::kLocal ? "--local" : "--local (a_b)";
  }

  static std::vector<std::string> Args(Mode mode, std::vector<std::string> args) {
    if (mode == Mode::kServer) return RemoteArgs(*server_, std::move(args));
    // channelctl takes the engine's flags spelled with dashes or, as the server spells them,
    // with underscores.
    return LocalArgs(oauth_->EngineFlags(mode == Mode::kLocal ? '-' : '_'), std::move(args));
  }

  // `channelctl verify PROVIDER --account ... --refresh-token-file F` for the peer's scenario.
  static CtlResult Verify(Mode mode, const std::string& provider, const std::string& scenario,
                          std::vector<std::string> more = {}) {
    const auto token = dir_->path() / ("refresh-" + scenario);
    std::ofstream(token) << "rt-" << scenario << "\n";
    std::vector<std::string> args = {
        "verify", provider, "--account", kAccount, "--refresh-token-file", token.string()};
    args.insert(args.end(), more.begin(), more.end());
    return RunCtl(Args(mode, args), {{"NO_COLOR", "1"}});
  }

  // `channelctl send-test PROVIDER --account ... --refresh-token-file F --to rcpt@sink.test`.
  static CtlResult SendTest(Mode mode, const std::string& provider, const std::string& scenario,
                            std::vector<std::string> more = {}) {
    const auto token = dir_->path() / ("refresh-" + scenario);
    std::ofstream(token) << "rt-" << scenario << "\n";
    std::vector<std::string> args = {
        "send-test",    provider, "--account",     kAccount, "--refresh-token-file",
        token.string(), "--to",   "rcpt@sink.test"};
    args.insert(args.end(), more.begin(), more.end());
    return RunCtl(Args(mode, args), {{"NO_COLOR", "1"}});
  }

  // How many send requests the peer received carrying this correlation id.
  static size_t SendsWith(const std::string& correlation_id) {
    return oauth_->https->Sends(correlation_id).size();
  }

  // The correlation id channelctl printed ("  X-Channel-Verifier-Test: <id>").
  static std::string CorrelationIdOf(const CtlResult& r) {
    std::smatch m;
    static const std::regex kLine("X-Channel-Verifier-Test: ([0-9a-f-]{36})");
    return std::regex_search(r.out, m, kLine) ? m[1].str() : "";
  }

  // Neither the refresh token, nor the access token it is exchanged for, nor the client secret.
  static void ExpectNoSecrets(const CtlResult& r, const std::string& scenario) {
    const std::string all = r.out + r.err;
    EXPECT_THAT(all, Not(HasSubstr("rt-" + scenario)));
    EXPECT_THAT(all, Not(HasSubstr("at-" + scenario)));
    EXPECT_THAT(all, Not(HasSubstr(kClientSecret)));
  }

  static v1::VerifyChannelResponse ParseJson(const CtlResult& r) {
    v1::VerifyChannelResponse response;
    const auto status = google::protobuf::util::JsonStringToMessage(r.out, &response);
    EXPECT_TRUE(status.ok()) << status << "\n" << r.out;
    return response;
  }

  static inline TempDir* dir_ = nullptr;  // the token files channelctl reads
  static inline ServerProcess* server_ = nullptr;
};

TEST_F(ChannelctlOAuthTest, GooglePassesShowingScopesExpiryAndAccount) {
  for (Mode mode : kModes) {
    SCOPED_TRACE(ModeName(mode));
    CtlResult r = Verify(mode, "google", "ok", {"--no-timing"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_THAT(r.out, HasSubstr("Google OAuth jobs@example.com\n\n"));
    // Granted scopes and the token's lifetime, then what the APIs say about the account.
    EXPECT_THAT(r.out, HasSubstr("  ✓ oauth.token        scopes https://mail.google.com/ "
                                 "admin.directory.user.readonly · expires in 59m59s\n"
                                 "  ✓ gmail.profile      token of jobs@example.com\n"
                                 "  ✓ google.directory   admin · mailbox set up · not suspended · "
                                 "not archived\n"));
    EXPECT_THAT(r.out, HasSubstr("  ✓ xoauth2.auth"));
    EXPECT_THAT(r.out, HasSubstr("\n✓ PASS: the channel works\n"));
    ExpectNoSecrets(r, "ok");

    CtlResult json = Verify(mode, "google", "ok", {"--output", "json"});
    EXPECT_EQ(json.exit_code, 0) << json.err;
    const auto response = ParseJson(json);
    EXPECT_EQ(response.verdict(), v1::VERDICT_PASS);
    EXPECT_EQ(response.detected_provider(), v1::PROVIDER_GOOGLE);
    ExpectNoSecrets(json, "ok");
  }
}

TEST_F(ChannelctlOAuthTest, MicrosoftPassesShowingScopesExpiryAndAccount) {
  for (Mode mode : kModes) {
    SCOPED_TRACE(ModeName(mode));
    CtlResult r = Verify(mode, "microsoft", "ok", {"--no-timing", "--tenant", "contoso"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("Microsoft OAuth jobs@example.com (tenant contoso)\n\n"));
    EXPECT_THAT(r.out,
                HasSubstr("  ✓ oauth.token              scopes Mail.Send User.Read "
                          "MailboxSettings.Read · expires in 1h17m12s\n"
                          "  ✓ graph.user               account enabled · 1 licence\n"
                          "  ✓ graph.mailbox_settings   userPurpose user\n"
                          "  ✓ graph.roles              roles Global Administrator\n"
                          "  ✓ graph.send_check         send permitted\n"
                          "  ✓ oauth.token.smtp         scopes SMTP.Send · expires in 1h17m12s\n"));
    EXPECT_THAT(r.out, HasSubstr("  ✓ xoauth2.auth             XOAUTH2 · 235 "));
    EXPECT_THAT(r.out, HasSubstr("\n✓ PASS: the channel works\n"));
    ExpectNoSecrets(r, "ok");

    CtlResult json = Verify(mode, "microsoft", "ok", {"--output", "json"});
    EXPECT_EQ(json.exit_code, 0) << json.err;
    EXPECT_EQ(ParseJson(json).verdict(), v1::VERDICT_PASS);
    ExpectNoSecrets(json, "ok");
  }
}

TEST_F(ChannelctlOAuthTest, SharedMailboxFailsNamingTheRequirementAndTheFix) {
  for (Mode mode : kModes) {
    SCOPED_TRACE(ModeName(mode));
    CtlResult r = Verify(mode, "microsoft", "m-shared", {"--no-timing"});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("  ✓ graph.mailbox_settings   userPurpose shared\n"
                                 "  ✓ graph.roles              roles Directory Readers\n"));
    EXPECT_THAT(r.out, HasSubstr("\n✗ FAIL: the channel does not work ("));
    EXPECT_THAT(r.out, HasSubstr("  INTEGRATION_SHARED_MAILBOX · integration-account · probe "
                                 "graph.mailbox_settings\n"
                                 "  What to do: "));
    EXPECT_THAT(r.out, HasSubstr("must not be a shared mailbox"));
    EXPECT_THAT(r.out, HasSubstr("userPurpose = \"shared\""));
    EXPECT_THAT(r.out, HasSubstr("  INTEGRATION_NOT_ADMIN · integration-account · probe "
                                 "graph.roles\n"));
    ExpectNoSecrets(r, "m-shared");

    CtlResult json = Verify(mode, "microsoft", "m-shared", {"--output", "json"});
    EXPECT_EQ(json.exit_code, 2) << json.err;
    const auto response = ParseJson(json);
    EXPECT_EQ(response.verdict(), v1::VERDICT_FAIL);
    EXPECT_NE(FindDiagnosis(response, v1::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX), nullptr)
        << json.out;
    ExpectNoSecrets(json, "m-shared");
  }
}

TEST_F(ChannelctlOAuthTest, GoogleNonAdminFailsNamingTheRequirementAndTheFix) {
  for (Mode mode : kModes) {
    SCOPED_TRACE(ModeName(mode));
    CtlResult r = Verify(mode, "google", "g-isadmin-false", {"--no-timing", "--lang", "de"});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("  ✓ google.directory   NOT admin · mailbox set up"));
    EXPECT_THAT(r.out, HasSubstr("✗ FAIL: der Kanal funktioniert nicht"));
    EXPECT_THAT(r.out, HasSubstr("  INTEGRATION_NOT_ADMIN · integration-account · Probe "
                                 "google.directory\n"
                                 "  Was tun: "));
    ExpectNoSecrets(r, "g-isadmin-false");
  }
}

// send-test through the direct integration, through the server and --local: one message each
// time, and what the provider answered.
TEST_F(ChannelctlOAuthTest, SendTestThroughGoogleAndMicrosoft) {
  for (Mode mode : kModes) {
    SCOPED_TRACE(ModeName(mode));
    CtlResult g = SendTest(mode, "google", "ok", {"--no-timing"});
    EXPECT_EQ(g.exit_code, 0) << g.out << g.err;
    EXPECT_THAT(g.out, HasSubstr("Google OAuth jobs@example.com → rcpt@sink.test\n\n"));
    EXPECT_THAT(g.out, HasSubstr("  ✓ oauth.token "));
    EXPECT_THAT(g.out, HasSubstr("  ✓ gmail.send       Gmail id 18c2f0a9d3b4e5f6\n"));
    EXPECT_THAT(g.out, HasSubstr("\n✓ Accepted: HTTP 200 OK: Gmail message id 18c2f0a9d3b4e5f6\n"
                                 "  Message-ID: <cv."));
    const std::string google_id = CorrelationIdOf(g);
    ASSERT_FALSE(google_id.empty()) << g.out;
    EXPECT_EQ(SendsWith(google_id), 1u);
    ExpectNoSecrets(g, "ok");

    CtlResult m = SendTest(mode, "microsoft", "ok", {"--no-timing", "--lang", "de"});
    EXPECT_EQ(m.exit_code, 0) << m.out << m.err;
    EXPECT_THAT(m.out, HasSubstr("Microsoft OAuth jobs@example.com → rcpt@sink.test\n\n"));
    EXPECT_THAT(m.out, HasSubstr("  ✓ graph.send_mail "));
    EXPECT_THAT(m.out, HasSubstr("\n✓ Angenommen: HTTP 202 Accepted\n  Message-ID: <cv."));
    const std::string microsoft_id = CorrelationIdOf(m);
    ASSERT_FALSE(microsoft_id.empty()) << m.out;
    EXPECT_EQ(SendsWith(microsoft_id), 1u);
    ExpectNoSecrets(m, "ok");
  }
}

TEST_F(ChannelctlOAuthTest, SendTestRefusalNamesTheCodeAndTheSendProbe) {
  for (Mode mode : kModes) {
    SCOPED_TRACE(ModeName(mode));
    CtlResult r = SendTest(mode, "microsoft", "m-sendas", {"--no-timing"});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("  ✗ graph.send_mail "));
    EXPECT_THAT(r.out, HasSubstr("\n✗ Not accepted: Microsoft Graph sendMail POST "
                                 "/v1.0/users/jobs@example.com/sendMail: HTTP 403 "
                                 "ErrorSendAsDenied"));
    EXPECT_THAT(r.out, HasSubstr("  SEND_AS_DENIED · probe graph.send_mail\n"));
    const std::string id = CorrelationIdOf(r);
    ASSERT_FALSE(id.empty()) << r.out;
    EXPECT_EQ(SendsWith(id), 1u);
    ExpectNoSecrets(r, "m-sendas");

    CtlResult json = SendTest(mode, "google", "g-badrcpt", {"--output", "json"});
    EXPECT_EQ(json.exit_code, 2) << json.err;
    v1::SendTestResponse response;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &response).ok()) << json.out;
    EXPECT_FALSE(response.accepted());
    ASSERT_GT(response.diagnoses_size(), 0);
    EXPECT_EQ(response.diagnoses(0).code(), v1::DIAGNOSIS_CODE_MESSAGE_REJECTED);
    EXPECT_EQ(response.diagnoses(0).probe(), "gmail.send");
  }
}

// A second address in --to is refused before anything is sent, naming the field.
TEST_F(ChannelctlOAuthTest, SendTestRefusesASecondRecipient) {
  for (Mode mode : kModes) {
    SCOPED_TRACE(ModeName(mode));
    CtlResult r = SendTest(mode, "google", "ok", {"--to", "rcpt@sink.test,victim@else.example"});
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr("INVALID_ARGUMENT: recipient: "));
    EXPECT_EQ(r.out, "");
  }
}

// The OAuth settings configure the local engine: asking a server with them is a mistake.
TEST_F(ChannelctlOAuthTest, OAuthEngineFlagsNeedLocal) {
  for (const char* flag : {"--google-client-id=x", "--microsoft_graph_base=https://127.0.0.1:1",
                           "--google-smtp-host="}) {
    CtlResult r = Verify(Mode::kServer, "google", "ok", {flag});
    EXPECT_EQ(r.exit_code, 3) << flag << "\n" << r.out;
    EXPECT_THAT(r.err, HasSubstr("use it with --local")) << flag;
    EXPECT_EQ(r.out, "");
  }
  // A secret file that cannot be read is named, in channelctl's spelling, its path unchanged.
  const std::string missing = (dir_->path() / "no_such_secret").string();
  CtlResult r = Verify(Mode::kLocal, "google", "ok", {"--google-client-secret-file=" + missing});
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_THAT(r.err, HasSubstr("--google-client-secret-file=" + missing + ": cannot read"));
  EXPECT_EQ(r.out, "");
}

// Without a client secret the local engine cannot refresh the token, and says so.
TEST_F(ChannelctlOAuthTest, LocalWithoutAClientIsTheServicesProblem) {
  const std::string base = oauth_->https->url();
  CtlResult r =
      RunCtl({"--local", "--allow-cidrs=127.0.0.0/8", "--trusted-ca-file=" + ca_->ca().string(),
              "--google-token-url=" + base + "/token", "--gmail-api-base=" + base,
              "--google-directory-api-base=" + base, "--google-smtp-host=", "verify", "google",
              "--account", kAccount, "--no-timing"},
             {{"CHANNELCTL_REFRESH_TOKEN", "rt-ok"}});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("OAUTH_CLIENT_MISCONFIGURED"));
  EXPECT_THAT(r.out, Not(HasSubstr("xoauth2")));  // --google-smtp-host= skips that probe
  EXPECT_THAT(r.out + r.err, Not(HasSubstr("rt-ok")));
}

}  // namespace
}  // namespace cv::testing
