#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "state/store.h"

namespace cv::state {

// The in-process store: the default for a single replica, nothing else to run. The same rules
// as the Redis scripts (state/redis_scripts.h), under one mutex. Bounded: at most `max_keys`
// accounts and quota keys each (the least recently used go first) and `max_claims` live
// request-id claims (beyond that a claim is refused rather than an older one forgotten).
class MemoryStore final : public Store {
 public:
  struct Options {
    size_t max_keys = 100000;
    size_t max_claims = 100000;
    // Unix milliseconds; tests pass a fake clock.
    std::function<int64_t()> now_ms;
  };

  MemoryStore(boost::asio::any_io_executor executor, Options options);

  void ReserveAuth(const std::string& account, const std::string& password_mac,
                   const AuthBudget& budget, Millis lease, Callback<Reservation> done) override;
  void SettleAuth(const std::string& account, const std::string& password_mac,
                  Settlement settlement, const std::string& record, const AuthBudget& budget,
                  Callback<bool> done) override;
  void ClaimOnce(const std::string& key, Millis ttl, Callback<Claim> done) override;
  void Unclaim(const std::string& key) override;
  void ConsumeQuotas(const std::vector<Quota>& quotas, Millis window,
                     Callback<QuotaResult> done) override;
  bool up() const override { return true; }
  const char* kind() const override { return "memory"; }

  // The synchronous cores, for unit tests and for the async methods above.
  Reservation Reserve(const std::string& account, const std::string& password_mac,
                      const AuthBudget& budget, Millis lease);
  void Settle(const std::string& account, const std::string& password_mac, Settlement settlement,
              const std::string& record, const AuthBudget& budget);
  Claim ClaimNow(const std::string& key, Millis ttl);
  QuotaResult Consume(const std::vector<Quota>& quotas, Millis window);
  size_t accounts() const;

 private:
  struct Rejected {
    int64_t at_ms = 0;
    std::string record;
  };
  struct Account {
    std::deque<int64_t> failures;                 // times, oldest first
    std::map<std::string, int64_t> reservations;  // password MAC -> lease end
    std::map<std::string, Rejected> rejected;     // password MAC -> rejection
    std::list<std::string>::iterator lru;
  };
  struct Window {
    std::deque<int64_t> events;
    std::list<std::string>::iterator lru;
  };

  Account& Touch(const std::string& account);
  void Expire(Account& a, int64_t now, int64_t window) const;
  Window& TouchQuota(const std::string& key);
  template <typename T>
  void Post(Callback<T> done, T value);

  boost::asio::any_io_executor executor_;
  Options options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Account> accounts_;
  std::list<std::string> account_lru_;  // most recent first
  std::unordered_map<std::string, Window> quotas_;
  std::list<std::string> quota_lru_;
  std::unordered_map<std::string, int64_t> claims_;          // key -> expiry
  std::deque<std::pair<int64_t, std::string>> claim_order_;  // by expiry
};

}  // namespace cv::state
