#include "rpc/validate.h"

#include <boost/asio/ip/address.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/strings.h"
#include "rpc/status.h"

namespace cv::rpc {
namespace v1 = channelverify::v1;

namespace {

std::string Field(std::string_view parent, std::string_view name) {
  return absl::StrCat(Av(parent), ".", Av(name));
}

bool IsLdhLabel(absl::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

bool IsIpLiteral(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(host), ec);
  return !ec;
}

// RFC 5322 atext, plus bytes >= 0x80 (UTF-8 local parts, RFC 6531).
bool IsAtext(unsigned char c) {
  return absl::ascii_isalnum(c) || c >= 0x80 || absl::StrContains("!#$%&'*+-/=?^_`{|}~", c);
}

}  // namespace

absl::Status ValidateText(std::string_view text, std::string_view field, size_t max,
                          bool required) {
  if (required && text.empty()) return FieldError(field, "required");
  if (text.size() > max) return FieldError(field, absl::StrCat("longer than ", max, " bytes"));
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      return FieldError(field, "must not contain control characters (CR, LF, NUL, ...)");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateLanguage(std::string_view code, std::string_view field, Lang* lang) {
  if (code.size() > Limits::kLanguage || !ParseLang(code, lang)) {
    return FieldError(field, "must be \"en\" or \"de\"");
  }
  return absl::OkStatus();
}

absl::Status ValidateHost(std::string_view host, std::string_view field) {
  if (absl::Status s = ValidateText(host, field, Limits::kHost, true); !s.ok()) return s;
  if (absl::StrContains(Av(host), ' ')) return FieldError(field, "must not contain spaces");
  if (IsIpLiteral(host)) return absl::OkStatus();
  std::string_view name = host;
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  for (unsigned char c : name) {
    if (c >= 0x80) {
      return FieldError(field, "must be ASCII: write an internationalised name in its xn-- form");
    }
  }
  for (absl::string_view label : absl::StrSplit(Av(name), '.')) {
    if (!IsLdhLabel(label)) {
      return FieldError(field, "is not a valid host name or IP address");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateAddress(std::string_view address, std::string_view field) {
  if (absl::Status s = ValidateText(address, field, Limits::kAddress, true); !s.ok()) return s;
  const size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) {
    return FieldError(field, "must be one address of the form local@domain");
  }
  const std::string_view local = address.substr(0, at);
  const std::string_view domain = address.substr(at + 1);
  if (local.size() > 64) return FieldError(field, "local part longer than 64 bytes");
  if (local.front() == '.' || local.back() == '.' || absl::StrContains(Av(local), "..")) {
    return FieldError(field, "must be one address of the form local@domain");
  }
  for (unsigned char c : local) {
    if (c != '.' && !IsAtext(c)) {
      return FieldError(field,
                        "must be exactly one plain address (no display name, spaces, quotes, "
                        "angle brackets or second address)");
    }
  }
  if (domain.front() == '[' || IsIpLiteral(domain)) {
    return FieldError(field, "the domain must be a name, not an address literal");
  }
  if (!ValidateHost(domain, field).ok() || !absl::StrContains(Av(domain), '.')) {
    return FieldError(field, "the domain after @ is not a valid domain name");
  }
  return absl::OkStatus();
}

absl::StatusOr<probe::SmtpTarget> ValidateSmtpChannel(const v1::SmtpChannel& smtp,
                                                      std::string_view field) {
  probe::SmtpTarget target;
  if (absl::Status s = ValidateHost(smtp.host(), Field(field, "host")); !s.ok()) return s;
  target.host = smtp.host();
  if (target.host.size() > 2 && target.host.front() == '[') {
    target.host = target.host.substr(1, target.host.size() - 2);
  }
  if (!v1::TlsMode_IsValid(smtp.tls_mode())) {
    return FieldError(Field(field, "tls_mode"), "unknown value");
  }
  target.tls_mode =
      smtp.tls_mode() == v1::TLS_MODE_UNSPECIFIED ? v1::TLS_MODE_STARTTLS : smtp.tls_mode();
  if (smtp.port() > 65535) return FieldError(Field(field, "port"), "must be at most 65535");
  if (smtp.port() == 0) {
    target.port = target.tls_mode == v1::TLS_MODE_IMPLICIT ? 465
                  : target.tls_mode == v1::TLS_MODE_NONE   ? 25
                                                           : 587;
  } else {
    target.port = static_cast<uint16_t>(smtp.port());
  }
  if (absl::Status s =
          ValidateText(smtp.username(), Field(field, "username"), Limits::kUsername, false);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          ValidateText(smtp.password(), Field(field, "password"), Limits::kPassword, false);
      !s.ok()) {
    return s;
  }
  if (smtp.username().empty() && !smtp.password().empty()) {
    return FieldError(Field(field, "username"), "required when a password is given");
  }
  target.username = smtp.username();
  target.password = Secret(std::string(smtp.password()));
  if (!smtp.from_address().empty()) {
    if (absl::Status s = ValidateAddress(smtp.from_address(), Field(field, "from_address"));
        !s.ok()) {
      return s;
    }
    target.from_address = smtp.from_address();
  }
  return target;
}

absl::Status ValidateToken(std::string_view token, std::string_view field) {
  if (token.empty()) return FieldError(field, "required");
  if (token.size() > Limits::kToken) {
    return FieldError(field, absl::StrCat("longer than ", Limits::kToken, " bytes"));
  }
  for (unsigned char c : token) {
    if (c <= 0x20 || c >= 0x7f) {
      // Never echo the token, not even the offending byte's position.
      return FieldError(field, "must not contain whitespace, control or non-ASCII characters");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<probe::OAuthTarget> ValidateOAuthChannel(const v1::OAuthChannel& oauth,
                                                        std::string_view field) {
  probe::OAuthTarget target;
  if (oauth.provider() != v1::PROVIDER_GOOGLE && oauth.provider() != v1::PROVIDER_MICROSOFT) {
    return FieldError(Field(field, "provider"), "must be PROVIDER_GOOGLE or PROVIDER_MICROSOFT");
  }
  target.provider = oauth.provider();
  if (absl::Status s = ValidateAddress(oauth.account(), Field(field, "account")); !s.ok()) {
    return s;
  }
  target.account = oauth.account();
  const bool has_refresh = !oauth.refresh_token().empty();
  const bool has_access = !oauth.access_token().empty();
  if (has_refresh == has_access) {
    return FieldError(Field(field, has_refresh ? "access_token" : "refresh_token"),
                      "set exactly one of refresh_token and access_token");
  }
  if (has_refresh) {
    if (absl::Status s = ValidateToken(oauth.refresh_token(), Field(field, "refresh_token"));
        !s.ok()) {
      return s;
    }
    target.refresh_token = Secret(std::string(oauth.refresh_token()));
  } else {
    if (absl::Status s = ValidateToken(oauth.access_token(), Field(field, "access_token"));
        !s.ok()) {
      return s;
    }
    target.access_token = Secret(std::string(oauth.access_token()));
  }
  const std::string tenant_field = Field(field, "tenant_id");
  if (!oauth.tenant_id().empty()) {
    if (target.provider != v1::PROVIDER_MICROSOFT) {
      return FieldError(tenant_field, "only for PROVIDER_MICROSOFT");
    }
    if (oauth.tenant_id().size() > Limits::kTenant) {
      return FieldError(tenant_field, absl::StrCat("longer than ", Limits::kTenant, " bytes"));
    }
    // A GUID, a verified domain, or "organizations" / "common": it becomes a path segment of
    // the token URL, so nothing that could leave it.
    for (unsigned char c : oauth.tenant_id()) {
      if (!absl::ascii_isalnum(c) && c != '-' && c != '.') {
        return FieldError(tenant_field,
                          "must be a tenant ID (GUID) or a domain name: letters, digits, '-', '.'");
      }
    }
    if (oauth.tenant_id().front() == '.' || oauth.tenant_id().find("..") != std::string::npos) {
      return FieldError(tenant_field, "must be a tenant ID (GUID) or a domain name");
    }
    target.tenant = oauth.tenant_id();
  }
  return target;
}

}  // namespace cv::rpc
