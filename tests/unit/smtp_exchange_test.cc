#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "smtp/exchange.h"

namespace cv::smtp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Kind = StepResult::Kind;
using Request = IoRequest::Kind;

// Base64 of "\0jobs\0secret", "jobs", "secret", and {"status":"400"}.
constexpr char kPlainLine[] = "AUTH PLAIN AGpvYnMAc2VjcmV0\r\n";
constexpr char kUser64[] = "am9icw==";
constexpr char kSecret64[] = "c2VjcmV0";
constexpr char kChallenge64[] = "eyJzdGF0dXMiOiI0MDAifQ==";

class ExchangeTest : public ::testing::Test {
 protected:
  // The step wrote exactly `bytes`; the write went out.
  void Wrote(std::string_view bytes) {
    ASSERT_EQ(ex_.request().kind, Request::kWrite);
    EXPECT_EQ(ex_.request().bytes, bytes);
    ex_.OnWritten();
  }
  // The step waits for a reply and gets `bytes`.
  void Reads(std::string_view bytes) {
    ASSERT_EQ(ex_.request().kind, Request::kRead);
    ex_.OnRead(bytes);
  }
  StepResult Done() {
    EXPECT_TRUE(ex_.done());
    EXPECT_EQ(ex_.request().kind, Request::kNone);
    return ex_.TakeResult();
  }

  std::shared_ptr<Redactor> redactor_ = std::make_shared<Redactor>();
  Exchange ex_{"verifier.test", redactor_};
  Secret secret_{std::string("secret")};
};

TEST_F(ExchangeTest, GreetingArrivesByteByByte) {
  ex_.ReadGreeting();
  const std::string greeting = "220-mx.t.test ESMTP\r\n220 ready\r\n";
  for (size_t i = 0; i + 1 < greeting.size(); ++i) {
    Reads(greeting.substr(i, 1));
    ASSERT_FALSE(ex_.done()) << i;
  }
  Reads(greeting.substr(greeting.size() - 1));
  const StepResult r = Done();
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.reply->code, 220);
  EXPECT_THAT(ex_.TakeTranscript(), ElementsAre("S: 220-mx.t.test ESMTP", "S: 220 ready"));
}

TEST_F(ExchangeTest, AGreetingOtherThan220IsARejection) {
  ex_.ReadGreeting();
  Reads("554 5.7.1 no thanks\r\n");
  EXPECT_EQ(Done().kind, Kind::kRejected);
  ex_.ReadGreeting();
  Reads("250 odd\r\n");
  EXPECT_EQ(Done().kind, Kind::kRejected);
}

TEST_F(ExchangeTest, SilenceAndATrickleAreToldApart) {
  ex_.ReadGreeting();
  ex_.OnRead("", IoFailure{IoFailure::Kind::kTimedOut, "timed out"});
  StepResult r = Done();
  EXPECT_EQ(r.kind, Kind::kTimedOut);
  EXPECT_EQ(r.detail, "no greeting before the step's deadline");
  EXPECT_EQ(r.partial_bytes, 0u);

  Exchange trickle("verifier.test", redactor_);
  trickle.ReadGreeting();
  trickle.OnRead("220 mx", IoFailure{IoFailure::Kind::kTimedOut, "timed out"});
  r = trickle.TakeResult();
  EXPECT_EQ(r.kind, Kind::kTimedOut);
  EXPECT_EQ(r.partial_bytes, 6u);
  EXPECT_EQ(r.detail,
            "the greeting did not end before the step's deadline; only 6 bytes of it had arrived");
}

TEST_F(ExchangeTest, EhloParsesWhatComesInPieces) {
  ex_.Ehlo();
  Wrote("EHLO verifier.test\r\n");
  Reads("250-mx.t.test\r\n250-STARTTLS\r\n25");
  ASSERT_FALSE(ex_.done());
  Reads("0 AUTH PLAIN LOGIN\r\n");
  EXPECT_TRUE(Done().ok());
  EXPECT_TRUE(ex_.capabilities().starttls);
  EXPECT_THAT(ex_.capabilities().auth_mechanisms, ElementsAre("PLAIN", "LOGIN"));
  EXPECT_THAT(ex_.TakeTranscript(), ElementsAre("C: EHLO verifier.test", "S: 250-mx.t.test",
                                                "S: 250-STARTTLS", "S: 250 AUTH PLAIN LOGIN"));
}

TEST_F(ExchangeTest, EhloRefusedFallsBackToHeloWithoutExtensions) {
  ex_.Ehlo();
  Wrote("EHLO verifier.test\r\n");
  Reads("502 5.5.2 what?\r\n");
  Wrote("HELO verifier.test\r\n");
  Reads("250 mx.t.test\r\n");
  EXPECT_TRUE(Done().ok());
  EXPECT_TRUE(ex_.capabilities().keywords.empty());
}

