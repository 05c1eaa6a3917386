// SendTest through the direct integration, the pure parts: the Gmail and Graph send requests
// built from the test message, Gmail's answer read, and the classification of the providers'
// send refusals (which rows apply to the send calls and which to the account checks).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "common/base64.h"
#include "diagnosis/catalog.h"
#include "diagnosis/classifier.h"
#include "diagnosis/rules.h"
#include "mail/message.h"
#include "oauth/api_call.h"
#include "oauth/json.h"
#include "oauth/send.h"
#include "probe/config.h"

namespace cv {
namespace {

namespace pb = channelverify::v1;
using diagnosis::ApiErrorEvidence;
using diagnosis::OAuthApi;
using ::testing::HasSubstr;

mail::TestMessage Message(Lang lang = Lang::kDe) {
  mail::TestMessageParams p;
  p.from = "jobs@example.com";
  p.to = "rcpt@sink.test";
  p.lang = lang;
  p.date = 1732586224;
  p.unique = "20241126015704.0123456789abcdef";
  p.correlation_id = "0f1e2d3c-4b5a-4697-8877-665544332211";
  p.channel = "Gmail API (Google OAuth)";
  return mail::BuildTestMessage(p);
}

probe::Config Endpoints() {
  probe::Config config;
  config.oauth.gmail_api = *net::ParseHttpsUrl("https://gmail.googleapis.com");
  config.oauth.microsoft_graph = *net::ParseHttpsUrl("https://graph.microsoft.com");
  return config;
}

std::string Base64UrlDecode(std::string text) {
  for (char& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
  return Base64Decode(text).value_or("<not base64>");
}

// What a payload of `api` is classified as: the row id, or "" for none.
std::string RowFor(OAuthApi api, int status, const std::string& body) {
  const ApiErrorEvidence e = oauth::ReadApiError(api, status, oauth::ParseJsonObject(body), "");
  const diagnosis::ApiErrorRule* rule = diagnosis::MatchApiErrorRule(e);
  return rule == nullptr ? "" : std::string(rule->id);
}

// --- requests

TEST(OAuthSendTest, GmailRequestCarriesTheMessageAsRawBase64Url) {
  const mail::TestMessage message = Message();
  const auto r =
      oauth::GmailSendRequest(Endpoints(), "jobs+x@example.com", message, Secret("at-token"));
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url.Origin() + r.url.path + r.target,
            "https://gmail.googleapis.com/gmail/v1/users/jobs%2Bx@example.com/messages/send");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.bearer.Reveal(), "at-token");
  auto json = oauth::ParseJsonObject(r.body.Reveal());
  ASSERT_TRUE(json.has_value()) << r.body.Reveal();
  EXPECT_EQ(json->fields_size(), 1);
  const std::string raw = oauth::GetString(*json, "raw").value_or("");
  // The URL-safe alphabet, without padding.
  EXPECT_EQ(raw.find_first_of("+/="), std::string::npos);
  EXPECT_EQ(Base64UrlDecode(raw), message.data);
}

TEST(OAuthSendTest, GraphBodyCarriesTheMessageAsFields) {
  const mail::TestMessage message = Message(Lang::kEn);
  const auto r = oauth::GraphSendMailRequest(Endpoints(), "jobs@example.com", message,
                                             "rcpt@sink.test", Secret("at-token"));
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url.Origin() + r.url.path + r.target,
            "https://graph.microsoft.com/v1.0/users/jobs@example.com/sendMail");
  EXPECT_EQ(r.content_type, "application/json");
  auto json = oauth::ParseJsonObject(r.body.Reveal());
  ASSERT_TRUE(json.has_value()) << r.body.Reveal();
  EXPECT_EQ(json->fields_size(), 2);
  EXPECT_EQ(oauth::GetBool(*json, "saveToSentItems"), false);
  const auto* m = oauth::GetObject(*json, "message");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(oauth::GetString(*m, "subject"), message.subject);
  EXPECT_EQ(oauth::GetString(*m, "internetMessageId"), message.message_id);
  EXPECT_EQ(m->fields().count("from"), 0u);  // the mailbox of the path sends
  const auto* body = oauth::GetObject(*m, "body");
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(oauth::GetString(*body, "contentType"), "Text");
  EXPECT_EQ(oauth::GetString(*body, "content"), message.body_text);
  EXPECT_THAT(message.body_text, HasSubstr("Recipient: rcpt@sink.test\n"));
  const auto* to = oauth::GetList(*m, "toRecipients");
  ASSERT_NE(to, nullptr);
  ASSERT_EQ(to->values_size(), 1);
  const auto* address = oauth::GetObject(to->values(0).struct_value(), "emailAddress");
  ASSERT_NE(address, nullptr);
  EXPECT_EQ(oauth::GetString(*address, "address"), "rcpt@sink.test");
  const auto* headers = oauth::GetList(*m, "internetMessageHeaders");
  ASSERT_NE(headers, nullptr);
  ASSERT_EQ(headers->values_size(), 2);
  for (const auto& h : headers->values()) {
    // Graph takes custom headers only with an "x-" name.
    const std::string name = oauth::GetString(h.struct_value(), "name").value_or("");
    EXPECT_TRUE(name.rfind("X-", 0) == 0) << name;
  }
  EXPECT_EQ(oauth::GetString(headers->values(0).struct_value(), "name"), mail::kTestHeader);
  EXPECT_EQ(oauth::GetString(headers->values(0).struct_value(), "value"), message.correlation_id);
}

