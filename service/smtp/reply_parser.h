#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "smtp/reply.h"

namespace cv::smtp {

// Limits that keep a hostile server from exhausting memory.
struct ReplyLimits {
  size_t max_line_bytes = 4096;     // RFC 5321 allows 512; real servers send up to ~1000
  size_t max_lines = 128;           // per reply
  size_t max_reply_bytes = 65536;   // per reply
};

// Sans-I/O parser: bytes in, complete replies out. Accepts CRLF and bare LF line ends. Never
// throws and never asserts on input; a protocol violation puts it into a sticky error state.
class ReplyParser {
 public:
  enum class Error {
    kNone,
    kLineTooLong,      // a line exceeded max_line_bytes (before its line end arrived)
    kTooManyLines,     // a multi-line reply exceeded max_lines
    kReplyTooLarge,    // a reply exceeded max_reply_bytes
    kMalformed,        // a line not of the form "NNN", "NNN text", "NNN-text", or a NUL byte
    kCodeMismatch,     // a continuation line with a different code than the first line
  };

  explicit ReplyParser(ReplyLimits limits = {});

  // Consumes all of `data`; completed replies queue up for Next(). After an error the rest is
  // ignored.
  void Feed(std::string_view data);
  // The next complete reply, if any.
  std::optional<Reply> Next();

  Error error() const;
  bool failed() const;
  // Human-readable description of error(), for probe details.
  std::string ErrorText() const;
  // Bytes of an incomplete reply held back (for diagnostics / tests).
  size_t buffered() const;
};

}  // namespace cv::smtp
