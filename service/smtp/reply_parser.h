#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "common/redactor.h"
#include "smtp/reply.h"

namespace cv::smtp {

// Limits that keep a hostile server from exhausting memory.
struct ReplyLimits {
  size_t max_line_bytes = 4096;    // RFC 5321 allows 512; real servers send up to ~1000
  size_t max_lines = 128;          // per reply
  size_t max_reply_bytes = 65536;  // per reply
};

// Sans-I/O parser: bytes in, complete replies out. Accepts CRLF and bare LF line ends. Never
// throws and never asserts on input; a protocol violation puts it into a sticky error state.
//
// Accepted lines: three digits whose first is 2..5 (RFC 5321 4.2), then end of line, " text" or
// "-text". The line length limit counts the bytes before the line end (CRLF or LF). A bare CR
// inside a line is kept as text (the transcript escapes it). Malformed starts and code
// mismatches are detected as soon as their first bytes arrive, so a server that speaks some
// other protocol fails fast instead of at the line limit. The enhanced status code (RFC 3463,
// class 2, 4 or 5) is taken from the first line only, when its text starts with one.
class ReplyParser {
 public:
  enum class Error {
    kNone,
    kLineTooLong,    // a line exceeded max_line_bytes (before its line end arrived)
    kTooManyLines,   // a multi-line reply exceeded max_lines
    kReplyTooLarge,  // a reply exceeded max_reply_bytes
    kMalformed,      // a line not of the form "NNN", "NNN text", "NNN-text", or a NUL byte
    kCodeMismatch,   // a continuation line with a different code than the first line
  };

  explicit ReplyParser(ReplyLimits limits = {});

  // Consumes all of `data`; completed replies queue up for Next(). After an error the rest is
  // ignored, but replies completed before the error still come out of Next().
  void Feed(std::string_view data);
  // The next complete reply, if any.
  std::optional<Reply> Next();

  Error error() const;
  bool failed() const;
  // Human-readable description of error(), for probe details; quotes (escaped, shortened) the
  // offending line start for kMalformed and kCodeMismatch, scrubbed by `redactor` when given
  // (the quote is server text). Valid UTF-8.
  std::string ErrorText(const Redactor* redactor = nullptr) const;
  // Bytes of an incomplete reply held back (for diagnostics / tests).
  size_t buffered() const;

 private:
  // Checks the start of line_ as far as it has arrived; false (and error set) if it cannot
  // become a valid line.
  bool CheckLineStart();
  void FinishLine();
  void Fail(Error error);

  ReplyLimits limits_;
  Error error_ = Error::kNone;
  std::string error_context_;  // raw start of the offending line, for ErrorText()
  int error_reply_code_ = 0;   // code of the reply being assembled when the error happened

  std::string line_;          // the current line so far, without its line end (may end in a CR)
  Reply current_;             // the reply being assembled; current_.code == 0 before its first line
  size_t current_bytes_ = 0;  // bytes of current_'s finished lines, line ends included
  std::deque<Reply> ready_;
};

}  // namespace cv::smtp
