// Pure parts of the direct-integration checks: URLs and form encoding, JSON reading, token
// responses, the OAuth rule tables (a case per row), account facts, request validation.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "diagnosis/classifier.h"
#include "diagnosis/rules.h"
#include "net/url.h"
#include "oauth/account.h"
#include "oauth/api_call.h"
#include "oauth/json.h"
#include "oauth/token.h"
#include "probe/config.h"
#include "rpc/validate.h"

namespace cv {
namespace {

namespace pb = channelverify::v1;
using diagnosis::ApiErrorEvidence;
using diagnosis::OAuthApi;
using diagnosis::TokenErrorEvidence;
using ::testing::HasSubstr;
using ::testing::Not;

// --- net/url

TEST(UrlTest, ParsesHttpsBases) {
  auto url = net::ParseHttpsUrl("https://Graph.Microsoft.com/");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "graph.microsoft.com");
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->path, "");
  EXPECT_EQ(url->Origin(), "https://graph.microsoft.com");

  url = net::ParseHttpsUrl("https://127.0.0.1:8443/token");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->path, "/token");
  EXPECT_EQ(url->HostHeader(), "127.0.0.1:8443");

  url = net::ParseHttpsUrl("https://[::1]:9000/a/b/");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->path, "/a/b");
  EXPECT_EQ(url->Origin(), "https://[::1]:9000");
}

TEST(UrlTest, RefusesWhatIsNotAPlainHttpsBase) {
  for (const char* bad :
       {"http://graph.microsoft.com", "graph.microsoft.com", "https://", "https://a b.com",
        "https://user:pw@host.com", "https://host.com/?x=1", "https://host.com:0",
        "https://host.com:70000", "https://host.com:x", "https://ho\r\nst.com", "ftp://x.com",
        "https://[::1", "https://::1:443"}) {
    EXPECT_FALSE(net::ParseHttpsUrl(bad).ok()) << bad;
  }
}

TEST(UrlTest, HostPort) {
  auto hp = net::ParseHostPort("smtp.gmail.com", 587);
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->first, "smtp.gmail.com");
  EXPECT_EQ(hp->second, 587);
  hp = net::ParseHostPort("127.0.0.1:2525", 587);
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->second, 2525);
  hp = net::ParseHostPort("[::1]:25", 587);
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->first, "::1");
  EXPECT_FALSE(net::ParseHostPort("host:", 587).ok());
  EXPECT_FALSE(net::ParseHostPort("a/b:25", 587).ok());
}

