#pragma once

// The names of the probes and of their facts (channelverify.v1.Probe's `name` and `facts` keys):
// what channelctl, the tests and every other client read out of a response, so each is spelt
// once, here. It sits in diagnosis/ because the rule tables name the probe a finding usually
// belongs to; it holds nothing but names.
namespace cv::probes {

// An SMTP dialog's probes are "<dialog>.<step>": "smtp.ehlo", "alt.smtp.ehlo", "xoauth2.ehlo".
inline constexpr char kSmtp[] = "smtp";         // the channel's own dialog
inline constexpr char kAltSmtp[] = "alt.smtp";  // the usual alternative settings
inline constexpr char kXoauth2[] = "xoauth2";   // the direct integration's SMTP check

// The steps of a dialog, in the order they run. The rule tables also name a step alone ("tls")
// where any dialog's step is meant.
namespace step {
inline constexpr char kTcp[] = "tcp";
inline constexpr char kTls[] = "tls";
inline constexpr char kGreeting[] = "greeting";
inline constexpr char kEhlo[] = "ehlo";
inline constexpr char kStartTls[] = "starttls";
inline constexpr char kAuth[] = "auth";
inline constexpr char kMailFrom[] = "mail_from";
inline constexpr char kRcptTo[] = "rcpt_to";
inline constexpr char kData[] = "data";
inline constexpr char kDataEnd[] = "data_end";
}  // namespace step

// The channel's own dialog, step by step (kSmtp + "." + step; a unit test holds them equal).
inline constexpr char kSmtpTcp[] = "smtp.tcp";
inline constexpr char kSmtpTls[] = "smtp.tls";
inline constexpr char kSmtpGreeting[] = "smtp.greeting";
inline constexpr char kSmtpEhlo[] = "smtp.ehlo";
inline constexpr char kSmtpStartTls[] = "smtp.starttls";
inline constexpr char kSmtpAuth[] = "smtp.auth";
inline constexpr char kSmtpMailFrom[] = "smtp.mail_from";
// The stages of a message taken together, where no single step is meant.
inline constexpr char kSmtpSend[] = "smtp.send";
inline constexpr char kXoauth2Auth[] = "xoauth2.auth";

// Name resolution and the egress policy.
inline constexpr char kDnsHost[] = "dns.host";
inline constexpr char kDnsMx[] = "dns.mx";
inline constexpr char kEgress[] = "egress";

// The direct integration.
inline constexpr char kOAuthToken[] = "oauth.token";
inline constexpr char kOAuthTokenSmtp[] = "oauth.token.smtp";  // Exchange's own token
inline constexpr char kGraphUser[] = "graph.user";
inline constexpr char kGraphMailboxSettings[] = "graph.mailbox_settings";
inline constexpr char kGraphRoles[] = "graph.roles";
inline constexpr char kGraphSendCheck[] = "graph.send_check";
inline constexpr char kGraphSendMail[] = "graph.send_mail";
inline constexpr char kGmailProfile[] = "gmail.profile";
inline constexpr char kGmailSend[] = "gmail.send";
inline constexpr char kGoogleDirectory[] = "google.directory";

}  // namespace cv::probes

// The keys of Probe.facts. Values are text; flags are "true" / "false".
namespace cv::facts {

// SMTP.
inline constexpr char kReply[] = "reply";    // the step's last reply, redacted
inline constexpr char kServer[] = "server";  // the greeting's first line
// EHLO: the extension keywords the server advertised, space-separated ("PIPELINING SIZE
// STARTTLS AUTH"), on every EHLO probe; and what they mean for the dialog.
inline constexpr char kCapabilities[] = "capabilities";
inline constexpr char kAuthMechanisms[] = "auth_mechanisms";  // "PLAIN LOGIN"
inline constexpr char kStartTls[] = "starttls";               // kOffered or kNotOffered
inline constexpr char kOffered[] = "offered";
inline constexpr char kNotOffered[] = "not offered";
inline constexpr char kSizeLimit[] = "size_limit";
inline constexpr char kMechanism[] = "mechanism";  // the AUTH mechanism used
inline constexpr char kChallenge[] = "challenge";  // XOAUTH2's decoded challenge
inline constexpr char kSender[] = "sender";        // the sender check's address
inline constexpr char kMessageOctets[] = "message_octets";
// On every probe of an alternative setting tried beside the configured one: its TLS mode
// ("starttls", "implicit", "none"); the port is the probe's target.
inline constexpr char kTlsMode[] = "tls_mode";

// TLS, on an SMTP dialog's tls probe and on HTTPS calls.
inline constexpr char kTlsVersion[] = "tls_version";
inline constexpr char kCipher[] = "cipher";
inline constexpr char kCertSubject[] = "cert_subject";
inline constexpr char kCertIssuer[] = "cert_issuer";
inline constexpr char kCertNotAfter[] = "cert_not_after";
inline constexpr char kCertVerified[] = "cert_verified";
inline constexpr char kCertError[] = "cert_error";

// Names, addresses and the egress policy (whose probe also has one fact per address).
inline constexpr char kAddresses[] = "addresses";
inline constexpr char kAddress[] = "address";  // the one dialled
inline constexpr char kCnameChain[] = "cname_chain";
inline constexpr char kMx[] = "mx";
inline constexpr char kNotTried[] = "not_tried";
inline constexpr char kRefusedNotListed[] = "refused_not_listed";

// HTTPS calls of the direct integration.
inline constexpr char kHttpStatus[] = "http_status";
inline constexpr char kError[] = "error";
inline constexpr char kScopes[] = "scopes";
inline constexpr char kExpiresIn[] = "expires_in";
inline constexpr char kEmailAddress[] = "email_address";
inline constexpr char kUserPurpose[] = "user_purpose";
inline constexpr char kRoles[] = "roles";
inline constexpr char kLicenses[] = "licenses";
inline constexpr char kAccountEnabled[] = "account_enabled";
inline constexpr char kSendPermitted[] = "send_permitted";
inline constexpr char kIsAdmin[] = "is_admin";
inline constexpr char kIsMailboxSetup[] = "is_mailbox_setup";
inline constexpr char kSuspended[] = "suspended";
inline constexpr char kArchived[] = "archived";
inline constexpr char kMessageId[] = "message_id";
inline constexpr char kMessageIdVia[] = "message_id_via";
inline constexpr char kGmailId[] = "gmail_id";
inline constexpr char kGmailThreadId[] = "gmail_thread_id";
inline constexpr char kGmailLabels[] = "gmail_labels";

// A call answered from the memory of rejected passwords.
inline constexpr char kRejectedAt[] = "rejected_at";

}  // namespace cv::facts
