#include "oauth/api_call.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/display.h"
#include "common/strings.h"
#include "diagnosis/probe_names.h"

namespace cv::oauth {
namespace asio = boost::asio;
namespace v1 = channelverify::v1;
using diagnosis::Observation;
using net::HttpFailure;

namespace {

constexpr size_t kShownBody = 400;

// `text` has passed the call's redactor already (CallApi scrubs what the server sent).
std::string Shown(std::string_view text) {
  std::string out = SanitizeForDisplay(text.substr(0, kShownBody));
  if (text.size() > kShownBody) out += "…";
  return out;
}

// Everything the server sent passes the call's redactor before it is parsed or kept, except the
// body of a successful token response, which holds the new token (registered by its reader).
void ScrubExchange(const Redactor& redactor, bool keep_body, net::HttpExchange* ex) {
  ex->detail = redactor.Scrub(ex->detail);
  ex->reason = redactor.Scrub(ex->reason);
  ex->location = redactor.Scrub(ex->location);
  ex->www_authenticate = redactor.Scrub(ex->www_authenticate);
  for (auto& line : ex->transcript) line = redactor.Scrub(line);
  if (!keep_body) ex->body = redactor.Scrub(ex->body);
}

void Observe(const probe::Run& run, Observation observation, std::string evidence,
             const std::string& probe) {
  auto f = diagnosis::ClassifyObservation(observation, {std::move(evidence)});
  f.probe = probe;
  run.recorder->Add(std::move(f));
}

constexpr std::string_view kMaybeSent =
    "the whole request had been sent, but no complete answer came: the provider may or may not "
    "have sent the message; it was not sent again";

// What a failed exchange means for the channel. `handed_over`: the request carried a message
// and went out whole, so whether the message exists is unknown.
void RecordTransportFailure(const probe::Run& run, const net::HttpExchange& ex,
                            const std::string& what, const std::string& probe, bool handed_over) {
  const std::string evidence = absl::StrCat(what, ": ", ex.detail);
  if (handed_over && ex.failure != HttpFailure::kCancelled) {
    // As SMTP reports a drop after the final "." (verify/smtp_dialog.cc): the connection ended
    // between handing over and the answer. A timeout or the caller's deadline says so as well.
    if (ex.cut_by_caller) Observe(run, Observation::kDeadlineTooShort, evidence, probe);
    auto f = diagnosis::ClassifyObservation(
        Observation::kDroppedAfterHandOver,
        {ex.failure == HttpFailure::kTimedOut ? absl::StrCat(what, ": no complete response in time")
                                              : evidence,
         std::string(kMaybeSent)});
    f.probe = probe;
    run.recorder->Add(std::move(f));
    return;
  }
  if (ex.cut_by_caller) {
    Observe(run, Observation::kDeadlineTooShort, evidence, probe);
    return;
  }
  switch (ex.failure) {
    case HttpFailure::kNone:
    case HttpFailure::kCancelled:
      return;
    case HttpFailure::kDnsNotFound:
      Observe(run, Observation::kDnsNameNotFound, evidence, probe);
      return;
    case HttpFailure::kDnsFailed:
      Observe(run, Observation::kDnsLookupFailed, evidence, probe);
      return;
    case HttpFailure::kForbidden:
      Observe(run, Observation::kTargetForbidden, evidence, probe);
      return;
    case HttpFailure::kConnectRefused:
      Observe(run, Observation::kConnectRefused, evidence, probe);
      return;
    case HttpFailure::kConnectTimeout:
    case HttpFailure::kConnectFailed:
      Observe(run, Observation::kConnectTimeout, evidence, probe);
      return;
    case HttpFailure::kTimedOut:
      // Connected, but no (complete) answer in time: unreachable in effect.
      Observe(run, Observation::kConnectTimeout,
              absl::StrCat(what, ": no complete response in time"), probe);
      return;
    case HttpFailure::kTlsFailed:
      Observe(run, Observation::kTlsHandshakeFailed, evidence, probe);
      return;
    case HttpFailure::kCertificateInvalid: {
      auto f =
          diagnosis::ClassifyObservation(Observation::kTlsCertificateInvalid,
                                         {evidence, absl::StrCat("subject: ", ex.tls.cert_subject),
                                          absl::StrCat("issuer: ", ex.tls.cert_issuer),
                                          absl::StrCat("expires: ", ex.tls.cert_not_after)});
      f.probe = probe;
      run.recorder->Add(std::move(f));
      return;
    }
    case HttpFailure::kClosed:
    case HttpFailure::kTooLarge:
    case HttpFailure::kMalformed:
      Observe(run, Observation::kProtocolError, evidence, probe);
      return;
  }
}

v1::ProbeStatus StatusOf(const net::HttpExchange& ex) {
  if (ex.failure == HttpFailure::kTimedOut || ex.failure == HttpFailure::kCancelled ||
      ex.failure == HttpFailure::kConnectTimeout || ex.cut_by_caller) {
    return v1::PROBE_STATUS_TIMED_OUT;
  }
  return v1::PROBE_STATUS_FAILED;
}

}  // namespace

diagnosis::ApiErrorEvidence ReadApiError(diagnosis::OAuthApi api, int http_status,
                                         const std::optional<JsonObject>& json,
                                         std::string_view www_authenticate) {
  diagnosis::ApiErrorEvidence e;
  e.api = api;
  e.http_status = http_status;
  if (json) {
    if (const JsonObject* error = GetObject(*json, "error")) {
      if (auto code = GetString(*error, "code")) e.code = *code;  // Graph: a string
      if (auto message = GetString(*error, "message")) e.message = *message;
      if (auto status = GetString(*error, "status")) e.status = *status;
      // Google: the first reason of errors[] is the specific one ("failedPrecondition").
      if (const auto* errors = GetList(*error, "errors")) {
        for (const JsonValue& item : errors->values()) {
          if (item.kind_case() != JsonValue::kStructValue) continue;
          if (auto reason = GetString(item.struct_value(), "reason")) {
            if (e.code.empty()) e.code = *reason;
            break;
          }
        }
      }
      // google.rpc.ErrorInfo in details[] (ACCESS_TOKEN_SCOPE_INSUFFICIENT).
      if (const auto* details = GetList(*error, "details"); details != nullptr && e.code.empty()) {
        for (const JsonValue& item : details->values()) {
          if (item.kind_case() != JsonValue::kStructValue) continue;
          if (auto reason = GetString(item.struct_value(), "reason")) {
            e.code = *reason;
            break;
          }
        }
      }
    } else if (auto error_text = GetString(*json, "error")) {
      e.code = *error_text;  // OAuth-style {"error":"invalid_token"}
    }
  }
  if (e.code.empty() && absl::StrContains(Av(www_authenticate), "insufficient_scope")) {
    e.code = "insufficient_scope";
  }
  return e;
}

std::string DescribeApiError(const diagnosis::ApiErrorEvidence& e, std::string_view what) {
  std::string out = absl::StrCat(Av(what), ": HTTP ", e.http_status);
  if (!e.code.empty()) absl::StrAppend(&out, " ", e.code);
  if (!e.status.empty() && e.status != e.code) absl::StrAppend(&out, " (", e.status, ")");
  if (!e.message.empty()) {
    absl::StrAppend(&out, ": ", SanitizeForDisplay(e.message.substr(0, 300)));
  }
  return out;
}

asio::awaitable<ApiCall> CallApi(const probe::Run& run, std::string probe_name,
                                 net::HttpRequest request, ApiCallOptions options) {
  ApiCall call;
  const std::string path = request.url.path + request.target;
  const std::string what = absl::StrCat(request.method, " ", request.url.Origin(), path);
  auto* probe = run.recorder->Begin(probe_name, what);
  call.probe = probe;
  const net::HttpEnv env = run.config->Http();
  // What this request carries that is secret: registered before it is sent.
  run.redactor->Add(request.bearer);
  net::HttpExchange ex = co_await net::HttpsExchange(env, request, run.budget, run.scope);
  ScrubExchange(*run.redactor, options.secret_response && ex.status >= 200 && ex.status < 300, &ex);

  auto& facts = *probe->mutable_facts();
  if (!ex.addresses.empty()) facts[facts::kAddresses] = absl::StrJoin(ex.addresses, " ");
  if (!ex.dialed.empty()) facts[facts::kAddress] = ex.dialed;
  if (ex.tls_done) {
    facts[facts::kTlsVersion] = ex.tls.version;
    facts[facts::kCertSubject] = ex.tls.cert_subject;
    facts[facts::kCertIssuer] = ex.tls.cert_issuer;
    facts[facts::kCertVerified] = ex.tls.verified ? "true" : "false";
    if (!ex.tls.verified) facts[facts::kCertError] = ex.tls.verify_error;
  }
  for (auto& line : ex.transcript) probe->add_transcript(std::move(line));
  call.request_sent = ex.request_sent;

  if (!ex.ok() && !ex.local_resource.empty()) {
    // Not the provider's fault: the run fails as the service's own (verify/local_failure.h).
    run.recorder->End(probe, StatusOf(ex), ex.detail);
    run.recorder->SetLocalFailure(ex.local_resource, absl::StrCat(what, ": ", ex.detail));
    co_return call;
  }
  if (!ex.ok()) {
    run.recorder->End(probe, StatusOf(ex), ex.detail);
    RecordTransportFailure(run, ex, what, probe_name, options.hands_over && ex.request_sent);
    co_return call;
  }
  call.answered = true;
  call.status = ex.status;
  call.reason = ex.reason;
  call.www_authenticate = ex.www_authenticate;
  facts[facts::kHttpStatus] = std::to_string(ex.status);
  const bool success = ex.status >= 200 && ex.status < 300;
  std::string parse_error;
  call.json = ParseJsonObject(ex.body, &parse_error);
  if (!success || !options.secret_response) {
    probe->add_transcript(absl::StrCat("S: <body: ", ex.body.size(), " bytes> ", Shown(ex.body)));
  } else {
    probe->add_transcript(absl::StrCat("S: <body: ", ex.body.size(), " bytes, not shown>"));
  }

  if (ex.status >= 300 && ex.status < 400) {
    // Never followed: a redirect could lead the token anywhere.
    const std::string detail =
        absl::StrCat("HTTP ", ex.status, " redirect to ",
                     ex.location.empty() ? "(no Location)" : ex.location, " not followed");
    run.recorder->End(probe, v1::PROBE_STATUS_FAILED, detail);
    Observe(run, Observation::kProtocolError, absl::StrCat(what, ": ", detail), probe_name);
    co_return call;
  }
  if (success) {
    if (!call.json && options.empty_success &&
        ex.body.find_first_not_of(" \t\r\n") == std::string::npos) {
      run.recorder->End(probe, v1::PROBE_STATUS_OK);
      co_return call;
    }
    if (!call.json) {
      const std::string detail = absl::StrCat("HTTP ", ex.status,
                                              " but the body is not a JSON "
                                              "object (",
                                              parse_error, ")");
      run.recorder->End(probe, v1::PROBE_STATUS_FAILED, detail);
      Observe(run, Observation::kProtocolError, absl::StrCat(what, ": ", detail), probe_name);
      co_return call;
    }
    run.recorder->End(probe, v1::PROBE_STATUS_OK);
    co_return call;
  }

  // An error answer.
  const auto api = options.api.value_or(diagnosis::OAuthApi::kAny);
  diagnosis::ApiErrorEvidence error = ReadApiError(api, ex.status, call.json, ex.www_authenticate);
  const std::string line = DescribeApiError(
      error, absl::StrCat(Av(diagnosis::OAuthApiName(api)), " ", request.method, " ", path));
  if (!error.code.empty()) facts[facts::kError] = SanitizeForDisplay(error.code);
  run.recorder->End(probe, v1::PROBE_STATUS_FAILED, line);
  if (options.api) {
    auto findings = diagnosis::ClassifyApiError(error, line);
    call.classified = !findings.empty();
    for (auto& f : findings) {
      f.probe = probe_name;
      run.recorder->Add(std::move(f));
    }
  }
  co_return call;
}

}  // namespace cv::oauth
