#include "rpc/caller.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace cv::rpc {
namespace {

constexpr size_t kMaxIdentity = 128;

bool PlainToken(std::string_view v) {
  if (v.empty() || v.size() > kMaxIdentity) return false;
  for (char c : v) {
    const bool ok = absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                    std::string_view("._:/@+=-").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

std::string Asn1Text(const ASN1_STRING* s) {
  if (s == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

}  // namespace

std::string CertificateIdentity(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return "";
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) return "";
  std::string uri, dns;
  if (auto* names = static_cast<GENERAL_NAMES*>(
          X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr))) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
      if (name->type == GEN_URI && uri.empty()) uri = Asn1Text(name->d.uniformResourceIdentifier);
      if (name->type == GEN_DNS && dns.empty()) dns = Asn1Text(name->d.dNSName);
    }
    GENERAL_NAMES_free(names);
  }
  if (PlainToken(uri)) return absl::StrCat("uri:", uri);
  if (PlainToken(dns)) return absl::StrCat("dns:", absl::AsciiStrToLower(dns));
  char cn[kMaxIdentity + 1] = {0};
  const int n =
      X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
  if (n > 0 && PlainToken(std::string_view(cn, static_cast<size_t>(n)))) {
    return "cn:" + std::string(cn, static_cast<size_t>(n));
  }
  return "";
}

std::string CallerIdentity(const grpc::CallbackServerContext& context, const std::string& header,
                           bool* bad_header) {
  *bad_header = false;
  if (auto auth = context.auth_context(); auth && auth->IsPeerAuthenticated()) {
    for (const auto& pem : auth->FindPropertyValues("x509_pem_cert")) {
      std::string identity = CertificateIdentity(std::string(pem.data(), pem.size()));
      if (!identity.empty()) return identity;
    }
  }
  if (!header.empty()) {
    const auto& metadata = context.client_metadata();
    if (auto it = metadata.find(header); it != metadata.end()) {
      const std::string_view value(it->second.data(), it->second.size());
      if (!PlainToken(value)) {
        *bad_header = true;
        return "anonymous";
      }
      return "header:" + std::string(value);
    }
  }
  return "anonymous";
}

}  // namespace cv::rpc
