#include "net/conn.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <climits>

#include "net/socket_bio.h"
#include "net/socket_budget.h"
#include "net/tls.h"

namespace cv::net {
namespace asio = boost::asio;
namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// What a failed OpenSSL call means, in the error codes asio::ssl::stream would have given, so
// that callers (and DescribeTlsError / ClassifyHandshakeError) see the same thing.
Conn::error_code SslError(int ssl_error, int saved_errno) {
  const unsigned long queued = ERR_get_error();
  switch (ssl_error) {
    case SSL_ERROR_ZERO_RETURN:
      return asio::error::eof;  // close_notify
    case SSL_ERROR_SSL:
      // The transport ended without close_notify: what the stream calls truncated.
      if (ERR_GET_REASON(queued) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        return asio::ssl::error::stream_truncated;
      }
      return {static_cast<int>(queued), asio::error::get_ssl_category()};
    case SSL_ERROR_SYSCALL:
      if (queued != 0) return {static_cast<int>(queued), asio::error::get_ssl_category()};
      if (saved_errno != 0) return {saved_errno, boost::system::system_category()};
      return asio::ssl::error::stream_truncated;
    default:
      return asio::ssl::error::unexpected_result;
  }
}
}  // namespace

void Conn::SslFree::operator()(SSL* ssl) const { SSL_free(ssl); }

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
    : tls_(std::move(tls)), socket_(executor), watchdog_(executor), scope_(std::move(scope)) {}

Conn::~Conn() {
  if (counted_) SocketBudget::Release();
}

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
    self->socket_.cancel(ignored);
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
  // Counted before the socket exists: past the budget the kernel would soon say EMFILE, and
  // this says it first, as the same local shortage.
  if (!counted_) {
    if (!SocketBudget::TryAcquire()) {
      co_return error_code(EMFILE, boost::system::system_category());
    }
    counted_ = true;
  }
  Arm(deadline);
  auto [ec] = co_await socket_.async_connect(endpoint, kTuple);
  Disarm();
  if (!ec) {
    error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    // OpenSSL reads and writes the descriptor itself, and must never block the loop.
    socket_.native_non_blocking(true, ignored);
  }
  co_return Outcome(ec);
}

template <typename Op>
asio::awaitable<std::pair<Conn::error_code, size_t>> Conn::Ssl(Op op) {
  for (;;) {
    ERR_clear_error();
    errno = 0;
    const int result = op();
    const int saved_errno = errno;
    if (result > 0) co_return std::make_pair(error_code(), static_cast<size_t>(result));
    const int ssl_error = SSL_get_error(ssl_.get(), result);
    if (ssl_error != SSL_ERROR_WANT_READ && ssl_error != SSL_ERROR_WANT_WRITE) {
      co_return std::make_pair(SslError(ssl_error, saved_errno), size_t{0});
    }
    auto [ec] = co_await socket_.async_wait(
        ssl_error == SSL_ERROR_WANT_READ ? tcp::socket::wait_read : tcp::socket::wait_write,
        kTuple);
    if (ec) co_return std::make_pair(ec, size_t{0});
  }
}

SSL* Conn::native_ssl() {
  if (!ssl_) ssl_.reset(SSL_new(tls_->native_handle()));
  return ssl_.get();
}

asio::awaitable<Conn::error_code> Conn::Handshake(const std::string& host,
                                                  Clock::time_point deadline) {
  if (aborted_) co_return asio::error::operation_aborted;
  if (!socket_.is_open()) co_return asio::error::not_connected;
  BIO* bio = native_ssl() != nullptr ? NewSocketBio(socket_.native_handle()) : nullptr;
  if (bio == nullptr) {
    co_return error_code(static_cast<int>(ERR_get_error()), asio::error::get_ssl_category());
  }
  SSL_set_bio(ssl_.get(), bio, bio);
  // Idle connections (10,000 of them, waiting for slow servers) keep no 17 KiB record buffers.
  SSL_set_mode(ssl_.get(), SSL_MODE_RELEASE_BUFFERS);
  // One recv(2) per burst of records instead of two per record (header, then body).
  SSL_set_read_ahead(ssl_.get(), 1);
  SSL_set_connect_state(ssl_.get());
  PrepareClientSsl(ssl_.get(), host);
  Arm(deadline);
  auto [ec, n] = co_await Ssl([this] { return SSL_do_handshake(ssl_.get()); });
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
    // Without partial writes SSL_write returns only once all of it is out; after WANT_WRITE it
    // is retried with the same arguments, as OpenSSL requires.
    while (!ec && !data.empty()) {
      const int chunk = static_cast<int>(std::min<size_t>(data.size(), INT_MAX));
      size_t n = 0;
      std::tie(ec, n) =
          co_await Ssl([this, data, chunk] { return SSL_write(ssl_.get(), data.data(), chunk); });
      data.remove_prefix(n);
    }
  } else {
    std::tie(ec, std::ignore) = co_await asio::async_write(socket_, asio::buffer(data), kTuple);
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
    const int size = static_cast<int>(std::min<size_t>(buf.size(), INT_MAX));
    std::tie(ec, n) =
        co_await Ssl([this, buf, size] { return SSL_read(ssl_.get(), buf.data(), size); });
  } else {
    std::tie(ec, n) = co_await socket_.async_read_some(buf, kTuple);
  }
  Disarm();
  co_return std::make_pair(Outcome(ec), n);
}

void Conn::Close() {
  error_code ignored;
  // No TLS close_notify: the peer learns from the FIN, and waiting for its answer would only
  // add a round trip to every verification.
  socket_.close(ignored);
  Disarm();
}

void Conn::Abort() {
  aborted_ = true;
  error_code ignored;
  socket_.cancel(ignored);
}

}  // namespace cv::net
