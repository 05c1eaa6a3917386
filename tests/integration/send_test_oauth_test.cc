// SendTest through the direct integration, through the running server: the loopback Gmail API
// and Microsoft Graph of tests/peers/oauth_peer.py receive the send (the peer keeps every send
// request it got, before answering), and independent parsers read what arrived: Python's email
// package for Gmail's raw RFC 5322 message, Python's json for Graph's sendMail body. Every
// send-stage refusal the providers document is diagnosed with its probe named; a 500 or a
// dropped connection is reported and never retried; injection attempts are refused before
// anything is sent. Only 127.0.0.0/8 is contacted.
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/find.h"
#include "support/loopback_suite.h"
#include "support/oauth_peer.h"
#include "support/peers.h"
#include "support/process.h"
#include "support/received.h"
#include "support/server.h"

namespace cv::testing {
namespace {

namespace v1 = channelverify::v1;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

// How long the peer's "slow" scenarios hold their answer.
constexpr int kSlowSeconds = 6;
constexpr char kAccount[] = "jobs@example.com";
constexpr char kRecipient[] = "rcpt@sink.test";
constexpr char kGermanSubject[] =
    "Testnachricht von channel-verifier \xe2\x80\x93 Ihre E-Mail-Verbindung funktioniert";
constexpr char kEnglishSubject[] = "Test message from channel-verifier: your email channel works";

std::string Describe(const v1::SendTestResponse& r) { return r.DebugString(); }

std::string SendProbe(v1::Provider provider) {
  return provider == v1::PROVIDER_GOOGLE ? "gmail.send" : "graph.send_mail";
}

class SendTestOAuth : public OAuthSuite {
 protected:
  static void SetUpTestSuite() {
    OAuthPeerOptions options;
    options.account = kAccount;
    options.slow_seconds = kSlowSeconds;
    options.record = true;
    // The APIs only: SendTest never takes the SMTP (XOAUTH2) way.
    StartOAuth(options, /*smtp=*/false);
    if (HasFatalFailure()) return;
    std::vector<std::string> more = {"--send_dedup_window_s=600", "--io_threads=2",
                                     "--log_level=debug"};
    for (auto& f : ServerProcess::LiftedSendQuotas()) more.push_back(std::move(f));
    server_ = OAuthServer(more);
  }
  static void TearDownTestSuite() {
    OAuthSuite::TearDownTestSuite();
    server_ = nullptr;
  }

  static v1::SendTestRequest Request(v1::Provider provider, const std::string& scenario,
                                     const std::string& language = "en") {
    v1::SendTestRequest request;
    auto* oauth = request.mutable_channel()->mutable_oauth();
    oauth->set_provider(provider);
    oauth->set_account(kAccount);
    oauth->set_refresh_token("rt-" + scenario);
    request.set_recipient(kRecipient);
    request.set_language_code(language);
    return request;
  }

  static grpc::Status Call(const v1::SendTestRequest& request, v1::SendTestResponse* response,
                           int deadline_s = 20) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(deadline_s));
    return server_->Stub()->SendTest(&context, request, response);
  }

  // Every send request the peer received, in order of arrival; those of one call.
  static std::vector<OAuthSend> AllRecords() { return oauth_->https->Sends(); }
  static std::vector<OAuthSend> Sends(const std::string& correlation_id) {
    return oauth_->https->Sends(correlation_id);
  }

  // No refresh token, access token or client secret anywhere in what the caller gets back.
  static void ExpectNoSecrets(const v1::SendTestResponse& r, const std::string& scenario) {
    const std::string text = r.DebugString();
    EXPECT_THAT(text, Not(HasSubstr("rt-" + scenario)));
    EXPECT_THAT(text, Not(HasSubstr("at-" + scenario)));
    EXPECT_THAT(text, Not(HasSubstr("Bearer at-")));
    EXPECT_THAT(text, Not(HasSubstr(kOAuthClientSecret)));
  }

  static inline ServerProcess* server_ = nullptr;
};

