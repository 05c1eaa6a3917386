// VerifyChannel past AUTH, end to end against scripted servers on loopback: the sender check
// (MAIL FROM, then RSET; never RCPT, never DATA), its refusals, verdicts of channels that work,
// the app-password step of providers that need one, and certificates about to expire.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "support/find.h"
#include "support/loopback_suite.h"
#include "support/peers.h"
#include "support/process.h"
#include "support/server.h"

namespace cv::testing {
namespace {

namespace v1 = channelverify::v1;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kPassword[] = "Corr3ct-Horse!pw";

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

class VerifySender : public LoopbackSuite {
 protected:
  static void SetUpTestSuite() {
    DnsPeerOptions records;
    records.Host("smtp.t.test", "127.0.0.1")
        .Host("relay.t.test", "127.0.0.1")
        .Host("smtp.gmail.com", "127.0.0.1")
        .Host("smtp.office365.com", "127.0.0.1")
        .Host("smtp.web.de", "127.0.0.1")
        .Mx("t.test", "mx.t.test", 10)
        .Mx("gmx.de", "mx00.gmx.net", 10);
    // The shared names and a provider's host the shared CA does not cover, in a directory of
    // this suite's own.
    std::vector<std::string> names = TestCa::DefaultNames();
    names.push_back("smtp.web.de");
    StartLoopback(records, std::filesystem::path(CV_BINARY_DIR) / "test-certs-sender", names);
    if (HasFatalFailure()) return;
    server_ = SuiteServer();
    short_warning_ = SuiteServer({"--cert_expiry_warning_days=3"});
  }

  static void TearDownTestSuite() {
    LoopbackSuite::TearDownTestSuite();
    server_ = short_warning_ = nullptr;
  }

  static v1::SmtpChannel Channel(const std::string& host, int port, const std::string& user,
                                 const std::string& from) {
    v1::SmtpChannel smtp;
    smtp.set_host(host);
    smtp.set_port(port);
    smtp.set_tls_mode(v1::TLS_MODE_STARTTLS);
    smtp.set_username(user);
    smtp.set_password(kPassword);
    smtp.set_from_address(from);
    return smtp;
  }

