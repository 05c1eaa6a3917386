#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "diagnosis/finding.h"
#include "smtp/reply.h"

// Evidence in, findings out. The mapping lives in the tables of rules.cc: one row per signal,
// each with a test.
namespace cv::diagnosis {

// Where in the SMTP dialog a reply came.
enum class Stage {
  kGreeting,
  kEhlo,
  kStartTls,
  kAuth,     // any reply to AUTH PLAIN / LOGIN (including the final one)
  kXoauth2,  // any reply to AUTH XOAUTH2
  kMailFrom,
  kRcptTo,
  kData,     // reply to DATA
  kDataEnd,  // reply after the final "."
  kQuit,
};

// "AUTH", "MAIL FROM", ...: how evidence names the stage ("AUTH: 535 5.7.8 ...").
std::string_view StageName(Stage stage);
// The probe a reply at this stage belongs to ("smtp.greeting", "smtp.auth", ...).
std::string_view StageProbe(Stage stage);

struct SmtpEvidence {
  Stage stage = Stage::kGreeting;
  smtp::Reply reply;                                            // the exact reply, already redacted
  Provider provider = channelverify::v1::PROVIDER_UNSPECIFIED;  // detected for the SMTP host
  bool google_smtp_host = false;  // smtp.gmail.com / smtp-relay.gmail.com (or greeting says so)
  bool username_given = true;     // the channel has a username (for AUTH_REQUIRED vs shared)
};

// Findings for one reply; empty when the reply is not a failure the table knows. A failure
// the table does not know at AUTH still yields INVALID_CREDENTIALS-class findings only when a
// rule says so: unknown replies are left to the caller (reported as the probe's failure).
std::vector<Finding> ClassifySmtpReply(const SmtpEvidence& evidence);

// Observations that are not server replies.
enum class Observation {
  kDnsNameNotFound,  // NXDOMAIN / no A or AAAA
  kDnsLookupFailed,  // SERVFAIL, timeout, refused
  kTargetForbidden,  // egress policy refused every address or the port
  kConnectRefused,   // RST on connect
  kConnectTimeout,   // no answer to SYN
  kGreetingTimeout,  // connected, but no greeting
  kTlsModeMismatch,  // TLS spoken to a plain port or the reverse ("wrong version number")
  kStartTlsNotOffered,
  kTlsHandshakeFailed,
  kTlsCertificateInvalid,
  kTlsVersionUnsupported,  // no shared protocol version
  kPlaintext,              // TLS_MODE_NONE: credentials would cross the network in clear
  kAuthNotOffered,
  kAuthMechanismUnsupported,
  kProtocolError,       // overlong / endless / malformed replies, connection dropped
  kDeadlineTooShort,    // the caller's deadline ended probes early
  kWrongPortOrTlsMode,  // configured setting fails, a usual alternative works
  kProviderMismatch,    // sender domain hosted by Google/Microsoft, SMTP host is not
  kDirectIntegrationRecommended,
  kSharedMailboxLikely,  // no username / password given
  // The direct integration's account checks (facts the APIs report, not errors).
  kMailboxPurposeShared,      // Graph mailboxSettings.userPurpose == "shared"
  kAccountNotEnabled,         // Graph user.accountEnabled == false
  kNoLicense,                 // Graph user.assignedLicenses == []
  kNotAdmin,                  // no Global / Exchange Administrator role; Google isAdmin false
  kMailboxNotSetUp,           // Google Directory isMailboxSetup == false
  kAccountSuspended,          // Google Directory suspended == true
  kAccountArchived,           // Google Directory archived == true
  kScopeMissing,              // the granted scopes lack one the integration needs
  kOAuthClientNotConfigured,  // the service has no client id / secret for the provider
  kTokenForOtherAccount,      // the token's account is not the channel's address
  // The service withheld AUTH on purpose: its AUTH budget store could not be reached.
  kAuthWithheldStateStore,
  // AUTH withheld because the connection is not encrypted: the server offers STARTTLS (the
  // channel should use it), or offers nothing and is outside --allow_plaintext_auth_cidrs.
  kPlaintextAuthStartTlsOffered,
  kPlaintextAuthNotAllowed,
  kTokenEndpointError,          // an error answer of a token endpoint no row knows
  kTlsCertificateExpiring,      // verified, but expires within --cert_expiry_warning_days
  kAppPasswordLikely,           // AUTH refused by a provider with an app-password setting
  kSmtpOAuthUnavailable,        // the direct integration's XOAUTH2 check failed (information)
  kGooglePasswordSmtp,          // password AUTH to Google's SMTP hosts was refused
  kGooglePasswordSmtpWorks,     // ... and worked: the switch is required all the same
  kMicrosoftPasswordSmtpWorks,  // password AUTH to Microsoft 365 worked (basic auth ending)
  // What the engines conclude across probes or from the capabilities a server advertised.
  kRefusedOnEveryPort,         // every usual port refused at once, though the name resolves
  kClosedBeforeGreeting,       // connected, then closed by the server before its greeting
  kSmtpUtf8NotOffered,         // an address needs SMTPUTF8 and EHLO did not offer it
  kMessageOverSizeLimit,       // the message is larger than the server's SIZE
  kDroppedAfterHandOver,       // the whole message went out, no final answer came back
  kAccessTokenRefused,         // XOAUTH2 error challenge with status 400 or 401
  kAccessTokenRefusedUnclear,  // XOAUTH2 error challenge with another status or none
  kDisabledWithoutLicense,     // Graph: disabled for sign-in and no licence (a shared mailbox)
  // Not an observation: the last value, so tests can walk them all. Keep it last.
  kMaxValue = kDisabledWithoutLicense,
};

Finding ClassifyObservation(Observation observation, std::vector<std::string> evidence);

// The findings of the direct integration's XOAUTH2 check as one information finding
// (SMTP_OAUTH_UNAVAILABLE): every cause's evidence, and the cause named; none for no causes.
std::vector<Finding> SmtpOAuthInformation(const std::vector<Finding>& causes);

// A channel that signs in and whose sender the server takes can send: every error among
// `findings` becomes a warning (a finding without a severity of its own has its catalog's).
void CapAtWarning(std::vector<Finding>& findings);

// --- The direct integration (OAuth): token endpoints and account APIs.

// An error answer of a token endpoint: the JSON's `error`, and Microsoft's `error_codes`
// (AADSTS numbers, as written: "700082").
struct TokenErrorEvidence {
  Provider provider = channelverify::v1::PROVIDER_UNSPECIFIED;
  int http_status = 0;
  std::string error;
  std::vector<std::string> error_codes;
};
// Findings for a token error, each with `evidence` as its evidence line. Microsoft is keyed on
// error_codes first and on `error` only when no code row matched; never on the description.
std::vector<Finding> ClassifyTokenError(const TokenErrorEvidence& evidence, std::string line);

// Which API answered. The send calls of SendTest have values of their own, so rows can say
// what a refusal means for a message (an invalid recipient) without touching the account checks,
// which send a message-less request on purpose; a row for kGraph or kGmail applies to that
// API's send call too. kAnySend (rows only): either send call.
enum class OAuthApi { kAny, kGraph, kGmail, kDirectory, kGraphSend, kGmailSend, kAnySend };
// "Microsoft Graph", "Gmail API", "Microsoft Graph sendMail", "Gmail API users.messages.send".
std::string_view OAuthApiName(OAuthApi api);
// True when a row written for `row_api` applies to an answer of `api`.
bool ApiRowApplies(OAuthApi row_api, OAuthApi api);

// An error answer of an account API. Graph: {"error":{"code":"ErrorInvalidUser",...}} gives
// `code`; Google: {"error":{"code":403,"errors":[{"reason":"forbidden"}],"status":...}} gives
// `code` = the first reason, `status`; WWW-Authenticate's error="insufficient_scope" is read
// as the code "insufficient_scope" when the body has none.
struct ApiErrorEvidence {
  OAuthApi api = OAuthApi::kAny;
  int http_status = 0;
  std::string code;
  std::string status;
  std::string message;
};
// The first matching row's finding, or none.
std::vector<Finding> ClassifyApiError(const ApiErrorEvidence& evidence, std::string line);

}  // namespace cv::diagnosis
