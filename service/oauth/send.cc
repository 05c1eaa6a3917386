#include "oauth/send.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base64.h"
#include "common/display.h"
#include "diagnosis/probe_names.h"
#include "oauth/api_call.h"

namespace cv::oauth {

std::vector<std::string_view> ApiSendScopes(channelverify::v1::Provider provider) {
  if (provider == channelverify::v1::PROVIDER_GOOGLE) {
    return {"https://mail.google.com/", "https://www.googleapis.com/auth/gmail.send",
            "https://www.googleapis.com/auth/gmail.compose",
            "https://www.googleapis.com/auth/gmail.modify"};
  }
  return {"Mail.Send"};
}
namespace asio = boost::asio;
namespace v1 = channelverify::v1;

namespace {

constexpr std::string_view kJson = "application/json";

JsonValue Text(std::string_view text) {
  JsonValue v;
  v.set_string_value(std::string(text));
  return v;
}

JsonValue Object(JsonObject object) {
  JsonValue v;
  *v.mutable_struct_value() = std::move(object);
  return v;
}

JsonValue Header(std::string_view name, std::string_view value) {
  JsonObject h;
  (*h.mutable_fields())["name"] = Text(name);
  (*h.mutable_fields())["value"] = Text(value);
  return Object(std::move(h));
}

// Ids the API returns go into facts and replies: printable and short, or nothing.
std::string Shown(std::string_view text) {
  return SanitizeForDisplay(std::string(text.substr(0, 200)));
}

}  // namespace

net::HttpRequest GmailSendRequest(const probe::Config& config, std::string_view account,
                                  const mail::TestMessage& message, const Secret& access_token) {
  net::HttpRequest r;
  r.method = "POST";
  r.url = config.oauth.gmail_api;
  r.target = absl::StrCat("/gmail/v1/users/", net::EncodePathSegment(account), "/messages/send");
  r.bearer = access_token;
  r.content_type = std::string(kJson);
  // The base64url alphabet needs no JSON escaping.
  r.body = Secret(absl::StrCat("{\"raw\":\"", Base64UrlEncode(message.data), "\"}"));
  return r;
}

std::string GraphSendMailBody(const mail::TestMessage& message, std::string_view recipient) {
  JsonObject address;
  (*address.mutable_fields())["address"] = Text(recipient);
  JsonObject to;
  (*to.mutable_fields())["emailAddress"] = Object(std::move(address));
  JsonValue recipients;
  *recipients.mutable_list_value()->add_values() = Object(std::move(to));

  JsonObject body;
  (*body.mutable_fields())["contentType"] = Text("Text");
  (*body.mutable_fields())["content"] = Text(message.body_text);

  JsonValue headers;
  *headers.mutable_list_value()->add_values() = Header(mail::kTestHeader, message.correlation_id);
  // Exchange's own "no out-of-office or read receipts for this message".
  *headers.mutable_list_value()->add_values() = Header("X-Auto-Response-Suppress", "All");

  JsonObject mail;
  auto& m = *mail.mutable_fields();
  m["subject"] = Text(message.subject);
  m["body"] = Object(std::move(body));
  m["toRecipients"] = std::move(recipients);
  m["internetMessageId"] = Text(message.message_id);
  m["internetMessageHeaders"] = std::move(headers);

  JsonObject request;
  (*request.mutable_fields())["message"] = Object(std::move(mail));
  JsonValue no;
  no.set_bool_value(false);
  (*request.mutable_fields())["saveToSentItems"] = no;

  // Protobuf's printer escapes what JSON needs (quotes, backslashes, control characters) and
  // keeps UTF-8 as it is; it cannot fail on a Struct built from valid UTF-8.
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  (void)google::protobuf::util::MessageToJsonString(request, &json, options);
  return json;
}

net::HttpRequest GraphSendMailRequest(const probe::Config& config, std::string_view account,
                                      const mail::TestMessage& message, std::string_view recipient,
                                      const Secret& access_token) {
  net::HttpRequest r;
  r.method = "POST";
  r.url = config.oauth.microsoft_graph;
  r.target = absl::StrCat("/v1.0/users/", net::EncodePathSegment(account), "/sendMail");
  r.bearer = access_token;
  r.content_type = std::string(kJson);
  r.body = Secret(GraphSendMailBody(message, recipient));
  return r;
}

GmailSent ReadGmailSent(const JsonObject& answer) {
  GmailSent out;
  if (auto id = GetString(answer, "id")) out.id = Shown(*id);
  if (auto thread = GetString(answer, "threadId")) out.thread_id = Shown(*thread);
  if (const auto* labels = GetList(answer, "labelIds")) {
    std::vector<std::string> names;
    for (const auto& l : ListAsStrings(*labels)) names.push_back(Shown(l));
    out.labels = absl::StrJoin(names, " ");
  }
  return out;
}

asio::awaitable<SendOutcome> SendThroughApi(const probe::Run& run, const probe::OAuthTarget& target,
                                            mail::TestMessage message, std::string recipient,
                                            Secret access_token) {
  const bool google = target.provider == v1::PROVIDER_GOOGLE;
  net::HttpRequest request =
      google ? GmailSendRequest(*run.config, target.account, message, access_token)
             : GraphSendMailRequest(*run.config, target.account, message, recipient, access_token);
  ApiCallOptions options;
  options.api = google ? diagnosis::OAuthApi::kGmailSend : diagnosis::OAuthApi::kGraphSend;
  options.empty_success = !google;
  options.hands_over = true;
  ApiCall call = co_await CallApi(run, google ? probes::kGmailSend : probes::kGraphSendMail,
                                  std::move(request), options);

  SendOutcome out;
  out.handed_over = call.request_sent;
  auto& facts = *call.probe->mutable_facts();
  facts[facts::kMessageId] = message.message_id;
  facts[facts::kMessageOctets] = std::to_string(message.data.size());
  if (!google) facts[facts::kMessageIdVia] = "internetMessageId";
  if (!call.answered) co_return out;  // CallApi recorded what the transport failure means
  const std::string status_line =
      absl::StrCat("HTTP ", call.status, call.reason.empty() ? "" : " ", call.reason);
  if (call.status < 200 || call.status >= 300 || call.probe->status() != v1::PROBE_STATUS_OK) {
    // The refusal (or why a 2xx could not be taken), as the probe's detail says it.
    out.reply = call.probe->detail().empty() ? status_line : call.probe->detail();
    co_return out;
  }
  out.accepted = true;
  out.reply = status_line;
  if (google && call.json) {
    GmailSent sent = ReadGmailSent(*call.json);
    if (!sent.id.empty()) {
      facts[facts::kGmailId] = sent.id;
      absl::StrAppend(&out.reply, ": Gmail message id ", sent.id);
    }
    if (!sent.thread_id.empty()) facts[facts::kGmailThreadId] = sent.thread_id;
    if (!sent.labels.empty()) facts[facts::kGmailLabels] = sent.labels;
  }
  co_return out;
}

}  // namespace cv::oauth
