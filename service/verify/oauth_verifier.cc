#include "verify/oauth_verifier.h"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/strings.h"
#include "diagnosis/classifier.h"
#include "diagnosis/probe_names.h"
#include "oauth/account.h"
#include "oauth/json.h"
#include "oauth/send.h"
#include "oauth/token.h"
#include "verify/dns_probe.h"
#include "verify/response.h"
#include "verify/smtp_dialog.h"

namespace cv::verify {
namespace asio = boost::asio;
namespace v1 = channelverify::v1;
using diagnosis::Observation;
using namespace asio::experimental::awaitable_operators;

namespace {

struct SmtpOutcome {
  bool ran = false;
  bool ok = false;
  std::string challenge;
};

void CheckScopes(const probe::Run& run, const probe::OAuthTarget& target,
                 const std::vector<std::string>& got) {
  if (got.empty()) return;  // not reported: nothing to judge
  for (std::string_view wanted : oauth::ApiSendScopes(target.provider)) {
    if (oauth::HasScope(got, wanted)) return;
  }
  std::vector<std::string> wanted;
  for (auto w : oauth::ApiSendScopes(target.provider)) wanted.emplace_back(w);
  auto f = diagnosis::ClassifyObservation(
      Observation::kScopeMissing,
      {absl::StrCat("granted scopes: ", absl::StrJoin(got, " "),
                    "; sending needs one of: ", absl::StrJoin(wanted, ", "))});
  f.probe = probes::kOAuthToken;
  run.recorder->Add(std::move(f));
}

// Google answers a refused token with 334 <base64 JSON>: {"status":"400"|"401",
// "schemes":"Bearer","scope":"https://mail.google.com/"}. The scope it names is the one SMTP
// needs: missing from the grant means the permission is missing, else the token is refused.
void ClassifyChallenge(const probe::Run& run, const std::string& challenge,
                       const std::vector<std::string>& scopes) {
  auto json = oauth::ParseJsonObject(challenge);
  std::string status = json ? oauth::GetString(*json, "status").value_or("") : "";
  std::string scope = json ? oauth::GetString(*json, "scope").value_or("") : "";
  const std::string evidence = absl::StrCat("AUTH XOAUTH2 challenge: ", challenge);
  const Observation observation =
      !scope.empty() && !scopes.empty() && !oauth::HasScope(scopes, scope)
          ? Observation::kScopeMissing
      : status == "401" || status == "400" ? Observation::kAccessTokenRefused
                                           : Observation::kAccessTokenRefusedUnclear;
  diagnosis::Finding f = diagnosis::ClassifyObservation(observation, {evidence});
  f.probe = probes::kXoauth2Auth;
  run.recorder->Add(std::move(f));
}

asio::awaitable<SmtpOutcome> Xoauth2Probe(const probe::Run& run, const probe::OAuthTarget& target,
                                          Secret access_token, std::vector<std::string> scopes) {
  SmtpOutcome out;
  const auto& e = run.config->oauth;
  const bool google = target.provider == v1::PROVIDER_GOOGLE;
  const std::string host = google ? e.google_smtp_host : e.microsoft_smtp_host;
  const uint16_t port = google ? e.google_smtp_port : e.microsoft_smtp_port;
  if (host.empty()) co_return out;
  if (!google && !target.refresh_token.empty()) {
    // Exchange Online wants a token for its own resource; the Graph token will not do.
    auto token = co_await oauth::RefreshTokenProbe(run, target, oauth::kMicrosoftSmtpScope,
                                                   probes::kOAuthTokenSmtp);
    if (!token.ok) co_return out;
    access_token = std::move(token.access_token);
    scopes = token.scopes;
  }
  out.ran = true;
  auto lookup = co_await LookupHostProbe(run, host);
  if (lookup.outcome != net::DnsOutcome::kOk) co_return out;
  auto addresses = VetAddresses(run, host, lookup.addresses, port, net::Purpose::kSmtp);
  if (addresses.empty()) co_return out;
  probe::SmtpTarget smtp;
  smtp.host = host;
  smtp.port = port;
  smtp.tls_mode = v1::TLS_MODE_STARTTLS;
  smtp.username = target.account;
  smtp.password = access_token;
  DialogPlan plan;
  plan.host = host;
  plan.port = port;
  plan.tls_mode = v1::TLS_MODE_STARTTLS;
  plan.probe_prefix = probes::kXoauth2;
  plan.host_provider = target.provider;
  plan.auth_mechanism = "XOAUTH2";
  DialogOutcome dialog = co_await RunSmtpDialog(run, smtp, plan, std::move(addresses));
  out.ok = dialog.auth_succeeded;
  out.challenge = dialog.auth_challenge;
  if (!out.challenge.empty()) ClassifyChallenge(run, out.challenge, scopes);
  co_return out;
}

asio::awaitable<oauth::AccountFacts> AccountProbes(const probe::Run& run,
                                                   const probe::OAuthTarget& target,
                                                   Secret access_token) {
  if (target.provider == v1::PROVIDER_GOOGLE) {
    co_return co_await oauth::CheckGoogleAccount(run, target, access_token);
  }
  co_return co_await oauth::CheckMicrosoftAccount(run, target, access_token);
}

bool IsIntegrationCode(v1::DiagnosisCode code) {
  return code == v1::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX ||
         code == v1::DIAGNOSIS_CODE_INTEGRATION_NOT_ADMIN ||
         code == v1::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED;
}

std::string_view Requirement(v1::DiagnosisCode code) {
  switch (code) {
    case v1::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX:
      return "its own mailbox and login (it must not be a shared mailbox)";
    case v1::DIAGNOSIS_CODE_INTEGRATION_NOT_ADMIN:
      return "admin rights";
    default:
      return "a licence with an active mailbox";
  }
}

// What single probes cannot say: the sign-in works, so the account is what fails, and which of
// the article's requirements it misses.
void AdviseAcrossProbes(const probe::Run& run, const probe::OAuthTarget& target, bool token_works,
                        const oauth::AccountFacts& facts) {
  if (!token_works) return;
  auto& rec = *run.recorder;
  const std::string signin =
      absl::StrCat("the sign-in of ", target.account,
                   " works (the provider issued and accepted a token), so the account itself "
                   "lacks what the integration needs: ");
  if (target.provider == v1::PROVIDER_MICROSOFT && facts.enabled == false && facts.licenses == 0 &&
      !rec.Has(v1::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX)) {
    rec.Add(diagnosis::ClassifyObservation(
        Observation::kDisabledWithoutLicense,
        {absl::StrCat("Microsoft Graph: ", target.account,
                      " is disabled for sign-in and has no licence, as a shared mailbox is")}));
  }
  for (auto& f : rec.mutable_findings()) {
    if (IsIntegrationCode(f.code))
      f.evidence.push_back(absl::StrCat(signin, Av(Requirement(f.code))));
  }
}

}  // namespace

asio::awaitable<v1::VerifyChannelResponse> VerifyOAuth(probe::Run run, probe::OAuthTarget target) {
  Secret access_token = target.access_token;
  std::vector<std::string> scopes;
  bool token_works = false;
  if (!target.refresh_token.empty()) {
    auto token = co_await oauth::RefreshTokenProbe(
        run, target, target.provider == v1::PROVIDER_MICROSOFT ? oauth::kMicrosoftGraphScope : "",
        probes::kOAuthToken);
    if (token.ok) {
      token_works = true;
      access_token = std::move(token.access_token);
      scopes = std::move(token.scopes);
      CheckScopes(run, target, scopes);
    }
  } else {
    run.recorder->Skip(probes::kOAuthToken, "", "an access token was given: nothing to refresh");
  }

  oauth::AccountFacts facts;
  if (!access_token.empty()) {
    // The XOAUTH2 check records on a recorder of its own: SendTest sends through the API, so
    // what SMTP says is information for the verdict, never an error (nor advice to set up the
    // integration the channel already is).
    probe::Run smtp_run = run;
    smtp_run.recorder = std::make_shared<probe::Recorder>(run.recorder->start());
    auto [account, smtp] = co_await (AccountProbes(run, target, access_token) &&
                                     Xoauth2Probe(smtp_run, target, access_token, scopes));
    facts = std::move(account);
    run.recorder->Adopt(smtp_run.recorder->TakeProbes());
    run.recorder->Add(diagnosis::SmtpOAuthInformation(smtp_run.recorder->findings()));
    // A given access token "works" once the API took it: the API is how the channel sends.
    if (target.refresh_token.empty()) token_works = facts.checked_any;
  }
  AdviseAcrossProbes(run, target, token_works, facts);

  v1::VerifyChannelResponse response;
  response.set_detected_provider(target.provider);
  FinishResponse(run, &response);
  co_return response;
}

}  // namespace cv::verify
