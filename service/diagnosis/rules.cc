#include "diagnosis/rules.h"

#include <iterator>

#include "diagnosis/probe_names.h"

namespace cv::diagnosis {
namespace {

namespace pb = channelverify::v1;

constexpr RuleKind kFirst = RuleKind::kFirst;
constexpr RuleKind kAddOn = RuleKind::kAddOn;
constexpr StageSet kAuthOnly = StageBit(Stage::kAuth);
constexpr StageSet kXoauth2Only = StageBit(Stage::kXoauth2);
constexpr StageSet kGreetingOnly = StageBit(Stage::kGreeting);
constexpr Provider kAnyProvider = pb::PROVIDER_UNSPECIFIED;
constexpr RuleCondition kAlways = RuleCondition::kNone;
constexpr DiagnosisCode kNoCode = pb::DIAGNOSIS_CODE_UNSPECIFIED;
constexpr Severity kDefault = pb::SEVERITY_UNSPECIFIED;

// Sources: docs/diagnosis-sources.md ("SMTP replies"): vendor documentation, RFCs and real
// server replies. Order matters only among kFirst rows: specific texts before
// the enhanced-code-only rows, and those before the fallbacks at the end. Example: Microsoft's
// "5.7.64 TenantAttribution; Relay Access Denied" is an IP allowlist problem and must win over
// the generic "Relay access denied" row.
constexpr SmtpRule kSmtpRules[] = {
    // id, kind, stages, code, enhanced, pattern, provider, condition, requires_code,
    // code, variant, severity, confidence

    // --- Microsoft 365 / Exchange Online. 535 5.7.139 covers several causes; the text says
    // which. The same texts answer XOAUTH2, since SMTP AUTH must be on for OAuth too.
    {"ms-5.7.139-tenant-smtp-auth-disabled", kFirst, kAuthStages, 535, "5.7.139",
     "SmtpClientAuthentication is disabled for the Tenant", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED, "tenant", kDefault, 1.0},
    {"ms-5.7.139-mailbox-smtp-auth-disabled", kFirst, kAuthStages, 535, "5.7.139",
     "SmtpClientAuthentication is disabled for the Mailbox", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED, "mailbox", kDefault, 1.0},
    {"ms-5.7.139-security-defaults", kFirst, kAuthStages, 535, "5.7.139",
     "security defaults policy", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_ENTRA_SECURITY_DEFAULTS, "", kDefault, 1.0},
    // Retiring is a warning while password AUTH still works; here it no longer does.
    {"ms-5.7.139-basic-auth-disabled", kFirst, kAuthStages, 535, "5.7.139",
     "basic authentication is disabled", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING, "basic-auth-disabled", pb::SEVERITY_ERROR, 1.0},
    {"ms-5.7.30-basic-auth-not-supported", kFirst, kAnyStage, 550, "5.7.30",
     "Basic authentication is not supported", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING, "basic-auth-disabled", pb::SEVERITY_ERROR, 1.0},
    {"ms-5.7.139-criteria-not-met", kFirst, kAuthStages, 535, "5.7.139",
     "did not meet the criteria", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_MFA_OR_CONDITIONAL_ACCESS, "", kDefault, 1.0},
    {"ms-5.7.139-credentials-incorrect", kFirst, kAuthStages, 535, "5.7.139",
     "user credentials were incorrect", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "", kDefault, 1.0},
    {"ms-5.7.139-account-locked", kFirst, kAuthStages, 535, "5.7.139", "account locked",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_ACCOUNT_LOCKED, "", kDefault, 1.0},
    // 535 5.7.3 names no cause at all: a bad token, SMTP AUTH off, a shared mailbox, MFA.
    {"ms-5.7.3-xoauth2-unsuccessful", kFirst, kXoauth2Only, 535, "5.7.3",
     "Authentication unsuccessful", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "ms-xoauth2", kDefault, 0.6},
    {"ms-5.7.3-unsuccessful", kFirst, kAuthOnly, 535, "5.7.3", "Authentication unsuccessful",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "ms-ambiguous",
     kDefault, 0.5},
    // Both wordings ("Client not authenticated to send mail", "... anonymous mail during MAIL
    // FROM") carry 5.7.57, which Exchange uses for nothing else.
    {"ms-5.7.57-not-authenticated", kFirst, kAnyStage, 530, "5.7.57", "", kAnyProvider, kAlways,
     kNoCode, pb::DIAGNOSIS_CODE_AUTH_REQUIRED, "", kDefault, 1.0},
    {"ms-5.7.60-send-as", kFirst, kAnyStage, 550, "5.7.60", "", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_SEND_AS_DENIED, "", kDefault, 1.0},
    {"ms-5.2.0-send-as-denied", kFirst, kAnyStage, 554, "5.2.0", "SendAsDenied", kAnyProvider,
     kAlways, kNoCode, pb::DIAGNOSIS_CODE_SEND_AS_DENIED, "", kDefault, 1.0},
    {"ms-5.2.252-send-as-denied", kFirst, kAnyStage, 554, "5.2.252", "SendAsDenied", kAnyProvider,
     kAlways, kNoCode, pb::DIAGNOSIS_CODE_SEND_AS_DENIED, "", kDefault, 1.0},
    {"ms-5.2.0-submission-quota", kFirst, kAnyStage, 554, "5.2.0", "SubmissionQuotaExceeded",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "sending-limit",
     kDefault, 1.0},
    // 432 is Exchange's own code for "too many concurrent submissions".
    {"ms-4.3.2-thread-limit", kFirst, kAnyStage, 432, "4.3.2", "", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "", kDefault, 1.0},
    {"ms-5.7.606-banned-ip", kFirst, kAnyStage, 550, "5.7.606", "", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "", kDefault, 1.0},
    {"ms-5.7.708-ip-not-accepted", kFirst, kAnyStage, 550, "5.7.708", "", kAnyProvider, kAlways,
     kNoCode, pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "", kDefault, 1.0},
    {"ms-5.7.64-tenant-attribution", kFirst, kAnyStage, 0, "5.7.64", "TenantAttribution",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "", kDefault, 1.0},
    {"ms-4.7.66-old-tls", kFirst, kAnyStage, 421, "4.7.66", "", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_TLS_VERSION_UNSUPPORTED, "", kDefault, 1.0},

    // --- Google (smtp.gmail.com, smtp-relay.gmail.com).
    {"google-5.7.9-app-password-required", kFirst, kAuthStages, 534, "5.7.9",
     "Application-specific password required", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED, "", kDefault, 1.0},
    {"google-5.7.9-web-login-required", kFirst, kAuthStages, 534, "5.7.9", "WebLoginRequired",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED, "", kDefault, 1.0},
    {"google-5.7.14-web-browser", kFirst, kAuthStages, 534, "5.7.14", "web browser", kAnyProvider,
     kAlways, kNoCode, pb::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED, "", kDefault, 1.0},
    {"google-5.7.8-bad-credentials", kFirst, kAuthStages, 535, "5.7.8",
     "Username and Password not accepted", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "google", kDefault, 1.0},
    // The SMTP relay service authenticates by the sending IP, so its refusals mean the
    // platform's IPs are not registered with it, not a relay misconfiguration in general.
    {"google-relay-invalid-credentials", kFirst, kAnyStage, 550, "5.7.1",
     "Invalid credentials for relay", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "", kDefault, 1.0},
    {"google-relay-mail-relay-denied", kFirst, kAnyStage, 0, "5.7.0", "Mail relay denied",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "", kDefault, 1.0},
    {"google-relay-ip-not-in-whitelist", kFirst, kAnyStage, 421, "4.7.0", "IP not in whitelist",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "", kDefault, 1.0},

    // --- The send stages (MAIL FROM, RCPT TO, end of DATA). Each row names its source.

    // Microsoft's restricted senders: an account that sent spam is blocked from sending until
    // an administrator releases it. learn.microsoft.com/exchange/mail-flow-best-practices/
    // non-delivery-reports-in-exchange-online/fix-error-code-5-1-8-in-exchange-online
    {"ms-5.1.8-bad-outbound-sender", kFirst, kAnyStage, 0, "5.1.8", "bad outbound sender",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_SENDER_RESTRICTED, "", kDefault, 1.0},
    // Sending limits, which last hours, not seconds. Gmail: "550-5.4.5 Daily user sending
    // limit exceeded" (support.google.com/a/answer/3726730, SMTP error reference); Exchange
    // Online: "554 5.2.2 ... submission quota exceeded" (learn.microsoft.com/exchange/
    // mail-flow-best-practices/non-delivery-reports-in-exchange-online/
    // fix-error-code-5-2-2-in-exchange-online; 5.2.2 alone is also "recipient mailbox full").
    {"google-5.4.5-sending-limit", kFirst, kAnyStage, 0, "5.4.5", "sending limit exceeded",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "sending-limit",
     kDefault, 1.0},
    {"ms-5.2.2-submission-quota", kFirst, kAnyStage, 0, "5.2.2", "SubmissionQuota|submission quota",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "sending-limit",
     kDefault, 1.0},
    // Exchange's message rate limit ("421 4.4.2 Message submission rate for this client has
    // exceeded the configured limit", learn.microsoft.com/exchange/mail-flow/
    // message-rate-limits) and Postfix's smtpd_client_message_rate_limit ("450 4.7.1 Error: too
    // much mail from <ip>", www.postfix.org/postconf.5.html#smtpd_client_message_rate_limit).
    {"submission-rate-limit", kFirst, kAnyStage, 4, "",
     "message submission rate|too much mail from", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "sending-limit", kDefault, 1.0},
    // DNS block lists: the platform's sending IP is listed, which no allowlist on the customer's
    // side fixes. Postfix reject_rbl_client: "Client host [ip] blocked using zen.spamhaus.org"
    // (www.postfix.org/postconf.5.html#default_rbl_reply); Exim dnslists: "... is in a black
    // list at ..." (www.exim.org/exim-html-current/doc/html/spec_html/ch-access_control_lists
    // .html); Spamhaus and Barracuda name themselves in their replies (www.spamhaus.org/
    // resource-hub/email-security/, barracudacentral.org/rbl).
    {"dnsbl-listed", kFirst, kAnyStage, 0, "",
     "blocked using|black list at|blacklisted at|listed at|spamhaus.org|"
     "barracudacentral.org|Barracuda Reputation|spamcop.net",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "blocklist", kDefault,
     1.0},
    // "STARTTLS is required" in every wording: Exchange Online's "451 5.7.3 STARTTLS is
    // required to send mail" (learn.microsoft.com/exchange/troubleshoot/send-emails/
    // smtp-submission-improvements), Postfix's and Gmail's "530 5.7.0 Must issue a STARTTLS
    // command first" (RFC 3207, section 4).
    {"starttls-required", kFirst, kAnyStage, 0, "",
     "STARTTLS is required|Must issue a STARTTLS command first|STARTTLS required|"
     "Encryption required",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_TLS_MODE_MISMATCH, "", kDefault, 1.0},
    // A sender refused because the session is not logged in: Postfix
    // reject_unauthenticated_sender_login_mismatch ("553 5.7.1 <a>: Sender address rejected:
    // not logged in",
    // www.postfix.org/postconf.5.html#reject_unauthenticated_sender_login_mismatch).
    {"postfix-sender-not-logged-in", kFirst, kSendStages, 0, "",
     "Sender address rejected: not logged in", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_AUTH_REQUIRED, "", kDefault, 1.0},
    // Sender ownership: the login may not use this sender address.
    // Postfix reject_sender_login_mismatch ("553 5.7.1 <a>: Sender address rejected: not owned
    // by user u", www.postfix.org/postconf.5.html#reject_sender_login_mismatch) and Yandex
    // ("553 5.7.1 Sender address rejected: not owned by auth user.", yandex.com/support/mail/
    // mail-clients/others.html).
    {"sender-not-owned-by-user", kFirst, kSendStages, 0, "", "Sender address rejected: not owned",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_SEND_AS_DENIED, "", kDefault, 1.0},
    // German mailbox providers (GMX, WEB.DE, IONOS, Strato), from user reports of their replies:
    // "550 5.7.0 Sender address does not belong to logged in user", "550 Sender address is
    // not allowed.".
    {"sender-not-of-logged-in-user", kFirst, kSendStages, 5, "",
     "does not belong to logged in user|Sender address is not allowed|"
     "sender address not allowed for this user",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_SEND_AS_DENIED, "", kDefault, 1.0},
    // Zoho Mail: "553 Relaying disallowed as <from>" when the From is not an address of the
    // account (www.zoho.com/mail/help/smtp-error-codes.html).
    {"zoho-relaying-disallowed", kFirst, kSendStages, 553, "", "Relaying disallowed as",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_SEND_AS_DENIED, "", kDefault, 1.0},
    // Transactional relays that only send from verified senders. Amazon SES: "554 Message
    // rejected: Email address is not verified." (docs.aws.amazon.com/ses/latest/dg/
    // troubleshoot-error-messages.html); SendGrid: "550 The from address does not match a
    // verified Sender Identity." (www.twilio.com/docs/sendgrid/for-developers/sending-email/
    // sender-identity); Mailgun: "Domain ... is not allowed to send: The domain is unverified"
    // (help.mailgun.com, domain verification).
    {"relay-service-unverified-sender", kFirst, kSendStages, 5, "",
     "Email address is not verified|does not match a verified Sender Identity|"
     "is not allowed to send: The domain is unverified",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_SEND_AS_DENIED, "", kDefault, 1.0},
    // A relay refusal to a channel that never signed in: it must sign in (and a channel without
    // a username is often a shared mailbox, the add-on row below).
    {"relay-denied-no-username", kFirst, kSendStages, 5, "",
     "Relay access denied|relay not permitted|Relaying denied|not permitted to relay|"
     "Unable to relay",
     kAnyProvider, RuleCondition::kNoUsername, kNoCode, pb::DIAGNOSIS_CODE_AUTH_REQUIRED, "",
     kDefault, 0.9},

    // --- Any server.
    {"authentication-required", kFirst, kAnyStage, 530, "", "Authentication required", kAnyProvider,
     kAlways, kNoCode, pb::DIAGNOSIS_CODE_AUTH_REQUIRED, "", kDefault, 1.0},
    {"4.7.0-try-again-later", kFirst, kAnyStage, 421, "4.7.0", "Try again later", kAnyProvider,
     kAlways, kNoCode, pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "", kDefault, 1.0},
    {"4.2.1-limit-exceeded", kFirst, kAnyStage, 450, "4.2.1", "limit exceeded", kAnyProvider,
     kAlways, kNoCode, pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "", kDefault, 1.0},
    // Postfix's access restrictions: "Client host rejected" names the client's IP.
    {"client-host-rejected", kFirst, kAnyStage, 554, "5.7.1", "Client host rejected", kAnyProvider,
     kAlways, kNoCode, pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "", kDefault, 1.0},
    // A server that greets with 554 refuses the connecting IP before any command; likely an
    // allowlist, but the text is the operator's own, so not proven.
    {"greeting-554", kFirst, kGreetingOnly, 554, "", "", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, "", kDefault, 0.8},
    {"relay-access-denied", kFirst, kAnyStage, 0, "", "Relay access denied", kAnyProvider, kAlways,
     kNoCode, pb::DIAGNOSIS_CODE_RELAY_DENIED, "", kDefault, 1.0},
    {"relay-not-permitted", kFirst, kAnyStage, 0, "", "relay not permitted", kAnyProvider, kAlways,
     kNoCode, pb::DIAGNOSIS_CODE_RELAY_DENIED, "", kDefault, 1.0},
    {"relaying-denied", kFirst, kAnyStage, 0, "", "Relaying denied", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_RELAY_DENIED, "", kDefault, 1.0},
    // Exim as cPanel configures it: "550-Please turn on SMTP Authentication in your mail client
    // ... 550 ... is not permitted to relay through this server without authentication."
    // (docs.cpanel.net, "How to Fix SMTP Error 550: Not permitted to relay").
    {"exim-not-permitted-to-relay", kFirst, kAnyStage, 0, "", "not permitted to relay",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_RELAY_DENIED, "", kDefault, 1.0},
    // Exchange Online: "550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain"
    // (learn.microsoft.com/exchange/mail-flow-best-practices/non-delivery-reports-in-exchange-
    // online/fix-error-code-5-7-5-through-5-7-999-in-exchange-online).
    {"ms-5.7.54-unable-to-relay", kFirst, kAnyStage, 0, "5.7.54", "", kAnyProvider, kAlways,
     kNoCode, pb::DIAGNOSIS_CODE_RELAY_DENIED, "", kDefault, 1.0},
    {"5.7.8-credentials-invalid", kFirst, kAuthStages, 535, "5.7.8",
     "Authentication credentials invalid", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "", kDefault, 1.0},
    {"exim-incorrect-authentication-data", kFirst, kAuthStages, 535, "",
     "Incorrect authentication data", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "", kDefault, 1.0},
    {"postfix-authentication-failed", kFirst, kAuthStages, 535, "5.7.8", "authentication failed",
     kAnyProvider, kAlways, kNoCode, pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "", kDefault, 1.0},
    {"5.7.9-mechanism-too-weak", kFirst, kAuthStages, 534, "5.7.9", "too weak", kAnyProvider,
     kAlways, kNoCode, pb::DIAGNOSIS_CODE_AUTH_MECHANISM_UNSUPPORTED, "", kDefault, 1.0},
    // Only at AUTH: "454 4.7.0 TLS not available" answers STARTTLS and means something else.
    {"454-4.7.0-temporary-auth-failure", kFirst, kAuthStages, 454, "4.7.0", "", kAnyProvider,
     kAlways, kNoCode, pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "", kDefault, 1.0},

    // --- Fallbacks: a 535 we have no text for still means the login was refused; how sure
    // that is depends on how many causes the provider folds into it.
    {"ms-535-fallback", kFirst, kAuthOnly, 535, "", "", pb::PROVIDER_MICROSOFT, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "ms-ambiguous", kDefault, 0.5},
    {"google-535-fallback", kFirst, kAuthOnly, 535, "", "", pb::PROVIDER_GOOGLE, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "google", kDefault, 0.7},
    {"535-fallback", kFirst, kAuthStages, 535, "", "", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "", kDefault, 0.7},
    // Any other refusal of AUTH still answers the credentials, said with less certainty.
    {"auth-5xx-fallback", kFirst, kAuthStages, 5, "", "", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS, "", kDefault, 0.5},
    // A temporary refusal no row above explains: "try again later" (RFC 5321, section 4.2.1),
    // which is not a rate limit unless the server says so.
    {"4xx-fallback", kFirst, kAuthStages | kSendStages, 4, "", "", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_TEMPORARY_FAILURE, "", kDefault, 1.0},
    // A permanent refusal of the sender no row explains (VerifyChannel's check and SendTest).
    {"mail-from-5xx-fallback", kFirst, StageBit(Stage::kMailFrom), 5, "", "", kAnyProvider, kAlways,
     kNoCode, pb::DIAGNOSIS_CODE_MESSAGE_REJECTED, "sender-refused", kDefault, 1.0},
    // A permanent refusal of the recipient or the message: named as such, with its words.
    {"send-5xx-fallback", kFirst, kSendStages, 5, "", "", kAnyProvider, kAlways, kNoCode,
     pb::DIAGNOSIS_CODE_MESSAGE_REJECTED, "", kDefault, 1.0},

    // --- Second findings.
    // Google refuses passwords for new SMTP connections, and its refusal looks like any other
    // (535-5.7.8 BadCredentials even for a correct password): every failed password AUTH on
    // its hosts points at the direct integration. Not for XOAUTH2, which Google still takes.
    {"google-smtp-host-auth-failure", kAddOn, kAuthOnly, 0, "", "", kAnyProvider,
     RuleCondition::kGoogleSmtpHost, kNoCode, pb::DIAGNOSIS_CODE_GOOGLE_SMTP_UNSUPPORTED, "",
     kDefault, 1.0},
    // A channel without a username that the server asks to sign in is most often a shared
    // mailbox, which has no login of its own; SMTP cannot prove it.
    {"auth-required-no-username", kAddOn, kAnyStage, 0, "", "", kAnyProvider,
     RuleCondition::kNoUsername, pb::DIAGNOSIS_CODE_AUTH_REQUIRED,
     pb::DIAGNOSIS_CODE_SHARED_MAILBOX, "", kDefault, 0.6},
};

// Columns: observation, code, severity, confidence, probe.
constexpr ObservationRule kObservationRules[] = {
    {Observation::kDnsNameNotFound, pb::DIAGNOSIS_CODE_DNS_NAME_NOT_FOUND, kDefault, 1.0,
     probes::kDnsHost},
    {Observation::kDnsLookupFailed, pb::DIAGNOSIS_CODE_DNS_LOOKUP_FAILED, kDefault, 1.0,
     probes::kDnsHost},
    {Observation::kTargetForbidden, pb::DIAGNOSIS_CODE_TARGET_FORBIDDEN, kDefault, 1.0,
     probes::kDnsHost},
    {Observation::kConnectRefused, pb::DIAGNOSIS_CODE_CONNECTION_REFUSED, kDefault, 1.0,
     probes::step::kTcp},
    // The article's "timeout during setup" case.
    {Observation::kConnectTimeout, pb::DIAGNOSIS_CODE_SERVER_UNREACHABLE, kDefault, 1.0,
     probes::step::kTcp},
    // Connected but silent: usually unreachable behind a proxy, yet an implicit-TLS port waiting
    // for a ClientHello looks the same (the verifier reports that as TLS_MODE_MISMATCH).
    {Observation::kGreetingTimeout, pb::DIAGNOSIS_CODE_SERVER_UNREACHABLE, kDefault, 0.8,
     probes::kSmtpGreeting},
    {Observation::kTlsModeMismatch, pb::DIAGNOSIS_CODE_TLS_MODE_MISMATCH, kDefault, 1.0,
     probes::step::kTls},
    {Observation::kStartTlsNotOffered, pb::DIAGNOSIS_CODE_STARTTLS_NOT_OFFERED, kDefault, 1.0,
     probes::kSmtpEhlo},
    {Observation::kTlsHandshakeFailed, pb::DIAGNOSIS_CODE_TLS_HANDSHAKE_FAILED, kDefault, 1.0,
     probes::step::kTls},
    {Observation::kTlsCertificateInvalid, pb::DIAGNOSIS_CODE_TLS_CERTIFICATE_INVALID, kDefault, 1.0,
     probes::step::kTls},
    {Observation::kTlsVersionUnsupported, pb::DIAGNOSIS_CODE_TLS_VERSION_UNSUPPORTED, kDefault, 1.0,
     probes::step::kTls},
    {Observation::kPlaintext, pb::DIAGNOSIS_CODE_PLAINTEXT_CONNECTION, kDefault, 1.0,
     probes::step::kTcp},
    {Observation::kAuthNotOffered, pb::DIAGNOSIS_CODE_AUTH_NOT_OFFERED, kDefault, 1.0,
     probes::kSmtpEhlo},
    {Observation::kAuthMechanismUnsupported, pb::DIAGNOSIS_CODE_AUTH_MECHANISM_UNSUPPORTED,
     kDefault, 1.0, probes::kSmtpEhlo},
    {Observation::kProtocolError, pb::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR, kDefault, 1.0, ""},
    {Observation::kDeadlineTooShort, pb::DIAGNOSIS_CODE_DEADLINE_TOO_SHORT, kDefault, 1.0, ""},
    {Observation::kWrongPortOrTlsMode, pb::DIAGNOSIS_CODE_WRONG_PORT_OR_TLS_MODE, kDefault, 1.0,
     probes::kAltSmtp},
    {Observation::kProviderMismatch, pb::DIAGNOSIS_CODE_PROVIDER_MISMATCH, kDefault, 1.0,
     probes::kDnsMx},
    {Observation::kDirectIntegrationRecommended, pb::DIAGNOSIS_CODE_DIRECT_INTEGRATION_RECOMMENDED,
     kDefault, 1.0, ""},
    // No username: the article's shared-mailbox case is the usual reason, but only likely, and
    // a server that relays by IP needs none: a warning. Only a server that demands AUTH at MAIL
    // FROM (530 5.7.57) makes it an error, through the SMTP rows.
    {Observation::kSharedMailboxLikely, pb::DIAGNOSIS_CODE_SHARED_MAILBOX, pb::SEVERITY_WARNING,
     0.6, ""},
    // The integration-account case of the article: own mailbox and login, admin, licence.
    {Observation::kMailboxPurposeShared, pb::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX, kDefault,
     1.0, probes::kGraphMailboxSettings},
    {Observation::kAccountNotEnabled, pb::DIAGNOSIS_CODE_ACCOUNT_DISABLED, kDefault, 1.0,
     probes::kGraphUser},
    // A user without licences has no Exchange mailbox of its own; only a shared mailbox works
    // without one, and that is refused separately.
    {Observation::kNoLicense, pb::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED, kDefault, 0.9,
     probes::kGraphUser},
    {Observation::kNotAdmin, pb::DIAGNOSIS_CODE_INTEGRATION_NOT_ADMIN, kDefault, 1.0, ""},
    {Observation::kMailboxNotSetUp, pb::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED, kDefault, 1.0,
     probes::kGoogleDirectory},
    {Observation::kAccountSuspended, pb::DIAGNOSIS_CODE_ACCOUNT_DISABLED, kDefault, 1.0,
     probes::kGoogleDirectory},
    // Archived users keep their data under an archive licence but have no working mailbox.
    {Observation::kAccountArchived, pb::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED, kDefault, 0.9,
     probes::kGoogleDirectory},
    {Observation::kScopeMissing, pb::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING, kDefault, 1.0,
     probes::kOAuthToken},
    {Observation::kOAuthClientNotConfigured, pb::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED,
     kDefault, 1.0, probes::kOAuthToken},
    {Observation::kTokenForOtherAccount, pb::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND, kDefault, 0.9,
     probes::kGmailProfile, "token-other-account"},
    // Fail closed: without a reservation from the budget store no AUTH is sent.
    {Observation::kAuthWithheldStateStore, pb::DIAGNOSIS_CODE_AUTH_NOT_ATTEMPTED, kDefault, 1.0,
     probes::kSmtpAuth},
    // Credentials never cross an unencrypted connection by default: the channel's setting is
    // what fails, an error, not the PLAINTEXT_CONNECTION warning of a deliberate relay.
    {Observation::kPlaintextAuthStartTlsOffered, pb::DIAGNOSIS_CODE_TLS_MODE_MISMATCH,
     pb::SEVERITY_ERROR, 1.0, probes::kSmtpAuth, "plaintext-starttls-offered"},
    {Observation::kPlaintextAuthNotAllowed, pb::DIAGNOSIS_CODE_PLAINTEXT_CONNECTION,
     pb::SEVERITY_ERROR, 1.0, probes::kSmtpAuth, "auth-withheld"},
    // An error answer of a token endpoint that no row of the token tables knows.
    {Observation::kTokenEndpointError, pb::DIAGNOSIS_CODE_OAUTH_TOKEN_ERROR, kDefault, 0.8,
     probes::kOAuthToken},
    // Still valid, so nothing fails yet; the operator of the mail server must renew it.
    {Observation::kTlsCertificateExpiring, pb::DIAGNOSIS_CODE_TLS_CERTIFICATE_EXPIRING, kDefault,
     1.0, probes::kSmtpTls},
    // AUTH refused by a provider whose accounts need "external programs" allowed or an app
    // password: a likely cause beside the wrong password, not a proven one.
    {Observation::kAppPasswordLikely, pb::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED, kDefault, 0.6,
     probes::kSmtpAuth, "app-password"},
    // The direct integration's SMTP (XOAUTH2) check failed: information, since the integration
    // sends through the provider's API.
    {Observation::kSmtpOAuthUnavailable, pb::DIAGNOSIS_CODE_SMTP_OAUTH_UNAVAILABLE, kDefault, 1.0,
     probes::kXoauth2Auth},
    // Password AUTH to Google's SMTP hosts: the article's google-smtp-unsupported case. Failed,
    // it is the error; working, the switch is still required, but nothing fails today.
    {Observation::kGooglePasswordSmtp, pb::DIAGNOSIS_CODE_GOOGLE_SMTP_UNSUPPORTED, kDefault, 1.0,
     probes::kSmtpAuth},
    {Observation::kGooglePasswordSmtpWorks, pb::DIAGNOSIS_CODE_GOOGLE_SMTP_UNSUPPORTED,
     pb::SEVERITY_WARNING, 1.0, probes::kSmtpAuth, "working"},
    // Password AUTH to Microsoft 365 works today; Microsoft turns it off by default.
    {Observation::kMicrosoftPasswordSmtpWorks, pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING,
     pb::SEVERITY_WARNING, 1.0, probes::kSmtpAuth, "microsoft-basic-auth-ending"},
    // Refused on every usual port of a host that exists: a firewall that only admits listed IPs
    // answers exactly like this (the article's ip-allowlist case), but so does a host with no
    // mail server: half sure.
    {Observation::kRefusedOnEveryPort, pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, pb::SEVERITY_ERROR,
     0.5, probes::kSmtpTcp},
    // Accepted, then closed before a word: how many servers turn away addresses not on a list.
    {Observation::kClosedBeforeGreeting, pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED, pb::SEVERITY_ERROR,
     0.6, probes::kSmtpGreeting},
    // RFC 6531: a non-ASCII local part needs the server's SMTPUTF8. The probe is the step where
    // the dialog stood ("": the engine names it).
    {Observation::kSmtpUtf8NotOffered, pb::DIAGNOSIS_CODE_SMTPUTF8_UNSUPPORTED, kDefault, 1.0, ""},
    // RFC 1870: a message over the advertised SIZE would be refused; it is not sent at all.
    {Observation::kMessageOverSizeLimit, pb::DIAGNOSIS_CODE_MESSAGE_REJECTED, kDefault, 1.0, ""},
    // The whole message was handed over and the answer never came: it may or may not exist.
    {Observation::kDroppedAfterHandOver, pb::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR, kDefault, 1.0,
     "", "dropped-after-data"},
    // Google's XOAUTH2 error challenge: 400 / 401 say the token itself was refused; another
    // status (or none) makes that only likely.
    {Observation::kAccessTokenRefused, pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID, kDefault, 0.8,
     probes::kXoauth2Auth, "access-token"},
    {Observation::kAccessTokenRefusedUnclear, pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID, kDefault, 0.6,
     probes::kXoauth2Auth, "access-token"},
    // Microsoft: a disabled account without licences is the shape of a shared mailbox, also when
    // its mailbox settings could not be read.
    {Observation::kDisabledWithoutLicense, pb::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX, kDefault,
     0.8, probes::kGraphUser},
};

// Columns: the cause found over SMTP, the SMTP_OAUTH_UNAVAILABLE variant that explains it.
constexpr SmtpOAuthCauseRule kSmtpOAuthCauseRules[] = {
    // The case: a tenant with SMTP AUTH off, whose direct integration works.
    {pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED, "smtp-auth-disabled"},
};

// Microsoft: key on error_codes, never on the description (its wording changes and is
// localised). Columns: id, AADSTS number, error, code, variant, severity, confidence.
constexpr MicrosoftTokenRule kMicrosoftTokenRules[] = {
    {"aadsts700082-refresh-token-expired", "700082", "", pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID, "",
     kDefault, 1.0},
    {"aadsts50173-grant-revoked", "50173", "", pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID, "", kDefault,
     1.0},
    {"aadsts70043-grant-expired-by-policy", "70043", "", pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID, "",
     kDefault, 1.0},
    {"aadsts50076-mfa-required", "50076", "", pb::DIAGNOSIS_CODE_MFA_OR_CONDITIONAL_ACCESS, "",
     kDefault, 1.0},
    {"aadsts50079-mfa-enrollment", "50079", "", pb::DIAGNOSIS_CODE_MFA_OR_CONDITIONAL_ACCESS, "",
     kDefault, 1.0},
    {"aadsts53003-conditional-access", "53003", "", pb::DIAGNOSIS_CODE_MFA_OR_CONDITIONAL_ACCESS,
     "", kDefault, 1.0},
    {"aadsts530032-security-policy", "530032", "", pb::DIAGNOSIS_CODE_MFA_OR_CONDITIONAL_ACCESS, "",
     kDefault, 1.0},
    {"aadsts530035-security-defaults", "530035", "", pb::DIAGNOSIS_CODE_ENTRA_SECURITY_DEFAULTS, "",
     kDefault, 1.0},
    {"aadsts65001-consent", "65001", "", pb::DIAGNOSIS_CODE_OAUTH_CONSENT_REQUIRED, "", kDefault,
     1.0},
    {"aadsts90094-admin-consent", "90094", "", pb::DIAGNOSIS_CODE_OAUTH_CONSENT_REQUIRED, "",
     kDefault, 1.0},
    {"aadsts90095-admin-consent-workflow", "90095", "", pb::DIAGNOSIS_CODE_OAUTH_CONSENT_REQUIRED,
     "", kDefault, 1.0},
    {"aadsts7000215-wrong-secret", "7000215", "", pb::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED, "",
     kDefault, 1.0},
    {"aadsts7000222-secret-expired", "7000222", "", pb::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED,
     "", kDefault, 1.0},
    {"aadsts700016-unknown-client", "700016", "", pb::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED, "",
     kDefault, 1.0},
    // A disabled user is what a shared mailbox's account is: its sign-in is blocked.
    {"aadsts50057-user-disabled", "50057", "", pb::DIAGNOSIS_CODE_ACCOUNT_DISABLED, "", kDefault,
     1.0},
    {"aadsts50057-shared-mailbox", "50057", "", pb::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX, "",
     kDefault, 0.6},
    {"aadsts50053-locked", "50053", "", pb::DIAGNOSIS_CODE_ACCOUNT_LOCKED, "", kDefault, 1.0},
    {"aadsts90002-tenant-not-found", "90002", "", pb::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND, "tenant",
     kDefault, 1.0},
    {"aadsts50020-user-from-other-tenant", "50020", "", pb::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND, "",
     kDefault, 1.0},
    {"aadsts50034-user-not-found", "50034", "", pb::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND, "", kDefault,
     1.0},
    // "Resource principal ... was not found in the tenant": the tenant has no Exchange Online
    // (no licence with a mailbox) or never consented to the app that calls it.
    // learn.microsoft.com/entra/identity-platform/reference-error-codes
    {"aadsts500011-resource-principal-not-found", "500011", "",
     pb::DIAGNOSIS_CODE_OAUTH_CONSENT_REQUIRED, "resource-not-found", kDefault, 0.8},
    // "The request was denied because one or more scopes requested are unauthorized or
    // expired" (same reference).
    {"aadsts70000-scopes-unauthorized", "70000", "", pb::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING, "",
     kDefault, 1.0},
    // "Error validating credentials due to invalid username or password": the account's sign-in
    // itself was refused, e.g. after a password change (same reference).
    {"aadsts50126-invalid-credentials", "50126", "", pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID,
     "credentials", kDefault, 1.0},
    // Fallbacks on the OAuth error alone, less certain.
    {"ms-invalid-grant", "", "invalid_grant", pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID, "", kDefault,
     0.7},
    {"ms-interaction-required", "", "interaction_required",
     pb::DIAGNOSIS_CODE_MFA_OR_CONDITIONAL_ACCESS, "", kDefault, 0.7},
    {"ms-consent-required", "", "consent_required", pb::DIAGNOSIS_CODE_OAUTH_CONSENT_REQUIRED, "",
     kDefault, 0.8},
    {"ms-invalid-client", "", "invalid_client", pb::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED, "",
     kDefault, 0.8},
    {"ms-unauthorized-client", "", "unauthorized_client",
     pb::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED, "", kDefault, 0.8},
    {"ms-invalid-scope", "", "invalid_scope", pb::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING, "", kDefault,
     0.8},
    {"ms-temporarily-unavailable", "", "temporarily_unavailable",
     pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "", kDefault, 0.7},
};

// Google: Columns: id, error, code, variant, severity, confidence.
constexpr GoogleTokenRule kGoogleTokenRules[] = {
    // "Token has been expired or revoked."
    {"google-invalid-grant", "invalid_grant", pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID, "", kDefault,
     1.0},
    // The Workspace admin restricts which apps may access Google data.
    {"google-admin-policy-enforced", "admin_policy_enforced",
     pb::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED, "google-oauth", kDefault, 1.0},
    {"google-unauthorized-client", "unauthorized_client",
     pb::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED, "", kDefault, 1.0},
    {"google-invalid-client", "invalid_client", pb::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED, "",
     kDefault, 1.0},
    {"google-deleted-client", "deleted_client", pb::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED, "",
     kDefault, 1.0},
    {"google-invalid-scope", "invalid_scope", pb::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING, "", kDefault,
     0.8},
};

constexpr OAuthApi kGraph = OAuthApi::kGraph;
constexpr OAuthApi kGmail = OAuthApi::kGmail;
constexpr OAuthApi kDirectory = OAuthApi::kDirectory;
constexpr OAuthApi kAnyApi = OAuthApi::kAny;
constexpr OAuthApi kGraphSend = OAuthApi::kGraphSend;
constexpr OAuthApi kGmailSend = OAuthApi::kGmailSend;
constexpr OAuthApi kAnySend = OAuthApi::kAnySend;

// Columns: id, api, HTTP status, error code / reason, message pattern, code, variant,
// severity, confidence.
constexpr ApiErrorRule kApiErrorRules[] = {
    // --- Microsoft Graph.
    // "The mailbox is either inactive, soft-deleted, or is hosted on-premise.": no Exchange
    // Online licence (or no mailbox at all) behind the account.
    {"graph-mailbox-not-enabled-for-rest", kGraph, 0, "MailboxNotEnabledForRESTAPI", "",
     pb::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED, "", kDefault, 1.0},
    {"graph-error-invalid-user", kGraph, 0, "ErrorInvalidUser", "",
     pb::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND, "", kDefault, 1.0},
    {"graph-error-send-as-denied", kGraph, 0, "ErrorSendAsDenied", "",
     pb::DIAGNOSIS_CODE_SEND_AS_DENIED, "", kDefault, 1.0},
    {"graph-error-access-denied", kGraph, 0, "ErrorAccessDenied", "",
     pb::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING, "", kDefault, 1.0},
    {"graph-request-resource-not-found", kGraph, 404, "Request_ResourceNotFound", "",
     pb::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND, "", kDefault, 1.0},
    {"graph-authorization-request-denied", kGraph, 403, "Authorization_RequestDenied", "",
     pb::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING, "", kDefault, 0.8},
    {"graph-invalid-authentication-token", kGraph, 401, "InvalidAuthenticationToken", "",
     pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID, "access-token", kDefault, 0.8},
    // --- Google (Gmail API, Admin SDK Directory API).
    {"gmail-mail-service-not-enabled", kGmail, 400, "failedPrecondition",
     "Mail service not enabled", pb::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED, "", kDefault, 1.0},
    // The Directory API answers this to every non-admin, whatever the scopes: it is the
    // admin check.
    {"directory-not-authorized", kDirectory, 403, "", "Not Authorized to access this resource/api",
     pb::DIAGNOSIS_CODE_INTEGRATION_NOT_ADMIN, "", kDefault, 1.0},
    {"google-insufficient-permissions", kAnyApi, 403, "insufficientPermissions", "",
     pb::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING, "", kDefault, 1.0},
    {"google-insufficient-scope", kAnyApi, 403, "insufficient_scope", "",
     pb::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING, "", kDefault, 1.0},
    {"google-access-token-scope-insufficient", kAnyApi, 403, "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "",
     pb::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING, "", kDefault, 1.0},
    {"directory-user-not-found", kDirectory, 404, "", "", pb::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND, "",
     kDefault, 1.0},
    {"google-unauthenticated", kAnyApi, 401, "", "", pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID,
     "access-token", kDefault, 0.8},
    // Gmail answers a token of another user than the path's userId with "Delegation denied for
    // <address>": the authorisation belongs to someone else.
    {"gmail-delegation-denied", kGmail, 403, "forbidden", "Delegation denied",
     pb::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND, "token-other-account", kDefault, 1.0},
    // --- SendTest's send calls (Gmail users.messages.send, Graph sendMail).
    // The user's daily sending limit: 429 "User-rate limit exceeded. Retry after ... (Mail
    // sending)". It lasts for hours, so it gets the sending-limit text, not "wait a moment".
    {"gmail-send-mail-sending-limit", kGmailSend, 429, "", "(Mail sending)",
     pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "sending-limit", kDefault, 1.0},
    {"gmail-send-invalid-to", kGmailSend, 400, "invalidArgument", "Invalid To header",
     pb::DIAGNOSIS_CODE_MESSAGE_REJECTED, "invalid-recipient", kDefault, 1.0},
    {"graph-send-invalid-recipients", kGraphSend, 400, "ErrorInvalidRecipients", "",
     pb::DIAGNOSIS_CODE_MESSAGE_REJECTED, "invalid-recipient", kDefault, 1.0},
    // Exchange Online's recipient rate or daily recipient limit of the mailbox.
    {"graph-send-exceeded-message-limit", kGraphSend, 0, "ErrorExceededMessageLimit", "",
     pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "sending-limit", kDefault, 1.0},
    // --- Any API.
    // Google's usage limits (domain "usageLimits"): per user, per project, per day; Google
    // sends them as 403 or 429.
    {"google-rate-limit-exceeded", kAnyApi, 0, "rateLimitExceeded", "",
     pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "", kDefault, 1.0},
    {"google-user-rate-limit-exceeded", kAnyApi, 0, "userRateLimitExceeded", "",
     pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "", kDefault, 1.0},
    {"google-daily-limit-exceeded", kAnyApi, 0, "dailyLimitExceeded", "",
     pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "", kDefault, 1.0},
    {"api-rate-limited", kAnyApi, 429, "", "", pb::DIAGNOSIS_CODE_SERVER_THROTTLING, "", kDefault,
     1.0},
    // --- Fallbacks of the send calls: a refusal no row above explains is still a refusal of
    // the message, with the API's own words as evidence; a server error says nothing about the
    // channel, only that this attempt failed.
    {"send-server-error", kAnySend, 500, "", "", pb::DIAGNOSIS_CODE_MESSAGE_REJECTED,
     "api-server-error", kDefault, 1.0},
    {"send-bad-gateway", kAnySend, 502, "", "", pb::DIAGNOSIS_CODE_MESSAGE_REJECTED,
     "api-server-error", kDefault, 1.0},
    {"send-service-unavailable", kAnySend, 503, "", "", pb::DIAGNOSIS_CODE_MESSAGE_REJECTED,
     "api-server-error", kDefault, 1.0},
    {"send-gateway-timeout", kAnySend, 504, "", "", pb::DIAGNOSIS_CODE_MESSAGE_REJECTED,
     "api-server-error", kDefault, 1.0},
    {"send-refused", kAnySend, 0, "", "", pb::DIAGNOSIS_CODE_MESSAGE_REJECTED, "api", kDefault,
     1.0},
};

// The table is indexed by the enum: a new Observation without a row fails to compile.
constexpr bool ObservationRowsInEnumOrder() {
  constexpr size_t kCount = static_cast<size_t>(Observation::kMaxValue) + 1;
  if (std::size(kObservationRules) != kCount) return false;
  for (size_t i = 0; i < kCount; ++i) {
    if (static_cast<size_t>(kObservationRules[i].observation) != i) return false;
  }
  return true;
}
static_assert(ObservationRowsInEnumOrder(), "kObservationRules: one row per Observation");

}  // namespace

std::span<const SmtpRule> SmtpRules() { return kSmtpRules; }

std::span<const ObservationRule> ObservationRules() { return kObservationRules; }

std::span<const SmtpOAuthCauseRule> SmtpOAuthCauseRules() { return kSmtpOAuthCauseRules; }
std::span<const MicrosoftTokenRule> MicrosoftTokenRules() { return kMicrosoftTokenRules; }
std::span<const GoogleTokenRule> GoogleTokenRules() { return kGoogleTokenRules; }
std::span<const ApiErrorRule> ApiErrorRules() { return kApiErrorRules; }

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? char(a[i] - 'A' + 'a') : a[i];
    const char y = (b[i] >= 'A' && b[i] <= 'Z') ? char(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return true;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (EqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// "AADSTS700082" and 700082 name the same code.
std::string_view StripAadsts(std::string_view code) {
  if (code.size() > 6 && EqualsIgnoreCase(code.substr(0, 6), "AADSTS")) code.remove_prefix(6);
  return code;
}

}  // namespace

std::vector<const MicrosoftTokenRule*> MatchMicrosoftTokenRules(const TokenErrorEvidence& e) {
  std::vector<const MicrosoftTokenRule*> out;
  for (const MicrosoftTokenRule& rule : kMicrosoftTokenRules) {
    if (rule.aadsts.empty()) continue;
    if (!rule.error.empty() && rule.error != e.error) continue;
    for (const std::string& code : e.error_codes) {
      if (StripAadsts(code) == rule.aadsts) {
        out.push_back(&rule);
        break;
      }
    }
  }
  if (!out.empty()) return out;
  for (const MicrosoftTokenRule& rule : kMicrosoftTokenRules) {
    if (rule.aadsts.empty() && rule.error == e.error) {
      out.push_back(&rule);
      break;
    }
  }
  return out;
}

const GoogleTokenRule* MatchGoogleTokenRule(const TokenErrorEvidence& e) {
  for (const GoogleTokenRule& rule : kGoogleTokenRules) {
    if (rule.error == e.error) return &rule;
  }
  return nullptr;
}

const ApiErrorRule* MatchApiErrorRule(const ApiErrorEvidence& e) {
  if (e.http_status < 400) return nullptr;
  for (const ApiErrorRule& rule : kApiErrorRules) {
    if (!ApiRowApplies(rule.api, e.api)) continue;
    if (rule.http_status != 0 && rule.http_status != e.http_status) continue;
    if (!rule.code.empty() && !EqualsIgnoreCase(rule.code, e.code) &&
        !EqualsIgnoreCase(rule.code, e.status)) {
      continue;
    }
    if (!ContainsIgnoreCase(e.message, rule.pattern)) continue;
    return &rule;
  }
  return nullptr;
}

}  // namespace cv::diagnosis
