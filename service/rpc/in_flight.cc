#include "rpc/in_flight.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace cv::rpc {

struct InFlight::Waiter {
  std::string host;
  std::string caller;
  Done done;
  Clock::time_point queued;
  std::unique_ptr<boost::asio::steady_timer> timer;
  bool finished = false;  // under mu_
};

void InFlight::Post(Done done, std::shared_ptr<Slot> slot, Refusal refusal,
                    Clock::duration waited) {
  // Never inline: admission runs under other locks (the coalescer's).
  boost::asio::post(executor_, [done = std::move(done), slot = std::move(slot), refusal,
                                waited]() mutable { done(std::move(slot), refusal, waited); });
}

void InFlight::Acquire(const std::string& host, const std::string& caller,
                       Clock::time_point latest_start, Done done) {
  std::unique_lock lock(mu_);
  if (total_ >= options_.max_total) {
    lock.unlock();
    Post(std::move(done), nullptr, Refusal::kTotal, {});
    return;
  }
  size_t& mine = per_caller_[caller];
  if (mine >= options_.max_per_caller) {
    if (mine == 0) per_caller_.erase(caller);
    lock.unlock();
    Post(std::move(done), nullptr, Refusal::kCaller, {});
    return;
  }
  Host& h = per_host_[host];
  if (h.running < options_.max_per_host && h.queue.empty()) {
    ++h.running;
    ++mine;
    ++total_;
    lock.unlock();
    Post(std::move(done), std::make_shared<Slot>(this, host, caller), Refusal::kNone, {});
    return;
  }
  const auto now = Clock::now();
  if (latest_start <= now) {
    if (h.running == 0 && h.queue.empty()) per_host_.erase(host);
    if (mine == 0) per_caller_.erase(caller);
    lock.unlock();
    Post(std::move(done), nullptr, Refusal::kHost, {});
    return;
  }
  // Queued: the call holds its place in the total and its caller's share while it waits, so
  // waiting is bounded by the same caps as running.
  ++mine;
  ++total_;
  if (options_.waiting_changed) options_.waiting_changed(host, 1);
  auto waiter = std::make_shared<Waiter>();
  waiter->host = host;
  waiter->caller = caller;
  waiter->done = std::move(done);
  waiter->queued = now;
  waiter->timer = std::make_unique<boost::asio::steady_timer>(executor_, latest_start);
  h.queue.push_back(waiter);
  waiter->timer->async_wait([this, waiter](boost::system::error_code ec) {
    if (!ec) Expire(waiter->host, waiter);
  });
}

void InFlight::Expire(const std::string& host, const std::shared_ptr<Waiter>& waiter) {
  std::unique_lock lock(mu_);
  if (waiter->finished) return;
  waiter->finished = true;
  auto h = per_host_.find(host);
  if (h != per_host_.end()) {
    auto& q = h->second.queue;
    q.erase(std::remove(q.begin(), q.end(), waiter), q.end());
    if (h->second.running == 0 && q.empty()) per_host_.erase(h);
  }
  if (options_.waiting_changed) options_.waiting_changed(host, -1);
  --total_;
  if (auto c = per_caller_.find(waiter->caller); c != per_caller_.end() && --c->second == 0) {
    per_caller_.erase(c);
  }
  Done done = std::move(waiter->done);
  const auto waited = Clock::now() - waiter->queued;
  lock.unlock();
  Post(std::move(done), nullptr, Refusal::kHost, waited);
}

void InFlight::Release(const std::string& host, const std::string& caller) {
  std::unique_lock lock(mu_);
  --total_;
  if (auto c = per_caller_.find(caller); c != per_caller_.end() && --c->second == 0) {
    per_caller_.erase(c);
  }
  auto h = per_host_.find(host);
  if (h == per_host_.end()) return;
  --h->second.running;
  // The freed host slot goes to the first waiter still waiting (FIFO).
  while (!h->second.queue.empty()) {
    auto next = h->second.queue.front();
    h->second.queue.pop_front();
    if (next->finished) continue;
    next->finished = true;
    next->timer->cancel();
    ++h->second.running;
    if (options_.waiting_changed) options_.waiting_changed(host, -1);
    Done done = std::move(next->done);
    const auto waited = Clock::now() - next->queued;
    auto slot = std::make_shared<Slot>(this, host, next->caller);
    lock.unlock();
    Post(std::move(done), std::move(slot), Refusal::kNone, waited);
    return;
  }
  if (h->second.running == 0) per_host_.erase(h);
}

size_t InFlight::total() const {
  std::lock_guard lock(mu_);
  return total_;
}

}  // namespace cv::rpc
