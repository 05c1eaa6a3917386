#include "net/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>

#include "absl/strings/str_cat.h"

namespace cv::net {
namespace ssl = boost::asio::ssl;

absl::StatusOr<std::shared_ptr<ssl::context>> MakeClientTlsContext(
    const std::string& extra_ca_file) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  ctx->set_default_verify_paths(ec);
  if (ec)
    return absl::InternalError(absl::StrCat("loading the system trust store: ", ec.message()));
  if (!extra_ca_file.empty()) {
    ctx->load_verify_file(extra_ca_file, ec);
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("--trusted_ca_file=", extra_ca_file, ": ", ec.message()));
    }
  }
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // Verification happens after the handshake (InspectSession) so that a bad certificate is
  // reported with its subject, issuer and expiry; credentials are never sent unless verified.
  SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  // A verification opens one TLS session per server and never resumes it.
  SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
  return ctx;
}

void PrepareClientSsl(SSL* ssl, const std::string& host) {
  boost::system::error_code ec;
  const auto ip = boost::asio::ip::make_address(host, ec);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (!ec) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    // "smtp.example.com." is the same name, fully qualified; SNI must not carry the dot (RFC
    // 6066, 3) and certificates never name it, so a caller who typed it would get a false
    // "hostname mismatch".
    std::string name = host;
    while (!name.empty() && name.back() == '.') name.pop_back();
    SSL_set_tlsext_host_name(ssl, name.c_str());
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
  }
  (void)ip;
}

namespace {

std::string NameToString(X509_NAME* name) {
  if (name == nullptr) return "";
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

std::string TimeToIso(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return "";
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string VerifyKind(long result) {
  switch (result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "expired";
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return "self-signed";
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
      return "untrusted";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "wrong-host";
    default:
      return "other";
  }
}

}  // namespace

TlsFacts InspectSession(SSL* ssl) {
  TlsFacts facts;
  facts.version = SSL_get_version(ssl);
  if (const char* cipher = SSL_get_cipher_name(ssl)) facts.cipher = cipher;
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert != nullptr) {
    facts.cert_subject = NameToString(X509_get_subject_name(cert));
    facts.cert_issuer = NameToString(X509_get_issuer_name(cert));
    facts.cert_not_after = TimeToIso(X509_get0_notAfter(cert));
    X509_free(cert);
  }
  const long result = SSL_get_verify_result(ssl);
  if (cert == nullptr) {
    facts.verify_error = "the server sent no certificate";
    facts.verify_kind = "untrusted";
  } else if (result != X509_V_OK) {
    facts.verify_error = X509_verify_cert_error_string(result);
    facts.verify_kind = VerifyKind(result);
  } else {
    facts.verified = true;
  }
  return facts;
}

TlsFailure ClassifyHandshakeError(const boost::system::error_code& ec) {
  if (ec.category() != boost::asio::error::get_ssl_category()) return TlsFailure::kHandshake;
  switch (ERR_GET_REASON(static_cast<unsigned long>(ec.value()))) {
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
    case SSL_R_HTTP_REQUEST:
    case SSL_R_UNEXPECTED_RECORD:
      return TlsFailure::kNotTls;
    case SSL_R_UNSUPPORTED_PROTOCOL:
    case SSL_R_NO_PROTOCOLS_AVAILABLE:
    case SSL_R_TLSV1_ALERT_PROTOCOL_VERSION:
    case SSL_R_VERSION_TOO_LOW:
    case SSL_R_VERSION_TOO_HIGH:
      return TlsFailure::kVersion;
    default:
      return TlsFailure::kHandshake;
  }
}

std::string DescribeTlsError(const boost::system::error_code& ec) {
  if (ec.category() == boost::asio::error::get_ssl_category()) {
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    if (reason != nullptr) return reason;
  }
  if (ec == boost::asio::ssl::error::stream_truncated) return "connection closed during TLS";
  return ec.message();
}

}  // namespace cv::net
