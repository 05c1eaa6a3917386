#include "smtp/transcript.h"

#include <cstdint>
#include <cstdio>

namespace cv::smtp {
namespace {

constexpr std::string_view kRedacted = Redactor::kMarker;
constexpr std::string_view kEllipsis = "…";  // U+2026: 3 bytes of UTF-8
constexpr std::string_view kTruncatedMarker = "-- transcript truncated";

bool IsContinuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// The display form of the next character of `in` at `*pos` (see SanitizeForDisplay), written
// to `unit`; advances `*pos`. Works on whole characters so callers can cut between them.
void NextUnit(std::string_view in, size_t* pos, std::string* unit) {
  unit->clear();
  const uint8_t b0 = static_cast<uint8_t>(in[*pos]);
  char buf[16];
  if (b0 >= 0x20 && b0 < 0x7F) {
    unit->push_back(static_cast<char>(b0));
    ++*pos;
    return;
  }
  // Length and the allowed range of the second byte of a well-formed sequence (RFC 3629
  // section 4): this rules out overlong forms, surrogates and code points above U+10FFFF.
  size_t len = 0;
  uint8_t lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  }
  bool ok = len > 0 && *pos + len <= in.size();
  if (ok) {
    const uint8_t b1 = static_cast<uint8_t>(in[*pos + 1]);
    ok = b1 >= lo && b1 <= hi;
    for (size_t i = 2; ok && i < len; ++i) ok = IsContinuation(static_cast<uint8_t>(in[*pos + i]));
  }
  if (!ok) {
    std::snprintf(buf, sizeof(buf), "\\x%02x", b0);
    unit->append(buf);
    ++*pos;
    return;
  }
  uint32_t cp = b0 & (0xFF >> (len + 1));
  for (size_t i = 1; i < len; ++i) cp = (cp << 6) | (static_cast<uint8_t>(in[*pos + i]) & 0x3F);
  const bool deceptive = (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
                         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
  if (deceptive) {
    std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(cp));
    unit->append(buf);
  } else {
    unit->append(in.substr(*pos, len));
  }
  *pos += len;
}

std::string_view StripLeadingSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

std::string_view FirstToken(std::string_view s) {
  size_t end = 0;
  while (end < s.size() && s[end] != ' ' && s[end] != '\t') ++end;
  return s.substr(0, end);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// "AUTH PLAIN dXNlcg==" -> "AUTH PLAIN <redacted>"; other commands unchanged.
std::string RedactAuth(std::string_view line) {
  std::string_view rest = StripLeadingSpace(line);
  const std::string_view verb = FirstToken(rest);
  if (!EqualsIgnoreCase(verb, "AUTH")) return std::string(line);
  rest = StripLeadingSpace(rest.substr(verb.size()));
  const std::string_view mechanism = FirstToken(rest);
  rest = StripLeadingSpace(rest.substr(mechanism.size()));
  std::string out(verb);
  if (!mechanism.empty()) {
    out += ' ';
    out += mechanism;
  }
  if (!rest.empty()) {
    out += ' ';
    out += kRedacted;
  }
  return out;
}

}  // namespace

std::string SanitizeForDisplay(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::string unit;
  size_t pos = 0;
  while (pos < text.size()) {
    NextUnit(text, &pos, &unit);
    out += unit;
  }
  return out;
}

Transcript::Transcript(std::shared_ptr<const Redactor> redactor, size_t max_lines,
                       size_t max_line_bytes)
    : max_lines_(max_lines), max_line_bytes_(max_line_bytes), redactor_(std::move(redactor)) {}

void Transcript::Client(std::string_view line) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  // Pipelined commands arrive as one buffer; each gets its own line. The empty line that
  // answers a SASL error challenge is kept as "C: ".
  while (true) {
    const size_t nl = line.find('\n');
    std::string_view piece = line.substr(0, nl);
    if (piece.ends_with('\r')) piece.remove_suffix(1);
    Add("C: ", Redact(RedactAuth(piece)));
    if (nl == std::string_view::npos) break;
    line.remove_prefix(nl + 1);
  }
}

void Transcript::ClientSecret() { Add("C: ", kRedacted); }

void Transcript::Server(const Reply& reply) {
  const std::string code = std::to_string(reply.code);
  if (reply.lines.empty()) {
    Add("S: ", code);
    return;
  }
  for (size_t i = 0; i < reply.lines.size(); ++i) {
    const bool last = i + 1 == reply.lines.size();
    std::string text = code;
    if (!last) {
      text += '-';
    } else if (!reply.lines[i].empty()) {
      text += ' ';
    }
    text += Redact(reply.lines[i]);
    Add("S: ", text);
  }
}

void Transcript::Note(std::string_view text) { Add("-- ", Redact(text)); }

const std::vector<std::string>& Transcript::lines() const { return lines_; }

std::string Transcript::Redact(std::string_view text) const {
  if (redactor_ == nullptr) return std::string(text);
  return redactor_->Scrub(text);
}

void Transcript::Add(std::string_view prefix, std::string_view text) {
  if (truncated_) return;
  if (lines_.size() >= max_lines_) {
    lines_.emplace_back(kTruncatedMarker);
    truncated_ = true;
    return;
  }
  // Sanitize character by character and stop at the limit, remembering the last character
  // boundary that still leaves room for the marker, so neither a UTF-8 sequence nor an escape
  // is ever split and a huge input costs no more than the limit.
  std::string out;
  size_t fit = 0;
  bool cut = false;
  auto push = [&](std::string_view unit) {
    if (out.size() + unit.size() > max_line_bytes_) {
      cut = true;
      return false;
    }
    out += unit;
    if (out.size() + kEllipsis.size() <= max_line_bytes_) fit = out.size();
    return true;
  };
  for (size_t i = 0; i < prefix.size() && !cut; ++i) push(prefix.substr(i, 1));
  std::string unit;
  size_t pos = 0;
  while (!cut && pos < text.size()) {
    NextUnit(text, &pos, &unit);
    push(unit);
  }
  if (cut) {
    out.resize(fit);
    out += kEllipsis;
  }
  lines_.push_back(std::move(out));
}

}  // namespace cv::smtp
