#include "net/egress.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"

namespace cv::net {
namespace {

using boost::asio::ip::address;
using boost::asio::ip::address_v4;
using boost::asio::ip::address_v6;
using Bytes6 = address_v6::bytes_type;

std::vector<std::string_view> SplitComma(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t comma = s.find(',', start);
    parts.push_back(s.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) return parts;
    start = comma + 1;
  }
}

// One special-purpose block. `what` completes "<address> is ...", so a refusal reads as a
// sentence an operator can act on without looking up the registry.
struct V4Range {
  uint32_t network;
  int prefix;
  AddressClass cls;
  const char* what;
};

constexpr uint32_t V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  return (uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | uint32_t{d};
}

// First match wins, so a more specific block precedes the block that contains it.
// Source: IANA IPv4 Special-Purpose Address Registry (RFC 6890 and updates); blocks marked
// there as globally reachable (e.g. AS112 192.31.196.0/24) are left public on purpose.
constexpr V4Range kV4Ranges[] = {
    {V4(0, 0, 0, 0), 8, AddressClass::kUnspecified, "in \"this network\" 0.0.0.0/8 (RFC 791)"},
    {V4(10, 0, 0, 0), 8, AddressClass::kPrivate, "private (RFC 1918)"},
    {V4(100, 64, 0, 0), 10, AddressClass::kCgnat,
     "in the shared address space for carrier-grade NAT 100.64.0.0/10 (RFC 6598)"},
    {V4(127, 0, 0, 0), 8, AddressClass::kLoopback, "loopback (127.0.0.0/8)"},
    {V4(169, 254, 169, 254), 32, AddressClass::kLinkLocal, "link-local (cloud metadata service)"},
    {V4(169, 254, 0, 0), 16, AddressClass::kLinkLocal, "link-local (169.254.0.0/16, RFC 3927)"},
    {V4(172, 16, 0, 0), 12, AddressClass::kPrivate, "private (RFC 1918)"},
    {V4(192, 0, 0, 0), 24, AddressClass::kReserved,
     "in the IETF protocol assignments block 192.0.0.0/24 (RFC 6890)"},
    {V4(192, 0, 2, 0), 24, AddressClass::kDocumentation,
     "reserved for documentation (TEST-NET-1 192.0.2.0/24, RFC 5737)"},
    {V4(192, 88, 99, 0), 24, AddressClass::kReserved,
     "in the deprecated 6to4 relay anycast block 192.88.99.0/24 (RFC 7526)"},
    {V4(192, 168, 0, 0), 16, AddressClass::kPrivate, "private (RFC 1918)"},
    {V4(198, 18, 0, 0), 15, AddressClass::kBenchmarking,
     "reserved for benchmarking (198.18.0.0/15, RFC 2544)"},
    {V4(198, 51, 100, 0), 24, AddressClass::kDocumentation,
     "reserved for documentation (TEST-NET-2 198.51.100.0/24, RFC 5737)"},
    {V4(203, 0, 113, 0), 24, AddressClass::kDocumentation,
     "reserved for documentation (TEST-NET-3 203.0.113.0/24, RFC 5737)"},
    {V4(224, 0, 0, 0), 4, AddressClass::kMulticast, "multicast (224.0.0.0/4)"},
    {V4(255, 255, 255, 255), 32, AddressClass::kBroadcast, "the limited broadcast address"},
    {V4(240, 0, 0, 0), 4, AddressClass::kReserved, "reserved for future use (240.0.0.0/4)"},
};

struct V6Range {
  Bytes6 network;
  int prefix;
  AddressClass cls;
  const char* what;
};

constexpr Bytes6 B6(std::initializer_list<uint16_t> groups) {
  Bytes6 b{};
  size_t i = 0;
  for (uint16_t g : groups) {
    b[i++] = static_cast<unsigned char>(g >> 8);
    b[i++] = static_cast<unsigned char>(g & 0xff);
  }
  return b;
}

// Blocks whose class does not depend on an embedded IPv4 address. First match wins. The
// embedding blocks (::ffff:0:0/96, ::/96, NAT64, Teredo, 6to4) are handled in code before this
// table. Source: IANA IPv6 Special-Purpose Address Registry.
const V6Range kV6Ranges[] = {
    {B6({0x100, 0, 0, 0}), 64, AddressClass::kDiscardOnly, "discard-only (100::/64, RFC 6666)"},
    {B6({0x2001, 0x2}), 48, AddressClass::kBenchmarking,
     "reserved for benchmarking (2001:2::/48, RFC 5180)"},
    {B6({0x2001, 0x10}), 28, AddressClass::kReserved,
     "in the deprecated ORCHID block 2001:10::/28 (RFC 4843)"},
    {B6({0x2001, 0x20}), 28, AddressClass::kReserved, "ORCHIDv2 (2001:20::/28, RFC 7343)"},
    // The rest of the IETF protocol assignments (anycast for PCP/TURN, AMT, AS112, DRIP): none
    // of it is a place a mail or HTTPS server lives.
    {B6({0x2001, 0}), 23, AddressClass::kReserved,
     "in the IETF protocol assignments block 2001::/23 (RFC 2928)"},
    {B6({0x2001, 0xdb8}), 32, AddressClass::kDocumentation,
     "reserved for documentation (2001:db8::/32, RFC 3849)"},
    {B6({0x3fff, 0}), 20, AddressClass::kDocumentation,
     "reserved for documentation (3fff::/20, RFC 9637)"},
    {B6({0x5f00}), 16, AddressClass::kReserved, "reserved for SRv6 SIDs (5f00::/16, RFC 9602)"},
    {B6({0xfc00}), 7, AddressClass::kUniqueLocal, "unique local (fc00::/7, RFC 4193)"},
    {B6({0xfe80}), 10, AddressClass::kLinkLocal, "link-local (fe80::/10)"},
    {B6({0xfec0}), 10, AddressClass::kSiteLocal, "site-local (fec0::/10, deprecated by RFC 3879)"},
    {B6({0xff00}), 8, AddressClass::kMulticast, "multicast (ff00::/8)"},
};

bool PrefixMatches(const unsigned char* a, const unsigned char* b, int prefix) {
  const int full = prefix / 8;
  if (!std::equal(a, a + full, b)) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

bool InV4(uint32_t a, uint32_t network, int prefix) {
  if (prefix == 0) return true;
  const uint32_t mask = ~uint32_t{0} << (32 - prefix);
  return (a & mask) == (network & mask);
}

struct V4Verdict {
  AddressClass cls = AddressClass::kPublic;
  const char* what = "public";
};

V4Verdict ClassifyV4(uint32_t a) {
  for (const V4Range& r : kV4Ranges) {
    if (InV4(a, r.network, r.prefix)) return {r.cls, r.what};
  }
  return {};
}

uint32_t V4At(const Bytes6& b, size_t offset) {
  return (uint32_t{b[offset]} << 24) | (uint32_t{b[offset + 1]} << 16) |
         (uint32_t{b[offset + 2]} << 8) | uint32_t{b[offset + 3]};
}

std::string V4Text(uint32_t a) { return address_v4(a).to_string(); }

Classification Make(AddressClass cls, std::string reason) { return {cls, std::move(reason)}; }

// An IPv6 block that only carries an IPv4 address: the IPv6 form is as dangerous as the IPv4 it
// reaches, so a denied IPv4 makes the IPv6 address denied too.
Classification ClassifyEmbedding(const std::string& text, uint32_t v4, const char* kind,
                                 AddressClass if_public, const char* public_note) {
  const V4Verdict inner = ClassifyV4(v4);
  if (inner.cls != AddressClass::kPublic) {
    return Make(AddressClass::kEmbeddedDenied, absl::StrCat(text, " is ", kind, " carrying ",
                                                            V4Text(v4), ", which is ", inner.what));
  }
  if (if_public == AddressClass::kPublic) {
    return Make(AddressClass::kPublic,
                absl::StrCat(text, " is ", kind, " carrying public ", V4Text(v4)));
  }
  return Make(if_public,
              absl::StrCat(text, " is ", kind, " carrying ", V4Text(v4), " (", public_note, ")"));
}

Classification ClassifyV6(const address_v6& a6) {
  const Bytes6 b = a6.to_bytes();
  const std::string text = a6.to_string();
  static constexpr Bytes6 kZero{};
  static constexpr Bytes6 kMapped = B6({0, 0, 0, 0, 0, 0xffff});
  static constexpr Bytes6 kNat64 = B6({0x64, 0xff9b});
  static constexpr Bytes6 kNat64Local = B6({0x64, 0xff9b, 1});
  static constexpr Bytes6 kTeredo = B6({0x2001, 0});
  static constexpr Bytes6 k6to4 = B6({0x2002});

  if (a6.is_unspecified()) return Make(AddressClass::kUnspecified, text + " is unspecified (::)");
  if (a6.is_loopback()) return Make(AddressClass::kLoopback, text + " is loopback (::1)");
  if (PrefixMatches(b.data(), kMapped.data(), 96)) {
    return ClassifyEmbedding(text, V4At(b, 12), "IPv4-mapped", AddressClass::kPublic, "");
  }
  if (PrefixMatches(b.data(), kZero.data(), 96)) {
    return ClassifyEmbedding(text, V4At(b, 12), "IPv4-compatible (::/96)", AddressClass::kReserved,
                             "deprecated by RFC 4291");
  }
  if (PrefixMatches(b.data(), kNat64.data(), 96)) {
    return ClassifyEmbedding(text, V4At(b, 12), "NAT64 (64:ff9b::/96)", AddressClass::kPublic, "");
  }
  if (PrefixMatches(b.data(), kNat64Local.data(), 48)) {
    // RFC 8215: translated inside one operator's network, to whatever IPv4 that network holds
    // (and at any of RFC 6052's embedding positions): never a public mail server's address.
    return Make(
        AddressClass::kReserved,
        absl::StrCat(text, " is local-use NAT64 (64:ff9b:1::/48, RFC 8215), refused whole"));
  }
  if (PrefixMatches(b.data(), kTeredo.data(), 32)) {
    // RFC 4380: the server's IPv4 in bits 32..63, the client's public IPv4 inverted in the last
    // 32 bits. The client is where the packets would end up.
    const uint32_t server = V4At(b, 4);
    const uint32_t client = ~V4At(b, 12);
    const V4Verdict inner = ClassifyV4(client);
    if (inner.cls != AddressClass::kPublic) {
      return Make(AddressClass::kEmbeddedDenied,
                  absl::StrCat(text, " is Teredo (2001::/32) to client ", V4Text(client),
                               ", which is ", inner.what));
    }
    return Make(AddressClass::kTunnel,
                absl::StrCat(text, " is a Teredo tunnel address (2001::/32, client ",
                             V4Text(client), ", server ", V4Text(server), ")"));
  }
  for (const V6Range& r : kV6Ranges) {
    if (PrefixMatches(b.data(), r.network.data(), r.prefix)) {
      return Make(r.cls, absl::StrCat(text, " is ", r.what));
    }
  }
  if (PrefixMatches(b.data(), k6to4.data(), 16)) {
    const uint32_t v4 = V4At(b, 2);
    const V4Verdict inner = ClassifyV4(v4);
    if (inner.cls != AddressClass::kPublic) {
      return Make(AddressClass::kEmbeddedDenied,
                  absl::StrCat(text, " is 6to4 (2002::/16) carrying ", V4Text(v4), ", which is ",
                               inner.what));
    }
    return Make(AddressClass::kTunnel,
                absl::StrCat(text, " is a 6to4 tunnel address (2002::/16, ", V4Text(v4), ")"));
  }
  // Only 2000::/3 is allocated as global unicast; everything else (outside the blocks above)
  // is reserved by the IETF and never a legitimate destination.
  if ((b[0] & 0xe0) != 0x20) {
    return Make(AddressClass::kReserved,
                absl::StrCat(text, " is outside global unicast 2000::/3 (reserved by the IETF)"));
  }
  return Make(AddressClass::kPublic, text + " is public");
}

bool ParsePrefixLength(std::string_view digits, int max, int* out) {
  // "08" is refused: a prefix written oddly is more likely a typo than intent.
  if (digits.size() > 1 && digits[0] == '0') return false;
  uint32_t v = 0;
  if (!ParseDecimal(digits, 3, &v) || v > static_cast<uint32_t>(max)) return false;
  *out = static_cast<int>(v);
  return true;
}

// Zeroes the bits past `prefix`, so "10.1.2.3/8" is stored as 10.0.0.0/8.
address MaskedNetwork(const address& a, int prefix) {
  if (a.is_v4()) {
    const uint32_t v = a.to_v4().to_uint();
    const uint32_t mask = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
    return address_v4(v & mask);
  }
  Bytes6 b = a.to_v6().to_bytes();
  for (int i = 0; i < 16; ++i) {
    const int bits_kept = std::clamp(prefix - i * 8, 0, 8);
    b[i] &= static_cast<unsigned char>(bits_kept == 0 ? 0 : 0xff << (8 - bits_kept));
  }
  return address_v6(b);
}

std::string JoinPorts(const std::vector<uint16_t>& ports) { return absl::StrJoin(ports, ", "); }

const char* PurposeName(Purpose p) { return p == Purpose::kSmtp ? "SMTP" : "HTTPS"; }

}  // namespace

std::string_view AddressClassName(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kUnspecified:
      return "unspecified";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kLinkLocal:
      return "link-local";
    case AddressClass::kCgnat:
      return "cgnat";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kBroadcast:
      return "broadcast";
    case AddressClass::kReserved:
      return "reserved";
    case AddressClass::kDocumentation:
      return "documentation";
    case AddressClass::kBenchmarking:
      return "benchmarking";
    case AddressClass::kUniqueLocal:
      return "unique-local";
    case AddressClass::kSiteLocal:
      return "site-local";
    case AddressClass::kDiscardOnly:
      return "discard-only";
    case AddressClass::kEmbeddedDenied:
      return "embedded-denied";
    case AddressClass::kTunnel:
      return "tunnel";
  }
  return "unknown";
}

