#include "diagnosis/classifier.h"

#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "diagnosis/catalog.h"
#include "diagnosis/rules.h"

namespace cv::diagnosis {
namespace {

namespace pb = channelverify::v1;

constexpr Provider kMs = pb::PROVIDER_MICROSOFT;
constexpr Provider kGoogle = pb::PROVIDER_GOOGLE;
constexpr Provider kOther = pb::PROVIDER_OTHER;

struct Expected {
  DiagnosisCode code;
  std::string variant;
  bool operator==(const Expected&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Expected& e) {
  os << pb::DiagnosisCode_Name(e.code);
  if (!e.variant.empty()) os << "/" << e.variant;
  return os;
}

// One reply as the server sent it. `lines` is the text after "NNN-" / "NNN " of each line,
// enhanced code included, exactly as it appears on the wire.
struct ReplyCase {
  std::string name;
  Stage stage;
  int code;
  std::string enhanced;
  std::vector<std::string> lines;
  Provider provider;
  bool google_smtp_host;
  bool username_given;
  std::vector<Expected> expected;
};

// gtest prints a failing parameter; the name says more than its bytes.
void PrintTo(const ReplyCase& c, std::ostream* os) { *os << c.name; }

SmtpEvidence ToEvidence(const ReplyCase& c) {
  SmtpEvidence e;
  e.stage = c.stage;
  e.reply.code = c.code;
  e.reply.enhanced = c.enhanced;
  e.reply.lines = c.lines;
  e.provider = c.provider;
  e.google_smtp_host = c.google_smtp_host;
  e.username_given = c.username_given;
  return e;
}

const DiagnosisCode kM365 = pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED;
const DiagnosisCode kCreds = pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS;
const DiagnosisCode kIp = pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED;
const DiagnosisCode kApps = pb::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED;
const DiagnosisCode kGoogleSmtp = pb::DIAGNOSIS_CODE_GOOGLE_SMTP_UNSUPPORTED;
const DiagnosisCode kThrottle = pb::DIAGNOSIS_CODE_SERVER_THROTTLING;
const DiagnosisCode kSendAs = pb::DIAGNOSIS_CODE_SEND_AS_DENIED;
const DiagnosisCode kRelay = pb::DIAGNOSIS_CODE_RELAY_DENIED;
const DiagnosisCode kAuthRequired = pb::DIAGNOSIS_CODE_AUTH_REQUIRED;
const DiagnosisCode kShared = pb::DIAGNOSIS_CODE_SHARED_MAILBOX;
const DiagnosisCode kRestricted = pb::DIAGNOSIS_CODE_SENDER_RESTRICTED;
const DiagnosisCode kTemporary = pb::DIAGNOSIS_CODE_TEMPORARY_FAILURE;

// Every reply the rule tables match, with the trailers real servers add (Microsoft: host,
// timestamp and id in brackets; Google: "<id> - gsmtp"), multi-line where servers send it so.
const std::vector<ReplyCase>& Cases() {
  static const auto* cases = new std::vector<ReplyCase>{
      // ---------------------------------------------------------------- Microsoft 365
      {"MsTenantSmtpAuthDisabled",
       Stage::kAuth,
       535,
       "5.7.139",
       {"5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
        "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. "
        "[MN2PR05CA0004.namprd05.prod.outlook.com 2023-09-12T20:59:57.214Z 08DBB276B7E699C4]"},
       kMs,
       false,
       true,
       {{kM365, "tenant"}}},
      {"MsMailboxSmtpAuthDisabled",
       Stage::kAuth,
       535,
       "5.7.139",
       {"5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
        "Mailbox. Visit https://aka.ms/smtp_auth_disabled for more information. "
        "[AM0PR02CA0021.eurprd02.prod.outlook.com 2024-03-04T08:15:02.118Z 08DC3B5E2F1A9C77]"},
       kMs,
       false,
       true,
       {{kM365, "mailbox"}}},
      {"MsXoauth2TenantSmtpAuthDisabled",
       Stage::kXoauth2,
       535,
       "5.7.139",
       {"5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
        "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. "
        "[FR4P281CA0311.DEUP281.PROD.OUTLOOK.COM]"},
       kMs,
       false,
       true,
       {{kM365, "tenant"}}},
      {"MsSecurityDefaults",
       Stage::kAuth,
       535,
       "5.7.139",
       {"5.7.139 Authentication unsuccessful, user is locked by your organization's security "
        "defaults policy. Contact your administrator. [BN9PR03CA0123.namprd03.prod.outlook.com "
        "2024-01-05T10:11:12.345Z 08DC0D1A2B3C4D5E]"},
       kMs,
       false,
       true,
       {{pb::DIAGNOSIS_CODE_ENTRA_SECURITY_DEFAULTS, ""}}},
      {"MsBasicAuthDisabled",
       Stage::kAuth,
       535,
       "5.7.139",
       {"5.7.139 Authentication unsuccessful, basic authentication is disabled. "
        "[DB9PR05CA0011.eurprd05.prod.outlook.com 2024-11-20T14:02:45.901Z 08DD0968F2B3A1C4]"},
       kMs,
       false,
       true,
       {{pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING, "basic-auth-disabled"}}},
      {"MsBasicAuthNotSupportedForClientSubmission",
       Stage::kAuth,
       550,
       "5.7.30",
       {"5.7.30 Basic authentication is not supported for Client Submission. "
        "[PR3P191CA0048.EURP191.PROD.OUTLOOK.COM 2025-02-11T09:30:00.000Z 08DD4A1B2C3D4E5F]"},
       kMs,
       false,
       true,
       {{pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING, "basic-auth-disabled"}}},
      {"MsCriteriaNotMet",
       Stage::kAuth,
       535,
       "5.7.139",
       {"5.7.139 Authentication unsuccessful, the request did not meet the criteria to be "
        "authenticated successfully. Contact your administrator. "
        "[SA0PR11CA0085.namprd11.prod.outlook.com 2023-06-01T12:00:01.001Z 08DB61B1C2D3E4F5]"},
       kMs,
       false,
       true,
       {{pb::DIAGNOSIS_CODE_MFA_OR_CONDITIONAL_ACCESS, ""}}},
      {"MsCredentialsIncorrect",
       Stage::kAuth,
       535,
       "5.7.139",
       {"5.7.139 Authentication unsuccessful, the user credentials were incorrect. "
        "[LO4P123CA0456.GBRP123.PROD.OUTLOOK.COM]"},
       kMs,
       false,
       true,
       {{kCreds, ""}}},
      {"MsAccountLocked",
       Stage::kAuth,
       535,
       "5.7.139",
       {"5.7.139 Authentication unsuccessful, account locked. Contact your administrator. "
        "[FR0P281CA0099.DEUP281.PROD.OUTLOOK.COM 2024-05-06T07:08:09.010Z 08DC6D9E8F7A6B5C]"},
       kMs,
       false,
       true,
       {{pb::DIAGNOSIS_CODE_ACCOUNT_LOCKED, ""}}},
      {"Ms573Ambiguous",
       Stage::kAuth,
       535,
       "5.7.3",
       {"5.7.3 Authentication unsuccessful [BYAPR01CA0053.prod.exchangelabs.com]"},
       kMs,
       false,
       true,
       {{kCreds, "ms-ambiguous"}}},
      {"MsXoauth2573",
       Stage::kXoauth2,
       535,
       "5.7.3",
       {"5.7.3 Authentication unsuccessful [AS9PR06CA0456.eurprd06.prod.outlook.com "
        "2024-08-19T16:20:11.222Z 08DCC06F1E2D3C4B]"},
       kMs,
       false,
       true,
       {{kCreds, "ms-xoauth2"}}},
      {"Ms5757NotAuthenticatedNoUsername",
       Stage::kMailFrom,
       530,
       "5.7.57",
       {"5.7.57 Client not authenticated to send mail. [AM6P191CA0045.EURP191.PROD.OUTLOOK.COM "
        "2024-02-14T11:22:33.444Z 08DC2C1B0A9F8E7D]"},
       kMs,
       false,
       false,
       {{kAuthRequired, ""}, {kShared, ""}}},
      {"Ms5757AnonymousWithUsername",
       Stage::kMailFrom,
       530,
       "5.7.57",
       {"5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM "
        "[PAXPR04MB8510.eurprd04.prod.outlook.com]"},
       kMs,
       false,
       true,
       {{kAuthRequired, ""}}},
      {"Ms5760SendAs",
       Stage::kDataEnd,
       550,
       "5.7.60",
       {"5.7.60 SMTP; Client does not have permissions to send as this sender "
        "[DM6PR02MB4555.namprd02.prod.outlook.com 2023-11-30T10:00:00.123Z 08DBF1A2B3C4D5E6]"},
       kMs,
       false,
       true,
       {{kSendAs, ""}}},
      {"Ms520SendAsDenied",
       Stage::kDataEnd,
       554,
       "5.2.0",
       {"5.2.0 STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; "
        "Failed to process message due to a permanent exception with message Cannot submit "
        "message. 16.55847:CC040000, 17.43559:0000000094000000000000000000000000000000, "
        "20.52176:140F6B8A0F001010F1030000 [Hostname=AM0PR10MB2345.EURPRD10.PROD.OUTLOOK.COM]"},
       kMs,
       false,
       true,
       {{kSendAs, ""}}},
      {"Ms52252SendAsDenied",
       Stage::kDataEnd,
       554,
       "5.2.252",
       {"5.2.252 SendAsDenied; jobs@example.com not allowed to send as recruiting@example.com; "
        "STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed "
        "to process message due to a permanent exception with message [BeginDiagnosticData]"
        "Cannot submit message. [Hostname=VI1PR04MB6789.eurprd04.prod.outlook.com]"},
       kMs,
       false,
       true,
       {{kSendAs, ""}}},
      {"Ms520SubmissionQuota",
       Stage::kDataEnd,
       554,
       "5.2.0",
       {"5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to "
        "process message due to a permanent exception with message Cannot submit message. "
        "[Hostname=BY5PR12MB4321.namprd12.prod.outlook.com]"},
       kMs,
       false,
       true,
       {{kThrottle, "sending-limit"}}},
      {"Ms432ThreadLimit",
       Stage::kMailFrom,
       432,
       "4.3.2",
       {"4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded "
        "[Hostname=BY5PR12MB4321.namprd12.prod.outlook.com]"},
       kMs,
       false,
       true,
       {{kThrottle, ""}}},
      {"Ms5606BannedIp",
       Stage::kMailFrom,
       550,
       "5.7.606",
       {"5.7.606 Access denied, banned sending IP [203.0.113.7]. To request removal from this "
        "list please visit https://sender.office.com/ and follow the directions. For more "
        "information please go to http://go.microsoft.com/fwlink/?LinkID=526655 AS(1430) "
        "[DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com]"},
       kMs,
       false,
       true,
       {{kIp, ""}}},
      {"Ms5708IpNotAccepted",
       Stage::kGreeting,
       550,
       "5.7.708",
       {"5.7.708 Service unavailable. Access denied, traffic not accepted from this IP. For "
        "more information please go to http://go.microsoft.com/fwlink/?LinkId=526653 AS(7230) "
        "[VI1EUR04FT047.eop-eur04.prod.protection.outlook.com]"},
       kMs,
       false,
       true,
       {{kIp, ""}}},
      // Says "Relay Access Denied", yet means the sending IP is not attributed to the tenant.
      {"Ms5764TenantAttribution",
       Stage::kRcptTo,
       550,
       "5.7.64",
       {"5.7.64 TenantAttribution; Relay Access Denied "
        "[SN1NAM02FT0043.eop-nam02.prod.protection.outlook.com]"},
       kMs,
       false,
       true,
       {{kIp, ""}}},
      {"Ms4766OldTls",
       Stage::kEhlo,
       421,
       "4.7.66",
       {"4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support "
        "TLS 1.2. Visit https://aka.ms/smtp_auth_tls. [AM0PR01CA0123.eurprd01.prod.exchangelabs"
        ".com 2023-10-31T23:59:59.999Z 08DBD9A8B7C6D5E4]"},
       kMs,
       false,
       true,
       {{pb::DIAGNOSIS_CODE_TLS_VERSION_UNSUPPORTED, ""}}},

      // ---------------------------------------------------------------- Google
      {"GoogleAppPasswordRequired",
       Stage::kAuth,
       534,
       "5.7.9",
       {"5.7.9 Application-specific password required. For more information, go to",
        "5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor "
        "d2-20020a05600c4ec200b003fe1c332810sm3391977wmq.33 - gsmtp"},
       kGoogle,
       true,
       true,
       {{kApps, ""}, {kGoogleSmtp, ""}}},
      {"GoogleAppPasswordRequiredNotGoogleSmtpHost",
       Stage::kAuth,
       534,
       "5.7.9",
       {"5.7.9 Application-specific password required. For more information, go to",
        "5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor "
        "a640c23a62f3a-a9a0f2b3c4dsm1234567866b.12 - gsmtp"},
       kGoogle,
       false,
       true,
       {{kApps, ""}}},
      {"GoogleWebLoginRequired",
       Stage::kAuth,
       534,
       "5.7.9",
       {"5.7.9 Please log in with your web browser and then try again. For more",
        "5.7.9 information, go to",
        "5.7.9  https://support.google.com/mail/?p=WebLoginRequired "
        "e9-20020a17090a6b8900b0026b4b2d0bc6sm1830512pjh.31 - gsmtp"},
       kGoogle,
       true,
       true,
       {{kApps, ""}, {kGoogleSmtp, ""}}},
      {"Google5714WebBrowser",
       Stage::kAuth,
       534,
       "5.7.14",
       {"5.7.14 <https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=AKgnsbt9x2Lm"
        "Qw8vR3kYpZfJ0aH7sN1cD4eB6gT5uI>",
        "5.7.14 Please log in via your web browser and then try again.", "5.7.14  Learn more at",
        "5.7.14  https://support.google.com/mail/answer/78754 "
        "m5-20020a05620a290500b0076ce061f44dsm2345678qkp.12 - gsmtp"},
       kGoogle,
       true,
       true,
       {{kApps, ""}, {kGoogleSmtp, ""}}},
      {"GoogleBadCredentials",
       Stage::kAuth,
       535,
       "5.7.8",
       {"5.7.8 Username and Password not accepted. For more information, go to",
        "5.7.8  https://support.google.com/mail/?p=BadCredentials "
        "x12-20020a5d4acc000000b0031ad2f9269dsm1234567wrt.31 - gsmtp"},
       kGoogle,
       true,
       true,
       {{kCreds, "google"}, {kGoogleSmtp, ""}}},
      // XOAUTH2 is the way Google still accepts; a refused token is not the SMTP retirement.
      {"GoogleXoauth2BadCredentials",
       Stage::kXoauth2,
       535,
       "5.7.8",
       {"5.7.8 Username and Password not accepted. For more information, go to",
        "5.7.8  https://support.google.com/mail/?p=BadCredentials "
        "q4-20020a056214194400b0063d2ba5f3b9sm987654qvc.21 - gsmtp"},
       kGoogle,
       true,
       true,
       {{kCreds, "google"}}},
      {"GoogleRelayInvalidCredentials",
       Stage::kMailFrom,
       550,
       "5.7.1",
       {"5.7.1 Invalid credentials for relay [203.0.113.7]. The IP address you've",
        "5.7.1 registered in your Workspace SMTP Relay service doesn't match domain of",
        "5.7.1 the account this email is being sent from. If you are trying to relay",
        "5.7.1 mail from a domain that isn't registered under your Workspace account",
        "5.7.1 or has empty envelope-from, you must configure your mail server",
        "5.7.1 either to use SMTP AUTH to identify the sending domain or to present",
        "5.7.1 one of your domain names in the HELO or EHLO command. For more",
        "5.7.1 information, please visit",
        "5.7.1  https://support.google.com/a/answer/6140680#invalidcred "
        "x7-20020a05620a0b8700b0076c9a1b2c3dsm345678qkj.99 - gsmtp"},
       kGoogle,
       true,
       true,
       {{kIp, ""}}},
      {"GoogleMailRelayDenied",
       Stage::kRcptTo,
       550,
       "5.7.0",
       {"5.7.0 Mail relay denied [203.0.113.7]. Invalid credentials for relay for one of",
        "5.7.0 the domains in: example.com (as obtained from HELO and MAIL FROM).",
        "5.7.0 Email is being sent from a domain or IP address which isn't registered",
        "5.7.0 in your Workspace account. Please login to your Workspace account and",
        "5.7.0 verify that your sending device IP address has been registered within",
        "5.7.0 the Workspace SMTP Relay Settings. For more information, please visit",
        "5.7.0  https://support.google.com/a/answer/6140680#maildenied. "
        "a9-20020a0562140a8900b0063cf7c3d2e1sm123456qvb.55 - gsmtp"},
       kGoogle,
       true,
       true,
       {{kIp, ""}}},
      {"GoogleIpNotInWhitelist",
       Stage::kRcptTo,
       421,
       "4.7.0",
       {"4.7.0 IP not in whitelist for RCPT domain, closing connection. "
        "b12-20020a05620a0ccc00b0076ef1a2b3c4sm456789qkl.34 - gsmtp"},
       kGoogle,
       true,
       true,
       {{kIp, ""}}},
      {"GoogleMustIssueStartTls",
       Stage::kMailFrom,
       530,
       "5.7.0",
       {"5.7.0 Must issue a STARTTLS command first. "
        "k7-20020a170902c40700b001bbd8cf6b57sm2345678plk.55 - gsmtp"},
       kGoogle,
       true,
       true,
       {{pb::DIAGNOSIS_CODE_TLS_MODE_MISMATCH, ""}}},
      {"GoogleTryAgainLater",
       Stage::kEhlo,
       421,
       "4.7.0",
       {"4.7.0 Try again later, closing connection. (EHLO) "
        "a1-20020a05600c220100b003fef5e5f2a1sm1234567wmm.7 - gsmtp"},
       kGoogle,
       true,
       true,
       {{kThrottle, ""}}},
      {"GooglePeakRelayLimit",
       Stage::kMailFrom,
       450,
       "4.2.1",
       {"4.2.1 Peak SMTP relay limit exceeded for customer. For more information on",
        "4.2.1 SMTP relay sending limits please contact your administrator or visit",
        "4.2.1  https://support.google.com/a/answer/166852 "
        "y3-20020a05620a0e0300b0076da1b2c3d4sm567890qkn.2 - gsmtp"},
       kGoogle,
       true,
       true,
       {{kThrottle, ""}}},
      // Any failed password AUTH on Google's SMTP hosts also says GOOGLE_SMTP_UNSUPPORTED.
      {"GoogleTooManyLoginAttempts",
       Stage::kAuth,
       454,
       "4.7.0",
       {"4.7.0 Too many login attempts, please try again later. "
        "j5-20020a05600c1c0500b003fe2a1b2c3dsm678901wms.17 - gsmtp"},
       kGoogle,
       true,
       true,
       {{kThrottle, ""}, {kGoogleSmtp, ""}}},

      // ---------------------------------------------------------------- Generic MTAs
      {"PostfixClientHostRejectedAtRcpt",
       Stage::kRcptTo,
       554,
       "5.7.1",
       {"5.7.1 <unknown[203.0.113.7]>: Client host rejected: Access denied"},
       kOther,
       false,
       true,
       {{kIp, ""}}},
      {"PostfixClientHostRejectedAtConnect",
       Stage::kGreeting,
       554,
       "5.7.1",
       {"5.7.1 <unknown[203.0.113.7]>: Client host rejected: Access denied"},
       kOther,
       false,
       true,
       {{kIp, ""}}},
      {"Greeting554",
       Stage::kGreeting,
       554,
       "",
       {"mail.example.org ESMTP not accepting connections"},
       kOther,
       false,
       true,
       {{kIp, ""}}},
      {"PostfixRelayAccessDenied",
       Stage::kRcptTo,
       554,
       "5.7.1",
       {"5.7.1 <candidate@example.net>: Relay access denied"},
       kOther,
       false,
       true,
       {{kRelay, ""}}},
      {"EximRelayNotPermitted",
       Stage::kRcptTo,
       550,
       "",
       {"relay not permitted"},
       kOther,
       false,
       true,
       {{kRelay, ""}}},
      {"SendmailRelayingDenied",
       Stage::kRcptTo,
       550,
       "5.7.1",
       {"5.7.1 Relaying denied"},
       kOther,
       false,
       true,
       {{kRelay, ""}}},
      {"CredentialsInvalid578",
       Stage::kAuth,
       535,
       "5.7.8",
       {"5.7.8 Authentication credentials invalid"},
       kOther,
       false,
       true,
       {{kCreds, ""}}},
      {"EximIncorrectAuthenticationData",
       Stage::kAuth,
       535,
       "",
       {"Incorrect authentication data"},
       kOther,
       false,
       true,
       {{kCreds, ""}}},
      {"PostfixAuthenticationFailed",
       Stage::kAuth,
       535,
       "5.7.8",
       {"5.7.8 Error: authentication failed: authentication failure"},
       kOther,
       false,
       true,
       {{kCreds, ""}}},
      // Postfix echoes the last SASL challenge ("Password:" in base64) after a failed LOGIN.
      {"PostfixAuthenticationFailedLoginChallenge",
       Stage::kAuth,
       535,
       "5.7.8",
       {"5.7.8 Error: authentication failed: UGFzc3dvcmQ6"},
       kOther,
       false,
       true,
       {{kCreds, ""}}},
      {"MechanismTooWeak",
       Stage::kAuth,
       534,
       "5.7.9",
       {"5.7.9 Authentication mechanism is too weak"},
       kOther,
       false,
       true,
       {{pb::DIAGNOSIS_CODE_AUTH_MECHANISM_UNSUPPORTED, ""}}},
      {"DovecotTemporaryAuthFailure",
       Stage::kAuth,
       454,
       "4.7.0",
       {"4.7.0 Temporary authentication failure"},
       kOther,
       false,
       true,
       {{kThrottle, ""}}},
      {"SendmailAuthenticationRequiredNoUsername",
       Stage::kMailFrom,
       530,
       "5.7.0",
       {"5.7.0 Authentication required"},
       kOther,
       false,
       false,
       {{kAuthRequired, ""}, {kShared, ""}}},

      // ---------------------------------------------------------------- Fallbacks
      // The texts below match no specific row: they stand for wordings the table does
      // not know, to prove the fallback rows.
      {"FallbackUnknown535",
       Stage::kAuth,
       535,
       "5.7.0",
       {"5.7.0 Authentication failed"},
       kOther,
       false,
       true,
       {{kCreds, ""}}},
      {"FallbackUnknownMicrosoft535",
       Stage::kAuth,
       535,
       "5.7.139",
       {"5.7.139 Authentication unsuccessful, some future reason. "
        "[AM0PR02CA0021.eurprd02.prod.outlook.com]"},
       kMs,
       false,
       true,
       {{kCreds, "ms-ambiguous"}}},
      {"FallbackUnknownGoogle535",
       Stage::kAuth,
       535,
       "5.7.1",
       {"5.7.1 Authentication rejected "
        "c3-20020a05600c4ec200b003fe1c332810sm3391977wmq.1 - gsmtp"},
       kGoogle,
       true,
       true,
       {{kCreds, "google"}, {kGoogleSmtp, ""}}},
      {"FallbackUnknownXoauth2535",
       Stage::kXoauth2,
       535,
       "5.7.8",
       {"5.7.8 Token rejected"},
       kOther,
       false,
       true,
       {{kCreds, ""}}},

      // ------------------------------------------------ The send stages (issue 16)
      {"MsRestrictedSender",
       Stage::kMailFrom,
       550,
       "5.1.8",
       {"5.1.8 Access denied, bad outbound sender. AS(42004) "
        "[AM6EUR05FT012.eop-eur05.prod.protection.outlook.com 2025-03-02T10:11:12.345Z "
        "08DD5A0B1C2D3E4F]"},
       kMs,
       false,
       true,
       {{kRestricted, ""}}},
      {"GmailDailySendingLimit",
       Stage::kDataEnd,
       550,
       "5.4.5",
       {"5.4.5 Daily user sending limit exceeded. For more information on Gmail",
        "5.4.5 sending limits go to",
        "5.4.5  https://support.google.com/a/answer/166852 d9443c01a7336-1fc5f7c1b2dsm1.2 - gsmtp"},
       kGoogle,
       true,
       true,
       {{kThrottle, "sending-limit"}}},
      {"Ms522SubmissionQuota",
       Stage::kDataEnd,
       554,
       "5.2.2",
       {"5.2.2 mailbox full; STOREDRV.Submission.Exception:SubmissionQuotaExceededException; "
        "Failed to process message due to a permanent exception with message Cannot submit "
        "message. [Hostname=DB9PR05MB1234.eurprd05.prod.outlook.com]"},
       kMs,
       false,
       true,
       {{kThrottle, "sending-limit"}}},
      {"ExchangeMessageSubmissionRate",
       Stage::kMailFrom,
       421,
       "4.4.2",
       {"4.4.2 Message submission rate for this client has exceeded the configured limit"},
       kOther,
       false,
       true,
       {{kThrottle, "sending-limit"}}},
      {"PostfixTooMuchMail",
       Stage::kMailFrom,
       450,
       "4.7.1",
       {"4.7.1 Error: too much mail from 203.0.113.7"},
       kOther,
       false,
       true,
       {{kThrottle, "sending-limit"}}},
      {"PostfixDnsblAtRcpt",
       Stage::kRcptTo,
       554,
       "5.7.1",
       {"5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org; "
        "https://www.spamhaus.org/query/ip/203.0.113.7"},
       kOther,
       false,
       true,
       {{kIp, "blocklist"}}},
      {"EximBlackListAtMailFrom",
       Stage::kMailFrom,
       550,
       "",
       {"Rejected because 203.0.113.7 is in a black list at b.barracudacentral.org"},
       kOther,
       false,
       true,
       {{kIp, "blocklist"}}},
      {"MsStartTlsRequired451",
       Stage::kMailFrom,
       451,
       "5.7.3",
       {"5.7.3 STARTTLS is required to send mail [AM0PR02CA0021.eurprd02.prod.outlook.com "
        "2025-01-09T08:00:00.000Z 08DD2F1A2B3C4D5E]"},
       kMs,
       false,
       true,
       {{pb::DIAGNOSIS_CODE_TLS_MODE_MISMATCH, ""}}},
      {"PostfixSenderNotLoggedIn",
       Stage::kMailFrom,
       553,
       "5.7.1",
       {"5.7.1 <jobs@example.com>: Sender address rejected: not logged in"},
       kOther,
       false,
       false,
       {{kAuthRequired, ""}, {kShared, ""}}},
      {"PostfixSenderNotOwned",
       Stage::kMailFrom,
       553,
       "5.7.1",
       {"5.7.1 <jobs@example.com>: Sender address rejected: not owned by user "
        "hr@example.com"},
       kOther,
       false,
       true,
       {{kSendAs, ""}}},
      {"YandexSenderNotOwned",
       Stage::kMailFrom,
       553,
       "5.7.1",
       {"5.7.1 Sender address rejected: not owned by auth user."},
       kOther,
       false,
       true,
       {{kSendAs, ""}}},
      {"GmxSenderNotOfLoggedInUser",
       Stage::kMailFrom,
       550,
       "5.7.0",
       {"5.7.0 Sender address does not belong to logged in user {mp-us001}"},
       kOther,
       false,
       true,
       {{kSendAs, ""}}},
      {"ZohoRelayingDisallowed",
       Stage::kMailFrom,
       553,
       "",
       {"Relaying disallowed as jobs@example.com"},
       kOther,
       false,
       true,
       {{kSendAs, ""}}},
      {"SesAddressNotVerified",
       Stage::kDataEnd,
       554,
       "",
       {"Message rejected: Email address is not verified. The following identities failed the "
        "check in region EU-CENTRAL-1: jobs@example.com"},
       kOther,
       false,
       true,
       {{kSendAs, ""}}},
      {"SendGridSenderIdentity",
       Stage::kMailFrom,
       550,
       "",
       {"The from address does not match a verified Sender Identity. Mail cannot be sent until "
        "this error is resolved."},
       kOther,
       false,
       true,
       {{kSendAs, ""}}},
      {"CpanelRelayWithoutAuthNoUsername",
       Stage::kRcptTo,
       550,
       "",
       {"Please turn on SMTP Authentication in your mail client. 203.0.113.7 is not permitted "
        "to relay through this server without authentication."},
       kOther,
       false,
       false,
       {{kAuthRequired, ""}, {kShared, ""}}},
      {"CpanelRelayWithoutAuth",
       Stage::kRcptTo,
       550,
       "",
       {"Please turn on SMTP Authentication in your mail client. 203.0.113.7 is not permitted "
        "to relay through this server without authentication."},
       kOther,
       false,
       true,
       {{kRelay, ""}}},
      {"Ms5754UnableToRelay",
       Stage::kRcptTo,
       550,
       "5.7.54",
       {"5.7.54 SMTP; Unable to relay recipient in non-accepted domain "
        "[AM0PR02CA0021.eurprd02.prod.outlook.com]"},
       kMs,
       false,
       true,
       {{kRelay, ""}}},
      {"UnknownAuth5xx", Stage::kAuth, 550, "", {"Go away"}, kOther, false, true, {{kCreds, ""}}},
      {"UnknownAuth4xx",
       Stage::kAuth,
       451,
       "4.3.0",
       {"4.3.0 Local error in processing"},
       kOther,
       false,
       true,
       {{kTemporary, ""}}},
      {"UnknownMailFrom5xx",
       Stage::kMailFrom,
       535,
       "",
       {"odd"},
       kOther,
       false,
       false,
       {{pb::DIAGNOSIS_CODE_MESSAGE_REJECTED, "sender-refused"}}},
      {"UnknownRcpt5xx",
       Stage::kRcptTo,
       550,
       "5.1.1",
       {"5.1.1 <nobody@example.net>: Recipient address rejected"},
       kOther,
       false,
       true,
       {{pb::DIAGNOSIS_CODE_MESSAGE_REJECTED, ""}}},
      {"UnknownDataEnd4xx",
       Stage::kDataEnd,
       451,
       "4.3.0",
       {"4.3.0 Error: queue file write error"},
       kOther,
       false,
       true,
       {{kTemporary, ""}}},
  };
  return *cases;
}

class ClassifyReplyTest : public testing::TestWithParam<ReplyCase> {};

TEST_P(ClassifyReplyTest, YieldsExactlyTheDocumentedCodes) {
  const ReplyCase& c = GetParam();
  const SmtpEvidence evidence = ToEvidence(c);
  std::vector<Expected> got;
  for (const Finding& f : ClassifySmtpReply(evidence)) got.push_back({f.code, f.variant});
  EXPECT_EQ(got, c.expected) << evidence.reply.Raw();
}

TEST_P(ClassifyReplyTest, EvidenceIsTheNamedStageAndTheRawReply) {
  const ReplyCase& c = GetParam();
  const SmtpEvidence evidence = ToEvidence(c);
  const std::string want = std::string(StageName(c.stage)) + ": " + evidence.reply.Raw();
  for (const Finding& f : ClassifySmtpReply(evidence)) {
    ASSERT_EQ(f.evidence.size(), 1u);
    EXPECT_EQ(f.evidence[0], want);
    EXPECT_EQ(f.probe, StageProbe(c.stage));
    EXPECT_GT(f.confidence, 0.0);
    EXPECT_LE(f.confidence, 1.0);
  }
}

INSTANTIATE_TEST_SUITE_P(ClassifierRows, ClassifyReplyTest, testing::ValuesIn(Cases()),
                         [](const testing::TestParamInfo<ReplyCase>& info) {
                           return info.param.name;
                         });

// Principle 6: a test per row. A row no quoted reply reaches is dead or mis-ordered.
TEST(ClassifierRulesTest, EveryRuleIsReachedByACase) {
  std::set<std::string_view> reached;
  for (const ReplyCase& c : Cases()) {
    for (const SmtpRule* rule : MatchSmtpRules(ToEvidence(c))) reached.insert(rule->id);
  }
  for (const SmtpRule& rule : SmtpRules()) {
    EXPECT_TRUE(reached.contains(rule.id)) << "no case reaches rule " << rule.id;
  }
}

TEST(ClassifierRulesTest, RowsAreWellFormed) {
  std::set<std::string_view> ids;
  for (const SmtpRule& rule : SmtpRules()) {
    SCOPED_TRACE(std::string(rule.id));
    EXPECT_TRUE(ids.insert(rule.id).second) << "duplicate id";
    ASSERT_NE(FindEntry(rule.code), nullptr);
    if (!rule.variant.empty()) {
      EXPECT_NE(FindVariant(rule.code, rule.variant), nullptr);
    }
    EXPECT_GT(rule.confidence, 0.0);
    EXPECT_LE(rule.confidence, 1.0);
    EXPECT_TRUE(rule.reply_code == 0 || rule.reply_code == 4 || rule.reply_code == 5 ||
                (rule.reply_code >= 400 && rule.reply_code < 600));
    // Alternatives are non-empty: "a||b" or a trailing "|" would match every reply.
    if (!rule.pattern.empty()) {
      EXPECT_EQ(rule.pattern.find("||"), std::string_view::npos);
      EXPECT_NE(rule.pattern.front(), '|');
      EXPECT_NE(rule.pattern.back(), '|');
    }
    if (rule.kind == RuleKind::kFirst) {
      EXPECT_EQ(rule.requires_code, pb::DIAGNOSIS_CODE_UNSPECIFIED);
    }
  }
}

TEST(ClassifierTest, ConfidenceAndSeverityComeFromTheRow) {
  SmtpEvidence e;
  e.stage = Stage::kMailFrom;
  e.reply = {530, "5.7.57", {"5.7.57 Client not authenticated to send mail. [X.outlook.com]"}};
  e.username_given = false;
  std::vector<Finding> f = ClassifySmtpReply(e);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_DOUBLE_EQ(f[0].confidence, 1.0);
  EXPECT_EQ(f[1].code, kShared);
  EXPECT_NEAR(f[1].confidence, 0.6, 1e-9);

  e.stage = Stage::kAuth;
  e.reply = {535,
             "5.7.139",
             {"5.7.139 Authentication unsuccessful, basic authentication is "
              "disabled. [DB9PR05CA0011.eurprd05.prod.outlook.com]"}};
  f = ClassifySmtpReply(e);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, pb::SEVERITY_ERROR);

