#include "channelctl/tls_check.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "net/conn.h"
#include "net/tls.h"

namespace channelctl {
namespace {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct HostPort {
  std::string host;
  std::string port;
};

// "host:port", "[::1]:port", "dns:///host:port". Other target URIs (unix:, xds:) are not
// checked.
std::optional<HostPort> ParseTarget(std::string_view target) {
  if (target.starts_with("dns:///")) target.remove_prefix(7);
  if (target.find("://") != std::string_view::npos || target.starts_with("unix:")) {
    return std::nullopt;
  }
  if (target.starts_with("[")) {
    const size_t close = target.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    return HostPort{std::string(target.substr(1, close - 1)),
                    std::string(target.substr(close + 2))};
  }
  const size_t colon = target.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || target.find(':') != colon) {
    return std::nullopt;
  }
  return HostPort{std::string(target.substr(0, colon)), std::string(target.substr(colon + 1))};
}

// What the server did with our handshake.
struct Findings {
  bool connected = false;
  bool handshake_ok = false;
  cv::net::TlsFailure failure = cv::net::TlsFailure::kHandshake;
  std::string handshake_error;
  int alert_reason = 0;  // OpenSSL's reason code of an alert the server sent, if any
  cv::net::TlsFacts facts;
  bool cert_requested = false;  // the server asked for a client certificate
  bool server_spoke = false;    // after the handshake the server sent data (HTTP/2 SETTINGS)
  bool server_closed = false;   // ... or closed the connection instead
};

int SslReason(const boost::system::error_code& ec) {
  if (ec.category() != asio::error::get_ssl_category()) return 0;
  return ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
}

// Alerts a server sends about the client's certificate: none given (TLS 1.3: certificate
// required; TLS 1.2: handshake failure), or one it does not accept.
bool AboutClientCertificate(int reason) {
  switch (reason) {
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_TLSV1_ALERT_ACCESS_DENIED:
    case SSL_R_TLSV1_ALERT_DECRYPT_ERROR:
      return true;
    default:
      return false;
  }
}

// Where the SSL object keeps its Findings (Asio has the app data slot for itself).
int FindingsIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Called on a client only when the server asks for a certificate, whether we have one or not.
int NoteCertificateRequest(SSL* ssl, void*) {
  auto* findings = static_cast<Findings*>(SSL_get_ex_data(ssl, FindingsIndex()));
  if (findings != nullptr) findings->cert_requested = true;
  return 1;  // go on with the certificate we have, or none, as gRPC did
}

asio::awaitable<void> Probe(std::vector<tcp::endpoint> endpoints,
                            std::shared_ptr<asio::ssl::context> tls, std::string name,
                            cv::net::Clock::time_point deadline, Findings* out) {
  auto executor = co_await asio::this_coro::executor;
  std::shared_ptr<cv::net::Conn> conn;
  for (const auto& endpoint : endpoints) {
    auto attempt = cv::net::Conn::Create(executor, tls, nullptr);
    if (!co_await attempt->Connect(endpoint, deadline)) {
      conn = std::move(attempt);
      break;
    }
  }
  if (!conn) co_return;
  out->connected = true;
  SSL_set_ex_data(conn->native_ssl(), FindingsIndex(), out);
  // gRPC speaks HTTP/2 only: a server that sees no ALPN "h2" refuses the connection.
  static constexpr unsigned char kAlpn[] = {2, 'h', '2'};
  SSL_set_alpn_protos(conn->native_ssl(), kAlpn, sizeof kAlpn);
  if (auto ec = co_await conn->Handshake(name, deadline)) {
    out->failure = cv::net::ClassifyHandshakeError(ec);
    out->handshake_error = cv::net::DescribeTlsError(ec);
    out->alert_reason = SslReason(ec);
    co_return;
  }
  out->handshake_ok = true;
  out->facts = cv::net::InspectSession(conn->native_ssl());
  // With TLS 1.3 the server judges our certificate only after our side of the handshake is
  // done: its verdict is the first thing it sends, the HTTP/2 SETTINGS frame that a gRPC server
  // opens every connection with, or an alert, or (gRPC's way) the end of the connection.
  // Nothing is sent, so no RST can swallow the verdict.
  std::array<char, 256> buf;
  auto [ec, n] = co_await conn->ReadSome(asio::buffer(buf), deadline);
  if (!ec && n > 0) out->server_spoke = true;
  if (ec) {
    out->alert_reason = SslReason(ec);
    out->server_closed = ec != asio::error::timed_out && ec != asio::error::operation_aborted;
  }
  conn->Close();
}

std::string ClientCertificateProblem(const channelverify::ClientOptions& options,
                                     const Findings& f) {
  if (options.cert_file.empty()) {
    return "the server requires a client certificate (mutual TLS): give --cert-file and "
           "--key-file";
  }
  const char* reason = f.alert_reason != 0
                           ? ERR_reason_error_string(ERR_PACK(ERR_LIB_SSL, 0, f.alert_reason))
                           : nullptr;
  return "the server refused the client certificate of --cert-file " + options.cert_file + " (" +
         (reason ? reason : "it closed the connection after the handshake") +
         "): it must be signed by a CA the server trusts (its --client_ca_file)";
}

std::string Explain(const channelverify::ClientOptions& options, const std::string& name,
                    const Findings& f) {
  if (!f.connected) return "";
  if (!options.tls) {
    // A plaintext call that the server closed: does it speak TLS on that port?
    if (f.handshake_ok || AboutClientCertificate(f.alert_reason)) {
      std::string out = "the server speaks TLS on this port: add --tls, and --ca-file with the CA";
      if (!f.facts.cert_issuer.empty())
        out += " (its certificate is issued by " + f.facts.cert_issuer + ")";
      return out;
    }
    return "";
  }
  if (!f.handshake_ok) {
    if (f.failure == cv::net::TlsFailure::kNotTls) {
      return "the server does not speak TLS on this port (" + f.handshake_error +
             "): leave out --tls, --ca-file, --cert-file and --tls-server-name, or use its TLS "
             "port";
    }
    if (AboutClientCertificate(f.alert_reason) ||
        (f.cert_requested && f.alert_reason == SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE)) {
      return ClientCertificateProblem(options, f);
    }
    return "the TLS handshake with the server failed: " + f.handshake_error;
  }
  const cv::net::TlsFacts& facts = f.facts;
  if (!facts.verified) {
    const std::string cert = "the server's certificate (" + facts.cert_subject + ", issued by " +
                             facts.cert_issuer + ")";
    if (facts.verify_kind == "wrong-host") {
      return cert + " is not for " + name +
             ": connect by a name it carries, or give that name with --tls-server-name";
    }
    if (facts.verify_kind == "untrusted" || facts.verify_kind == "self-signed") {
      return cert + " is not signed by a CA " +
             (options.ca_file.empty()
                  ? std::string("this system trusts: give the CA's certificate with --ca-file")
                  : "in --ca-file " + options.ca_file + " (" + facts.verify_error + ")");
    }
    if (facts.verify_kind == "expired") {
      return cert + " is outside its validity period (not after " + facts.cert_not_after + ")";
    }
    return cert + " was not accepted: " + facts.verify_error;
  }
  // A server that asked for our certificate and then hung up instead of speaking HTTP/2 did
  // not like what it got (or that it got none).
  if (!f.server_spoke &&
      (AboutClientCertificate(f.alert_reason) || (f.cert_requested && f.server_closed))) {
    return ClientCertificateProblem(options, f);
  }
  return "";
}

}  // namespace

