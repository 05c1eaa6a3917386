// The direct integration (OAuth channels) against loopback HTTPS servers that answer like the
// providers' token endpoints, Microsoft Graph, the Gmail API and the Directory API, and SMTP
// servers that take XOAUTH2 (tests/peers/oauth_peer.py, trusted through the test CA). Every
// OAuth-side rule of service/diagnosis/rules.cc comes out of a real HTTPS (or SMTP) exchange
// here; the last tests go through the running server over gRPC. Only 127.0.0.0/8 is contacted.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "channelverify/v1/channel_verifier.grpc.pb.h"
#include "common/base64.h"
#include "probe/config.h"
#include "support/find.h"
#include "support/loopback_suite.h"
#include "support/oauth_peer.h"
#include "support/peers.h"
#include "support/process.h"
#include "support/server.h"
#include "verify/verifier.h"

namespace cv {
namespace {

namespace v1 = channelverify::v1;
using cv::testing::Codes;
using cv::testing::FindDiagnosis;
using cv::testing::FindProbe;
using cv::testing::ProbeOrFail;
using std::chrono::milliseconds;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kAccount[] = "jobs@example.com";
// How long the peers' "slow" scenarios hold their answer.
constexpr int kSlowSeconds = 8;

// The peers every test shares, started once for the suite: the APIs and XOAUTH2 with a valid
// certificate (OAuthSuite), and the APIs again behind an expired one.
class OAuthTest : public cv::testing::OAuthSuite {
 protected:
  static void SetUpTestSuite() {
    cv::testing::OAuthPeerOptions options;
    options.slow_seconds = kSlowSeconds;
    StartOAuth(options);
    if (HasFatalFailure()) return;
    auto expired = cv::testing::OAuthPeer::Start(ca_->expired(), options);
    ASSERT_TRUE(expired.ok()) << expired.status();
    expired_ = new cv::testing::OAuthPeer(std::move(*expired));
  }
  static void TearDownTestSuite() {
    OAuthSuite::TearDownTestSuite();
    delete expired_;
    expired_ = nullptr;
  }

  // The engine's settings for the peers, with the APIs at `https` (default: the valid one).
  static probe::ConfigOptions Options(const cv::testing::OAuthPeer* https = nullptr) {
    const cv::testing::OAuthPeers& oauth = *oauth_;
    const std::string base = (https ? *https : *oauth.https).url();
    probe::ConfigOptions o;
    o.allow_cidrs = "127.0.0.0/8";
    o.trusted_ca_file = ca_->ca().string();
    o.google_client_id = "test-google-client";
    o.google_client_secret_file = oauth.secret_file;
    o.microsoft_client_id = "test-microsoft-client";
    o.microsoft_client_secret_file = oauth.secret_file;
    o.google_token_url = base + "/token";
    o.gmail_api_base = base;
    o.google_directory_api_base = base;
    o.microsoft_login_base = base;
    o.microsoft_graph_base = base;
    o.google_smtp_host = oauth.smtp_google->address();
    o.microsoft_smtp_host = oauth.smtp_microsoft->address();
    return o;
  }

  static v1::VerifyChannelResponse Verify(const probe::OAuthTarget& target,
                                          probe::ConfigOptions options = Options(),
                                          milliseconds budget = milliseconds(10000)) {
    auto config = probe::BuildConfig(options);
    EXPECT_TRUE(config.ok()) << config.status();
    if (!config.ok()) return {};
    boost::asio::io_context io;
    verify::Verifier verifier(io, *config);
    std::promise<v1::VerifyChannelResponse> promise;
    verifier.VerifyOAuth(target, Lang::kEn, std::chrono::steady_clock::now() + budget,
                         [&promise](v1::VerifyChannelResponse r) { promise.set_value(r); });
    io.run();
    return promise.get_future().get();
  }

  static probe::OAuthTarget Target(v1::Provider provider, const std::string& scenario,
                                   bool access = false) {
    probe::OAuthTarget t;
    t.provider = provider;
    t.account = kAccount;
    (access ? t.access_token : t.refresh_token) =
        Secret(absl::StrCat(access ? "at-" : "rt-", scenario));
    return t;
  }

