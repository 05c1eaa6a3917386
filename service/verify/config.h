#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "diagnosis/catalog.h"
#include "net/deadline.h"
#include "net/dns.h"
#include "net/egress.h"

namespace cv::verify {

// Everything a verification needs from the process, built once at start-up from the flags.
struct Config {
  std::shared_ptr<net::DnsResolver> dns;
  net::EgressPolicy egress;
  std::shared_ptr<boost::asio::ssl::context> tls;
  std::string ehlo_name = "channel-verifier.invalid";
  net::StepTimeouts timeouts;
  diagnosis::RenderContext render;
  // How long after the primary endpoint failed the alternatives may take at most.
  net::Clock::duration alternative_budget = std::chrono::seconds(8);
};

// The textual settings (flags of the server, options of channelctl --local) a Config is built
// from; BuildConfig checks them all and says which one is wrong.
struct ConfigOptions {
  std::string allow_cidrs;
  std::string smtp_ports = "25,465,587,2525";
  std::string https_ports = "443";
  std::string trusted_ca_file;
  std::string dns_servers;
  std::string egress_ips = "3.121.59.239,3.65.146.216,18.158.122.164";
  std::string ehlo_name;
};

absl::StatusOr<std::shared_ptr<Config>> BuildConfig(const ConfigOptions& options);

}  // namespace cv::verify
