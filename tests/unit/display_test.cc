#include "common/display.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace cv {
namespace {

TEST(SanitizeForDisplayTest, KeepsPrintableAsciiAndValidUtf8) {
  EXPECT_EQ(SanitizeForDisplay("Grüße, 你好 😀 \\ ok~"), "Grüße, 你好 😀 \\ ok~");
}

TEST(SanitizeForDisplayTest, EscapesControlBytes) {
  EXPECT_EQ(SanitizeForDisplay(std::string_view("\0\x01\t\r\n\x7f", 6)),
            "\\x00\\x01\\x09\\x0d\\x0a\\x7f");
}

TEST(SanitizeForDisplayTest, EscapesMalformedUtf8ByteByByte) {
  EXPECT_EQ(SanitizeForDisplay("\xff"), "\\xff");
  EXPECT_EQ(SanitizeForDisplay("\x80 lone continuation"), "\\x80 lone continuation");
  EXPECT_EQ(SanitizeForDisplay("\xc3"), "\\xc3");                             // truncated
  EXPECT_EQ(SanitizeForDisplay("\xc3("), "\\xc3(");                           // bad continuation
  EXPECT_EQ(SanitizeForDisplay("\xc0\xaf"), "\\xc0\\xaf");                    // overlong "/"
  EXPECT_EQ(SanitizeForDisplay("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");           // overlong
  EXPECT_EQ(SanitizeForDisplay("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // surrogate U+D800
  EXPECT_EQ(SanitizeForDisplay("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // > U+10FFFF
  EXPECT_EQ(SanitizeForDisplay("\xf5\x80"), "\\xf5\\x80");
  EXPECT_EQ(SanitizeForDisplay("\xe2\x82"), "\\xe2\\x82");                // cut at the end
  EXPECT_EQ(SanitizeForDisplay("\xf4\x8f\xbf\xbf"), "\xf4\x8f\xbf\xbf");  // U+10FFFF is fine
}

TEST(SanitizeForDisplayTest, EscapesDeceptiveCodePoints) {
  EXPECT_EQ(SanitizeForDisplay("a\xc2\x85"
                               "b"),
            "a\\u0085b");  // NEL
  EXPECT_EQ(SanitizeForDisplay("\xe2\x80\xae"
                               "moc.evil"),
            "\\u202emoc.evil");  // RLO
  EXPECT_EQ(SanitizeForDisplay("\xe2\x80\xa8"), "\\u2028");
  EXPECT_EQ(SanitizeForDisplay("\xe2\x81\xa6x\xe2\x81\xa9"), "\\u2066x\\u2069");
  EXPECT_EQ(SanitizeForDisplay("\xc2\xa0"), "\xc2\xa0");  // NBSP is ordinary text
}

// Whatever comes in, what goes out is valid UTF-8 without control characters.
TEST(SanitizeForDisplayTest, OutputIsAlwaysCleanUtf8) {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    for (int j = 0; j < 256; j += 17) {
      all += static_cast<char>(i);
      all += static_cast<char>(j);
    }
  }
  const std::string out = SanitizeForDisplay(all);
  // Re-sanitizing clean output changes nothing but backslashes, which stay as they are.
  EXPECT_EQ(SanitizeForDisplay(out), out);
  for (unsigned char c : out) {
    EXPECT_TRUE(c >= 0x20 && c != 0x7f) << int(c);
  }
}

}  // namespace
}  // namespace cv