Classification Classify(const address& a) {
  if (a.is_v6()) return ClassifyV6(a.to_v6());
  const uint32_t v = a.to_v4().to_uint();
  const V4Verdict verdict = ClassifyV4(v);
  return Make(verdict.cls, absl::StrCat(V4Text(v), " is ", verdict.what));
}

address Normalize(const address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  }
  return a;
}

bool Cidr::Contains(const address& candidate) const {
  const address a = Normalize(candidate);
  if (a.is_v4() != network.is_v4()) return false;
  if (a.is_v4()) return InV4(a.to_v4().to_uint(), network.to_v4().to_uint(), prefix_length);
  const Bytes6 x = a.to_v6().to_bytes();
  const Bytes6 n = network.to_v6().to_bytes();
  return PrefixMatches(x.data(), n.data(), prefix_length);
}

absl::StatusOr<Cidr> ParseCidr(std::string_view text) {
  const std::string_view trimmed = Trim(text);
  if (trimmed.empty()) return absl::InvalidArgumentError("empty CIDR");
  const size_t slash = trimmed.find('/');
  const std::string_view addr_text = trimmed.substr(0, slash);
  // Scope ids ("fe80::1%eth0") name an interface of this host, not a network.
  if (addr_text.find('%') != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("CIDR \"", Av(trimmed), "\": scope ids are not allowed"));
  }
  boost::system::error_code ec;
  address a = boost::asio::ip::make_address(std::string(addr_text), ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("CIDR \"", Av(trimmed), "\": \"", Av(addr_text), "\" is not an IP address"));
  }
  const int max = a.is_v4() ? 32 : 128;
  int prefix = max;
  if (slash != std::string_view::npos) {
    const std::string_view digits = trimmed.substr(slash + 1);
    if (!ParsePrefixLength(digits, max, &prefix)) {
      return absl::InvalidArgumentError(absl::StrCat("CIDR \"", Av(trimmed), "\": prefix length \"",
                                                     Av(digits), "\" is not a number in 0..", max));
    }
  }
  // Write ::ffff:a.b.c.d/104 as the IPv4 block it means, so Contains() treats both alike.
  if (a.is_v6() && a.to_v6().is_v4_mapped() && prefix >= 96) {
    a = Normalize(a);
    prefix -= 96;
  }
  return Cidr{MaskedNetwork(a, prefix), prefix};
}

