#include "net/egress.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cv::net {
namespace {

using boost::asio::ip::make_address;
using ::testing::HasSubstr;

AddressClass ClassOf(const std::string& text) { return Classify(make_address(text)).address_class; }

struct RangeCase {
  const char* address;
  AddressClass expected;
};

void PrintTo(const RangeCase& c, std::ostream* os) { *os << c.address; }

class EgressRangeTest : public ::testing::TestWithParam<RangeCase> {};

TEST_P(EgressRangeTest, ClassifiesAndRefuses) {
  const RangeCase& c = GetParam();
  const Classification cls = Classify(make_address(c.address));
  EXPECT_EQ(cls.address_class, c.expected)
      << c.address << " classified " << AddressClassName(cls.address_class) << ": " << cls.reason;
  EXPECT_THAT(cls.reason, HasSubstr(make_address(c.address).to_string()));
  // Whatever the class, the default policy must refuse it on an allowed port.
  const EgressPolicy policy;
  for (Purpose purpose : {Purpose::kSmtp, Purpose::kHttps}) {
    const uint16_t port = purpose == Purpose::kSmtp ? 25 : 443;
    const EgressPolicy::Decision d = policy.Check(make_address(c.address), port, purpose);
    EXPECT_FALSE(d.allowed) << c.address;
    EXPECT_EQ(d.reason, cls.reason);
  }
}

// First, last and an inside address of every special-purpose block.
INSTANTIATE_TEST_SUITE_P(EgressV4, EgressRangeTest,
                         ::testing::Values(RangeCase{"0.0.0.0", AddressClass::kUnspecified},
                                           RangeCase{"0.1.2.3", AddressClass::kUnspecified},
                                           RangeCase{"0.255.255.255", AddressClass::kUnspecified},
                                           RangeCase{"10.0.0.0", AddressClass::kPrivate},
                                           RangeCase{"10.0.0.5", AddressClass::kPrivate},
                                           RangeCase{"10.255.255.255", AddressClass::kPrivate},
                                           RangeCase{"100.64.0.0", AddressClass::kCgnat},
                                           RangeCase{"100.100.100.100", AddressClass::kCgnat},
                                           RangeCase{"100.127.255.255", AddressClass::kCgnat},
                                           RangeCase{"127.0.0.0", AddressClass::kLoopback},
                                           RangeCase{"127.0.0.1", AddressClass::kLoopback},
                                           RangeCase{"127.255.255.255", AddressClass::kLoopback},
                                           RangeCase{"169.254.0.0", AddressClass::kLinkLocal},
                                           RangeCase{"169.254.169.254", AddressClass::kLinkLocal},
                                           RangeCase{"169.254.255.255", AddressClass::kLinkLocal},
                                           RangeCase{"172.16.0.0", AddressClass::kPrivate},
                                           RangeCase{"172.20.1.1", AddressClass::kPrivate},
                                           RangeCase{"172.31.255.255", AddressClass::kPrivate},
                                           RangeCase{"192.0.0.0", AddressClass::kReserved},
                                           RangeCase{"192.0.0.8", AddressClass::kReserved},
                                           RangeCase{"192.0.0.255", AddressClass::kReserved},
                                           RangeCase{"192.0.2.0", AddressClass::kDocumentation},
                                           RangeCase{"192.0.2.45", AddressClass::kDocumentation},
                                           RangeCase{"192.0.2.255", AddressClass::kDocumentation},
                                           RangeCase{"192.88.99.0", AddressClass::kReserved},
                                           RangeCase{"192.88.99.1", AddressClass::kReserved},
                                           RangeCase{"192.88.99.255", AddressClass::kReserved},
                                           RangeCase{"192.168.0.0", AddressClass::kPrivate},
                                           RangeCase{"192.168.1.1", AddressClass::kPrivate},
                                           RangeCase{"192.168.255.255", AddressClass::kPrivate},
                                           RangeCase{"198.18.0.0", AddressClass::kBenchmarking},
                                           RangeCase{"198.18.200.1", AddressClass::kBenchmarking},
                                           RangeCase{"198.19.255.255", AddressClass::kBenchmarking},
                                           RangeCase{"198.51.100.0", AddressClass::kDocumentation},
                                           RangeCase{"198.51.100.7", AddressClass::kDocumentation},
                                           RangeCase{"198.51.100.255",
                                                     AddressClass::kDocumentation},
                                           RangeCase{"203.0.113.0", AddressClass::kDocumentation},
                                           RangeCase{"203.0.113.9", AddressClass::kDocumentation},
                                           RangeCase{"203.0.113.255", AddressClass::kDocumentation},
                                           RangeCase{"224.0.0.0", AddressClass::kMulticast},
                                           RangeCase{"232.1.2.3", AddressClass::kMulticast},
                                           RangeCase{"239.255.255.255", AddressClass::kMulticast},
                                           RangeCase{"240.0.0.0", AddressClass::kReserved},
                                           RangeCase{"250.1.2.3", AddressClass::kReserved},
                                           RangeCase{"255.255.255.254", AddressClass::kReserved},
                                           RangeCase{"255.255.255.255", AddressClass::kBroadcast}));

INSTANTIATE_TEST_SUITE_P(
    EgressV6, EgressRangeTest,
    ::testing::Values(
        RangeCase{"::", AddressClass::kUnspecified}, RangeCase{"::1", AddressClass::kLoopback},
        // IPv4-mapped and IPv4-compatible carrying denied IPv4.
        RangeCase{"::ffff:10.0.0.5", AddressClass::kEmbeddedDenied},
        RangeCase{"::ffff:127.0.0.1", AddressClass::kEmbeddedDenied},
        RangeCase{"::ffff:169.254.169.254", AddressClass::kEmbeddedDenied},
        RangeCase{"::ffff:0.0.0.0", AddressClass::kEmbeddedDenied},
        RangeCase{"::ffff:255.255.255.255", AddressClass::kEmbeddedDenied},
        RangeCase{"::0.0.0.2", AddressClass::kEmbeddedDenied},
        RangeCase{"::127.0.0.1", AddressClass::kEmbeddedDenied},
        RangeCase{"::8.8.8.8", AddressClass::kReserved},
        RangeCase{"::1.2.3.4", AddressClass::kReserved},
        // NAT64 well-known and local-use prefixes carrying denied IPv4.
        RangeCase{"64:ff9b::a00:5", AddressClass::kEmbeddedDenied},
        RangeCase{"64:ff9b::127.0.0.1", AddressClass::kEmbeddedDenied},
        RangeCase{"64:ff9b::169.254.169.254", AddressClass::kEmbeddedDenied},
        RangeCase{"64:ff9b::0.0.0.0", AddressClass::kEmbeddedDenied},
        // Local-use NAT64 is refused whole, whatever it carries.
        RangeCase{"64:ff9b:1::192.168.1.1", AddressClass::kReserved},
        RangeCase{"64:ff9b:1:ffff:ffff:ffff:7f00:1", AddressClass::kReserved},
        RangeCase{"64:ff9b:1::1.1.1.1", AddressClass::kReserved},
        RangeCase{"64:ff9b:1:a00::8.8.8.8", AddressClass::kReserved},
        RangeCase{"100::", AddressClass::kDiscardOnly},
        RangeCase{"100::ffff:ffff:ffff:ffff", AddressClass::kDiscardOnly},
        // Teredo: client IPv4 is the inverted low 32 bits.
        RangeCase{"2001::", AddressClass::kEmbeddedDenied},  // client 255.255.255.255
        RangeCase{"2001:0:4136:e378:8000:63bf:3fff:fdd2", AddressClass::kEmbeddedDenied},
        RangeCase{"2001:0:4136:e378:8000:63bf:f7f7:f7f7", AddressClass::kTunnel},
        RangeCase{"2001:0:4136:e378:8000:63bf:f5ff:fffa", AddressClass::kEmbeddedDenied},
        RangeCase{"2001:0:ffff:ffff:ffff:ffff:ffff:ffff", AddressClass::kEmbeddedDenied},
        RangeCase{"2001:1::1", AddressClass::kReserved},
        RangeCase{"2001:2::", AddressClass::kBenchmarking},
        RangeCase{"2001:2:0:ffff:ffff:ffff:ffff:ffff", AddressClass::kBenchmarking},
        RangeCase{"2001:10::", AddressClass::kReserved},
        RangeCase{"2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", AddressClass::kReserved},
        RangeCase{"2001:20::", AddressClass::kReserved},
        RangeCase{"2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", AddressClass::kReserved},
        RangeCase{"2001:1ff:ffff::1", AddressClass::kReserved},
        RangeCase{"2001:db8::", AddressClass::kDocumentation},
        RangeCase{"2001:db8:1234::25", AddressClass::kDocumentation},
        RangeCase{"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", AddressClass::kDocumentation},
        // 6to4 carries its IPv4 in bits 16..47.
        RangeCase{"2002:0a00:0005::1", AddressClass::kEmbeddedDenied},
        RangeCase{"2002:7f00:1::", AddressClass::kEmbeddedDenied},
        RangeCase{"2002:a9fe:a9fe::1", AddressClass::kEmbeddedDenied},
        RangeCase{"2002:808:808::1", AddressClass::kTunnel},
        RangeCase{"2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", AddressClass::kEmbeddedDenied},
        RangeCase{"3fff::1", AddressClass::kDocumentation},
        RangeCase{"fc00::", AddressClass::kUniqueLocal},
        RangeCase{"fd12:3456:789a::1", AddressClass::kUniqueLocal},
        RangeCase{"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", AddressClass::kUniqueLocal},
        RangeCase{"fe80::", AddressClass::kLinkLocal},
        RangeCase{"fe80::1", AddressClass::kLinkLocal},
        RangeCase{"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", AddressClass::kLinkLocal},
        RangeCase{"fec0::", AddressClass::kSiteLocal},
        RangeCase{"fec0::1", AddressClass::kSiteLocal},
        RangeCase{"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", AddressClass::kSiteLocal},
        RangeCase{"ff00::", AddressClass::kMulticast},
        RangeCase{"ff02::1", AddressClass::kMulticast},
        RangeCase{"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", AddressClass::kMulticast},
        // Not in 2000::/3 and not otherwise assigned.
        RangeCase{"1::1", AddressClass::kReserved}, RangeCase{"4000::1", AddressClass::kReserved},
        RangeCase{"e000::1", AddressClass::kReserved}));

TEST(EgressClassifyTest, PublicAddressesArePublic) {
  for (const char* a : {"8.8.8.8",
                        "1.1.1.1",
                        "9.255.255.255",
                        "11.0.0.0",
                        "100.63.255.255",
                        "100.128.0.0",
                        "126.255.255.255",
                        "128.0.0.0",
                        "169.253.255.255",
                        "169.255.0.0",
                        "172.15.255.255",
                        "172.32.0.0",
                        "191.255.255.255",
                        "192.0.1.255",
                        "192.0.3.0",
                        "192.88.98.255",
                        "192.88.100.0",
                        "192.167.255.255",
                        "192.169.0.0",
                        "198.17.255.255",
                        "198.20.0.0",
                        "198.51.99.255",
                        "198.51.101.0",
                        "203.0.112.255",
                        "203.0.114.0",
                        "223.255.255.255",
                        "2a00:1450:4001:80b::200e",
                        "2001:4860:4860::8888",
                        "2606:4700::1111",
                        "2000::1",
                        "3ffe::1",
                        "::ffff:8.8.8.8",
                        "64:ff9b::808:808",
                        "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
                        "2001:db9::",
                        "2001:200::1"}) {
    const Classification c = Classify(make_address(a));
    EXPECT_EQ(c.address_class, AddressClass::kPublic) << a << ": " << c.reason;
    const EgressPolicy::Decision d = EgressPolicy().Check(make_address(a), 25, Purpose::kSmtp);
    EXPECT_TRUE(d.allowed) << a << ": " << d.reason;
    EXPECT_EQ(d.reason, "public address");
  }
}

TEST(EgressClassifyTest, ReasonsNameTheRange) {
  EXPECT_EQ(Classify(make_address("10.0.0.5")).reason, "10.0.0.5 is private (RFC 1918)");
  EXPECT_EQ(Classify(make_address("169.254.169.254")).reason,
            "169.254.169.254 is link-local (cloud metadata service)");
  EXPECT_THAT(Classify(make_address("100.64.1.1")).reason, HasSubstr("carrier-grade NAT"));
  EXPECT_THAT(Classify(make_address("192.88.99.1")).reason, HasSubstr("6to4 relay anycast"));
  EXPECT_THAT(Classify(make_address("::ffff:10.0.0.5")).reason,
              HasSubstr("10.0.0.5, which is private (RFC 1918)"));
  EXPECT_THAT(Classify(make_address("64:ff9b::a9fe:a9fe")).reason,
              HasSubstr("169.254.169.254, which is link-local (cloud metadata service)"));
  EXPECT_THAT(Classify(make_address("2002:808:808::1")).reason, HasSubstr("8.8.8.8"));
  // Teredo client 192.0.2.45 (RFC 4380's example), server 65.54.227.120.
  const Classification teredo = Classify(make_address("2001:0:4136:e378:8000:63bf:3fff:fdd2"));
  EXPECT_THAT(teredo.reason, HasSubstr("192.0.2.45"));
  EXPECT_EQ(teredo.address_class, AddressClass::kEmbeddedDenied);
  EXPECT_THAT(Classify(make_address("2001:0:4136:e378:8000:63bf:f7f7:f7f7")).reason,
              HasSubstr("client 8.8.8.8"));
}

TEST(EgressClassifyTest, TunnelsAreDeniedEvenWithPublicIpv4) {
  EXPECT_EQ(ClassOf("2002:808:808::1"), AddressClass::kTunnel);
  EXPECT_EQ(ClassOf("2001:0:4136:e378:8000:63bf:f7f7:f7f7"), AddressClass::kTunnel);
  EXPECT_FALSE(EgressPolicy().Check(make_address("2002:808:808::1"), 25, Purpose::kSmtp).allowed);
}

TEST(EgressNormalizeTest, MappedBecomesIpv4) {
  EXPECT_EQ(Normalize(make_address("::ffff:8.8.4.4")), make_address("8.8.4.4"));
  EXPECT_TRUE(Normalize(make_address("::ffff:8.8.4.4")).is_v4());
  EXPECT_EQ(Normalize(make_address("64:ff9b::808:808")), make_address("64:ff9b::808:808"));
  EXPECT_EQ(Normalize(make_address("2001:db8::1")), make_address("2001:db8::1"));
  EXPECT_EQ(Normalize(make_address("1.2.3.4")), make_address("1.2.3.4"));
}

TEST(EgressPolicyTest, PortsPerPurpose) {
  const EgressPolicy policy;
  const auto a = make_address("8.8.8.8");
  for (uint16_t port : {25, 465, 587, 2525}) {
    EXPECT_TRUE(policy.Check(a, port, Purpose::kSmtp).allowed) << port;
    EXPECT_FALSE(policy.Check(a, port, Purpose::kHttps).allowed) << port;
  }
  EXPECT_TRUE(policy.Check(a, 443, Purpose::kHttps).allowed);
  EXPECT_FALSE(policy.Check(a, 443, Purpose::kSmtp).allowed);
  const EgressPolicy::Decision d = policy.Check(a, 22, Purpose::kSmtp);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "port 22 is not allowed for SMTP (allowed: 25, 465, 587, 2525)");
  EXPECT_FALSE(policy.Check(a, 0, Purpose::kSmtp).allowed);

