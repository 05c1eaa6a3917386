#include "net/conn.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "net/tls.h"

namespace cv::net {
namespace asio = boost::asio;
namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
}

void CancelScope::Register(const std::shared_ptr<Conn>& conn) {
  if (cancelled_) {
    conn->Abort();
    return;
  }
  std::erase_if(conns_, [](const std::weak_ptr<Conn>& c) { return c.expired(); });
  conns_.push_back(conn);
}

void CancelScope::Cancel() {
  cancelled_ = true;
  for (auto& weak : conns_) {
    if (auto conn = weak.lock()) conn->Abort();
  }
  conns_.clear();
}

std::shared_ptr<Conn> Conn::Create(asio::any_io_executor executor,
                                   std::shared_ptr<asio::ssl::context> tls,
                                   std::shared_ptr<CancelScope> scope) {
  std::shared_ptr<Conn> conn(new Conn(std::move(executor), std::move(tls), scope));
  if (scope) scope->Register(conn);
  return conn;
}

Conn::Conn(asio::any_io_executor executor, std::shared_ptr<asio::ssl::context> tls,
           std::shared_ptr<CancelScope> scope)
    : tls_(std::move(tls)),
      stream_(executor, *tls_),
      watchdog_(executor),
      scope_(std::move(scope)) {}

Conn::~Conn() = default;

void Conn::Arm(Clock::time_point deadline) {
  const uint64_t generation = ++generation_;
  timed_out_ = false;
  watchdog_.expires_at(deadline);
  // The handler holds the connection so the socket it cancels is alive; the generation check
  // makes a late firing of an earlier step's timer harmless.
  watchdog_.async_wait([self = shared_from_this(), generation](error_code ec) {
    if (ec || generation != self->generation_) return;
    self->timed_out_ = true;
    error_code ignored;
    self->stream_.next_layer().cancel(ignored);
  });
}

void Conn::Disarm() {
  ++generation_;
  watchdog_.cancel();
}

Conn::error_code Conn::Outcome(error_code ec) const {
  if (aborted_) return asio::error::operation_aborted;
  if (timed_out_) return asio::error::timed_out;
  return ec;
}

asio::awaitable<Conn::error_code> Conn::Connect(const tcp::endpoint& endpoint,
                                                Clock::time_point deadline) {
  if (aborted_) co_return asio::error::operation_aborted;
  remote_ = endpoint;
  Arm(deadline);
  auto [ec] = co_await stream_.next_layer().async_connect(endpoint, kTuple);
  Disarm();
  if (!ec) {
    error_code ignored;
    stream_.next_layer().set_option(tcp::no_delay(true), ignored);
  }
  co_return Outcome(ec);
}

asio::awaitable<Conn::error_code> Conn::Handshake(const std::string& host,
                                                  Clock::time_point deadline) {
  if (aborted_) co_return asio::error::operation_aborted;
  PrepareClientSsl(stream_.native_handle(), host);
  Arm(deadline);
  auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::client, kTuple);
  Disarm();
  ec = Outcome(ec);
  if (!ec) tls_active_ = true;
  co_return ec;
}

asio::awaitable<Conn::error_code> Conn::Write(std::string_view data, Clock::time_point deadline) {
  if (aborted_) co_return asio::error::operation_aborted;
  Arm(deadline);
  error_code ec;
  if (tls_active_) {
    std::tie(ec, std::ignore) = co_await asio::async_write(stream_, asio::buffer(data), kTuple);
  } else {
    std::tie(ec, std::ignore) =
        co_await asio::async_write(stream_.next_layer(), asio::buffer(data), kTuple);
  }
  Disarm();
  co_return Outcome(ec);
}

asio::awaitable<std::pair<Conn::error_code, size_t>> Conn::ReadSome(asio::mutable_buffer buf,
                                                                    Clock::time_point deadline) {
  if (aborted_) co_return std::make_pair(error_code(asio::error::operation_aborted), size_t{0});
  Arm(deadline);
  error_code ec;
  size_t n = 0;
  if (tls_active_) {
    std::tie(ec, n) = co_await stream_.async_read_some(buf, kTuple);
  } else {
    std::tie(ec, n) = co_await stream_.next_layer().async_read_some(buf, kTuple);
  }
  Disarm();
  co_return std::make_pair(Outcome(ec), n);
}

void Conn::Close() {
  error_code ignored;
  // No TLS close_notify: the peer learns from the FIN, and waiting for its answer would only
  // add a round trip to every verification.
  stream_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.next_layer().close(ignored);
  Disarm();
}

void Conn::Abort() {
  aborted_ = true;
  error_code ignored;
  stream_.next_layer().cancel(ignored);
}

}  // namespace cv::net
