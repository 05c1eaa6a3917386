#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/secret.h"
#include "diagnosis/catalog.h"
#include "net/deadline.h"
#include "net/dns.h"
#include "net/egress.h"
#include "net/http_client.h"
#include "net/url.h"
#include "probe/engine_options.h"

namespace cv::probe {

// The service's own OAuth client at a provider (the client secret read from a file).
struct OAuthClient {
  std::string client_id;
  Secret client_secret;
  bool configured() const { return !client_id.empty() && !client_secret.empty(); }
};

// Where the providers' endpoints are: their real addresses by default, loopback in tests.
struct OAuthEndpoints {
  net::Url google_token;      // full URL of the token endpoint
  net::Url gmail_api;         // base; + /gmail/v1/users/me/profile
  net::Url google_directory;  // base; + /admin/directory/v1/users/{userKey}
  net::Url microsoft_login;   // base; + /{tenant}/oauth2/v2.0/token
  net::Url microsoft_graph;   // base; + /v1.0/...
  std::string google_smtp_host = "smtp.gmail.com";
  uint16_t google_smtp_port = 587;
  std::string microsoft_smtp_host = "smtp.office365.com";
  uint16_t microsoft_smtp_port = 587;
};

// Everything a verification needs from the process, built once at start-up from the options
// (probe/engine_options.h).
struct Config {
  std::shared_ptr<net::DnsResolver> dns;
  net::EgressPolicy egress;
  std::shared_ptr<boost::asio::ssl::context> tls;
  std::string ehlo_name = "channel-verifier.invalid";
  // A verified certificate that expires within this many days gives a warning (0: never).
  int cert_expiry_warning_days = 14;
  net::StepTimeouts timeouts;
  diagnosis::RenderContext render;
  // How long after the primary endpoint failed the alternatives may take at most.
  net::Clock::duration alternative_budget = std::chrono::seconds(8);
  OAuthClient google;
  OAuthClient microsoft;
  OAuthEndpoints oauth;
  net::HttpLimits http_limits;
  // Addresses a password may be sent to without TLS (an internal relay). Empty: none.
  std::vector<net::Cidr> plaintext_auth_cidrs;
  // At most this many addresses of one host name are dialed (spread over both families).
  size_t max_addresses_per_name = 8;

  // What an HTTPS exchange needs, pointing into this Config (which outlives every request).
  net::HttpEnv Http() const {
    return net::HttpEnv{dns.get(), &egress, tls, timeouts, http_limits, max_addresses_per_name};
  }
};

// Checks every option (the error names the bad one) and builds the Config from them.
absl::StatusOr<std::shared_ptr<Config>> BuildConfig(const ConfigOptions& options);

}  // namespace cv::probe
