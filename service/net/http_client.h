#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/secret.h"
#include "net/conn.h"
#include "net/deadline.h"
#include "net/dns.h"
#include "net/egress.h"
#include "net/tls.h"
#include "net/url.h"

// One HTTPS/1.1 exchange on the caller's executor: resolve, vet every address with the egress
// policy, dial the vetted literal, TLS with certificate and host checks, request, response read
// through Beast's parser fed from Conn::ReadSome, so every wait has the one deadline mechanism
// of Conn. Redirects are returned, never followed. Remote misbehaviour is a result: nothing here
// throws on what a server sends.
namespace cv::net {

struct HttpRequest {
  std::string method = "GET";
  Url url;             // scheme, host, port and the base path
  std::string target;  // appended to url.path: "/v1.0/users/a%40b.example?$select=..."
  std::vector<std::pair<std::string, std::string>> headers;  // never secret
  Secret bearer;  // "Authorization: Bearer ..." when not empty
  std::string content_type;
  Secret body;  // may carry a refresh token or client secret
};

enum class HttpFailure {
  kNone,
  kDnsNotFound,
  kDnsFailed,
  kForbidden,  // the egress policy refused an address: nothing was dialed
  kConnectRefused,
  kConnectTimeout,
  kConnectFailed,
  kTlsFailed,
  kCertificateInvalid,  // handshake done, but the certificate is not trusted for the host
  kTimedOut,            // TLS, request or response ran out of time
  kCancelled,
  kClosed,     // the server closed before a complete response
  kTooLarge,   // header or body over the limit
  kMalformed,  // not HTTP/1.x
};

std::string_view HttpFailureName(HttpFailure failure);

struct HttpLimits {
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 256 * 1024;
};

struct HttpExchange {
  HttpFailure failure = HttpFailure::kNone;
  bool cut_by_caller = false;  // a timeout that was the caller's deadline
  // The whole request was written: from here on a failure may come after the server acted on
  // it (for a send, a message may exist although no answer came).
  bool request_sent = false;
  // The failure was a shortage of this machine (EMFILE, ENFILE, ENOBUFS, ENOMEM), not the
  // remote side's: `local_resource` names it ("open_files", ...).
  std::string local_resource;
  std::string detail;                  // what went wrong, readable; never a secret
  std::vector<std::string> addresses;  // resolved
  std::string dialed;                  // "203.0.113.7:443"
  bool tls_done = false;
  TlsFacts tls;
  int status = 0;
  std::string reason;
  std::string content_type;
  std::string location;          // of a 3xx, reported and not followed
  std::string www_authenticate;  // Bearer error="insufficient_scope", ...
  std::string body;              // at most HttpLimits::max_body_bytes
  // "C: GET /path HTTP/1.1", "C: Authorization: Bearer <redacted>", "S: HTTP/1.1 200 OK", ...
  std::vector<std::string> transcript;

  bool ok() const { return failure == HttpFailure::kNone; }
};

// What an exchange needs from the process (the probe::Config owns these).
struct HttpEnv {
  DnsResolver* dns = nullptr;
  const EgressPolicy* egress = nullptr;
  std::shared_ptr<boost::asio::ssl::context> tls;
  StepTimeouts timeouts;
  HttpLimits limits;
  size_t max_addresses = 8;  // of one name dialed at most (net/address_select.h)
};

// Sends `request` and reads the response with "Connection: close" (one exchange per
// connection: a verification is a handful of requests to different hosts). Each step has its
// own timeout from env.timeouts, capped by budget's deadline; the scope aborts it on caller
// cancellation. The request's secrets are sent only after the certificate was verified.
boost::asio::awaitable<HttpExchange> HttpsExchange(const HttpEnv& env, const HttpRequest& request,
                                                   Budget budget,
                                                   std::shared_ptr<CancelScope> scope);

}  // namespace cv::net
