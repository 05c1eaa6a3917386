#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "smtp/reply.h"

namespace cv::smtp {

// The redacted record of one SMTP dialog: "C: EHLO verifier.example" / "S: 250-PIPELINING".
// AUTH payloads never enter it. Bounded: beyond max_lines it keeps a marker line only.
class Transcript {
 public:
  explicit Transcript(size_t max_lines = 200, size_t max_line_bytes = 512);

  // A command line as sent (CRLF stripped here). AUTH lines keep their verb and mechanism:
  // "AUTH PLAIN <redacted>".
  void Client(std::string_view line);
  // A SASL continuation or other secret payload: recorded as "C: <redacted>".
  void ClientSecret();
  void Server(const Reply& reply);
  // An observation that is not a protocol line: "-- TLS established: TLSv1.3 ...".
  void Note(std::string_view text);

  const std::vector<std::string>& lines() const;
};

// Replaces every occurrence of each secret (and of its base64 form) in `text` with
// "<redacted>". For server replies that echo what they were sent. Empty secrets are ignored.
std::string RedactSecrets(std::string_view text, const std::vector<std::string_view>& secrets);

// Escapes bytes that are not printable UTF-8 ("\\x00"), so server text stays valid in protobuf
// strings, JSON and logs.
std::string SanitizeForDisplay(std::string_view text);

}  // namespace cv::smtp