TEST(UrlTest, Encodings) {
  EXPECT_EQ(net::PercentEncode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(net::EncodePathSegment("jobs+x@example.com"), "jobs%2Bx@example.com");
  EXPECT_EQ(net::EncodePathSegment("../admin?x#y"), "..%2Fadmin%3Fx%23y");
  EXPECT_EQ(net::FormEncode({{"grant_type", "refresh_token"}, {"refresh_token", "1//0a+b/c="}}),
            "grant_type=refresh_token&refresh_token=1%2F%2F0a%2Bb%2Fc%3D");
}

// --- oauth/json

TEST(JsonTest, ObjectsOnlyAndTypedAccess) {
  EXPECT_FALSE(oauth::ParseJsonObject("").has_value());
  EXPECT_FALSE(oauth::ParseJsonObject("[1,2]").has_value());
  EXPECT_FALSE(oauth::ParseJsonObject("\"x\"").has_value());
  EXPECT_FALSE(oauth::ParseJsonObject("{\"a\": ").has_value());
  EXPECT_FALSE(oauth::ParseJsonObject("<html></html>").has_value());
  auto obj = oauth::ParseJsonObject(
      R"({"s":"x","b":true,"n":3599,"q":"42","l":[700082,"AADSTS50057"],"o":{"k":"v"}})");
  ASSERT_TRUE(obj.has_value());
  EXPECT_EQ(oauth::GetString(*obj, "s"), "x");
  EXPECT_EQ(oauth::GetString(*obj, "b"), std::nullopt);  // a bool is not a string
  EXPECT_EQ(oauth::GetBool(*obj, "b"), true);
  EXPECT_EQ(oauth::GetBool(*obj, "s"), std::nullopt);
  EXPECT_EQ(oauth::GetNumber(*obj, "n"), 3599);
  EXPECT_EQ(oauth::GetNumber(*obj, "q"), 42);
  ASSERT_NE(oauth::GetList(*obj, "l"), nullptr);
  EXPECT_THAT(oauth::ListAsStrings(*oauth::GetList(*obj, "l")),
              ::testing::ElementsAre("700082", "AADSTS50057"));
  ASSERT_NE(oauth::GetObject(*obj, "o"), nullptr);
  EXPECT_EQ(oauth::GetObject(*obj, "s"), nullptr);
}

TEST(JsonTest, DeepNestingIsRefusedNotACrash) {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "{\"a\":";
  deep += "1";
  for (int i = 0; i < 5000; ++i) deep += "}";
  EXPECT_FALSE(oauth::ParseJsonObject(deep).has_value());
}

// --- token responses

TEST(TokenTest, SuccessKeepsScopesAndExpiryAndHidesTheToken) {
  auto json = oauth::ParseJsonObject(
      R"({"access_token":"ya29.secret","expires_in":3599,"scope":"https://mail.google.com/ openid","token_type":"Bearer"})");
  auto r = oauth::ReadTokenResponse(pb::PROVIDER_GOOGLE, 200, json);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.access_token.Reveal(), "ya29.secret");
  EXPECT_THAT(r.scopes, ::testing::ElementsAre("https://mail.google.com/", "openid"));
  EXPECT_EQ(r.expires_in, 3599);
  std::ostringstream shown;
  shown << r.access_token;
  EXPECT_EQ(shown.str(), "<redacted>");
}

TEST(TokenTest, AccessTokenThatCouldSplitAHeaderIsRefused) {
  auto json = oauth::ParseJsonObject(R"({"access_token":"abc\r\nX-Evil: 1","expires_in":1})");
  EXPECT_FALSE(oauth::ReadTokenResponse(pb::PROVIDER_GOOGLE, 200, json).ok);
  json = oauth::ParseJsonObject(R"({"access_token":42})");
  EXPECT_FALSE(oauth::ReadTokenResponse(pb::PROVIDER_GOOGLE, 200, json).ok);
}

TEST(TokenTest, MicrosoftErrorEvidenceNamesCodesWithoutTraceNoise) {
  auto json = oauth::ParseJsonObject(
      R"({"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity.\r\nTrace ID: 1\r\nTimestamp: 2","error_codes":[700082]})");
  auto r = oauth::ReadTokenResponse(pb::PROVIDER_MICROSOFT, 400, json);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error.error, "invalid_grant");
  EXPECT_THAT(r.error.error_codes, ::testing::ElementsAre("700082"));
  EXPECT_THAT(r.evidence, HasSubstr("HTTP 400 invalid_grant (AADSTS700082)"));
  EXPECT_THAT(r.evidence, Not(HasSubstr("Trace ID")));
}

