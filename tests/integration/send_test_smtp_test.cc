// SendTest through the running server: a real message to aiosmtpd and Postfix, parsed on arrival
// by an independent MIME parser (Python's email package); every send-stage refusal of the
// rule tables from scripted servers; a drop after DATA; injection attempts in every field.
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/find.h"
#include "support/loopback_suite.h"
#include "support/peers.h"
#include "support/process.h"
#include "support/received.h"
#include "support/server.h"

namespace cv::testing {
namespace {

namespace v1 = channelverify::v1;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr char kHost[] = "smtp.t.test";
constexpr char kGermanSubject[] =
    "Testnachricht von channel-verifier \xe2\x80\x93 Ihre E-Mail-Verbindung funktioniert";
constexpr char kEnglishSubject[] = "Test message from channel-verifier: your email channel works";

std::string Describe(const v1::SendTestResponse& r) { return r.DebugString(); }

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

class SendTestSmtp : public LoopbackSuite {
 protected:
  static void SetUpTestSuite() {
    StartLoopback();
    if (HasFatalFailure()) return;
    server_ = SuiteServer({"--send_dedup_window_s=600"});
  }
  static void TearDownTestSuite() {
    LoopbackSuite::TearDownTestSuite();
    server_ = nullptr;
  }

  static v1::SendTestRequest Request(int port, const std::string& language = "en") {
    v1::SendTestRequest request;
    auto* smtp = request.mutable_channel()->mutable_smtp();
    smtp->set_host(kHost);
    smtp->set_port(static_cast<uint32_t>(port));
    smtp->set_tls_mode(v1::TLS_MODE_STARTTLS);
    smtp->set_username("user@sender.test");
    smtp->set_password("s3cret-Pa55");
    smtp->set_from_address("user@sender.test");
    request.set_recipient("rcpt@sink.test");
    request.set_language_code(language);
    return request;
  }

  static grpc::Status Call(const v1::SendTestRequest& request, v1::SendTestResponse* response,
                           int deadline_s = 40) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(deadline_s));
    return server_->Stub()->SendTest(&context, request, response);
  }

  static SmtpPeer StartScripted(const std::string& profile, const std::string& script_json = "",
                                const std::string& fault = "") {
    SmtpPeerOptions options;
    options.profile = profile;
    options.script_json = script_json;
    options.fault = fault;
    options.cert = ca_->valid();
    auto peer = SmtpPeer::Start(options);
    EXPECT_TRUE(peer.ok()) << peer.status();
    return std::move(*peer);
  }

  static inline ServerProcess* server_ = nullptr;
  TempDir tmp_{"cv-sendtest-"};
};

