#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/secret.h"
#include "mail/message.h"
#include "net/http_client.h"
#include "oauth/json.h"
#include "probe/config.h"
#include "probe/oauth_request.h"
#include "probe/run.h"

// SendTest's send through the direct integration: Gmail's users.messages.send with the RFC 5322
// message as "raw", or Graph's sendMail with the same message as fields. Request building and
// answer reading are pure (tested without a network); SendThroughApi runs them as the
// probes::kGmailSend / kGraphSendMail probe (diagnosis/probe_names.h).
namespace cv::oauth {

// The scopes that let the provider's API send, any one of which will do: what SendTest needs,
// and so what VerifyChannel checks. A token for SMTP (SMTP.Send) cannot call sendMail.
std::vector<std::string_view> ApiSendScopes(channelverify::v1::Provider provider);

// POST <gmail_api_base>/gmail/v1/users/<account>/messages/send, {"raw": base64url(message)}.
// The path names the channel's account rather than "me": a token of another user is refused
// ("Delegation denied") instead of sending from that user's mailbox.
net::HttpRequest GmailSendRequest(const probe::Config& config, std::string_view account,
                                  const mail::TestMessage& message, const Secret& access_token);

// The sendMail body: subject, text body, the one recipient, the Message-ID as
// internetMessageId, and the test header as a custom internetMessageHeader (Graph takes only
// "x-" names there, so Auto-Submitted cannot go along; X-Auto-Response-Suppress does the same
// job for Exchange). saveToSentItems false: a test leaves nothing in the mailbox.
std::string GraphSendMailBody(const mail::TestMessage& message, std::string_view recipient);
// POST <graph_base>/v1.0/users/<account>/sendMail with GraphSendMailBody.
net::HttpRequest GraphSendMailRequest(const probe::Config& config, std::string_view account,
                                      const mail::TestMessage& message, std::string_view recipient,
                                      const Secret& access_token);

// Gmail's answer to a send: {"id": "...", "threadId": "...", "labelIds": ["SENT"]}. The id is
// Gmail's own (not the Message-ID); empty when absent or unusable.
struct GmailSent {
  std::string id;
  std::string thread_id;
  std::string labels;  // space-separated
};
GmailSent ReadGmailSent(const JsonObject& answer);

struct SendOutcome {
  bool handed_over = false;  // the whole request went out: a message may exist
  bool accepted = false;     // the API said it took the message (Gmail 200, Graph 202)
  std::string reply;         // "HTTP 202 Accepted", "HTTP 200 OK: Gmail id ...", or the refusal
};

// Exactly one request, whatever happens: no retry after an error, a timeout or a dropped
// connection. Findings of refusals come from the API rows of diagnosis/rules.cc (kGmailSend,
// kGraphSend), with the probe named.
boost::asio::awaitable<SendOutcome> SendThroughApi(const probe::Run& run,
                                                   const probe::OAuthTarget& target,
                                                   mail::TestMessage message, std::string recipient,
                                                   Secret access_token);

}  // namespace cv::oauth
