#include "peer/smtp_server.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cv::bench {
namespace asio = boost::asio;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

namespace {

// Base64 with OpenSSL's decoder (not the engine's, so a bug there cannot hide here).
std::optional<std::string> DecodeBase64(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0 || in.size() > 4096) return std::nullopt;
  std::string out(in.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  if (n < 0) return std::nullopt;
  size_t len = static_cast<size_t>(n);
  for (size_t i = in.size(); i > 0 && in[i - 1] == '='; --i) --len;  // padding decodes as NUL
  out.resize(len);
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// One connection: a TCP socket that may become TLS, read by lines.
class Session {
 public:
  Session(tcp::socket socket, asio::ssl::context& tls, const PeerOptions& options, PeerStats& stats)
      : socket_(std::move(socket)),
        tls_context_(tls),
        options_(options),
        stats_(stats),
        timer_(socket_.get_executor()) {}

  asio::awaitable<void> Run(bool implicit_tls);

 private:
  // The stand-in for a network round trip: the time between a request and its reply.
  asio::awaitable<void> Pause() {
    if (options_.delay.count() <= 0) co_return;
    timer_.expires_after(options_.delay);
    co_await timer_.async_wait(use_awaitable);
  }
  // Waits for the ClientHello, then pauses: the server's handshake flight is one round trip.
  // TLS is OpenSSL on the socket itself (SIGPIPE is ignored in main): asio::ssl::stream's
  // buffers and copies would make the peer, which shares the machine, cost more than it must.
  asio::awaitable<void> Handshake() {
    co_await socket_.async_wait(tcp::socket::wait_read, use_awaitable);
    co_await Pause();
    socket_.native_non_blocking(true);
    ssl_.reset(SSL_new(tls_context_.native_handle()));
    if (!ssl_ || SSL_set_fd(ssl_.get(), socket_.native_handle()) != 1) {
      throw std::runtime_error("SSL_new");
    }
    SSL_set_accept_state(ssl_.get());
    SSL_set_read_ahead(ssl_.get(), 1);
    co_await Ssl([this] { return SSL_do_handshake(ssl_.get()); });
    ++stats_.tls_handshakes;
  }
  // Runs a non-blocking OpenSSL call to completion; 0 on a clean or unclean end of stream.
  template <typename Op>
  asio::awaitable<int> Ssl(Op op) {
    for (;;) {
      ERR_clear_error();
      const int result = op();
      if (result > 0) co_return result;
      const int error = SSL_get_error(ssl_.get(), result);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
        co_await socket_.async_wait(
            error == SSL_ERROR_WANT_READ ? tcp::socket::wait_read : tcp::socket::wait_write,
            use_awaitable);
        continue;
      }
      if (error == SSL_ERROR_ZERO_RETURN || error == SSL_ERROR_SYSCALL ||
          (error == SSL_ERROR_SSL &&
           ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
        co_return 0;
      }
      throw std::runtime_error("TLS error");
    }
  }
  asio::awaitable<void> Reply(std::string_view text) {
    co_await Pause();
    if (ssl_) {
      co_await Ssl(
          [&] { return SSL_write(ssl_.get(), text.data(), static_cast<int>(text.size())); });
    } else {
      co_await asio::async_write(socket_, asio::buffer(text), use_awaitable);
    }
  }
  // The next line without CRLF; nullopt when the client closed.
  asio::awaitable<std::optional<std::string>> ReadLine() {
    for (;;) {
      const size_t end = in_.find("\r\n");
      if (end != std::string::npos) {
        std::string line = in_.substr(0, end);
        in_.erase(0, end + 2);
        co_return line;
      }
      if (in_.size() > 4096) throw std::runtime_error("line too long");
      char buffer[2048];
      size_t n = 0;
      if (ssl_) {
        n = static_cast<size_t>(
            co_await Ssl([&] { return SSL_read(ssl_.get(), buffer, sizeof buffer); }));
      } else {
        boost::system::error_code ec;
        n = co_await socket_.async_read_some(asio::buffer(buffer),
                                             asio::redirect_error(use_awaitable, ec));
        if (ec == asio::error::eof || ec == asio::error::connection_reset)
          n = 0;
        else if (ec)
          throw boost::system::system_error(ec);
      }
      if (n == 0) co_return std::nullopt;
      in_.append(buffer, n);
    }
  }
  asio::awaitable<void> Ehlo(bool extended);
  asio::awaitable<void> AuthPlain(std::string_view initial);
  asio::awaitable<void> AuthLogin(std::string_view initial);
  asio::awaitable<void> Verdict(std::string_view user, std::string_view password) {
    (void)user;  // any user: the bench varies it so that no two verifications are coalesced
    if (password == options_.password) {
      ++stats_.auth_ok;
      co_await Reply("235 2.7.0 Authentication successful\r\n");
    } else {
      ++stats_.auth_failed;
      co_await Reply("535 5.7.8 Authentication credentials invalid\r\n");
    }
  }

  tcp::socket socket_;
  asio::ssl::context& tls_context_;
  const PeerOptions& options_;
  PeerStats& stats_;
  asio::steady_timer timer_;
  struct SslFree {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };
  std::unique_ptr<SSL, SslFree> ssl_;
  std::string in_;
};

asio::awaitable<void> Session::Ehlo(bool extended) {
  if (!extended) {
    co_await Reply("250 " + options_.hostname + "\r\n");
    co_return;
  }
  std::string reply = "250-" + options_.hostname + " greets you\r\n250-PIPELINING\r\n";
  reply += "250-SIZE 36700160\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n";
  reply += ssl_ ? "250-AUTH PLAIN LOGIN\r\n" : "250-STARTTLS\r\n";
  reply += "250 SMTPUTF8\r\n";
  co_await Reply(reply);
}

asio::awaitable<void> Session::AuthPlain(std::string_view initial) {
  std::string response(initial);
  if (response.empty()) {
    co_await Reply("334 \r\n");
    auto line = co_await ReadLine();
    if (!line) co_return;
    response = *line;
  }
  const auto decoded = DecodeBase64(response);
  // authzid NUL authcid NUL password
  const size_t first = decoded ? decoded->find('\0') : std::string::npos;
  const size_t second =
      first == std::string::npos ? std::string::npos : decoded->find('\0', first + 1);
  if (second == std::string::npos) {
    ++stats_.auth_failed;
    co_await Reply("501 5.5.2 malformed AUTH PLAIN response\r\n");
    co_return;
  }
  co_await Verdict(std::string_view(*decoded).substr(first + 1, second - first - 1),
                   std::string_view(*decoded).substr(second + 1));
}

asio::awaitable<void> Session::AuthLogin(std::string_view initial) {
  std::string user_b64(initial);
  if (user_b64.empty()) {
    co_await Reply("334 VXNlcm5hbWU6\r\n");  // "Username:"
    auto line = co_await ReadLine();
    if (!line) co_return;
    user_b64 = *line;
  }
  co_await Reply("334 UGFzc3dvcmQ6\r\n");  // "Password:"
  auto pass_b64 = co_await ReadLine();
  if (!pass_b64) co_return;
  const auto user = DecodeBase64(user_b64);
  const auto pass = DecodeBase64(*pass_b64);
  if (!user || !pass) {
    ++stats_.auth_failed;
    co_await Reply("501 5.5.2 malformed AUTH LOGIN response\r\n");
    co_return;
  }
  co_await Verdict(*user, *pass);
}

asio::awaitable<void> Session::Run(bool implicit_tls) {
  ++stats_.sessions;
  if (implicit_tls) co_await Handshake();
  co_await Reply("220 " + options_.hostname + " ESMTP channel-verifier bench peer\r\n");
  bool authenticated = false;
  for (;;) {
    auto line = co_await ReadLine();
    if (!line) co_return;
    const std::string_view text = *line;
    const size_t space = text.find(' ');
    const std::string verb = Upper(text.substr(0, space));
    const std::string_view rest =
        space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    if (verb == "EHLO" || verb == "HELO") {
      co_await Ehlo(verb == "EHLO");
    } else if (verb == "STARTTLS") {
      if (ssl_) {
        co_await Reply("503 5.5.1 TLS already active\r\n");
        continue;
      }
      co_await Reply("220 2.0.0 Ready to start TLS\r\n");
      // Bytes pipelined after STARTTLS would be read as if they came through TLS.
      if (!in_.empty()) co_return;
      co_await Handshake();
    } else if (verb == "AUTH" && ssl_ && !authenticated) {
      const size_t mech_end = rest.find(' ');
      const std::string mechanism = Upper(rest.substr(0, mech_end));
      const std::string_view initial =
          mech_end == std::string_view::npos ? std::string_view() : rest.substr(mech_end + 1);
      const uint64_t before = stats_.auth_ok;
      if (mechanism == "PLAIN") {
        co_await AuthPlain(initial == "=" ? std::string_view() : initial);
      } else if (mechanism == "LOGIN") {
        co_await AuthLogin(initial);
      } else {
        co_await Reply("504 5.5.4 mechanism not supported\r\n");
      }
      authenticated = stats_.auth_ok != before;
    } else if (verb == "AUTH") {
      co_await Reply("503 5.5.1 AUTH not available\r\n");
    } else if (verb == "MAIL" || verb == "RCPT" || verb == "RSET" || verb == "NOOP") {
      co_await Reply("250 2.0.0 OK\r\n");
    } else if (verb == "QUIT") {
      co_await Reply("221 2.0.0 Bye\r\n");
      co_return;
    } else {
      co_await Reply("502 5.5.2 command not recognized\r\n");
    }
  }
}

asio::awaitable<void> RunSession(std::shared_ptr<Session> session, bool implicit_tls) {
  co_await session->Run(implicit_tls);
}

}  // namespace

asio::awaitable<void> ServeSmtp(tcp::acceptor acceptor, asio::ssl::context& tls,
                                const PeerOptions& options, PeerStats& stats, bool implicit_tls) {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;  // EMFILE and friends: keep serving the others
    socket.set_option(tcp::no_delay(true), ec);
    auto session = std::make_shared<Session>(std::move(socket), tls, options, stats);
    asio::co_spawn(acceptor.get_executor(), RunSession(std::move(session), implicit_tls),
                   [&stats](std::exception_ptr error) {
                     if (error) ++stats.errors;
                   });
  }
}

}  // namespace cv::bench
