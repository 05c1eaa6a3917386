#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

// The egress policy (SSRF guard): every address a caller's host name resolves to is classified
// before anything is dialed, and only the vetted literal is dialed. Pure code, no I/O.
namespace cv::net {

enum class AddressClass {
  kPublic,
  kUnspecified,     // 0.0.0.0/8, ::
  kLoopback,        // 127/8, ::1
  kPrivate,         // RFC 1918
  kLinkLocal,       // 169.254/16 (incl. 169.254.169.254 metadata), fe80::/10
  kCgnat,           // 100.64/10
  kMulticast,       // 224/4, ff00::/8
  kBroadcast,       // 255.255.255.255
  kReserved,        // 240/4, 192.0.0/24, and other IANA special-purpose blocks
  kDocumentation,   // 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32
  kBenchmarking,    // 198.18/15, 2001:2::/48
  kUniqueLocal,     // fc00::/7
  kSiteLocal,       // fec0::/10 (deprecated)
  kDiscardOnly,     // 100::/64
  kEmbeddedDenied,  // IPv4-mapped, IPv4-compatible, NAT64, 6to4 or Teredo carrying a denied IPv4
  kTunnel,          // 6to4 / Teredo: denied by default whatever they carry
};

std::string_view AddressClassName(AddressClass c);

struct Classification {
  AddressClass address_class = AddressClass::kPublic;
  // Human-readable reason, e.g. "169.254.169.254 is link-local (cloud metadata service)".
  std::string reason;
};

Classification Classify(const boost::asio::ip::address& address);

// For IPv4-mapped IPv6 (::ffff:a.b.c.d) the IPv4 address, so the connector dials IPv4;
// otherwise the address unchanged.
boost::asio::ip::address Normalize(const boost::asio::ip::address& address);

struct Cidr {
  boost::asio::ip::address network;
  int prefix_length = 0;
  bool Contains(const boost::asio::ip::address& address) const;  // IPv4-mapped matched as IPv4
};
// "127.0.0.0/8", "::1/128", "10.1.2.3" (a host route). Error text names the bad part.
absl::StatusOr<Cidr> ParseCidr(std::string_view text);
// Comma-separated list; empty string -> empty list.
absl::StatusOr<std::vector<Cidr>> ParseCidrList(std::string_view text);
absl::StatusOr<std::vector<uint16_t>> ParsePortList(std::string_view text);

enum class Purpose { kSmtp, kHttps };

class EgressPolicy {
 public:
  struct Options {
    std::vector<Cidr> allow_cidrs;  // trusted: allowed whatever their class, on any port
    std::vector<uint16_t> smtp_ports = {25, 465, 587, 2525};
    std::vector<uint16_t> https_ports = {443};
  };
  struct Decision {
    bool allowed = false;
    std::string reason;  // why it was refused (or "public address" / "allowed by --allow_cidrs")
  };

  EgressPolicy() = default;
  explicit EgressPolicy(Options options);

  Decision Check(const boost::asio::ip::address& address, uint16_t port, Purpose purpose) const;
  // The port alone (before resolution): allowed ports for the purpose, or any port when the
  // host is an IP literal inside allow_cidrs. Used to refuse early.
  bool PortAllowedSomewhere(uint16_t port, Purpose purpose) const;

  const Options& options() const { return options_; }

 private:
  Options options_;
};

}  // namespace cv::net
