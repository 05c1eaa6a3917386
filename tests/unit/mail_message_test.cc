#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "mail/message.h"

namespace cv::mail {
namespace {

TestMessageParams Params(Lang lang) {
  TestMessageParams p;
  p.from = "sender@example.com";
  p.to = "rcpt@example.org";
  p.lang = lang;
  p.date = 1732586224;  // Tue, 26 Nov 2024 01:57:04 UTC
  p.unique = "20241126015704.0123456789abcdef";
  p.correlation_id = "3f2b8c1e-5d4a-4b6f-9e21-7a0c8d9e1f23";
  p.channel = "smtp.example.com:587 (STARTTLS)";
  return p;
}

// The whole message, byte by byte (its parse by an independent MIME parser is checked in the
// integration tests, on what a real server received).
TEST(BuildTestMessageTest, EnglishByteExact) {
  const TestMessage m = BuildTestMessage(Params(Lang::kEn));
  EXPECT_EQ(m.message_id, "<cv.20241126015704.0123456789abcdef@example.com>");
  EXPECT_EQ(m.correlation_id, "3f2b8c1e-5d4a-4b6f-9e21-7a0c8d9e1f23");
  EXPECT_EQ(m.subject, "Test message from channel-verifier: your email channel works");
  EXPECT_EQ(m.data,
            "Date: Tue, 26 Nov 2024 01:57:04 +0000\r\n"
            "From: sender@example.com\r\n"
            "To: rcpt@example.org\r\n"
            "Subject: Test message from channel-verifier: your email channel works\r\n"
            "Message-ID: <cv.20241126015704.0123456789abcdef@example.com>\r\n"
            "X-Channel-Verifier-Test: 3f2b8c1e-5d4a-4b6f-9e21-7a0c8d9e1f23\r\n"
            "Auto-Submitted: auto-generated\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n"
            "\r\n"
            "Hello,\r\n"
            "\r\n"
            "this is a test message from channel-verifier, sent through the email channel\r\n"
            "smtp.example.com:587 (STARTTLS).\r\n"
            "If it reached you, the channel can send: nothing else needs to be done.\r\n"
            "\r\n"
            "Details for your IT department:\r\n"
            "  Sender: sender@example.com\r\n"
            "  Recipient: rcpt@example.org\r\n"
            "  Sent at: Tue, 26 Nov 2024 01:57:04 +0000\r\n"
            "  Message-ID: <cv.20241126015704.0123456789abcdef@example.com>\r\n"
            "  Correlation id: 3f2b8c1e-5d4a-4b6f-9e21-7a0c8d9e1f23\r\n"
            "\r\n"
            ".\r\n"
            ".. The single dot above and the dots that begin this line are intentional:\r\n"
            "they check that the message came through SMTP dot-stuffing intact\r\n"
            "(RFC 5321, 4.5.2).\r\n");
}

TEST(BuildTestMessageTest, GermanByteExact) {
  const TestMessage m = BuildTestMessage(Params(Lang::kDe));
  EXPECT_EQ(m.subject,
            "Testnachricht von channel-verifier \xe2\x80\x93 Ihre E-Mail-Verbindung funktioniert");
  EXPECT_EQ(m.data,
            "Date: Tue, 26 Nov 2024 01:57:04 +0000\r\n"
            "From: sender@example.com\r\n"
            "To: rcpt@example.org\r\n"
            "Subject: =?UTF-8?Q?Testnachricht_von_channel-verifier_=E2=80=93_Ihre_E-Mail-?=\r\n"
            " =?UTF-8?Q?Verbindung_funktioniert?=\r\n"
            "Message-ID: <cv.20241126015704.0123456789abcdef@example.com>\r\n"
            "X-Channel-Verifier-Test: 3f2b8c1e-5d4a-4b6f-9e21-7a0c8d9e1f23\r\n"
            "Auto-Submitted: auto-generated\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n"
            "\r\n"
            "Guten Tag,\r\n"
            "\r\n"
            "dies ist eine Testnachricht von channel-verifier, gesendet =C3=BCber die\r\n"
            "E-Mail-Verbindung smtp.example.com:587 (STARTTLS).\r\n"
            "Wenn sie Sie erreicht hat, funktioniert der Versand =C3=BCber diese\r\n"
            "Verbindung: Sie m=C3=BCssen nichts weiter tun.\r\n"
            "\r\n"
            "Angaben f=C3=BCr Ihre IT-Abteilung:\r\n"
            "  Absender: sender@example.com\r\n"
            "  Empf=C3=A4nger: rcpt@example.org\r\n"
            "  Gesendet: Tue, 26 Nov 2024 01:57:04 +0000\r\n"
            "  Message-ID: <cv.20241126015704.0123456789abcdef@example.com>\r\n"
            "  Korrelations-ID: 3f2b8c1e-5d4a-4b6f-9e21-7a0c8d9e1f23\r\n"
            "\r\n"
            ".\r\n"
            ".. Der einzelne Punkt oben und die Punkte am Anfang dieser Zeile sind\r\n"
            "Absicht: Sie pr=C3=BCfen, ob die Nachricht das SMTP-Dot-Stuffing\r\n"
            "unbesch=C3=A4digt =C3=BCbersteht (RFC 5321, 4.5.2).\r\n"
            "\r\n"
            "Sch=C3=B6ne Gr=C3=BC=C3=9Fe\r\n");
}

TEST(BuildTestMessageTest, LinesCrlfSevenBitAndWithinLimits) {
  for (Lang lang : {Lang::kEn, Lang::kDe}) {
    const std::string data = BuildTestMessage(Params(lang)).data;
    size_t line = 0;
    for (size_t i = 0; i < data.size(); ++i) {
      const auto c = static_cast<unsigned char>(data[i]);
      ASSERT_LT(c, 0x80) << "8-bit octet at " << i;
      ASSERT_NE(c, 0) << i;
      if (c == '\r') {
        ASSERT_LT(i + 1, data.size());
        ASSERT_EQ(data[i + 1], '\n') << "bare CR at " << i;
        EXPECT_LE(line, 78u) << "line ending at " << i;
        line = 0;
        ++i;
        continue;
      }
      ASSERT_NE(c, '\n') << "bare LF at " << i;
      ++line;
    }
    EXPECT_EQ(line, 0u) << "the message must end with CRLF";
  }
}

// Long addresses cannot be folded; the lines they make stay far below the 998 hard limit.
TEST(BuildTestMessageTest, LongAddressesStayBelowTheHardLimit) {
  TestMessageParams p = Params(Lang::kEn);
  p.from =
      std::string(64, 'a') + "@" + std::string(63, 'b') + "." + std::string(63, 'c') + ".example";
  p.to = std::string(64, 'd') + "@" + std::string(200, 'e') + ".test";
  const std::string data = BuildTestMessage(p).data;
  size_t start = 0;
  for (size_t at = data.find("\r\n"); at != std::string::npos; at = data.find("\r\n", start)) {
    EXPECT_LE(at - start, 998u);
    start = at + 2;
  }
  EXPECT_NE(data.find("\r\nTo: " + p.to + "\r\n"), std::string::npos);
}

TEST(BuildTestMessageTest, MessageIdUsesTheSenderDomain) {
  TestMessageParams p = Params(Lang::kEn);
  p.from = "x@mail.firma.de";
  p.unique = "u1";
  EXPECT_EQ(BuildTestMessage(p).message_id, "<cv.u1@mail.firma.de>");
}

// A UTF-8 local part goes into From/To as is (RFC 6532); the caller must then use SMTPUTF8.
TEST(BuildTestMessageTest, Utf8AddressIsWrittenAsUtf8) {
  TestMessageParams p = Params(Lang::kDe);
  p.to = "j\xc3\xbcrgen@example.org";
  const std::string data = BuildTestMessage(p).data;
  EXPECT_NE(data.find("\r\nTo: j\xc3\xbcrgen@example.org\r\n"), std::string::npos);
  EXPECT_TRUE(NeedsSmtpUtf8(p.to));
}

}  // namespace
}  // namespace cv::mail
