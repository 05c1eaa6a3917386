#include "smtp/reply_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace cv::smtp {
namespace {

using ::testing::ElementsAre;
using Error = ReplyParser::Error;

// Real replies (docs/diagnosis-sources.md), in wire form.
constexpr char kGoogleAppPassword[] =
    "534-5.7.9 Application-specific password required. Learn more at\r\n"
    "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor x1-20020a05600c.. - "
    "gsmtp\r\n";
constexpr char kMicrosoftTenant[] =
    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
    "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. "
    "[MN2PR05CA0004.namprd05.prod.outlook.com 2023-09-12T20:59:57.214Z 08DBB276B7E699C4]\r\n";
constexpr char kMicrosoftEhlo[] =
    "250-MN2PR05CA0004.outlook.office365.com Hello [3.121.59.239]\r\n"
    "250-SIZE 157286400\r\n"
    "250-PIPELINING\r\n"
    "250-DSN\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250-STARTTLS\r\n"
    "250-8BITMIME\r\n"
    "250-BINARYMIME\r\n"
    "250-CHUNKING\r\n"
    "250 SMTPUTF8\r\n";
constexpr char kGoogleGreeting[] = "220 smtp.gmail.com ESMTP x1-20020a05600c.. - gsmtp\r\n";
constexpr char kGoogleBadCredentials[] =
    "535-5.7.8 Username and Password not accepted. For more information, go to\r\n"
    "535 5.7.8  https://support.google.com/mail/?p=BadCredentials x1-20020a05600c.. - gsmtp\r\n";

std::vector<Reply> Drain(ReplyParser& parser) {
  std::vector<Reply> out;
  while (auto reply = parser.Next()) out.push_back(std::move(*reply));
  return out;
}

std::vector<Reply> ParseWhole(std::string_view data, ReplyLimits limits = {}) {
  ReplyParser parser(limits);
  parser.Feed(data);
  EXPECT_FALSE(parser.failed()) << parser.ErrorText();
  EXPECT_EQ(parser.buffered(), 0u);
  return Drain(parser);
}

void ExpectSameReplies(const std::vector<Reply>& a, const std::vector<Reply>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].code, b[i].code) << i;
    EXPECT_EQ(a[i].enhanced, b[i].enhanced) << i;
    EXPECT_EQ(a[i].lines, b[i].lines) << i;
  }
}

TEST(ReplyParserTest, GoogleMultiLineReply) {
  const std::vector<Reply> replies = ParseWhole(kGoogleAppPassword);
  ASSERT_EQ(replies.size(), 1u);
  const Reply& r = replies[0];
  EXPECT_EQ(r.code, 534);
  EXPECT_EQ(r.enhanced, "5.7.9");
  EXPECT_THAT(r.lines, ElementsAre("5.7.9 Application-specific password required. Learn more at",
                                   "5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor "
                                   "x1-20020a05600c.. - gsmtp"));
  EXPECT_EQ(r.Text(),
            "Application-specific password required. Learn more at "
            "https://support.google.com/mail/?p=InvalidSecondFactor x1-20020a05600c.. - gsmtp");
  EXPECT_EQ(r.Raw(),
            "534-5.7.9 Application-specific password required. Learn more at\n"
            "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor "
            "x1-20020a05600c.. - gsmtp");
  EXPECT_TRUE(r.IsPermanentFailure());
}

TEST(ReplyParserTest, MicrosoftReplyWithTrailer) {
  const std::vector<Reply> replies = ParseWhole(kMicrosoftTenant);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].code, 535);
  EXPECT_EQ(replies[0].enhanced, "5.7.139");
  EXPECT_EQ(replies[0].Text(),
            "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
            "Visit https://aka.ms/smtp_auth_disabled for more information. "
            "[MN2PR05CA0004.namprd05.prod.outlook.com 2023-09-12T20:59:57.214Z "
            "08DBB276B7E699C4]");
}

TEST(ReplyParserTest, EhloReplyKeepsEveryLine) {
  const std::vector<Reply> replies = ParseWhole(kMicrosoftEhlo);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].code, 250);
  EXPECT_EQ(replies[0].enhanced, "");
  EXPECT_THAT(replies[0].lines,
              ElementsAre("MN2PR05CA0004.outlook.office365.com Hello [3.121.59.239]",
                          "SIZE 157286400", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "STARTTLS",
                          "8BITMIME", "BINARYMIME", "CHUNKING", "SMTPUTF8"));
}

TEST(ReplyParserTest, BareCodeLine) {
  const std::vector<Reply> replies = ParseWhole("250\r\n354\n");
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].code, 250);
  EXPECT_THAT(replies[0].lines, ElementsAre(""));
  EXPECT_EQ(replies[0].Raw(), "250");
  EXPECT_EQ(replies[0].Text(), "");
  EXPECT_EQ(replies[1].code, 354);
}

