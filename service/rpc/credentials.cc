#include "rpc/credentials.h"

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"

namespace cv::rpc {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

absl::StatusOr<std::string> ReadFile(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat(flag, ": cannot read ", path, ": ", std::strerror(errno)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (content.str().empty()) {
    return absl::FailedPreconditionError(absl::StrCat(flag, ": ", path, " is empty"));
  }
  return content.str();
}

// Every certificate in a PEM text.
std::vector<X509Ptr> ReadCerts(const std::string& pem) {
  std::vector<X509Ptr> certs;
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certs.emplace_back(cert);
  }
  ERR_clear_error();  // the loop ends on "no start line", which is not an error here
  return certs;
}

std::string Subject(X509* cert) {
  char buf[512];
  X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
  return buf;
}

std::string NotAfter(X509* cert) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return "";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

absl::StatusOr<ServerTlsSummary> CheckServerTlsFiles(const ServerTlsOptions& options) {
  if (options.cert_file.empty() != options.key_file.empty()) {
    return absl::InvalidArgumentError("--tls_cert_file and --tls_key_file go together");
  }
  if (options.cert_file.empty()) {
    if (!options.client_ca_file.empty()) {
      return absl::InvalidArgumentError(
          "--client_ca_file needs TLS: set --tls_cert_file and --tls_key_file too");
    }
    return ServerTlsSummary{};
  }
  if (options.reload_interval_s < 1) {
    return absl::InvalidArgumentError("--tls_reload_interval_s must be at least 1");
  }
  auto cert_pem = ReadFile("--tls_cert_file", options.cert_file);
  if (!cert_pem.ok()) return cert_pem.status();
  auto key_pem = ReadFile("--tls_key_file", options.key_file);
  if (!key_pem.ok()) return key_pem.status();

  auto certs = ReadCerts(*cert_pem);
  if (certs.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_cert_file: no PEM certificate in ", options.cert_file));
  }
  BioPtr key_bio(BIO_new_mem_buf(key_pem->data(), static_cast<int>(key_pem->size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls_key_file: no unencrypted PEM private key in ", options.key_file));
  }
  if (X509_check_private_key(certs.front().get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat("--tls_key_file: the key in ", options.key_file,
                                                   " does not belong to the certificate in ",
                                                   options.cert_file));
  }
  ServerTlsSummary summary;
  summary.subject = Subject(certs.front().get());
  summary.not_after = NotAfter(certs.front().get());
  if (!options.client_ca_file.empty()) {
    auto ca_pem = ReadFile("--client_ca_file", options.client_ca_file);
    if (!ca_pem.ok()) return ca_pem.status();
    summary.client_cas = static_cast<int>(ReadCerts(*ca_pem).size());
    if (summary.client_cas == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--client_ca_file: no PEM certificate in ", options.client_ca_file));
    }
  }
  return summary;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsOptions& options, ServerTlsSummary* summary) {
  auto checked = CheckServerTlsFiles(options);
  if (!checked.ok()) return checked.status();
  if (summary != nullptr) *summary = *checked;
  if (options.cert_file.empty()) return grpc::InsecureServerCredentials();

  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      options.key_file, options.cert_file, options.client_ca_file,
      static_cast<unsigned>(options.reload_interval_s));
  grpc::experimental::TlsServerCredentialsOptions tls(provider);
  tls.watch_identity_key_cert_pairs();
  if (options.client_ca_file.empty()) {
    tls.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    tls.watch_root_certs();
    tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  auto credentials = grpc::experimental::TlsServerCredentials(tls);
  if (credentials == nullptr) return absl::InternalError("gRPC refused the TLS options");
  return credentials;
}

}  // namespace cv::rpc
