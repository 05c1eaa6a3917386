// The SendTest message builder and its encoders with fuzzed addresses, ids, channel text and
// header/body text.
//
// Properties (what message.h promises): DotStuff always ends the data exactly once, at its end,
// has CRLF line ends only and un-stuffs back to the input; quoted-printable is 7-bit with lines
// of at most 76 octets and decodes back to the input; an encoded header value can never start
// a new header line (every line break is a fold); a built message has CRLF line ends only, a
// blank line after its headers and a 7-bit body.
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_input.h"
#include "mail/message.h"

namespace cv::fuzz {
namespace {

bool OnlyCrlfLineEnds(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' && (i + 1 >= s.size() || s[i + 1] != '\n')) return false;
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return false;
  }
  return true;
}

std::vector<std::string_view> Lines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t at = s.find("\r\n"); at != std::string_view::npos; at = s.find("\r\n", start)) {
    out.push_back(s.substr(start, at - start));
    start = at + 2;
  }
  if (start < s.size()) out.push_back(s.substr(start));
  return out;
}

// What DotStuff promises to preserve: the text with every bare CR, bare LF or CRLF as CRLF,
// ending with a line end.
std::string NormalizeLineEnds(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' || s[i] == '\n') {
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      out += "\r\n";
    } else {
      out += s[i];
    }
  }
  if (!out.empty() && out.back() != '\n') out += "\r\n";
  return out;
}

void CheckDotStuff(std::string_view input) {
  const std::string stuffed = mail::DotStuff(input);
  CV_FUZZ_CHECK(OnlyCrlfLineEnds(stuffed));
  CV_FUZZ_CHECK(stuffed.size() >= 3 && stuffed.substr(stuffed.size() - 3) == ".\r\n");
  const std::vector<std::string_view> lines = Lines(stuffed);
  CV_FUZZ_CHECK(!lines.empty() && lines.back() == ".");
  std::string unstuffed;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    // Only the last line may be a lone dot: anything else would end the data early.
    CV_FUZZ_CHECK(lines[i] != ".");
    std::string_view line = lines[i];
    if (!line.empty() && line[0] == '.') {
      CV_FUZZ_CHECK(line.size() >= 2 && line[1] == '.');
      line.remove_prefix(1);
    }
    unstuffed.append(line).append("\r\n");
  }
  CV_FUZZ_CHECK(unstuffed == NormalizeLineEnds(input));
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void CheckQuotedPrintable(std::string_view text) {
  const std::string qp = mail::QuotedPrintable(text);
  CV_FUZZ_CHECK(OnlyCrlfLineEnds(qp));
  std::string decoded;
  for (std::string_view line : Lines(qp)) {
    CV_FUZZ_CHECK(line.size() <= 76);
    // RFC 2045 6.7 (3): a tab, like a space, may stand for itself inside a line.
    for (char c : line) CV_FUZZ_CHECK(c == '\t' || (c >= 0x20 && c <= 0x7e));
    // A space or tab at a line's end is lost in transport; the encoder must never leave one.
    CV_FUZZ_CHECK(line.empty() || (line.back() != ' ' && line.back() != '\t'));
    bool soft = false;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] != '=') {
        decoded += line[i];
        continue;
      }
      if (i + 1 == line.size()) {
        soft = true;
        break;
      }
      CV_FUZZ_CHECK(i + 2 < line.size() && Hex(line[i + 1]) >= 0 && Hex(line[i + 2]) >= 0);
      decoded += static_cast<char>(Hex(line[i + 1]) * 16 + Hex(line[i + 2]));
      i += 2;
    }
    if (!soft) decoded += '\n';
  }
  // The input's lines, "\n" or CRLF ended; a last line without a line end gets one.
  std::string expected;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    const bool newline = end != std::string_view::npos;
    if (!newline) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    expected.append(line).append("\n");
    start = newline ? end + 1 : end;
  }
  CV_FUZZ_CHECK(decoded == expected);
}

void CheckHeaderText(std::string_view text, size_t used) {
  const std::string encoded = mail::EncodeHeaderText(text, used);
  // The only line breaks allowed are folds (CRLF then a blank): a bare CR or LF, or a CRLF
  // followed by anything else, would start a header of the input's choosing.
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] == '\n') CV_FUZZ_CHECK(i > 0 && encoded[i - 1] == '\r');
    if (encoded[i] == '\r') {
      CV_FUZZ_CHECK(i + 2 < encoded.size() && encoded[i + 1] == '\n' &&
                    (encoded[i + 2] == ' ' || encoded[i + 2] == '\t'));
    }
  }
  for (char c : encoded) CV_FUZZ_CHECK(c != '\0');
}

// What the RPC validation lets through for an address or id: no CR, LF or NUL.
std::string Validated(std::string s) {
  std::erase_if(s, [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
  return s;
}

}  // namespace
}  // namespace cv::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cv::fuzz;
  using namespace cv::mail;
  FuzzInput in(data, size);
  const uint8_t which = in.Byte();
  const size_t used = in.Byte();
  if (which % 4 == 0) {
    const std::string_view text = in.Rest();
    CheckDotStuff(text);
    CheckQuotedPrintable(text);
    CheckHeaderText(text, used);
    return 0;
  }
  TestMessageParams params;
  params.lang = in.Bool() ? cv::Lang::kDe : cv::Lang::kEn;
  params.date = static_cast<std::time_t>(in.U64());
  params.from = Validated(in.Field(320));
  params.to = Validated(in.Field(320));
  params.unique = in.Field(64);
  std::erase_if(params.unique,
                [](char c) { return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')); });
  params.correlation_id = Validated(in.Field(128));
  params.channel = in.Field(512);  // the body is quoted-printable: anything goes
  const TestMessage m = BuildTestMessage(params);
  (void)FormatDate(params.date);
  (void)NeedsSmtpUtf8(params.from);
  CV_FUZZ_CHECK(OnlyCrlfLineEnds(m.data));
  CV_FUZZ_CHECK(m.data.size() >= 2 && m.data.substr(m.data.size() - 2) == "\r\n");
  const size_t blank = m.data.find("\r\n\r\n");
  CV_FUZZ_CHECK(blank != std::string::npos);
  for (size_t i = blank + 4; i < m.data.size(); ++i) {
    CV_FUZZ_CHECK(static_cast<unsigned char>(m.data[i]) < 0x80);
  }
  for (std::string_view line : Lines(m.data.substr(blank + 4))) CV_FUZZ_CHECK(line.size() <= 76);
  CheckDotStuff(m.data);
  return 0;
}
