#pragma once

#include <chrono>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace cv::rpc {

// Which host name an IP address belongs to, as this replica's own lookups found: so that a
// channel entered as "203.0.113.7" counts against the same AUTH budget and host cap as the
// name that resolved to it ("when unsure, share"). Learned from every verification's DNS probe;
// an address seen for several names keeps the latest. Bounded (least recently learned go
// first) and forgotten after `ttl`. Thread-safe.
class HostAliases {
 public:
  using Clock = std::chrono::steady_clock;
  explicit HostAliases(size_t max_entries = 100000, Clock::duration ttl = std::chrono::hours(1))
      : max_entries_(max_entries), ttl_(ttl) {}

  // `identity` (rpc/account_key.h's ServerIdentity of a name) resolved to `addresses`.
  void Learn(const std::string& identity, const std::vector<std::string>& addresses,
             Clock::time_point now = Clock::now());
  // The identity to count `identity` as: the name an IP literal belongs to when known, else
  // `identity` itself.
  std::string Canonical(const std::string& identity, Clock::time_point now = Clock::now());

 private:
  struct Entry {
    std::string identity;
    Clock::time_point learned;
    std::list<std::string>::iterator order;
  };
  const size_t max_entries_;
  const Clock::duration ttl_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> by_address_;
  std::list<std::string> order_;  // addresses, most recently learned first
};

}  // namespace cv::rpc
