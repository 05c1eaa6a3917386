#include "smtp/transcript.h"

#include "common/display.h"

namespace cv::smtp {
namespace {

constexpr std::string_view kRedacted = Redactor::kMarker;
constexpr std::string_view kEllipsis = "…";  // U+2026: 3 bytes of UTF-8
constexpr std::string_view kTruncatedMarker = "-- transcript truncated";

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
    NextDisplayUnit(text, &pos, &unit);
    push(unit);
  }
  if (cut) {
    out.resize(fit);
    out += kEllipsis;
  }
  lines_.push_back(std::move(out));
}

}  // namespace cv::smtp