TEST(ReplyParserTest, BareLineFeedsAndMixedLineEnds) {
  const std::vector<Reply> replies = ParseWhole("250-first\n250-second\r\n250 third\n");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_THAT(replies[0].lines, ElementsAre("first", "second", "third"));
}

TEST(ReplyParserTest, EmptyTextAfterSeparator) {
  const std::vector<Reply> replies = ParseWhole("250-\r\n250 \r\n");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_THAT(replies[0].lines, ElementsAre("", ""));
}

TEST(ReplyParserTest, BareCrInsideTextIsKept) {
  const std::vector<Reply> replies = ParseWhole("250 a\rb\r\n");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_THAT(replies[0].lines, ElementsAre("a\rb"));
}

TEST(ReplyParserTest, PipelinedRepliesComeOutInOrder) {
  const std::vector<Reply> replies =
      ParseWhole("250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n354 Start mail input\r\n");
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0].code, 250);
  EXPECT_EQ(replies[0].enhanced, "2.1.0");
  EXPECT_EQ(replies[0].Text(), "Sender OK");
  EXPECT_EQ(replies[1].enhanced, "2.1.5");
  EXPECT_EQ(replies[2].code, 354);
  EXPECT_EQ(replies[2].enhanced, "");
}

TEST(ReplyParserTest, NextIsEmptyUntilTheLastLineArrives) {
  ReplyParser parser;
  parser.Feed("250-a\r\n250-b\r\n250 c");
  EXPECT_FALSE(parser.Next().has_value());
  EXPECT_EQ(parser.buffered(), 19u);
  parser.Feed("\r");
  EXPECT_FALSE(parser.Next().has_value());
  parser.Feed("\n");
  const std::optional<Reply> reply = parser.Next();
  ASSERT_TRUE(reply.has_value());
  EXPECT_THAT(reply->lines, ElementsAre("a", "b", "c"));
  EXPECT_EQ(parser.buffered(), 0u);
  EXPECT_FALSE(parser.Next().has_value());
}

TEST(ReplyParserTest, EnhancedCodeOnlyWhenWellFormed) {
  struct Case {
    const char* wire;
    const char* enhanced;
  };
  const Case cases[] = {
      {"250 2.0.0 OK\r\n", "2.0.0"},
      {"421 4.7.0\r\n", "4.7.0"},
      {"421 4.7.0\tTry again later\r\n", "4.7.0"},
      {"550 5.7.606 Access denied, banned sending IP [203.0.113.9]\r\n", "5.7.606"},
      {"535 Incorrect authentication data\r\n", ""},
      {"250 192.168.1.1 says hello\r\n", ""},  // class 1 does not exist
      {"250 2.3.4.5 is an address\r\n", ""},   // four parts
      {"550 5.7.1234 too many detail digits\r\n", ""},
      {"550 5.7.1abc\r\n", ""},
      {"550 5..1 empty subject\r\n", ""},
      {"550 5.7.\r\n", ""},
      {"550 5\r\n", ""},
      {"550  5.7.1 leading space\r\n", ""},
      {"550-first line has none\r\n550 5.7.1 second has one\r\n", ""},
  };
  for (const Case& c : cases) {
    const std::vector<Reply> replies = ParseWhole(c.wire);
    ASSERT_EQ(replies.size(), 1u) << c.wire;
    EXPECT_EQ(replies[0].enhanced, c.enhanced) << c.wire;
  }
}

TEST(ReplyParserTest, TextStripsOnlyWholeEnhancedCodes) {
  const std::vector<Reply> replies = ParseWhole("550-5.7.1 first\r\n550 5.7.10 second\r\n");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].Text(), "first 5.7.10 second");
}

// The same bytes, however the network splits them, give the same replies.
TEST(ReplyParserTest, ByteAtATimeAndRandomSplitsAgreeWithWholeFeed) {
  const std::string all = std::string(kGoogleGreeting) + kMicrosoftEhlo + kGoogleAppPassword +
                          kMicrosoftTenant + kGoogleBadCredentials + "250\r\n" +
                          "250-a\n250 2.0.0 b\n";
  const std::vector<Reply> expected = ParseWhole(all);
  ASSERT_EQ(expected.size(), 7u);

  ReplyParser bytewise;
  std::vector<Reply> got;
  for (char c : all) {
    bytewise.Feed(std::string_view(&c, 1));
    while (auto r = bytewise.Next()) got.push_back(std::move(*r));
  }
  EXPECT_FALSE(bytewise.failed());
  ExpectSameReplies(got, expected);

  std::mt19937 rng(20230912);
  for (int round = 0; round < 200; ++round) {
    ReplyParser parser;
    size_t pos = 0;
    while (pos < all.size()) {
      const size_t n = std::uniform_int_distribution<size_t>(0, 40)(rng);
      parser.Feed(std::string_view(all).substr(pos, n));
      pos += n;
    }
    EXPECT_FALSE(parser.failed()) << parser.ErrorText();
    ExpectSameReplies(Drain(parser), expected);
  }
}

