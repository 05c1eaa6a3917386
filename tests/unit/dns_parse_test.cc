#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "net/dns.h"

namespace cv::net {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<std::shared_ptr<DnsResolver>> Make(std::vector<std::string> servers) {
  DnsResolver::Options o;
  o.servers = std::move(servers);
  return DnsResolver::Create(std::move(o));
}

TEST(DnsParseTest, AcceptsIpIpPortAndBracketedV6) {
  auto r = Make(
      {"127.0.0.1", "127.0.0.2:5353", "::1", "[::1]:5300", "[2001:db8::53]", " 127.0.0.3:53 "});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->servers_csv(),
            "127.0.0.1:53,127.0.0.2:5353,[::1]:53,[::1]:5300,[2001:db8::53]:53,127.0.0.3:53");
}

TEST(DnsParseTest, RejectsBadEntriesByName) {
  for (const char* bad :
       {"", "dns.example", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:53x",
        "127.0.0.1:-53", "[::1", "[::1]x", "[::1]:", "[127.0.0.1]:53", "::1:53:", "1.2.3",
        "fe80::1%eth0", "[fe80::1%eth0]:53", "127.0.0.1:5:3", "[::1]:99999"}) {
    auto r = Make({"127.0.0.1", bad});
    ASSERT_FALSE(r.ok()) << "accepted \"" << bad << "\"";
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(absl::StrCat("\"", bad, "\"")));
  }
}

TEST(DnsParseTest, RejectsBadTimeouts) {
  DnsResolver::Options o;
  o.servers = {"127.0.0.1"};
  o.attempt_timeout = std::chrono::milliseconds(0);
  EXPECT_FALSE(DnsResolver::Create(o).ok());
  o.attempt_timeout = std::chrono::milliseconds(100);
  o.tries = 0;
  EXPECT_FALSE(DnsResolver::Create(o).ok());
}

TEST(DnsParseTest, EmptyListUsesTheSystemResolver) {
  auto r = Make({});
  // A machine without resolv.conf still gets c-ares' default (127.0.0.1).
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE((*r)->servers_csv().empty());
}

}  // namespace
}  // namespace cv::net
