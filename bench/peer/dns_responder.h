#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "peer/peer.h"

namespace cv::bench {

// The answer to one DNS query, or nullopt for anything that is not a plain one-question query:
// A -> 127.0.0.1 and MX -> "10 mx.<name>" for every name, NOERROR without records for any other
// type (AAAA included, so the verifier dials one address). Pure: bytes in, bytes out.
std::optional<std::vector<uint8_t>> AnswerDnsQuery(const uint8_t* query, size_t size);

// Answers every query arriving on `socket`, each after options.dns_delay.
boost::asio::awaitable<void> ServeDns(boost::asio::ip::udp::socket socket,
                                      const PeerOptions& options, PeerStats& stats);

}  // namespace cv::bench