  EXPECT_TRUE(policy.PortAllowedSomewhere(587, Purpose::kSmtp));
  EXPECT_FALSE(policy.PortAllowedSomewhere(443, Purpose::kSmtp));
  EXPECT_TRUE(policy.PortAllowedSomewhere(443, Purpose::kHttps));
  EXPECT_FALSE(policy.PortAllowedSomewhere(8080, Purpose::kHttps));
  EXPECT_FALSE(policy.PortAllowedSomewhere(0, Purpose::kSmtp));
}

TEST(EgressPolicyTest, CustomPortLists) {
  EgressPolicy::Options o;
  o.smtp_ports = {2525};
  o.https_ports = {8443};
  const EgressPolicy policy(o);
  EXPECT_FALSE(policy.Check(make_address("8.8.8.8"), 25, Purpose::kSmtp).allowed);
  EXPECT_TRUE(policy.Check(make_address("8.8.8.8"), 2525, Purpose::kSmtp).allowed);
  EXPECT_TRUE(policy.Check(make_address("8.8.8.8"), 8443, Purpose::kHttps).allowed);
  EXPECT_FALSE(policy.Check(make_address("8.8.8.8"), 443, Purpose::kHttps).allowed);
}

TEST(EgressPolicyTest, AllowCidrsOverrideClassAndPort) {
  EgressPolicy::Options o;
  o.allow_cidrs = *ParseCidrList("127.0.0.0/8, 10.1.0.0/16, fd00::/8");
  const EgressPolicy policy(o);
  auto check = [&](const char* a, uint16_t port) {
    return policy.Check(make_address(a), port, Purpose::kSmtp);
  };
  EXPECT_TRUE(check("127.0.0.5", 25).allowed);
  EXPECT_TRUE(check("127.0.0.5", 10025).allowed);  // any port inside allow_cidrs
  EXPECT_THAT(check("127.0.0.5", 10025).reason, HasSubstr("allowed by --allow_cidrs"));
  EXPECT_TRUE(check("::ffff:127.0.0.5", 25).allowed);  // mapped matched against IPv4 CIDRs
  EXPECT_TRUE(check("10.1.255.255", 587).allowed);
  EXPECT_TRUE(check("fd00::25", 25).allowed);
  // Outside the allowed blocks the class still decides.
  EXPECT_FALSE(check("10.2.0.1", 25).allowed);
  EXPECT_EQ(check("10.2.0.1", 25).reason, "10.2.0.1 is private (RFC 1918)");
  EXPECT_FALSE(check("::1", 25).allowed);
  EXPECT_FALSE(check("169.254.169.254", 25).allowed);
  EXPECT_FALSE(check("fe80::1", 25).allowed);
  // Public addresses still need an allowed port.
  EXPECT_FALSE(check("8.8.8.8", 10025).allowed);
  EXPECT_TRUE(policy.PortAllowedSomewhere(10025, Purpose::kSmtp));
}

