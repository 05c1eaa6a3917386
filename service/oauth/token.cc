#include "oauth/token.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/display.h"
#include "common/strings.h"
#include "diagnosis/probe_names.h"
#include "oauth/api_call.h"

namespace cv::oauth {
namespace asio = boost::asio;
namespace v1 = channelverify::v1;

namespace {

constexpr std::string_view kForm = "application/x-www-form-urlencoded";

Secret RefreshForm(const probe::OAuthClient& client, const Secret& refresh_token,
                   std::string_view scope) {
  std::vector<std::pair<std::string_view, std::string_view>> fields = {
      {"grant_type", "refresh_token"},
      {"refresh_token", refresh_token.Reveal()},
      {"client_id", client.client_id},
      {"client_secret", client.client_secret.Reveal()}};
  if (!scope.empty()) fields.emplace_back("scope", scope);
  return Secret(net::FormEncode(fields));
}

bool UsableToken(std::string_view token) {
  if (token.empty() || token.size() > 16384) return false;
  for (unsigned char c : token) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Microsoft names the AADSTS code in up to three places, not always in all of them (the
// error_codes array, the "AADSTS700082: ..." start of error_description, and error_uri's
// "?code=700082"): collect it from each, once, as digits.
void AddAadsts(std::string_view code, std::vector<std::string>* out) {
  if (absl::StartsWithIgnoreCase(Av(code), "AADSTS")) code.remove_prefix(6);
  if (!AllDigits(code)) return;
  if (std::find(out->begin(), out->end(), code) == out->end()) out->emplace_back(code);
}

std::string_view AadstsOfDescription(std::string_view description) {
  if (!absl::StartsWith(Av(description), "AADSTS")) return {};
  const size_t colon = description.find(':');
  return colon == std::string_view::npos ? std::string_view() : description.substr(0, colon);
}

std::string_view AadstsOfUri(std::string_view uri) {
  const size_t at = uri.find("code=");
  if (at == std::string_view::npos || (at > 0 && uri[at - 1] != '?' && uri[at - 1] != '&')) {
    return {};
  }
  std::string_view code = uri.substr(at + 5);
  return code.substr(0, code.find('&'));
}

}  // namespace

net::HttpRequest GoogleTokenRequest(const probe::Config& config, const Secret& refresh_token) {
  net::HttpRequest r;
  r.method = "POST";
  r.url = config.oauth.google_token;
  r.content_type = std::string(kForm);
  r.body = RefreshForm(config.google, refresh_token, "");
  return r;
}

net::HttpRequest MicrosoftTokenRequest(const probe::Config& config, std::string_view tenant,
                                       const Secret& refresh_token, std::string_view scope) {
  net::HttpRequest r;
  r.method = "POST";
  r.url = config.oauth.microsoft_login;
  r.target = absl::StrCat("/", net::EncodePathSegment(tenant), "/oauth2/v2.0/token");
  r.content_type = std::string(kForm);
  r.body = RefreshForm(config.microsoft, refresh_token, scope);
  return r;
}

bool HasScope(const std::vector<std::string>& scopes, std::string_view wanted) {
  for (const std::string& s : scopes) {
    if (s == wanted) return true;
    if (wanted.find('/') == std::string_view::npos) {
      const size_t slash = s.rfind('/');
      if (slash != std::string::npos && std::string_view(s).substr(slash + 1) == wanted) {
        return true;
      }
    }
  }
  return false;
}

TokenResponse ReadTokenResponse(v1::Provider provider, int http_status,
                                const std::optional<JsonObject>& json) {
  TokenResponse out;
  out.error.provider = provider;
  out.error.http_status = http_status;
  if (http_status == 200 && json) {
    auto token = GetString(*json, "access_token");
    if (token && UsableToken(*token)) {
      out.ok = true;
      out.access_token = Secret(std::move(*token));
      if (auto scope = GetString(*json, "scope")) {
        for (absl::string_view s : absl::StrSplit(*scope, ' ', absl::SkipEmpty())) {
          out.scopes.emplace_back(s);
        }
      }
      if (auto expires = GetNumber(*json, "expires_in");
          expires && *expires > 0 && *expires < 1e9) {
        out.expires_in = static_cast<int64_t>(*expires);
      }
      return out;
    }
    out.evidence = absl::StrCat("token endpoint: HTTP 200 without a usable access_token");
    return out;
  }
  std::string description;
  if (json) {
    if (auto error = GetString(*json, "error")) out.error.error = SanitizeForDisplay(*error);
    if (const auto* codes = GetList(*json, "error_codes")) {
      for (std::string& code : ListAsStrings(*codes)) AddAadsts(code, &out.error.error_codes);
    }
    if (auto d = GetString(*json, "error_description")) {
      AddAadsts(AadstsOfDescription(*d), &out.error.error_codes);
    }
    if (auto uri = GetString(*json, "error_uri")) {
      AddAadsts(AadstsOfUri(*uri), &out.error.error_codes);
    }
    if (auto d = GetString(*json, "error_description")) {
      // Microsoft's description is "AADSTS700082: ... Trace ID: ... Timestamp: ...": the
      // first sentence says it; the rest is noise in evidence.
      description = d->substr(0, std::min(d->find("\r\n"), size_t{240}));
      description = SanitizeForDisplay(description);
    }
  }
  out.evidence = absl::StrCat("token endpoint: HTTP ", http_status);
  if (!out.error.error.empty()) absl::StrAppend(&out.evidence, " ", out.error.error);
  if (!out.error.error_codes.empty()) {
    std::vector<std::string> codes;
    for (const auto& c : out.error.error_codes) {
      codes.push_back(absl::StartsWith(c, "AADSTS") ? c : absl::StrCat("AADSTS", c));
    }
    absl::StrAppend(&out.evidence, " (", absl::StrJoin(codes, ", "), ")");
  }
  if (!description.empty()) absl::StrAppend(&out.evidence, ": ", description);
  if (!json) absl::StrAppend(&out.evidence, ": the body is not a JSON object");
  return out;
}

asio::awaitable<TokenOutcome> RefreshTokenProbe(const probe::Run& run,
                                                const probe::OAuthTarget& target,
                                                std::string_view scope, std::string probe_name) {
  TokenOutcome outcome;
  const bool google = target.provider == v1::PROVIDER_GOOGLE;
  const probe::OAuthClient& client = google ? run.config->google : run.config->microsoft;
  if (!client.configured()) {
    run.recorder->Skip(probe_name, google ? "Google" : "Microsoft",
                       "the service has no OAuth client for this provider");
    auto f = diagnosis::ClassifyObservation(
        diagnosis::Observation::kOAuthClientNotConfigured,
        {absl::StrCat("no OAuth client is configured for ", google ? "Google" : "Microsoft", " (--",
                      google ? "google" : "microsoft", "_client_id, --",
                      google ? "google" : "microsoft", "_client_secret_file)")});
    f.probe = probe_name;
    run.recorder->Add(std::move(f));
    co_return outcome;
  }
  const net::HttpRequest request =
      google ? GoogleTokenRequest(*run.config, target.refresh_token)
             : MicrosoftTokenRequest(*run.config, target.tenant, target.refresh_token, scope);
  ApiCall call = co_await CallApi(run, probe_name, request,
                                  ApiCallOptions{std::nullopt, /*secret_response=*/true});
  if (!call.answered || (call.status >= 300 && call.status < 400)) co_return outcome;
  outcome.answered = true;
  TokenResponse response = ReadTokenResponse(target.provider, call.status, call.json);
  auto& facts = *call.probe->mutable_facts();
  if (response.ok) {
    // From now on the new token is a secret of this call like the ones it was given.
    run.redactor->Add(response.access_token);
    outcome.ok = true;
    outcome.access_token = std::move(response.access_token);
    outcome.scopes = response.scopes;
    outcome.expires_in = response.expires_in;
    facts[facts::kScopes] = absl::StrJoin(response.scopes, " ");
    if (response.expires_in > 0) facts[facts::kExpiresIn] = absl::StrCat(response.expires_in, "s");
    co_return outcome;
  }
  call.probe->set_status(v1::PROBE_STATUS_FAILED);
  call.probe->set_detail(response.evidence);
  if (!response.error.error.empty()) facts[facts::kError] = response.error.error;
  auto findings = diagnosis::ClassifyTokenError(response.error, response.evidence);
  if (findings.empty()) {
    // An answer no row knows (or a 200 without a token): the endpoint misbehaves or says
    // something new; show it as it is.
    findings.push_back(diagnosis::ClassifyObservation(diagnosis::Observation::kTokenEndpointError,
                                                      {response.evidence}));
  }
  for (auto& f : findings) {
    f.probe = probe_name;
    run.recorder->Add(std::move(f));
  }
  co_return outcome;
}

}  // namespace cv::oauth
