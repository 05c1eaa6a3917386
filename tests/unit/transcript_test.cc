#include "smtp/transcript.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "smtp/commands.h"
#include "smtp/reply_parser.h"
#include "smtp/sasl.h"

namespace cv::smtp {
namespace {

using ::testing::ElementsAre;

Reply Parse(std::string_view wire) {
  ReplyParser parser;
  parser.Feed(wire);
  std::optional<Reply> reply = parser.Next();
  EXPECT_TRUE(reply.has_value()) << parser.ErrorText();
  return reply.value_or(Reply());
}

TEST(TranscriptTest, RecordsADialogWithoutSecrets) {
  Transcript t;
  t.Server(Parse("220 smtp.office365.com Microsoft ESMTP MAIL Service ready\r\n"));
  t.Client(Ehlo("verifier.example"));
  t.Server(Parse("250-smtp.office365.com Hello [3.121.59.239]\r\n250-STARTTLS\r\n250 SIZE\r\n"));
  t.Note("TLS established: TLSv1.3 TLS_AES_256_GCM_SHA384");
  t.Client(AuthPlain("alice@example.com", Secret("hunter2")));
  t.Server(
      Parse("535 5.7.139 Authentication unsuccessful, the user credentials were incorrect. "
            "[MN2PR05CA0004.namprd05.prod.outlook.com]\r\n"));
  t.Client(AuthLoginStart());
  t.Server(Parse("334 VXNlcm5hbWU6\r\n"));
  t.ClientSecret();
  t.Server(Parse("334 UGFzc3dvcmQ6\r\n"));
  t.ClientSecret();
  t.Server(Parse("235 2.7.0 Authentication successful\r\n"));
  t.Client(Quit());
  EXPECT_THAT(
      t.lines(),
      ElementsAre("S: 220 smtp.office365.com Microsoft ESMTP MAIL Service ready",
                  "C: EHLO verifier.example", "S: 250-smtp.office365.com Hello [3.121.59.239]",
                  "S: 250-STARTTLS", "S: 250 SIZE",
                  "-- TLS established: TLSv1.3 TLS_AES_256_GCM_SHA384", "C: AUTH PLAIN <redacted>",
                  "S: 535 5.7.139 Authentication unsuccessful, the user credentials were "
                  "incorrect. [MN2PR05CA0004.namprd05.prod.outlook.com]",
                  "C: AUTH LOGIN", "S: 334 VXNlcm5hbWU6", "C: <redacted>", "S: 334 UGFzc3dvcmQ6",
                  "C: <redacted>", "S: 235 2.7.0 Authentication successful", "C: QUIT"));
  EXPECT_FALSE(t.truncated());
}

TEST(TranscriptTest, AuthPayloadIsRedactedWhateverTheSpelling) {
  Transcript t;
  t.Client("AUTH XOAUTH2 dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQ==\r\n");
  t.Client("auth plain AHVzZXIAcGFzcw==");
  t.Client("  AUTH\tPLAIN   AHVzZXIAcGFzcw==  ");
  t.Client("AUTH LOGIN YWxpY2VAZXhhbXBsZS5jb20=");
  t.Client("AUTH");
  t.Client("AUTHENTICATE me");
  EXPECT_THAT(t.lines(), ElementsAre("C: AUTH XOAUTH2 <redacted>", "C: auth plain <redacted>",
                                     "C: AUTH PLAIN <redacted>", "C: AUTH LOGIN <redacted>",
                                     "C: AUTH", "C: AUTHENTICATE me"));
}

TEST(TranscriptTest, PipelinedCommandsAndEmptyLine) {
  Transcript t;
  t.Client(MailFrom("a@example.com", 10, false) + RcptTo("b@example.org") + Data());
  t.Client(SaslEmptyResponse());
  t.Client("AUTH PLAIN\r\nAHVzZXIAcGFzcw==\r\n");  // each line judged on its own
  EXPECT_THAT(t.lines(),
              ElementsAre("C: MAIL FROM:<a@example.com> SIZE=10", "C: RCPT TO:<b@example.org>",
                          "C: DATA", "C: ", "C: AUTH PLAIN", "C: AHVzZXIAcGFzcw=="));
}

TEST(TranscriptTest, ServerLinesAreEscaped) {
  Transcript t;
  Reply reply;
  reply.code = 250;
  reply.lines = {std::string("a\0b\x1b[31mred\tc\r", 14), "caf\xc3\xa9 \xff\xfe ok"};
  t.Server(reply);
  EXPECT_THAT(t.lines(),
              ElementsAre("S: 250-a\\x00b\\x1b[31mred\\x09c\\x0d", "S: 250 café \\xff\\xfe ok"));
}

TEST(TranscriptTest, ReplyWithoutTextLines) {
  Transcript t;
  t.Server(Parse("250\r\n"));
  Reply empty;
  empty.code = 421;
  t.Server(empty);
  EXPECT_THAT(t.lines(), ElementsAre("S: 250", "S: 421"));
}

TEST(TranscriptTest, BoundedLineCountWithOneMarker) {
  Transcript t(nullptr, /*max_lines=*/3, /*max_line_bytes=*/512);
  t.Client("NOOP");
  t.Server(Parse("250-a\r\n250-b\r\n250 c\r\n"));
  t.Note("never recorded");
  t.Client("QUIT");
  EXPECT_THAT(t.lines(), ElementsAre("C: NOOP", "S: 250-a", "S: 250-b", "-- transcript truncated"));
  EXPECT_TRUE(t.truncated());
}

TEST(TranscriptTest, ExactlyMaxLinesIsNotTruncated) {
  Transcript t(nullptr, /*max_lines=*/2, /*max_line_bytes=*/512);
  t.Client("NOOP");
  t.Client("QUIT");
  EXPECT_THAT(t.lines(), ElementsAre("C: NOOP", "C: QUIT"));
  EXPECT_FALSE(t.truncated());
}

TEST(TranscriptTest, LongLinesAreCutWithAnEllipsis) {
  Transcript t(nullptr, /*max_lines=*/10, /*max_line_bytes=*/12);
  t.Note("1234567");             // "-- 1234567" = 10 bytes: fits
  t.Note("123456789");           // 12 bytes: fits exactly
  t.Note("1234567890");          // 13 bytes: cut to 9 + "…"
  t.Note("123456\xff");          // escape "\xff" would end at byte 13: not split
  t.Note("12345\xe2\x82\xac!");  // "€" may not be split either
  t.Note(std::string(1 << 20, 'x'));
  EXPECT_THAT(t.lines(), ElementsAre("-- 1234567", "-- 123456789", "-- 123456…", "-- 123456…",
                                     "-- 12345€!", "-- xxxxxx…"));
  for (const std::string& line : t.lines()) EXPECT_LE(line.size(), 12u);
}

TEST(TranscriptTest, CutNeverSplitsAMultiByteCharacter) {
  Transcript t(nullptr, /*max_lines=*/10, /*max_line_bytes=*/10);
  t.Note("\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac");  // "-- " + 9 bytes = 12
  EXPECT_THAT(t.lines(), ElementsAre("-- €…"));
}

TEST(TranscriptTest, RegisteredSecretsAreRedactedInServerLinesAndNotes) {
  auto redactor = std::make_shared<Redactor>();
  redactor->Add("hunter2");
  redactor->Add("");
  Transcript t(redactor);
  t.Server(Parse("535-5.7.8 password hunter2 rejected\r\n535 5.7.8 echo aHVudGVyMg==\r\n"));
  t.Note("retrying with hunter2");
  EXPECT_THAT(t.lines(),
              ElementsAre("S: 535-5.7.8 password <redacted> rejected",
                          "S: 535 5.7.8 echo <redacted>", "-- retrying with <redacted>"));
}

}  // namespace
}  // namespace cv::smtp
