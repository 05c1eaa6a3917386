#include "verify/config.h"

#include <unistd.h>

#include <boost/asio/ip/address.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "net/tls.h"

namespace cv::verify {

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
    absl::string_view bare = ip.substr(0, ip.find('/'));
    boost::system::error_code ec;
    boost::asio::ip::make_address(std::string(bare), ec);
    if (ec)
      return absl::InvalidArgumentError(absl::StrCat("--egress_ips: not an IP address: ", ip));
    config->render.egress_ips.push_back(
        ip.find('/') == absl::string_view::npos
            ? absl::StrCat(ip, bare.find(':') == absl::string_view::npos ? "/32" : "/128")
            : std::string(ip));
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

}  // namespace cv::verify
