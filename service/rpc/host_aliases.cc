#include "rpc/host_aliases.h"

#include "rpc/account_key.h"

namespace cv::rpc {

void HostAliases::Learn(const std::string& identity, const std::vector<std::string>& addresses,
                        Clock::time_point now) {
  std::lock_guard lock(mu_);
  for (const auto& raw : addresses) {
    // The same canonical text an IP literal gets as a server identity.
    const std::string address = ServerIdentity(raw);
    if (address == identity) continue;
    if (auto it = by_address_.find(address); it != by_address_.end()) {
      order_.erase(it->second.order);
      by_address_.erase(it);
    }
    while (by_address_.size() >= max_entries_ && !order_.empty()) {
      by_address_.erase(order_.back());
      order_.pop_back();
    }
    order_.push_front(address);
    by_address_[address] = Entry{identity, now, order_.begin()};
  }
}

std::string HostAliases::Canonical(const std::string& identity, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = by_address_.find(identity);
  if (it == by_address_.end()) return identity;
  if (now - it->second.learned >= ttl_) {
    order_.erase(it->second.order);
    by_address_.erase(it);
    return identity;
  }
  return it->second.identity;
}

}  // namespace cv::rpc
