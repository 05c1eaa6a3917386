#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "state/redis_client.h"
#include "state/store.h"

namespace cv::state {

// The shared store on Redis: the rules of state/redis_scripts.h over one pipelined connection
// (state/redis_client.h). Every key starts with `prefix` (--state_store_key_prefix). Any
// failure to get an answer is kUnavailable, never a guess: callers fail closed.
class RedisStore final : public Store {
 public:
  RedisStore(std::shared_ptr<RedisClient> client, std::string prefix)
      : client_(std::move(client)), prefix_(std::move(prefix)) {}

  void ReserveAuth(const std::string& account, const std::string& password_mac,
                   const AuthBudget& budget, Millis lease, Callback<Reservation> done) override;
  void SettleAuth(const std::string& account, const std::string& password_mac,
                  Settlement settlement, const std::string& record, const AuthBudget& budget,
                  Callback<bool> done) override;
  void ClaimOnce(const std::string& key, Millis ttl, Callback<Claim> done) override;
  void Unclaim(const std::string& key) override;
  void ConsumeQuotas(const std::vector<Quota>& quotas, Millis window,
                     Callback<QuotaResult> done) override;
  bool up() const override { return client_->up(); }
  const char* kind() const override { return "redis"; }

 private:
  // Runs one of state/redis_scripts.h's scripts with `keys` keys first in `keys_and_args`.
  void Eval(const char* script, std::vector<std::string> keys_and_args, size_t keys,
            RedisClient::Done done);
  std::vector<std::string> AccountKeys(const std::string& account,
                                       const std::string& password_mac) const;

  std::shared_ptr<RedisClient> client_;
  std::string prefix_;
  std::atomic<uint64_t> events_{0};
};

}  // namespace cv::state
