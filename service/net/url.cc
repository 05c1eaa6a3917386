#include "net/url.h"

#include <boost/asio/ip/address.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"

namespace cv::net {
namespace {

bool IsUnreserved(unsigned char c) {
  return absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

bool IsIpv6Literal(std::string_view host) { return host.find(':') != std::string_view::npos; }

// A host name of LDH labels (underscores tolerated, as some internal names use them) or an IP
// literal; anything else could smuggle bytes into the Host header or the SNI.
bool ValidHost(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(host), ec);
  if (!ec) return true;
  for (unsigned char c : host) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '.' && c != '_') return false;
  }
  return host.front() != '.' && host.front() != '-';
}

absl::StatusOr<uint16_t> ParsePort(std::string_view text) {
  uint32_t port = 0;
  if (text.empty() || text.size() > 5 || !absl::SimpleAtoi(Av(text), &port) || port == 0 ||
      port > 65535) {
    return absl::InvalidArgumentError("the port must be a number from 1 to 65535");
  }
  return static_cast<uint16_t>(port);
}

}  // namespace

std::string Url::Origin() const {
  std::string out = "https://";
  out += IsIpv6Literal(host) ? absl::StrCat("[", host, "]") : host;
  if (port != 443) absl::StrAppend(&out, ":", port);
  return out;
}

std::string Url::HostHeader() const { return Origin().substr(8); }

absl::StatusOr<std::pair<std::string, uint16_t>> ParseHostPort(std::string_view text,
                                                               uint16_t default_port) {
  std::string_view host = text;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return absl::InvalidArgumentError("unclosed '['");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return absl::InvalidArgumentError("expected ':' after ']'");
      port_text = rest.substr(1);
      if (port_text.empty()) return absl::InvalidArgumentError("empty port");
    }
  } else if (const size_t colon = text.rfind(':'); colon != std::string_view::npos) {
    if (text.find(':') != colon) {
      return absl::InvalidArgumentError("write an IPv6 address in brackets: [::1]:587");
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (port_text.empty()) return absl::InvalidArgumentError("empty port");
  }
  if (!ValidHost(host)) return absl::InvalidArgumentError("not a valid host name or IP address");
  uint16_t port = default_port;
  if (!port_text.empty()) {
    auto parsed = ParsePort(port_text);
    if (!parsed.ok()) return parsed.status();
    port = *parsed;
  }
  return std::make_pair(std::string(host), port);
}

absl::StatusOr<Url> ParseHttpsUrl(std::string_view text) {
  constexpr std::string_view kScheme = "https://";
  if (text.size() < kScheme.size() ||
      !absl::EqualsIgnoreCase(Av(text.substr(0, kScheme.size())), Av(kScheme))) {
    return absl::InvalidArgumentError("must start with https://");
  }
  std::string_view rest = text.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return absl::InvalidArgumentError("must not have a query or fragment");
  }
  for (unsigned char c : rest) {
    if (c <= 0x20 || c >= 0x7f) {
      return absl::InvalidArgumentError("must not contain spaces, control or non-ASCII bytes");
    }
  }
  const size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos) {
    return absl::InvalidArgumentError("must not carry user information");
  }
  auto host_port = ParseHostPort(authority, 443);
  if (!host_port.ok()) return host_port.status();
  Url url;
  url.host = absl::AsciiStrToLower(Av(host_port->first));
  url.port = host_port->second;
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    url.path = std::string(path);
  }
  return url;
}

std::string PercentEncode(std::string_view text, std::string_view keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (IsUnreserved(c) || (c != 0 && keep.find(static_cast<char>(c)) != std::string_view::npos)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string EncodePathSegment(std::string_view segment) { return PercentEncode(segment, "@"); }

std::string FormEncode(const std::vector<std::pair<std::string_view, std::string_view>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += PercentEncode(name);
    out += '=';
    out += PercentEncode(value);
  }
  return out;
}

}  // namespace cv::net