// Not every answer carries the code in all three places: each one alone is enough, and a code
// named in several places counts once.
TEST(TokenTest, AadstsCodeIsReadFromCodesDescriptionAndUri) {
  struct Case {
    const char* json;
    std::vector<std::string> codes;
  };
  const Case cases[] = {
      {R"({"error":"invalid_grant","error_description":"AADSTS50053: The account is locked."})",
       {"50053"}},
      {R"({"error":"invalid_grant","error_uri":"https://login.microsoftonline.com/error?code=530035"})",
       {"530035"}},
      {R"({"error":"invalid_grant","error_codes":[700082],"error_description":"AADSTS700082: x",)"
       R"("error_uri":"https://login.microsoftonline.com/error?code=700082"})",
       {"700082"}},
      {R"({"error":"invalid_grant","error_codes":[50076],"error_description":"AADSTS53003: y"})",
       {"50076", "53003"}},
      // Not codes: a description that only mentions one later, a uri without "code=".
      {R"({"error":"invalid_grant","error_description":"Sign-in failed (AADSTS50126).",)"
       R"("error_uri":"https://login.microsoftonline.com/error?xcode=1"})",
       {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    auto json = oauth::ParseJsonObject(c.json);
    ASSERT_TRUE(json.has_value());
    auto r = oauth::ReadTokenResponse(pb::PROVIDER_MICROSOFT, 400, json);
    EXPECT_EQ(r.error.error_codes, c.codes);
  }
}

TEST(TokenTest, Requests) {
  probe::Config config;
  config.google.client_id = "gid";
  config.google.client_secret = Secret("gsecret");
  config.microsoft.client_id = "mid";
  config.microsoft.client_secret = Secret("msecret");
  config.oauth.google_token = *net::ParseHttpsUrl("https://oauth2.googleapis.com/token");
  config.oauth.microsoft_login = *net::ParseHttpsUrl("https://login.microsoftonline.com");
  auto g = oauth::GoogleTokenRequest(config, Secret("1//rt"));
  EXPECT_EQ(g.method, "POST");
  EXPECT_EQ(g.url.path + g.target, "/token");
  EXPECT_EQ(g.body.Reveal(),
            "grant_type=refresh_token&refresh_token=1%2F%2Frt&client_id=gid&client_secret=gsecret");
  auto m = oauth::MicrosoftTokenRequest(config, "contoso.onmicrosoft.com", Secret("rt"),
                                        oauth::kMicrosoftGraphScope);
  EXPECT_EQ(m.url.path + m.target, "/contoso.onmicrosoft.com/oauth2/v2.0/token");
  EXPECT_THAT(std::string(m.body.Reveal()),
              HasSubstr("&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default%20offline_access"));
}

TEST(TokenTest, HasScope) {
  std::vector<std::string> ms = {"https://graph.microsoft.com/Mail.Send", "User.Read"};
  EXPECT_TRUE(oauth::HasScope(ms, "Mail.Send"));
  EXPECT_TRUE(oauth::HasScope(ms, "User.Read"));
  EXPECT_FALSE(oauth::HasScope(ms, "SMTP.Send"));
  std::vector<std::string> g = {"https://mail.google.com/"};
  EXPECT_TRUE(oauth::HasScope(g, "https://mail.google.com/"));
  EXPECT_FALSE(oauth::HasScope(g, "https://www.googleapis.com/auth/gmail.send"));
}

// --- rule tables: every row is reached by the payload it was written for.

TEST(OAuthRulesTest, EveryMicrosoftRowIsReached) {
  for (const auto& rule : diagnosis::MicrosoftTokenRules()) {
    TokenErrorEvidence e;
    e.provider = pb::PROVIDER_MICROSOFT;
    e.http_status = 400;
    e.error = rule.error.empty() ? "invalid_grant" : std::string(rule.error);
    if (!rule.aadsts.empty()) e.error_codes = {std::string(rule.aadsts)};
    auto matched = diagnosis::MatchMicrosoftTokenRules(e);
    EXPECT_TRUE(std::find(matched.begin(), matched.end(), &rule) != matched.end()) << rule.id;
    auto findings = diagnosis::ClassifyTokenError(e, "line");
    EXPECT_TRUE(std::any_of(findings.begin(), findings.end(), [&](const auto& f) {
      return f.code == rule.code;
    })) << rule.id;
    if (!rule.variant.empty()) EXPECT_NE(diagnosis::FindVariant(rule.code, rule.variant), nullptr);
  }
}

TEST(OAuthRulesTest, MicrosoftKeysOnCodesBeforeTheErrorString) {
  TokenErrorEvidence e{pb::PROVIDER_MICROSOFT, 400, "invalid_grant", {"530035"}};
  auto f = diagnosis::ClassifyTokenError(e, "x");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].code, pb::DIAGNOSIS_CODE_ENTRA_SECURITY_DEFAULTS);
  e.error_codes = {"AADSTS50057"};
  f = diagnosis::ClassifyTokenError(e, "x");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].code, pb::DIAGNOSIS_CODE_ACCOUNT_DISABLED);
  EXPECT_EQ(f[1].code, pb::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX);
  EXPECT_LT(f[1].confidence, 1.0);
  e.error_codes = {"12345"};
  f = diagnosis::ClassifyTokenError(e, "x");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].code, pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID);
  EXPECT_LT(f[0].confidence, 1.0);
  e.error = "something_new";
  EXPECT_TRUE(diagnosis::ClassifyTokenError(e, "x").empty());
}

