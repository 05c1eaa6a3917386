#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/deadline.h"

namespace cv::net {

class Conn;

// Caller cancellation for one request: every connection of the request registers here, and
// Cancel() aborts them all. Lives on the request's strand; not thread-safe by design.
class CancelScope {
 public:
  bool cancelled() const { return cancelled_; }
  void Register(const std::shared_ptr<Conn>& conn);
  void Cancel();

 private:
  bool cancelled_ = false;
  std::vector<std::weak_ptr<Conn>> conns_;
};

// One outbound TCP connection that can be upgraded to TLS. Every operation takes a deadline:
// a watchdog timer cancels the socket when it passes, so no wait is ever unbounded, TLS
// included. Errors come back as error codes (timed_out, operation_aborted, ...), never thrown;
// TLS errors as Asio's ssl::stream reports them (OpenSSL's code in the ssl category, eof,
// stream_truncated). Use from one strand only.
//
// TLS is OpenSSL on the socket itself, not asio::ssl::stream: the stream keeps two 17 KiB
// buffers, a 2 x 17 KiB BIO pair and two timers per connection and copies every byte through
// them. The SSL object exists only once the handshake starts (or a caller asks for it to
// configure it) and releases its buffers while idle.
class Conn : public std::enable_shared_from_this<Conn> {
 public:
  using tcp = boost::asio::ip::tcp;
  using error_code = boost::system::error_code;

  static std::shared_ptr<Conn> Create(boost::asio::any_io_executor executor,
                                      std::shared_ptr<boost::asio::ssl::context> tls,
                                      std::shared_ptr<CancelScope> scope);

  boost::asio::awaitable<error_code> Connect(const tcp::endpoint& endpoint,
                                             Clock::time_point deadline);
  // Client handshake; `host` is the name for SNI and the certificate check (never dialed).
  boost::asio::awaitable<error_code> Handshake(const std::string& host, Clock::time_point deadline);
  boost::asio::awaitable<error_code> Write(std::string_view data, Clock::time_point deadline);
  boost::asio::awaitable<std::pair<error_code, size_t>> ReadSome(boost::asio::mutable_buffer buf,
                                                                 Clock::time_point deadline);
  // Closes the socket at once (no TLS close_notify).
  void Close();
  // Caller cancellation: the pending and every later operation fail with operation_aborted.
  void Abort();

  bool tls_active() const { return tls_active_; }
  // The SSL object, made on first use, so that a caller can set ALPN or ex data before
  // Handshake(); nullptr only when OpenSSL cannot make one.
  SSL* native_ssl();
  const tcp::endpoint& remote() const { return remote_; }
  ~Conn();

 private:
  Conn(boost::asio::any_io_executor executor, std::shared_ptr<boost::asio::ssl::context> tls,
       std::shared_ptr<CancelScope> scope);
  void Arm(Clock::time_point deadline);
  void Disarm();
  error_code Outcome(error_code ec) const;
  // Runs a non-blocking OpenSSL call until it completes, waiting for the socket as it asks.
  template <typename Op>
  boost::asio::awaitable<std::pair<error_code, size_t>> Ssl(Op op);

  struct SslFree {
    void operator()(SSL* ssl) const;
  };

  std::shared_ptr<boost::asio::ssl::context> tls_;  // outlives ssl_
  tcp::socket socket_;
  bool counted_ = false;  // holds one socket of the SocketBudget until destroyed
  std::unique_ptr<SSL, SslFree> ssl_;
  boost::asio::steady_timer watchdog_;
  std::shared_ptr<CancelScope> scope_;
  tcp::endpoint remote_;
  uint64_t generation_ = 0;
  bool timed_out_ = false;
  bool aborted_ = false;
  bool tls_active_ = false;
};

}  // namespace cv::net