// The whole way for Google: token refresh, then one users.messages.send whose raw message the
// email package reads back header by header.
TEST_F(SendTestOAuth, GmailReceivesTheGermanMessageIntact) {
  v1::SendTestRequest request = Request(v1::PROVIDER_GOOGLE, "ok", "de");
  request.set_request_id("gmail-de-1");
  v1::SendTestResponse response;
  grpc::Status status = Call(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.accepted()) << Describe(response);
  EXPECT_EQ(response.verdict(), v1::VERDICT_PASS) << Describe(response);
  EXPECT_EQ(response.server_reply(), "HTTP 200 OK: Gmail message id 18c2f0a9d3b4e5f6");
  EXPECT_THAT(response.message_id(), AllOf(StartsWith("<cv."), HasSubstr("@example.com>")));
  EXPECT_THAT(response.correlation_id(), SizeIs(36));
  const v1::Probe* token = FindProbe(response, "oauth.token");
  ASSERT_NE(token, nullptr) << Describe(response);
  EXPECT_EQ(token->status(), v1::PROBE_STATUS_OK);
  const v1::Probe* send = FindProbe(response, "gmail.send");
  ASSERT_NE(send, nullptr) << Describe(response);
  EXPECT_EQ(send->status(), v1::PROBE_STATUS_OK);
  EXPECT_EQ(send->facts().at("gmail_id"), "18c2f0a9d3b4e5f6");
  EXPECT_EQ(send->facts().at("gmail_labels"), "SENT");
  EXPECT_EQ(send->facts().at("message_id"), response.message_id());
  EXPECT_EQ(send->facts().at("cert_verified"), "true");
  EXPECT_THAT(send->target(), HasSubstr("POST https://127.0.0.1:"));
  EXPECT_THAT(send->target(), HasSubstr("/gmail/v1/users/jobs@example.com/messages/send"));
  // Nothing but the token probe and the send: no account checks, no SMTP.
  EXPECT_THAT(response.probes(), SizeIs(2)) << Describe(response);
  ExpectNoSecrets(response, "ok");

  const auto sends = Sends(response.correlation_id());
  ASSERT_THAT(sends, SizeIs(1));
  OAuthSend record = sends[0];
  EXPECT_EQ(record.meta["api"], "gmail");
  EXPECT_EQ(record.meta["user"], kAccount);
  EXPECT_EQ(record.meta["scenario"], "ok");  // the refreshed token was the one used
  EXPECT_EQ(record.meta["content_type"], "application/json");

  auto parsed = ReadReceived("gmail", record.body_path);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto& f = *parsed;
  EXPECT_EQ(f["keys"], "raw");
  EXPECT_EQ(f["alphabet_ok"], "True");
  EXPECT_EQ(f["Subject"], kGermanSubject);
  EXPECT_EQ(f["From"], kAccount);
  EXPECT_EQ(f["To"], kRecipient);
  EXPECT_EQ(f["Message-ID"], response.message_id());
  EXPECT_EQ(f["X-Channel-Verifier-Test"], response.correlation_id());
  EXPECT_EQ(f["MIME-Version"], "1.0");
  EXPECT_EQ(f["Auto-Submitted"], "auto-generated");
  EXPECT_EQ(f["Content-Transfer-Encoding"], "quoted-printable");
  EXPECT_EQ(f["content_type"], "text/plain");
  EXPECT_EQ(f["charset"], "utf-8");
  EXPECT_EQ(f["date_ok"], "True");
  EXPECT_EQ(f["defects"], "0");
  const std::string& body = f["body"];
  EXPECT_THAT(body, HasSubstr("Empf\xc3\xa4nger: rcpt@sink.test\n"));
  EXPECT_THAT(body, HasSubstr("Korrelations-ID: " + response.correlation_id() + "\n"));
  EXPECT_THAT(body, HasSubstr("Gmail API (Google OAuth)"));
  EXPECT_THAT(body, HasSubstr("Sch\xc3\xb6ne Gr\xc3\xbc\xc3\x9f"
                              "e\n"));
  // The raw message as built: CRLF only, 7-bit, no line over 78, the subject RFC 2047 encoded.
  const std::string& raw = f["raw"];
  EXPECT_THAT(raw, HasSubstr("\r\nSubject: =?UTF-8?Q?Testnachricht_von_channel-verifier_"
                             "=E2=80=93_Ihre_E-Mail-?=\r\n =?UTF-8?Q?Verbindung_funktioniert?="
                             "\r\n"));
  for (absl::string_view line : absl::StrSplit(raw, "\r\n")) {
    EXPECT_LE(line.size(), 78u) << line;
    EXPECT_FALSE(absl::StrContains(line, '\n')) << "bare LF in " << line;
  }
}

