#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/reply.h"

// Encoders for the SMTP commands the service sends. Every function returns the complete line
// including CRLF. Arguments must already have been validated by the caller (no CR, LF or NUL):
// these functions defend anyway and return an empty string for such input, so a bug upstream
// can never inject a command. EHLO/HELO with an empty domain and RCPT TO with an empty address
// are not commands either and also give "". MAIL FROM with an empty address is the null
// reverse-path "MAIL FROM:<>".
namespace cv::smtp {

std::string Ehlo(std::string_view domain);
std::string Helo(std::string_view domain);
std::string StartTls();
std::string Quit();
std::string Rset();
std::string Data();
// MAIL FROM:<addr> [SIZE=n] [SMTPUTF8]
std::string MailFrom(std::string_view address, std::optional<uint64_t> size, bool smtputf8);
std::string RcptTo(std::string_view address);

// What EHLO advertised (RFC 5321 4.1.1.1 and the extensions' RFCs).
struct Capabilities {
  std::string server_name;  // first word of the first line
  bool starttls = false;
  bool smtputf8 = false;
  bool pipelining = false;
  bool eightbitmime = false;
  std::optional<uint64_t> size;              // SIZE n (0 = no fixed limit)
  std::vector<std::string> auth_mechanisms;  // upper-cased, from "AUTH a b" and "AUTH=a b"
  std::vector<std::string> keywords;         // every extension keyword, upper-cased

  bool HasAuth(std::string_view mechanism) const;  // case-insensitive
};
// Anything but a 250 reply yields empty Capabilities. Lines whose first word is not an
// ehlo-keyword (RFC 5321: letters, digits, "-") and AUTH parameters that are not SASL mechanism
// names (RFC 4422) are skipped, so the lists hold plain ASCII only; server_name is passed
// through SanitizeForDisplay. "SIZE" without a readable number gives size == 0.
Capabilities ParseEhlo(const Reply& reply);

}  // namespace cv::smtp
