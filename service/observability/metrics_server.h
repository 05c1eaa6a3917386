#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace cv::observability {

// HOST:PORT for a listener: an IPv4 literal, [IPv6], "localhost" or nothing (all interfaces,
// IPv4), and a port 0..65535 (0: the system picks one). Refuses anything else with a message
// that names the flag's value, so that a typo fails at startup.
absl::StatusOr<boost::asio::ip::tcp::endpoint> ParseListenAddress(std::string_view address);

// A small HTTP/1.1 server for Prometheus on the service's own event loop (Beast): GET or HEAD
// /metrics answers render() as text exposition 0.0.4; anything else is 404 / 405. Each request
// must arrive within 10 s and be small; connections are kept alive as Prometheus does.
class MetricsServer {
 public:
  using Render = std::function<std::string()>;

  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(boost::asio::io_context& io,
                                                              std::string_view address,
                                                              Render render);
  ~MetricsServer();

  // The bound port (useful with port 0).
  int port() const { return port_; }
  // Stops accepting; open connections end with the event loop.
  void Stop();

  struct State;

 private:
  MetricsServer(std::shared_ptr<State> state, int port) : state_(std::move(state)), port_(port) {}
  std::shared_ptr<State> state_;
  int port_;
};

}  // namespace cv::observability
