// A verification as one self-contained HTML page that a person can read, print and hand to
// support: the channel as entered (never a secret), the verdict, each diagnosis with its
// documented case, what to do and whom to ask next, the probes on a time axis (inline SVG), the
// settings tried and what each gave, and the redacted transcript of each connection.
//
//   channelverify::ReportContext context;
//   context.made_at = std::chrono::system_clock::now();  // before the call
//   context.egress_ips = {catalog.egress_ips().begin(), catalog.egress_ips().end()};
//   std::string html = channelverify::RenderReport(request, response, context);
//
// The page loads nothing and runs nothing (a Content-Security-Policy says so too): CSS and SVG
// are inline. Every text that came from the service or a mail server is escaped, and the
// request's password and tokens are never written; an echo of them in the server's text
// (plain, percent-encoded or base64) is replaced by <redacted> as well.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "channelverify/v1/channel_verifier.pb.h"

namespace channelverify {

// What the page says that the response does not carry.
struct ReportContext {
  // When the verification was made; the epoch (default) leaves the time out.
  std::chrono::system_clock::time_point made_at{};
  // Where it was made from: ListDiagnosesResponse.egress_ips of the service that answered.
  // Empty: the page says they are not known.
  std::vector<std::string> egress_ips;
  // Who or what made it, e.g. "channel-verifier at verifier.mail.svc:50051"; optional.
  std::string made_by;
};

// The page in the request's language_code ("de" or anything else: English). The labels are
// the report's own; titles, remediation, escalation and evidence are the service's.
std::string RenderReport(const v1::VerifyChannelRequest& request,
                         const v1::VerifyChannelResponse& response, const ReportContext& context);
std::string RenderReport(const v1::SendTestRequest& request, const v1::SendTestResponse& response,
                         const ReportContext& context);

}  // namespace channelverify
