#include "common/redactor.h"

#include <gtest/gtest.h>

#include <string>

#include "common/base64.h"

namespace cv {
namespace {

constexpr std::string_view kPassword = "Hunter2-secret!";

TEST(RedactorTest, PlainForm) {
  Redactor r;
  r.Add(kPassword);
  EXPECT_EQ(r.Scrub("535 bad password Hunter2-secret! here"), "535 bad password <redacted> here");
  EXPECT_EQ(r.Scrub("after CR\rHunter2-secret!"), "after CR\r<redacted>");
  EXPECT_EQ(r.Scrub(std::string("after NUL\0Hunter2-secret!", 25)),
            std::string("after NUL\0<redacted>", 20));
}

// The issue's case: an echoed AUTH PLAIN argument, for usernames of every length (so the
// password lands at each of the three alignments inside the blob).
TEST(RedactorTest, AuthPlainBlobAtEveryAlignment) {
  Redactor r;
  r.Add(kPassword);
  for (std::string user : {"alice@example.com", "bob@example.com", "al@example.com"}) {
    const std::string blob =
        Base64Encode(std::string(1, '\0') + user + '\0' + std::string(kPassword));
    const std::string out = r.Scrub("535 5.7.8 Authentication rejected: " + blob);
    EXPECT_EQ(out, "535 5.7.8 Authentication rejected: <redacted>") << user;
  }
}

TEST(RedactorTest, Base64UrlAndUnpadded) {
  Redactor r;
  r.Add("tok/en+with?chars");
  EXPECT_EQ(r.Scrub("x " + Base64UrlEncode("tok/en+with?chars") + " y"), "x <redacted> y");
  std::string padded = Base64Encode("tok/en+with?chars");
  EXPECT_EQ(r.Scrub("x " + padded + " y"), "x <redacted> y");
}

TEST(RedactorTest, PercentAndJsonEscaped) {
  Redactor r;
  r.Add("1//0g-refresh/token");
  EXPECT_EQ(r.Scrub("refresh_token=1%2F%2F0g-refresh%2ftoken&x=1"), "refresh_token=<redacted>&x=1");
  EXPECT_EQ(r.Scrub(R"({"t":"1\/\/0g-refresh\/token"})"), R"({"t":"<redacted>"})");
  EXPECT_EQ(r.Scrub(R"({"t":"\u0031\u002f/0g-refresh/token"})"), R"({"t":"<redacted>"})");
}

TEST(RedactorTest, ShortSecretsOnlyPlain) {
  Redactor r;
  r.Add("abc");
  EXPECT_EQ(r.Scrub("xabcx YWJj"), "x<redacted>x YWJj");
}

TEST(RedactorTest, NothingRegisteredOrNothingFound) {
  Redactor r;
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.Scrub("nothing to see"), "nothing to see");
  r.Add("");
  EXPECT_TRUE(r.empty());
  r.Add(kPassword);
  EXPECT_EQ(r.Scrub("nothing to see"), "nothing to see");
  EXPECT_EQ(r.Scrub(""), "");
}

TEST(RedactorTest, OverlappingAndRepeatedBecomeOneMarkerEach) {
  Redactor r;
  r.Add("hunter2");
  r.Add("hunter22");
  EXPECT_EQ(r.Scrub("hunter22 hunter2 tok"), "<redacted> <redacted> tok");
}

TEST(RedactorTest, ScrubAndCutCutsAfterTheScrub) {
  Redactor r;
  r.Add(kPassword);
  EXPECT_EQ(r.ScrubAndCut("pw Hunter2-secret!", 8), "pw <reda");
}

TEST(SecretTest, WipesTheSmallStringBufferOfAMovedFromString) {
  std::string s = "short";
  const char* buffer = s.data();
  Secret secret(std::move(s));
  // The small-string buffer still belongs to `s`: the constructor wiped it.
  EXPECT_EQ(std::string_view(buffer, 5), std::string_view("\0\0\0\0\0", 5));
  EXPECT_EQ(secret.Reveal(), "short");
  Secret moved(std::move(secret));
  EXPECT_TRUE(secret.empty());  // NOLINT(bugprone-use-after-move): the point of the test
  EXPECT_EQ(moved.Reveal(), "short");
}

TEST(SecretTest, WipeStringClearsTheWholeCapacity) {
  std::string s = "0123456789abcdefghijklmnopqrstuvwxyz";
  s.resize(3);
  const char* data = s.data();
  const size_t capacity = s.capacity();
  Secret::WipeString(s);
  EXPECT_TRUE(s.empty());
  for (size_t i = 0; i < capacity; ++i) EXPECT_EQ(data[i], '\0') << i;
}

}  // namespace
}  // namespace cv
