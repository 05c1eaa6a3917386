#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <vector>

namespace cv::net {

// The at most `max` addresses of one name that are dialed: taken alternately from the two
// families (starting with the family of the first address, each in the resolver's order), so a
// cap never leaves one family out while the other has addresses. A name with 100 A records
// makes `max` connections, not 100. The rest are not tried.
std::vector<boost::asio::ip::address> SelectAddresses(
    const std::vector<boost::asio::ip::address>& all, size_t max);

}  // namespace cv::net
