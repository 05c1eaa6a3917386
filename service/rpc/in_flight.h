#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cv::rpc {

// Caps on concurrent verifications: in total (memory and sockets are finite) and per target
// host (one customer's slow server must not take every slot, and a mail server seeing dozens of
// connections from us would rightly throttle or block us). Thread-safe.
class InFlight {
 public:
  struct Options {
    size_t max_total = 20000;
    size_t max_per_host = 50;
  };
  enum class Refusal { kNone, kTotal, kHost };

  // Released on destruction.
  class Slot {
   public:
    Slot(InFlight* owner, std::string host) : owner_(owner), host_(std::move(host)) {}
    ~Slot() { owner_->Release(host_); }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;

   private:
    InFlight* owner_;
    std::string host_;
  };

  explicit InFlight(Options options) : options_(options) {}

  // A slot for `host`, or nullptr with the refusal.
  std::unique_ptr<Slot> TryAcquire(std::string_view host, Refusal* refusal);
  size_t total() const;
  const Options& options() const { return options_; }

 private:
  void Release(const std::string& host);

  Options options_;
  mutable std::mutex mu_;
  size_t total_ = 0;
  std::unordered_map<std::string, size_t> per_host_;
};

}  // namespace cv::rpc