  static v1::VerifyChannelResponse Verify(const v1::SmtpChannel& smtp,
                                          const ServerProcess* server = nullptr) {
    v1::VerifyChannelRequest request;
    *request.mutable_channel()->mutable_smtp() = smtp;
    request.set_language_code("en");
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    v1::VerifyChannelResponse response;
    const grpc::Status status =
        (server ? server : server_)->Stub()->VerifyChannel(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
    EXPECT_THAT(response.DebugString(), Not(HasSubstr(kPassword)));
    return response;
  }

  static SmtpPeer Start(const std::string& profile) {
    auto peer = SmtpPeer::StartProfile(profile, ca_);
    EXPECT_TRUE(peer.ok()) << peer.status();
    return std::move(*peer);
  }

  static std::string Describe(const v1::VerifyChannelResponse& r) { return r.DebugString(); }

  static inline ServerProcess* server_ = nullptr;
  static inline ServerProcess* short_warning_ = nullptr;
};

// The whole point of the check: the server is asked about the sender, and nothing can be sent.
TEST_F(VerifySender, SenderIsCheckedWithMailFromThenRsetNeverRcptOrData) {
  SmtpPeer peer = Start("generic-ok");
  const auto r = Verify(Channel("smtp.t.test", peer.port(), "login@t.test", "jobs@t.test"));
  EXPECT_EQ(r.verdict(), v1::VERDICT_PASS) << Describe(r);
  const v1::Probe* probe = FindProbe(r, "smtp.mail_from");
  ASSERT_NE(probe, nullptr) << Describe(r);
  EXPECT_EQ(probe->status(), v1::PROBE_STATUS_OK);
  EXPECT_EQ(probe->facts().at("sender"), "jobs@t.test");
  EXPECT_THAT(probe->transcript(), Contains(StartsWith("C: MAIL FROM:<jobs@t.test>")));
  EXPECT_THAT(probe->transcript(), Contains(StartsWith("C: RSET")));
  auto transcripts = peer.Transcripts();
  ASSERT_EQ(transcripts.size(), 1u);
  const std::string& t = transcripts[0];
  EXPECT_EQ(Count(t, "C: MAIL FROM:<jobs@t.test>"), 1) << t;
  EXPECT_LT(t.find("C: AUTH"), t.find("C: MAIL FROM")) << t;
  EXPECT_LT(t.find("C: MAIL FROM"), t.find("C: RSET")) << t;
  EXPECT_EQ(Count(t, "C: RCPT"), 0) << t;
  EXPECT_EQ(Count(t, "C: DATA"), 0) << t;
  EXPECT_TRUE(peer.Messages().empty());
}

TEST_F(VerifySender, UsernameIsTheSenderWhenNoneIsSet) {
  SmtpPeer peer = Start("generic-ok");
  const auto r = Verify(Channel("smtp.t.test", peer.port(), "login@t.test", ""));
  const v1::Probe* probe = FindProbe(r, "smtp.mail_from");
  ASSERT_NE(probe, nullptr) << Describe(r);
  EXPECT_EQ(probe->facts().at("sender"), "login@t.test");
  ASSERT_EQ(peer.Transcripts().size(), 1u);
  EXPECT_THAT(peer.Transcripts()[0], HasSubstr("C: MAIL FROM:<login@t.test>"));
}

TEST_F(VerifySender, NoSenderCheckWithoutAnAddress) {
  SmtpPeer peer = Start("generic-ok");
  const auto r = Verify(Channel("smtp.t.test", peer.port(), "login", ""));
  EXPECT_EQ(r.verdict(), v1::VERDICT_PASS) << Describe(r);
  const v1::Probe* probe = FindProbe(r, "smtp.mail_from");
  ASSERT_NE(probe, nullptr) << Describe(r);
  EXPECT_EQ(probe->status(), v1::PROBE_STATUS_SKIPPED);
  ASSERT_EQ(peer.Transcripts().size(), 1u);
  EXPECT_THAT(peer.Transcripts()[0], Not(HasSubstr("C: MAIL FROM")));
}

// Refusals of the sender that only MAIL FROM shows: the login works, sending would not.
struct SenderRefusal {
  std::string name;
  std::string profile;
  std::string host;
  v1::DiagnosisCode code;
  std::string variant;
  std::string evidence;  // the start of the evidence line
  // A limit that lifts with time is a warning (as in the catalog); the rest fail.
  v1::Verdict verdict = v1::VERDICT_FAIL;
};

void PrintTo(const SenderRefusal& r, std::ostream* os) { *os << r.name; }

class VerifySenderRefusal : public VerifySender,
                            public ::testing::WithParamInterface<SenderRefusal> {};

TEST_P(VerifySenderRefusal, IsDiagnosedAtMailFromWithoutSending) {
  const SenderRefusal& p = GetParam();
  SmtpPeer peer = Start(p.profile);
  const auto r = Verify(Channel(p.host, peer.port(), "login@t.test", "jobs@t.test"));
  EXPECT_EQ(r.verdict(), p.verdict) << Describe(r);
  const v1::Diagnosis* d = FindDiagnosis(r, p.code);
  ASSERT_NE(d, nullptr) << Describe(r);
  EXPECT_EQ(d->probe(), "smtp.mail_from");
  EXPECT_EQ(d->variant(), p.variant);
  EXPECT_THAT(d->evidence(), Contains(StartsWith(p.evidence))) << Describe(r);
  const v1::Probe* probe = FindProbe(r, "smtp.mail_from");
  ASSERT_NE(probe, nullptr);
  EXPECT_EQ(probe->status(), v1::PROBE_STATUS_FAILED);
  EXPECT_EQ(ProbeOrFail(r, "smtp.auth").status(), v1::PROBE_STATUS_OK);
  auto transcripts = peer.Transcripts();
  ASSERT_EQ(transcripts.size(), 1u);
  EXPECT_EQ(Count(transcripts[0], "C: AUTH"), 1) << transcripts[0];
  EXPECT_EQ(Count(transcripts[0], "C: MAIL FROM"), 1) << transcripts[0];
  EXPECT_EQ(Count(transcripts[0], "C: RCPT"), 0) << transcripts[0];
  EXPECT_EQ(Count(transcripts[0], "C: DATA"), 0) << transcripts[0];
}

INSTANTIATE_TEST_SUITE_P(
    Refusals, VerifySenderRefusal,
    ::testing::Values(
        SenderRefusal{"M365SendAs", "m365-send-as-denied", "smtp.office365.com",
                      v1::DIAGNOSIS_CODE_SEND_AS_DENIED, "", "MAIL FROM: 550 5.7.60"},
        SenderRefusal{"PostfixLoginMismatch", "postfix-sender-login-mismatch", "smtp.t.test",
                      v1::DIAGNOSIS_CODE_SEND_AS_DENIED, "", "MAIL FROM: 553 5.7.1"},
        SenderRefusal{"Yandex", "yandex-sender-not-owned", "smtp.t.test",
                      v1::DIAGNOSIS_CODE_SEND_AS_DENIED, "", "MAIL FROM: 553 5.7.1"},
        SenderRefusal{"SendGrid", "sendgrid-unverified-sender", "smtp.t.test",
                      v1::DIAGNOSIS_CODE_SEND_AS_DENIED, "", "MAIL FROM: 550 The from"},
        SenderRefusal{"SubmissionRate", "exchange-submission-rate", "smtp.t.test",
                      v1::DIAGNOSIS_CODE_SERVER_THROTTLING, "sending-limit", "MAIL FROM: 421 4.4.2",
                      v1::VERDICT_WARN},
        SenderRefusal{"Dnsbl", "exim-dnsbl", "smtp.t.test", v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED,
                      "blocklist", "MAIL FROM: 550 Rejected because"},
        SenderRefusal{"StartTlsRequired", "m365-starttls-required", "smtp.office365.com",
                      v1::DIAGNOSIS_CODE_TLS_MODE_MISMATCH, "", "MAIL FROM: 451 5.7.3"}),
    [](const ::testing::TestParamInfo<SenderRefusal>& info) { return info.param.name; });

// A channel that signs in and whose sender is accepted works: never FAIL. Google and Microsoft
// still warn, Google with the switch the article calls required.
TEST_F(VerifySender, WorkingChannelsAreNeverFail) {
  struct Case {
    const char* profile;
    const char* host;
    v1::Verdict verdict;
  };
  for (const Case& c : {Case{"generic-ok", "smtp.t.test", v1::VERDICT_PASS},
                        Case{"gmail-ok", "smtp.gmail.com", v1::VERDICT_WARN},
                        Case{"m365-ok", "smtp.office365.com", v1::VERDICT_WARN}}) {
    SCOPED_TRACE(c.profile);
    SmtpPeer peer = Start(c.profile);
    const auto r = Verify(Channel(c.host, peer.port(), "login@t.test", "jobs@t.test"));
    EXPECT_EQ(r.verdict(), c.verdict) << Describe(r);
    EXPECT_EQ(ProbeOrFail(r, "smtp.mail_from").status(), v1::PROBE_STATUS_OK);
    for (const auto& d : r.diagnoses()) EXPECT_NE(d.severity(), v1::SEVERITY_ERROR) << d.code();
  }
}

TEST_F(VerifySender, WorkingGoogleSmtpSaysTheSwitchIsRequired) {
  SmtpPeer peer = Start("gmail-ok");
  const auto r = Verify(Channel("smtp.gmail.com", peer.port(), "login@t.test", "jobs@t.test"));
  EXPECT_EQ(r.verdict(), v1::VERDICT_WARN) << Describe(r);
  const v1::Diagnosis* d = FindDiagnosis(r, v1::DIAGNOSIS_CODE_GOOGLE_SMTP_UNSUPPORTED);
  ASSERT_NE(d, nullptr) << Describe(r);
  EXPECT_EQ(d->severity(), v1::SEVERITY_WARNING);
  EXPECT_EQ(d->variant(), "working");
  EXPECT_THAT(d->remediation(), HasSubstr("need to switch to the direct integration"));
  EXPECT_THAT(d->evidence(), Contains(HasSubstr("succeeded")));
}

// A refused login at a provider whose accounts must allow external programs (or use an app
// password) names that step, found from the host or from the sender domain's MX.
TEST_F(VerifySender, RefusedLoginAtAppPasswordProvidersAddsTheStep) {
  struct Case {
    const char* user;
    const char* host;
    const char* from;
    bool expect_step;
  };
  for (const Case& c : {Case{"webde@t.test", "smtp.web.de", "jobs@t.test", true},
                        Case{"gmx@t.test", "relay.t.test", "jobs@gmx.de", true},
                        Case{"other@t.test", "relay.t.test", "jobs@t.test", false}}) {
    SCOPED_TRACE(c.host + std::string(" ") + c.from);
    SmtpPeer peer = Start("generic-auth-credentials-invalid");
    const auto r = Verify(Channel(c.host, peer.port(), c.user, c.from));
    EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
    EXPECT_NE(FindDiagnosis(r, v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS), nullptr) << Describe(r);
    const v1::Diagnosis* d = FindDiagnosis(r, v1::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED);
    if (!c.expect_step) {
      EXPECT_EQ(d, nullptr) << Describe(r);
      continue;
    }
    ASSERT_NE(d, nullptr) << Describe(r);
    EXPECT_EQ(d->variant(), "app-password");
    EXPECT_LT(d->confidence(), 1.0);
    EXPECT_THAT(d->remediation(), HasSubstr("app password"));
    EXPECT_THAT(d->evidence(),
                Contains(HasSubstr(c.from == std::string("jobs@gmx.de") ? "GMX" : "WEB.DE")));
    // The sender is not checked after a refused login.
    EXPECT_EQ(FindProbe(r, "smtp.mail_from"), nullptr);
  }
}

// A certificate valid for 5 more days, signed by the test CA.
CertKey ShortLivedCertificate(const TestCa& ca, const TempDir& dir) {
  const std::string key = (dir.path() / "short.key").string();
  const std::string csr = (dir.path() / "short.csr").string();
  const std::string pem = (dir.path() / "short.pem").string();
  auto req = RunCommand({"/usr/bin/openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                         "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csr, "-subj",
                         "/CN=smtp.t.test", "-addext", "subjectAltName=DNS:smtp.t.test"});
  EXPECT_TRUE(req.ok()) << req.status();
  auto sign = RunCommand({"/usr/bin/openssl", "x509", "-req", "-in", csr, "-CA", ca.ca().string(),
                          "-CAkey", (ca.dir() / "ca.key").string(), "-set_serial", "0x5eed16",
                          "-days", "5", "-copy_extensions", "copyall", "-out", pem});
  EXPECT_TRUE(sign.ok()) << sign.status();
  return {pem, key};
}

TEST_F(VerifySender, CertificateExpiringWithinTheWarningDaysIsAWarning) {
  TempDir dir("cv-short-cert-");
  SmtpPeerOptions options;
  options.tls = SmtpTls::kStartTls;
  options.cert = ShortLivedCertificate(*ca_, dir);
  options.require_starttls = true;
  options.users = {{"login@t.test", kPassword}};
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();

  const auto r = Verify(Channel("smtp.t.test", peer->port(), "login@t.test", "login@t.test"));
  EXPECT_EQ(r.verdict(), v1::VERDICT_WARN) << Describe(r);
  const v1::Diagnosis* d = FindDiagnosis(r, v1::DIAGNOSIS_CODE_TLS_CERTIFICATE_EXPIRING);
  ASSERT_NE(d, nullptr) << Describe(r);
  EXPECT_EQ(d->severity(), v1::SEVERITY_WARNING);
  EXPECT_THAT(d->evidence(), Contains(HasSubstr("expires on")));
  EXPECT_THAT(d->evidence(), Contains(HasSubstr("operator")));
  EXPECT_THAT(d->remediation(), HasSubstr("operator of the email server"));
  EXPECT_EQ(FindDiagnosis(r, v1::DIAGNOSIS_CODE_TLS_CERTIFICATE_INVALID), nullptr);

  // Five days left is outside a three-day warning period.
  const auto later =
      Verify(Channel("smtp.t.test", peer->port(), "login@t.test", "login@t.test"), short_warning_);
  EXPECT_EQ(later.verdict(), v1::VERDICT_PASS) << Describe(later);
}

}  // namespace
}  // namespace cv::testing
