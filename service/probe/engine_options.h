// The engine's settings, each defined once: the server's flags that configure verifications
// and the options of `channelctl --local` (dashes for underscores), step timeouts included.
// The server's own settings are in rpc/server_options.h; README "Configuration" is generated
// from both (common/option_docs.h). Rows: X(Type, name, default, placeholder, group, help), see
// common/option.h.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/option.h"
#include "diagnosis/catalog.h"

#define CV_ENGINE_OPTIONS(X)                                                                      \
  X(String, allow_cidrs, "", "CIDR,...", "Egress policy",                                         \
    "Trusted ranges, allowed on any port although the egress policy denies private, loopback, "   \
    "link-local, CGNAT and other special ranges")                                                 \
  X(String, allow_plaintext_auth_cidrs, "", "CIDR,...", "Egress policy",                          \
    "Ranges a password may be sent to without TLS (an internal relay); elsewhere AUTH over an "   \
    "unencrypted connection is never attempted (see Safety in README.md)")                        \
  X(String, smtp_ports, "25,465,587,2525", "PORT,...", "Egress policy",                           \
    "SMTP ports allowed on public addresses")                                                     \
  X(String, https_ports, "443", "PORT,...", "Egress policy",                                      \
    "HTTPS ports allowed on public addresses (the OAuth providers' endpoints)")                   \
  X(Int, max_addresses_per_name, 8, "N", "Egress policy",                                         \
    "Addresses of one host name dialed at most (1 to 1000), alternating IPv4 and IPv6; the "      \
    "rest are reported as not tried")                                                             \
  X(String, egress_ips, ::cv::diagnosis::kArticleEgressIps, "IP,...", "Egress policy",            \
    "The IPs customers must allowlist, quoted in the remediation of IP_NOT_ALLOWLISTED and "      \
    "named by ListDiagnoses (egress_ips)")                                                        \
  X(String, dns_servers, "", "IP[:PORT],...", "Mail servers",                                     \
    "Resolvers for c-ares (empty: the system's)")                                                 \
  X(String, trusted_ca_file, "", "FILE", "Mail servers",                                          \
    "Extra trust anchors (PEM) for TLS to mail servers and OAuth endpoints")                      \
  X(String, ehlo_name, "", "NAME", "Mail servers", "Name sent in EHLO (empty: this host's name)") \
  X(Int, cert_expiry_warning_days, 14, "DAYS", "Mail servers",                                    \
    "A verified mail server certificate that expires within this many days gives "                \
    "TLS_CERTIFICATE_EXPIRING (a warning, with the date; 0: never); an expired one is "           \
    "TLS_CERTIFICATE_INVALID")                                                                    \
  X(String, google_client_id, "", "ID", "OAuth",                                                  \
    "The service's OAuth client at Google, the one the refresh tokens were issued to (with "      \
    "--google_client_secret_file)")                                                               \
  X(String, google_client_secret_file, "", "FILE", "OAuth",                                       \
    "File holding the Google client's secret")                                                    \
  X(String, microsoft_client_id, "", "ID", "OAuth",                                               \
    "The service's OAuth client at Microsoft (with --microsoft_client_secret_file)")              \
  X(String, microsoft_client_secret_file, "", "FILE", "OAuth",                                    \
    "File holding the Microsoft client's secret")                                                 \
  X(String, google_token_url, "https://oauth2.googleapis.com/token", "URL", "OAuth",              \
    "Google's token endpoint (overrides are for tests and staging)")                              \
  X(String, gmail_api_base, "https://gmail.googleapis.com", "URL", "OAuth",                       \
    "Base URL of the Gmail API")                                                                  \
  X(String, google_directory_api_base, "https://admin.googleapis.com", "URL", "OAuth",            \
    "Base URL of the Admin SDK Directory API")                                                    \
  X(String, microsoft_login_base, "https://login.microsoftonline.com", "URL", "OAuth",            \
    "Base URL of the Microsoft identity platform")                                                \
  X(String, microsoft_graph_base, "https://graph.microsoft.com", "URL", "OAuth",                  \
    "Base URL of Microsoft Graph")                                                                \
  X(String, google_smtp_host, "smtp.gmail.com:587", "HOST[:PORT]", "OAuth",                       \
    "Where the XOAUTH2 probe of Google channels goes (empty: no XOAUTH2 probe)")                  \
  X(String, microsoft_smtp_host, "smtp.office365.com:587", "HOST[:PORT]", "OAuth",                \
    "Where the XOAUTH2 probe of Microsoft channels goes (empty: no XOAUTH2 probe)")               \
  X(Int, dns_timeout_ms, 5000, "MS", "Step timeouts",                                             \
    "Step timeout of DNS lookups (each step timeout is capped by what is left of the caller's "   \
    "deadline)")                                                                                  \
  X(Int, connect_timeout_ms, 5000, "MS", "Step timeouts", "Step timeout of the TCP connect")      \
  X(Int, greeting_timeout_ms, 10000, "MS", "Step timeouts", "Step timeout of the SMTP greeting")  \
  X(Int, command_timeout_ms, 10000, "MS", "Step timeouts",                                        \
    "Step timeout of each SMTP command's reply")                                                  \
  X(Int, tls_timeout_ms, 10000, "MS", "Step timeouts", "Step timeout of the TLS handshake")

namespace cv::probe {

// The typed settings a Config is built from (probe/config.h), each holding its default.
struct ConfigOptions {
  CV_ENGINE_OPTIONS(CV_OPTION_FIELD)
};

// The rows as data, in table order.
std::span<const OptionSpec> EngineOptions();

// Sets the option `name` (the server's spelling) from its text, parsed as the server's flag
// would be; INVALID_ARGUMENT names the option.
absl::Status SetEngineOption(std::string_view name, std::string_view text, ConfigOptions* options);

}  // namespace cv::probe