TEST(ReplyParserTest, LineLimitIsExactAndCountsNoLineEnd) {
  const ReplyLimits limits{.max_line_bytes = 16, .max_lines = 128, .max_reply_bytes = 65536};
  // 16 bytes before the line end: fine, with CRLF fed in pieces too.
  ReplyParser parser(limits);
  parser.Feed("250 0123456789ab\r");
  EXPECT_FALSE(parser.failed());
  parser.Feed("\n");
  EXPECT_FALSE(parser.failed());
  ASSERT_TRUE(parser.Next().has_value());

  // The 17th byte fails at once, even without a line end.
  parser.Feed("250 0123456789abc");
  EXPECT_EQ(parser.error(), Error::kLineTooLong);
  EXPECT_EQ(parser.ErrorText(), "reply line longer than 16 bytes");
  EXPECT_EQ(parser.buffered(), 0u);

  // A CR at the limit is the start of CRLF only if LF follows.
  ReplyParser cr(limits);
  cr.Feed("250 0123456789ab\r");
  EXPECT_FALSE(cr.failed());
  cr.Feed("x");
  EXPECT_EQ(cr.error(), Error::kLineTooLong);
}

TEST(ReplyParserTest, EndlessLineIsRejectedWithoutBuffering) {
  ReplyParser parser;  // default: 4096 bytes
  const std::string chunk = "250 " + std::string(4092, 'a');
  parser.Feed(chunk);
  EXPECT_FALSE(parser.failed());
  EXPECT_EQ(parser.buffered(), 4096u);
  const std::string megabyte(1 << 20, 'a');
  parser.Feed(megabyte);
  EXPECT_EQ(parser.error(), Error::kLineTooLong);
  EXPECT_EQ(parser.buffered(), 0u);
}

TEST(ReplyParserTest, TooManyLines) {
  const ReplyLimits limits{.max_line_bytes = 4096, .max_lines = 3, .max_reply_bytes = 65536};
  EXPECT_EQ(ParseWhole("250-a\r\n250-b\r\n250 c\r\n", limits).size(), 1u);

  ReplyParser parser(limits);
  parser.Feed("250-a\r\n250-b\r\n250-c\r\n");
  EXPECT_FALSE(parser.failed());
  parser.Feed("250 d\r\n");
  EXPECT_EQ(parser.error(), Error::kTooManyLines);
  EXPECT_EQ(parser.ErrorText(), "reply with more than 3 lines");
  EXPECT_FALSE(parser.Next().has_value());
}

TEST(ReplyParserTest, ReplyTooLarge) {
  // Two lines of 7 + CRLF = 9 bytes each: 18 in all.
  const ReplyLimits exact{.max_line_bytes = 4096, .max_lines = 128, .max_reply_bytes = 18};
  EXPECT_EQ(ParseWhole("250-abc\r\n250 def\r\n", exact).size(), 1u);

  const ReplyLimits limits{.max_line_bytes = 4096, .max_lines = 128, .max_reply_bytes = 17};
  ReplyParser parser(limits);
  parser.Feed("250-abc\r\n250 def\r");
  EXPECT_FALSE(parser.failed());
  parser.Feed("\n");
  EXPECT_EQ(parser.error(), Error::kReplyTooLarge);
  EXPECT_EQ(parser.ErrorText(), "reply larger than 17 bytes");

  // Detected while the line is still arriving, too.
  ReplyParser early(limits);
  early.Feed("250-abc\r\n250 defghijk");
  EXPECT_EQ(early.error(), Error::kReplyTooLarge);
}

TEST(ReplyParserTest, LimitsApplyPerReply) {
  const ReplyLimits limits{.max_line_bytes = 4096, .max_lines = 2, .max_reply_bytes = 20};
  const std::vector<Reply> replies =
      ParseWhole("250-abc\r\n250 def\r\n250-ghi\r\n250 jkl\r\n250 mno\r\n", limits);
  EXPECT_EQ(replies.size(), 3u);
}

