#include "state/memory_store.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>

namespace cv::state {
namespace {

int64_t SystemNowMs() {
  return std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

MemoryStore::MemoryStore(boost::asio::any_io_executor executor, Options options)
    : executor_(std::move(executor)), options_(std::move(options)) {
  if (!options_.now_ms) options_.now_ms = SystemNowMs;
}

template <typename T>
void MemoryStore::Post(Callback<T> done, T value) {
  // Never inline: callers may hold their own locks while they ask.
  boost::asio::post(executor_, [done = std::move(done), value = std::move(value)]() mutable {
    done(std::move(value));
  });
}

MemoryStore::Account& MemoryStore::Touch(const std::string& account) {
  auto it = accounts_.find(account);
  if (it != accounts_.end()) {
    account_lru_.splice(account_lru_.begin(), account_lru_, it->second.lru);
    return it->second;
  }
  while (accounts_.size() >= options_.max_keys && !account_lru_.empty()) {
    accounts_.erase(account_lru_.back());
    account_lru_.pop_back();
  }
  account_lru_.push_front(account);
  Account& a = accounts_[account];
  a.lru = account_lru_.begin();
  return a;
}

void MemoryStore::Expire(Account& a, int64_t now, int64_t window) const {
  while (!a.failures.empty() && a.failures.front() <= now - window) a.failures.pop_front();
  std::erase_if(a.reservations, [now](const auto& r) { return r.second <= now; });
  std::erase_if(a.rejected,
                [now, window](const auto& r) { return r.second.at_ms <= now - window; });
}

Reservation MemoryStore::Reserve(const std::string& account, const std::string& password_mac,
                                 const AuthBudget& budget, Millis lease) {
  std::lock_guard lock(mu_);
  const int64_t now = options_.now_ms();
  const int64_t window = budget.window.count();
  Account& a = Touch(account);
  Expire(a, now, window);
  Reservation r;
  if (auto known = a.rejected.find(password_mac); known != a.rejected.end()) {
    r.kind = Reservation::Kind::kKnownRejected;
    r.rejection = known->second.record;
    r.rejected_at_ms = known->second.at_ms;
    return r;
  }
  if (auto same = a.reservations.find(password_mac); same != a.reservations.end()) {
    r.kind = Reservation::Kind::kSamePasswordInFlight;
    r.retry_after = Millis(std::clamp<int64_t>(same->second - now, 1, 5000));
    return r;
  }
  const int failures = static_cast<int>(a.failures.size());
  const int held = static_cast<int>(a.reservations.size());
  if (failures + held >= budget.max_failures) {
    r.kind = Reservation::Kind::kExhausted;
    int64_t free_at;
    if (failures >= budget.max_failures) {
      // Room again when enough failures have left the window for one more attempt.
      free_at = a.failures[failures - budget.max_failures] + window;
    } else {
      free_at = std::min_element(a.reservations.begin(), a.reservations.end(),
                                 [](const auto& x, const auto& y) { return x.second < y.second; })
                    ->second;
    }
    r.retry_after = Millis(std::max<int64_t>(free_at - now, 1));
    return r;
  }
  a.reservations[password_mac] = now + lease.count();
  r.kind = Reservation::Kind::kReserved;
  return r;
}

void MemoryStore::Settle(const std::string& account, const std::string& password_mac,
                         Settlement settlement, const std::string& record,
                         const AuthBudget& budget) {
  std::lock_guard lock(mu_);
  const int64_t now = options_.now_ms();
  Account& a = Touch(account);
  Expire(a, now, budget.window.count());
  a.reservations.erase(password_mac);
  switch (settlement) {
    case Settlement::kRejected:
      a.failures.push_back(now);
      // Only the newest max_failures decide anything.
      while (static_cast<int>(a.failures.size()) > budget.max_failures) a.failures.pop_front();
      a.rejected[password_mac] = {now, record};
      break;
    case Settlement::kAccepted:
      a.failures.clear();
      break;
    case Settlement::kReleased:
      break;
  }
}

Claim MemoryStore::ClaimNow(const std::string& key, Millis ttl) {
  std::lock_guard lock(mu_);
  const int64_t now = options_.now_ms();
  while (!claim_order_.empty() && claim_order_.front().first <= now) {
    auto it = claims_.find(claim_order_.front().second);
    if (it != claims_.end() && it->second <= now) claims_.erase(it);
    claim_order_.pop_front();
  }
  if (auto it = claims_.find(key); it != claims_.end() && it->second > now) {
    return Claim::kDuplicate;
  }
  if (claims_.size() >= options_.max_claims) return Claim::kFull;
  claims_[key] = now + ttl.count();
  claim_order_.emplace_back(now + ttl.count(), key);
  return Claim::kClaimed;
}

MemoryStore::Window& MemoryStore::TouchQuota(const std::string& key) {
  auto it = quotas_.find(key);
  if (it != quotas_.end()) {
    quota_lru_.splice(quota_lru_.begin(), quota_lru_, it->second.lru);
    return it->second;
  }
  while (quotas_.size() >= options_.max_keys && !quota_lru_.empty()) {
    quotas_.erase(quota_lru_.back());
    quota_lru_.pop_back();
  }
  quota_lru_.push_front(key);
  Window& w = quotas_[key];
  w.lru = quota_lru_.begin();
  return w;
}

QuotaResult MemoryStore::Consume(const std::vector<Quota>& quotas, Millis window) {
  std::lock_guard lock(mu_);
  const int64_t now = options_.now_ms();
  std::vector<Window*> windows;
  for (size_t i = 0; i < quotas.size(); ++i) {
    Window& w = TouchQuota(quotas[i].key);
    while (!w.events.empty() && w.events.front() <= now - window.count()) w.events.pop_front();
    if (static_cast<int>(w.events.size()) >= quotas[i].limit) {
      QuotaResult r;
      r.kind = QuotaResult::Kind::kExceeded;
      r.exceeded = i;
      const int64_t free_at =
          w.events.empty()
              ? now
              : w.events[w.events.size() - std::max(quotas[i].limit, 1)] + window.count();
      r.retry_after = Millis(std::max<int64_t>(free_at - now, 1));
      return r;
    }
    windows.push_back(&w);
  }
  for (size_t i = 0; i < windows.size(); ++i) {
    windows[i]->events.push_back(now);
    while (static_cast<int>(windows[i]->events.size()) > quotas[i].limit) {
      windows[i]->events.pop_front();
    }
  }
  QuotaResult r;
  r.kind = QuotaResult::Kind::kAllowed;
  return r;
}

size_t MemoryStore::accounts() const {
  std::lock_guard lock(mu_);
  return accounts_.size();
}

void MemoryStore::ReserveAuth(const std::string& account, const std::string& password_mac,
                              const AuthBudget& budget, Millis lease, Callback<Reservation> done) {
  Post(std::move(done), Reserve(account, password_mac, budget, lease));
}

void MemoryStore::SettleAuth(const std::string& account, const std::string& password_mac,
                             Settlement settlement, const std::string& record,
                             const AuthBudget& budget, Callback<bool> done) {
  Settle(account, password_mac, settlement, record, budget);
  if (done) Post(std::move(done), true);
}

void MemoryStore::ClaimOnce(const std::string& key, Millis ttl, Callback<Claim> done) {
  Post(std::move(done), ClaimNow(key, ttl));
}

void MemoryStore::Unclaim(const std::string& key) {
  std::lock_guard lock(mu_);
  claims_.erase(key);
}

void MemoryStore::ConsumeQuotas(const std::vector<Quota>& quotas, Millis window,
                                Callback<QuotaResult> done) {
  Post(std::move(done), Consume(quotas, window));
}

}  // namespace cv::state
