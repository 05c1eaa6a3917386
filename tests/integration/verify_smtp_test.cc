// VerifyChannel for SMTP channels, end to end: the built server, called through the generated
// client, against real peers on loopback (aiosmtpd, Postfix with Dovecot, dnsmasq, scripted
// provider servers, a silent listener, closed ports).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "diagnosis/probe_names.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "support/find.h"
#include "support/loopback_suite.h"
#include "support/peers.h"
#include "support/server.h"

namespace cv::testing {
namespace {

namespace v1 = channelverify::v1;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kUser[] = "jobs@t.test";
constexpr char kPassword[] = "Corr3ct-Horse!pw";

constexpr int kManyAddresses = 2000;

// One CA, one resolver and two servers for the whole suite: peers are per test.
class VerifySmtpTest : public LoopbackSuite {
 protected:
  static void SetUpTestSuite() {
    DnsPeerOptions records;
    records.Host("smtp.t.test", "127.0.0.1")
        .Host("dual.t.test", "127.0.0.1")
        .Host("dual.t.test", "::1")
        .Host("port465.t.test", "127.0.0.7")
        .Host("smtp.office365.com", "127.0.0.1")
        .Host("smtp.gmail.com", "127.0.0.1")
        .Host("relay.t.test", "127.0.0.1")
        .Host("internal.t.test", "10.20.30.40")
        .Host("mixed.t.test", "127.0.0.1")
        .Host("mixed.t.test", "169.254.169.254")
        .Cname("alias.t.test", "hop.t.test")
        .Cname("hop.t.test", "smtp.t.test")
        .Mx("t.test", "mx.t.test", 10)
        .Mx("contoso.test", "contoso-test.mail.protection.outlook.com", 0)
        .Mx("fabrikam.test", "aspmx.l.google.com", 1);
    // A name with thousands of addresses (and two of the other family): fan-out is bounded.
    for (int i = 0; i < kManyAddresses; ++i) {
      records.Host("many.t.test", absl::StrCat("127.77.", i / 250, ".", i % 250 + 1));
    }
    records.Host("many.t.test", "::1");
    // broken.t.test is forwarded to a resolver that answers every query SERVFAIL, as a
    // recursive resolver does when the domain's own name servers are broken.
    int servfail_port = 0;
    auto servfail = ChildProcess::StartAndWaitReady(
        {.argv = {CV_PYTHON, std::string(CV_SOURCE_DIR) + "/tests/peers/rebind_dns.py",
                  "--rcode=2"}},
        &servfail_port);
    ASSERT_TRUE(servfail.ok()) << servfail.status();
    servfail_ = new ChildProcess(std::move(*servfail));
    records.extra_dnsmasq_args.push_back(
        absl::StrCat("--server=/broken.t.test/127.0.0.1#", servfail_port));
    StartLoopback(records);
    if (HasFatalFailure()) return;
    server_ = SuiteServer();
    // Short step timeouts, for the peers that never answer.
    quick_ = SuiteServer({"--greeting_timeout_ms=800", "--connect_timeout_ms=800",
                          "--tls_timeout_ms=800", "--command_timeout_ms=800",
                          // A deliberate internal relay: plaintext AUTH to loopback.
                          "--allow_plaintext_auth_cidrs=127.0.0.0/8"});
  }

  static void TearDownTestSuite() {
    LoopbackSuite::TearDownTestSuite();
    delete servfail_;
    servfail_ = nullptr;
    server_ = quick_ = nullptr;
  }

  static v1::SmtpChannel Channel(const std::string& host, int port, v1::TlsMode mode,
                                 const std::string& user = kUser,
                                 const std::string& password = kPassword) {
    v1::SmtpChannel smtp;
    smtp.set_host(host);
    smtp.set_port(port);
    smtp.set_tls_mode(mode);
    smtp.set_username(user);
    smtp.set_password(password);
    smtp.set_from_address(user);
    return smtp;
  }

  static grpc::Status Call(const v1::SmtpChannel& smtp, v1::VerifyChannelResponse* response,
                           const std::string& lang = "en",
                           std::chrono::milliseconds deadline = std::chrono::seconds(20),
                           const ServerProcess* server = nullptr) {
    v1::VerifyChannelRequest request;
    *request.mutable_channel()->mutable_smtp() = smtp;
    request.set_language_code(lang);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + deadline);
    return (server ? server : server_)->Stub()->VerifyChannel(&context, request, response);
  }

  static v1::VerifyChannelResponse Verify(const v1::SmtpChannel& smtp,
                                          const ServerProcess* server = nullptr) {
    v1::VerifyChannelResponse response;
    const grpc::Status status = Call(smtp, &response, "en", std::chrono::seconds(20), server);
    EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
    // Whatever happened, the password never comes back.
    EXPECT_THAT(response.DebugString(), Not(HasSubstr(kPassword)));
    return response;
  }

  static std::string Describe(const v1::VerifyChannelResponse& r) { return r.DebugString(); }