TEST_F(ExchangeTest, EhloRefusedOtherwiseIsTheAnswer) {
  ex_.Ehlo();
  Wrote("EHLO verifier.test\r\n");
  Reads("554 5.7.1 go away\r\n");
  const StepResult r = Done();
  EXPECT_EQ(r.kind, Kind::kRejected);
  EXPECT_EQ(r.reply->code, 554);
}

// Bytes after the 220 would be read as if they came through TLS.
TEST_F(ExchangeTest, DataAfterTheStartTlsReplyIsAProtocolError) {
  ex_.StartTls();
  Wrote("STARTTLS\r\n");
  Reads("220 go ahead\r\n250 injected");
  const StepResult r = Done();
  EXPECT_EQ(r.kind, Kind::kProtocolError);
  EXPECT_EQ(r.detail, "the server sent data after its STARTTLS reply, before TLS");
  ASSERT_TRUE(r.reply);
  EXPECT_EQ(r.reply->code, 220);
}

TEST_F(ExchangeTest, StartTlsAnsweredWithoutA220IsARejection) {
  ex_.StartTls();
  Wrote("STARTTLS\r\n");
  Reads("250 sure\r\n");
  EXPECT_EQ(Done().kind, Kind::kRejected);
}

TEST_F(ExchangeTest, HandshakeForgetsWhatCameBeforeTls) {
  ex_.Ehlo();
  Wrote("EHLO verifier.test\r\n");
  Reads("250-mx.t.test\r\n250 STARTTLS\r\n");
  Done();
  ex_.Handshake();
  ASSERT_EQ(ex_.request().kind, Request::kHandshake);
  net::TlsFacts tls;
  tls.version = "TLSv1.3";
  tls.cipher = "TLS_AES_128_GCM_SHA256";
  ex_.OnTlsEstablished(tls);
  EXPECT_TRUE(Done().ok());
  EXPECT_FALSE(ex_.capabilities().starttls);
  EXPECT_EQ(ex_.tls().version, "TLSv1.3");
  EXPECT_THAT(ex_.TakeTranscript(),
              ::testing::Contains("-- TLS established: TLSv1.3 TLS_AES_128_GCM_SHA256"));
}

TEST_F(ExchangeTest, HandshakeFailuresSayWhatTheTlsLayerSaw) {
  ex_.Handshake();
  ex_.OnTlsFailed({IoFailure::Kind::kOther, "x"}, net::TlsFailure::kNotTls, "wrong version number");
  StepResult r = Done();
  EXPECT_EQ(r.kind, Kind::kNotTls);
  EXPECT_EQ(r.detail, "TLS handshake failed: wrong version number");
  ex_.Handshake();
  ex_.OnTlsFailed({IoFailure::Kind::kOther, "x"}, net::TlsFailure::kVersion, "no protocols");
  EXPECT_EQ(Done().kind, Kind::kTlsVersion);
  ex_.Handshake();
  ex_.OnTlsFailed({IoFailure::Kind::kClosed, "end of file"}, net::TlsFailure::kHandshake, "eof");
  EXPECT_EQ(Done().kind, Kind::kClosed);
  ex_.Handshake();
  ex_.OnTlsFailed({IoFailure::Kind::kTimedOut, "t"}, net::TlsFailure::kHandshake, "ignored");
  r = Done();
  EXPECT_EQ(r.kind, Kind::kTimedOut);
  EXPECT_EQ(r.detail, "timed out waiting for the TLS handshake");
}

TEST_F(ExchangeTest, AuthPlainIsOneLineRegisteredWithTheRedactor) {
  ex_.Auth("plain", "jobs", secret_);
  Wrote(kPlainLine);
  // A server that echoes the line gets it redacted.
  Reads("535 5.7.8 AGpvYnMAc2VjcmV0 is wrong\r\n");
  const StepResult r = Done();
  EXPECT_EQ(r.kind, Kind::kRejected);
  EXPECT_THAT(r.reply->lines[0], ::testing::Not(HasSubstr("AGpvYnMAc2VjcmV0")));
  EXPECT_THAT(ex_.TakeTranscript(),
              ElementsAre("C: AUTH PLAIN <redacted>", "S: 535 5.7.8 <redacted> is wrong"));
}

TEST_F(ExchangeTest, AuthLoginAnswersTwoChallengesWithoutShowingEither) {
  ex_.Auth("LOGIN", "jobs", secret_);
  Wrote("AUTH LOGIN\r\n");
  Reads("334 VXNlcm5hbWU6\r\n");
  Wrote(std::string(kUser64) + "\r\n");
  Reads("334 UGFzc3dvcmQ6\r\n");
  Wrote(std::string(kSecret64) + "\r\n");
  Reads("235 2.7.0 ok\r\n");
  EXPECT_TRUE(Done().ok());
  EXPECT_THAT(ex_.TakeTranscript(),
              ElementsAre("C: AUTH LOGIN", "S: 334 VXNlcm5hbWU6", "C: <redacted>",
                          "S: 334 UGFzc3dvcmQ6", "C: <redacted>", "S: 235 2.7.0 ok"));
  EXPECT_EQ(redactor_->Scrub("secret"), "<redacted>");
  EXPECT_EQ(redactor_->Scrub("jobs"), "jobs");  // a username is no secret
}

