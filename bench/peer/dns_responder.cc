#include "peer/dns_responder.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace cv::bench {
namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

constexpr uint16_t kTypeA = 1;
constexpr uint16_t kTypeMx = 15;
constexpr uint16_t kClassIn = 1;

void Put16(std::vector<uint8_t>& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v & 0xff));
}

void Put32(std::vector<uint8_t>& out, uint32_t v) {
  Put16(out, static_cast<uint16_t>(v >> 16));
  Put16(out, static_cast<uint16_t>(v & 0xffff));
}

// A delayed answer: the bytes and the endpoint stay alive until they are sent.
struct Pending {
  Pending(asio::any_io_executor ex, std::vector<uint8_t> bytes, udp::endpoint to)
      : timer(ex), bytes(std::move(bytes)), to(to) {}
  asio::steady_timer timer;
  std::vector<uint8_t> bytes;
  udp::endpoint to;
};

}  // namespace

std::optional<std::vector<uint8_t>> AnswerDnsQuery(const uint8_t* q, size_t size) {
  if (size < 12) return std::nullopt;
  const bool is_query = (q[2] & 0x80) == 0;
  const uint16_t qdcount = static_cast<uint16_t>(q[4] << 8 | q[5]);
  if (!is_query || qdcount != 1) return std::nullopt;
  // The question: labels up to the root, then type and class.
  size_t pos = 12;
  while (pos < size && q[pos] != 0) {
    if ((q[pos] & 0xc0) != 0) return std::nullopt;  // no compression in a question
    pos += 1 + q[pos];
  }
  if (pos + 5 > size) return std::nullopt;
  const size_t question_end = pos + 5;
  const uint16_t type = static_cast<uint16_t>(q[pos + 1] << 8 | q[pos + 2]);
  const uint16_t klass = static_cast<uint16_t>(q[pos + 3] << 8 | q[pos + 4]);

  std::vector<uint8_t> out(q, q + question_end);
  out[2] = static_cast<uint8_t>(0x84 | (q[2] & 0x01));  // QR, AA, RD as asked
  out[3] = 0x80;                                        // RA, NOERROR
  const bool answer = klass == kClassIn && (type == kTypeA || type == kTypeMx);
  out[6] = 0;
  out[7] = answer ? 1 : 0;
  for (int i = 8; i < 12; ++i) out[i] = 0;  // no authority, no additional (EDNS dropped)
  if (!answer) return out;
  Put16(out, 0xc00c);  // the name: a pointer to the question's
  Put16(out, type);
  Put16(out, kClassIn);
  Put32(out, 60);
  if (type == kTypeA) {
    Put16(out, 4);
    for (uint8_t b : {127, 0, 0, 1}) out.push_back(static_cast<uint8_t>(b));
  } else {
    Put16(out, 2 + 3 + 2);  // preference, "mx" label, pointer
    Put16(out, 10);
    for (uint8_t b : {uint8_t{2}, uint8_t{'m'}, uint8_t{'x'}}) out.push_back(b);
    Put16(out, 0xc00c);
  }
  return out;
}

asio::awaitable<void> ServeDns(udp::socket socket, const PeerOptions& options, PeerStats& stats) {
  std::vector<uint8_t> buffer(1500);
  for (;;) {
    udp::endpoint from;
    boost::system::error_code ec;
    const size_t n = co_await socket.async_receive_from(
        asio::buffer(buffer), from, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;
    auto answer = AnswerDnsQuery(buffer.data(), n);
    if (!answer) continue;
    ++stats.dns_queries;
    if (options.dns_delay.count() <= 0) {
      socket.send_to(asio::buffer(*answer), from, 0, ec);
      continue;
    }
    auto pending = std::make_shared<Pending>(socket.get_executor(), std::move(*answer), from);
    pending->timer.expires_after(options.dns_delay);
    pending->timer.async_wait([pending, &socket](boost::system::error_code wait_ec) {
      if (wait_ec) return;
      boost::system::error_code send_ec;
      socket.send_to(asio::buffer(pending->bytes), pending->to, 0, send_ec);
    });
  }
}

}  // namespace cv::bench
