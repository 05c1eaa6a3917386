#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "mail/message.h"

namespace cv::mail {
namespace {

std::vector<std::string> Lines(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t at = s.find("\r\n"); at != std::string_view::npos; at = s.find("\r\n", start)) {
    out.emplace_back(s.substr(start, at - start));
    start = at + 2;
  }
  if (start < s.size()) out.emplace_back(s.substr(start));
  return out;
}

// --- DotStuff ---

TEST(DotStuffTest, DoublesLeadingDotsAndTerminates) {
  EXPECT_EQ(DotStuff("a\r\n.b\r\n"), "a\r\n..b\r\n.\r\n");
  EXPECT_EQ(DotStuff(".\r\n"), "..\r\n.\r\n");
  EXPECT_EQ(DotStuff("..\r\n"), "...\r\n.\r\n");
  EXPECT_EQ(DotStuff(".first line\r\n"), "..first line\r\n.\r\n");
}

TEST(DotStuffTest, LeavesOtherDotsAlone) {
  EXPECT_EQ(DotStuff("x.y\r\n a.\r\n"), "x.y\r\n a.\r\n.\r\n");
}

TEST(DotStuffTest, EmptyAndUnterminatedInput) {
  EXPECT_EQ(DotStuff(""), ".\r\n");
  EXPECT_EQ(DotStuff("no line end"), "no line end\r\n.\r\n");
  EXPECT_EQ(DotStuff("\r\n"), "\r\n.\r\n");
}

// A bare LF or CR before a dot is how "SMTP smuggling" ends the data early at servers that
// accept bare line ends: after stuffing, every line end is CRLF and the dot is doubled.
TEST(DotStuffTest, BareLineEndsBecomeCrlfSoNothingIsSmuggled) {
  EXPECT_EQ(DotStuff("a\n.\nb"), "a\r\n..\r\nb\r\n.\r\n");
  EXPECT_EQ(DotStuff("a\r.\rb\r\n"), "a\r\n..\r\nb\r\n.\r\n");
  EXPECT_EQ(DotStuff("a\r\n.\r\nMAIL FROM:<x@y.z>\r\n"), "a\r\n..\r\nMAIL FROM:<x@y.z>\r\n.\r\n");
  const std::string stuffed = DotStuff("x\n.\r\n\r.\n");
  EXPECT_EQ(stuffed.find("\r\n.\r\n"), stuffed.size() - 5);  // only the real end
}

// --- QuotedPrintable ---

TEST(QuotedPrintableTest, PlainAsciiPassesWithCrlf) {
  EXPECT_EQ(QuotedPrintable("Hello\n"), "Hello\r\n");
  EXPECT_EQ(QuotedPrintable("a\r\nb"), "a\r\nb\r\n");
  EXPECT_EQ(QuotedPrintable("\n\n"), "\r\n\r\n");
  EXPECT_EQ(QuotedPrintable(""), "");
}

TEST(QuotedPrintableTest, EscapesWhatMustBeEscaped) {
  EXPECT_EQ(QuotedPrintable("a=b\n"), "a=3Db\r\n");
  EXPECT_EQ(QuotedPrintable("Gr\xc3\xbc\xc3\x9f"
                            "e\n"),
            "Gr=C3=BC=C3=9Fe\r\n");
  EXPECT_EQ(QuotedPrintable("trailing \n"), "trailing=20\r\n");
  EXPECT_EQ(QuotedPrintable("tab\t\n"), "tab=09\r\n");
  EXPECT_EQ(QuotedPrintable("in between ok\n"), "in between ok\r\n");
  EXPECT_EQ(QuotedPrintable("From here\n"), "=46rom here\r\n");
  EXPECT_EQ(QuotedPrintable("x\x7f\x01\n"), "x=7F=01\r\n");
}

// Dots stay dots: making them survive is dot-stuffing's job on the wire.
TEST(QuotedPrintableTest, KeepsLeadingDots) {
  EXPECT_EQ(QuotedPrintable(".\n.. x\n"), ".\r\n.. x\r\n");
}

TEST(QuotedPrintableTest, SoftBreaksKeepLinesWithin76) {
  const std::string a80(80, 'a');
  EXPECT_EQ(QuotedPrintable(a80 + "\n"), std::string(75, 'a') + "=\r\n" + "aaaaa\r\n");
  const std::string a76(76, 'a');
  EXPECT_EQ(QuotedPrintable(a76 + "\n"), a76 + "\r\n");
  const std::string a77(77, 'a');
  EXPECT_EQ(QuotedPrintable(a77 + "\n"), std::string(75, 'a') + "=\r\naa\r\n");
}

TEST(QuotedPrintableTest, NeverSplitsAnEscape) {
  const std::string text = std::string(74, 'a') + "\xc3\xa4\n";
  EXPECT_EQ(QuotedPrintable(text), std::string(74, 'a') + "=\r\n=C3=A4\r\n");
  std::string long_umlauts;
  for (int i = 0; i < 100; ++i) long_umlauts += "\xc3\xb6";
  for (const std::string& line : Lines(QuotedPrintable(long_umlauts))) {
    EXPECT_LE(line.size(), 76u) << line;
    // Every escape is whole: the line is "=XX" groups, maybe a soft-break "=" at the end.
    std::string_view rest = line;
    if (rest.size() % 3 == 1) {
      ASSERT_EQ(rest.back(), '=');
      rest.remove_suffix(1);
    }
    ASSERT_EQ(rest.size() % 3, 0u) << line;
    for (size_t i = 0; i < rest.size(); i += 3) EXPECT_EQ(rest[i], '=') << line;
  }
}

TEST(QuotedPrintableTest, TrailingBlankBeforeHardBreakOnlyIsEncoded) {
  // The blank at 76 would be the line's last character after a soft break, which is fine
  // because the "=" follows it; only the blank that really ends the line is encoded.
  const std::string text = std::string(75, 'a') + " b \n";
  EXPECT_EQ(QuotedPrintable(text), std::string(75, 'a') + "=\r\n b=20\r\n");
}

// --- EncodeHeaderText (RFC 2047) ---

TEST(EncodeHeaderTextTest, AsciiStaysAsIs) {
  EXPECT_EQ(EncodeHeaderText("Hello world", 9), "Hello world");
}

TEST(EncodeHeaderTextTest, LongAsciiIsFoldedAtSpaces) {
  const std::string text =
      "one two three four five six seven eight nine ten eleven twelve thirteen fourteen";
  const std::string folded = EncodeHeaderText(text, 9);
  // "Subject: " + up to "twelve" is 71 columns; " thirteen" would make 80.
  EXPECT_EQ(folded,
            "one two three four five six seven eight nine ten eleven twelve\r\n"
            " thirteen fourteen");
}

TEST(EncodeHeaderTextTest, GermanSubjectIsEncodedAndFolded) {
  const std::string subject =
      "Testnachricht von channel-verifier \xe2\x80\x93 Ihre E-Mail-Verbindung funktioniert";
  EXPECT_EQ(EncodeHeaderText(subject, 9),
            "=?UTF-8?Q?Testnachricht_von_channel-verifier_=E2=80=93_Ihre_E-Mail-?=\r\n"
            " =?UTF-8?Q?Verbindung_funktioniert?=");
}

TEST(EncodeHeaderTextTest, UmlautsAndSpecials) {
  EXPECT_EQ(EncodeHeaderText("\xc3\xa4 \xc3\xb6 \xc3\xbc \xc3\x9f", 9),
            "=?UTF-8?Q?=C3=A4_=C3=B6_=C3=BC_=C3=9F?=");
  // "=", "?" and "_" are never literal inside an encoded-word.
  EXPECT_EQ(EncodeHeaderText("\xc3\xa4=?_", 9), "=?UTF-8?Q?=C3=A4=3D=3F=5F?=");
}

TEST(EncodeHeaderTextTest, WordsStayWithinLimitsAndKeepCharactersWhole) {
  std::string text;
  for (int i = 0; i < 60; ++i) text += "\xc3\xa4x";
  const std::string encoded = EncodeHeaderText(text, 9);
  const std::vector<std::string> lines = Lines(encoded);
  ASSERT_GT(lines.size(), 1u);
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    EXPECT_LE(line.size() + (i == 0 ? 9 : 0), 78u) << line;
    const std::string word = i == 0 ? line : line.substr(1);
    if (i > 0) EXPECT_EQ(line[0], ' ');
    EXPECT_LE(word.size(), 75u);
    EXPECT_EQ(word.substr(0, 10), "=?UTF-8?Q?");
    EXPECT_EQ(word.substr(word.size() - 2), "?=");
    // A word never starts with a continuation byte: "=A4" follows "=C3" in the same word.
    EXPECT_NE(word.substr(10, 3), "=A4") << word;
  }
}

// --- FormatDate, NeedsSmtpUtf8 ---

TEST(FormatDateTest, Rfc5322InUtc) {
  EXPECT_EQ(FormatDate(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(FormatDate(1732586224), "Tue, 26 Nov 2024 01:57:04 +0000");
  EXPECT_EQ(FormatDate(951782400), "Tue, 29 Feb 2000 00:00:00 +0000");
}

TEST(NeedsSmtpUtf8Test, OnlyForNonAscii) {
  EXPECT_FALSE(NeedsSmtpUtf8("a.b+c@example.com"));
  EXPECT_TRUE(NeedsSmtpUtf8("j\xc3\xbcrgen@example.com"));
}

}  // namespace
}  // namespace cv::mail
