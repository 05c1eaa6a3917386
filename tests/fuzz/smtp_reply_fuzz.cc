// The SMTP reply parser and what reads its output (EHLO capabilities, the XOAUTH2 challenge,
// redaction and display escaping) against arbitrary server bytes.
//
// Properties beyond "no crash": the result does not depend on how the bytes were split into
// reads (whole, byte by byte, fuzzer-chosen chunks: docs/architecture.md, principle 1); every
// reply respects the limits; error texts and displayed lines are valid UTF-8; a secret never
// survives redaction.
#include <cstdint>
#include <string>
#include <vector>

#include "common/display.h"
#include "fuzz_input.h"
#include "smtp/commands.h"
#include "smtp/reply_parser.h"
#include "smtp/sasl.h"

namespace cv::fuzz {
namespace {

using smtp::Reply;
using smtp::ReplyLimits;
using smtp::ReplyParser;

struct Outcome {
  std::vector<Reply> replies;
  ReplyParser::Error error;
  std::string error_text;
  size_t buffered;
};

template <typename Split>
Outcome Parse(std::string_view data, const ReplyLimits& limits, Split next_chunk) {
  ReplyParser parser(limits);
  Outcome out;
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t n = std::min(data.size() - pos, std::max<size_t>(1, next_chunk()));
    parser.Feed(data.substr(pos, n));
    pos += n;
    // Draining between reads, as the session does, must not change anything.
    while (auto r = parser.Next()) out.replies.push_back(std::move(*r));
  }
  while (auto r = parser.Next()) out.replies.push_back(std::move(*r));
  out.error = parser.error();
  out.error_text = parser.ErrorText();
  out.buffered = parser.buffered();
  return out;
}

bool Same(const Outcome& a, const Outcome& b) {
  if (a.error != b.error || a.error_text != b.error_text || a.buffered != b.buffered ||
      a.replies.size() != b.replies.size()) {
    return false;
  }
  for (size_t i = 0; i < a.replies.size(); ++i) {
    const Reply& x = a.replies[i];
    const Reply& y = b.replies[i];
    if (x.code != y.code || x.enhanced != y.enhanced || x.lines != y.lines) return false;
  }
  return true;
}

void CheckReply(const Reply& r, const ReplyLimits& limits) {
  CV_FUZZ_CHECK(r.code >= 200 && r.code <= 599);
  CV_FUZZ_CHECK(!r.lines.empty());
  CV_FUZZ_CHECK(r.lines.size() <= limits.max_lines);
  size_t bytes = 0;
  for (const auto& line : r.lines) {
    CV_FUZZ_CHECK(line.size() <= limits.max_line_bytes);
    CV_FUZZ_CHECK(line.find('\n') == std::string::npos);
    bytes += line.size();
  }
  CV_FUZZ_CHECK(bytes <= limits.max_reply_bytes);
  CV_FUZZ_CHECK(r.lines[0].compare(0, r.enhanced.size(), r.enhanced) == 0);
  (void)r.Text();
  (void)r.Raw();
}

}  // namespace
}  // namespace cv::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cv::fuzz;
  using namespace cv::smtp;
  FuzzInput in(data, size);
  ReplyLimits limits;
  const uint8_t mode = in.Byte();
  if (mode & 1) {
    // Small limits, so the fuzzer reaches every limit with short inputs.
    limits.max_line_bytes = 1 + in.Byte() % 64;
    limits.max_lines = 1 + in.Byte() % 8;
    limits.max_reply_bytes = 1 + in.U16() % 512;
  }
  const uint32_t seed = in.U32();
  const std::string secret = in.Field(64);
  const std::string_view wire = in.Rest();

  const Outcome whole = Parse(wire, limits, [&] { return wire.size(); });
  const Outcome bytewise = Parse(wire, limits, [] { return 1; });
  uint32_t state = seed | 1;
  const Outcome chunked = Parse(wire, limits, [&] {
    state ^= state << 13, state ^= state >> 17, state ^= state << 5;  // xorshift32
    return static_cast<size_t>(state % 97);
  });
  CV_FUZZ_CHECK(Same(whole, bytewise));
  CV_FUZZ_CHECK(Same(whole, chunked));
  CV_FUZZ_CHECK(IsValidUtf8(whole.error_text));
  // What is held back is bounded by the limits, never by the input.
  CV_FUZZ_CHECK(whole.buffered <= limits.max_reply_bytes + 1);

  // A secret made of marker characters could reappear out of "<redacted>" itself: such a
  // secret proves nothing about redaction, so only the others are checked (the redactor
  // target checks every encoded form).
  const bool checkable = secret.size() >= 4 && secret.find_first_of("<>") == std::string::npos &&
                         std::string_view("<redacted>").find(secret) == std::string_view::npos;
  cv::Redactor redactor;
  redactor.Add(secret);
  for (const Reply& r : whole.replies) {
    CheckReply(r, limits);
    const Capabilities caps = ParseEhlo(r);
    (void)caps.HasAuth("PLAIN");
    (void)DecodeChallenge(r.Text());
    for (const auto& line : r.lines) {
      const std::string redacted = redactor.Scrub(line);
      if (checkable) CV_FUZZ_CHECK(redacted.find(secret) == std::string::npos);
      CV_FUZZ_CHECK(IsValidUtf8(cv::SanitizeForDisplay(redacted)));
    }
  }
  return 0;
}
