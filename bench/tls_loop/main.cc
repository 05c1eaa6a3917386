// cv_bench_tls: the cryptographic floor of one verification. In a loop: TCP connect, TLS client
// handshake (the engine's own client context: same OpenSSL, same trust store, SNI and host name
// check), close. Prints key value lines: handshakes, failures, cpu_us_per_handshake (this
// process's user + system time) and wall_us_per_handshake.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "net/tls.h"

ABSL_FLAG(std::string, ip, "127.0.0.1", "Address to connect to");
ABSL_FLAG(int, port, 465, "Implicit-TLS port");
ABSL_FLAG(std::string, host, "smtp.bench.test", "Name for SNI and the certificate check");
ABSL_FLAG(std::string, ca_file, "", "Extra trust anchor (the peer's CA)");
ABSL_FLAG(int, count, 1000, "Handshakes to time");
ABSL_FLAG(int, warmup, 20, "Handshakes before timing starts");

namespace {

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// One connect + handshake; true when the handshake succeeded and the certificate verified.
bool Handshake(SSL_CTX* ctx, const sockaddr_in& address, const std::string& host) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  bool ok = false;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    cv::net::PrepareClientSsl(ssl, host);
    ok = SSL_connect(ssl) == 1 && SSL_get_verify_result(ssl) == X509_V_OK;
    SSL_free(ssl);  // no close_notify, as the engine: the FIN says it
  }
  close(fd);
  ERR_clear_error();
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("TCP connect + TLS handshake loop: the floor of a verification.");
  absl::ParseCommandLine(argc, argv);
  auto ctx = cv::net::MakeClientTlsContext(absl::GetFlag(FLAGS_ca_file));
  if (!ctx.ok()) {
    std::fprintf(stderr, "cv_bench_tls: %s\n", std::string(ctx.status().message()).c_str());
    return 2;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(absl::GetFlag(FLAGS_port)));
  if (inet_pton(AF_INET, absl::GetFlag(FLAGS_ip).c_str(), &address.sin_addr) != 1) {
    std::fprintf(stderr, "cv_bench_tls: --ip must be an IPv4 address\n");
    return 2;
  }
  const std::string host = absl::GetFlag(FLAGS_host);
  SSL_CTX* native = (*ctx)->native_handle();
  for (int i = 0; i < absl::GetFlag(FLAGS_warmup); ++i) Handshake(native, address, host);

  const int count = absl::GetFlag(FLAGS_count);
  int failures = 0;
  const double cpu_before = CpuSeconds();
  const auto wall_before = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    if (!Handshake(native, address, host)) ++failures;
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  const double cpu = CpuSeconds() - cpu_before;
  const int divisor = std::max(count, 1);
  std::printf("handshakes %d\nfailures %d\ncpu_us_per_handshake %.1f\nwall_us_per_handshake %.1f\n",
              count, failures, cpu / divisor * 1e6, wall / divisor * 1e6);
  return failures == 0 ? 0 : 1;
}
