#include "smtp/commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "smtp/reply_parser.h"

namespace cv::smtp {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Reply Parse(std::string_view wire) {
  ReplyParser parser;
  parser.Feed(wire);
  std::optional<Reply> reply = parser.Next();
  EXPECT_TRUE(reply.has_value()) << parser.ErrorText();
  return reply.value_or(Reply());
}

TEST(CommandsTest, SimpleCommands) {
  EXPECT_EQ(Ehlo("verifier.example"), "EHLO verifier.example\r\n");
  EXPECT_EQ(Ehlo("[192.0.2.1]"), "EHLO [192.0.2.1]\r\n");
  EXPECT_EQ(Helo("verifier.example"), "HELO verifier.example\r\n");
  EXPECT_EQ(StartTls(), "STARTTLS\r\n");
  EXPECT_EQ(Quit(), "QUIT\r\n");
  EXPECT_EQ(Rset(), "RSET\r\n");
  EXPECT_EQ(Data(), "DATA\r\n");
  EXPECT_EQ(RcptTo("bob@example.org"), "RCPT TO:<bob@example.org>\r\n");
}

TEST(CommandsTest, MailFromParameters) {
  EXPECT_EQ(MailFrom("alice@example.com", std::nullopt, false),
            "MAIL FROM:<alice@example.com>\r\n");
  EXPECT_EQ(MailFrom("alice@example.com", 12345, false),
            "MAIL FROM:<alice@example.com> SIZE=12345\r\n");
  EXPECT_EQ(MailFrom("alice@example.com", 0, false), "MAIL FROM:<alice@example.com> SIZE=0\r\n");
  EXPECT_EQ(MailFrom("jürgen@bücher.example", std::nullopt, true),
            "MAIL FROM:<jürgen@bücher.example> SMTPUTF8\r\n");
  EXPECT_EQ(MailFrom("a@b.example", 18446744073709551615ull, true),
            "MAIL FROM:<a@b.example> SIZE=18446744073709551615 SMTPUTF8\r\n");
  // The null reverse-path of bounces.
  EXPECT_EQ(MailFrom("", std::nullopt, false), "MAIL FROM:<>\r\n");
}

TEST(CommandsTest, RefusesInjection) {
  EXPECT_EQ(Ehlo("a.example\r\nMAIL FROM:<x@y>"), "");
  EXPECT_EQ(Ehlo("a.example\n"), "");
  EXPECT_EQ(Helo("a\rb"), "");
  EXPECT_EQ(Helo(std::string_view("a\0b", 3)), "");
  EXPECT_EQ(MailFrom("a@b>\r\nRCPT TO:<victim@example.org", std::nullopt, false), "");
  EXPECT_EQ(MailFrom(std::string_view("a@b\0", 4), 1, true), "");
  EXPECT_EQ(RcptTo("a@b>\r\nDATA"), "");
  EXPECT_EQ(RcptTo("a@b\n"), "");
}

TEST(CommandsTest, RefusesMissingArguments) {
  EXPECT_EQ(Ehlo(""), "");
  EXPECT_EQ(Helo(""), "");
  EXPECT_EQ(RcptTo(""), "");
}

TEST(ParseEhloTest, MicrosoftCapabilities) {
  const Capabilities caps =
      ParseEhlo(Parse("250-MN2PR05CA0004.outlook.office365.com Hello [3.121.59.239]\r\n"
                      "250-SIZE 157286400\r\n"
                      "250-PIPELINING\r\n"
                      "250-DSN\r\n"
                      "250-ENHANCEDSTATUSCODES\r\n"
                      "250-AUTH LOGIN XOAUTH2\r\n"
                      "250-8BITMIME\r\n"
                      "250-BINARYMIME\r\n"
                      "250-CHUNKING\r\n"
                      "250 SMTPUTF8\r\n"));
  EXPECT_EQ(caps.server_name, "MN2PR05CA0004.outlook.office365.com");
  EXPECT_FALSE(caps.starttls);
  EXPECT_TRUE(caps.smtputf8);
  EXPECT_TRUE(caps.pipelining);
  EXPECT_TRUE(caps.eightbitmime);
  EXPECT_EQ(caps.size, 157286400u);
  EXPECT_THAT(caps.auth_mechanisms, ElementsAre("LOGIN", "XOAUTH2"));
  EXPECT_THAT(caps.keywords, ElementsAre("SIZE", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "AUTH",
                                         "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8"));
  EXPECT_TRUE(caps.HasAuth("login"));
  EXPECT_TRUE(caps.HasAuth("XOAUTH2"));
  EXPECT_FALSE(caps.HasAuth("PLAIN"));
}

TEST(ParseEhloTest, GoogleBeforeStartTls) {
  const Capabilities caps =
      ParseEhlo(Parse("250-smtp.gmail.com at your service, [3.121.59.239]\r\n"
                      "250-SIZE 35882577\r\n"
                      "250-8BITMIME\r\n"
                      "250-STARTTLS\r\n"
                      "250-ENHANCEDSTATUSCODES\r\n"
                      "250-PIPELINING\r\n"
                      "250-CHUNKING\r\n"
                      "250 SMTPUTF8\r\n"));
  EXPECT_EQ(caps.server_name, "smtp.gmail.com");
  EXPECT_TRUE(caps.starttls);
  EXPECT_EQ(caps.size, 35882577u);
  EXPECT_THAT(caps.auth_mechanisms, IsEmpty());
  EXPECT_FALSE(caps.HasAuth("PLAIN"));
}

TEST(ParseEhloTest, OldAndNewAuthFormsAreMergedUpperCasedAndDeduplicated) {
  const Capabilities caps =
      ParseEhlo(Parse("250-mail.example.org\r\n"
                      "250-AUTH=LOGIN PLAIN\r\n"
                      "250-auth plain login cram-md5 GSSAPI\r\n"
                      "250 Auth XOAUTH2\r\n"));
  EXPECT_THAT(caps.auth_mechanisms, ElementsAre("LOGIN", "PLAIN", "CRAM-MD5", "GSSAPI", "XOAUTH2"));
  EXPECT_THAT(caps.keywords, ElementsAre("AUTH"));
  EXPECT_TRUE(caps.HasAuth("cram-md5"));
}

TEST(ParseEhloTest, OnlyTheOldAuthForm) {
  const Capabilities caps = ParseEhlo(Parse("250-mx.example\r\n250 AUTH=PLAIN\r\n"));
  EXPECT_THAT(caps.auth_mechanisms, ElementsAre("PLAIN"));
  EXPECT_THAT(caps.keywords, ElementsAre("AUTH"));
}

TEST(ParseEhloTest, SizeWithoutOrWithUnreadableNumber) {
  EXPECT_EQ(ParseEhlo(Parse("250-mx\r\n250 SIZE\r\n")).size, 0u);
  EXPECT_EQ(ParseEhlo(Parse("250-mx\r\n250 SIZE 0\r\n")).size, 0u);
  EXPECT_EQ(ParseEhlo(Parse("250-mx\r\n250 SIZE lots\r\n")).size, 0u);
  EXPECT_EQ(ParseEhlo(Parse("250-mx\r\n250 SIZE 99999999999999999999999\r\n")).size, 0u);
  EXPECT_EQ(ParseEhlo(Parse("250-mx\r\n250 SIZE -5\r\n")).size, 0u);
  EXPECT_EQ(ParseEhlo(Parse("250-mx\r\n250 size\t10240000\r\n")).size, 10240000u);
  EXPECT_FALSE(ParseEhlo(Parse("250-mx\r\n250 PIPELINING\r\n")).size.has_value());
}

TEST(ParseEhloTest, LowerCaseKeywordsAndOddWhitespace) {
  const Capabilities caps =
      ParseEhlo(Parse("250-  mx.example.org  ESMTP\r\n250-starttls\r\n250-\r\n250  8bitmime \r\n"));
  EXPECT_EQ(caps.server_name, "mx.example.org");
  EXPECT_TRUE(caps.starttls);
  EXPECT_TRUE(caps.eightbitmime);
  EXPECT_THAT(caps.keywords, ElementsAre("STARTTLS", "8BITMIME"));
}

TEST(ParseEhloTest, SkipsLinesThatAreNoExtensions) {
  const Capabilities caps = ParseEhlo(
      Parse("250-mx.example\r\n250-\xc3\xa9t\xc3\xa9\r\n250-=x\r\n250-X-EXPS GSSAPI NTLM\r\n"
            "250 AUTH PLAIN L\xc3\x96GIN a-mechanism-name-that-is-too-long\r\n"));
  EXPECT_THAT(caps.keywords, ElementsAre("X-EXPS", "AUTH"));
  EXPECT_THAT(caps.auth_mechanisms, ElementsAre("PLAIN"));
}

TEST(ParseEhloTest, ServerNameIsSanitized) {
  EXPECT_EQ(ParseEhlo(Parse("250 mx\xff.example\r\n")).server_name, "mx\\xff.example");
}

TEST(ParseEhloTest, SingleLineReplyHasNoExtensions) {
  const Capabilities caps = ParseEhlo(Parse("250 mail.example.org\r\n"));
  EXPECT_EQ(caps.server_name, "mail.example.org");
  EXPECT_THAT(caps.keywords, IsEmpty());
  EXPECT_FALSE(caps.size.has_value());
}

TEST(ParseEhloTest, ErrorReplyYieldsNothing) {
  const Capabilities caps = ParseEhlo(Parse("502-5.5.1 Unrecognized command\r\n502 STARTTLS\r\n"));
  EXPECT_EQ(caps.server_name, "");
  EXPECT_FALSE(caps.starttls);
  EXPECT_THAT(caps.keywords, IsEmpty());
  EXPECT_THAT(ParseEhlo(Reply()).keywords, IsEmpty());
}

}  // namespace
}  // namespace cv::smtp
