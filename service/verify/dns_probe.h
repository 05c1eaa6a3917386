#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "net/dns.h"
#include "probe/run.h"
#include "probe/smtp_request.h"

namespace cv::verify {

// DNS lookups as probes ("dns.host", "dns.mx"), with their findings when they fail.
boost::asio::awaitable<net::HostLookup> LookupHostProbe(const probe::Run& run, std::string host);
// An empty domain skips the lookup (no probe).
boost::asio::awaitable<net::MxLookup> LookupMxProbe(const probe::Run& run, std::string domain);

// The addresses to dial for `port`, recorded as an "egress" probe. When the policy refuses any
// of them, none is returned and a TARGET_FORBIDDEN finding is recorded.
std::vector<boost::asio::ip::address> VetAddresses(const probe::Run& run, const std::string& host,
                                                   const std::vector<boost::asio::ip::address>& all,
                                                   uint16_t port, net::Purpose purpose);

// Fills target.resolved (when the caller asked) with what a host name resolved to.
void ReportResolved(const probe::SmtpTarget& target, const net::HostLookup& lookup);

}  // namespace cv::verify