  static inline ChildProcess* servfail_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
  static inline ServerProcess* quick_ = nullptr;
};

SmtpPeerOptions AioSmtpd(SmtpTls tls, const TestCa& ca) {
  SmtpPeerOptions options;
  options.tls = tls;
  options.cert = ca.valid();
  options.require_starttls = tls == SmtpTls::kStartTls;
  options.users = {{kUser, kPassword}};
  return options;
}

TEST_F(VerifySmtpTest, StartTlsAndAuthPassWithEveryProbeReported) {
  auto peer = SmtpPeer::Start(AioSmtpd(SmtpTls::kStartTls, *ca_));
  ASSERT_TRUE(peer.ok()) << peer.status();
  const auto r = Verify(Channel("alias.t.test", peer->port(), v1::TLS_MODE_STARTTLS));
  EXPECT_EQ(r.verdict(), v1::VERDICT_PASS) << Describe(r);
  for (const char* name : {"dns.host", "dns.mx", "egress", "smtp.tcp", "smtp.greeting", "smtp.ehlo",
                           "smtp.starttls", "smtp.tls", "smtp.auth"}) {
    const v1::Probe* probe = FindProbe(r, name);
    ASSERT_NE(probe, nullptr) << name << "\n" << Describe(r);
    EXPECT_EQ(probe->status(), v1::PROBE_STATUS_OK) << name;
  }
  EXPECT_EQ(ProbeOrFail(r, "dns.host").facts().at("cname_chain"), "hop.t.test -> smtp.t.test");
  const v1::Probe& tls = ProbeOrFail(r, "smtp.tls");
  EXPECT_THAT(tls.facts().at("tls_version"), HasSubstr("TLSv1."));
  EXPECT_FALSE(tls.facts().at("cipher").empty());
  EXPECT_THAT(tls.facts().at("cert_issuer"), HasSubstr("CN="));
  EXPECT_EQ(tls.facts().at("cert_verified"), "true");
  EXPECT_FALSE(tls.facts().at("cert_not_after").empty());
  const v1::Probe& auth = ProbeOrFail(r, "smtp.auth");
  EXPECT_EQ(auth.facts().at("mechanism"), "PLAIN");
  EXPECT_THAT(absl::StrJoin(auth.transcript(), "\n"), HasSubstr("AUTH PLAIN <redacted>"));
  EXPECT_TRUE(r.has_elapsed());
}

// Each EHLO probe says what its EHLO advertised: before STARTTLS and again after it, when the
// server shows what it offers over TLS only (here AUTH), and no reader parses the reply.
TEST_F(VerifySmtpTest, EachEhloProbeCarriesItsOwnCapabilities) {
  auto peer = SmtpPeer::Start(AioSmtpd(SmtpTls::kStartTls, *ca_));
  ASSERT_TRUE(peer.ok()) << peer.status();
  const auto r = Verify(Channel("smtp.t.test", peer->port(), v1::TLS_MODE_STARTTLS));
  std::vector<const v1::Probe*> ehlo;
  for (const auto& p : r.probes()) {
    if (p.name() == probes::kSmtpEhlo) ehlo.push_back(&p);
  }
  ASSERT_EQ(ehlo.size(), 2u) << Describe(r);
  for (const v1::Probe* p : ehlo) {
    ASSERT_EQ(p->facts().count(facts::kCapabilities), 1u) << Describe(r);
    for (absl::string_view keyword : absl::StrSplit(p->facts().at(facts::kCapabilities), ' ')) {
      EXPECT_THAT(p->facts().at(facts::kReply), HasSubstr(std::string(keyword)));
    }
  }
  const auto& before = ehlo[0]->facts();
  EXPECT_THAT(before.at(facts::kCapabilities), HasSubstr("STARTTLS"));
  EXPECT_EQ(before.at(facts::kStartTls), facts::kOffered);
  const auto& after = ehlo[1]->facts();
  EXPECT_THAT(after.at(facts::kCapabilities), HasSubstr("AUTH"));
  EXPECT_THAT(after.at(facts::kCapabilities), Not(HasSubstr("STARTTLS")));
  EXPECT_EQ(after.at(facts::kStartTls), facts::kNotOffered);
  EXPECT_THAT(after.at(facts::kAuthMechanisms), HasSubstr("PLAIN"));
}

TEST_F(VerifySmtpTest, ImplicitTlsPasses) {
  auto peer = SmtpPeer::Start(AioSmtpd(SmtpTls::kImplicit, *ca_));
  ASSERT_TRUE(peer.ok()) << peer.status();
  const auto r = Verify(Channel("smtp.t.test", peer->port(), v1::TLS_MODE_IMPLICIT));
  EXPECT_EQ(r.verdict(), v1::VERDICT_PASS) << Describe(r);
  EXPECT_EQ(FindProbe(r, "smtp.starttls"), nullptr);
}

TEST_F(VerifySmtpTest, EveryAddressIsProbedIpv4AndIpv6) {
  SmtpPeerOptions v4 = AioSmtpd(SmtpTls::kStartTls, *ca_);
  auto peer4 = SmtpPeer::Start(v4);
  ASSERT_TRUE(peer4.ok()) << peer4.status();
  SmtpPeerOptions v6 = v4;
  v6.bind = "::1";
  v6.port = peer4->port();
  auto peer6 = SmtpPeer::Start(v6);
  ASSERT_TRUE(peer6.ok()) << peer6.status();
  const auto r = Verify(Channel("dual.t.test", peer4->port(), v1::TLS_MODE_STARTTLS));
  EXPECT_EQ(r.verdict(), v1::VERDICT_PASS) << Describe(r);
  std::vector<std::string> targets;
  for (const auto& p : r.probes()) {
    if (p.name() == "smtp.tcp") targets.push_back(p.target());
  }
  EXPECT_THAT(targets, Contains(HasSubstr("127.0.0.1")));
  EXPECT_THAT(targets, Contains(HasSubstr("[::1]")));
}

TEST_F(VerifySmtpTest, WrongPasswordAtAiosmtpdIsInvalidCredentialsAfterOneAttempt) {
  SmtpPeerOptions options = AioSmtpd(SmtpTls::kStartTls, *ca_);
  options.auth_fail_reply = "535 5.7.8 Authentication credentials invalid";
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  const auto r =
      Verify(Channel("smtp.t.test", peer->port(), v1::TLS_MODE_STARTTLS, kUser, "wrong-pw"));
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
  const v1::Diagnosis* d = FindDiagnosis(r, v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS);
  ASSERT_NE(d, nullptr) << Describe(r);
  EXPECT_EQ(d->documented_case(), "credentials");
  EXPECT_THAT(absl::StrJoin(d->evidence(), "\n"), HasSubstr("535 5.7.8"));
  int auth_probes = 0;
  for (const auto& p : r.probes()) auth_probes += p.name() == "smtp.auth";
  EXPECT_EQ(auth_probes, 1);
  EXPECT_THAT(r.DebugString(), Not(HasSubstr("wrong-pw")));
}

TEST_F(VerifySmtpTest, PostfixWithDovecotPassesAndRejectsAWrongPassword) {
  auto postfix = PostfixPeer::Start(*ca_);
  ASSERT_TRUE(postfix.ok()) << postfix.status();
  auto ok = Verify(Channel("smtp.t.test", postfix->port(), v1::TLS_MODE_STARTTLS, postfix->user(),
                           postfix->password()));
  EXPECT_EQ(ok.verdict(), v1::VERDICT_PASS) << Describe(ok);
  auto bad = Verify(Channel("smtp.t.test", postfix->port(), v1::TLS_MODE_STARTTLS, postfix->user(),
                            "not-the-password"));
  EXPECT_EQ(bad.verdict(), v1::VERDICT_FAIL);
  const v1::Diagnosis* d = FindDiagnosis(bad, v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS);
  ASSERT_NE(d, nullptr) << Describe(bad);
  EXPECT_THAT(absl::StrJoin(d->evidence(), "\n"),
              HasSubstr("535 5.7.8 Error: authentication failed"));
}

TEST_F(VerifySmtpTest, UnknownNameIsDnsNameNotFound) {
  const auto r = Verify(Channel("nope.t.test", 587, v1::TLS_MODE_STARTTLS));
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
  EXPECT_THAT(Codes(r), Contains(v1::DIAGNOSIS_CODE_DNS_NAME_NOT_FOUND)) << Describe(r);
  EXPECT_EQ(FindProbe(r, "smtp.tcp"), nullptr);
}

TEST_F(VerifySmtpTest, ServfailIsDnsLookupFailedNotNameNotFound) {
  // A resolver failure says nothing about whether the name exists: it must not be reported as
  // a typo in the host name.
  const auto r = Verify(Channel("smtp.broken.t.test", 587, v1::TLS_MODE_STARTTLS));
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
  EXPECT_THAT(Codes(r), Contains(v1::DIAGNOSIS_CODE_DNS_LOOKUP_FAILED)) << Describe(r);
  EXPECT_THAT(Codes(r), Not(Contains(v1::DIAGNOSIS_CODE_DNS_NAME_NOT_FOUND))) << Describe(r);
  const v1::Probe* dns = FindProbe(r, "dns.host");
  ASSERT_NE(dns, nullptr) << Describe(r);
  EXPECT_EQ(dns->status(), v1::PROBE_STATUS_FAILED) << Describe(r);
  EXPECT_EQ(FindProbe(r, "smtp.tcp"), nullptr);
}

TEST_F(VerifySmtpTest, ClosedPortIsRefusedAndAllowlistingIsNamedAsLikely) {
  auto port = FreePort("127.0.0.1");
  ASSERT_TRUE(port.ok());
  const auto r = Verify(Channel("smtp.t.test", *port, v1::TLS_MODE_STARTTLS));
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
  EXPECT_THAT(Codes(r), Contains(v1::DIAGNOSIS_CODE_CONNECTION_REFUSED)) << Describe(r);
  const v1::Diagnosis* ip = FindDiagnosis(r, v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED);
  ASSERT_NE(ip, nullptr) << Describe(r);
  EXPECT_LT(ip->confidence(), 1.0);
  EXPECT_THAT(ip->remediation(), HasSubstr("3.121.59.239"));
  // The usual alternatives were tried too.
  EXPECT_NE(FindProbe(r, "alt.smtp.tcp"), nullptr) << Describe(r);
}

TEST_F(VerifySmtpTest, SilentListenerIsUnreachableWithinTheStepTimeout) {
  auto peer = SmtpPeer::StartSilent();
  ASSERT_TRUE(peer.ok()) << peer.status();
  const auto r = Verify(Channel("smtp.t.test", peer->port(), v1::TLS_MODE_STARTTLS), quick_);
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
  EXPECT_THAT(Codes(r), Contains(v1::DIAGNOSIS_CODE_SERVER_UNREACHABLE)) << Describe(r);
  EXPECT_EQ(ProbeOrFail(r, "smtp.greeting").status(), v1::PROBE_STATUS_TIMED_OUT);
  // The greeting's step timeout (800 ms) ended the wait, not the caller's deadline (20 s): a
  // verification the caller's deadline cut says DEADLINE_TOO_SHORT instead. That tells the two
  // apart without a clock, which a loaded machine could slow past any fixed bound.
  EXPECT_THAT(Codes(r), Not(Contains(v1::DIAGNOSIS_CODE_DEADLINE_TOO_SHORT))) << Describe(r);
}

TEST_F(VerifySmtpTest, CallerDeadlineCutsProbesShortAndSaysSo) {
  auto peer = SmtpPeer::StartSilent();
  ASSERT_TRUE(peer.ok()) << peer.status();
  v1::VerifyChannelResponse r;
  // An answer later than the deadline would end the call with DEADLINE_EXCEEDED on the
  // client's side: an OK status is itself the bound that the answer came in time.
  const grpc::Status status = Call(Channel("smtp.t.test", peer->port(), v1::TLS_MODE_STARTTLS), &r,
                                   "en", std::chrono::milliseconds(1500));
  ASSERT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_THAT(Codes(r), Contains(v1::DIAGNOSIS_CODE_DEADLINE_TOO_SHORT)) << Describe(r);
}

struct CertCase {
  const char* name;
  CertKey (TestCa::*cert)() const;
  const char* kind;
};

class CertificateTest : public VerifySmtpTest, public ::testing::WithParamInterface<CertCase> {};

TEST_P(CertificateTest, BadCertificateIsReportedAndNoPasswordIsSent) {
  SmtpPeerOptions options = AioSmtpd(SmtpTls::kStartTls, *ca_);
  options.cert = ((*ca_).*(GetParam().cert))();
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  const auto r = Verify(Channel("smtp.t.test", peer->port(), v1::TLS_MODE_STARTTLS));
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
  const v1::Diagnosis* d = FindDiagnosis(r, v1::DIAGNOSIS_CODE_TLS_CERTIFICATE_INVALID);
  ASSERT_NE(d, nullptr) << Describe(r);
  EXPECT_THAT(absl::StrJoin(d->evidence(), "\n"), HasSubstr(GetParam().kind));
  const v1::Probe* auth = FindProbe(r, "smtp.auth");
  ASSERT_NE(auth, nullptr);
  EXPECT_EQ(auth->status(), v1::PROBE_STATUS_SKIPPED);
  EXPECT_TRUE(peer->Messages().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Certificates, CertificateTest,
    ::testing::Values(CertCase{"expired", &TestCa::expired, "expired"},
                      CertCase{"wrong_host", &TestCa::wrong_host, "wrong-host"},
                      CertCase{"self_signed", &TestCa::self_signed, "self-signed"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST_F(VerifySmtpTest, StartTlsSpokenToAnImplicitTlsPortIsAModeMismatchWithTheFix) {
  auto peer = SmtpPeer::Start(AioSmtpd(SmtpTls::kImplicit, *ca_));
  ASSERT_TRUE(peer.ok()) << peer.status();
  const auto r = Verify(Channel("smtp.t.test", peer->port(), v1::TLS_MODE_STARTTLS), quick_);
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
  EXPECT_THAT(Codes(r), Contains(v1::DIAGNOSIS_CODE_TLS_MODE_MISMATCH)) << Describe(r);
  EXPECT_EQ(r.suggested_smtp_settings().port(), static_cast<uint32_t>(peer->port()));
  EXPECT_EQ(r.suggested_smtp_settings().tls_mode(), v1::TLS_MODE_IMPLICIT);
}

TEST_F(VerifySmtpTest, ImplicitTlsSpokenToAStartTlsPortIsAModeMismatchWithTheFix) {
  auto peer = SmtpPeer::Start(AioSmtpd(SmtpTls::kStartTls, *ca_));
  ASSERT_TRUE(peer.ok()) << peer.status();
  const auto r = Verify(Channel("smtp.t.test", peer->port(), v1::TLS_MODE_IMPLICIT));
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
  const v1::Diagnosis* d = FindDiagnosis(r, v1::DIAGNOSIS_CODE_TLS_MODE_MISMATCH);
  ASSERT_NE(d, nullptr) << Describe(r);
  EXPECT_EQ(r.suggested_smtp_settings().tls_mode(), v1::TLS_MODE_STARTTLS);
}

TEST_F(VerifySmtpTest, WhenPort587IsClosedThe465AlternativeIsFoundAndSuggested) {
  SmtpPeerOptions options = AioSmtpd(SmtpTls::kImplicit, *ca_);
  options.bind = "127.0.0.7";
  options.port = 465;
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  const auto r = Verify(Channel("port465.t.test", 587, v1::TLS_MODE_STARTTLS));
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
  EXPECT_THAT(Codes(r), Contains(v1::DIAGNOSIS_CODE_WRONG_PORT_OR_TLS_MODE)) << Describe(r);
  EXPECT_EQ(r.suggested_smtp_settings().port(), 465u);
  EXPECT_EQ(r.suggested_smtp_settings().tls_mode(), v1::TLS_MODE_IMPLICIT);
  // A working alternative rules out a firewall.
  EXPECT_EQ(FindDiagnosis(r, v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED), nullptr);
  // Each alternative's probes say which TLS mode it tried (587 with implicit TLS, 465 with
  // implicit TLS); the configured setting's probes need not.
  std::set<std::string> tried;
  for (const auto& p : r.probes()) {
    const auto mode = p.facts().find("tls_mode");
    if (!p.name().starts_with("alt.")) {
      EXPECT_EQ(mode, p.facts().end()) << p.name();
      continue;
    }
    ASSERT_NE(mode, p.facts().end()) << p.name();
    tried.insert(absl::StrCat(p.target().substr(0, p.target().find(' ')), " ", mode->second));
  }
  EXPECT_EQ(tried,
            (std::set<std::string>{"port465.t.test:587 implicit", "port465.t.test:465 implicit"}))
      << Describe(r);
}

TEST_F(VerifySmtpTest, ANameWithThousandsOfAddressesIsDialedAtMostEightTimes) {
  // Nothing listens on 127.77.x.y: each dial is refused at once. What matters is how many.
  const auto r = Verify(Channel("many.t.test", 2525, v1::TLS_MODE_STARTTLS), quick_);
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
  const v1::Probe* egress = FindProbe(r, "egress");
  ASSERT_NE(egress, nullptr) << Describe(r);
  ASSERT_TRUE(egress->facts().contains("not_tried")) << Describe(r);
  EXPECT_THAT(egress->facts().at("not_tried"),
              HasSubstr(absl::StrCat(kManyAddresses + 1 - 8, " of ", kManyAddresses + 1)));
  int dialed = 0;
  bool v6 = false;
  for (const auto& [address, verdict] : egress->facts()) {
    if (verdict != "allowed") continue;
    ++dialed;
    v6 = v6 || address == "::1";
  }
  EXPECT_EQ(dialed, 8) << Describe(r);
  EXPECT_TRUE(v6) << "both families get a share: " << Describe(r);
  // Every probe and fact stays small however many records the name has.
  EXPECT_LT(r.ByteSizeLong(), 32u * 1024) << r.ByteSizeLong();
}

TEST_F(VerifySmtpTest, PlaintextChannelWorksWithAWarningWhereAllowed) {
  SmtpPeerOptions options = AioSmtpd(SmtpTls::kNone, *ca_);
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  // quick_ allows plaintext AUTH to 127.0.0.0/8 (--allow_plaintext_auth_cidrs).
  const auto r = Verify(Channel("smtp.t.test", peer->port(), v1::TLS_MODE_NONE), quick_);
  const v1::Diagnosis* plaintext = FindDiagnosis(r, v1::DIAGNOSIS_CODE_PLAINTEXT_CONNECTION);
  ASSERT_NE(plaintext, nullptr) << Describe(r);
  EXPECT_EQ(plaintext->severity(), v1::SEVERITY_WARNING) << Describe(r);
  EXPECT_NE(r.verdict(), v1::VERDICT_PASS);
  const v1::Probe* auth = FindProbe(r, "smtp.auth");
  ASSERT_NE(auth, nullptr) << Describe(r);
  EXPECT_EQ(auth->status(), v1::PROBE_STATUS_OK) << Describe(r);
}

TEST_F(VerifySmtpTest, PlaintextAuthIsWithheldByDefault) {
  SmtpPeerOptions options = AioSmtpd(SmtpTls::kNone, *ca_);
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  // server_ has no --allow_plaintext_auth_cidrs: the password is never sent.
  const auto r = Verify(Channel("smtp.t.test", peer->port(), v1::TLS_MODE_NONE));
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL) << Describe(r);
  const v1::Diagnosis* plaintext = FindDiagnosis(r, v1::DIAGNOSIS_CODE_PLAINTEXT_CONNECTION);
  ASSERT_NE(plaintext, nullptr) << Describe(r);
  EXPECT_EQ(plaintext->severity(), v1::SEVERITY_ERROR);
  EXPECT_THAT(plaintext->remediation(), HasSubstr("--allow_plaintext_auth_cidrs"));
  const v1::Probe* auth = FindProbe(r, "smtp.auth");
  ASSERT_NE(auth, nullptr) << Describe(r);
  EXPECT_EQ(auth->status(), v1::PROBE_STATUS_SKIPPED) << Describe(r);
  EXPECT_THAT(auth->detail(), HasSubstr("not in --allow_plaintext_auth_cidrs"));
  EXPECT_EQ(FindDiagnosis(r, v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS), nullptr) << Describe(r);
}

TEST_F(VerifySmtpTest, NoTlsAgainstAStartTlsServerWithholdsAuthAndNamesStartTls) {
  auto peer = SmtpPeer::Start(AioSmtpd(SmtpTls::kStartTls, *ca_));
  ASSERT_TRUE(peer.ok()) << peer.status();
  // Even where plaintext AUTH is allowed: the server offers encryption, so it is used.
  for (const ServerProcess* server : {server_, quick_}) {
    const auto r = Verify(Channel("smtp.t.test", peer->port(), v1::TLS_MODE_NONE), server);
    EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL) << Describe(r);
    const v1::Diagnosis* mismatch = FindDiagnosis(r, v1::DIAGNOSIS_CODE_TLS_MODE_MISMATCH);
    ASSERT_NE(mismatch, nullptr) << Describe(r);
    EXPECT_THAT(mismatch->title(), HasSubstr("STARTTLS"));
    EXPECT_EQ(r.suggested_smtp_settings().port(), static_cast<uint32_t>(peer->port()));
    EXPECT_EQ(r.suggested_smtp_settings().tls_mode(), v1::TLS_MODE_STARTTLS);
    const v1::Probe* auth = FindProbe(r, "smtp.auth");
    ASSERT_NE(auth, nullptr) << Describe(r);
    EXPECT_EQ(auth->status(), v1::PROBE_STATUS_SKIPPED) << Describe(r);
    EXPECT_THAT(auth->detail(), HasSubstr("offers STARTTLS"));
  }
}

TEST_F(VerifySmtpTest, ChannelWithoutCredentialsIsALikelySharedMailbox) {
  auto peer = SmtpPeer::StartProfile("m365-client-not-authenticated", ca_);
  ASSERT_TRUE(peer.ok()) << peer.status();
  v1::SmtpChannel smtp = Channel("smtp.office365.com", peer->port(), v1::TLS_MODE_STARTTLS, "", "");
  smtp.set_from_address("jobs@contoso.test");
  const auto r = Verify(smtp);
  EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL);
  EXPECT_THAT(Codes(r), Contains(v1::DIAGNOSIS_CODE_AUTH_REQUIRED)) << Describe(r);
  const v1::Diagnosis* shared = FindDiagnosis(r, v1::DIAGNOSIS_CODE_SHARED_MAILBOX);
  ASSERT_NE(shared, nullptr) << Describe(r);
  EXPECT_GT(shared->confidence(), 0.0);
  EXPECT_LT(shared->confidence(), 1.0);
  EXPECT_EQ(shared->documented_case(), "shared-mailbox");
}

TEST_F(VerifySmtpTest, EgressPolicyRefusesPrivateAndMixedAnswersWithoutDialing) {
  // The servers allow 127/8 only: 10.20.30.40 and 169.254.169.254 must be refused before any
  // connect, and a name with one bad record among good ones is refused whole.
  for (const char* host : {"internal.t.test", "mixed.t.test"}) {
    const auto r = Verify(Channel(host, 587, v1::TLS_MODE_STARTTLS));
    EXPECT_EQ(r.verdict(), v1::VERDICT_FAIL) << host;
    EXPECT_THAT(Codes(r), Contains(v1::DIAGNOSIS_CODE_TARGET_FORBIDDEN)) << Describe(r);
    EXPECT_EQ(FindProbe(r, "smtp.tcp"), nullptr) << host;
  }
}

TEST_F(VerifySmtpTest, LanguageSelectsGermanTexts) {
  v1::VerifyChannelResponse r;
  ASSERT_TRUE(Call(Channel("nope.t.test", 587, v1::TLS_MODE_STARTTLS), &r, "de").ok());
  const v1::Diagnosis* d = FindDiagnosis(r, v1::DIAGNOSIS_CODE_DNS_NAME_NOT_FOUND);
  ASSERT_NE(d, nullptr);
  v1::VerifyChannelResponse en;
  ASSERT_TRUE(Call(Channel("nope.t.test", 587, v1::TLS_MODE_STARTTLS), &en, "en").ok());
  EXPECT_NE(d->title(), DiagnosisOrFail(en, v1::DIAGNOSIS_CODE_DNS_NAME_NOT_FOUND).title());
  EXPECT_THAT(d->remediation(), ::testing::ContainsRegex("Sie|Ihr"));
}

// One case per reply in the rule tables that a scripted provider profile sends.
struct ProviderCase {
  const char* profile;
  const char* host;
  v1::DiagnosisCode code;
};

class ProviderReplyTest : public VerifySmtpTest,
                          public ::testing::WithParamInterface<ProviderCase> {};

TEST_P(ProviderReplyTest, ReplyIsClassified) {
  auto peer = SmtpPeer::StartProfile(GetParam().profile, ca_);
  ASSERT_TRUE(peer.ok()) << peer.status();
  // A user of its own per case: most cases fail AUTH, and the cases share one server, whose
  // limiter would stop trying a (host, user) after three failures, and which answers a password
  // it saw rejected from memory (with the first finding only) instead of dialing again.
  const std::string user = absl::StrCat(GetParam().profile, ".", GetParam().code, "@t.test");
  const auto r = Verify(Channel(GetParam().host, peer->port(), v1::TLS_MODE_STARTTLS, user));
  EXPECT_THAT(Codes(r), Contains(GetParam().code)) << Describe(r);
  const v1::Diagnosis* d = FindDiagnosis(r, GetParam().code);
  ASSERT_NE(d, nullptr);
  EXPECT_FALSE(d->title().empty());
  EXPECT_FALSE(d->remediation().empty());
  EXPECT_FALSE(d->evidence().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Providers, ProviderReplyTest,
    ::testing::Values(
        ProviderCase{"m365-smtp-auth-disabled-tenant", "smtp.office365.com",
                     v1::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED},
        ProviderCase{"m365-smtp-auth-disabled-mailbox", "smtp.office365.com",
                     v1::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED},
        ProviderCase{"m365-security-defaults", "smtp.office365.com",
                     v1::DIAGNOSIS_CODE_ENTRA_SECURITY_DEFAULTS},
        ProviderCase{"m365-basic-auth-disabled", "smtp.office365.com",
                     v1::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING},
        ProviderCase{"m365-conditional-access", "smtp.office365.com",
                     v1::DIAGNOSIS_CODE_MFA_OR_CONDITIONAL_ACCESS},
        ProviderCase{"m365-bad-credentials", "smtp.office365.com",
                     v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS},
        ProviderCase{"m365-account-locked", "smtp.office365.com",
                     v1::DIAGNOSIS_CODE_ACCOUNT_LOCKED},
        ProviderCase{"m365-auth-unsuccessful", "smtp.office365.com",
                     v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS},
        ProviderCase{"m365-tls-version-unsupported", "smtp.office365.com",
                     v1::DIAGNOSIS_CODE_TLS_VERSION_UNSUPPORTED},
        ProviderCase{"m365-ok", "smtp.office365.com", v1::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING},
        ProviderCase{"gmail-app-password-required", "smtp.gmail.com",
                     v1::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED},
        ProviderCase{"gmail-web-login-required", "smtp.gmail.com",
                     v1::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED},
        ProviderCase{"gmail-web-login-required-579", "smtp.gmail.com",
                     v1::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED},
        ProviderCase{"gmail-bad-credentials", "smtp.gmail.com",
                     v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS},
        ProviderCase{"gmail-bad-credentials", "smtp.gmail.com",
                     v1::DIAGNOSIS_CODE_GOOGLE_SMTP_UNSUPPORTED},
        ProviderCase{"gmail-ok", "smtp.gmail.com", v1::DIAGNOSIS_CODE_GOOGLE_SMTP_UNSUPPORTED},
        ProviderCase{"gmail-temp-auth-failure", "smtp.gmail.com",
                     v1::DIAGNOSIS_CODE_SERVER_THROTTLING},
        ProviderCase{"gmail-try-again-later", "smtp.gmail.com",
                     v1::DIAGNOSIS_CODE_SERVER_THROTTLING},
        ProviderCase{"generic-no-starttls", "relay.t.test",
                     v1::DIAGNOSIS_CODE_STARTTLS_NOT_OFFERED},
        ProviderCase{"generic-no-auth", "relay.t.test", v1::DIAGNOSIS_CODE_AUTH_NOT_OFFERED},
        ProviderCase{"generic-greeting-554", "relay.t.test", v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED},
        ProviderCase{"generic-auth-credentials-invalid", "relay.t.test",
                     v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS},
        ProviderCase{"exim-incorrect-auth", "relay.t.test", v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS},
        ProviderCase{"generic-mechanism-too-weak", "relay.t.test",
                     v1::DIAGNOSIS_CODE_AUTH_MECHANISM_UNSUPPORTED},
        ProviderCase{"generic-temp-auth-failure", "relay.t.test",
                     v1::DIAGNOSIS_CODE_SERVER_THROTTLING}),
    [](const auto& info) {
      std::string name = absl::StrCat(info.param.profile, "_", info.index);
      for (char& c : name) {
        if (!isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST_F(VerifySmtpTest, MicrosoftMailboxBehindAThirdPartyHostIsAProviderMismatch) {
  auto peer = SmtpPeer::Start(AioSmtpd(SmtpTls::kStartTls, *ca_));
  ASSERT_TRUE(peer.ok()) << peer.status();
  v1::SmtpChannel smtp = Channel("relay.t.test", peer->port(), v1::TLS_MODE_STARTTLS);
  smtp.set_from_address("jobs@contoso.test");
  const auto r = Verify(smtp);
  EXPECT_THAT(Codes(r), Contains(v1::DIAGNOSIS_CODE_PROVIDER_MISMATCH)) << Describe(r);
}

TEST_F(VerifySmtpTest, ProbesRunConcurrently) {
  // Every reply takes 200 ms: the verification takes the longest chain (greeting, EHLO,
  // STARTTLS, EHLO, AUTH, MAIL FROM, RSET: seven replies) once, while independent probes
  // overlap: both DNS lookups, and the connects to both addresses.
  constexpr int kChainReplies = 7;
  constexpr double kDelay = 0.2;
  SmtpPeerOptions options;
  options.profile = "generic-ok";
  options.cert = ca_->valid();
  options.delay_ms = static_cast<int>(kDelay * 1000);
  auto v4 = SmtpPeer::Start(options);
  ASSERT_TRUE(v4.ok()) << v4.status();
  options.bind = "::1";
  options.port = v4->port();
  auto v6 = SmtpPeer::Start(options);
  ASSERT_TRUE(v6.ok()) << v6.status();
  const auto r = Verify(Channel("dual.t.test", v4->port(), v1::TLS_MODE_STARTTLS));
  EXPECT_EQ(r.verdict(), v1::VERDICT_PASS) << Describe(r);
  auto seconds = [](const google::protobuf::Duration& d) { return d.seconds() + d.nanos() / 1e9; };
  const double elapsed = seconds(r.elapsed());
  // The peer's delays are sleeps: no machine makes the chain shorter, so the lower bound holds
  // under any load (less a little for timers that fire early). The upper one only says the
  // chain ran once, not once per address: a second chain would add as much again, a margin a
  // loaded machine does not eat up. The overlaps below, on the server's own timeline, are what
  // shows the concurrency.
  EXPECT_GE(elapsed, kChainReplies * kDelay * 0.95) << Describe(r);
  EXPECT_LT(elapsed, 2 * kChainReplies * kDelay) << Describe(r);
  auto overlap = [&](const std::string& a, const std::string& b) {
    std::vector<const v1::Probe*> pa, pb;
    for (const auto& p : r.probes()) {
      if (p.name() == a) pa.push_back(&p);
      if (p.name() == b) pb.push_back(&p);
    }
    const v1::Probe* x = pa.empty() ? nullptr : pa[0];
    const v1::Probe* y =
        a == b ? (pa.size() > 1 ? pa[1] : nullptr) : (pb.empty() ? nullptr : pb[0]);
    if (x == nullptr || y == nullptr) return false;
    const double x0 = seconds(x->started_after()), y0 = seconds(y->started_after());
    return x0 < y0 + seconds(y->duration()) && y0 < x0 + seconds(x->duration());
  };
  EXPECT_TRUE(overlap("dns.host", "dns.mx")) << Describe(r);
  EXPECT_TRUE(overlap("smtp.tcp", "smtp.tcp")) << Describe(r);
}

TEST_F(VerifySmtpTest, BadInputIsInvalidArgumentNamingTheField) {
  struct Bad {
    std::string field;
    std::function<void(v1::SmtpChannel*)> mutate;
  };
  const std::vector<Bad> cases = {
      {"channel.smtp.host", [](auto* s) { s->clear_host(); }},
      {"channel.smtp.host", [](auto* s) { s->set_host("smtp example.com"); }},
      {"channel.smtp.host", [](auto* s) { s->set_host("smtp.t.test\r\nRCPT TO:<x@y>"); }},
      {"channel.smtp.host", [](auto* s) { s->set_host(std::string("smtp\0x", 6)); }},
      {"channel.smtp.host", [](auto* s) { s->set_host(std::string(300, 'a')); }},
      {"channel.smtp.port", [](auto* s) { s->set_port(70000); }},
      {"channel.smtp.tls_mode", [](auto* s) { s->set_tls_mode(static_cast<v1::TlsMode>(9)); }},
      {"channel.smtp.username", [](auto* s) { s->set_username("a\nb"); }},
      {"channel.smtp.password", [](auto* s) { s->set_password(std::string(2000, 'x')); }},
      {"channel.smtp.from_address", [](auto* s) { s->set_from_address("a@b.test, c@d.test"); }},
  };
  for (const auto& bad : cases) {
    v1::SmtpChannel smtp = Channel("smtp.t.test", 587, v1::TLS_MODE_STARTTLS);
    bad.mutate(&smtp);
    v1::VerifyChannelResponse r;
    const grpc::Status status = Call(smtp, &r);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.field;
    EXPECT_THAT(status.error_message(), HasSubstr(bad.field));
    google::rpc::Status details;
    ASSERT_TRUE(details.ParseFromString(status.error_details())) << bad.field;
    bool named = false;
    for (const auto& any : details.details()) {
      google::rpc::BadRequest br;
      if (any.UnpackTo(&br) && br.field_violations_size() > 0) {
        named = br.field_violations(0).field() == bad.field;
      }
    }
    EXPECT_TRUE(named) << bad.field;
    EXPECT_THAT(status.error_message(), Not(HasSubstr(kPassword)));
  }
  v1::VerifyChannelRequest no_channel;
  v1::VerifyChannelResponse r;
  grpc::ClientContext context;
  EXPECT_EQ(server_->Stub()->VerifyChannel(&context, no_channel, &r).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::VerifyChannelRequest bad_lang;
  *bad_lang.mutable_channel()->mutable_smtp() = Channel("smtp.t.test", 587, v1::TLS_MODE_STARTTLS);
  bad_lang.set_language_code("fr");
  grpc::ClientContext context2;
  const grpc::Status lang = server_->Stub()->VerifyChannel(&context2, bad_lang, &r);
  EXPECT_EQ(lang.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(lang.error_message(), HasSubstr("language_code"));
}

TEST_F(VerifySmtpTest, ListDiagnosesReturnsTheWholeCatalog) {
  v1::ListDiagnosesRequest request;
  request.set_language_code("de");
  v1::ListDiagnosesResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(server_->Stub()->ListDiagnoses(&context, request, &response).ok());
  std::set<std::string> cases;
  std::set<int> codes;
  for (const auto& e : response.entries()) {
    cases.insert(e.documented_case());
    codes.insert(e.code());
  }
  for (const char* c :
       {"google-smtp-unsupported", "provider-smtp-retiring", "shared-mailbox", "ip-allowlist",
        "external-apps", "edit-needs-fallback", "credentials", "unreachable", "m365-smtp-auth",
        "entra-security-defaults", "integration-account"}) {
    EXPECT_TRUE(cases.count(c)) << c;
  }
  for (int code = 1; code <= 41; ++code) EXPECT_TRUE(codes.count(code)) << code;
}

TEST_F(VerifySmtpTest, PasswordNeverReachesTheLogs) {
  SmtpPeerOptions options = AioSmtpd(SmtpTls::kStartTls, *ca_);
  options.auth_fail_reply = "535 5.7.8 Authentication credentials invalid";
  auto peer = SmtpPeer::Start(options);
  ASSERT_TRUE(peer.ok()) << peer.status();
  Verify(Channel("smtp.t.test", peer->port(), v1::TLS_MODE_STARTTLS));
  EXPECT_THAT(server_->Logs(), HasSubstr("\"method\":\"VerifyChannel\""));
  EXPECT_THAT(server_->Logs(), Not(HasSubstr(kPassword)));
}

}  // namespace
}  // namespace cv::testing
