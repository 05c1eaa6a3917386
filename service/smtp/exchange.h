#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/redactor.h"
#include "common/secret.h"
#include "net/tls.h"
#include "smtp/commands.h"
#include "smtp/reply.h"
#include "smtp/reply_parser.h"
#include "smtp/transcript.h"

// The client's side of one step of an SMTP dialog, without I/O (docs/architecture.md, principle
// 1): what to write, when to read and when to hand the connection to TLS, and what came of it.
// The caller moves the bytes and keeps the time; verify/dialog_machine.h decides what the
// results mean.
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

// How a write, a read or the TLS handshake failed, as whoever moves the bytes saw it.
struct IoFailure {
  enum class Kind {
    kTimedOut,   // the deadline passed
    kCancelled,  // the call went away
    kClosed,     // the server closed or reset the connection
    kOther,      // any other error of the socket
  };
  Kind kind = Kind::kOther;
  std::string message;  // the system's words for it
};

// What the exchange needs done now.
struct IoRequest {
  enum class Kind {
    kNone,       // nothing: the step is over (or none was started)
    kWrite,      // write `bytes`, then OnWritten()
    kRead,       // read what comes, then OnRead()
    kHandshake,  // the TLS client handshake, then OnTlsEstablished() or OnTlsFailed()
  };
  Kind kind = Kind::kNone;
  std::string_view bytes;  // kWrite; valid until the next call
};

// One step at a time: start it (ReadGreeting(), Ehlo(), ...), carry out request() and report
// how it went until done(), then TakeResult(). Every SASL line is registered with the redactor
// before it is handed out and wiped once written; everything the server says (replies, the
// decoded XOAUTH2 challenge, parser error quotes) passes that redactor before it is kept
// anywhere, and replies are escaped for display.
class Exchange {
 public:
  Exchange(std::string ehlo_name, std::shared_ptr<Redactor> redactor);
  ~Exchange();
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  void ReadGreeting();
  // EHLO (HELO when the server rejects EHLO with 500/502); capabilities() afterwards.
  void Ehlo();
  // STARTTLS and its 220; the handshake is a step of its own.
  void StartTls();
  // The TLS client handshake (implicit TLS or after STARTTLS); tls() afterwards.
  void Handshake();
  // One AUTH exchange with PLAIN, LOGIN or XOAUTH2. `secret` outlives the step. Never retried.
  void Auth(std::string_view mechanism, std::string_view username, const Secret& secret);
  // Any one-line command (MAIL FROM, RCPT TO, DATA, RSET) and its reply.
  void Command(std::string line);
  // The message body, already dot-stuffed and ending with CRLF.CRLF (it outlives the step),
  // and the final reply.
  void SendBody(std::string_view body);

  // The write of request() went out whole, or failed.
  void OnWritten(std::optional<IoFailure> failure = std::nullopt);
  // Bytes that came for request()'s read; `failure` when the read also ended in an error.
  void OnRead(std::string_view bytes, std::optional<IoFailure> failure = std::nullopt);
  void OnTlsEstablished(const net::TlsFacts& tls);
  // `kind` and `description` are what the TLS layer made of the error.
  void OnTlsFailed(const IoFailure& failure, net::TlsFailure kind, std::string_view description);

  const IoRequest& request() const { return request_; }
  bool done() const { return result_.has_value(); }
  StepResult TakeResult();

  const Capabilities& capabilities() const { return capabilities_; }
  const net::TlsFacts& tls() const { return tls_; }
  // Bytes of a reply that has begun and not ended.
  size_t buffered() const { return parser_.buffered(); }
  // The transcript lines since the last call.
  std::vector<std::string> TakeTranscript();

 private:
  enum class Op {
    kNone,
    kGreeting,
    kEhlo,
    kHelo,
    kStartTls,
    kHandshake,
    kAuthPlain,
    kXoauth2,
    kXoauth2Final,
    kLoginStart,
    kLoginUsername,
    kLoginPassword,
    kCommand,
    kBody,
  };

  void Begin(Op op);
  // Writes `line`: `hidden` records it as "<redacted>", `sasl` registers it with the redactor
  // first and wipes it once written.
  void Send(std::string line, bool hidden, bool sasl);
  // The reply the parser holds, else a read.
  void AwaitReply();
  // What a reply (or a failed read) means for the step under way: done, or one more round.
  void OnReply(StepResult result);
  void Finish(StepResult result);
  StepResult FromFailure(const IoFailure& failure, std::string_view what) const;
  StepResult Deliver(Reply reply);
  void WipeWrite();

  std::string ehlo_name_;
  std::shared_ptr<Redactor> redactor_;
  ReplyParser parser_;
  Transcript transcript_;
  size_t transcript_taken_ = 0;
  Capabilities capabilities_;
  net::TlsFacts tls_;

  Op op_ = Op::kNone;
  IoRequest request_;
  std::optional<StepResult> result_;
  std::string write_;            // the line being written
  std::string_view write_what_;  // how a failed write is named
  bool wipe_write_ = false;
  std::string login_username_;      // AUTH LOGIN's second round
  const Secret* secret_ = nullptr;  // AUTH LOGIN's third round
  std::string challenge_;           // XOAUTH2's decoded error challenge
};

}  // namespace cv::smtp
