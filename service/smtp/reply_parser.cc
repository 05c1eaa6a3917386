#include "smtp/reply_parser.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "smtp/transcript.h"

namespace cv::smtp {
namespace {

// How much of an offending line ErrorText() quotes: enough to recognise "HTTP/1.1 400" or a
// TLS record, short enough for a one-line probe detail.
constexpr size_t kContextBytes = 64;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Length of the RFC 3463 enhanced status code ("5.7.139") that `text` starts with, or 0. The
// code must be followed by whitespace or the end, so "5.7.1abc" or an IP address is not one.
size_t EnhancedCodeLength(std::string_view text) {
  size_t i = 0;
  if (text.size() < 5 || (text[0] != '2' && text[0] != '4' && text[0] != '5')) return 0;
  i = 1;
  for (int part = 0; part < 2; ++part) {
    if (i >= text.size() || text[i] != '.') return 0;
    ++i;
    const size_t start = i;
    while (i < text.size() && IsDigit(text[i]) && i - start < 3) ++i;
    if (i == start) return 0;
  }
  if (i < text.size() && text[i] != ' ' && text[i] != '\t') return 0;
  return i;
}

int CodeOf(std::string_view line) {
  return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
}

}  // namespace

ReplyParser::ReplyParser(ReplyLimits limits) : limits_(limits) {}

void ReplyParser::Feed(std::string_view data) {
  for (const char c : data) {
    if (error_ != Error::kNone) return;
    if (c == '\n') {
      FinishLine();
      continue;
    }
    line_.push_back(c);
    if (c == '\0') {
      Fail(Error::kMalformed);
      return;
    }
    // A trailing CR may be the first half of CRLF, so it does not count against the line limit
    // until a byte other than LF follows it.
    const size_t content = line_.size() - (c == '\r' ? 1 : 0);
    if (content > limits_.max_line_bytes) {
      Fail(Error::kLineTooLong);
      return;
    }
    if (current_bytes_ + line_.size() > limits_.max_reply_bytes) {
      Fail(Error::kReplyTooLarge);
      return;
    }
    if (line_.size() <= 4 && !CheckLineStart()) return;
  }
}

bool ReplyParser::CheckLineStart() {
  const size_t n = line_.size();
  for (size_t i = 0; i < n && i < 3; ++i) {
    const bool ok = i == 0 ? (line_[0] >= '2' && line_[0] <= '5') : IsDigit(line_[i]);
    if (!ok) {
      Fail(Error::kMalformed);
      return false;
    }
  }
  if (n >= 3 && current_.code != 0 && CodeOf(line_) != current_.code) {
    Fail(Error::kCodeMismatch);
    return false;
  }
  // The CR case is settled in FinishLine(): "250\r\n" is fine, "250\rx" is not.
  if (n >= 4 && line_[3] != ' ' && line_[3] != '-' && line_[3] != '\r') {
    Fail(Error::kMalformed);
    return false;
  }
  return true;
}

void ReplyParser::FinishLine() {
  const size_t wire_bytes = line_.size() + 1;
  std::string_view line = line_;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  // Lines shorter than four bytes never went through the complete CheckLineStart() checks.
  if (line.size() < 3 || !CheckLineStart()) {
    if (error_ == Error::kNone) Fail(Error::kMalformed);
    return;
  }
  bool last = true;
  std::string_view text;
  if (line.size() > 3) {
    if (line[3] == '-') {
      last = false;
    } else if (line[3] != ' ') {
      Fail(Error::kMalformed);
      return;
    }
    text = line.substr(4);
  }
  if (current_.lines.size() >= limits_.max_lines) {
    Fail(Error::kTooManyLines);
    return;
  }
  if (current_bytes_ + wire_bytes > limits_.max_reply_bytes) {
    Fail(Error::kReplyTooLarge);
    return;
  }
  if (current_.code == 0) {
    current_.code = CodeOf(line);
    current_.enhanced = std::string(text.substr(0, EnhancedCodeLength(text)));
  }
  current_bytes_ += wire_bytes;
  current_.lines.emplace_back(text);
  line_.clear();
  if (last) {
    ready_.push_back(std::move(current_));
    current_ = Reply();
    current_bytes_ = 0;
  }
}

void ReplyParser::Fail(Error error) {
  error_ = error;
  // All of the line so far (bounded by max_line_bytes): the quote is cut only after redaction.
  error_context_ = line_;
  error_reply_code_ = current_.code;
  // Nothing more will be parsed: give the memory back.
  line_.clear();
  line_.shrink_to_fit();
  current_ = Reply();
  current_bytes_ = 0;
}

std::optional<Reply> ReplyParser::Next() {
  if (ready_.empty()) return std::nullopt;
  Reply reply = std::move(ready_.front());
  ready_.pop_front();
  return reply;
}

ReplyParser::Error ReplyParser::error() const { return error_; }

bool ReplyParser::failed() const { return error_ != Error::kNone; }

std::string ReplyParser::ErrorText(const Redactor* redactor) const {
  auto quoted = [this, redactor] {
    // Scrubbed whole, then cut: a cut first could leave part of a secret the scrub would miss.
    std::string context = redactor != nullptr ? redactor->Scrub(error_context_) : error_context_;
    const bool cut = context.size() > kContextBytes;
    if (cut) context.resize(kContextBytes);
    return absl::StrCat("\"", SanitizeForDisplay(context), cut ? "…" : "", "\"");
  };
  switch (error_) {
    case Error::kNone:
      return "no error";
    case Error::kLineTooLong:
      return absl::StrCat("reply line longer than ", limits_.max_line_bytes, " bytes");
    case Error::kTooManyLines:
      return absl::StrCat("reply with more than ", limits_.max_lines, " lines");
    case Error::kReplyTooLarge:
      return absl::StrCat("reply larger than ", limits_.max_reply_bytes, " bytes");
    case Error::kMalformed:
      return absl::StrCat("malformed reply line ", quoted());
    case Error::kCodeMismatch:
      return absl::StrCat("continuation line with a code other than ", error_reply_code_, ": ",
                          quoted());
  }
  return "unknown error";
}

size_t ReplyParser::buffered() const { return current_bytes_ + line_.size(); }

}  // namespace cv::smtp
