// The SMTP dialog's sign-in and sending decisions, byte by byte: which mechanism, whether AUTH
// may be sent at all, what a refusal means, and SendTest's one message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "diagnosis/probe_names.h"
#include "dialog_script.h"

namespace cv::verify {
namespace {

namespace v1 = channelverify::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kAuthPlain[] = "AUTH PLAIN AGpvYnNAdC50ZXN0AHNlY3JldA==\r\n";

using DialogAuthTest = DialogScript;

TEST_F(DialogAuthTest, PlainIsPreferredLoginTakenWhenAlone) {
  OverTlsUpTo("250 AUTH LOGIN CRAM-MD5\r\n");
  Client("AUTH LOGIN\r\n");
  Server("334 VXNlcm5hbWU6\r\n");
  Client("am9ic0B0LnRlc3Q=\r\n");
  Server("334 UGFzc3dvcmQ6\r\n");
  Client("c2VjcmV0\r\n");
  Server("235 2.7.0 ok\r\n");
  // No sender: the username is the address.
  Client("MAIL FROM:<jobs@t.test>\r\n");
  Server("250 ok\r\n");
  Client("RSET\r\n");
  Server("250 ok\r\n");
  Finished(/*quit=*/true);
  EXPECT_TRUE(outcome().auth_succeeded);
}

TEST_F(DialogAuthTest, NoMechanismItKnowsMeansNoAuth) {
  OverTlsUpTo("250 AUTH CRAM-MD5 GSSAPI\r\n");
  Finished(/*quit=*/true);
  EXPECT_FALSE(outcome().auth_attempted);
  EXPECT_THAT(Codes(), ElementsAre(v1::DIAGNOSIS_CODE_AUTH_MECHANISM_UNSUPPORTED));
  EXPECT_EQ(Finding(v1::DIAGNOSIS_CODE_AUTH_MECHANISM_UNSUPPORTED)->evidence[0],
            "AUTH mechanisms offered: CRAM-MD5 GSSAPI");
}

TEST_F(DialogAuthTest, NoAuthOfferedIsSaid) {
  OverTlsUpTo("250 8BITMIME\r\n");
  Finished(/*quit=*/true);
  EXPECT_THAT(Codes(), ElementsAre(v1::DIAGNOSIS_CODE_AUTH_NOT_OFFERED));
}

// One attempt, never a second: a refusal is a verdict the AUTH budget keeps.
TEST_F(DialogAuthTest, ARefusedPasswordIsTriedOnceAndReported) {
  OverTlsUpTo("250 AUTH PLAIN LOGIN\r\n");
  Client(kAuthPlain);
  Server("535 5.7.8 Error: authentication failed\r\n");
  Finished(/*quit=*/true);
  EXPECT_TRUE(outcome().auth_attempted);
  EXPECT_FALSE(outcome().auth_succeeded);
  EXPECT_THAT(Codes(), ElementsAre(v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS));
  EXPECT_EQ(report_->outcome, probe::AuthReport::Outcome::kRejected);
  EXPECT_EQ(report_->code, v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS);
  EXPECT_EQ(report_->reply, "535 5.7.8 Error: authentication failed");
  EXPECT_EQ(Finding(v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS)->probe, probes::kSmtpAuth);
}

TEST_F(DialogAuthTest, ATemporaryRefusalIsNoVerdict) {
  OverTlsUpTo("250 AUTH PLAIN\r\n");
  Client(kAuthPlain);
  Server("454 4.7.0 Temporary authentication failure\r\n");
  Finished(/*quit=*/true);
  EXPECT_EQ(report_->outcome, probe::AuthReport::Outcome::kNoVerdict);
}

TEST_F(DialogAuthTest, NoAnswerToAuthIsNoVerdictAndNoQuit) {
  OverTlsUpTo("250 AUTH PLAIN\r\n");
  Client(kAuthPlain);
  ServerFails(smtp::IoFailure::Kind::kClosed);
  Finished(/*quit=*/false);
  EXPECT_EQ(outcome().failure, TransportFailure::kProtocolError);
  EXPECT_EQ(report_->outcome, probe::AuthReport::Outcome::kNoVerdict);
}

TEST_F(DialogAuthTest, AnUnverifiedCertificateGetsNoCredentials) {
  OverTlsUpTo("250 AUTH PLAIN\r\n", /*verified=*/false);
  Finished(/*quit=*/true);
  EXPECT_FALSE(outcome().auth_attempted);
  EXPECT_THAT(Codes(), ElementsAre(v1::DIAGNOSIS_CODE_TLS_CERTIFICATE_INVALID));
  EXPECT_THAT(ProbeNames(), ::testing::Contains("smtp.auth"));
}

TEST_F(DialogAuthTest, NoPasswordInClearWhenTheServerOffersStartTls) {
  plan_.tls_mode = v1::TLS_MODE_NONE;
  UpTo("250-STARTTLS\r\n250 AUTH PLAIN\r\n");
  Finished(/*quit=*/true);
  EXPECT_EQ(outcome().auth_withheld, AuthWithheld::kStartTlsOffered);
  EXPECT_FALSE(outcome().auth_attempted);
  EXPECT_THAT(outcome().auth_withheld_evidence, HasSubstr("offers STARTTLS on port 587"));
}

TEST_F(DialogAuthTest, NoPasswordInClearOutsideTheAllowedAddresses) {
  plan_.tls_mode = v1::TLS_MODE_NONE;
  UpTo("250 AUTH PLAIN\r\n");
  Finished(/*quit=*/true);
  EXPECT_EQ(outcome().auth_withheld, AuthWithheld::kNotAllowed);

  config_.plaintext_auth_cidrs = {*net::ParseCidr("192.0.2.0/24")};
  UpTo("250 AUTH PLAIN\r\n");
  Client(kAuthPlain);
  Server("235 ok\r\n");
}

TEST_F(DialogAuthTest, AnUnreachableBudgetStoreWithholdsAuth) {
  target_.withhold_auth = true;
  OverTlsUpTo("250 AUTH PLAIN\r\n");
  Finished(/*quit=*/true);
  EXPECT_THAT(Codes(), ElementsAre(v1::DIAGNOSIS_CODE_AUTH_NOT_ATTEMPTED));
}

TEST_F(DialogAuthTest, WithoutCredentialsTheSenderIsCheckedAsIs) {
  target_.username.clear();
  target_.from_address = "jobs@t.test";
  OverTlsUpTo("250 8BITMIME\r\n");
  Client("MAIL FROM:<jobs@t.test>\r\n");
  Server("530 5.7.57 Client not authenticated to send mail\r\n");
  Finished(/*quit=*/true);
  EXPECT_THAT(Codes(),
              ElementsAre(v1::DIAGNOSIS_CODE_SHARED_MAILBOX, v1::DIAGNOSIS_CODE_AUTH_REQUIRED));
  EXPECT_EQ(Finding(v1::DIAGNOSIS_CODE_SHARED_MAILBOX)->severity, v1::SEVERITY_WARNING);
  EXPECT_FALSE(outcome().sender_accepted);
}

TEST_F(DialogAuthTest, Xoauth2ErrorChallengeIsKeptForTheCaller) {
  plan_.auth_mechanism = "XOAUTH2";
  plan_.probe_prefix = probes::kXoauth2;
  OverTlsUpTo("250 AUTH LOGIN PLAIN XOAUTH2\r\n");
  ASSERT_EQ(action_.kind, Action::kWrite);
  EXPECT_THAT(std::string(action_.bytes), ::testing::StartsWith("AUTH XOAUTH2 "));
  action_ = machine_->OnWritten();
  Server(
      "334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xl"
      "LmNvbS8ifQ==\r\n");
  Client("\r\n");
  Server("535 5.7.8 Username and Password not accepted\r\n");
  Finished(/*quit=*/true);
  EXPECT_EQ(outcome().auth_challenge,
            R"({"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"})");
  // The token check reports nothing to the password's AUTH budget, and sends no MAIL FROM.
  EXPECT_EQ(report_->outcome, probe::AuthReport::Outcome::kNotSent);
  EXPECT_THAT(Codes(), IsEmpty());
}

// --- SendTest's message.

class DialogSendTest : public DialogScript {
 protected:
  DialogSendTest() {
    send_.from = "jobs@t.test";
    send_.recipient = "me@example.org";
    send_.stuffed = "Subject: test\r\n\r\n..hidden dot\r\n.\r\n";
    send_.size = 29;
    plan_.send = &send_;
  }
  // Over TLS and signed in, with EHLO's `extensions` ending in "250 AUTH PLAIN".
  void SignedIn(std::string_view extensions = "") {
    OverTlsUpTo(std::string(extensions) + "250 AUTH PLAIN\r\n");
    Client(kAuthPlain);
    Server("235 ok\r\n");
  }
  // Signed in, the envelope taken: the message is next.
  void UpToTheMessage() {
    SignedIn();
    Client("MAIL FROM:<jobs@t.test>\r\n");
    Server("250 ok\r\n");
    Client("RCPT TO:<me@example.org>\r\n");
    Server("250 ok\r\n");
    Client("DATA\r\n");
    Server("354 go ahead\r\n");
    Client(send_.stuffed);
  }
  SendPlan send_;
};

TEST_F(DialogSendTest, TheMessageIsTheDotStuffedBytes) {
  UpToTheMessage();
  Server("250 2.0.0 Ok: queued as 4B2C\r\n");
  Finished(/*quit=*/true);
  EXPECT_TRUE(outcome().send.accepted);
  EXPECT_EQ(outcome().send.server_reply, "250 2.0.0 Ok: queued as 4B2C");
}

TEST_F(DialogSendTest, OneMessageAfterAuthWithItsSize) {
  SignedIn("250-SIZE 1000\r\n");
  Client("MAIL FROM:<jobs@t.test> SIZE=29\r\n");
  Server("250 2.1.0 ok\r\n");
  Client("RCPT TO:<me@example.org>\r\n");
  Server("250 2.1.5 ok\r\n");
  Client("DATA\r\n");
  Server("354 go ahead\r\n");
  Client("Subject: test\r\n\r\n..hidden dot\r\n.\r\n");
  Server("250 2.0.0 Ok\r\n");
  Finished(/*quit=*/true);
  EXPECT_TRUE(outcome().send.data_sent);
  EXPECT_THAT(Codes(), IsEmpty());
}

TEST_F(DialogSendTest, TooLargeForTheServerIsNotSent) {
  SignedIn("250-SIZE 10\r\n");
  Finished(/*quit=*/true);
  EXPECT_FALSE(outcome().send.attempted);
  EXPECT_EQ(outcome().send.skip_reason, "not sent: larger than the server's SIZE limit");
  EXPECT_THAT(Codes(), ElementsAre(v1::DIAGNOSIS_CODE_MESSAGE_REJECTED));
}

TEST_F(DialogSendTest, AnAddressThatNeedsSmtpUtf8IsNotSentWithoutIt) {
  send_.needs_smtputf8 = true;
  SignedIn();
  Finished(/*quit=*/true);
  EXPECT_THAT(Codes(), ElementsAre(v1::DIAGNOSIS_CODE_SMTPUTF8_UNSUPPORTED));
  EXPECT_EQ(outcome().send.skip_reason, "not sent: the server does not offer SMTPUTF8");
}

TEST_F(DialogSendTest, ARefusedRecipientEndsTheSend) {
  SignedIn();
  Client("MAIL FROM:<jobs@t.test>\r\n");
  Server("250 ok\r\n");
  Client("RCPT TO:<me@example.org>\r\n");
  Server("550 5.1.1 <me@example.org>: Recipient address rejected: User unknown\r\n");
  Finished(/*quit=*/true);
  EXPECT_FALSE(outcome().send.data_sent);
  EXPECT_FALSE(Codes().empty());
}

// The message went out whole and the answer never came: it may exist, and is never resent.
TEST_F(DialogSendTest, ADropAfterTheMessageIsSaidAsSuch) {
  UpToTheMessage();
  ServerFails(smtp::IoFailure::Kind::kClosed);
  Finished(/*quit=*/false);
  EXPECT_TRUE(outcome().send.data_sent);
  EXPECT_FALSE(outcome().send.accepted);
  const diagnosis::Finding* f = Finding(v1::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->variant, "dropped-after-data");
  EXPECT_EQ(f->probe, "smtp.data_end");
}

TEST_F(DialogSendTest, ARefusedPasswordSendsNothing) {
  OverTlsUpTo("250 AUTH PLAIN\r\n");
  Client(kAuthPlain);
  Server("535 5.7.8 no\r\n");
  Finished(/*quit=*/true);
  EXPECT_FALSE(outcome().send.attempted);
  EXPECT_EQ(outcome().send.skip_reason, "not sent: AUTH did not succeed");
}

}  // namespace
}  // namespace cv::verify
