#include "smtp/sasl.h"

#include <gtest/gtest.h>

#include "common/base64.h"

namespace cv::smtp {
namespace {

TEST(SaslTest, PlainCarriesEmptyAuthzidUserAndPassword) {
  EXPECT_EQ(AuthPlain("user", Secret("pass")), "AUTH PLAIN AHVzZXIAcGFzcw==\r\n");
  EXPECT_EQ(AuthPlain("alice@example.com", Secret("p\xc3\xa4ss w0rd!")),
            "AUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHDDpHNzIHcwcmQh\r\n");
  // The message decodes to exactly \0user\0password.
  const std::string line = AuthPlain("user", Secret("pass"));
  EXPECT_EQ(Base64Decode(line.substr(11, line.size() - 13)), std::string("\0user\0pass", 10));
}

TEST(SaslTest, PlainRefusesNulInsideAField) {
  EXPECT_EQ(AuthPlain(std::string_view("us\0er", 5), Secret("pass")), "");
  EXPECT_EQ(AuthPlain("user", Secret(std::string("pa\0ss", 5))), "");
}

TEST(SaslTest, PasswordWithLineBreaksCannotInject) {
  const std::string line = AuthPlain("user", Secret("a\r\nQUIT\r\n"));
  EXPECT_EQ(line.find('\r'), line.size() - 2);
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(SaslTest, Login) {
  EXPECT_EQ(AuthLoginStart(), "AUTH LOGIN\r\n");
  EXPECT_EQ(AuthLoginUsername("alice@example.com"), "YWxpY2VAZXhhbXBsZS5jb20=\r\n");
  EXPECT_EQ(AuthLoginPassword(Secret("s3cret!")), "czNjcmV0IQ==\r\n");
}

// The example from Google's XOAUTH2 protocol documentation.
TEST(SaslTest, Xoauth2MatchesGooglesExample) {
  EXPECT_EQ(
      AuthXoauth2("someuser@example.com", Secret("ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg")),
      "AUTH XOAUTH2 "
      "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNr"
      "QmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==\r\n");
}

TEST(SaslTest, Xoauth2RefusesSeparatorInFields) {
  EXPECT_EQ(AuthXoauth2("a\x01"
                        "b@example.com",
                        Secret("token")),
            "");
  EXPECT_EQ(AuthXoauth2("a@example.com", Secret("tok\x01"
                                                "en")),
            "");
}

TEST(SaslTest, EmptyResponse) { EXPECT_EQ(SaslEmptyResponse(), "\r\n"); }

TEST(SaslTest, DecodeChallenge) {
  EXPECT_EQ(DecodeChallenge("VXNlcm5hbWU6"), "Username:");
  EXPECT_EQ(DecodeChallenge("UGFzc3dvcmQ6 "), "Password:");
  EXPECT_EQ(DecodeChallenge(""), "");
  EXPECT_EQ(DecodeChallenge(
                "eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29v"
                "Z2xlLmNvbS8ifQ=="),
            R"({"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"})");
  EXPECT_EQ(DecodeChallenge("not base64!"), std::nullopt);
  EXPECT_EQ(DecodeChallenge("Go ahead"), std::nullopt);
}

}  // namespace
}  // namespace cv::smtp
