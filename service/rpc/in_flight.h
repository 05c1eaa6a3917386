#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cv::rpc {

// Caps on concurrent verifications: in total (memory and sockets are finite), per caller (one
// caller with slow targets must not take everyone's slots) and per target host (a mail server
// seeing dozens of connections from us would rightly throttle or block us). The total and the
// caller's share refuse at once; a busy host makes the call wait, first come first served,
// for as long as it could still start in time. Thread-safe.
class InFlight {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    size_t max_total = 20000;
    size_t max_per_caller = 5000;
    size_t max_per_host = 50;
    // Told when calls start or stop waiting for `host` (+1 / -1), for the metrics.
    std::function<void(const std::string& host, int delta)> waiting_changed;
  };
  enum class Refusal { kNone, kTotal, kCaller, kHost };

  // Released on destruction (and hands the host slot to the next waiter).
  class Slot {
   public:
    Slot(InFlight* owner, std::string host, std::string caller)
        : owner_(owner), host_(std::move(host)), caller_(std::move(caller)) {}
    ~Slot() { owner_->Release(host_, caller_); }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    InFlight* owner_;
    std::string host_;
    std::string caller_;
  };
  // Exactly once, never inline: a slot, or nullptr with the refusal; `waited` is how long the
  // call queued for its host.
  using Done = std::function<void(std::shared_ptr<Slot>, Refusal, Clock::duration waited)>;

  InFlight(boost::asio::any_io_executor executor, Options options)
      : executor_(std::move(executor)), options_(options) {}

  // `host` is the canonical host (rpc/account_key.h's ServerIdentity), `caller` the caller's
  // identity. A call that finds the host busy waits until `latest_start` at the most.
  void Acquire(const std::string& host, const std::string& caller, Clock::time_point latest_start,
               Done done);

  size_t total() const;
  const Options& options() const { return options_; }

 private:
  struct Waiter;
  struct Host {
    size_t running = 0;
    std::deque<std::shared_ptr<Waiter>> queue;
  };
  void Release(const std::string& host, const std::string& caller);
  void Expire(const std::string& host, const std::shared_ptr<Waiter>& waiter);
  void Post(Done done, std::shared_ptr<Slot> slot, Refusal refusal, Clock::duration waited);

  boost::asio::any_io_executor executor_;
  Options options_;
  mutable std::mutex mu_;
  size_t total_ = 0;                                    // running and waiting calls
  std::unordered_map<std::string, size_t> per_caller_;  // running and waiting calls
  std::unordered_map<std::string, Host> per_host_;
};

}  // namespace cv::rpc
