#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

// DNS through c-ares, driven by the caller's Asio io_context (no thread of c-ares' own): each
// channel's sockets are watched with stream_descriptor waits, and one timer per channel calls
// ares_process_fd(ARES_SOCKET_BAD, ARES_SOCKET_BAD) when c-ares' own timeout is due.
namespace cv::net {

struct DnsQuery;

enum class DnsOutcome {
  kOk,
  kNameNotFound,  // NXDOMAIN, or the name exists without records of the type (NODATA)
  kFailed,        // SERVFAIL, REFUSED, malformed answer, no server reachable
  kTimedOut,      // no answer before the deadline
};

struct HostLookup {
  DnsOutcome outcome = DnsOutcome::kFailed;
  std::vector<boost::asio::ip::address> addresses;  // order as returned, IPv4 and IPv6
  // Aliases followed, in order: the target of each CNAME starting from the queried name, so
  // "alias -> mid -> smtp" gives {"mid", "smtp"}; the last entry is the canonical name.
  std::vector<std::string> cname_chain;
  std::string error;  // c-ares' text when not kOk
};

struct MxRecord {
  std::string host;
  int preference = 0;
};

struct MxLookup {
  DnsOutcome outcome = DnsOutcome::kFailed;
  std::vector<MxRecord> records;  // sorted by preference
  std::string error;
};

class DnsResolver {
 public:
  struct Options {
    // "IP", "IP:PORT", "[IPv6]:PORT"; empty = the system's resolv.conf.
    std::vector<std::string> servers;
    std::chrono::milliseconds attempt_timeout{1500};
    int tries = 2;
  };

  // Validates the server list once; fails with InvalidArgument naming the bad entry.
  static absl::StatusOr<std::shared_ptr<DnsResolver>> Create(Options options);

  // A and AAAA of `host` with its CNAME chain. Lookups share a few c-ares channels per
  // io_context (each on a strand of its own, kept in an Asio service of the awaiting
  // coroutine's io_context); the deadline and the caller's cancellation end the wait at once.
  boost::asio::awaitable<HostLookup> ResolveHost(std::string host,
                                                 std::chrono::steady_clock::time_point deadline);
  boost::asio::awaitable<MxLookup> ResolveMx(std::string domain,
                                             std::chrono::steady_clock::time_point deadline);

  // The servers as handed to c-ares ("a.b.c.d:port,[v6]:port"), for logs and tests.
  const std::string& servers_csv() const { return servers_csv_; }

 private:
  explicit DnsResolver(Options options);
  // An MX or an A+AAAA query; returns it, with its result, once answered or given up.
  boost::asio::awaitable<std::shared_ptr<DnsQuery>> Lookup(
      bool mx, std::string name, std::chrono::steady_clock::time_point deadline);
  Options options_;
  std::string servers_csv_;
  std::string key_;  // the channel configuration: servers, attempt timeout, tries
};

}  // namespace cv::net