TEST(OAuthRulesTest, EveryGoogleRowIsReached) {
  for (const auto& rule : diagnosis::GoogleTokenRules()) {
    TokenErrorEvidence e{pb::PROVIDER_GOOGLE, 400, std::string(rule.error), {}};
    EXPECT_EQ(diagnosis::MatchGoogleTokenRule(e), &rule) << rule.id;
    auto f = diagnosis::ClassifyTokenError(e, "line");
    ASSERT_EQ(f.size(), 1u) << rule.id;
    EXPECT_EQ(f[0].code, rule.code) << rule.id;
    EXPECT_EQ(f[0].evidence, std::vector<std::string>{"line"});
    if (!rule.variant.empty()) EXPECT_NE(diagnosis::FindVariant(rule.code, rule.variant), nullptr);
  }
}

// One real payload per API error row, as the APIs send them.
struct ApiCase {
  std::string_view row;
  OAuthApi api;
  int status;
  std::string body;
  std::string www_authenticate;
};

TEST(OAuthRulesTest, EveryApiRowIsReachedByARealPayload) {
  const std::vector<ApiCase> cases = {
      {"graph-mailbox-not-enabled-for-rest", OAuthApi::kGraph, 404,
       R"({"error":{"code":"MailboxNotEnabledForRESTAPI","message":"The mailbox is either inactive, soft-deleted, or is hosted on-premise."}})",
       ""},
      {"graph-error-invalid-user", OAuthApi::kGraph, 404,
       R"({"error":{"code":"ErrorInvalidUser","message":"The requested user 'x' is invalid."}})",
       ""},
      {"graph-error-send-as-denied", OAuthApi::kGraph, 403,
       R"({"error":{"code":"ErrorSendAsDenied","message":"The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account."}})",
       ""},
      {"graph-error-access-denied", OAuthApi::kGraph, 403,
       R"({"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again."}})",
       ""},
      {"graph-request-resource-not-found", OAuthApi::kGraph, 404,
       R"({"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist."}})",
       ""},
      {"graph-authorization-request-denied", OAuthApi::kGraph, 403,
       R"({"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}})",
       ""},
      {"graph-invalid-authentication-token", OAuthApi::kGraph, 401,
       R"({"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}})",
       ""},
      {"gmail-mail-service-not-enabled", OAuthApi::kGmail, 400,
       R"({"error":{"code":400,"message":"Mail service not enabled","errors":[{"message":"Mail service not enabled","domain":"global","reason":"failedPrecondition"}],"status":"FAILED_PRECONDITION"}})",
       ""},
      {"directory-not-authorized", OAuthApi::kDirectory, 403,
       R"({"error":{"code":403,"message":"Not Authorized to access this resource/api","errors":[{"message":"Not Authorized to access this resource/api","domain":"global","reason":"forbidden"}]}})",
       ""},
      {"google-insufficient-permissions", OAuthApi::kGmail, 403,
       R"({"error":{"code":403,"message":"Request had insufficient authentication scopes.","errors":[{"message":"Insufficient Permission","domain":"global","reason":"insufficientPermissions"}],"status":"PERMISSION_DENIED"}})",
       ""},
      {"google-insufficient-scope", OAuthApi::kDirectory, 403, "",
       R"(Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/admin.directory.user.readonly")"},
      {"google-access-token-scope-insufficient", OAuthApi::kGmail, 403,
       R"({"error":{"code":403,"message":"Request had insufficient authentication scopes.","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"ACCESS_TOKEN_SCOPE_INSUFFICIENT","domain":"googleapis.com"}]}})",
       ""},
      {"directory-user-not-found", OAuthApi::kDirectory, 404,
       R"({"error":{"code":404,"message":"Resource Not Found: userKey","errors":[{"message":"Resource Not Found: userKey","domain":"global","reason":"notFound"}]}})",
       ""},
      {"google-unauthenticated", OAuthApi::kGmail, 401,
       R"({"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}})",
       ""},
      {"gmail-delegation-denied", OAuthApi::kGmailSend, 403,
       R"({"error":{"code":403,"message":"Delegation denied for jobs@example.com","errors":[{"message":"Delegation denied for jobs@example.com","domain":"global","reason":"forbidden"}],"status":"PERMISSION_DENIED"}})",
       ""},
      {"gmail-send-mail-sending-limit", OAuthApi::kGmailSend, 429,
       R"j({"error":{"code":429,"message":"User-rate limit exceeded.  Retry after 2024-01-01T12:00:00.000Z (Mail sending)","errors":[{"message":"User-rate limit exceeded.  Retry after 2024-01-01T12:00:00.000Z (Mail sending)","domain":"global","reason":"rateLimitExceeded"}],"status":"RESOURCE_EXHAUSTED"}})j",
       ""},
      {"gmail-send-invalid-to", OAuthApi::kGmailSend, 400,
       R"({"error":{"code":400,"message":"Invalid To header","errors":[{"message":"Invalid To header","domain":"global","reason":"invalidArgument"}],"status":"INVALID_ARGUMENT"}})",
       ""},
      {"graph-send-invalid-recipients", OAuthApi::kGraphSend, 400,
       R"({"error":{"code":"ErrorInvalidRecipients","message":"At least one recipient isn't valid., Recipient 'x' isn't resolved. All recipients must be resolved before a message can be submitted."}})",
       ""},
      {"graph-send-exceeded-message-limit", OAuthApi::kGraphSend, 403,
       R"({"error":{"code":"ErrorExceededMessageLimit","message":"Cannot send mail."}})", ""},
      {"google-rate-limit-exceeded", OAuthApi::kGmail, 429,
       R"({"error":{"errors":[{"domain":"usageLimits","reason":"rateLimitExceeded","message":"Rate Limit Exceeded"}],"code":429,"message":"Rate Limit Exceeded"}})",
       ""},
      {"google-user-rate-limit-exceeded", OAuthApi::kGmailSend, 403,
       R"({"error":{"errors":[{"domain":"usageLimits","reason":"userRateLimitExceeded","message":"User Rate Limit Exceeded"}],"code":403,"message":"User Rate Limit Exceeded"}})",
       ""},
      {"google-daily-limit-exceeded", OAuthApi::kDirectory, 403,
       R"({"error":{"errors":[{"domain":"usageLimits","reason":"dailyLimitExceeded","message":"Daily Limit Exceeded"}],"code":403,"message":"Daily Limit Exceeded"}})",
       ""},
      {"api-rate-limited", OAuthApi::kGraph, 429,
       R"({"error":{"code":"TooManyRequests","message":"Too many requests"}})", ""},
      {"send-server-error", OAuthApi::kGmailSend, 500,
       R"({"error":{"code":500,"message":"Backend Error","errors":[{"message":"Backend Error","domain":"global","reason":"backendError"}],"status":"INTERNAL"}})",
       ""},
      {"send-bad-gateway", OAuthApi::kGraphSend, 502, "<html><body>Bad Gateway</body></html>", ""},
      {"send-service-unavailable", OAuthApi::kGraphSend, 503,
       R"({"error":{"code":"ServiceNotAvailable","message":"Service temporarily unavailable."}})",
       ""},
      {"send-gateway-timeout", OAuthApi::kGmailSend, 504, "", ""},
      {"send-refused", OAuthApi::kGraphSend, 413,
       R"({"error":{"code":"ErrorMessageSizeExceeded","message":"The message exceeds the maximum supported size."}})",
       ""},
  };
  std::set<std::string_view> reached;
  for (const ApiCase& c : cases) {
    auto json = oauth::ParseJsonObject(c.body);
    ApiErrorEvidence e = oauth::ReadApiError(c.api, c.status, json, c.www_authenticate);
    const diagnosis::ApiErrorRule* rule = diagnosis::MatchApiErrorRule(e);
    ASSERT_NE(rule, nullptr) << c.row;
    EXPECT_EQ(rule->id, c.row);
    reached.insert(rule->id);
    auto f = diagnosis::ClassifyApiError(e, oauth::DescribeApiError(e, "GET /x"));
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].code, rule->code_out);
    if (!rule->variant.empty()) {
      EXPECT_NE(diagnosis::FindVariant(rule->code_out, rule->variant), nullptr);
    }
  }
  EXPECT_EQ(reached.size(), diagnosis::ApiErrorRules().size()) << "a row without a case";
}

