#include "rpc/auth_limiter.h"

#include <algorithm>
#include <cctype>

namespace cv::rpc {

std::string AuthLimiter::Key(std::string_view host, std::string_view username) {
  // Host names are case-insensitive; usernames are compared as given (servers differ).
  std::string key;
  key.reserve(host.size() + username.size() + 1);
  for (char c : host) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!key.empty() && key.back() == '.') key.pop_back();
  key += '\0';
  key.append(username);
  return key;
}

void AuthLimiter::Expire(std::deque<Clock::time_point>& failures, Clock::time_point now) const {
  while (!failures.empty() && now - failures.front() >= options_.window) failures.pop_front();
}

std::optional<AuthLimiter::Clock::duration> AuthLimiter::Blocked(std::string_view host,
                                                                 std::string_view username,
                                                                 Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(Key(host, username));
  if (it == failures_.end()) return std::nullopt;
  Expire(it->second, now);
  if (static_cast<int>(it->second.size()) < options_.max_failures) return std::nullopt;
  // Allowed again when enough of the failures have left the window.
  const auto& oldest = it->second[it->second.size() - options_.max_failures];
  return oldest + options_.window - now;
}

void AuthLimiter::RecordFailure(std::string_view host, std::string_view username,
                                Clock::time_point now) {
  std::lock_guard lock(mu_);
  std::string key = Key(host, username);
  auto [it, inserted] = failures_.try_emplace(key);
  if (inserted) {
    order_.push_back(key);
    while (failures_.size() > options_.max_keys && !order_.empty()) {
      failures_.erase(order_.front());
      order_.pop_front();
    }
  }
  auto found = failures_.find(key);
  if (found == failures_.end()) return;
  Expire(found->second, now);
  found->second.push_back(now);
  // Only the newest max_failures matter for the decision.
  while (static_cast<int>(found->second.size()) > options_.max_failures) {
    found->second.pop_front();
  }
}

void AuthLimiter::RecordSuccess(std::string_view host, std::string_view username) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(Key(host, username));
  if (it != failures_.end()) it->second.clear();
}

}  // namespace cv::rpc
