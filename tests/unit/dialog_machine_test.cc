// The SMTP dialog's transport decisions, played against scripted servers byte by byte: what the
// client sends after each answer, when it turns to TLS, and how it ends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "diagnosis/probe_names.h"
#include "dialog_script.h"

namespace cv::verify {
namespace {

namespace v1 = channelverify::v1;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kAuthPlain[] = "AUTH PLAIN AGpvYnNAdC50ZXN0AHNlY3JldA==\r\n";

using DialogMachineTest = DialogScript;

TEST_F(DialogMachineTest, StartTlsThenOneAuthThenTheSenderCheck) {
  target_.from_address = "jobs@t.test";
  Start();
  Server("220 mx.t.test ESMTP\r\n");
  Client("EHLO verifier.test\r\n");
  Server("250-mx.t.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n");
  Client("STARTTLS\r\n");
  Server("220 2.0.0 Ready to start TLS\r\n");
  Tls();
  Client("EHLO verifier.test\r\n");
  Server("250-mx.t.test\r\n250-SIZE 10240000\r\n250 AUTH PLAIN LOGIN\r\n");
  Client(kAuthPlain);
  Server("235 2.7.0 Authentication successful\r\n");
  Client("MAIL FROM:<jobs@t.test>\r\n");
  Server("250 2.1.0 Ok\r\n");
  Client("RSET\r\n");
  Server("250 2.0.0 Ok\r\n");
  Finished(/*quit=*/true);

  EXPECT_EQ(outcome().failure, TransportFailure::kNone);
  EXPECT_TRUE(outcome().tls_active);
  EXPECT_TRUE(outcome().auth_succeeded);
  EXPECT_TRUE(outcome().sender_accepted);
  EXPECT_EQ(report_->outcome, probe::AuthReport::Outcome::kAccepted);
  EXPECT_THAT(Codes(), IsEmpty());
  EXPECT_THAT(ProbeNames(), ElementsAre("smtp.greeting", "smtp.ehlo", "smtp.starttls", "smtp.tls",
                                        "smtp.ehlo", "smtp.auth", "smtp.mail_from"));
  // Each EHLO says what it advertised; the reply of each step is a fact of its own.
  EXPECT_EQ(ProbeAt(1).facts().at(facts::kCapabilities), "PIPELINING STARTTLS");
  EXPECT_EQ(ProbeAt(1).facts().at(facts::kStartTls), facts::kOffered);
  EXPECT_EQ(ProbeAt(4).facts().at(facts::kCapabilities), "SIZE AUTH");
  EXPECT_EQ(ProbeAt(4).facts().at(facts::kAuthMechanisms), "PLAIN LOGIN");
  EXPECT_EQ(ProbeAt(4).facts().at(facts::kSizeLimit), "10240000");
  EXPECT_EQ(ProbeAt(3).facts().at(facts::kTlsVersion), "TLSv1.3");
  EXPECT_EQ(ProbeAt(5).facts().at(facts::kMechanism), "PLAIN");
  EXPECT_THAT(ProbeAt(5).transcript(),
              ElementsAre("C: AUTH PLAIN <redacted>", "S: 235 2.7.0 Authentication successful"));
  // RSET is no probe: its lines join the sender check's.
  EXPECT_THAT(ProbeAt(6).transcript(), ElementsAre("C: MAIL FROM:<jobs@t.test>", "S: 250 2.1.0 Ok",
                                                   "C: RSET", "S: 250 2.0.0 Ok"));
  EXPECT_EQ(ProbeAt(6).facts().at(facts::kSender), "jobs@t.test");
  EXPECT_EQ(ProbeAt(0).facts().count(facts::kTlsMode), 0u);  // the request's own setting
}

TEST_F(DialogMachineTest, TheGreetingMayComeByteByByte) {
  plan_.primary = false;
  plan_.probe_prefix = probes::kAltSmtp;
  plan_.tls_mode = v1::TLS_MODE_NONE;
  Start();
  const std::string greeting = "220 mx.t.test ESMTP\r\n";
  for (char c : greeting.substr(0, greeting.size() - 1)) {
    Server(std::string(1, c));
    ASSERT_EQ(action_.kind, Action::kRead);
  }
  Server("\n");
  Client("EHLO verifier.test\r\n");
  Server("250 mx.t.test\r\n");
  // An alternative only proves the setting: no AUTH, no sender check.
  Finished(/*quit=*/true);
  EXPECT_THAT(ProbeNames(), ElementsAre("alt.smtp.greeting", "alt.smtp.ehlo"));
  EXPECT_EQ(ProbeAt(0).facts().at(facts::kServer), "mx.t.test ESMTP");
  // Alternatives can share a port: each of their probes says which TLS mode it tried.
  EXPECT_EQ(ProbeAt(0).facts().at(facts::kTlsMode), "none");
  EXPECT_EQ(ProbeAt(1).facts().at(facts::kTlsMode), "none");
}

TEST_F(DialogMachineTest, ImplicitTlsStartsWithTheHandshake) {
  plan_.tls_mode = v1::TLS_MODE_IMPLICIT;
  plan_.primary = false;
  Start();
  Tls();
  Server("220 mx.t.test ESMTP\r\n");
  Client("EHLO verifier.test\r\n");
  Server("250-mx.t.test\r\n250 AUTH PLAIN\r\n");
  Finished(/*quit=*/true);
  EXPECT_TRUE(outcome().tls_active);
  EXPECT_THAT(ProbeNames(), ElementsAre("smtp.tls", "smtp.greeting", "smtp.ehlo"));
}

TEST_F(DialogMachineTest, ImplicitTlsMeetingAPlaintextServerIsAModeMismatch) {
  plan_.tls_mode = v1::TLS_MODE_IMPLICIT;
  Start();
  ASSERT_EQ(action_.kind, Action::kHandshake);
  action_ = machine_->OnTlsFailed({smtp::IoFailure::Kind::kOther, "x"}, net::TlsFailure::kNotTls,
                                  "wrong version number");
  Finished(/*quit=*/false);
  EXPECT_EQ(outcome().failure, TransportFailure::kNotTls);
  EXPECT_EQ(outcome().evidence, "TLS handshake failed: wrong version number");
}

TEST_F(DialogMachineTest, NoStartTlsOnOfferEndsBeforeAnyCredential) {
  UpTo("250 AUTH PLAIN\r\n");
  Finished(/*quit=*/true);
  EXPECT_EQ(outcome().failure, TransportFailure::kStartTlsNotOffered);
  EXPECT_EQ(outcome().evidence, "EHLO offered: AUTH");
  EXPECT_FALSE(outcome().auth_attempted);
  EXPECT_EQ(report_->outcome, probe::AuthReport::Outcome::kNotSent);
}

TEST_F(DialogMachineTest, ARefusedStartTlsIsDiagnosedFromItsReply) {
  UpTo("250 STARTTLS\r\n");
  Client("STARTTLS\r\n");
  Server("454 4.7.0 TLS not available due to local problem\r\n");
  Finished(/*quit=*/false);
  EXPECT_EQ(outcome().failure, TransportFailure::kStartTlsRejected);
}

TEST_F(DialogMachineTest, ARejectingGreetingIsDiagnosedAndTheDialogQuits) {
  Start();
  Server("554 5.7.1 mx.t.test: your address is not welcome\r\n");
  Finished(/*quit=*/true);
  EXPECT_EQ(outcome().failure, TransportFailure::kGreetingRejected);
  EXPECT_THAT(Codes(), ElementsAre(v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED));
  EXPECT_EQ(Finding(v1::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED)->probe, probes::kSmtpGreeting);
}

TEST_F(DialogMachineTest, EhloRefusedFallsBackToHelo) {
  plan_.tls_mode = v1::TLS_MODE_NONE;
  plan_.primary = false;
  Start();
  Server("220 old.t.test SMTP\r\n");
  Client("EHLO verifier.test\r\n");
  Server("502 5.5.2 Error: command not recognized\r\n");
  Client("HELO verifier.test\r\n");
  Server("250 old.t.test\r\n");
  Finished(/*quit=*/true);
  EXPECT_EQ(outcome().failure, TransportFailure::kNone);
  EXPECT_THAT(outcome().capabilities.keywords, IsEmpty());
}

TEST_F(DialogMachineTest, SilenceIsAGreetingTimeoutATrickleAProtocolError) {
  Start();
  ServerFails(smtp::IoFailure::Kind::kTimedOut);
  Finished(/*quit=*/false);
  EXPECT_EQ(outcome().failure, TransportFailure::kGreetingTimeout);
  EXPECT_FALSE(outcome().cut_by_caller);

  recorder_ = std::make_shared<probe::Recorder>(net::Clock::now());
  run_.recorder = recorder_;
  Start();
  ServerFails(smtp::IoFailure::Kind::kTimedOut, "220 mx.t");
  Finished(/*quit=*/false);
  EXPECT_EQ(outcome().failure, TransportFailure::kProtocolError);
}

TEST_F(DialogMachineTest, TheCallersDeadlineIsToldFromTheStepsOwn) {
  CallerDeadlineIn(std::chrono::milliseconds(50));
  Start();
  EXPECT_LE(action_.deadline, run_.budget.deadline());
  ServerFails(smtp::IoFailure::Kind::kTimedOut);
  Finished(/*quit=*/false);
  EXPECT_EQ(outcome().failure, TransportFailure::kGreetingTimeout);
  EXPECT_TRUE(outcome().cut_by_caller);
}

TEST_F(DialogMachineTest, EachStepHasItsOwnDeadline) {
  config_.timeouts.greeting = std::chrono::seconds(7);
  config_.timeouts.command = std::chrono::seconds(3);
  Start();
  const auto greeting_deadline = action_.deadline;
  EXPECT_LE(greeting_deadline, net::Clock::now() + std::chrono::seconds(7));
  EXPECT_GT(greeting_deadline, net::Clock::now() + std::chrono::seconds(5));
  Server("220 mx.t.test ESMTP\r\n");
  EXPECT_LE(action_.deadline, net::Clock::now() + std::chrono::seconds(3));
}

TEST_F(DialogMachineTest, DataAfterTheStartTlsReplyEndsTheDialog) {
  UpTo("250 STARTTLS\r\n");
  Client("STARTTLS\r\n");
  Server("220 go ahead\r\n250-AUTH PLAIN\r\n");
  Finished(/*quit=*/false);
  EXPECT_EQ(outcome().failure, TransportFailure::kProtocolError);
  EXPECT_FALSE(outcome().tls_active);
}

TEST_F(DialogMachineTest, ACertificateNearItsEndIsAWarningForTheChannelsOwnServer) {
  cert_not_after_ = "2027-01-20T08:00:00Z";  // five days after now_
  UpToTls();
  Tls();
  const diagnosis::Finding* f = Finding(v1::DIAGNOSIS_CODE_TLS_CERTIFICATE_EXPIRING);
  ASSERT_NE(f, nullptr);
  EXPECT_THAT(f->evidence[0], ::testing::HasSubstr("in 5 days"));
  EXPECT_EQ(f->probe, probes::kSmtpTls);
}

}  // namespace
}  // namespace cv::verify
