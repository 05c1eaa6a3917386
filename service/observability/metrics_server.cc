#include "observability/metrics_server.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace cv::observability {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kRequestTimeout = std::chrono::seconds(10);
constexpr auto kContentType = "text/plain; version=0.0.4; charset=utf-8";
}  // namespace

absl::StatusOr<tcp::endpoint> ParseListenAddress(std::string_view address) {
  const auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad listen address \"", std::string(address), "\": ", std::string(why)));
  };
  std::string_view host;
  std::string_view port;
  if (!address.empty() && address.front() == '[') {
    const size_t close = address.find(']');
    if (close == std::string_view::npos || close + 1 >= address.size() ||
        address[close + 1] != ':') {
      return bad("expected [IPv6]:PORT");
    }
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == std::string_view::npos) return bad("expected HOST:PORT");
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad("put an IPv6 address in brackets");
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return bad("the port must be a number from 0 to 65535");
  }
  asio::ip::address ip;
  if (host.empty()) {
    ip = asio::ip::address_v4::any();
  } else if (host == "localhost") {
    ip = asio::ip::address_v4::loopback();
  } else {
    boost::system::error_code parse_error;
    ip = asio::ip::make_address(std::string(host), parse_error);
    if (parse_error) return bad("the host must be an IP address, \"localhost\" or empty");
  }
  return tcp::endpoint(ip, static_cast<unsigned short>(value));
}

struct MetricsServer::State {
  State(asio::io_context& io, MetricsServer::Render r)
      : acceptor(asio::make_strand(io)), render(std::move(r)) {}
  tcp::acceptor acceptor;
  MetricsServer::Render render;
};

namespace {

http::response<http::string_body> Answer(const http::request<http::string_body>& request,
                                         const MetricsServer::Render& render) {
  http::response<http::string_body> response;
  response.version(request.version());
  response.keep_alive(request.keep_alive());
  response.set(http::field::server, "channel-verifier");
  const std::string_view target(request.target().data(), request.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  if (path != "/metrics") {
    response.result(http::status::not_found);
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    response.body() = "not found: the metrics are at /metrics\n";
  } else if (request.method() != http::verb::get && request.method() != http::verb::head) {
    response.result(http::status::method_not_allowed);
    response.set(http::field::allow, "GET, HEAD");
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    response.body() = "method not allowed\n";
  } else {
    response.result(http::status::ok);
    response.set(http::field::content_type, kContentType);
    response.body() = render();
  }
  response.prepare_payload();
  // HEAD answers carry the length of the body they leave out.
  if (request.method() == http::verb::head) response.body().clear();
  return response;
}

asio::awaitable<void> Session(tcp::socket socket, std::shared_ptr<MetricsServer::State> state) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(8 * 1024);
    parser.body_limit(4 * 1024);
    stream.expires_after(kRequestTimeout);
    auto [read_error, read_bytes] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (read_error) break;  // closed, timed out or malformed: nothing worth answering
    const auto& request = parser.get();
    auto response = Answer(request, state->render);
    const bool keep_alive = response.keep_alive();
    stream.expires_after(kRequestTimeout);
    if (request.method() == http::verb::head) {
      http::response_serializer<http::string_body> serializer(response);
      auto [write_error, n] = co_await http::async_write_header(stream, serializer, kTuple);
      if (write_error) break;
    } else {
      auto [write_error, n] = co_await http::async_write(stream, response, kTuple);
      if (write_error) break;
    }
    if (!keep_alive) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> AcceptLoop(std::shared_ptr<MetricsServer::State> state) {
  for (;;) {
    auto [error, socket] = co_await state->acceptor.async_accept(kTuple);
    if (error == asio::error::operation_aborted || !state->acceptor.is_open()) co_return;
    if (error) {
      // Out of descriptors and the like: wait a little rather than spin.
      asio::steady_timer pause(state->acceptor.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(kTuple);
      continue;
    }
    asio::co_spawn(socket.get_executor(), Session(std::move(socket), state), asio::detached);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsServer>> MetricsServer::Start(asio::io_context& io,
                                                                    std::string_view address,
                                                                    Render render) {
  auto endpoint = ParseListenAddress(address);
  if (!endpoint.ok()) return endpoint.status();
  auto state = std::make_shared<State>(io, std::move(render));
  boost::system::error_code ec;
  state->acceptor.open(endpoint->protocol(), ec);
  if (!ec) state->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(*endpoint, ec);
  if (!ec) state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", std::string(address), ": ", ec.message()));
  }
  const int port = state->acceptor.local_endpoint().port();
  asio::co_spawn(state->acceptor.get_executor(), AcceptLoop(state), asio::detached);
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(state), port));
}

void MetricsServer::Stop() {
  // The acceptor lives on its strand: close it there, not from the caller's thread.
  asio::post(state_->acceptor.get_executor(), [state = state_] {
    boost::system::error_code ignored;
    state->acceptor.close(ignored);
  });
}

MetricsServer::~MetricsServer() = default;

}  // namespace cv::observability