TEST(EgressPolicyTest, EmbeddingsOfPublicIpv4) {
  const EgressPolicy policy;
  EXPECT_TRUE(policy.Check(make_address("::ffff:8.8.8.8"), 25, Purpose::kSmtp).allowed);
  EXPECT_TRUE(policy.Check(make_address("64:ff9b::8.8.8.8"), 25, Purpose::kSmtp).allowed);
  EXPECT_FALSE(policy.Check(make_address("::8.8.8.8"), 25, Purpose::kSmtp).allowed);
  EXPECT_FALSE(policy.Check(make_address("2002:808:808::1"), 25, Purpose::kSmtp).allowed);
  EXPECT_FALSE(
      policy.Check(make_address("2001:0:4136:e378:8000:63bf:f7f7:f7f7"), 25, Purpose::kSmtp)
          .allowed);
}

TEST(EgressCidrTest, ParsesAndNormalizes) {
  absl::StatusOr<Cidr> c = ParseCidr("10.1.2.3/8");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->network, make_address("10.0.0.0"));
  EXPECT_EQ(c->prefix_length, 8);
  c = ParseCidr("10.1.2.3");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->prefix_length, 32);
  EXPECT_TRUE(c->Contains(make_address("10.1.2.3")));
  EXPECT_FALSE(c->Contains(make_address("10.1.2.4")));
  c = ParseCidr("2001:db8:abcd::1/33");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->network, make_address("2001:db8:8000::"));
  EXPECT_TRUE(c->Contains(make_address("2001:db8:ffff::1")));
  EXPECT_FALSE(c->Contains(make_address("2001:db8:7fff::1")));
  EXPECT_FALSE(c->Contains(make_address("10.0.0.1")));
  c = ParseCidr("::1/128");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->Contains(make_address("::1")));
  c = ParseCidr("0.0.0.0/0");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->Contains(make_address("203.0.113.1")));
  EXPECT_FALSE(c->Contains(make_address("2001:db8::1")));
  EXPECT_TRUE(c->Contains(make_address("::ffff:1.2.3.4")));
  c = ParseCidr("::ffff:10.0.0.0/104");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->network.is_v4());
  EXPECT_EQ(c->prefix_length, 8);
  EXPECT_TRUE(c->Contains(make_address("10.9.9.9")));
  c = ParseCidr("127.0.0.0/7");  // host bits set: normalised, not refused
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->network, make_address("126.0.0.0"));
}