  static inline cv::testing::OAuthPeer* expired_ = nullptr;
};

std::string Names(const v1::VerifyChannelResponse& r) {
  std::string out;
  for (const auto& d : r.diagnoses()) {
    absl::StrAppend(&out, v1::DiagnosisCode_Name(d.code()), " [",
                    d.evidence_size() ? d.evidence(0) : "", "] ");
  }
  return out;
}

// No token, refresh token or client secret anywhere in what the caller gets back.
void ExpectNoSecrets(const v1::VerifyChannelResponse& r, const std::string& scenario) {
  const std::string text = r.DebugString();
  EXPECT_THAT(text, Not(HasSubstr("rt-" + scenario)));
  EXPECT_THAT(text, Not(HasSubstr("at-" + scenario + "\"")));
  EXPECT_THAT(text, Not(HasSubstr("Bearer at-")));
  EXPECT_THAT(text, Not(HasSubstr(cv::testing::kOAuthClientSecret)));
}

// --- passing channels

TEST_F(OAuthTest, GoogleChannelPasses) {
  auto r = Verify(Target(v1::PROVIDER_GOOGLE, "ok"));
  EXPECT_EQ(r.verdict(), v1::VERDICT_PASS) << Names(r);
  EXPECT_TRUE(r.diagnoses().empty()) << Names(r);
  const v1::Probe* token = FindProbe(r, "oauth.token");
  ASSERT_NE(token, nullptr);
  EXPECT_EQ(token->status(), v1::PROBE_STATUS_OK);
  EXPECT_THAT(token->facts().at("scopes"), HasSubstr("https://mail.google.com/"));
  EXPECT_EQ(token->facts().at("expires_in"), "3599s");
  EXPECT_EQ(token->facts().at("cert_verified"), "true");
  for (const char* name : {"gmail.profile", "google.directory", "xoauth2.auth"}) {
    const v1::Probe* p = FindProbe(r, name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_EQ(p->status(), v1::PROBE_STATUS_OK) << name << ": " << p->detail();
  }
  EXPECT_EQ(ProbeOrFail(r, "google.directory").facts().at("is_admin"), "true");
  EXPECT_EQ(r.detected_provider(), v1::PROVIDER_GOOGLE);
  ExpectNoSecrets(r, "ok");
}

// A hostile token endpoint that quotes the refresh token (plain, base64, JSON) and the whole
// form with the client secret in its error body: none of it reaches the caller.
TEST_F(OAuthTest, TokenEndpointEchoingTheRequestLeaksNoSecret) {
  for (v1::Provider provider : {v1::PROVIDER_GOOGLE, v1::PROVIDER_MICROSOFT}) {
    auto r = Verify(Target(provider, "echo"));
    EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL) << Names(r);
    const std::string text = r.DebugString();
    EXPECT_THAT(text, HasSubstr("<redacted>")) << text;
    EXPECT_THAT(text, Not(HasSubstr(Base64Encode("rt-echo").substr(0, 8)))) << text;
    EXPECT_THAT(text, Not(HasSubstr("test-client-secret"))) << text;
    ExpectNoSecrets(r, "echo");
  }
}

// An SMTP server that sends the client's XOAUTH2 blob back as its error challenge and quotes it
// again in the final reply: the decoded challenge (which holds the token) and the reply are
// scrubbed.
TEST_F(OAuthTest, XOAuth2BlobEchoedBackIsRedacted) {
  cv::testing::SmtpPeerOptions smtp;
  smtp.bind = "127.0.0.1";
  smtp.tls = cv::testing::SmtpTls::kStartTls;
  smtp.cert = ca_->valid();
  smtp.script_json =
      R"({"ehlo": ["250-echo.t.test", "250-AUTH PLAIN LOGIN XOAUTH2", "250 STARTTLS"],)"
      R"( "ehlo_tls": null, "echo_auth": "challenge",)"
      R"( "auth": "535 5.7.8 rejected {arg} for {secret}"})";
  auto peer = cv::testing::SmtpPeer::Start(smtp);
  ASSERT_TRUE(peer.ok()) << peer.status();
  probe::ConfigOptions o = Options();
  o.google_smtp_host = absl::StrCat("127.0.0.1:", peer->port());
  auto r = Verify(Target(v1::PROVIDER_GOOGLE, "ok", /*access=*/true), o);
  const v1::Probe* auth = FindProbe(r, "xoauth2.auth");
  ASSERT_NE(auth, nullptr) << r.DebugString();
  EXPECT_EQ(auth->status(), v1::PROBE_STATUS_FAILED) << r.DebugString();
  const std::string text = r.DebugString();
  EXPECT_THAT(text, HasSubstr("<redacted>")) << text;
  EXPECT_THAT(text, Not(HasSubstr("at-ok"))) << text;
  const std::string blob =
      Base64Encode(absl::StrCat("user=", kAccount, "\x01auth=Bearer at-ok\x01\x01"));
  EXPECT_THAT(text, Not(HasSubstr(blob.substr(0, 16)))) << text;
  EXPECT_THAT(text, Not(HasSubstr(Base64Encode("Bearer at-ok").substr(0, 12)))) << text;
}

TEST_F(OAuthTest, MicrosoftChannelPasses) {
  auto r = Verify(Target(v1::PROVIDER_MICROSOFT, "ok"));
  EXPECT_EQ(r.verdict(), v1::VERDICT_PASS) << Names(r);
  EXPECT_TRUE(r.diagnoses().empty()) << Names(r);
  for (const char* name : {"oauth.token", "graph.user", "graph.mailbox_settings", "graph.roles",
                           "graph.send_check", "oauth.token.smtp", "xoauth2.auth"}) {
    const v1::Probe* p = FindProbe(r, name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_EQ(p->status(), v1::PROBE_STATUS_OK) << name << ": " << p->detail();
  }
  EXPECT_EQ(ProbeOrFail(r, "graph.mailbox_settings").facts().at("user_purpose"), "user");
  EXPECT_EQ(ProbeOrFail(r, "graph.roles").facts().at("roles"), "Global Administrator");
  EXPECT_EQ(ProbeOrFail(r, "graph.send_check").facts().at("send_permitted"), "true");
  EXPECT_THAT(ProbeOrFail(r, "oauth.token.smtp").facts().at("scopes"), HasSubstr("SMTP.Send"));
  // The token request's body never shows; the transcript says there was one.
  bool saw_body_note = false;
  for (const auto& line : ProbeOrFail(r, "oauth.token").transcript()) {
    EXPECT_THAT(line, Not(HasSubstr("refresh_token=")));
    if (line.find("not shown") != std::string::npos) saw_body_note = true;
  }
  EXPECT_TRUE(saw_body_note);
  ExpectNoSecrets(r, "ok");
}

TEST_F(OAuthTest, AGivenAccessTokenIsUsedAsIs) {
  auto r = Verify(Target(v1::PROVIDER_MICROSOFT, "ok", /*access=*/true));
  EXPECT_EQ(r.verdict(), v1::VERDICT_PASS) << Names(r);
  EXPECT_EQ(ProbeOrFail(r, "oauth.token").status(), v1::PROBE_STATUS_SKIPPED);
  EXPECT_EQ(FindProbe(r, "oauth.token.smtp"), nullptr);
  EXPECT_EQ(ProbeOrFail(r, "xoauth2.auth").status(), v1::PROBE_STATUS_OK);
  ExpectNoSecrets(r, "ok");
}

// --- every OAuth-side code from a real exchange

struct Case {
  std::string name;
  v1::Provider provider;
  std::string scenario;
  bool access_token;
  v1::DiagnosisCode code;
  std::string probe;  // the probe the diagnosis names ("a|b": either)
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

class OAuthCaseTest : public OAuthTest, public ::testing::WithParamInterface<Case> {};

TEST_P(OAuthCaseTest, ProducesItsCode) {
  const Case& c = GetParam();
  auto r = Verify(Target(c.provider, c.scenario, c.access_token));
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL) << Names(r);
  const v1::Diagnosis* d = FindDiagnosis(r, c.code);
  ASSERT_NE(d, nullptr) << "want " << v1::DiagnosisCode_Name(c.code) << ", got " << Names(r);
  // Concurrent probes: the first to see the code names it, so some cases allow several.
  EXPECT_THAT(absl::StrCat("|", c.probe, "|"), HasSubstr(absl::StrCat("|", d->probe(), "|")));
  EXPECT_FALSE(d->evidence().empty());
  EXPECT_FALSE(d->remediation().empty());
  ExpectNoSecrets(r, c.scenario);
}

Case G(std::string name, std::string scenario, v1::DiagnosisCode code, std::string probe,
       bool access = false) {
  return {std::move(name), v1::PROVIDER_GOOGLE, std::move(scenario), access, code,
          std::move(probe)};
}
Case M(std::string name, std::string scenario, v1::DiagnosisCode code, std::string probe,
       bool access = false) {
  return {std::move(name), v1::PROVIDER_MICROSOFT, std::move(scenario), access, code,
          std::move(probe)};
}

INSTANTIATE_TEST_SUITE_P(
    TokenEndpoints, OAuthCaseTest,
    ::testing::Values(
        // Google's token endpoint.
        G("GoogleInvalidGrant", "gerr-invalid_grant", v1::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID,
          "oauth.token"),
        G("GoogleAdminPolicyEnforced", "gerr-admin_policy_enforced",
          v1::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED, "oauth.token"),
        G("GoogleUnauthorizedClient", "gerr-unauthorized_client",
          v1::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED, "oauth.token"),
        G("GoogleInvalidClient", "gerr-invalid_client",
          v1::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED, "oauth.token"),
        // Microsoft identity platform: every AADSTS row of kMicrosoftTokenRules.
        M("Aadsts700082", "aadsts-700082", v1::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID, "oauth.token"),
        M("Aadsts50173", "aadsts-50173", v1::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID, "oauth.token"),
        M("Aadsts70043", "aadsts-70043", v1::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID, "oauth.token"),
        M("Aadsts50076", "aadsts-50076", v1::DIAGNOSIS_CODE_MFA_OR_CONDITIONAL_ACCESS,
          "oauth.token"),
        M("Aadsts50079", "aadsts-50079", v1::DIAGNOSIS_CODE_MFA_OR_CONDITIONAL_ACCESS,
          "oauth.token"),
        M("Aadsts53003", "aadsts-53003", v1::DIAGNOSIS_CODE_MFA_OR_CONDITIONAL_ACCESS,
          "oauth.token"),
        M("Aadsts530032", "aadsts-530032", v1::DIAGNOSIS_CODE_MFA_OR_CONDITIONAL_ACCESS,
          "oauth.token"),
        M("Aadsts530035", "aadsts-530035", v1::DIAGNOSIS_CODE_ENTRA_SECURITY_DEFAULTS,
          "oauth.token"),
        M("Aadsts65001", "aadsts-65001", v1::DIAGNOSIS_CODE_OAUTH_CONSENT_REQUIRED, "oauth.token"),
        M("Aadsts90094", "aadsts-90094", v1::DIAGNOSIS_CODE_OAUTH_CONSENT_REQUIRED, "oauth.token"),
        M("Aadsts90095", "aadsts-90095", v1::DIAGNOSIS_CODE_OAUTH_CONSENT_REQUIRED, "oauth.token"),
        M("Aadsts7000215", "aadsts-7000215", v1::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED,
          "oauth.token"),
        M("Aadsts7000222", "aadsts-7000222", v1::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED,
          "oauth.token"),
        M("Aadsts700016", "aadsts-700016", v1::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED,
          "oauth.token"),
        M("Aadsts50057Disabled", "aadsts-50057", v1::DIAGNOSIS_CODE_ACCOUNT_DISABLED,
          "oauth.token"),
        M("Aadsts50057Shared", "aadsts-50057", v1::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX,
          "oauth.token"),
        M("Aadsts50053", "aadsts-50053", v1::DIAGNOSIS_CODE_ACCOUNT_LOCKED, "oauth.token"),
        M("Aadsts90002", "aadsts-90002", v1::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND, "oauth.token"),
        M("Aadsts50020", "aadsts-50020", v1::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND, "oauth.token"),
        M("Aadsts50034", "aadsts-50034", v1::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND, "oauth.token"),
        M("Aadsts500011", "aadsts-500011", v1::DIAGNOSIS_CODE_OAUTH_CONSENT_REQUIRED,
          "oauth.token"),
        M("Aadsts70000", "aadsts-70000", v1::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING, "oauth.token"),
        M("Aadsts50126", "aadsts-50126", v1::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID, "oauth.token"),
        // The code read where Microsoft put it: only in the description, or only in error_uri.
        M("AadstsInDescriptionOnly", "aadsts-desc-50053", v1::DIAGNOSIS_CODE_ACCOUNT_LOCKED,
          "oauth.token"),
        M("AadstsInErrorUriOnly", "aadsts-uri-530035", v1::DIAGNOSIS_CODE_ENTRA_SECURITY_DEFAULTS,
          "oauth.token"),
        // An error no row knows gets OAuth words, not the SMTP protocol's.
        M("UnknownTokenError", "aadsts-900144", v1::DIAGNOSIS_CODE_OAUTH_TOKEN_ERROR,
          "oauth.token")),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    AccountChecks, OAuthCaseTest,
    ::testing::Values(
        // Microsoft Graph.
        M("GraphSharedMailbox", "m-shared", v1::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX,
          "graph.mailbox_settings"),
        M("GraphAccountDisabled", "m-shared", v1::DIAGNOSIS_CODE_ACCOUNT_DISABLED, "graph.user"),
        M("GraphNotAdmin", "m-notadmin", v1::DIAGNOSIS_CODE_INTEGRATION_NOT_ADMIN, "graph.roles"),
        M("GraphMailboxNotEnabledForRest", "m-nolicense",
          v1::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED,
          "graph.user|graph.mailbox_settings|graph.send_check"),
        M("GraphErrorInvalidUser", "m-invaliduser", v1::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND,
          "graph.user|graph.mailbox_settings|graph.send_check"),
        M("GraphErrorAccessDenied", "m-accessdenied", v1::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING,
          "graph.mailbox_settings|graph.send_check"),
        M("GraphErrorSendAsDenied", "m-sendas", v1::DIAGNOSIS_CODE_SEND_AS_DENIED,
          "graph.send_check"),
        M("GraphExpiredAccessToken", "m-expired", v1::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID,
          "graph.user|graph.mailbox_settings|graph.roles|graph.send_check", /*access=*/true),
        // Google: Gmail API and Directory API.
        G("GmailMailServiceNotEnabled", "g-nomail", v1::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED,
          "gmail.profile"),
        G("DirectoryNotAuthorized", "g-notadmin", v1::DIAGNOSIS_CODE_INTEGRATION_NOT_ADMIN,
          "google.directory"),
        G("DirectoryIsAdminFalse", "g-isadmin-false", v1::DIAGNOSIS_CODE_INTEGRATION_NOT_ADMIN,
          "google.directory"),
        G("DirectoryMailboxNotSetUp", "g-mailbox-not-setup",
          v1::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED, "google.directory"),
        G("DirectorySuspended", "g-suspended", v1::DIAGNOSIS_CODE_ACCOUNT_DISABLED,
          "google.directory"),
        G("GmailInsufficientPermissions", "g-scope", v1::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING,
          "gmail.profile"),
        G("GrantedScopesLackMail", "g-noscope", v1::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING,
          "oauth.token|xoauth2.auth"),
        G("TokenOfAnotherAccount", "g-other", v1::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND,
          "gmail.profile"),
        G("GmailBadAccessToken", "bad-token", v1::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID,
          "gmail.profile|google.directory|xoauth2.auth",
          /*access=*/true)),
    [](const auto& info) { return info.param.name; });

// The XOAUTH2 check is information: the direct integration sends through the API, which works
// in these scenarios, so the verdict passes, and the SMTP cause is named without advising the
// integration the channel already is.
struct Xoauth2Case {
  std::string name;
  v1::Provider provider;
  std::string scenario;
  std::string cause;    // the code the SMTP reply gave, named in the evidence
  std::string variant;  // of SMTP_OAUTH_UNAVAILABLE
};

std::ostream& operator<<(std::ostream& os, const Xoauth2Case& c) { return os << c.name; }

class Xoauth2InfoTest : public OAuthTest, public ::testing::WithParamInterface<Xoauth2Case> {};

TEST_P(Xoauth2InfoTest, IsInformationAndTheVerdictFollowsTheApi) {
  const Xoauth2Case& c = GetParam();
  auto r = Verify(Target(c.provider, c.scenario));
  EXPECT_EQ(r.verdict(), v1::VERDICT_PASS) << Names(r);
  const v1::Diagnosis* d = FindDiagnosis(r, v1::DIAGNOSIS_CODE_SMTP_OAUTH_UNAVAILABLE);
  ASSERT_NE(d, nullptr) << Names(r);
  EXPECT_EQ(d->severity(), v1::SEVERITY_INFO);
  EXPECT_EQ(d->variant(), c.variant);
  EXPECT_EQ(d->probe(), "xoauth2.auth");
  EXPECT_THAT(absl::StrJoin(d->evidence(), "\n"), HasSubstr("over SMTP (XOAUTH2): " + c.cause));
  EXPECT_THAT(d->remediation(), Not(HasSubstr("recommend")));
  for (v1::DiagnosisCode advice :
       {v1::DIAGNOSIS_CODE_DIRECT_INTEGRATION_RECOMMENDED,
        v1::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED, v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS}) {
    EXPECT_EQ(FindDiagnosis(r, advice), nullptr) << Names(r);
  }
  EXPECT_EQ(ProbeOrFail(r, "xoauth2.auth").status(), v1::PROBE_STATUS_FAILED);
}

INSTANTIATE_TEST_SUITE_P(
    Xoauth2, Xoauth2InfoTest,
    ::testing::Values(
        // Google's 334 <base64 JSON> challenge, answered with an empty line.
        Xoauth2Case{"GoogleChallenge", v1::PROVIDER_GOOGLE, "g-xo-bad", "OAUTH_GRANT_INVALID", ""},
        Xoauth2Case{"MicrosoftSmtpAuthDisabled", v1::PROVIDER_MICROSOFT, "m-smtpoff",
                    "M365_SMTP_AUTH_DISABLED", "smtp-auth-disabled"},
        Xoauth2Case{"MicrosoftXoauth2Refused", v1::PROVIDER_MICROSOFT, "m-xo-bad",
                    "INVALID_CREDENTIALS", ""}),
    [](const auto& info) { return info.param.name; });

// --- the account requirements named across probes

TEST_F(OAuthTest, WorkingSignInWithASharedMailboxSaysWhichRequirementIsMissing) {
  auto r = Verify(Target(v1::PROVIDER_MICROSOFT, "m-shared"));
  const v1::Diagnosis* d = FindDiagnosis(r, v1::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX);
  ASSERT_NE(d, nullptr) << Names(r);
  EXPECT_EQ(d->documented_case(), "integration-account");
  EXPECT_THAT(d->remediation(), HasSubstr("must not be a shared mailbox"));
  std::string evidence;
  for (const auto& e : d->evidence()) evidence += e + "\n";
  EXPECT_THAT(evidence, HasSubstr("userPurpose = \"shared\""));
  EXPECT_THAT(evidence, HasSubstr("sign-in of jobs@example.com works"));
  EXPECT_THAT(evidence, HasSubstr("its own mailbox and login"));
  // Not an admin either: both requirements are named, each in its own diagnosis.
  ASSERT_NE(FindDiagnosis(r, v1::DIAGNOSIS_CODE_INTEGRATION_NOT_ADMIN), nullptr);
}

TEST_F(OAuthTest, GermanRemediationFollowsTheArticle) {
  auto config = probe::BuildConfig(Options());
  ASSERT_TRUE(config.ok());
  boost::asio::io_context io;
  verify::Verifier verifier(io, *config);
  std::promise<v1::VerifyChannelResponse> promise;
  verifier.VerifyOAuth(Target(v1::PROVIDER_GOOGLE, "g-nomail"), Lang::kDe,
                       std::chrono::steady_clock::now() + milliseconds(10000),
                       [&promise](v1::VerifyChannelResponse r) { promise.set_value(r); });
  io.run();
  auto r = promise.get_future().get();
  const v1::Diagnosis* d = FindDiagnosis(r, v1::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED);
  ASSERT_NE(d, nullptr) << Names(r);
  EXPECT_THAT(d->remediation(), HasSubstr("lizenziert"));
  EXPECT_THAT(d->remediation(), HasSubstr("eigene Lizenz zuweisen"));
}

// --- misbehaving endpoints

TEST_F(OAuthTest, SlowEndpointEndsAtTheCallersDeadline) {
  const auto start = std::chrono::steady_clock::now();
  auto r = Verify(Target(v1::PROVIDER_GOOGLE, "slow"), Options(), milliseconds(1500));
  // Before the endpoint answers (the token probe timed out rather than got a token, below):
  // the budget, not the peer, ended it. The margin, kSlowSeconds against a budget of 1.5 s,
  // holds on a loaded machine; a verifier that waited for the peer, or hung, still fails.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(kSlowSeconds));
  EXPECT_THAT(Codes(r), Contains(v1::DIAGNOSIS_CODE_DEADLINE_TOO_SHORT)) << Names(r);
  EXPECT_EQ(ProbeOrFail(r, "oauth.token").status(), v1::PROBE_STATUS_TIMED_OUT);
}

TEST_F(OAuthTest, RedirectIsNotFollowed) {
  auto r = Verify(Target(v1::PROVIDER_MICROSOFT, "redirect"));
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
  const v1::Diagnosis* d = FindDiagnosis(r, v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR);
  ASSERT_NE(d, nullptr) << Names(r);
  EXPECT_THAT(d->evidence(0), HasSubstr("redirect to https://login.attacker.invalid/steal not "
                                        "followed"));
  // Nothing after the token probe ran: there is no token.
  EXPECT_EQ(FindProbe(r, "graph.user"), nullptr);
}

TEST_F(OAuthTest, HugeBodyIsCapped) {
  auto r = Verify(Target(v1::PROVIDER_GOOGLE, "huge"));
  const v1::Diagnosis* d = FindDiagnosis(r, v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR);
  ASSERT_NE(d, nullptr) << Names(r);
  EXPECT_THAT(d->evidence(0), HasSubstr("body over 262144 bytes"));
}

TEST_F(OAuthTest, MalformedJsonIsDiagnosed) {
  auto r = Verify(Target(v1::PROVIDER_GOOGLE, "malformed"));
  const v1::Diagnosis* d = FindDiagnosis(r, v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR);
  ASSERT_NE(d, nullptr) << Names(r);
  EXPECT_THAT(d->evidence(0), HasSubstr("not a JSON object"));
  // An error page instead of the token endpoint's JSON: an OAuth error no row knows, in
  // OAuth words rather than the SMTP protocol's.
  r = Verify(Target(v1::PROVIDER_MICROSOFT, "html"));
  const v1::Diagnosis* html = FindDiagnosis(r, v1::DIAGNOSIS_CODE_OAUTH_TOKEN_ERROR);
  ASSERT_NE(html, nullptr) << Names(r);
  EXPECT_THAT(html->evidence(0), HasSubstr("not a JSON object"));
  EXPECT_EQ(FindDiagnosis(r, v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR), nullptr) << Names(r);
}

TEST_F(OAuthTest, ExpiredCertificateGetsNoToken) {
  auto r = Verify(Target(v1::PROVIDER_GOOGLE, "ok"), Options(expired_));
  const v1::Diagnosis* d = FindDiagnosis(r, v1::DIAGNOSIS_CODE_TLS_CERTIFICATE_INVALID);
  ASSERT_NE(d, nullptr) << Names(r);
  EXPECT_THAT(d->evidence(0), HasSubstr("expired"));
  EXPECT_THAT(d->evidence(0), HasSubstr("nothing was sent"));
}

TEST_F(OAuthTest, WrongClientSecretIsTheServicesProblem) {
  const std::string wrong = (oauth_->dir.path() / "wrong_secret").string();
  std::ofstream(wrong) << "not-the-secret\n";
  auto options = Options();
  options.google_client_secret_file = wrong;
  auto r = Verify(Target(v1::PROVIDER_GOOGLE, "ok"), options);
  EXPECT_THAT(Codes(r), Contains(v1::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED)) << Names(r);
  options.google_client_id.clear();
  options.google_client_secret_file.clear();
  r = Verify(Target(v1::PROVIDER_GOOGLE, "ok"), options);
  EXPECT_THAT(Codes(r), Contains(v1::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED)) << Names(r);
  EXPECT_EQ(ProbeOrFail(r, "oauth.token").status(), v1::PROBE_STATUS_SKIPPED);
}

// --- end to end through the running server

class OAuthServerTest : public OAuthTest {
 protected:
  static void SetUpTestSuite() {
    OAuthTest::SetUpTestSuite();
    if (HasFatalFailure()) return;
    server_ = OAuthServer({"--io_threads=2"});
  }
  static void TearDownTestSuite() {
    OAuthTest::TearDownTestSuite();
    server_ = nullptr;
  }

  static grpc::Status Call(const v1::OAuthChannel& oauth, v1::VerifyChannelResponse* response) {
    auto stub = server_->Stub();
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::VerifyChannelRequest request;
    *request.mutable_channel()->mutable_oauth() = oauth;
    return stub->VerifyChannel(&context, request, response);
  }

  static v1::OAuthChannel Channel(v1::Provider provider, const std::string& scenario) {
    v1::OAuthChannel c;
    c.set_provider(provider);
    c.set_account(kAccount);
    c.set_refresh_token("rt-" + scenario);
    return c;
  }

  static inline cv::testing::ServerProcess* server_ = nullptr;
};

TEST_F(OAuthServerTest, GoogleAndMicrosoftChannelsPassEndToEnd) {
  for (v1::Provider provider : {v1::PROVIDER_GOOGLE, v1::PROVIDER_MICROSOFT}) {
    v1::VerifyChannelResponse r;
    grpc::Status s = Call(Channel(provider, "ok"), &r);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(r.verdict(), v1::VERDICT_PASS) << v1::Provider_Name(provider) << ": " << Names(r);
    EXPECT_NE(FindProbe(r, "xoauth2.auth"), nullptr);
    ExpectNoSecrets(r, "ok");
  }
  // The server's log carries no token either.
  EXPECT_THAT(server_->Logs(), Not(HasSubstr("rt-ok")));
  EXPECT_THAT(server_->Logs(), Not(HasSubstr("at-ok")));
}

TEST_F(OAuthServerTest, EachAccountRequirementFailsEndToEnd) {
  const std::vector<std::tuple<v1::Provider, std::string, v1::DiagnosisCode>> cases = {
      {v1::PROVIDER_MICROSOFT, "m-shared", v1::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX},
      {v1::PROVIDER_MICROSOFT, "m-notadmin", v1::DIAGNOSIS_CODE_INTEGRATION_NOT_ADMIN},
      {v1::PROVIDER_MICROSOFT, "m-nolicense", v1::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED},
      {v1::PROVIDER_GOOGLE, "g-notadmin", v1::DIAGNOSIS_CODE_INTEGRATION_NOT_ADMIN},
      {v1::PROVIDER_GOOGLE, "g-nomail", v1::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED},
      {v1::PROVIDER_GOOGLE, "g-mailbox-not-setup", v1::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED},
  };
  for (const auto& [provider, scenario, code] : cases) {
    v1::VerifyChannelResponse r;
    grpc::Status s = Call(Channel(provider, scenario), &r);
    ASSERT_TRUE(s.ok()) << scenario << ": " << s.error_message();
    EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL) << scenario;
    const v1::Diagnosis* d = FindDiagnosis(r, code);
    ASSERT_NE(d, nullptr) << scenario << ": " << Names(r);
    EXPECT_EQ(d->documented_case(), "integration-account") << scenario;
    EXPECT_EQ(d->severity(), v1::SEVERITY_ERROR) << scenario;
  }
}

TEST_F(OAuthServerTest, BadInputIsInvalidArgumentNamingTheField) {
  struct Bad {
    std::function<void(v1::OAuthChannel*)> mutate;
    std::string field;
  };
  const std::vector<Bad> cases = {
      {[](auto* c) { c->set_provider(v1::PROVIDER_UNSPECIFIED); }, "channel.oauth.provider"},
      {[](auto* c) { c->set_provider(v1::PROVIDER_OTHER); }, "channel.oauth.provider"},
      {[](auto* c) { c->set_account("a@example.com;b@example.com"); }, "channel.oauth.account"},
      {[](auto* c) { c->set_refresh_token("rt-ok extra"); }, "channel.oauth.refresh_token"},
      {[](auto* c) { c->set_refresh_token(std::string(8193, 'x')); },
       "channel.oauth.refresh_token"},
      {[](auto* c) { c->set_access_token("at-ok"); }, "channel.oauth.access_token"},
      {[](auto* c) { c->set_tenant_id(std::string(129, 't')); }, "channel.oauth.tenant_id"},
  };
  for (const auto& bad : cases) {
    auto c = Channel(v1::PROVIDER_MICROSOFT, "ok");
    bad.mutate(&c);
    v1::VerifyChannelResponse r;
    grpc::Status s = Call(c, &r);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.field;
    EXPECT_THAT(s.error_message(), HasSubstr(bad.field));
    EXPECT_THAT(s.error_message(), Not(HasSubstr("rt-ok")));
  }
}

}  // namespace
}  // namespace cv