// Whatever the text holds, the body stays one JSON document with the text intact.
TEST(OAuthSendTest, GraphBodyEscapesWhatJsonNeeds) {
  mail::TestMessage message = Message();
  message.subject = "Quote \" backslash \\ tab \t newline \n nul-free \x01 umlaut \xc3\xa4 </x>";
  message.body_text = "line 1\nline \"2\"\r\n\\end";
  const std::string body = oauth::GraphSendMailBody(message, "a\"b@sink.test");
  auto json = oauth::ParseJsonObject(body);
  ASSERT_TRUE(json.has_value()) << body;
  const auto* m = oauth::GetObject(*json, "message");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(oauth::GetString(*m, "subject"), message.subject);
  EXPECT_EQ(oauth::GetString(*oauth::GetObject(*m, "body"), "content"), message.body_text);
  EXPECT_EQ(body.find('\n'), std::string::npos);
  EXPECT_EQ(body.find('\x01'), std::string::npos);
}

TEST(OAuthSendTest, ReadsGmailsAnswer) {
  auto sent = oauth::ReadGmailSent(*oauth::ParseJsonObject(
      R"({"id":"18c2f0a9d3b4e5f6","threadId":"18c2f0a9d3b4e5f0","labelIds":["SENT","INBOX"]})"));
  EXPECT_EQ(sent.id, "18c2f0a9d3b4e5f6");
  EXPECT_EQ(sent.thread_id, "18c2f0a9d3b4e5f0");
  EXPECT_EQ(sent.labels, "SENT INBOX");
  // Not a string, or with control characters: never shown as is.
  sent = oauth::ReadGmailSent(*oauth::ParseJsonObject(R"({"id":42,"threadId":"a\r\nb"})"));
  EXPECT_EQ(sent.id, "");
  EXPECT_EQ(sent.thread_id.find_first_of("\r\n"), std::string::npos);
}

// --- classification of the send calls' refusals

TEST(OAuthSendRulesTest, SendRowsLeaveTheAccountChecksAlone) {
  // The account check sends a message without recipients on purpose and reads Graph's 400 as
  // "permission checks passed": no row may claim it. The real send's 400 is a refusal.
  const std::string invalid_recipients =
      R"({"error":{"code":"ErrorInvalidRecipients","message":"At least one recipient is not valid."}})";
  EXPECT_EQ(RowFor(OAuthApi::kGraph, 400, invalid_recipients), "");
  EXPECT_EQ(RowFor(OAuthApi::kGraphSend, 400, invalid_recipients), "graph-send-invalid-recipients");
  // Server errors and unknown refusals: a finding for a send, nothing for an account check.
  const std::string backend =
      R"({"error":{"code":500,"message":"Backend Error","errors":[{"reason":"backendError"}]}})";
  EXPECT_EQ(RowFor(OAuthApi::kGmail, 500, backend), "");
  EXPECT_EQ(RowFor(OAuthApi::kDirectory, 500, backend), "");
  EXPECT_EQ(RowFor(OAuthApi::kGmailSend, 500, backend), "send-server-error");
  const std::string unknown = R"({"error":{"code":"SomethingNew","message":"?"}})";
  EXPECT_EQ(RowFor(OAuthApi::kGraph, 400, unknown), "");
  EXPECT_EQ(RowFor(OAuthApi::kGraphSend, 400, unknown), "send-refused");
  EXPECT_EQ(RowFor(OAuthApi::kGraphSend, 200, unknown), "");  // not an error at all
}

