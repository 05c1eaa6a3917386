#include "net/address_select.h"

namespace cv::net {

std::vector<boost::asio::ip::address> SelectAddresses(
    const std::vector<boost::asio::ip::address>& all, size_t max) {
  if (all.size() <= max) return all;
  std::vector<boost::asio::ip::address> first, second;
  for (const auto& a : all) (a.is_v6() == all.front().is_v6() ? first : second).push_back(a);
  std::vector<boost::asio::ip::address> out;
  out.reserve(max);
  for (size_t i = 0; out.size() < max && (i < first.size() || i < second.size()); ++i) {
    if (i < first.size()) out.push_back(first[i]);
    if (out.size() < max && i < second.size()) out.push_back(second[i]);
  }
  return out;
}

}  // namespace cv::net