absl::StatusOr<std::vector<Cidr>> ParseCidrList(std::string_view text) {
  std::vector<Cidr> out;
  if (Trim(text).empty()) return out;
  for (std::string_view part : SplitComma(text)) {
    if (Trim(part).empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("CIDR list \"", Av(text), "\" has an empty entry"));
    }
    absl::StatusOr<Cidr> cidr = ParseCidr(part);
    if (!cidr.ok()) return cidr.status();
    out.push_back(*cidr);
  }
  return out;
}

absl::StatusOr<std::vector<uint16_t>> ParsePortList(std::string_view text) {
  std::vector<uint16_t> out;
  if (Trim(text).empty()) return out;
  for (std::string_view part : SplitComma(text)) {
    const std::string_view p = Trim(part);
    uint32_t port = 0;
    if (!ParseDecimal(p, 5, &port) || port < 1 || port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("port \"", Av(p), "\" is not a number in 1..65535"));
    }
    if (std::find(out.begin(), out.end(), port) == out.end()) {
      out.push_back(static_cast<uint16_t>(port));
    }
  }
  return out;
}

EgressPolicy::EgressPolicy(Options options) : options_(std::move(options)) {}

EgressPolicy::Decision EgressPolicy::Check(const address& candidate, uint16_t port,
                                           Purpose purpose) const {
  const address a = Normalize(candidate);
  if (port == 0) return {false, "port 0 cannot be dialed"};
  for (const Cidr& cidr : options_.allow_cidrs) {
    if (cidr.Contains(a)) {
      return {true, absl::StrCat("allowed by --allow_cidrs (", cidr.network.to_string(), "/",
                                 cidr.prefix_length, ")")};
    }
  }
  Classification c = Classify(candidate);
  if (c.address_class != AddressClass::kPublic) return {false, std::move(c.reason)};
  const std::vector<uint16_t>& ports =
      purpose == Purpose::kSmtp ? options_.smtp_ports : options_.https_ports;
  if (std::find(ports.begin(), ports.end(), port) == ports.end()) {
    return {false, absl::StrCat("port ", port, " is not allowed for ", PurposeName(purpose),
                                " (allowed: ", JoinPorts(ports), ")")};
  }
  return {true, "public address"};
}

bool EgressPolicy::PortAllowedSomewhere(uint16_t port, Purpose purpose) const {
  if (port == 0) return false;
  if (!options_.allow_cidrs.empty()) return true;
  const std::vector<uint16_t>& ports =
      purpose == Purpose::kSmtp ? options_.smtp_ports : options_.https_ports;
  return std::find(ports.begin(), ports.end(), port) != ports.end();
}

}  // namespace cv::net