// The whole way for Microsoft: sendMail with well-formed JSON, accepted with 202.
TEST_F(SendTestOAuth, GraphReceivesWellFormedJson) {
  v1::SendTestRequest request = Request(v1::PROVIDER_MICROSOFT, "ok", "en");
  request.mutable_channel()->mutable_oauth()->set_tenant_id("contoso.example");
  v1::SendTestResponse response;
  grpc::Status status = Call(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.accepted()) << Describe(response);
  EXPECT_EQ(response.verdict(), v1::VERDICT_PASS) << Describe(response);
  EXPECT_EQ(response.server_reply(), "HTTP 202 Accepted");
  EXPECT_THAT(response.message_id(), AllOf(StartsWith("<cv."), HasSubstr("@example.com>")));
  const v1::Probe* send = FindProbe(response, "graph.send_mail");
  ASSERT_NE(send, nullptr) << Describe(response);
  EXPECT_EQ(send->status(), v1::PROBE_STATUS_OK);
  EXPECT_EQ(send->facts().at("http_status"), "202");
  EXPECT_EQ(send->facts().at("message_id_via"), "internetMessageId");
  EXPECT_THAT(send->target(), HasSubstr("/v1.0/users/jobs@example.com/sendMail"));
  ExpectNoSecrets(response, "ok");

  const auto sends = Sends(response.correlation_id());
  ASSERT_THAT(sends, SizeIs(1));
  OAuthSend record = sends[0];
  EXPECT_EQ(record.meta["api"], "graph");
  EXPECT_EQ(record.meta["user"], kAccount);
  EXPECT_EQ(record.meta["content_type"], "application/json");

  auto parsed = ReadReceived("graph", record.body_path);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto& f = *parsed;
  EXPECT_EQ(f["keys"], "message,saveToSentItems");
  EXPECT_EQ(f["save"], "false");
  EXPECT_EQ(f["message_keys"],
            "body,internetMessageHeaders,internetMessageId,subject,toRecipients");
  EXPECT_EQ(f["subject"], kEnglishSubject);
  EXPECT_EQ(f["content_type"], "Text");
  EXPECT_THAT(f["content"], HasSubstr("Recipient: rcpt@sink.test\n"));
  EXPECT_THAT(f["content"], HasSubstr("Microsoft Graph (Microsoft 365 OAuth)"));
  EXPECT_THAT(f["content"], HasSubstr(response.correlation_id()));
  EXPECT_EQ(f["recipients"], kRecipient);
  EXPECT_EQ(f["recipient_keys"], "emailAddress/address");
  EXPECT_EQ(f["internet_message_id"], response.message_id());
  // Only "X-" headers: Graph refuses any other custom header.
  EXPECT_EQ(f["headers"], absl::StrCat("X-Channel-Verifier-Test=", response.correlation_id(),
                                       ";X-Auto-Response-Suppress=All"));
  EXPECT_EQ(f["header_keys"], "name,value;name,value");
}

