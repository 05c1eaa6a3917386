// The egress policy (the SSRF guard): address classification and the parsers of its flags,
// with any address and any flag text.
//
// Properties: only public addresses pass without --allow_cidrs; an IPv4 address and its
// IPv4-mapped IPv6 form are judged alike (no bypass through ::ffff:10.0.0.1); a parsed CIDR
// contains its own network and prints back to itself; an allowed CIDR admits its addresses on
// any port but 0; parsed port lists hold only 1..65535, without duplicates.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzz_input.h"
#include "net/egress.h"

namespace cv::fuzz {
namespace {

namespace ip = boost::asio::ip;
using net::AddressClass;

ip::address AddressFrom(FuzzInput& in) {
  if (in.Bool()) {
    ip::address_v4::bytes_type b;
    for (auto& x : b) x = in.Byte();
    return ip::address_v4(b);
  }
  ip::address_v6::bytes_type b;
  for (auto& x : b) x = in.Byte();
  return ip::address_v6(b);
}

bool IsPublic(const ip::address& a) {
  return net::Classify(a).address_class == AddressClass::kPublic;
}

}  // namespace
}  // namespace cv::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cv::fuzz;
  using namespace cv::net;
  namespace ip = boost::asio::ip;
  FuzzInput in(data, size);
  const ip::address a = AddressFrom(in);
  const uint16_t port = in.U16();
  const Purpose purpose = in.Bool() ? Purpose::kSmtp : Purpose::kHttps;

  const Classification c = Classify(a);
  (void)AddressClassName(c.address_class);
  CV_FUZZ_CHECK(c.address_class == AddressClass::kPublic || !c.reason.empty());

  // The mapped form of an IPv4 address must not be a way around the policy, and Normalize
  // must give the IPv4 address back.
  if (a.is_v4()) {
    const ip::address mapped = ip::make_address_v6(ip::v4_mapped, a.to_v4());
    CV_FUZZ_CHECK(IsPublic(mapped) == IsPublic(a));
    CV_FUZZ_CHECK(Normalize(mapped) == a);
  }

  const EgressPolicy strict;
  const EgressPolicy::Decision d = strict.Check(a, port, purpose);
  if (d.allowed) {
    CV_FUZZ_CHECK(IsPublic(a));
    CV_FUZZ_CHECK(port != 0);
    const auto& ports =
        purpose == Purpose::kSmtp ? strict.options().smtp_ports : strict.options().https_ports;
    CV_FUZZ_CHECK(std::find(ports.begin(), ports.end(), port) != ports.end());
  }

  // The flag parsers.
  const std::string cidr_text = in.Field(256);
  const std::string list_text = in.Field(1024);
  const std::string ports_text = in.Field(1024);
  if (auto cidr = ParseCidr(cidr_text); cidr.ok()) {
    const int max = cidr->network.is_v4() ? 32 : 128;
    CV_FUZZ_CHECK(cidr->prefix_length >= 0 && cidr->prefix_length <= max);
    CV_FUZZ_CHECK(cidr->Contains(cidr->network));
    // The network is stored without host bits, so printing and parsing it again is stable.
    auto again = ParseCidr(absl::StrCat(cidr->network.to_string(), "/", cidr->prefix_length));
    CV_FUZZ_CHECK(again.ok());
    CV_FUZZ_CHECK(again->network == cidr->network && again->prefix_length == cidr->prefix_length);
    (void)cidr->Contains(a);

    EgressPolicy::Options options;
    options.allow_cidrs = {*cidr};
    const EgressPolicy trusting(options);
    if (cidr->Contains(Normalize(a)) && port != 0) {
      CV_FUZZ_CHECK(trusting.Check(a, port, purpose).allowed);
    }
  }
  if (auto list = ParseCidrList(list_text); list.ok()) {
    for (const Cidr& cidr : *list) (void)cidr.Contains(a);
    (void)EgressPolicy(EgressPolicy::Options{*list, {25}, {443}}).Check(a, port, purpose);
  }
  if (auto ports = ParsePortList(ports_text); ports.ok()) {
    for (size_t i = 0; i < ports->size(); ++i) {
      CV_FUZZ_CHECK((*ports)[i] >= 1);
      CV_FUZZ_CHECK(std::count(ports->begin(), ports->end(), (*ports)[i]) == 1);
    }
    EgressPolicy::Options options;
    options.smtp_ports = *ports;
    (void)EgressPolicy(options).PortAllowedSomewhere(port, purpose);
  }
  return 0;
}