TEST(OAuthRulesTest, SuccessAndUnknownErrorsMatchNothing) {
  EXPECT_EQ(diagnosis::MatchApiErrorRule({OAuthApi::kGraph, 200, "ErrorInvalidUser", "", ""}),
            nullptr);
  EXPECT_EQ(diagnosis::MatchApiErrorRule({OAuthApi::kGraph, 400, "ErrorInvalidRecipients", "",
                                          "At least one recipient is not valid."}),
            nullptr);
  // The Directory API's admin refusal does not apply to Gmail.
  EXPECT_EQ(diagnosis::MatchApiErrorRule({OAuthApi::kGmail, 403, "forbidden", "",
                                          "Not Authorized to access this resource/api"}),
            nullptr);
}

// --- account facts

TEST(AccountTest, GraphFacts) {
  oauth::AccountFacts facts;
  oauth::ReadGraphUser(*oauth::ParseJsonObject(
                           R"({"accountEnabled":false,"assignedLicenses":[],"userType":"Member"})"),
                       &facts);
  EXPECT_EQ(facts.enabled, false);
  EXPECT_EQ(facts.licenses, 0);
  oauth::ReadGraphMailboxSettings(*oauth::ParseJsonObject(R"({"userPurpose":"Shared"})"), &facts);
  EXPECT_EQ(facts.purpose, "shared");
  auto names = oauth::ReadGraphDirectoryRoles(
      *oauth::ParseJsonObject(
          R"({"value":[{"displayName":"Directory Readers","roleTemplateId":"88d8e3e3-8f55-4a1e-953a-9b9898b8876b"}]})"),
      &facts);
  EXPECT_EQ(facts.admin, false);
  EXPECT_THAT(names, ::testing::ElementsAre("Directory Readers"));
  oauth::ReadGraphDirectoryRoles(
      *oauth::ParseJsonObject(
          R"({"value":[{"displayName":"Exchange Administrator","roleTemplateId":"29232CDF-9323-42FD-ADE2-1D097AF3E4DE"}]})"),
      &facts);
  EXPECT_EQ(facts.admin, true);
}