TEST(ReplyParserTest, MalformedLines) {
  struct Case {
    std::string wire;
    const char* text;
  };
  const Case cases[] = {
      {"HTTP/1.1 400 Bad Request\r\n", "malformed reply line \"H\""},
      {"2x0 hello\r\n", "malformed reply line \"2x\""},
      {"100 continue\r\n", "malformed reply line \"1\""},
      {"600 nope\r\n", "malformed reply line \"6\""},
      {"2500 four digits\r\n", "malformed reply line \"2500\""},
      {"250_underscore\r\n", "malformed reply line \"250_\""},
      {"25\r\n", "malformed reply line \"25\\x0d\""},
      {"\r\n", "malformed reply line \"\\x0d\""},
      {"\n", "malformed reply line \"\""},
      {"250\rx\r\n", "malformed reply line \"250\\x0dx\\x0d\""},
      {std::string("250 a\0b\r\n", 9), "malformed reply line \"250 a\\x00\""},
      {std::string("\0", 1), "malformed reply line \"\\x00\""},
      {"\x16\x03\x01\x02\x00", "malformed reply line \"\\x16\""},
  };
  for (const Case& c : cases) {
    ReplyParser parser;
    parser.Feed(c.wire);
    EXPECT_EQ(parser.error(), Error::kMalformed) << c.wire;
    EXPECT_EQ(parser.ErrorText(), c.text) << c.wire;
    EXPECT_FALSE(parser.Next().has_value()) << c.wire;
  }
}

TEST(ReplyParserTest, MalformedStartIsDetectedBeforeTheLineEnds) {
  ReplyParser parser;
  parser.Feed("SSH-2.0-OpenSSH_9.2");
  EXPECT_EQ(parser.error(), Error::kMalformed);
  EXPECT_EQ(parser.buffered(), 0u);
}

TEST(ReplyParserTest, ErrorTextQuotesAShortenedEscapedLine) {
  ReplyParser parser;
  parser.Feed("250 " + std::string(100, 'a') + std::string("\0", 1));
  EXPECT_EQ(parser.error(), Error::kMalformed);
  EXPECT_EQ(parser.ErrorText(), "malformed reply line \"250 " + std::string(60, 'a') + "…\"");
}

TEST(ReplyParserTest, CodeMismatchIsDetectedAtTheThirdDigit) {
  ReplyParser parser;
  parser.Feed("250-mx.example.org\r\n25");
  EXPECT_FALSE(parser.failed());
  parser.Feed("1");
  EXPECT_EQ(parser.error(), Error::kCodeMismatch);
  EXPECT_EQ(parser.ErrorText(), "continuation line with a code other than 250: \"251\"");
  EXPECT_FALSE(parser.Next().has_value());
}

TEST(ReplyParserTest, ErrorIsStickyAndEarlierRepliesSurvive) {
  ReplyParser parser;
  parser.Feed("220 ready\r\n250 ok\r\nbogus\r\n250 later\r\n");
  EXPECT_EQ(parser.error(), Error::kMalformed);
  parser.Feed("250 more\r\n");
  EXPECT_TRUE(parser.failed());
  EXPECT_EQ(parser.error(), Error::kMalformed);
  const std::vector<Reply> replies = Drain(parser);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].code, 220);
  EXPECT_EQ(replies[1].code, 250);
}

TEST(ReplyParserTest, NoErrorText) {
  ReplyParser parser;
  EXPECT_EQ(parser.error(), Error::kNone);
  EXPECT_FALSE(parser.failed());
  EXPECT_EQ(parser.ErrorText(), "no error");
}

// Random bytes biased towards the characters that matter must never crash, and memory stays
// within the limits.
TEST(ReplyParserTest, RandomInputNeverBreaksTheLimits) {
  const ReplyLimits limits{.max_line_bytes = 32, .max_lines = 4, .max_reply_bytes = 100};
  const std::string alphabet = std::string("0123456789 -\r\n\n\n\0a\xff", 19);
  std::mt19937 rng(4321);
  for (int round = 0; round < 2000; ++round) {
    ReplyParser parser(limits);
    for (int step = 0; step < 50 && !parser.failed(); ++step) {
      std::string chunk;
      const size_t n = std::uniform_int_distribution<size_t>(0, 12)(rng);
      for (size_t i = 0; i < n; ++i) {
        // Mostly well-formed starts, so that the parser gets deep into replies.
        chunk += alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(rng)];
      }
      if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) chunk = "250-" + chunk;
      parser.Feed(chunk);
      ASSERT_LE(parser.buffered(), limits.max_reply_bytes);
      while (auto reply = parser.Next()) {
        ASSERT_GE(reply->code, 200);
        ASSERT_LT(reply->code, 600);
        ASSERT_LE(reply->lines.size(), limits.max_lines);
        for (const std::string& line : reply->lines) {
          ASSERT_LE(line.size() + 4, limits.max_line_bytes + 1);
          ASSERT_EQ(line.find('\n'), std::string::npos);
          ASSERT_EQ(line.find('\0'), std::string::npos);
        }
      }
    }
    EXPECT_FALSE(parser.ErrorText().empty());
  }
}

}  // namespace
}  // namespace cv::smtp
