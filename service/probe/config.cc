#include "probe/config.h"

#include <unistd.h>

#include <boost/asio/ip/address.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "net/tls.h"

namespace cv::probe {
namespace {

// A client secret from its file: surrounding whitespace (the newline editors add) dropped.
// The error names the flag and the path, never the content.
absl::Status ReadSecretFile(const std::string& flag, const std::string& path, Secret* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", path, ": cannot read the file: ", std::strerror(errno)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (trimmed.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, "=", path, ": the file is empty"));
  }
  if (trimmed.size() > 4096) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", path, ": longer than 4096 bytes, not a secret"));
  }
  for (unsigned char c : trimmed) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", flag, "=", path, ": the secret must be one line of printable ASCII"));
    }
  }
  *out = Secret(std::string(trimmed));
  Secret wipe(std::move(text));
  return absl::OkStatus();
}

absl::Status BuildClient(const std::string& provider, const std::string& id,
                         const std::string& secret_file, OAuthClient* client) {
  if (id.empty() != secret_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--", provider, "_client_id and --", provider,
                                                   "_client_secret_file go together"));
  }
  if (id.empty()) return absl::OkStatus();
  for (unsigned char c : id) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", provider, "_client_id: must be printable ASCII without spaces"));
    }
  }
  client->client_id = id;
  return ReadSecretFile(absl::StrCat(provider, "_client_secret_file"), secret_file,
                        &client->client_secret);
}

absl::Status ParseUrlFlag(const std::string& flag, const std::string& text, net::Url* out) {
  auto url = net::ParseHttpsUrl(text);
  if (!url.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", url.status().message()));
  }
  *out = *url;
  return absl::OkStatus();
}

absl::Status ParseSmtpHostFlag(const std::string& flag, const std::string& text, std::string* host,
                               uint16_t* port) {
  // Empty: no XOAUTH2 probe for this provider (staging without SMTP egress, most tests).
  if (text.empty()) {
    host->clear();
    return absl::OkStatus();
  }
  auto parsed = net::ParseHostPort(text, 587);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", parsed.status().message()));
  }
  *host = parsed->first;
  *port = parsed->second;
  return absl::OkStatus();
}

absl::Status BuildOAuth(const ConfigOptions& o, Config* config) {
  if (auto s =
          BuildClient("google", o.google_client_id, o.google_client_secret_file, &config->google);
      !s.ok()) {
    return s;
  }
  if (auto s = BuildClient("microsoft", o.microsoft_client_id, o.microsoft_client_secret_file,
                           &config->microsoft);
      !s.ok()) {
    return s;
  }
  OAuthEndpoints& e = config->oauth;
  for (auto [flag, text, url] :
       {std::tuple{"google_token_url", &o.google_token_url, &e.google_token},
        std::tuple{"gmail_api_base", &o.gmail_api_base, &e.gmail_api},
        std::tuple{"google_directory_api_base", &o.google_directory_api_base, &e.google_directory},
        std::tuple{"microsoft_login_base", &o.microsoft_login_base, &e.microsoft_login},
        std::tuple{"microsoft_graph_base", &o.microsoft_graph_base, &e.microsoft_graph}}) {
    if (auto s = ParseUrlFlag(flag, *text, url); !s.ok()) return s;
  }
  if (auto s = ParseSmtpHostFlag("google_smtp_host", o.google_smtp_host, &e.google_smtp_host,
                                 &e.google_smtp_port);
      !s.ok()) {
    return s;
  }
  return ParseSmtpHostFlag("microsoft_smtp_host", o.microsoft_smtp_host, &e.microsoft_smtp_host,
                           &e.microsoft_smtp_port);
}

}  // namespace