  e.reply = {535, "", {"Go away"}};
  f = ClassifySmtpReply(e);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].code, kCreds);
  EXPECT_NEAR(f[0].confidence, 0.7, 1e-9);
  EXPECT_EQ(f[0].severity, pb::SEVERITY_UNSPECIFIED);  // catalog default
}

TEST(ClassifierTest, MultiLineEvidenceKeepsEveryLine) {
  SmtpEvidence e;
  e.stage = Stage::kAuth;
  e.google_smtp_host = true;
  e.reply = {535,
             "5.7.8",
             {"5.7.8 Username and Password not accepted. For more information, go to",
              "5.7.8  https://support.google.com/mail/?p=BadCredentials x1sm1wrt.1 - gsmtp"}};
  const std::vector<Finding> f = ClassifySmtpReply(e);
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f[0].evidence[0],
            "AUTH: 535-5.7.8 Username and Password not accepted. For more information, go to\n"
            "535 5.7.8  https://support.google.com/mail/?p=BadCredentials x1sm1wrt.1 - gsmtp");
  EXPECT_EQ(f[0].probe, "smtp.auth");
}

TEST(ClassifierTest, MatchingIgnoresCase) {
  SmtpEvidence e;
  e.stage = Stage::kAuth;
  e.reply = {535,
             "5.7.139",
             {"5.7.139 AUTHENTICATION UNSUCCESSFUL, SMTPCLIENTAUTHENTICATION IS DISABLED FOR THE "
              "MAILBOX. [AM0PR02CA0021.EURPRD02.PROD.OUTLOOK.COM]"}};
  const std::vector<Finding> f = ClassifySmtpReply(e);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].code, kM365);
  EXPECT_EQ(f[0].variant, "mailbox");
}

