#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/display.h"
#include "common/redactor.h"
#include "smtp/reply.h"

namespace cv::smtp {

// The redacted record of one SMTP dialog: "C: EHLO verifier.example" / "S: 250-PIPELINING".
// AUTH payloads never enter it, and server lines and notes pass the call's Redactor. Bounded:
// beyond max_lines it keeps a marker line only. Every line is valid UTF-8 (see SanitizeForDisplay),
// so it can go into a protobuf string.
class Transcript {
 public:
  // At most `max_lines` lines are kept, plus one "-- transcript truncated" marker after them.
  // A longer line is cut to at most `max_line_bytes` bytes, ending in "…" (U+2026, 3 bytes).
  // `redactor` (may be null: nothing to redact) scrubs every server line and note.
  explicit Transcript(std::shared_ptr<const Redactor> redactor = nullptr, size_t max_lines = 200,
                      size_t max_line_bytes = 512);

  // A command line as sent (CRLF stripped here; several CRLF-separated commands, as with
  // pipelining, become one line each). AUTH lines keep their verb and mechanism:
  // "AUTH PLAIN <redacted>"; "AUTH LOGIN" without a payload stays as it is.
  void Client(std::string_view line);
  // A SASL continuation or other secret payload: recorded as "C: <redacted>".
  void ClientSecret();
  // One "S: " line per reply line, as sent: "S: 250-PIPELINING", "S: 250 SMTPUTF8", "S: 250".
  void Server(const Reply& reply);
  // An observation that is not a protocol line: "-- TLS established: TLSv1.3 ...".
  void Note(std::string_view text);

  const std::vector<std::string>& lines() const;
  bool truncated() const { return truncated_; }

 private:
  void Add(std::string_view prefix, std::string_view text);
  std::string Redact(std::string_view text) const;

  size_t max_lines_;
  size_t max_line_bytes_;
  bool truncated_ = false;
  std::shared_ptr<const Redactor> redactor_;
  std::vector<std::string> lines_;
};

}  // namespace cv::smtp
