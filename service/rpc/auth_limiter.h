#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cv::rpc {

// Failed AUTH attempts per (host, username). Real accounts lock after repeated failures
// (Microsoft Entra's smart lockout after 10), so after `max_failures` rejections within
// `window` the service refuses to try again without contacting the server. Thread-safe;
// bounded to `max_keys` entries (the least recently touched go first).
class AuthLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    int max_failures = 3;
    Clock::duration window = std::chrono::minutes(15);
    size_t max_keys = 100000;
  };

  explicit AuthLimiter(Options options) : options_(options) {}

  // How long until another attempt is allowed; nullopt when it is allowed now.
  std::optional<Clock::duration> Blocked(std::string_view host, std::string_view username,
                                         Clock::time_point now = Clock::now());
  void RecordFailure(std::string_view host, std::string_view username,
                     Clock::time_point now = Clock::now());
  // A success wipes the account's record: the password works now.
  void RecordSuccess(std::string_view host, std::string_view username);

  const Options& options() const { return options_; }

 private:
  static std::string Key(std::string_view host, std::string_view username);
  void Expire(std::deque<Clock::time_point>& failures, Clock::time_point now) const;

  Options options_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> failures_;
  std::deque<std::string> order_;  // insertion order, for the size bound
};

}  // namespace cv::rpc