TEST(ClassifierTest, EnhancedCodeIsReadFromTheTextWhenNotParsed) {
  SmtpEvidence e;
  e.stage = Stage::kAuth;
  e.reply = {535,
             "",
             {"5.7.139 Authentication unsuccessful, SmtpClientAuthentication is "
              "disabled for the Tenant. [MN2PR05CA0004.namprd05.prod.outlook.com]"}};
  const std::vector<Finding> f = ClassifySmtpReply(e);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].variant, "tenant");
}

TEST(ClassifierTest, RepliesThatAreNotKnownFailuresYieldNothing) {
  const std::vector<std::pair<Stage, smtp::Reply>> quiet = {
      {Stage::kAuth, {235, "2.7.0", {"2.7.0 Authentication successful"}}},
      // Google's XOAUTH2 error challenge: base64 JSON the verifier decodes, not a failure yet.
      {Stage::kXoauth2,
       {334,
        "",
        {"eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xl"
         "LmNvbS8ifQ=="}}},
      // Answers STARTTLS; not the AUTH-time 454 4.7.0 that means "back off".
      {Stage::kStartTls, {454, "4.7.0", {"4.7.0 TLS not available due to local problem"}}},
      // Greeting and EHLO failures are the transport's to name (no fallback rows there).
      {Stage::kEhlo, {550, "5.5.1", {"5.5.1 Go away"}}},
      {Stage::kGreeting, {421, "4.3.2", {"4.3.2 System not accepting network messages"}}},
  };
  for (const auto& [stage, reply] : quiet) {
    SmtpEvidence e;
    e.stage = stage;
    e.reply = reply;
    e.google_smtp_host = true;
    e.username_given = false;
    EXPECT_TRUE(ClassifySmtpReply(e).empty()) << reply.Raw();
  }
}

