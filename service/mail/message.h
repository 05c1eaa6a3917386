#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include "common/lang.h"

// The test message of SendTest, built by pure code (no clock, no randomness, no I/O: the
// caller passes the date and the unique parts), so tests can compare it byte by byte.
//
// What it promises: CRLF line ends only; no line longer than 78 octets except a header that
// carries one long address or id (those cannot be folded, and stay far below 998); the body is
// text/plain; charset=UTF-8 in quoted-printable, so it is 7-bit; the Subject is RFC 2047
// encoded when it is not ASCII. Addresses go in as they are (validated upstream: one addr-spec,
// no CR, LF, NUL); a non-ASCII local part makes the From/To headers UTF-8 (RFC 6532), which
// needs SMTPUTF8 on the wire (see NeedsSmtpUtf8).
namespace cv::mail {

// The header that marks a message as a channel test; its value is the correlation id. An "X-"
// name, so Microsoft Graph (which takes custom headers only with that prefix) can carry it too.
inline constexpr std::string_view kTestHeader = "X-Channel-Verifier-Test";

struct TestMessageParams {
  std::string from;  // addr-spec of the channel's sender
  std::string to;    // addr-spec of the one recipient
  Lang lang = Lang::kEn;
  std::time_t date = 0;        // seconds since the epoch; written as UTC
  std::string unique;          // [0-9a-z] token that makes the Message-ID unique
  std::string correlation_id;  // value of X-Channel-Verifier-Test, also quoted in the body
  std::string channel;         // how the message was sent, e.g. "smtp.example.com:587 (STARTTLS)"
};

struct TestMessage {
  std::string data;        // header and body, CRLF line ends, ending with CRLF; not dot-stuffed
  std::string message_id;  // with angle brackets, as in the header
  std::string correlation_id;
  std::string subject;  // unencoded, for the caller's records
  // The body as text (UTF-8, "\n" line ends), before the transfer encoding: for APIs that
  // take a message as fields (Microsoft Graph) rather than as RFC 5322 bytes.
  std::string body_text;
};

TestMessage BuildTestMessage(const TestMessageParams& params);

// The message as it goes after DATA: every line that begins with "." gets a second one
// (RFC 5321 4.5.2), and ".CRLF" ends it. A bare CR or LF counts as a line end and is written
// as CRLF, so no input can smuggle an end of data past a server that reads bare LFs.
std::string DotStuff(std::string_view message);

// RFC 2047 encoded-words ("=?UTF-8?Q?...?=") for an unstructured header value that is not
// printable ASCII, folded so that no line exceeds 78 octets; `used` is what the line already
// holds ("Subject: " = 9). A UTF-8 character is never split across two encoded-words.
// Printable ASCII comes back as is (folded at spaces when too long).
std::string EncodeHeaderText(std::string_view text, size_t used);

// RFC 2045 quoted-printable of UTF-8 text whose line ends are "\n" (or CRLF): lines of at most
// 76 octets with soft breaks, "=" and bytes outside printable ASCII as =XX, trailing spaces and
// tabs encoded, CRLF line ends.
std::string QuotedPrintable(std::string_view text);

// "Tue, 26 Nov 2024 01:57:04 +0000" (RFC 5322 3.3).
std::string FormatDate(std::time_t t);

// True when an address has a non-ASCII byte: sending it needs SMTPUTF8 (RFC 6531).
bool NeedsSmtpUtf8(std::string_view address);

}  // namespace cv::mail