std::string ExplainConnectionFailure(const channelverify::ClientOptions& options,
                                     std::chrono::milliseconds timeout) {
  const auto target = ParseTarget(options.target);
  if (!target) return "";
  const std::string name = options.tls_server_name.empty() ? target->host : options.tls_server_name;

  auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  boost::system::error_code ec;
  if (options.ca_file.empty()) {
    tls->set_default_verify_paths(ec);
  } else {
    tls->load_verify_file(options.ca_file, ec);
  }
  if (!options.cert_file.empty()) {
    if (!ec) tls->use_certificate_chain_file(options.cert_file, ec);
    if (!ec) tls->use_private_key_file(options.key_file, asio::ssl::context::pem, ec);
  }
  if (ec) return "";  // the files gRPC took but OpenSSL does not: gRPC's error says more
  SSL_CTX* native = tls->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // Verified after the handshake (InspectSession), so that a bad certificate is described.
  SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_cert_cb(native, NoteCertificateRequest, nullptr);

  const auto deadline = cv::net::Clock::now() + timeout;
  Findings findings;  // outlives the io_context and the probe in it
  asio::io_context io;
  std::vector<tcp::endpoint> endpoints;
  boost::system::error_code ip_error;
  const auto ip = asio::ip::make_address(target->host, ip_error);
  const unsigned long port = std::strtoul(target->port.c_str(), nullptr, 10);
  if (port == 0 || port > 65535) return "";
  if (!ip_error) {
    endpoints.emplace_back(ip, static_cast<unsigned short>(port));
  } else {
    // A name gRPC resolved a moment ago (the call got as far as TLS): the system resolver has it
    // at hand, from /etc/hosts or its cache.
    tcp::resolver resolver(io);
    auto results = resolver.resolve(target->host, target->port, ec);
    if (ec) return "";
    for (const auto& r : results) endpoints.push_back(r.endpoint());
  }
  asio::co_spawn(io, Probe(std::move(endpoints), tls, name, deadline, &findings), asio::detached);
  io.run_for(timeout + std::chrono::milliseconds(100));
  return Explain(options, name, findings);
}

}  // namespace channelctl