// The table of observations, written out again so that a change of mapping is deliberate.
TEST(ClassifyObservationTest, EveryObservationHasItsCode) {
  const std::vector<std::pair<Observation, DiagnosisCode>> expected = {
      {Observation::kDnsNameNotFound, pb::DIAGNOSIS_CODE_DNS_NAME_NOT_FOUND},
      {Observation::kDnsLookupFailed, pb::DIAGNOSIS_CODE_DNS_LOOKUP_FAILED},
      {Observation::kTargetForbidden, pb::DIAGNOSIS_CODE_TARGET_FORBIDDEN},
      {Observation::kConnectRefused, pb::DIAGNOSIS_CODE_CONNECTION_REFUSED},
      {Observation::kConnectTimeout, pb::DIAGNOSIS_CODE_SERVER_UNREACHABLE},
      {Observation::kGreetingTimeout, pb::DIAGNOSIS_CODE_SERVER_UNREACHABLE},
      {Observation::kTlsModeMismatch, pb::DIAGNOSIS_CODE_TLS_MODE_MISMATCH},
      {Observation::kStartTlsNotOffered, pb::DIAGNOSIS_CODE_STARTTLS_NOT_OFFERED},
      {Observation::kTlsHandshakeFailed, pb::DIAGNOSIS_CODE_TLS_HANDSHAKE_FAILED},
      {Observation::kTlsCertificateInvalid, pb::DIAGNOSIS_CODE_TLS_CERTIFICATE_INVALID},
      {Observation::kTlsVersionUnsupported, pb::DIAGNOSIS_CODE_TLS_VERSION_UNSUPPORTED},
      {Observation::kPlaintext, pb::DIAGNOSIS_CODE_PLAINTEXT_CONNECTION},
      {Observation::kAuthNotOffered, pb::DIAGNOSIS_CODE_AUTH_NOT_OFFERED},
      {Observation::kAuthMechanismUnsupported, pb::DIAGNOSIS_CODE_AUTH_MECHANISM_UNSUPPORTED},
      {Observation::kProtocolError, pb::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR},
      {Observation::kDeadlineTooShort, pb::DIAGNOSIS_CODE_DEADLINE_TOO_SHORT},
      {Observation::kWrongPortOrTlsMode, pb::DIAGNOSIS_CODE_WRONG_PORT_OR_TLS_MODE},
      {Observation::kProviderMismatch, pb::DIAGNOSIS_CODE_PROVIDER_MISMATCH},
      {Observation::kDirectIntegrationRecommended,
       pb::DIAGNOSIS_CODE_DIRECT_INTEGRATION_RECOMMENDED},
      {Observation::kSharedMailboxLikely, pb::DIAGNOSIS_CODE_SHARED_MAILBOX},
      {Observation::kMailboxPurposeShared, pb::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX},
      {Observation::kAccountNotEnabled, pb::DIAGNOSIS_CODE_ACCOUNT_DISABLED},
      {Observation::kNoLicense, pb::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED},
      {Observation::kNotAdmin, pb::DIAGNOSIS_CODE_INTEGRATION_NOT_ADMIN},
      {Observation::kMailboxNotSetUp, pb::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED},
      {Observation::kAccountSuspended, pb::DIAGNOSIS_CODE_ACCOUNT_DISABLED},
      {Observation::kAccountArchived, pb::DIAGNOSIS_CODE_INTEGRATION_NOT_LICENSED},
      {Observation::kScopeMissing, pb::DIAGNOSIS_CODE_OAUTH_SCOPE_MISSING},
      {Observation::kOAuthClientNotConfigured, pb::DIAGNOSIS_CODE_OAUTH_CLIENT_MISCONFIGURED},
      {Observation::kTokenForOtherAccount, pb::DIAGNOSIS_CODE_MAILBOX_NOT_FOUND},
      {Observation::kAuthWithheldStateStore, pb::DIAGNOSIS_CODE_AUTH_NOT_ATTEMPTED},
      {Observation::kPlaintextAuthStartTlsOffered, pb::DIAGNOSIS_CODE_TLS_MODE_MISMATCH},
      {Observation::kPlaintextAuthNotAllowed, pb::DIAGNOSIS_CODE_PLAINTEXT_CONNECTION},
      {Observation::kTokenEndpointError, pb::DIAGNOSIS_CODE_OAUTH_TOKEN_ERROR},
      {Observation::kTlsCertificateExpiring, pb::DIAGNOSIS_CODE_TLS_CERTIFICATE_EXPIRING},
      {Observation::kAppPasswordLikely, pb::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED},
      {Observation::kSmtpOAuthUnavailable, pb::DIAGNOSIS_CODE_SMTP_OAUTH_UNAVAILABLE},
      {Observation::kGooglePasswordSmtp, pb::DIAGNOSIS_CODE_GOOGLE_SMTP_UNSUPPORTED},
      {Observation::kGooglePasswordSmtpWorks, pb::DIAGNOSIS_CODE_GOOGLE_SMTP_UNSUPPORTED},
      {Observation::kMicrosoftPasswordSmtpWorks, pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING},
      {Observation::kRefusedOnEveryPort, pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED},
      {Observation::kClosedBeforeGreeting, pb::DIAGNOSIS_CODE_IP_NOT_ALLOWLISTED},
      {Observation::kSmtpUtf8NotOffered, pb::DIAGNOSIS_CODE_SMTPUTF8_UNSUPPORTED},
      {Observation::kMessageOverSizeLimit, pb::DIAGNOSIS_CODE_MESSAGE_REJECTED},
      {Observation::kDroppedAfterHandOver, pb::DIAGNOSIS_CODE_SERVER_PROTOCOL_ERROR},
      {Observation::kAccessTokenRefused, pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID},
      {Observation::kAccessTokenRefusedUnclear, pb::DIAGNOSIS_CODE_OAUTH_GRANT_INVALID},
      {Observation::kDisabledWithoutLicense, pb::DIAGNOSIS_CODE_INTEGRATION_SHARED_MAILBOX},
  };
  ASSERT_EQ(expected.size(), static_cast<size_t>(Observation::kMaxValue) + 1);
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto [observation, code] = expected[i];
    ASSERT_EQ(static_cast<size_t>(observation), i);
    const Finding f = ClassifyObservation(observation, {"evidence " + std::to_string(i)});
    EXPECT_EQ(f.code, code) << "observation " << i;
    EXPECT_NE(FindEntry(f.code), nullptr) << "observation " << i;
    ASSERT_EQ(f.evidence.size(), 1u);
    EXPECT_EQ(f.evidence[0], "evidence " + std::to_string(i));
    EXPECT_GT(f.confidence, 0.0);
  }
  EXPECT_EQ(ObservationRules().size(), expected.size());
}

