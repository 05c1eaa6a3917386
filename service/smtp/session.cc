#include "smtp/session.h"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "smtp/sasl.h"

namespace cv::smtp {
namespace asio = boost::asio;
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

Session::Session(std::shared_ptr<net::Conn> conn, std::string host, std::string ehlo_name,
                 std::shared_ptr<Redactor> redactor)
    : conn_(std::move(conn)),
      host_(std::move(host)),
      ehlo_name_(std::move(ehlo_name)),
      redactor_(redactor != nullptr ? std::move(redactor) : std::make_shared<Redactor>()),
      transcript_(redactor_),
      buffer_(4096) {}

std::vector<std::string> Session::TakeTranscript() {
  const auto& lines = transcript_.lines();
  std::vector<std::string> out(
      lines.begin() + static_cast<std::ptrdiff_t>(std::min(transcript_taken_, lines.size())),
      lines.end());
  transcript_taken_ = lines.size();
  return out;
}

Reply Session::Clean(Reply reply) const {
  for (auto& line : reply.lines) line = SanitizeForDisplay(redactor_->Scrub(line));
  return reply;
}

StepResult Session::FromError(const boost::system::error_code& ec, std::string_view what) const {
  StepResult result;
  if (ec == asio::error::timed_out) {
    result.kind = Kind::kTimedOut;
    result.detail = absl::StrCat("timed out waiting for ", Av(what));
  } else if (ec == asio::error::operation_aborted) {
    result.kind = Kind::kCancelled;
    result.detail = "cancelled by the caller";
  } else if (ec == asio::error::eof || ec == asio::error::connection_reset ||
             ec == asio::ssl::error::stream_truncated || ec == asio::error::broken_pipe) {
    result.kind = Kind::kClosed;
    result.detail = absl::StrCat("the server closed the connection while waiting for ", Av(what),
                                 " (", ec.message(), ")");
  } else {
    result.kind = Kind::kClosed;
    result.detail = absl::StrCat(Av(what), ": ", ec.message());
  }
  return result;
}

asio::awaitable<StepResult> Session::Send(std::string_view line, bool secret,
                                          net::Clock::time_point deadline) {
  if (line.empty()) {
    // An encoder refused its input (CR/LF/NUL): never send a half-made command.
    co_return StepResult{Kind::kProtocolError, std::nullopt, "refused to send an unsafe command"};
  }
  if (secret) {
    transcript_.ClientSecret();
  } else {
    transcript_.Client(line);
  }
  const auto ec = co_await conn_->Write(line, deadline);
  if (ec) co_return FromError(ec, "the write");
  co_return StepResult{};
}

asio::awaitable<StepResult> Session::SendSasl(std::string line, bool secret,
                                              net::Clock::time_point deadline) {
  // The whole line, its argument (what an echoing server quotes) and, for base64, what it
  // decodes to: registered before a byte of it leaves.
  std::string_view body = line;
  if (body.ends_with("\r\n")) body.remove_suffix(2);
  redactor_->Add(body);
  const size_t space = body.rfind(' ');
  const std::string_view argument = space == std::string_view::npos ? body : body.substr(space + 1);
  redactor_->Add(argument);
  if (auto decoded = DecodeChallenge(argument)) {
    redactor_->Add(*decoded);
    Secret::WipeString(*decoded);
  }
  StepResult sent = co_await Send(line, secret, deadline);
  Secret::WipeString(line);
  co_return sent;
}

StepResult Session::Deliver(Reply reply) {
  Reply clean = Clean(std::move(reply));
  transcript_.Server(clean);
  const Kind kind = clean.IsPositive() ? Kind::kOk : Kind::kRejected;
  return StepResult{kind, std::move(clean), ""};
}

asio::awaitable<StepResult> Session::ReadReply(net::Clock::time_point deadline) {
  for (;;) {
    if (auto reply = parser_.Next()) co_return Deliver(std::move(*reply));
    if (parser_.failed()) {
      const std::string error = parser_.ErrorText(redactor_.get());
      transcript_.Note(error);
      co_return StepResult{Kind::kProtocolError, std::nullopt, error};
    }
    auto [ec, n] = co_await conn_->ReadSome(asio::buffer(buffer_), deadline);
    if (n > 0) parser_.Feed(std::string_view(buffer_.data(), n));
    if (ec) {
      // A reply that arrived together with the close is still the server's answer.
      if (auto reply = parser_.Next()) co_return Deliver(std::move(*reply));
      if (!parser_.failed()) {
        StepResult result = FromError(ec, "a reply");
        result.partial_bytes = parser_.buffered();
        if (result.partial_bytes > 0) {
          absl::StrAppend(&result.detail, "; only ", result.partial_bytes,
                          " bytes of it had arrived");
          transcript_.Note(result.detail);
        }
        co_return result;
      }
    }
  }
}

asio::awaitable<StepResult> Session::ReadGreeting(net::Clock::time_point deadline) {
  StepResult result = co_await ReadReply(deadline);
  if (result.kind == Kind::kTimedOut) {
    result.detail = result.partial_bytes == 0
                        ? std::string("no greeting before the step's deadline")
                        : absl::StrCat("the greeting did not end before the step's deadline; only ",
                                       result.partial_bytes, " bytes of it had arrived");
  }
  if (result.ok() && result.reply->code != 220) result.kind = Kind::kRejected;
  co_return result;
}

asio::awaitable<StepResult> Session::Ehlo(net::Clock::time_point deadline) {
  StepResult sent = co_await Send(smtp::Ehlo(ehlo_name_), false, deadline);
  if (!sent.ok()) co_return sent;
  StepResult result = co_await ReadReply(deadline);
  if (result.kind == Kind::kRejected && result.reply &&
      (result.reply->code == 500 || result.reply->code == 502)) {
    // A server without ESMTP: HELO still opens the dialog, with no extensions at all.
    sent = co_await Send(smtp::Helo(ehlo_name_), false, deadline);
    if (!sent.ok()) co_return sent;
    result = co_await ReadReply(deadline);
    capabilities_ = Capabilities{};
    co_return result;
  }
  if (result.ok()) capabilities_ = ParseEhlo(*result.reply);
  co_return result;
}

asio::awaitable<StepResult> Session::StartTls(net::Clock::time_point deadline) {
  StepResult sent = co_await Send(smtp::StartTls(), false, deadline);
  if (!sent.ok()) co_return sent;
  StepResult result = co_await ReadReply(deadline);
  if (result.ok() && result.reply->code != 220) result.kind = Kind::kRejected;
  if (result.ok() && parser_.buffered() > 0) {
    // Bytes after the 220 would be read as if they came through TLS (response injection):
    // a server doing that is broken or attacked.
    co_return StepResult{Kind::kProtocolError, result.reply,
                         "the server sent data after its STARTTLS reply, before TLS"};
  }
  co_return result;
}

asio::awaitable<StepResult> Session::Handshake(net::Clock::time_point deadline) {
  const auto ec = co_await conn_->Handshake(host_, deadline);
  // Nothing said before TLS may be trusted after it.
  parser_ = ReplyParser();
  capabilities_ = Capabilities{};
  if (!ec) {
    tls_ = net::InspectSession(conn_->native_ssl());
    transcript_.Note(absl::StrCat("TLS established: ", tls_.version, " ", tls_.cipher));
    co_return StepResult{};
  }
  StepResult result = FromError(ec, "the TLS handshake");
  if (result.kind == Kind::kTimedOut || result.kind == Kind::kCancelled) co_return result;
  switch (net::ClassifyHandshakeError(ec)) {
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
  result.detail = absl::StrCat("TLS handshake failed: ", net::DescribeTlsError(ec));
  transcript_.Note(result.detail);
  co_return result;
}

asio::awaitable<StepResult> Session::Auth(std::string_view mechanism, std::string_view username,
                                          const Secret& secret, net::Clock::time_point deadline) {
  const std::string mech = absl::AsciiStrToUpper(Av(mechanism));
  if (mech == "PLAIN") {
    StepResult sent = co_await SendSasl(AuthPlain(username, secret), false, deadline);
    if (!sent.ok()) co_return sent;
    co_return co_await ReadReply(deadline);
  }
  if (mech == "XOAUTH2") {
    StepResult sent = co_await SendSasl(AuthXoauth2(username, secret), false, deadline);
    if (!sent.ok()) co_return sent;
    StepResult result = co_await ReadReply(deadline);
    if (result.ok() && result.reply->code == 334) {
      // Google's error challenge: answer with an empty line to get the final reply; the
      // challenge itself (base64 JSON) stays in the transcript and the result's detail.
      // The reply is already scrubbed; what it decodes to passes the redactor again, as a
      // server could encode an echo.
      std::string challenge = result.reply->Text();
      if (auto decoded = DecodeChallenge(challenge)) {
        challenge = SanitizeForDisplay(redactor_->Scrub(*decoded));
      }
      sent = co_await Send(SaslEmptyResponse(), false, deadline);
      if (!sent.ok()) co_return sent;
      StepResult final_reply = co_await ReadReply(deadline);
      final_reply.detail = absl::StrCat("XOAUTH2 challenge: ", challenge);
      co_return final_reply;
    }
    co_return result;
  }
  // LOGIN: two challenges, username then password.
  StepResult sent = co_await Send(AuthLoginStart(), false, deadline);
  if (!sent.ok()) co_return sent;
  StepResult result = co_await ReadReply(deadline);
  if (!result.ok() || result.reply->code != 334) {
    if (result.ok()) result.kind = Kind::kRejected;
    co_return result;
  }
  // The username is not a secret: registering it would redact it from every reply.
  sent = co_await Send(AuthLoginUsername(username), true, deadline);
  if (!sent.ok()) co_return sent;
  result = co_await ReadReply(deadline);
  if (!result.ok() || result.reply->code != 334) {
    if (result.ok()) result.kind = Kind::kRejected;
    co_return result;
  }
  sent = co_await SendSasl(AuthLoginPassword(secret), true, deadline);
  if (!sent.ok()) co_return sent;
  co_return co_await ReadReply(deadline);
}

asio::awaitable<StepResult> Session::Command(std::string line, net::Clock::time_point deadline) {
  StepResult sent = co_await Send(line, false, deadline);
  if (!sent.ok()) co_return sent;
  co_return co_await ReadReply(deadline);
}

asio::awaitable<StepResult> Session::SendBody(std::string_view body,
                                              net::Clock::time_point deadline) {
  transcript_.Note(absl::StrCat("message body: ", body.size(), " bytes"));
  const auto ec = co_await conn_->Write(body, deadline);
  if (ec) co_return FromError(ec, "the message body write");
  co_return co_await ReadReply(deadline);
}

asio::awaitable<void> Session::QuitAndClose() {
  transcript_.Client(smtp::Quit());
  co_await conn_->Write(smtp::Quit(), net::Clock::now() + std::chrono::milliseconds(200));
  conn_->Close();
}

}  // namespace cv::smtp
