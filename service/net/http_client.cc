#include "net/http_client.h"

#include <array>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "absl/strings/str_cat.h"
#include "common/display.h"
#include "common/strings.h"
#include "net/address_select.h"
#include "net/socket_budget.h"

namespace cv::net {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using error_code = boost::system::error_code;

std::string_view HttpFailureName(HttpFailure failure) {
  switch (failure) {
    case HttpFailure::kNone:
      return "ok";
    case HttpFailure::kDnsNotFound:
      return "dns-not-found";
    case HttpFailure::kDnsFailed:
      return "dns-failed";
    case HttpFailure::kForbidden:
      return "forbidden";
    case HttpFailure::kConnectRefused:
      return "connect-refused";
    case HttpFailure::kConnectTimeout:
      return "connect-timeout";
    case HttpFailure::kConnectFailed:
      return "connect-failed";
    case HttpFailure::kTlsFailed:
      return "tls-failed";
    case HttpFailure::kCertificateInvalid:
      return "certificate-invalid";
    case HttpFailure::kTimedOut:
      return "timed-out";
    case HttpFailure::kCancelled:
      return "cancelled";
    case HttpFailure::kClosed:
      return "closed";
    case HttpFailure::kTooLarge:
      return "too-large";
    case HttpFailure::kMalformed:
      return "malformed";
  }
  return "unknown";
}

namespace {

// Header text from the server, made safe to show: control bytes escaped, length capped.
std::string Clean(std::string_view s) {
  constexpr size_t kMax = 512;
  return SanitizeForDisplay(s.substr(0, kMax));
}

bool HasLineBreakOrNul(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// A request line or header value we built must not be able to start a new header.
bool SafeToSend(const HttpRequest& r) {
  if (r.method.empty() || HasLineBreakOrNul(r.method) || HasLineBreakOrNul(r.content_type)) {
    return false;
  }
  const std::string target = r.url.path + r.target;
  if (target.find_first_of(" \r\n\t") != std::string::npos || HasLineBreakOrNul(target)) {
    return false;
  }
  for (const auto& [name, value] : r.headers) {
    if (HasLineBreakOrNul(name) || HasLineBreakOrNul(value)) return false;
  }
  for (unsigned char c : r.bearer.Reveal()) {
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

class Exchange {
 public:
  Exchange(const HttpEnv& env, const HttpRequest& request, Budget budget,
           std::shared_ptr<CancelScope> scope)
      : env_(env), request_(request), budget_(budget), scope_(std::move(scope)) {}

  asio::awaitable<HttpExchange> Run() {
    if (!SafeToSend(request_)) {
      out_.failure = HttpFailure::kMalformed;
      out_.detail = "refused to send a request with a line break in it";
      co_return std::move(out_);
    }
    std::vector<asio::ip::address> addresses;
    if (!co_await Resolve(&addresses)) co_return std::move(out_);
    if (!Vet(&addresses)) co_return std::move(out_);
    auto conn = co_await Dial(addresses);
    if (conn == nullptr) co_return std::move(out_);
    if (co_await Secure(*conn) && co_await SendRequest(*conn)) co_await ReadResponse(*conn);
    conn->Close();
    co_return std::move(out_);
  }

 private:
  // Maps a failed Conn operation; true if it was a timeout or cancellation (already mapped).
  bool Interrupted(const error_code& ec, Clock::time_point step_deadline) {
    if (ec == asio::error::operation_aborted) {
      out_.failure = HttpFailure::kCancelled;
      out_.detail = "cancelled by the caller";
      return true;
    }
    if (ec == asio::error::timed_out) {
      out_.failure = HttpFailure::kTimedOut;
      out_.cut_by_caller = budget_.CutByCaller(step_deadline);
      return true;
    }
    return false;
  }

  asio::awaitable<bool> Resolve(std::vector<asio::ip::address>* addresses) {
    error_code ec;
    const auto literal = asio::ip::make_address(request_.url.host, ec);
    if (!ec) {
      addresses->push_back(literal);
    } else {
      if (env_.dns == nullptr) {
        out_.failure = HttpFailure::kDnsFailed;
        out_.detail = "no resolver configured";
        co_return false;
      }
      const auto deadline = budget_.Step(env_.timeouts.dns);
      HostLookup lookup = co_await env_.dns->ResolveHost(request_.url.host, deadline);
      if (lookup.outcome != DnsOutcome::kOk || lookup.addresses.empty()) {
        out_.failure = lookup.outcome == DnsOutcome::kNameNotFound ? HttpFailure::kDnsNotFound
                                                                   : HttpFailure::kDnsFailed;
        if (lookup.outcome == DnsOutcome::kTimedOut) {
          out_.cut_by_caller = budget_.CutByCaller(deadline);
        }
        out_.detail = absl::StrCat(request_.url.host, ": ",
                                   lookup.error.empty() ? "no address" : lookup.error);
        co_return false;
      }
      *addresses = std::move(lookup.addresses);
    }
    for (const auto& a : *addresses) out_.addresses.push_back(a.to_string());
    co_return true;
  }

  // As for SMTP: one refused address refuses the name, since mixed answers are how DNS-based
  // SSRF is tried, and the endpoints of Google and Microsoft never give them.
  bool Vet(std::vector<asio::ip::address>* addresses) {
    std::vector<asio::ip::address> allowed;
    for (const auto& a : *addresses) {
      const auto decision = env_.egress->Check(a, request_.url.port, Purpose::kHttps);
      if (!decision.allowed) {
        out_.failure = HttpFailure::kForbidden;
        out_.detail =
            absl::StrCat(a.to_string(), " port ", request_.url.port, ": ", decision.reason);
        return false;
      }
      allowed.push_back(Normalize(a));
    }
    *addresses = std::move(allowed);
    return true;
  }

  asio::awaitable<std::shared_ptr<Conn>> Dial(const std::vector<asio::ip::address>& addresses) {
    auto executor = co_await asio::this_coro::executor;
    bool refused_all = true;
    for (const auto& address : SelectAddresses(addresses, env_.max_addresses)) {
      if (budget_.Expired()) break;
      auto conn = Conn::Create(executor, env_.tls, scope_);
      const auto deadline = budget_.Step(env_.timeouts.connect);
      const asio::ip::tcp::endpoint endpoint(address, request_.url.port);
      const error_code ec = co_await conn->Connect(endpoint, deadline);
      if (!ec) {
        out_.dialed = endpoint.address().is_v6()
                          ? absl::StrCat("[", address.to_string(), "]:", request_.url.port)
                          : absl::StrCat(address.to_string(), ":", request_.url.port);
        co_return conn;
      }
      conn->Close();
      if (IsLocalResourceError(ec)) {
        // This machine's shortage: no other address would fare better, and nothing here is
        // about the remote side.
        out_.failure = HttpFailure::kConnectFailed;
        out_.local_resource = LocalResourceName(ec);
        out_.detail = absl::StrCat("connect: ", ec.message());
        co_return nullptr;
      }
      if (Interrupted(ec, deadline)) {
        if (out_.failure == HttpFailure::kCancelled) co_return nullptr;
        out_.failure = HttpFailure::kConnectTimeout;
        refused_all = false;
      } else {
        out_.failure = ec == asio::error::connection_refused ? HttpFailure::kConnectRefused
                                                             : HttpFailure::kConnectFailed;
        if (ec != asio::error::connection_refused) refused_all = false;
      }
      out_.detail = absl::StrCat("connect to ", address.to_string(), " port ", request_.url.port,
                                 ": ", ec.message());
    }
    if (out_.failure == HttpFailure::kNone) {
      out_.failure = HttpFailure::kTimedOut;
      out_.cut_by_caller = true;
      out_.detail = "no time left to connect";
    } else if (out_.failure == HttpFailure::kConnectRefused && !refused_all) {
      out_.failure = HttpFailure::kConnectFailed;
    }
    co_return nullptr;
  }

  asio::awaitable<bool> Secure(Conn& conn) {
    const auto deadline = budget_.Step(env_.timeouts.tls);
    const error_code ec = co_await conn.Handshake(request_.url.host, deadline);
    if (ec) {
      if (!Interrupted(ec, deadline)) out_.failure = HttpFailure::kTlsFailed;
      out_.detail = absl::StrCat("TLS handshake: ", DescribeTlsError(ec));
      co_return false;
    }
    out_.tls_done = true;
    out_.tls = InspectSession(conn.native_ssl());
    if (!out_.tls.verified) {
      // The request carries a token or a client secret: it goes to a verified peer or nowhere.
      out_.failure = HttpFailure::kCertificateInvalid;
      out_.detail = absl::StrCat("certificate not accepted (", out_.tls.verify_kind,
                                 "): ", out_.tls.verify_error, "; nothing was sent");
      co_return false;
    }
    co_return true;
  }

  asio::awaitable<bool> SendRequest(Conn& conn) {
    const HttpRequest& r = request_;
    const std::string target = r.url.path + r.target;
    std::string head = absl::StrCat(r.method, " ", target, " HTTP/1.1\r\n");
    out_.transcript.push_back(absl::StrCat("C: ", r.method, " ", target, " HTTP/1.1"));
    std::vector<std::pair<std::string, std::string>> headers = {
        {"Host", r.url.HostHeader()},
        {"User-Agent", "channel-verifier/0.1"},
        {"Accept", "application/json"},
        {"Connection", "close"}};
    for (const auto& h : r.headers) headers.push_back(h);
    const bool has_body = !r.body.empty() || r.method == "POST";
    if (has_body) {
      if (!r.content_type.empty()) headers.emplace_back("Content-Type", r.content_type);
      headers.emplace_back("Content-Length", std::to_string(r.body.size()));
    }
    for (const auto& [name, value] : headers) {
      absl::StrAppend(&head, name, ": ", value, "\r\n");
      out_.transcript.push_back(absl::StrCat("C: ", name, ": ", value));
    }
    if (!r.bearer.empty()) out_.transcript.push_back("C: Authorization: Bearer <redacted>");
    if (has_body) {
      out_.transcript.push_back(absl::StrCat("C: <body: ", r.body.size(), " bytes, not shown>"));
    }
    // The wire form holds the secrets; Secret wipes it when the request is out.
    std::string wire = std::move(head);
    if (!r.bearer.empty())
      absl::StrAppend(&wire, "Authorization: Bearer ", Av(r.bearer.Reveal()), "\r\n");
    wire += "\r\n";
    wire.append(r.body.Reveal());
    const Secret secret_wire(std::move(wire));
    const auto deadline = budget_.Step(env_.timeouts.http);
    const error_code ec = co_await conn.Write(secret_wire.Reveal(), deadline);
    if (ec) {
      if (!Interrupted(ec, deadline)) out_.failure = HttpFailure::kClosed;
      out_.detail = absl::StrCat("sending the request: ", ec.message());
      co_return false;
    }
    out_.request_sent = true;
    co_return true;
  }

  void FailParse(const error_code& ec) {
    if (ec == http::error::body_limit || ec == http::error::header_limit ||
        ec == http::error::buffer_overflow) {
      out_.failure = HttpFailure::kTooLarge;
      out_.detail =
          absl::StrCat("response larger than allowed (", ec.message(), "): ",
                       ec == http::error::body_limit
                           ? absl::StrCat("body over ", env_.limits.max_body_bytes, " bytes")
                           : absl::StrCat("header over ", env_.limits.max_header_bytes, " bytes"));
    } else {
      out_.failure = HttpFailure::kMalformed;
      out_.detail = absl::StrCat("not a valid HTTP/1.1 response: ", ec.message());
    }
  }

  asio::awaitable<void> ReadResponse(Conn& conn) {
    http::response_parser<http::string_body> parser;
    parser.header_limit(static_cast<uint32_t>(env_.limits.max_header_bytes));
    parser.body_limit(env_.limits.max_body_bytes);
    parser.eager(true);
    // One deadline for the whole response: a server that trickles bytes cannot stretch it.
    const auto deadline = budget_.Step(env_.timeouts.http);
    std::array<char, 8192> buffer;
    std::string pending;
    while (!parser.is_done()) {
      auto [ec, n] = co_await conn.ReadSome(asio::buffer(buffer), deadline);
      if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
        error_code parse_ec = http::error::partial_message;
        // Beast asserts that the parser got something before an EOF: a server that closes
        // without a byte of response must not reach put_eof (it aborted debug builds).
        if (parser.got_some()) parser.put_eof(parse_ec);
        if (parse_ec) {
          out_.failure = HttpFailure::kClosed;
          out_.detail = parser.is_header_done()
                            ? "the server closed the connection in the middle of the body"
                            : (pending.empty() && !parser.got_some()
                                   ? "the server closed the connection without a response"
                                   : "the server closed the connection in the middle of the "
                                     "header");
          break;
        }
        break;
      }
      if (ec) {
        if (!Interrupted(ec, deadline)) out_.failure = HttpFailure::kClosed;
        out_.detail = absl::StrCat("reading the response: ", ec.message());
        break;
      }
      pending.append(buffer.data(), n);
      bool failed = false;
      while (!pending.empty() && !parser.is_done()) {
        error_code parse_ec;
        const size_t used = parser.put(asio::buffer(pending), parse_ec);
        pending.erase(0, used);
        if (parse_ec == http::error::need_more) break;
        if (parse_ec) {
          FailParse(parse_ec);
          failed = true;
          break;
        }
        if (used == 0) break;
      }
      if (failed) break;
      if (!parser.is_header_done() && pending.size() > env_.limits.max_header_bytes) {
        FailParse(http::error::header_limit);
        break;
      }
    }
    if (parser.is_header_done()) {
      const auto& msg = parser.get();
      out_.status = static_cast<int>(msg.result_int());
      out_.reason = Clean(std::string(msg.reason()));
      out_.transcript.push_back(absl::StrCat("S: HTTP/", msg.version() / 10, ".",
                                             msg.version() % 10, " ", out_.status, " ",
                                             Clean(std::string(msg.reason()))));
      auto field = [&msg](http::field f) {
        auto it = msg.find(f);
        return it == msg.end() ? std::string() : std::string(it->value());
      };
      out_.content_type = Clean(field(http::field::content_type));
      out_.location = Clean(field(http::field::location));
      out_.www_authenticate = Clean(field(http::field::www_authenticate));
      if (!out_.content_type.empty()) {
        out_.transcript.push_back(absl::StrCat("S: Content-Type: ", out_.content_type));
      }
      if (!out_.location.empty()) out_.transcript.push_back("S: Location: " + out_.location);
      if (!out_.www_authenticate.empty()) {
        out_.transcript.push_back("S: WWW-Authenticate: " + out_.www_authenticate);
      }
      if (parser.is_done()) out_.body = std::move(parser.release().body());
    }
    co_return;
  }

  const HttpEnv& env_;
  const HttpRequest& request_;
  Budget budget_;
  std::shared_ptr<CancelScope> scope_;
  HttpExchange out_;
};

}  // namespace

asio::awaitable<HttpExchange> HttpsExchange(const HttpEnv& env, const HttpRequest& request,
                                            Budget budget, std::shared_ptr<CancelScope> scope) {
  Exchange exchange(env, request, budget, std::move(scope));
  co_return co_await exchange.Run();
}

}  // namespace cv::net