TEST(ClassifyObservationTest, WithheldPlaintextAuthIsAnErrorWithItsOwnText) {
  for (Observation o :
       {Observation::kPlaintextAuthStartTlsOffered, Observation::kPlaintextAuthNotAllowed}) {
    const Finding f = ClassifyObservation(o, {});
    EXPECT_EQ(f.severity, pb::SEVERITY_ERROR);
    EXPECT_NE(FindVariant(f.code, f.variant), nullptr) << f.variant;
  }
}

// A Google SMTP channel that works is a warning that the switch is required, never an error.
TEST(ClassifyObservationTest, WorkingPasswordSmtpAtProvidersIsAWarningWithItsOwnText) {
  const Finding google = ClassifyObservation(Observation::kGooglePasswordSmtpWorks, {});
  EXPECT_EQ(google.severity, pb::SEVERITY_WARNING);
  EXPECT_EQ(google.variant, "working");
  EXPECT_NE(FindVariant(google.code, google.variant), nullptr);
  const Finding failed = ClassifyObservation(Observation::kGooglePasswordSmtp, {});
  EXPECT_EQ(failed.severity, pb::SEVERITY_UNSPECIFIED);  // the catalog's error
  const Finding microsoft = ClassifyObservation(Observation::kMicrosoftPasswordSmtpWorks, {});
  EXPECT_EQ(microsoft.severity, pb::SEVERITY_WARNING);
  EXPECT_NE(FindVariant(microsoft.code, microsoft.variant), nullptr);
  const Finding apps = ClassifyObservation(Observation::kAppPasswordLikely, {});
  EXPECT_EQ(apps.variant, "app-password");
  EXPECT_LT(apps.confidence, 1.0);
}

