#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "channelverify/v1/channel_verifier.pb.h"
#include "diagnosis/probe_names.h"
#include "net/tls.h"
#include "smtp/commands.h"
#include "smtp/reply.h"

// What an SMTP dialog is asked to do with one endpoint, and what came of it: the terms in which
// the dialog machine (dialog_machine.h), its driver (smtp_dialog.h) and the engines talk.
namespace cv::verify {

// Where a dialog with one endpoint stopped short of a usable, TLS-protected session.
enum class TransportFailure {
  kNone,
  kConnectRefused,
  kConnectTimeout,
  kConnectFailed,
  kGreetingTimeout,   // connected, but the server said nothing
  kClosedEarly,       // connected, then closed or reset before or at the greeting
  kGreetingRejected,  // 554 (or other non-220) greeting
  kNotTls,            // implicit TLS met a plaintext server
  kTlsVersion,
  kTlsFailed,
  kStartTlsNotOffered,
  kStartTlsRejected,
  kProtocolError,
  kTimedOut,  // a later step ran out of time
  kCancelled,
};

// SendTest's message and envelope. The dialog sends it once, on the same connection right
// after a successful AUTH (or, for a channel without credentials, right after EHLO over TLS).
struct SendPlan {
  std::string from;
  std::string recipient;
  std::string stuffed;  // mail::DotStuff() of the message: ends with CRLF.CRLF
  uint64_t size = 0;    // octets of the message before stuffing, for SIZE=
  bool needs_smtputf8 = false;
};

// How far the send got. Nothing in the dialog ever sends a second time.
struct SendOutcome {
  bool attempted = false;    // MAIL FROM went out
  bool data_sent = false;    // the message was handed over (DATA was answered with 354)
  bool accepted = false;     // 2xx after the final "."
  std::string server_reply;  // the last reply of the send, redacted
  std::string skip_reason;   // why MAIL FROM was not sent, when it was not
};

// Why AUTH was not attempted on a connection without TLS (credentials never cross one, unless
// the server's address is in --allow_plaintext_auth_cidrs).
enum class AuthWithheld {
  kNo,
  kStartTlsOffered,  // the server offers STARTTLS: the channel should use it
  kNotAllowed,       // no TLS on offer and the address is not allowed plaintext AUTH
};

struct DialogOutcome {
  TransportFailure failure = TransportFailure::kNone;
  bool cut_by_caller = false;  // the failure was the caller's deadline
  std::string evidence;        // what the server said or did, redacted
  channelverify::v1::Provider greeting_provider = channelverify::v1::PROVIDER_UNSPECIFIED;
  smtp::Capabilities capabilities;  // the last EHLO's
  net::TlsFacts tls;
  bool tls_active = false;
  bool auth_attempted = false;
  bool auth_succeeded = false;
  AuthWithheld auth_withheld = AuthWithheld::kNo;
  std::string auth_withheld_evidence;
  uint16_t port = 0;  // the plan's
  // VerifyChannel's sender check (MAIL FROM, then RSET): it ran, and the server took the sender.
  bool sender_checked = false;
  bool sender_accepted = false;
  SendOutcome send;  // plan.send only
  // XOAUTH2: Google's error challenge (334 <base64 JSON>), decoded; the final AUTH reply.
  std::string auth_challenge;
  std::optional<smtp::Reply> auth_reply;
};

// One endpoint (host, port, TLS mode) and what to do there.
struct DialogPlan {
  std::string host;
  uint16_t port = 0;
  channelverify::v1::TlsMode tls_mode = channelverify::v1::TLS_MODE_STARTTLS;
  // Primary dialogs authenticate (once) or, without credentials, try MAIL FROM; alternative
  // dialogs stop after EHLO over TLS.
  bool primary = true;
  // The probes' names start with it (diagnosis/probe_names.h): "smtp.ehlo", "alt.smtp.ehlo", ...
  std::string probe_prefix = probes::kSmtp;
  channelverify::v1::Provider host_provider = channelverify::v1::PROVIDER_UNSPECIFIED;
  bool google_smtp_host = false;
  // SendTest: send this message after AUTH (primary dialogs only). Not owned.
  const SendPlan* send = nullptr;
  // "" authenticates with PLAIN or LOGIN, as offered; "XOAUTH2" sends the target's password as
  // a bearer token. An XOAUTH2 error challenge is left to the caller to classify.
  std::string auth_mechanism;
};

}  // namespace cv::verify