TEST(AccountTest, WrongTypesSayNothing) {
  oauth::AccountFacts facts;
  oauth::ReadGraphUser(*oauth::ParseJsonObject(R"({"accountEnabled":"yes","assignedLicenses":{}})"),
                       &facts);
  EXPECT_EQ(facts.enabled, std::nullopt);
  EXPECT_EQ(facts.licenses, std::nullopt);
  oauth::ReadGraphDirectoryRoles(*oauth::ParseJsonObject(R"({"value":"none"})"), &facts);
  EXPECT_EQ(facts.admin, std::nullopt);
}

TEST(AccountTest, GoogleFacts) {
  oauth::AccountFacts facts;
  oauth::ReadGoogleDirectoryUser(
      *oauth::ParseJsonObject(
          R"({"isAdmin":false,"isDelegatedAdmin":false,"isMailboxSetup":false,"suspended":true,"archived":false})"),
      &facts);
  EXPECT_EQ(facts.admin, false);
  EXPECT_EQ(facts.mailbox_set_up, false);
  EXPECT_EQ(facts.enabled, false);
  EXPECT_EQ(facts.archived, false);
  oauth::ReadGmailProfile(*oauth::ParseJsonObject(R"({"emailAddress":"a@b.example"})"), &facts);
  EXPECT_EQ(facts.token_account, "a@b.example");
}

// --- validation

pb::OAuthChannel Channel() {
  pb::OAuthChannel c;
  c.set_provider(pb::PROVIDER_MICROSOFT);
  c.set_account("jobs@example.com");
  c.set_refresh_token("0.AAAA-bbbb_cccc.dddd");
  return c;
}

std::string FieldOf(const absl::Status& s) {
  std::string m(s.message());
  return m.substr(0, m.find(':'));
}