// The XOAUTH2 check's findings fold into one information finding that names each cause and
// never advises the integration the channel already is.
TEST(SmtpOAuthInformationTest, FoldsEveryCauseIntoOneInfo) {
  EXPECT_TRUE(SmtpOAuthInformation({}).empty());
  Finding m365;
  m365.code = pb::DIAGNOSIS_CODE_M365_SMTP_AUTH_DISABLED;
  m365.variant = "tenant";
  m365.evidence = {
      "AUTH XOAUTH2: 535 5.7.139 Authentication unsuccessful, "
      "SmtpClientAuthentication is disabled for the Tenant."};
  Finding creds;
  creds.code = kCreds;
  creds.evidence = {"AUTH XOAUTH2: 535 5.7.3 Authentication unsuccessful"};
  const std::vector<Finding> out = SmtpOAuthInformation({creds, m365});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].code, pb::DIAGNOSIS_CODE_SMTP_OAUTH_UNAVAILABLE);
  EXPECT_EQ(out[0].variant, "smtp-auth-disabled");
  EXPECT_EQ(
      out[0].evidence,
      (std::vector<std::string>{"over SMTP (XOAUTH2): INVALID_CREDENTIALS", creds.evidence[0],
                                "over SMTP (XOAUTH2): M365_SMTP_AUTH_DISABLED", m365.evidence[0]}));
  for (Lang lang : {Lang::kEn, Lang::kDe}) {
    const pb::Diagnosis d = Render(out[0], lang, {});
    EXPECT_EQ(d.severity(), pb::SEVERITY_INFO);
    EXPECT_EQ(d.variant(), "smtp-auth-disabled");
    for (const char* advice : {"recommend", "empfehlen", "set up the direct", "einrichten"}) {
      EXPECT_EQ(d.remediation().find(advice), std::string::npos) << d.remediation();
    }
  }
}

