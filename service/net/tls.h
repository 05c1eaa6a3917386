#pragma once

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

// TLS for connections to mail servers and OAuth endpoints: one client context for the whole
// process (building an SSL_CTX and loading the trust store per call would cost more than the
// handshake), facts about an established session, and what a failed handshake means.
namespace cv::net {

// The process-wide client context: system trust store plus an optional extra CA file, TLS 1.2
// as the floor. Peers are verified after the handshake (see PeerVerification) instead of
// aborting it, so that a bad certificate is reported with its facts rather than as a bare alert.
absl::StatusOr<std::shared_ptr<boost::asio::ssl::context>> MakeClientTlsContext(
    const std::string& extra_ca_file);

// Facts about an established TLS session.
struct TlsFacts {
  std::string version;         // "TLSv1.3"
  std::string cipher;          // "TLS_AES_256_GCM_SHA384"
  std::string cert_subject;    // RFC 2253
  std::string cert_issuer;     // RFC 2253
  std::string cert_not_after;  // "2027-01-31T12:00:00Z"
  bool verified = false;       // chain, validity period and host name all good
  std::string verify_error;    // why not: "certificate has expired", "hostname mismatch", ...
  std::string verify_kind;     // "expired", "untrusted", "self-signed", "wrong-host", "other"
};

// Before the handshake: SNI and the name (or IP literal) the certificate must match.
void PrepareClientSsl(SSL* ssl, const std::string& host);
// After the handshake: the facts and the verification verdict.
TlsFacts InspectSession(SSL* ssl);

enum class TlsFailure {
  kNotTls,     // the peer answered with something that is not TLS (e.g. an SMTP greeting)
  kVersion,    // no protocol version in common
  kHandshake,  // any other handshake failure
};
TlsFailure ClassifyHandshakeError(const boost::system::error_code& ec);
// Readable text for a TLS error: OpenSSL's reason string where there is one.
std::string DescribeTlsError(const boost::system::error_code& ec);

}  // namespace cv::net