absl::StatusOr<std::shared_ptr<Config>> BuildConfig(const ConfigOptions& options) {
  auto config = std::make_shared<Config>();
  net::EgressPolicy::Options egress;
  auto cidrs = net::ParseCidrList(options.allow_cidrs);
  if (!cidrs.ok())
    return absl::InvalidArgumentError(absl::StrCat("--allow_cidrs: ", cidrs.status().message()));
  egress.allow_cidrs = *cidrs;
  auto smtp_ports = net::ParsePortList(options.smtp_ports);
  if (!smtp_ports.ok())
    return absl::InvalidArgumentError(
        absl::StrCat("--smtp_ports: ", smtp_ports.status().message()));
  egress.smtp_ports = *smtp_ports;
  auto https_ports = net::ParsePortList(options.https_ports);
  if (!https_ports.ok())
    return absl::InvalidArgumentError(
        absl::StrCat("--https_ports: ", https_ports.status().message()));
  egress.https_ports = *https_ports;
  config->egress = net::EgressPolicy(std::move(egress));
  auto plaintext = net::ParseCidrList(options.allow_plaintext_auth_cidrs);
  if (!plaintext.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--allow_plaintext_auth_cidrs: ", plaintext.status().message()));
  }
  config->plaintext_auth_cidrs = *std::move(plaintext);
  if (options.max_addresses_per_name < 1 || options.max_addresses_per_name > 1000) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max_addresses_per_name: must be 1 to 1000, not ", options.max_addresses_per_name));
  }
  config->max_addresses_per_name = static_cast<size_t>(options.max_addresses_per_name);

  auto tls = net::MakeClientTlsContext(options.trusted_ca_file);
  if (!tls.ok()) return tls.status();
  config->tls = *tls;

  net::DnsResolver::Options dns;
  for (absl::string_view server :
       absl::StrSplit(options.dns_servers, ',', absl::SkipWhitespace())) {
    dns.servers.emplace_back(absl::StripAsciiWhitespace(server));
  }
  auto resolver = net::DnsResolver::Create(dns);
  if (!resolver.ok())
    return absl::InvalidArgumentError(absl::StrCat("--dns_servers: ", resolver.status().message()));
  config->dns = *resolver;

  for (absl::string_view ip : absl::StrSplit(options.egress_ips, ',', absl::SkipWhitespace())) {
    ip = absl::StripAsciiWhitespace(ip);
    boost::system::error_code ec;
    boost::asio::ip::make_address(std::string(ip.substr(0, ip.find('/'))), ec);
    if (ec)
      return absl::InvalidArgumentError(absl::StrCat("--egress_ips: not an IP address: ", ip));
    config->render.egress_ips.push_back(
        diagnosis::EgressRange(std::string_view(ip.data(), ip.size())));
  }

  if (auto s = BuildOAuth(options, config.get()); !s.ok()) return s;

  if (options.cert_expiry_warning_days < 0) {
    return absl::InvalidArgumentError("--cert_expiry_warning_days must be >= 0");
  }
  config->cert_expiry_warning_days = options.cert_expiry_warning_days;

  for (auto [flag, ms, timeout] :
       {std::tuple{"dns_timeout_ms", options.dns_timeout_ms, &config->timeouts.dns},
        std::tuple{"connect_timeout_ms", options.connect_timeout_ms, &config->timeouts.connect},
        std::tuple{"greeting_timeout_ms", options.greeting_timeout_ms, &config->timeouts.greeting},
        std::tuple{"command_timeout_ms", options.command_timeout_ms, &config->timeouts.command},
        std::tuple{"tls_timeout_ms", options.tls_timeout_ms, &config->timeouts.tls}}) {
    if (ms <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("--", flag, ": must be positive, not ", ms));
    }
    *timeout = std::chrono::milliseconds(ms);
  }

  config->ehlo_name = options.ehlo_name;
  if (config->ehlo_name.empty()) {
    char name[256] = {};
    // A fully qualified name is what EHLO wants; a bare host name still beats a made-up one.
    if (gethostname(name, sizeof name - 1) == 0 && name[0] != '\0') {
      config->ehlo_name = name;
    } else {
      config->ehlo_name = "channel-verifier.invalid";
    }
  }
  return config;
}

}  // namespace cv::probe