// The rows that replaced codes the engines used to set themselves keep what those said.
TEST(ClassifyObservationTest, ConclusionsKeepTheirSeverityConfidenceAndVariant) {
  const Finding refused = ClassifyObservation(Observation::kRefusedOnEveryPort, {});
  EXPECT_EQ(refused.severity, pb::SEVERITY_ERROR);
  EXPECT_DOUBLE_EQ(refused.confidence, 0.5);
  EXPECT_EQ(refused.probe, "smtp.tcp");
  const Finding closed = ClassifyObservation(Observation::kClosedBeforeGreeting, {});
  EXPECT_EQ(closed.severity, pb::SEVERITY_ERROR);
  EXPECT_DOUBLE_EQ(closed.confidence, 0.6);
  EXPECT_EQ(closed.probe, "smtp.greeting");
  const Finding shared = ClassifyObservation(Observation::kSharedMailboxLikely, {});
  EXPECT_EQ(shared.severity, pb::SEVERITY_WARNING);
  const Finding dropped = ClassifyObservation(Observation::kDroppedAfterHandOver, {});
  EXPECT_EQ(dropped.variant, "dropped-after-data");
  EXPECT_NE(FindVariant(dropped.code, dropped.variant), nullptr);
  EXPECT_DOUBLE_EQ(ClassifyObservation(Observation::kAccessTokenRefused, {}).confidence, 0.8);
  EXPECT_DOUBLE_EQ(ClassifyObservation(Observation::kAccessTokenRefusedUnclear, {}).confidence,
                   0.6);
  for (Observation o : {Observation::kAccessTokenRefused, Observation::kAccessTokenRefusedUnclear,
                        Observation::kTokenForOtherAccount}) {
    const Finding f = ClassifyObservation(o, {});
    EXPECT_NE(FindVariant(f.code, f.variant), nullptr) << f.variant;
  }
  const Finding disabled = ClassifyObservation(Observation::kDisabledWithoutLicense, {});
  EXPECT_DOUBLE_EQ(disabled.confidence, 0.8);
  EXPECT_EQ(disabled.probe, "graph.user");
}

