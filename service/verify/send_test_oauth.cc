#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "diagnosis/classifier.h"
#include "diagnosis/probe_names.h"
#include "oauth/send.h"
#include "oauth/token.h"
#include "verify/response.h"
#include "verify/send_test.h"
#include "verify/test_message.h"

namespace cv::verify {
namespace asio = boost::asio;
namespace v1 = channelverify::v1;

namespace {

// Asked only once the send failed: then a grant without a sending scope is the likely reason
// (Graph's 403 to sendMail often names none), and its evidence joins the send's finding.
void ExplainWithScopes(const probe::Run& run, const probe::OAuthTarget& target,
                       const std::vector<std::string>& granted) {
  if (granted.empty()) return;  // not reported: nothing to judge
  std::vector<std::string> wanted;
  for (std::string_view w : oauth::ApiSendScopes(target.provider)) {
    if (oauth::HasScope(granted, w)) return;
    wanted.emplace_back(w);
  }
  auto f = diagnosis::ClassifyObservation(
      diagnosis::Observation::kScopeMissing,
      {absl::StrCat("granted scopes: ", absl::StrJoin(granted, " "),
                    "; sending through the API needs one of: ", absl::StrJoin(wanted, ", "))});
  f.probe = probes::kOAuthToken;
  run.recorder->Add(std::move(f));
}

}  // namespace

asio::awaitable<v1::SendTestResponse> SendTestOAuth(probe::Run run, probe::OAuthTarget target,
                                                    std::string recipient) {
  const bool google = target.provider == v1::PROVIDER_GOOGLE;
  mail::TestMessage message =
      NewTestMessage(target.account, recipient, run.lang,
                     google ? "Gmail API (Google OAuth)" : "Microsoft Graph (Microsoft 365 OAuth)");
  v1::SendTestResponse response;
  response.set_correlation_id(message.correlation_id);

  Secret access_token = target.access_token;
  std::vector<std::string> scopes;
  if (!target.refresh_token.empty()) {
    // The same token VerifyChannel's account checks use: Graph's resource for Microsoft.
    auto token = co_await oauth::RefreshTokenProbe(
        run, target, google ? "" : oauth::kMicrosoftGraphScope, probes::kOAuthToken);
    if (token.ok) {
      access_token = std::move(token.access_token);
      scopes = std::move(token.scopes);
    }
  } else {
    run.recorder->Skip(probes::kOAuthToken, "", "an access token was given: nothing to refresh");
  }

  const std::string probe(google ? probes::kGmailSend : probes::kGraphSendMail);
  if (access_token.empty()) {
    run.recorder->Skip(probe, "", "not sent: no access token (see oauth.token)");
  } else {
    const std::string message_id = message.message_id;
    oauth::SendOutcome sent =
        co_await oauth::SendThroughApi(run, target, std::move(message), recipient, access_token);
    response.set_accepted(sent.accepted);
    response.set_server_reply(sent.reply);
    // Once the request went out whole, a message with this id may exist: say which.
    if (sent.handed_over) response.set_message_id(message_id);
    if (!sent.accepted) ExplainWithScopes(run, target, scopes);
  }
  FinishSendResponse(run, &response);
  co_return response;
}

}  // namespace cv::verify