TEST_F(ExchangeTest, AuthLoginStopsAtAnythingButAChallenge) {
  ex_.Auth("LOGIN", "jobs", secret_);
  Wrote("AUTH LOGIN\r\n");
  Reads("504 5.5.4 not here\r\n");
  EXPECT_EQ(Done().kind, Kind::kRejected);
  ex_.Auth("LOGIN", "jobs", secret_);
  Wrote("AUTH LOGIN\r\n");
  Reads("250 what\r\n");  // positive, but no challenge: nothing more is sent
  EXPECT_EQ(Done().kind, Kind::kRejected);
}

TEST_F(ExchangeTest, Xoauth2ErrorChallengeIsAnsweredAndDecoded) {
  Secret token(std::string("ya29.token"));
  ex_.Auth("XOAUTH2", "jobs@t.test", token);
  ASSERT_EQ(ex_.request().kind, Request::kWrite);
  EXPECT_THAT(std::string(ex_.request().bytes), ::testing::StartsWith("AUTH XOAUTH2 "));
  ex_.OnWritten();
  Reads(std::string("334 ") + kChallenge64 + "\r\n");
  Wrote("\r\n");
  Reads("535 5.7.8 Username and Password not accepted\r\n");
  const StepResult r = Done();
  EXPECT_EQ(r.kind, Kind::kRejected);
  EXPECT_EQ(r.detail, "XOAUTH2 challenge: {\"status\":\"400\"}");
}

TEST_F(ExchangeTest, AnUnsafeCommandIsNeverSent) {
  ex_.Command("");
  const StepResult r = Done();
  EXPECT_EQ(r.kind, Kind::kProtocolError);
  EXPECT_EQ(r.detail, "refused to send an unsafe command");
}

TEST_F(ExchangeTest, FailedWritesAndReadsSayWhatTheyWaitedFor) {
  ex_.Command("RSET\r\n");
  ex_.OnWritten(IoFailure{IoFailure::Kind::kClosed, "Broken pipe"});
  StepResult r = Done();
  EXPECT_EQ(r.kind, Kind::kClosed);
  EXPECT_EQ(r.detail, "the server closed the connection while waiting for the write (Broken pipe)");

  ex_.SendBody("Subject: x\r\n\r\nhi\r\n.\r\n");
  Wrote("Subject: x\r\n\r\nhi\r\n.\r\n");
  ex_.OnRead("250 2.0", IoFailure{IoFailure::Kind::kOther, "Network is unreachable"});
  r = Done();
  EXPECT_EQ(r.kind, Kind::kClosed);
  EXPECT_EQ(r.detail, "a reply: Network is unreachable; only 7 bytes of it had arrived");

  Exchange cancelled("verifier.test", redactor_);
  cancelled.SendBody("x");
  cancelled.OnWritten(IoFailure{IoFailure::Kind::kCancelled, ""});
  r = cancelled.TakeResult();
  EXPECT_EQ(r.kind, Kind::kCancelled);
  EXPECT_EQ(r.detail, "cancelled by the caller");
}

// A reply that came together with the close is still the server's answer.
TEST_F(ExchangeTest, AReplyBeforeTheCloseCounts) {
  ex_.Command("MAIL FROM:<a@t.test>\r\n");
  Wrote("MAIL FROM:<a@t.test>\r\n");
  ex_.OnRead("250 2.1.0 ok\r\n", IoFailure{IoFailure::Kind::kClosed, "end of file"});
  EXPECT_TRUE(Done().ok());
}

// Pipelined replies: the second is already there when its command has gone out.
TEST_F(ExchangeTest, ABufferedReplyNeedsNoRead) {
  ex_.Command("MAIL FROM:<a@t.test>\r\n");
  Wrote("MAIL FROM:<a@t.test>\r\n");
  Reads("250 2.1.0 ok\r\n250 2.1.5 ok\r\n");
  EXPECT_TRUE(Done().ok());
  ex_.Command("RCPT TO:<b@t.test>\r\n");
  Wrote("RCPT TO:<b@t.test>\r\n");
  const StepResult r = Done();
  EXPECT_EQ(r.reply->enhanced, "2.1.5");
}

TEST_F(ExchangeTest, AnOverlongReplyIsAProtocolError) {
  ex_.ReadGreeting();
  Reads("220 " + std::string(20000, 'x'));
  const StepResult r = Done();
  EXPECT_EQ(r.kind, Kind::kProtocolError);
  EXPECT_FALSE(r.reply);
}

}  // namespace
}  // namespace cv::smtp
