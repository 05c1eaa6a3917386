#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/secret.h"
#include "diagnosis/classifier.h"
#include "net/http_client.h"
#include "oauth/json.h"
#include "probe/config.h"
#include "probe/oauth_request.h"
#include "probe/run.h"

// The token probe: the channel's refresh token exchanged at the provider's token endpoint with
// the service's own OAuth client. Request building and response reading are pure (tested
// without a network); RefreshTokenProbe runs them as the "oauth.token" probe.
namespace cv::oauth {

// Microsoft issues a token for one resource at a time: Graph for the account checks, Exchange
// Online for SMTP.
inline constexpr std::string_view kMicrosoftGraphScope =
    "https://graph.microsoft.com/.default offline_access";
inline constexpr std::string_view kMicrosoftSmtpScope =
    "https://outlook.office.com/SMTP.Send offline_access";

// POST <google_token_url>, form grant_type=refresh_token, refresh_token, client_id,
// client_secret.
net::HttpRequest GoogleTokenRequest(const probe::Config& config, const Secret& refresh_token);
// POST <microsoft_login_base>/<tenant>/oauth2/v2.0/token, the same form plus scope.
net::HttpRequest MicrosoftTokenRequest(const probe::Config& config, std::string_view tenant,
                                       const Secret& refresh_token, std::string_view scope);

struct TokenResponse {
  bool ok = false;
  Secret access_token;
  std::vector<std::string> scopes;  // granted, as the provider lists them
  int64_t expires_in = 0;           // seconds; 0 when not said
  // When !ok: what the endpoint said, for the rule tables, and a one-line evidence text
  // (error, codes, description cut short; never a token).
  diagnosis::TokenErrorEvidence error;
  std::string evidence;
};

// Reads a token endpoint's answer. A 200 without a usable access_token (missing, not a
// string, or with bytes that could not go into a header) is !ok with an empty error.
TokenResponse ReadTokenResponse(channelverify::v1::Provider provider, int http_status,
                                const std::optional<JsonObject>& json);

struct TokenOutcome {
  bool ok = false;
  bool answered = false;  // the endpoint answered at all (not a transport failure)
  Secret access_token;
  std::vector<std::string> scopes;
  int64_t expires_in = 0;
};

// The "oauth.token" probe (or `probe_name`): refreshes, records facts (granted scopes, expiry;
// never a token) and the findings of an error answer.
boost::asio::awaitable<TokenOutcome> RefreshTokenProbe(const probe::Run& run,
                                                       const probe::OAuthTarget& target,
                                                       std::string_view scope,
                                                       std::string probe_name);

// True when `scopes` holds `wanted` (Microsoft lists "https://graph.microsoft.com/Mail.Send" or
// "Mail.Send": the part after the last '/' is compared for short names).
bool HasScope(const std::vector<std::string>& scopes, std::string_view wanted);

}  // namespace cv::oauth