TEST(EgressCidrTest, RejectsGarbage) {
  for (const char* bad :
       {"", " ", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/+8",
        "10.0.0.0/08", "10.0.0.0/8/8", "10.0.0.0/8x", "10.0.0/8", "10.0.0.256/32", "010.0.0.1",
        "example.com/24", "fe80::1%lo/64", "10.0.0.0 /8", "1.2.3.4/1000", "::g/64"}) {
    const absl::StatusOr<Cidr> c = ParseCidr(bad);
    EXPECT_FALSE(c.ok()) << "accepted \"" << bad << "\"";
    if (!c.ok()) {
      EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
  EXPECT_THAT(std::string(ParseCidr("10.0.0.0/33").status().message()), HasSubstr("33"));
  EXPECT_THAT(std::string(ParseCidr("nope/8").status().message()), HasSubstr("nope"));
}

TEST(EgressCidrTest, Lists) {
  absl::StatusOr<std::vector<Cidr>> list = ParseCidrList("");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
  list = ParseCidrList("127.0.0.0/8,::1/128");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 2u);
  EXPECT_FALSE(ParseCidrList("127.0.0.0/8,").ok());
  EXPECT_FALSE(ParseCidrList("127.0.0.0/8,,::1").ok());
  const absl::StatusOr<std::vector<Cidr>> bad = ParseCidrList("127.0.0.0/8,10.0.0.0/99");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("10.0.0.0/99"));
}

TEST(EgressPortListTest, ParsesStrictly) {
  absl::StatusOr<std::vector<uint16_t>> ports = ParsePortList("25, 465,587");
  ASSERT_TRUE(ports.ok());
  EXPECT_EQ(*ports, (std::vector<uint16_t>{25, 465, 587}));
  ports = ParsePortList("");
  ASSERT_TRUE(ports.ok());
  EXPECT_TRUE(ports->empty());
  ports = ParsePortList("1,65535");
  ASSERT_TRUE(ports.ok());
  EXPECT_EQ(*ports, (std::vector<uint16_t>{1, 65535}));
  for (const char* bad : {"0", "65536", "99999999999", "-1", "+25", "25,", ",25", "25,,26", "2 5",
                          "x", "25x", "0x19"}) {
    EXPECT_FALSE(ParsePortList(bad).ok()) << "accepted \"" << bad << "\"";
  }
  EXPECT_THAT(std::string(ParsePortList("25,70000").status().message()), HasSubstr("70000"));
}

}  // namespace
}  // namespace cv::net