TEST(OAuthSendRulesTest, AnApisRowsApplyToItsSendCall) {
  EXPECT_EQ(RowFor(OAuthApi::kGraphSend, 403,
                   R"({"error":{"code":"ErrorSendAsDenied","message":"no right to send"}})"),
            "graph-error-send-as-denied");
  EXPECT_EQ(RowFor(OAuthApi::kGraphSend, 403,
                   R"({"error":{"code":"ErrorAccessDenied","message":"Access is denied."}})"),
            "graph-error-access-denied");
  EXPECT_EQ(RowFor(OAuthApi::kGraphSend, 404,
                   R"({"error":{"code":"MailboxNotEnabledForRESTAPI","message":"inactive"}})"),
            "graph-mailbox-not-enabled-for-rest");
  EXPECT_EQ(
      RowFor(
          OAuthApi::kGmailSend, 400,
          R"({"error":{"code":400,"message":"Mail service not enabled","errors":[{"reason":"failedPrecondition"}]}})"),
      "gmail-mail-service-not-enabled");
  EXPECT_EQ(
      RowFor(
          OAuthApi::kGmailSend, 403,
          R"({"error":{"code":403,"message":"Request had insufficient authentication scopes.","errors":[{"reason":"insufficientPermissions"}]}})"),
      "google-insufficient-permissions");
  // Another API's rows do not: the Directory API's admin refusal is no Gmail verdict.
  EXPECT_EQ(
      RowFor(
          OAuthApi::kGmailSend, 403,
          R"({"error":{"code":403,"message":"Not Authorized to access this resource/api","errors":[{"reason":"forbidden"}]}})"),
      "send-refused");
  // Gmail's own sending limit is told apart from a passing rate limit.
  const std::string sending_limit =
      R"j({"error":{"code":429,"message":"User-rate limit exceeded.  Retry after 2024-01-01T12:00:00.000Z (Mail sending)","errors":[{"reason":"rateLimitExceeded"}]}})j";
  EXPECT_EQ(RowFor(OAuthApi::kGmailSend, 429, sending_limit), "gmail-send-mail-sending-limit");
  const std::string concurrent =
      R"({"error":{"code":429,"message":"Too many concurrent requests for user","errors":[{"reason":"rateLimitExceeded"}]}})";
  EXPECT_EQ(RowFor(OAuthApi::kGmailSend, 429, concurrent), "google-rate-limit-exceeded");
}

TEST(OAuthSendRulesTest, FindingsCarryTheVariantTheCatalogKnows) {
  struct Case {
    OAuthApi api;
    int status;
    std::string body;
    pb::DiagnosisCode code;
    std::string variant;
  };
  const std::vector<Case> cases = {
      {OAuthApi::kGmailSend, 400,
       R"({"error":{"code":400,"message":"Invalid To header","errors":[{"reason":"invalidArgument"}]}})",
       pb::DIAGNOSIS_CODE_MESSAGE_REJECTED, "invalid-recipient"},
      {OAuthApi::kGraphSend, 403,
       R"({"error":{"code":"ErrorExceededMessageLimit","message":"Cannot send mail."}})",
       pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "sending-limit"},
      {OAuthApi::kGraphSend, 503, "", pb::DIAGNOSIS_CODE_MESSAGE_REJECTED, "api-server-error"},
      {OAuthApi::kGraphSend, 429,
       R"({"error":{"code":"ApplicationThrottled","message":"MailboxConcurrency"}})",
       pb::DIAGNOSIS_CODE_SERVER_THROTTLING, ""},
      {OAuthApi::kGmailSend, 403,
       R"({"error":{"code":403,"message":"Delegation denied for jobs@example.com","errors":[{"reason":"forbidden"}]}})",
       pb::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND, "token-other-account"},
  };
  for (const Case& c : cases) {
    const ApiErrorEvidence e =
        oauth::ReadApiError(c.api, c.status, oauth::ParseJsonObject(c.body), "");
    const std::string line =
        oauth::DescribeApiError(e, std::string(diagnosis::OAuthApiName(c.api)) + " POST /x");
    auto findings = diagnosis::ClassifyApiError(e, line);
    ASSERT_EQ(findings.size(), 1u) << c.body;
    EXPECT_EQ(findings[0].code, c.code) << c.body;
    EXPECT_EQ(findings[0].variant, c.variant) << c.body;
    if (!c.variant.empty()) EXPECT_NE(diagnosis::FindVariant(c.code, c.variant), nullptr);
    EXPECT_THAT(findings[0].evidence.at(0), HasSubstr(" POST /x: HTTP "));
  }
}

TEST(OAuthSendRulesTest, ApiNamesAndFamilies) {
  EXPECT_EQ(diagnosis::OAuthApiName(OAuthApi::kGmailSend), "Gmail API users.messages.send");
  EXPECT_EQ(diagnosis::OAuthApiName(OAuthApi::kGraphSend), "Microsoft Graph sendMail");
  using diagnosis::ApiRowApplies;
  EXPECT_TRUE(ApiRowApplies(OAuthApi::kGraph, OAuthApi::kGraphSend));
  EXPECT_TRUE(ApiRowApplies(OAuthApi::kGmail, OAuthApi::kGmailSend));
  EXPECT_TRUE(ApiRowApplies(OAuthApi::kAny, OAuthApi::kGmailSend));
  EXPECT_TRUE(ApiRowApplies(OAuthApi::kAnySend, OAuthApi::kGraphSend));
  EXPECT_FALSE(ApiRowApplies(OAuthApi::kGraphSend, OAuthApi::kGraph));
  EXPECT_FALSE(ApiRowApplies(OAuthApi::kAnySend, OAuthApi::kGmail));
  EXPECT_FALSE(ApiRowApplies(OAuthApi::kGraph, OAuthApi::kGmailSend));
  EXPECT_FALSE(ApiRowApplies(OAuthApi::kDirectory, OAuthApi::kGmailSend));
}

}  // namespace
}  // namespace cv
