#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

// HTTPS URLs of the OAuth endpoints and the encodings their requests need. Pure code.
namespace cv::net {

// An https URL: where to connect and the path below it. Only https: tokens never cross the
// network in clear, and nothing here follows a URL a server sent.
struct Url {
  std::string host;  // a DNS name or an IP literal (IPv6 without brackets)
  uint16_t port = 443;
  std::string path;  // "" or starting with '/', never ending with '/' for a base URL

  // "https://host" or "https://host:port" (IPv6 in brackets): for messages and Host headers.
  std::string Origin() const;
  // The Host header value: host, with ":port" unless it is 443.
  std::string HostHeader() const;
};

// "https://host[:port][/path]". A query or fragment is refused (a base URL has none); a
// trailing '/' is dropped so that base + "/v1.0/..." never doubles it. The error names what is
// wrong but not the text (flags may be pasted with secrets in them by mistake).
absl::StatusOr<Url> ParseHttpsUrl(std::string_view text);

// "HOST[:PORT]" (IPv6 as "[::1]:PORT") with a default port.
absl::StatusOr<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view text,
                                                               uint16_t default_port);

// RFC 3986 percent-encoding of everything but the unreserved characters (ALPHA DIGIT - . _ ~)
// and the bytes in `keep`.
std::string PercentEncode(std::string_view text, std::string_view keep = "");
// One path segment (e.g. a mailbox address): '@' stays readable, '/', '?', '#', '%' and
// everything else outside the unreserved set are encoded.
std::string EncodePathSegment(std::string_view segment);
// application/x-www-form-urlencoded body from name/value pairs, in order.
std::string FormEncode(const std::vector<std::pair<std::string_view, std::string_view>>& fields);

}  // namespace cv::net