// The whole way: STARTTLS, AUTH, one message, and what aiosmtpd received parses as sent.
TEST_F(SendTestSmtp, AiosmtpdReceivesTheGermanMessageIntact) {
  SmtpPeerOptions options;
  options.tls = SmtpTls::kStartTls;
  options.cert = ca_->valid();
  options.require_starttls = true;
  options.users = {{"user@sender.test", "s3cret-Pa55"}};
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();

  v1::SendTestResponse response;
  v1::SendTestRequest request = Request(peer->port(), "de");
  request.set_request_id("aiosmtpd-de-1");
  grpc::Status status = Call(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.accepted()) << Describe(response);
  EXPECT_EQ(response.verdict(), v1::VERDICT_PASS) << Describe(response);
  EXPECT_THAT(response.server_reply(), StartsWith("250"));
  EXPECT_THAT(response.message_id(), AllOf(StartsWith("<cv."), HasSubstr("@sender.test>")));
  EXPECT_THAT(response.correlation_id(), SizeIs(36));
  for (const char* name :
       {"smtp.auth", "smtp.mail_from", "smtp.rcpt_to", "smtp.data", "smtp.data_end"}) {
    const v1::Probe* probe = FindProbe(response, name);
    ASSERT_NE(probe, nullptr) << name << "\n" << Describe(response);
    EXPECT_EQ(probe->status(), v1::PROBE_STATUS_OK) << name;
  }
  // The transcript never carries the password, not even encoded.
  EXPECT_THAT(response.DebugString(), Not(HasSubstr("s3cret-Pa55")));

  auto messages = peer->WaitForMessages(1);
  ASSERT_TRUE(messages.ok()) << messages.status();
  ASSERT_THAT(*messages, SizeIs(1));
  const ReceivedMessage& m = (*messages)[0];
  EXPECT_EQ(m.mail_from, "user@sender.test");
  EXPECT_THAT(m.rcpt_to, ::testing::ElementsAre("rcpt@sink.test"));
  EXPECT_EQ(m.auth_user, "user@sender.test");
  EXPECT_TRUE(m.tls);

  // On the wire: CRLF only, 7-bit, no line over 78, the encoded subject as built.
  EXPECT_THAT(m.data, HasSubstr("\r\nSubject: =?UTF-8?Q?Testnachricht_von_channel-verifier_"
                                "=E2=80=93_Ihre_E-Mail-?=\r\n =?UTF-8?Q?Verbindung_funktioniert?="
                                "\r\n"));
  for (absl::string_view line : absl::StrSplit(m.data, "\r\n")) {
    EXPECT_LE(line.size(), 78u) << line;
    EXPECT_FALSE(absl::StrContains(line, '\n')) << "bare LF in " << line;
    for (char c : line) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << line;
  }

  auto parsed = ReadReceivedMime(m.data, tmp_.path());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto& f = *parsed;
  EXPECT_EQ(f["Subject"], kGermanSubject);
  EXPECT_EQ(f["From"], "user@sender.test");
  EXPECT_EQ(f["To"], "rcpt@sink.test");
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
  EXPECT_THAT(body, HasSubstr("unbesch\xc3\xa4"
                              "digt \xc3\xbc"
                              "bersteht"));
  EXPECT_THAT(body, HasSubstr("Sch\xc3\xb6ne Gr\xc3\xbc\xc3\x9f"
                              "e\n"));
  // The lines that begin with dots arrived as written: dot-stuffing was done and undone.
  EXPECT_THAT(body, HasSubstr("\n\n.\n.. Der einzelne Punkt oben"));
}

