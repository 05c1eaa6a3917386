#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/redactor.h"
#include "common/secret.h"
#include "net/conn.h"
#include "net/tls.h"
#include "smtp/commands.h"
#include "smtp/reply.h"
#include "smtp/reply_parser.h"
#include "smtp/transcript.h"

namespace cv::smtp {

// How one step of the dialog ended.
struct StepResult {
  enum class Kind {
    kOk,
    kRejected,       // the server answered with a failure reply (see reply)
    kTimedOut,       // the step's deadline passed
    kClosed,         // the server closed or reset the connection
    kProtocolError,  // malformed, overlong or endless reply
    kNotTls,         // the TLS handshake met something that is not TLS
    kTlsVersion,     // no TLS version in common
    kTlsFailed,      // any other handshake failure
    kCancelled,      // the caller went away
  };
  Kind kind = Kind::kOk;
  std::optional<Reply> reply;  // redacted
  std::string detail;          // what went wrong, for the probe
  // Bytes of a reply that had begun but not ended when the step stopped: a server that
  // trickles (or never ends) its reply is talking, unlike a silent one.
  size_t partial_bytes = 0;

  bool ok() const { return kind == Kind::kOk; }
};

std::string_view KindName(StepResult::Kind kind);

// Drives one SMTP dialog over a connected Conn: each method sends a command, reads the reply
// through the sans-I/O parser and returns how it went. Every SASL line is registered with the
// call's redactor as it is made, and everything the server says (replies, the decoded XOAUTH2
// challenge, parser error quotes) passes that redactor before it is kept anywhere; replies are
// also escaped for display. The caller decides what a result means and
// records it; this class only talks. Use from the connection's strand.
class Session {
 public:
  Session(std::shared_ptr<net::Conn> conn, std::string host, std::string ehlo_name,
          std::shared_ptr<Redactor> redactor);

  boost::asio::awaitable<StepResult> ReadGreeting(net::Clock::time_point deadline);
  // EHLO (HELO when the server rejects EHLO with 500/502); capabilities() afterwards.
  boost::asio::awaitable<StepResult> Ehlo(net::Clock::time_point deadline);
  // STARTTLS and its 220; the handshake is a separate step.
  boost::asio::awaitable<StepResult> StartTls(net::Clock::time_point deadline);
  // TLS client handshake (implicit TLS or after STARTTLS); tls() afterwards.
  boost::asio::awaitable<StepResult> Handshake(net::Clock::time_point deadline);
  // One AUTH exchange with PLAIN, LOGIN or XOAUTH2. Never retried.
  boost::asio::awaitable<StepResult> Auth(std::string_view mechanism, std::string_view username,
                                          const Secret& secret, net::Clock::time_point deadline);
  // Any one-line command (MAIL FROM, RCPT TO, DATA, RSET) and its reply.
  boost::asio::awaitable<StepResult> Command(std::string line, net::Clock::time_point deadline);
  // The message body, already dot-stuffed and ending with CRLF.CRLF, and the final reply.
  boost::asio::awaitable<StepResult> SendBody(std::string_view body,
                                              net::Clock::time_point deadline);
  // QUIT without waiting for the 221 (a verification need not pay for that round trip), then
  // close.
  boost::asio::awaitable<void> QuitAndClose();

  const Capabilities& capabilities() const { return capabilities_; }
  const net::TlsFacts& tls() const { return tls_; }
  const net::Conn& conn() const { return *conn_; }
  // The transcript lines since the last call.
  std::vector<std::string> TakeTranscript();

 private:
  boost::asio::awaitable<StepResult> Send(std::string_view line, bool secret,
                                          net::Clock::time_point deadline);
  // Registers a SASL line with the redactor and sends it; the line is wiped afterwards.
  boost::asio::awaitable<StepResult> SendSasl(std::string line, bool secret,
                                              net::Clock::time_point deadline);
  boost::asio::awaitable<StepResult> ReadReply(net::Clock::time_point deadline);
  StepResult FromError(const boost::system::error_code& ec, std::string_view what) const;
  Reply Clean(Reply reply) const;
  StepResult Deliver(Reply reply);

  std::shared_ptr<net::Conn> conn_;
  std::string host_;
  std::string ehlo_name_;
  std::shared_ptr<Redactor> redactor_;
  ReplyParser parser_;
  Transcript transcript_;
  size_t transcript_taken_ = 0;
  Capabilities capabilities_;
  net::TlsFacts tls_;
  std::vector<char> buffer_;
};

}  // namespace cv::smtp