// Each documented refusal of the send calls, as the providers send it, diagnosed with its code
// and the send probe named; the message went out exactly once and was not accepted.
TEST_F(SendTestOAuth, EverySendRefusalIsDiagnosed) {
  struct Case {
    v1::Provider provider;
    std::string scenario;
    v1::DiagnosisCode code;
    std::string evidence;  // a part of the evidence
    std::string title;     // "" any
  };
  const std::vector<Case> cases = {
      {v1::PROVIDER_GOOGLE, "g-scope", v1::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING,
       "HTTP 403 insufficientPermissions", ""},
      {v1::PROVIDER_GOOGLE, "g-noscope", v1::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING,
       "granted scopes: https://www.googleapis.com/auth/userinfo.email; sending through the API "
       "needs one of",
       ""},
      {v1::PROVIDER_GOOGLE, "g-nomail", v1::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED,
       "Mail service not enabled", ""},
      {v1::PROVIDER_GOOGLE, "g-badrcpt", v1::DIAGNOSIS_CODE_MESSAGE_REJECTED, "Invalid To header",
       "The recipient address was refused"},
      {v1::PROVIDER_GOOGLE, "g-other", v1::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND,
       "Delegation denied for jobs@example.com", "The authorisation belongs to another account"},
      {v1::PROVIDER_GOOGLE, "g-sendlimit", v1::DIAGNOSIS_CODE_SERVER_THROTTLING,
       "HTTP 429 rateLimitExceeded", "The mailbox has reached its sending limit"},
      {v1::PROVIDER_GOOGLE, "g-userrate", v1::DIAGNOSIS_CODE_SERVER_THROTTLING,
       "userRateLimitExceeded", "The server is limiting requests"},
      {v1::PROVIDER_GOOGLE, "g-daily", v1::DIAGNOSIS_CODE_SERVER_THROTTLING, "dailyLimitExceeded",
       ""},
      {v1::PROVIDER_GOOGLE, "send-500", v1::DIAGNOSIS_CODE_MESSAGE_REJECTED,
       "HTTP 500 backendError", "The provider could not take the test message"},
      {v1::PROVIDER_MICROSOFT, "m-sendas", v1::DIAGNOSIS_CODE_SEND_AS_DENIED,
       "HTTP 403 ErrorSendAsDenied", ""},
      {v1::PROVIDER_MICROSOFT, "m-accessdenied", v1::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING,
       "HTTP 403 ErrorAccessDenied", ""},
      {v1::PROVIDER_MICROSOFT, "m-noscope", v1::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING,
       "sending through the API needs one of: Mail.Send", ""},
      {v1::PROVIDER_MICROSOFT, "m-nolicense", v1::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED,
       "MailboxNotEnabledForRESTAPI", ""},
      {v1::PROVIDER_MICROSOFT, "m-invaliduser", v1::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND,
       "ErrorInvalidUser", ""},
      {v1::PROVIDER_MICROSOFT, "m-badrcpt", v1::DIAGNOSIS_CODE_MESSAGE_REJECTED,
       "ErrorInvalidRecipients", "The recipient address was refused"},
      {v1::PROVIDER_MICROSOFT, "m-msglimit", v1::DIAGNOSIS_CODE_SERVER_THROTTLING,
       "ErrorExceededMessageLimit", "The mailbox has reached its sending limit"},
      {v1::PROVIDER_MICROSOFT, "m-throttled", v1::DIAGNOSIS_CODE_SERVER_THROTTLING,
       "HTTP 429 ApplicationThrottled", "The server is limiting requests"},
      {v1::PROVIDER_MICROSOFT, "send-500", v1::DIAGNOSIS_CODE_MESSAGE_REJECTED,
       "HTTP 500 ErrorInternalServerError", "The provider could not take the test message"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.scenario);
    v1::SendTestResponse response;
    grpc::Status status = Call(Request(c.provider, c.scenario), &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_FALSE(response.accepted());
    EXPECT_EQ(response.verdict(), v1::VERDICT_FAIL);
    const v1::Diagnosis* d = FindDiagnosis(response, c.code);
    ASSERT_NE(d, nullptr) << Describe(response);
    EXPECT_EQ(d->probe(), SendProbe(c.provider));
    EXPECT_EQ(d->severity(), c.code == v1::DIAGNOSIS_CODE_SERVER_THROTTLING ? v1::SEVERITY_WARNING
                                                                            : v1::SEVERITY_ERROR);
    std::string evidence;
    for (const auto& e : d->evidence()) absl::StrAppend(&evidence, e, "\n");
    EXPECT_THAT(evidence, HasSubstr(c.evidence));
    // The stage is named in the evidence, as SMTP names RCPT TO.
    EXPECT_THAT(evidence,
                HasSubstr(c.provider == v1::PROVIDER_GOOGLE ? "Gmail API users.messages.send POST "
                                                            : "Microsoft Graph sendMail POST "));
    if (!c.title.empty()) EXPECT_EQ(d->title(), c.title);
    // The request went out whole: a message with this id may exist, so the id is reported.
    EXPECT_THAT(response.message_id(), StartsWith("<cv."));
    EXPECT_THAT(response.server_reply(), HasSubstr("HTTP "));
    const v1::Probe* send = FindProbe(response, SendProbe(c.provider));
    ASSERT_NE(send, nullptr);
    EXPECT_EQ(send->status(), v1::PROBE_STATUS_FAILED);
    EXPECT_THAT(Sends(response.correlation_id()), SizeIs(1));
    ExpectNoSecrets(response, c.scenario);
  }
}

// A dropped connection after the request went out, and a server error: reported, never
// retried. The peer counts the requests that carry the call's correlation id.
TEST_F(SendTestOAuth, ASendIsNeverRetried) {
  for (v1::Provider provider : {v1::PROVIDER_GOOGLE, v1::PROVIDER_MICROSOFT}) {
    SCOPED_TRACE(v1::Provider_Name(provider));
    v1::SendTestResponse dropped;
    grpc::Status status = Call(Request(provider, "send-drop"), &dropped);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_FALSE(dropped.accepted());
    EXPECT_EQ(dropped.verdict(), v1::VERDICT_FAIL);
    const v1::Diagnosis* d = FindDiagnosis(dropped, v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR);
    ASSERT_NE(d, nullptr) << Describe(dropped);
    EXPECT_EQ(d->title(), "The connection ended before the server confirmed the message");
    EXPECT_EQ(d->probe(), SendProbe(provider));
    EXPECT_THAT(d->evidence(), ::testing::Contains(HasSubstr("it was not sent again")));
    EXPECT_THAT(dropped.message_id(), StartsWith("<cv."));
    EXPECT_EQ(dropped.server_reply(), "");

    v1::SendTestResponse failed;
    status = Call(Request(provider, "send-500"), &failed);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_FALSE(failed.accepted());

    // Long enough for any retry to have arrived.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    EXPECT_THAT(Sends(dropped.correlation_id()), SizeIs(1));
    EXPECT_THAT(Sends(failed.correlation_id()), SizeIs(1));
  }
}

// The caller's deadline ends a send that the provider is still working on: reported as such,
// once, with the id of the message that may exist.
TEST_F(SendTestOAuth, ASlowSendEndsAtTheDeadlineAndIsNotRetried) {
  v1::SendTestResponse response;
  // A given access token: "slow" in a refresh token would hold up the token endpoint instead.
  v1::SendTestRequest request = Request(v1::PROVIDER_MICROSOFT, "slow");
  request.mutable_channel()->mutable_oauth()->clear_refresh_token();
  request.mutable_channel()->mutable_oauth()->set_access_token("at-slow");
  // The peer answers only after kSlowSeconds, past the 4 s deadline: an OK status means the
  // server answered before the deadline (the client ends the call with DEADLINE_EXCEEDED
  // otherwise), so it did not wait for the peer.
  static_assert(kSlowSeconds > 4);
  grpc::Status status = Call(request, &response, 4);
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_FALSE(response.accepted());
  EXPECT_NE(FindDiagnosis(response, v1::DIAGNOSIS_CODE_DEADLINE_TOO_SHORT), nullptr)
      << Describe(response);
  const v1::Diagnosis* d = FindDiagnosis(response, v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR);
  ASSERT_NE(d, nullptr) << Describe(response);
  EXPECT_THAT(d->evidence(), ::testing::Contains(HasSubstr("it was not sent again")));
  EXPECT_THAT(response.message_id(), StartsWith("<cv."));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_THAT(Sends(response.correlation_id()), SizeIs(1));
}

// Without a token nothing is sent: the token endpoint's refusal is the diagnosis.
TEST_F(SendTestOAuth, NoTokenNoSend) {
  const size_t before = AllRecords().size();
  v1::SendTestResponse response;
  grpc::Status status = Call(Request(v1::PROVIDER_MICROSOFT, "aadsts-700082"), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.accepted());
  EXPECT_EQ(response.verdict(), v1::VERDICT_FAIL);
  EXPECT_NE(FindDiagnosis(response, v1::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID), nullptr)
      << Describe(response);
  const v1::Probe* send = FindProbe(response, "graph.send_mail");
  ASSERT_NE(send, nullptr);
  EXPECT_EQ(send->status(), v1::PROBE_STATUS_SKIPPED);
  EXPECT_EQ(response.message_id(), "");
  EXPECT_FALSE(response.correlation_id().empty());
  EXPECT_EQ(AllRecords().size(), before);
}

// A given access token is used as is; a refused one is the grant's problem.
TEST_F(SendTestOAuth, AGivenAccessTokenIsUsedAsIs) {
  v1::SendTestRequest request = Request(v1::PROVIDER_GOOGLE, "ok");
  request.mutable_channel()->mutable_oauth()->clear_refresh_token();
  request.mutable_channel()->mutable_oauth()->set_access_token("at-ok");
  v1::SendTestResponse response;
  grpc::Status status = Call(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.accepted()) << Describe(response);
  EXPECT_EQ(ProbeOrFail(response, "oauth.token").status(), v1::PROBE_STATUS_SKIPPED);

  request.mutable_channel()->mutable_oauth()->set_access_token("expired-token-value");
  status = Call(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.accepted());
  const v1::Diagnosis* d = FindDiagnosis(response, v1::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID);
  ASSERT_NE(d, nullptr) << Describe(response);
  EXPECT_EQ(d->probe(), "gmail.send");
  EXPECT_THAT(response.DebugString(), Not(HasSubstr("expired-token-value")));
}

// The request id guards OAuth sends as it guards SMTP ones.
TEST_F(SendTestOAuth, ASecondCallWithTheSameRequestIdSendsNothing) {
  v1::SendTestRequest request = Request(v1::PROVIDER_MICROSOFT, "ok");
  request.set_request_id("graph-once-1");
  v1::SendTestResponse first;
  ASSERT_TRUE(Call(request, &first).ok());
  EXPECT_TRUE(first.accepted()) << Describe(first);
  const size_t after_first = AllRecords().size();
  v1::SendTestResponse second;
  grpc::Status status = Call(request, &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ErrorReason(status), "DUPLICATE_REQUEST");
  EXPECT_EQ(AllRecords().size(), after_first);
}

// CR, LF, NUL or a second address in the recipient or the account, and the other fields of an
// OAuth channel: INVALID_ARGUMENT naming the field, and nothing reaches the provider.
TEST_F(SendTestOAuth, InjectionAttemptsAreRefusedNamingTheField) {
  struct Injection {
    std::string name;
    std::string field;
    std::function<void(v1::SendTestRequest*)> mutate;
  };
  auto oauth = [](v1::SendTestRequest* r) { return r->mutable_channel()->mutable_oauth(); };
  const std::vector<Injection> cases = {
      {"recipient-crlf-header", "recipient",
       [](auto* r) { r->set_recipient("rcpt@sink.test\r\nBcc: victim@else.example"); }},
      {"recipient-lf", "recipient", [](auto* r) { r->set_recipient("rcpt@sink.test\nX: 1"); }},
      {"recipient-cr", "recipient", [](auto* r) { r->set_recipient("rcpt@sink.test\rX: 1"); }},
      {"recipient-nul", "recipient",
       [](auto* r) { r->set_recipient(std::string("rcpt@sink.test\0x", 16)); }},
      {"recipient-second-comma", "recipient",
       [](auto* r) { r->set_recipient("rcpt@sink.test,victim@else.example"); }},
      {"recipient-second-space", "recipient",
       [](auto* r) { r->set_recipient("rcpt@sink.test victim@else.example"); }},
      {"recipient-display-name", "recipient",
       [](auto* r) { r->set_recipient("Evil <victim@else.example>"); }},
      {"recipient-json-quote", "recipient",
       [](auto* r) { r->set_recipient("a\"},{\"x\":\"@sink.test"); }},
      {"recipient-empty", "recipient", [](auto* r) { r->set_recipient(""); }},
      {"account-crlf", "channel.oauth.account",
       [oauth](auto* r) { oauth(r)->set_account("jobs@example.com\r\nBcc: v@else.example"); }},
      {"account-lf", "channel.oauth.account",
       [oauth](auto* r) { oauth(r)->set_account("jobs@example.com\nX: 1"); }},
      {"account-nul", "channel.oauth.account",
       [oauth](auto* r) { oauth(r)->set_account(std::string("jobs@example.com\0", 17)); }},
      {"account-second", "channel.oauth.account",
       [oauth](auto* r) { oauth(r)->set_account("jobs@example.com;other@example.com"); }},
      {"account-path", "channel.oauth.account",
       [oauth](auto* r) { oauth(r)->set_account("../../me/sendMail@example.com"); }},
      {"refresh-token-crlf", "channel.oauth.refresh_token",
       [oauth](auto* r) { oauth(r)->set_refresh_token("rt-ok\r\nX-Evil: 1"); }},
      {"tenant-path", "channel.oauth.tenant_id",
       [oauth](auto* r) { oauth(r)->set_tenant_id("contoso/../common"); }},
      {"provider-other", "channel.oauth.provider",
       [oauth](auto* r) { oauth(r)->set_provider(v1::PROVIDER_OTHER); }},
      {"request-id-crlf", "request_id", [](auto* r) { r->set_request_id("id\r\nX-Evil: 1"); }},
      {"language-unknown", "language_code", [](auto* r) { r->set_language_code("fr"); }},
  };
  const size_t before = AllRecords().size();
  for (const Injection& c : cases) {
    SCOPED_TRACE(c.name);
    v1::SendTestRequest request = Request(v1::PROVIDER_MICROSOFT, "ok");
    c.mutate(&request);
    v1::SendTestResponse response;
    grpc::Status status = Call(request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_THAT(status.error_message(), StartsWith(c.field + ":"));
    EXPECT_THAT(status.error_message(), Not(HasSubstr("rt-ok")));
  }
  // Not one request reached the provider.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(AllRecords().size(), before);
}

}  // namespace
}  // namespace cv::testing
