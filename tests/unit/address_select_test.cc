#include "net/address_select.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cv::net {
namespace {

using boost::asio::ip::address;
using boost::asio::ip::make_address;

std::vector<address> Parse(const std::vector<std::string>& texts) {
  std::vector<address> out;
  for (const auto& t : texts) out.push_back(make_address(t));
  return out;
}

std::vector<std::string> Texts(const std::vector<address>& addresses) {
  std::vector<std::string> out;
  for (const auto& a : addresses) out.push_back(a.to_string());
  return out;
}

TEST(SelectAddressesTest, FewerThanTheCapAreAllKeptInOrder) {
  const auto all = Parse({"192.0.2.1", "2001:db8::1", "192.0.2.2"});
  EXPECT_EQ(SelectAddresses(all, 8), all);
}

TEST(SelectAddressesTest, TheCapAlternatesFamiliesStartingWithTheFirst) {
  std::vector<std::string> texts;
  for (int i = 1; i <= 100; ++i) texts.push_back("192.0.2." + std::to_string(i));
  texts.push_back("2001:db8::1");
  texts.push_back("2001:db8::2");
  EXPECT_THAT(
      Texts(SelectAddresses(Parse(texts), 5)),
      ::testing::ElementsAre("192.0.2.1", "2001:db8::1", "192.0.2.2", "2001:db8::2", "192.0.2.3"));
}

TEST(SelectAddressesTest, OneFamilyOnlyTakesTheFirstOnes) {
  std::vector<std::string> texts;
  for (int i = 1; i <= 100; ++i) texts.push_back("2001:db8::" + std::to_string(i));
  const auto picked = SelectAddresses(Parse(texts), 8);
  ASSERT_EQ(picked.size(), 8u);
  EXPECT_EQ(picked.front().to_string(), "2001:db8::1");
  EXPECT_EQ(picked.back().to_string(), "2001:db8::8");
}

}  // namespace
}  // namespace cv::net