// A production MTA: Postfix with Dovecot SASL delivers the message to its sink.
TEST_F(SendTestSmtp, PostfixDeliversTheEnglishMessage) {
  auto postfix = PostfixPeer::Start(*ca_);
  ASSERT_TRUE(postfix.ok()) << postfix.status();
  v1::SendTestRequest request = Request(postfix->port(), "en");
  request.mutable_channel()->mutable_smtp()->set_username(postfix->user());
  request.mutable_channel()->mutable_smtp()->set_password(postfix->password());
  request.mutable_channel()->mutable_smtp()->set_from_address(postfix->user());
  request.set_recipient("someone@sink.test");
  v1::SendTestResponse response;
  grpc::Status status = Call(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(response.accepted()) << Describe(response);
  EXPECT_EQ(response.verdict(), v1::VERDICT_PASS) << Describe(response);
  EXPECT_THAT(response.server_reply(), HasSubstr("queued as"));

  auto delivered = postfix->WaitForMessages(1, absl::Seconds(15));
  ASSERT_TRUE(delivered.ok()) << delivered.status();
  ASSERT_THAT(*delivered, SizeIs(1));
  auto parsed = ReadReceivedMime((*delivered)[0], tmp_.path());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto& f = *parsed;
  EXPECT_EQ(f["Subject"], kEnglishSubject);
  EXPECT_EQ(f["From"], postfix->user());
  EXPECT_EQ(f["To"], "someone@sink.test");
  EXPECT_EQ(f["Message-ID"], response.message_id());
  EXPECT_EQ(f["X-Channel-Verifier-Test"], response.correlation_id());
  EXPECT_EQ(f["content_type"], "text/plain");
  EXPECT_EQ(f["defects"], "0");
  EXPECT_THAT(f["body"], HasSubstr("Correlation id: " + response.correlation_id() + "\n"));
  EXPECT_THAT(f["body"], HasSubstr("\n\n.\n.. The single dot above"));
  // The queue id Postfix named is the one it logged for this message.
  const std::string queue_id =
      response.server_reply().substr(response.server_reply().rfind(' ') + 1);
  std::ifstream log(postfix->maillog());
  std::string maillog((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_THAT(maillog, HasSubstr(queue_id + ": message-id=" + response.message_id()));
}

// MAIL FROM carries SIZE (advertised) and SMTPUTF8 only when an address needs it.
TEST_F(SendTestSmtp, MailFromParametersFollowTheAdvertisedExtensions) {
  SmtpPeer ascii = StartScripted("generic-ok");
  v1::SendTestResponse response;
  ASSERT_TRUE(Call(Request(ascii.port()), &response).ok());
  ASSERT_TRUE(response.accepted()) << Describe(response);
  auto transcripts = ascii.Transcripts();
  ASSERT_THAT(transcripts, SizeIs(1));
  // SIZE with the message's size, and no SMTPUTF8 although the server offers it.
  EXPECT_THAT(transcripts[0], ::testing::ContainsRegex("C: MAIL FROM:<user@sender.test> "
                                                       "SIZE=[0-9]+\n"));

  SmtpPeer utf8 = StartScripted("generic-ok");
  v1::SendTestRequest request = Request(utf8.port(), "de");
  request.set_recipient("j\xc3\xbcrgen@sink.test");
  ASSERT_TRUE(Call(request, &response).ok());
  ASSERT_TRUE(response.accepted()) << Describe(response);
  transcripts = utf8.Transcripts();
  ASSERT_THAT(transcripts, SizeIs(1));
  EXPECT_THAT(transcripts[0], ::testing::ContainsRegex("C: MAIL FROM:<user@sender.test> "
                                                       "SIZE=[0-9]+ SMTPUTF8\n"));
  EXPECT_THAT(transcripts[0], HasSubstr("C: RCPT TO:<j\xc3\xbcrgen@sink.test>\n"));
  auto messages = utf8.WaitForMessages(1);
  ASSERT_TRUE(messages.ok()) << messages.status();
  EXPECT_THAT((*messages)[0].data, HasSubstr("\r\nTo: j\xc3\xbcrgen@sink.test\r\n"));
}

TEST_F(SendTestSmtp, Utf8AddressWithoutSmtpUtf8IsDiagnosedAndNotSent) {
  SmtpPeer peer = StartScripted(
      "generic-ok",
      R"({"ehlo_tls": ["250-{host}", "250-SIZE 10240000", "250-AUTH PLAIN LOGIN", "250 8BITMIME"]})");
  v1::SendTestRequest request = Request(peer.port());
  request.set_recipient("j\xc3\xbcrgen@sink.test");
  v1::SendTestResponse response;
  ASSERT_TRUE(Call(request, &response).ok());
  EXPECT_FALSE(response.accepted());
  EXPECT_EQ(response.verdict(), v1::VERDICT_FAIL);
  EXPECT_NE(FindDiagnosis(response, v1::DIAGNOSIS_CODE_SMTPUTF8_UNSUPPORTED), nullptr)
      << Describe(response);
  EXPECT_TRUE(response.message_id().empty());
  const v1::Probe* skipped = FindProbe(response, "smtp.mail_from");
  ASSERT_NE(skipped, nullptr);
  EXPECT_EQ(skipped->status(), v1::PROBE_STATUS_SKIPPED);
  auto transcripts = peer.Transcripts();
  ASSERT_THAT(transcripts, SizeIs(1));
  EXPECT_THAT(transcripts[0], Not(HasSubstr("MAIL FROM")));
}

// --- Every send-stage refusal of the rule tables, at the stage where providers send it. ---

struct Refusal {
  std::string name;
  std::string profile;
  std::string script_json;  // overrides, e.g. a reply at DATA
  v1::DiagnosisCode code;
  std::string probe;     // the step that was refused
  std::string evidence;  // the start of the evidence line: stage and reply
  bool username = true;
  std::string variant;  // the diagnosis's variant ("" for the code's general text)
};

void PrintTo(const Refusal& r, std::ostream* os) { *os << r.name; }

class SendTestRefusal : public SendTestSmtp, public ::testing::WithParamInterface<Refusal> {};

TEST_P(SendTestRefusal, IsDiagnosedAtItsStageAndNotRetried) {
  const Refusal& p = GetParam();
  SmtpPeer peer = StartScripted(p.profile, p.script_json);
  v1::SendTestRequest request = Request(peer.port());
  if (!p.username) {
    request.mutable_channel()->mutable_smtp()->clear_username();
    request.mutable_channel()->mutable_smtp()->clear_password();
  }
  v1::SendTestResponse response;
  grpc::Status status = Call(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.accepted());
  EXPECT_EQ(response.verdict(), v1::VERDICT_FAIL);
  const v1::Diagnosis* d = FindDiagnosis(response, p.code);
  ASSERT_NE(d, nullptr) << Describe(response);
  // Throttling is a warning in the catalog (waiting helps); the verdict fails all the same.
  EXPECT_GE(d->severity(), v1::SEVERITY_WARNING);
  EXPECT_EQ(d->probe(), p.probe);
  EXPECT_EQ(d->variant(), p.variant) << Describe(response);
  EXPECT_THAT(d->evidence(), Contains(StartsWith(p.evidence))) << Describe(response);
  // An unknown 4xx is not read as throttling, nor any refusal as a rejected message when a
  // row knows it better.
  if (p.code != v1::DIAGNOSIS_CODE_SERVER_THROTTLING) {
    EXPECT_EQ(FindDiagnosis(response, v1::DIAGNOSIS_CODE_SERVER_THROTTLING), nullptr)
        << Describe(response);
  }
  if (p.code != v1::DIAGNOSIS_CODE_MESSAGE_REJECTED) {
    EXPECT_EQ(FindDiagnosis(response, v1::DIAGNOSIS_CODE_MESSAGE_REJECTED), nullptr)
        << Describe(response);
  }
  const v1::Probe* probe = FindProbe(response, p.probe);
  ASSERT_NE(probe, nullptr) << Describe(response);
  EXPECT_EQ(probe->status(), v1::PROBE_STATUS_FAILED);
  EXPECT_THAT(response.server_reply(), StartsWith(p.evidence.substr(p.evidence.find(": ") + 2)));
  // One connection, one of each command: nothing was tried twice.
  auto transcripts = peer.Transcripts();
  ASSERT_THAT(transcripts, SizeIs(1));
  EXPECT_EQ(Count(transcripts[0], "C: MAIL FROM"), 1) << transcripts[0];
  EXPECT_LE(Count(transcripts[0], "C: RCPT TO"), 1) << transcripts[0];
  EXPECT_LE(Count(transcripts[0], "C: DATA"), 1) << transcripts[0];
  EXPECT_LE(Count(transcripts[0], "C: AUTH"), 1) << transcripts[0];
}

INSTANTIATE_TEST_SUITE_P(
    Diagnoses, SendTestRefusal,
    ::testing::Values(
        Refusal{"M365SendAsAtMailFrom", "m365-send-as-denied", "",
                v1::DIAGNOSIS_CODE_SEND_AS_DENIED, "smtp.mail_from", "MAIL FROM: 550 5.7.60"},
        Refusal{"M365SendAsStoredrvAfterData", "m365-send-as-denied-storedrv", "",
                v1::DIAGNOSIS_CODE_SEND_AS_DENIED, "smtp.data_end", "end of DATA: 554 5.2.0"},
        Refusal{"M365SendAs5252AfterData", "m365-send-as-denied-5252", "",
                v1::DIAGNOSIS_CODE_SEND_AS_DENIED, "smtp.data_end", "end of DATA: 554 5.2.252"},
        Refusal{"M365BannedIpAtRcpt", "m365-banned-ip", "", v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED,
                "smtp.rcpt_to", "RCPT TO: 550 5.7.606"},
        Refusal{"M365IpNotAcceptedAtRcpt", "m365-ip-not-accepted", "",
                v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "smtp.rcpt_to", "RCPT TO: 550 5.7.708"},
        Refusal{"M365TenantAttributionAtRcpt", "m365-tenant-attribution", "",
                v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "smtp.rcpt_to", "RCPT TO: 550 5.7.64"},
        Refusal{"M365ThreadLimitAtMailFrom", "m365-sender-thread-limit", "",
                v1::DIAGNOSIS_CODE_SERVER_THROTTLING, "smtp.mail_from", "MAIL FROM: 432 4.3.2"},
        Refusal{"M365ThreadLimitAtData", "m365-ok",
                R"({"data": "432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded"})",
                v1::DIAGNOSIS_CODE_SERVER_THROTTLING, "smtp.data", "DATA: 432 4.3.2"},
        Refusal{"M365QuotaAfterData", "m365-submission-quota", "",
                v1::DIAGNOSIS_CODE_SERVER_THROTTLING, "smtp.data_end", "end of DATA: 554 5.2.0",
                true, "sending-limit"},
        Refusal{"M365NotAuthenticatedWithoutUsername", "m365-client-not-authenticated", "",
                v1::DIAGNOSIS_CODE_AUTH_REQUIRED, "smtp.mail_from", "MAIL FROM: 530 5.7.57", false},
        Refusal{"M365AnonymousMailFrom", "m365-anonymous-mail-from", "",
                v1::DIAGNOSIS_CODE_AUTH_REQUIRED, "smtp.mail_from", "MAIL FROM: 530 5.7.57", false},
        Refusal{"GmailRelayInvalidCredentialsAtMailFrom", "gmail-relay-invalid-credentials", "",
                v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "smtp.mail_from", "MAIL FROM: 550-5.7.1"},
        Refusal{"GmailRelayDeniedAtRcpt", "gmail-relay-denied", "",
                v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "smtp.rcpt_to", "RCPT TO: 550-5.7.0"},
        Refusal{"GmailIpNotWhitelistedAtRcpt", "gmail-ip-not-whitelisted", "",
                v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "smtp.rcpt_to", "RCPT TO: 421 4.7.0"},
        Refusal{"GmailPeakLimitAtMailFrom", "gmail-relay-peak-limit", "",
                v1::DIAGNOSIS_CODE_SERVER_THROTTLING, "smtp.mail_from", "MAIL FROM: 450 4.2.1"},
        Refusal{"GmailTryAgainLaterAtData", "gmail-relay-ok",
                R"({"data": "421 4.7.0 Try again later, closing connection. {gid} - gsmtp"})",
                v1::DIAGNOSIS_CODE_SERVER_THROTTLING, "smtp.data", "DATA: 421 4.7.0"},
        Refusal{"PostfixClientHostRejectedAtRcpt", "generic-client-host-rejected", "",
                v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "smtp.rcpt_to", "RCPT TO: 554 5.7.1"},
        Refusal{"PostfixRelayAccessDeniedAtRcpt", "generic-relay-access-denied", "",
                v1::DIAGNOSIS_CODE_RELAY_DENIED, "smtp.rcpt_to", "RCPT TO: 554 5.7.1"},
        Refusal{"RelayNotPermittedAtRcpt", "generic-relay-not-permitted", "",
                v1::DIAGNOSIS_CODE_RELAY_DENIED, "smtp.rcpt_to", "RCPT TO: 550 relay"},
        Refusal{"SendmailRelayingDeniedAtRcpt", "generic-relaying-denied", "",
                v1::DIAGNOSIS_CODE_RELAY_DENIED, "smtp.rcpt_to", "RCPT TO: 550 5.7.1"},
        Refusal{
            "BasicAuthNotSupportedAtMailFrom", "m365-ok",
            R"({"mail": "550 5.7.30 Basic authentication is not supported for Client Submission."})",
            v1::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING, "smtp.mail_from", "MAIL FROM: 550 5.7.30",
            true, "basic-auth-disabled"},
        // Issue 16: sending limits, block lists, relay and sender refusals, STARTTLS, 4xx.
        Refusal{"GmailDailySendingLimitAfterData", "gmail-daily-sending-limit", "",
                v1::DIAGNOSIS_CODE_SERVER_THROTTLING, "smtp.data_end",
                "end of DATA: 550-5.4.5 Daily user sending limit exceeded", true, "sending-limit"},
        Refusal{"M365Quota522AfterData", "m365-submission-quota-522", "",
                v1::DIAGNOSIS_CODE_SERVER_THROTTLING, "smtp.data_end", "end of DATA: 554 5.2.2",
                true, "sending-limit"},
        Refusal{"ExchangeSubmissionRateAtMailFrom", "exchange-submission-rate", "",
                v1::DIAGNOSIS_CODE_SERVER_THROTTLING, "smtp.mail_from", "MAIL FROM: 421 4.4.2",
                true, "sending-limit"},
        Refusal{"PostfixDnsblAtRcpt", "postfix-dnsbl", "", v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED,
                "smtp.rcpt_to", "RCPT TO: 554 5.7.1 Service unavailable; Client host", true,
                "blocklist"},
        Refusal{"EximDnsblAtMailFrom", "exim-dnsbl", "", v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED,
                "smtp.mail_from", "MAIL FROM: 550 Rejected because", true, "blocklist"},
        Refusal{"CpanelRelayAtRcpt", "cpanel-relay-without-auth", "",
                v1::DIAGNOSIS_CODE_RELAY_DENIED, "smtp.rcpt_to", "RCPT TO: 550-Please turn on"},
        Refusal{"CpanelRelayWithoutUsernameIsAuthRequired", "cpanel-relay-without-auth", "",
                v1::DIAGNOSIS_CODE_AUTH_REQUIRED, "smtp.rcpt_to", "RCPT TO: 550-Please turn on",
                false},
        Refusal{"PostfixRelayWithoutUsernameIsAuthRequired", "generic-relay-access-denied", "",
                v1::DIAGNOSIS_CODE_AUTH_REQUIRED, "smtp.rcpt_to", "RCPT TO: 554 5.7.1", false},
        Refusal{"M365UnableToRelayAtRcpt", "m365-unable-to-relay", "",
                v1::DIAGNOSIS_CODE_RELAY_DENIED, "smtp.rcpt_to", "RCPT TO: 550 5.7.54"},
        Refusal{"PostfixSenderLoginMismatch", "postfix-sender-login-mismatch", "",
                v1::DIAGNOSIS_CODE_SEND_AS_DENIED, "smtp.mail_from", "MAIL FROM: 553 5.7.1"},
        Refusal{"PostfixSenderNotLoggedIn", "postfix-sender-not-logged-in", "",
                v1::DIAGNOSIS_CODE_AUTH_REQUIRED, "smtp.mail_from", "MAIL FROM: 553 5.7.1", false},
        Refusal{"YandexSenderNotOwned", "yandex-sender-not-owned", "",
                v1::DIAGNOSIS_CODE_SEND_AS_DENIED, "smtp.mail_from", "MAIL FROM: 553 5.7.1"},
        Refusal{"GmxSenderNotAllowed", "gmx-sender-not-allowed", "",
                v1::DIAGNOSIS_CODE_SEND_AS_DENIED, "smtp.mail_from", "MAIL FROM: 550 5.7.0"},
        Refusal{"ZohoRelayingDisallowed", "zoho-relaying-disallowed", "",
                v1::DIAGNOSIS_CODE_SEND_AS_DENIED, "smtp.mail_from", "MAIL FROM: 553 Relaying"},
        Refusal{"SesUnverifiedSenderAfterData", "ses-unverified-sender", "",
                v1::DIAGNOSIS_CODE_SEND_AS_DENIED, "smtp.data_end", "end of DATA: 554 Message"},
        Refusal{"SendGridUnverifiedSender", "sendgrid-unverified-sender", "",
                v1::DIAGNOSIS_CODE_SEND_AS_DENIED, "smtp.mail_from", "MAIL FROM: 550 The from"},
        Refusal{"MailgunUnverifiedDomainAfterData", "mailgun-unverified-domain", "",
                v1::DIAGNOSIS_CODE_SEND_AS_DENIED, "smtp.data_end", "end of DATA: 554 5.7.1"},
        Refusal{"M365RestrictedSender", "m365-restricted-sender", "",
                v1::DIAGNOSIS_CODE_SENDER_RESTRICTED, "smtp.rcpt_to", "RCPT TO: 550 5.1.8"},
        Refusal{"M365StartTlsRequiredIsTlsMode", "m365-starttls-required", "",
                v1::DIAGNOSIS_CODE_TLS_MODE_MISMATCH, "smtp.mail_from", "MAIL FROM: 451 5.7.3"},
        // An unknown 4xx is a temporary failure, not throttling.
        Refusal{"UnknownTemporaryRefusalIsTemporaryFailure", "generic-temporary-rcpt", "",
                v1::DIAGNOSIS_CODE_TEMPORARY_FAILURE, "smtp.rcpt_to", "RCPT TO: 451 4.3.0"},
        // A refusal no rule knows is still named, with the server's words.
        Refusal{"UnknownRecipientIsMessageRejected", "generic-ok",
                R"({"rcpt": "550 5.1.1 <{addr}>: Recipient address rejected: User unknown"})",
                v1::DIAGNOSIS_CODE_MESSAGE_REJECTED, "smtp.rcpt_to", "RCPT TO: 550 5.1.1"},
        Refusal{"ContentFilterAfterDataIsMessageRejected", "generic-ok",
                R"({"data_end": "554 5.7.1 Message rejected: content policy"})",
                v1::DIAGNOSIS_CODE_MESSAGE_REJECTED, "smtp.data_end", "end of DATA: 554 5.7.1"}),
    [](const ::testing::TestParamInfo<Refusal>& info) { return info.param.name; });

// --- Connection lost around DATA: reported, never resent. ---

TEST_F(SendTestSmtp, DropAfterDataIsReportedAndNotResent) {
  SmtpPeer peer = StartScripted("generic-ok", "", "drop-after-data");
  v1::SendTestResponse response;
  ASSERT_TRUE(Call(Request(peer.port()), &response).ok());
  EXPECT_FALSE(response.accepted());
  EXPECT_EQ(response.verdict(), v1::VERDICT_FAIL);
  // The message went out in full: its id is known, and the caller is told it may have arrived.
  EXPECT_FALSE(response.message_id().empty());
  const v1::Diagnosis* d = FindDiagnosis(response, v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR);
  ASSERT_NE(d, nullptr) << Describe(response);
  EXPECT_EQ(d->probe(), "smtp.data_end");
  EXPECT_THAT(d->evidence(), Contains(HasSubstr("may or may not have queued it")));
  EXPECT_THAT(d->evidence(), Contains(HasSubstr("not sent again")));
  EXPECT_THAT(d->remediation(), HasSubstr("not sent again"));
  // Give a retry the time it would need, then prove there was none.
  absl::SleepFor(absl::Milliseconds(500));
  auto transcripts = peer.Transcripts();
  ASSERT_THAT(transcripts, SizeIs(1));
  EXPECT_EQ(Count(transcripts[0], "C: MAIL FROM"), 1);
  EXPECT_EQ(Count(transcripts[0], "C: DATA"), 1);
}

TEST_F(SendTestSmtp, DropAfterDataCommandSaysNothingWasHandedOver) {
  SmtpPeer peer = StartScripted("generic-ok", "", "drop-after-data-cmd");
  v1::SendTestResponse response;
  ASSERT_TRUE(Call(Request(peer.port()), &response).ok());
  EXPECT_FALSE(response.accepted());
  EXPECT_TRUE(response.message_id().empty());
  const v1::Diagnosis* d = FindDiagnosis(response, v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR);
  ASSERT_NE(d, nullptr) << Describe(response);
  EXPECT_EQ(d->probe(), "smtp.data");
  EXPECT_THAT(d->evidence(), Contains(HasSubstr("no message was handed over")));
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_THAT(peer.Transcripts(), SizeIs(1));
}

// --- request_id: a second call with the same id sends nothing. ---

TEST_F(SendTestSmtp, SameRequestIdTwiceIsAlreadyExists) {
  SmtpPeer peer = StartScripted("generic-ok");
  v1::SendTestRequest request = Request(peer.port());
  request.set_request_id("dedup-" + std::to_string(absl::ToUnixNanos(absl::Now())));
  v1::SendTestResponse first;
  ASSERT_TRUE(Call(request, &first).ok());
  EXPECT_TRUE(first.accepted()) << Describe(first);
  v1::SendTestResponse second;
  grpc::Status status = Call(request, &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ErrorReason(status), "DUPLICATE_REQUEST");
  // Another id goes through again.
  request.set_request_id(request.request_id() + "-b");
  v1::SendTestResponse third;
  ASSERT_TRUE(Call(request, &third).ok());
  EXPECT_TRUE(third.accepted());
  EXPECT_NE(third.message_id(), first.message_id());
  EXPECT_NE(third.correlation_id(), first.correlation_id());
  auto messages = peer.WaitForMessages(2);
  ASSERT_TRUE(messages.ok()) << messages.status();
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_THAT(peer.Messages(), SizeIs(2));
}

// --- Injection: refused before anything is dialed. ---

struct Injection {
  std::string name;
  std::string field;  // the field the error must name
  std::function<void(v1::SendTestRequest*)> mutate;
};

TEST_F(SendTestSmtp, InjectionAttemptsInEveryFieldAreInvalidArgument) {
  SmtpPeer peer = StartScripted("generic-ok");
  auto smtp = [](v1::SendTestRequest* r) { return r->mutable_channel()->mutable_smtp(); };
  const std::vector<Injection> cases = {
      {"rcpt-crlf-command", "recipient",
       [](auto* r) { r->set_recipient("a@sink.test>\r\nRCPT TO:<b@evil.test"); }},
      {"rcpt-lf-header", "recipient",
       [](auto* r) { r->set_recipient("a@sink.test\nBcc: b@evil.test"); }},
      {"rcpt-cr", "recipient", [](auto* r) { r->set_recipient("a@sink.test\rx"); }},
      {"rcpt-nul", "recipient",
       [](auto* r) { r->set_recipient(std::string("a@sink.test\0b@evil.test", 23)); }},
      {"rcpt-second-address-comma", "recipient",
       [](auto* r) { r->set_recipient("a@sink.test,b@evil.test"); }},
      {"rcpt-second-address-space", "recipient",
       [](auto* r) { r->set_recipient("a@sink.test b@evil.test"); }},
      {"rcpt-display-name", "recipient", [](auto* r) { r->set_recipient("Eve <b@evil.test>"); }},
      {"rcpt-angle", "recipient", [](auto* r) { r->set_recipient("<a@sink.test>"); }},
      {"rcpt-empty", "recipient", [](auto* r) { r->set_recipient(""); }},
      {"from-crlf", "channel.smtp.from_address",
       [smtp](auto* r) { smtp(r)->set_from_address("u@sender.test>\r\nRCPT TO:<x@evil.test"); }},
      {"from-header", "channel.smtp.from_address",
       [smtp](auto* r) { smtp(r)->set_from_address("u@sender.test\nSubject: spam"); }},
      {"from-nul", "channel.smtp.from_address",
       [smtp](auto* r) { smtp(r)->set_from_address(std::string("u@sender.test\0x", 15)); }},
      {"from-two", "channel.smtp.from_address",
       [smtp](auto* r) { smtp(r)->set_from_address("u@sender.test,v@sender.test"); }},
      {"from-missing", "channel.smtp.from_address",
       [smtp](auto* r) { smtp(r)->clear_from_address(); }},
      {"host-crlf", "channel.smtp.host",
       [smtp](auto* r) { smtp(r)->set_host("smtp.t.test\r\nX-Evil: 1"); }},
      {"username-crlf", "channel.smtp.username",
       [smtp](auto* r) { smtp(r)->set_username("user\r\nMAIL FROM:<x@evil.test>"); }},
      {"password-nul", "channel.smtp.password",
       [smtp](auto* r) { smtp(r)->set_password(std::string("pw\0x", 4)); }},
      {"language-crlf", "language_code", [](auto* r) { r->set_language_code("de\r\nX: 1"); }},
      {"language-unknown", "language_code", [](auto* r) { r->set_language_code("fr"); }},
      {"request-id-crlf", "request_id", [](auto* r) { r->set_request_id("id\r\nX-Evil: 1"); }},
      {"request-id-too-long", "request_id",
       [](auto* r) { r->set_request_id(std::string(129, 'a')); }},
  };
  for (const Injection& c : cases) {
    SCOPED_TRACE(c.name);
    v1::SendTestRequest request = Request(peer.port());
    c.mutate(&request);
    v1::SendTestResponse response;
    grpc::Status status = Call(request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
    EXPECT_THAT(status.error_message(), StartsWith(c.field + ":"));
  }
  // Not one connection reached the server.
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_THAT(peer.Transcripts(), IsEmpty());
}

}  // namespace
}  // namespace cv::testing
