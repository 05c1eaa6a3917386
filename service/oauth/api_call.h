#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnosis/classifier.h"
#include "net/http_client.h"
#include "oauth/json.h"
#include "probe/run.h"

// One HTTPS call of the direct-integration checks as a probe: the exchange, its timing, facts
// and redacted transcript, and the findings of what went wrong on the way (DNS, egress policy,
// TCP, TLS, deadline, redirects, oversized or malformed answers). What an error *payload*
// means is the caller's (token endpoint) or the API rule table's (account APIs).
namespace cv::oauth {

struct ApiCall {
  bool answered = false;  // a complete HTTP response came back
  int status = 0;
  std::string reason;              // the status line's reason phrase, sanitised
  std::optional<JsonObject> json;  // the body, when it is a JSON object
  std::string www_authenticate;
  bool classified = false;    // an error payload matched a rule and its finding was recorded
  bool request_sent = false;  // the whole request went out (see net::HttpExchange)
  channelverify::v1::Probe* probe = nullptr;

  bool ok() const { return answered && status >= 200 && status < 300 && json.has_value(); }
};

struct ApiCallOptions {
  // The API whose error rows apply (ClassifyApiError); std::nullopt: record no API findings
  // (token endpoints, whose errors are classified by the caller).
  std::optional<diagnosis::OAuthApi> api;
  // A success body is secret (a token response): never shown in the transcript.
  bool secret_response = false;
  // A 2xx with an empty body is a success (Graph's 202 Accepted to sendMail).
  bool empty_success = false;
  // The request hands a message over (SendTest): an answer lost after the request went out
  // says the message may exist, and the findings say it was not sent again.
  bool hands_over = false;
};

// Parameters by value: the coroutine may start after the caller's temporaries are gone.
// The request's bearer token and body never appear in the probe; response bodies of errors are
// shown cut to a few hundred bytes, with every secret of the request replaced by <redacted>.
boost::asio::awaitable<ApiCall> CallApi(const probe::Run& run, std::string probe_name,
                                        net::HttpRequest request, ApiCallOptions options);

// Reads an error payload: Graph's {"error":{"code","message"}}, Google's
// {"error":{"code":403,"message","errors":[{"reason"}],"status","details":[{"reason"}]}}.
diagnosis::ApiErrorEvidence ReadApiError(diagnosis::OAuthApi api, int http_status,
                                         const std::optional<JsonObject>& json,
                                         std::string_view www_authenticate);
// "Microsoft Graph GET /v1.0/users/x: HTTP 404 ErrorInvalidUser: <message>"
std::string DescribeApiError(const diagnosis::ApiErrorEvidence& e, std::string_view what);

}  // namespace cv::oauth
