#include "smtp/exchange.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/display.h"
#include "common/strings.h"
#include "smtp/sasl.h"

namespace cv::smtp {
using Kind = StepResult::Kind;

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kOk:
      return "ok";
    case Kind::kRejected:
      return "rejected";
    case Kind::kTimedOut:
      return "timed out";
    case Kind::kClosed:
      return "connection closed";
    case Kind::kProtocolError:
      return "protocol error";
    case Kind::kNotTls:
      return "not TLS";
    case Kind::kTlsVersion:
      return "no common TLS version";
    case Kind::kTlsFailed:
      return "TLS handshake failed";
    case Kind::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

Exchange::Exchange(std::string ehlo_name, std::shared_ptr<Redactor> redactor)
    : ehlo_name_(std::move(ehlo_name)),
      redactor_(redactor != nullptr ? std::move(redactor) : std::make_shared<Redactor>()),
      transcript_(redactor_) {}

Exchange::~Exchange() { WipeWrite(); }

std::vector<std::string> Exchange::TakeTranscript() {
  const auto& lines = transcript_.lines();
  std::vector<std::string> out(
      lines.begin() + static_cast<std::ptrdiff_t>(std::min(transcript_taken_, lines.size())),
      lines.end());
  transcript_taken_ = lines.size();
  return out;
}

StepResult Exchange::TakeResult() {
  StepResult result = std::move(*result_);
  result_.reset();
  return result;
}

void Exchange::Begin(Op op) {
  op_ = op;
  result_.reset();
  request_ = {};
}

void Exchange::ReadGreeting() {
  Begin(Op::kGreeting);
  AwaitReply();
}

void Exchange::Ehlo() {
  Begin(Op::kEhlo);
  Send(smtp::Ehlo(ehlo_name_), false, false);
}

void Exchange::StartTls() {
  Begin(Op::kStartTls);
  Send(smtp::StartTls(), false, false);
}

void Exchange::Handshake() {
  Begin(Op::kHandshake);
  request_.kind = IoRequest::Kind::kHandshake;
}

void Exchange::Auth(std::string_view mechanism, std::string_view username, const Secret& secret) {
  const std::string mech = absl::AsciiStrToUpper(Av(mechanism));
  if (mech == "PLAIN") {
    Begin(Op::kAuthPlain);
    Send(AuthPlain(username, secret), false, true);
  } else if (mech == "XOAUTH2") {
    Begin(Op::kXoauth2);
    Send(AuthXoauth2(username, secret), false, true);
  } else {
    // LOGIN: two challenges, username then password.
    Begin(Op::kLoginStart);
    login_username_ = std::string(username);
    secret_ = &secret;
    Send(AuthLoginStart(), false, false);
  }
}

void Exchange::Command(std::string line) {
  Begin(Op::kCommand);
  Send(std::move(line), false, false);
}

void Exchange::SendBody(std::string_view body) {
  Begin(Op::kBody);
  transcript_.Note(absl::StrCat("message body: ", body.size(), " bytes"));
  write_what_ = "the message body write";
  request_ = {IoRequest::Kind::kWrite, body};
}

void Exchange::Send(std::string line, bool hidden, bool sasl) {
  if (sasl) {
    // The whole line, its argument (what an echoing server quotes) and, for base64, what it
    // decodes to: registered before a byte of it leaves.
    std::string_view body = line;
    if (body.ends_with("\r\n")) body.remove_suffix(2);
    redactor_->Add(body);
    const size_t space = body.rfind(' ');
    const std::string_view argument =
        space == std::string_view::npos ? body : body.substr(space + 1);
    redactor_->Add(argument);
    if (auto decoded = DecodeChallenge(argument)) {
      redactor_->Add(*decoded);
      Secret::WipeString(*decoded);
    }
  }
  if (line.empty()) {
    // An encoder refused its input (CR/LF/NUL): never send a half-made command.
    Finish({Kind::kProtocolError, std::nullopt, "refused to send an unsafe command"});
    return;
  }
  if (hidden) {
    transcript_.ClientSecret();
  } else {
    transcript_.Client(line);
  }
  WipeWrite();
  write_ = std::move(line);
  wipe_write_ = sasl;
  write_what_ = "the write";
  request_ = {IoRequest::Kind::kWrite, write_};
}

void Exchange::WipeWrite() {
  if (wipe_write_) Secret::WipeString(write_);
  wipe_write_ = false;
  write_.clear();
}

void Exchange::OnWritten(std::optional<IoFailure> failure) {
  request_ = {};
  WipeWrite();
  if (failure) {
    Finish(FromFailure(*failure, write_what_));
    return;
  }
  AwaitReply();
}

void Exchange::AwaitReply() {
  if (auto reply = parser_.Next()) {
    OnReply(Deliver(std::move(*reply)));
    return;
  }
  if (parser_.failed()) {
    const std::string error = parser_.ErrorText(redactor_.get());
    transcript_.Note(error);
    OnReply({Kind::kProtocolError, std::nullopt, error});
    return;
  }
  request_ = {IoRequest::Kind::kRead, {}};
}

void Exchange::OnRead(std::string_view bytes, std::optional<IoFailure> failure) {
  request_ = {};
  if (!bytes.empty()) parser_.Feed(bytes);
  if (failure) {
    // A reply that arrived together with the close is still the server's answer.
    if (auto reply = parser_.Next()) {
      OnReply(Deliver(std::move(*reply)));
      return;
    }
    if (!parser_.failed()) {
      StepResult result = FromFailure(*failure, "a reply");
      result.partial_bytes = parser_.buffered();
      if (result.partial_bytes > 0) {
        absl::StrAppend(&result.detail, "; only ", result.partial_bytes,
                        " bytes of it had arrived");
        transcript_.Note(result.detail);
      }
      OnReply(std::move(result));
      return;
    }
  }
  AwaitReply();
}

void Exchange::OnTlsEstablished(const net::TlsFacts& tls) {
  request_ = {};
  // Nothing said before TLS may be trusted after it.
  parser_ = ReplyParser();
  capabilities_ = Capabilities{};
  tls_ = tls;
  transcript_.Note(absl::StrCat("TLS established: ", tls_.version, " ", tls_.cipher));
  Finish({});
}

void Exchange::OnTlsFailed(const IoFailure& failure, net::TlsFailure kind,
                           std::string_view description) {
  request_ = {};
  parser_ = ReplyParser();
  capabilities_ = Capabilities{};
  StepResult result = FromFailure(failure, "the TLS handshake");
  if (result.kind == Kind::kTimedOut || result.kind == Kind::kCancelled) {
    Finish(std::move(result));
    return;
  }
  switch (kind) {
    case net::TlsFailure::kNotTls:
      result.kind = Kind::kNotTls;
      break;
    case net::TlsFailure::kVersion:
      result.kind = Kind::kTlsVersion;
      break;
    case net::TlsFailure::kHandshake:
      if (result.kind != Kind::kClosed) result.kind = Kind::kTlsFailed;
      break;
  }
  result.detail = absl::StrCat("TLS handshake failed: ", Av(description));
  transcript_.Note(result.detail);
  Finish(std::move(result));
}

void Exchange::OnReply(StepResult result) {
  const bool positive = result.ok();
  const int code = result.reply ? result.reply->code : 0;
  switch (op_) {
    case Op::kGreeting:
      if (result.kind == Kind::kTimedOut) {
        result.detail =
            result.partial_bytes == 0
                ? std::string("no greeting before the step's deadline")
                : absl::StrCat("the greeting did not end before the step's deadline; only ",
                               result.partial_bytes, " bytes of it had arrived");
      }
      if (positive && code != 220) result.kind = Kind::kRejected;
      break;
    case Op::kEhlo:
      if (result.kind == Kind::kRejected && result.reply && (code == 500 || code == 502)) {
        // A server without ESMTP: HELO still opens the dialog, with no extensions at all.
        op_ = Op::kHelo;
        Send(Helo(ehlo_name_), false, false);
        return;
      }
      if (positive) capabilities_ = ParseEhlo(*result.reply);
      break;
    case Op::kHelo:
      capabilities_ = Capabilities{};
      break;
    case Op::kStartTls:
      if (positive && code != 220) result.kind = Kind::kRejected;
      if (result.ok() && parser_.buffered() > 0) {
        // Bytes after the 220 would be read as if they came through TLS (response injection):
        // a server doing that is broken or attacked.
        result = {Kind::kProtocolError, result.reply,
                  "the server sent data after its STARTTLS reply, before TLS"};
      }
      break;
    case Op::kXoauth2:
      if (positive && code == 334) {
        // Google's error challenge: answer with an empty line to get the final reply; the
        // challenge itself (base64 JSON) stays in the transcript and the result's detail. The
        // reply is already scrubbed; what it decodes to passes the redactor again, as a server
        // could encode an echo.
        challenge_ = result.reply->Text();
        if (auto decoded = DecodeChallenge(challenge_)) {
          challenge_ = SanitizeForDisplay(redactor_->Scrub(*decoded));
        }
        op_ = Op::kXoauth2Final;
        Send(SaslEmptyResponse(), false, false);
        return;
      }
      break;
    case Op::kXoauth2Final:
      result.detail = absl::StrCat("XOAUTH2 challenge: ", challenge_);
      break;
    case Op::kLoginStart:
    case Op::kLoginUsername:
      if (!positive || code != 334) {
        if (positive) result.kind = Kind::kRejected;
        break;
      }
      if (op_ == Op::kLoginStart) {
        // The username is not a secret: registering it would redact it from every reply.
        op_ = Op::kLoginUsername;
        Send(AuthLoginUsername(login_username_), true, false);
      } else {
        op_ = Op::kLoginPassword;
        Send(AuthLoginPassword(*secret_), true, true);
      }
      return;
    case Op::kNone:
    case Op::kHandshake:
    case Op::kAuthPlain:
    case Op::kLoginPassword:
    case Op::kCommand:
    case Op::kBody:
      break;
  }
  Finish(std::move(result));
}

void Exchange::Finish(StepResult result) {
  request_ = {};
  op_ = Op::kNone;
  secret_ = nullptr;
  result_ = std::move(result);
}

StepResult Exchange::FromFailure(const IoFailure& failure, std::string_view what) const {
  StepResult result;
  switch (failure.kind) {
    case IoFailure::Kind::kTimedOut:
      result.kind = Kind::kTimedOut;
      result.detail = absl::StrCat("timed out waiting for ", Av(what));
      break;
    case IoFailure::Kind::kCancelled:
      result.kind = Kind::kCancelled;
      result.detail = "cancelled by the caller";
      break;
    case IoFailure::Kind::kClosed:
      result.kind = Kind::kClosed;
      result.detail = absl::StrCat("the server closed the connection while waiting for ", Av(what),
                                   " (", failure.message, ")");
      break;
    case IoFailure::Kind::kOther:
      result.kind = Kind::kClosed;
      result.detail = absl::StrCat(Av(what), ": ", failure.message);
      break;
  }
  return result;
}

StepResult Exchange::Deliver(Reply reply) {
  for (auto& line : reply.lines) line = SanitizeForDisplay(redactor_->Scrub(line));
  transcript_.Server(reply);
  const Kind kind = reply.IsPositive() ? Kind::kOk : Kind::kRejected;
  return StepResult{kind, std::move(reply), ""};
}

}  // namespace cv::smtp
