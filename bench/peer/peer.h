// The benchmark's scripted SMTP peer: a fast stand-in for a customer's mail server (STARTTLS
// and implicit TLS, EHLO, AUTH PLAIN and LOGIN with one fixed password for any username) and for
// its DNS, with a fixed delay before every reply to stand for a network round trip.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <string>

namespace cv::bench {

struct PeerOptions {
  std::string hostname = "smtp.bench.test";  // in the greeting and EHLO reply
  std::string password;                      // the one password AUTH accepts, for any user
  std::chrono::milliseconds delay{0};        // before each SMTP reply and the TLS server flight
  std::chrono::milliseconds dns_delay{0};    // before each DNS answer
};

// What the peer saw, for the benchmark to check that every verification really reached it.
struct PeerStats {
  std::atomic<uint64_t> sessions{0};
  std::atomic<uint64_t> tls_handshakes{0};
  std::atomic<uint64_t> auth_ok{0};
  std::atomic<uint64_t> auth_failed{0};
  std::atomic<uint64_t> dns_queries{0};
  std::atomic<uint64_t> errors{0};  // sessions that ended on an I/O or TLS error
};

// The TLS server context: the certificate chain and key from openssl, no session tickets (the
// verifier never resumes), buffers released while idle (10,000 idle connections are the point).
boost::asio::ssl::context MakePeerTls(const std::string& cert_file, const std::string& key_file);

}  // namespace cv::bench
