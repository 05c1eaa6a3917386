#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <string>
#include <vector>

#include "net/tls.h"
#include "smtp/commands.h"
#include "verify/run.h"
#include "verify/smtp_request.h"

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
};

// One endpoint (host, port, TLS mode) and what to do there.
struct DialogPlan {
  std::string host;
  uint16_t port = 0;
  channelverify::v1::TlsMode tls_mode = channelverify::v1::TLS_MODE_STARTTLS;
  // Primary dialogs authenticate (once) or, without credentials, try MAIL FROM; alternative
  // dialogs stop after EHLO over TLS.
  bool primary = true;
  std::string probe_prefix = "smtp";  // "alt" for alternatives: "alt.tcp", "alt.smtp.ehlo", ...
  channelverify::v1::Provider host_provider = channelverify::v1::PROVIDER_UNSPECIFIED;
  bool google_smtp_host = false;
};

// Connects (to every address at once), then greeting, EHLO, STARTTLS or implicit TLS, EHLO,
// AUTH, QUIT, recording a probe per step and the findings of every server reply.
boost::asio::awaitable<DialogOutcome> RunSmtpDialog(const Run& run, const SmtpTarget& target,
                                                    DialogPlan plan,
                                                    std::vector<boost::asio::ip::address> addrs);

}  // namespace cv::verify
