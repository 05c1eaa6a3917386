// cv_bench_peer: the benchmark's SMTP and DNS peer (see peer.h). Prints one line
//   ready starttls_port=P implicit_port=P dns_port=P
// once it listens, and on SIGTERM or SIGINT one line of counters before it exits.
#include <openssl/ssl.h>
#include <signal.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "peer/dns_responder.h"
#include "peer/peer.h"
#include "peer/smtp_server.h"

ABSL_FLAG(std::string, listen_ip, "127.0.0.1", "Address to listen on");
ABSL_FLAG(int, starttls_port, 0, "SMTP port offering STARTTLS (0: any free one)");
ABSL_FLAG(int, implicit_port, 0, "SMTP port with implicit TLS (0: any free one)");
ABSL_FLAG(int, dns_port, 0, "UDP DNS port (0: any free one)");
ABSL_FLAG(int, delay_ms, 0, "Pause before every SMTP reply and before the TLS server flight");
ABSL_FLAG(int, dns_delay_ms, -1, "Pause before every DNS answer (-1: as --delay_ms)");
ABSL_FLAG(std::string, password, "", "The password AUTH accepts (any username)");
ABSL_FLAG(std::string, cert_file, "", "PEM certificate chain");
ABSL_FLAG(std::string, key_file, "", "PEM private key");
ABSL_FLAG(std::string, hostname, "smtp.bench.test", "Name in the greeting and EHLO reply");
ABSL_FLAG(int, threads, 1, "Threads running the SMTP event loop (DNS has one more of its own)");

namespace cv::bench {
namespace asio = boost::asio;

asio::ssl::context MakePeerTls(const std::string& cert_file, const std::string& key_file) {
  asio::ssl::context ctx(asio::ssl::context::tls_server);
  ctx.use_certificate_chain_file(cert_file);
  ctx.use_private_key_file(key_file, asio::ssl::context::pem);
  SSL_CTX* native = ctx.native_handle();
  SSL_CTX_set_num_tickets(native, 0);
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  return ctx;
}

}  // namespace cv::bench

int main(int argc, char** argv) {
  namespace asio = boost::asio;
  using asio::ip::tcp;
  using asio::ip::udp;
  absl::SetProgramUsageMessage("Scripted SMTP + DNS peer for the channel-verifier benchmark.");
  absl::ParseCommandLine(argc, argv);
  signal(SIGPIPE, SIG_IGN);

  cv::bench::PeerOptions options;
  options.hostname = absl::GetFlag(FLAGS_hostname);
  options.password = absl::GetFlag(FLAGS_password);
  options.delay = std::chrono::milliseconds(absl::GetFlag(FLAGS_delay_ms));
  const int dns_delay = absl::GetFlag(FLAGS_dns_delay_ms);
  options.dns_delay = dns_delay < 0 ? options.delay : std::chrono::milliseconds(dns_delay);
  if (options.password.empty() || absl::GetFlag(FLAGS_cert_file).empty()) {
    std::fprintf(stderr, "cv_bench_peer: --password, --cert_file and --key_file are required\n");
    return 2;
  }
  cv::bench::PeerStats stats;
  const int threads = std::max(1, absl::GetFlag(FLAGS_threads));
  asio::io_context io(threads);
  try {
    auto tls =
        cv::bench::MakePeerTls(absl::GetFlag(FLAGS_cert_file), absl::GetFlag(FLAGS_key_file));
    const auto ip = asio::ip::make_address(absl::GetFlag(FLAGS_listen_ip));
    auto listen = [&](int port) {
      tcp::acceptor acceptor(io);
      const tcp::endpoint endpoint(ip, static_cast<uint16_t>(port));
      acceptor.open(endpoint.protocol());
      acceptor.set_option(tcp::acceptor::reuse_address(true));
      acceptor.bind(endpoint);
      // Ten thousand verifications may connect within a second.
      acceptor.listen(asio::socket_base::max_listen_connections);
      return acceptor;
    };
    tcp::acceptor starttls = listen(absl::GetFlag(FLAGS_starttls_port));
    tcp::acceptor implicit = listen(absl::GetFlag(FLAGS_implicit_port));
    // DNS has a thread and loop of its own: at 10,000 verifications a burst of TLS handshakes
    // would otherwise hold its answers back past the verifier's 1.5 s DNS attempt timeout.
    asio::io_context dns_io(1);
    udp::socket dns(dns_io,
                    udp::endpoint(ip, static_cast<uint16_t>(absl::GetFlag(FLAGS_dns_port))));
    dns.set_option(asio::socket_base::receive_buffer_size(4 << 20));
    std::printf("ready starttls_port=%d implicit_port=%d dns_port=%d\n",
                starttls.local_endpoint().port(), implicit.local_endpoint().port(),
                dns.local_endpoint().port());
    std::fflush(stdout);

    asio::co_spawn(io, cv::bench::ServeSmtp(std::move(starttls), tls, options, stats, false),
                   asio::detached);
    asio::co_spawn(io, cv::bench::ServeSmtp(std::move(implicit), tls, options, stats, true),
                   asio::detached);
    asio::co_spawn(dns_io, cv::bench::ServeDns(std::move(dns), options, stats), asio::detached);
    asio::signal_set signals(io, SIGTERM, SIGINT);
    signals.async_wait([&](auto, int) {
      io.stop();
      dns_io.stop();
    });
    std::vector<std::thread> pool;
    pool.emplace_back([&dns_io] { dns_io.run(); });
    for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cv_bench_peer: %s\n", e.what());
    return 1;
  }
  std::printf(
      "stats sessions=%llu tls_handshakes=%llu auth_ok=%llu auth_failed=%llu "
      "dns_queries=%llu errors=%llu\n",
      static_cast<unsigned long long>(stats.sessions.load()),
      static_cast<unsigned long long>(stats.tls_handshakes.load()),
      static_cast<unsigned long long>(stats.auth_ok.load()),
      static_cast<unsigned long long>(stats.auth_failed.load()),
      static_cast<unsigned long long>(stats.dns_queries.load()),
      static_cast<unsigned long long>(stats.errors.load()));
  return 0;
}