TEST(ValidateOAuthTest, AcceptsAGoodChannel) {
  auto t = rpc::ValidateOAuthChannel(Channel(), "channel.oauth");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->tenant, "organizations");
  EXPECT_EQ(t->refresh_token.Reveal(), "0.AAAA-bbbb_cccc.dddd");
  auto c = Channel();
  c.set_tenant_id("3f2504e0-4f89-11d3-9a0c-0305e82c3301");
  EXPECT_TRUE(rpc::ValidateOAuthChannel(c, "channel.oauth").ok());
}

TEST(ValidateOAuthTest, NamesTheBadField) {
  struct Case {
    std::function<void(pb::OAuthChannel*)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](auto* c) { c->set_provider(pb::PROVIDER_UNSPECIFIED); }, "channel.oauth.provider"},
      {[](auto* c) { c->set_provider(pb::PROVIDER_OTHER); }, "channel.oauth.provider"},
      {[](auto* c) { c->set_account("a@example.com, b@example.com"); }, "channel.oauth.account"},
      {[](auto* c) { c->set_account("Jobs <jobs@example.com>"); }, "channel.oauth.account"},
      {[](auto* c) { c->set_account(""); }, "channel.oauth.account"},
      {[](auto* c) { c->set_refresh_token("abc def"); }, "channel.oauth.refresh_token"},
      {[](auto* c) { c->set_refresh_token("abc\r\nX: y"); }, "channel.oauth.refresh_token"},
      {[](auto* c) { c->set_refresh_token(std::string(8193, 'a')); },
       "channel.oauth.refresh_token"},
      {[](auto* c) { c->set_access_token("also"); }, "channel.oauth.access_token"},
      {[](auto* c) { c->clear_refresh_token(); }, "channel.oauth.refresh_token"},
      {[](auto* c) {
         c->clear_refresh_token();
         c->set_access_token("tab\there");
       },
       "channel.oauth.access_token"},
      {[](auto* c) { c->set_tenant_id(std::string(129, 'a')); }, "channel.oauth.tenant_id"},
      {[](auto* c) { c->set_tenant_id("../common"); }, "channel.oauth.tenant_id"},
      {[](auto* c) {
         c->set_provider(pb::PROVIDER_GOOGLE);
         c->set_tenant_id("contoso.com");
       },
       "channel.oauth.tenant_id"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    auto c = Channel();
    cases[i].mutate(&c);
    auto t = rpc::ValidateOAuthChannel(c, "channel.oauth");
    ASSERT_FALSE(t.ok()) << i;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument) << i;
    EXPECT_EQ(FieldOf(t.status()), cases[i].field) << i << ": " << t.status();
    EXPECT_THAT(std::string(t.status().message()), Not(HasSubstr("AAAA"))) << i;
  }
  // The limits are inclusive.
  auto c = Channel();
  c.set_refresh_token(std::string(8192, 'a'));
  c.set_tenant_id(std::string(128, 'a'));
  EXPECT_TRUE(rpc::ValidateOAuthChannel(c, "channel.oauth").ok());
}

// --- config

TEST(OAuthConfigTest, SecretFilesAreRequiredAndReadable) {
  probe::ConfigOptions o;
  o.google_client_id = "gid";
  auto config = probe::BuildConfig(o);
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("google_client_secret_file"));
  o.google_client_secret_file = "/nonexistent/secret";
  config = probe::BuildConfig(o);
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()),
              HasSubstr("--google_client_secret_file=/nonexistent/secret: cannot read"));

  const std::string path = ::testing::TempDir() + "/oauth_secret";
  FILE* f = fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  fputs("s3cret-value\n", f);
  fclose(f);
  o.google_client_secret_file = path;
  o.gmail_api_base = "https://127.0.0.1:8443/";
  o.google_smtp_host = "127.0.0.1:2525";
  o.microsoft_smtp_host = "";
  config = probe::BuildConfig(o);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ((*config)->google.client_secret.Reveal(), "s3cret-value");
  EXPECT_EQ((*config)->oauth.gmail_api.port, 8443);
  EXPECT_EQ((*config)->oauth.google_smtp_port, 2525);
  EXPECT_EQ((*config)->oauth.microsoft_smtp_host, "");

  o.microsoft_graph_base = "http://graph.microsoft.com";
  config = probe::BuildConfig(o);
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(std::string(config.status().message()), HasSubstr("--microsoft_graph_base"));
}

}  // namespace
}  // namespace cv