TEST(CapAtWarningTest, ErrorsBecomeWarningsTheRestStays) {
  std::vector<Finding> findings(4);
  findings[0].code = pb::DIAGNOSIS_CODE_INVALID_CREDENTIALS;  // catalog: error
  findings[1].code = pb::DIAGNOSIS_CODE_TLS_MODE_MISMATCH;
  findings[1].severity = pb::SEVERITY_ERROR;
  findings[2].code = pb::DIAGNOSIS_CODE_PROVIDER_SMTP_RETIRING;  // catalog: warning
  findings[3].code = pb::DIAGNOSIS_CODE_SMTP_OAUTH_UNAVAILABLE;
  findings[3].severity = pb::SEVERITY_INFO;
  CapAtWarning(findings);
  EXPECT_EQ(findings[0].severity, pb::SEVERITY_WARNING);
  EXPECT_EQ(findings[1].severity, pb::SEVERITY_WARNING);
  EXPECT_EQ(findings[2].severity, pb::SEVERITY_UNSPECIFIED);
  EXPECT_EQ(findings[3].severity, pb::SEVERITY_INFO);
}

TEST(ClassifyObservationTest, LikelyCausesAreNotCertain) {
  EXPECT_LT(ClassifyObservation(Observation::kSharedMailboxLikely, {}).confidence, 1.0);
  EXPECT_DOUBLE_EQ(ClassifyObservation(Observation::kConnectRefused, {}).confidence, 1.0);
  EXPECT_EQ(ClassifyObservation(Observation::kConnectRefused, {}).probe, "tcp");
}

}  // namespace
}  // namespace cv::diagnosis
