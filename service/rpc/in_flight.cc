#include "rpc/in_flight.h"

#include <cctype>

namespace cv::rpc {

std::unique_ptr<InFlight::Slot> InFlight::TryAcquire(std::string_view host, Refusal* refusal) {
  std::string key;
  for (char c : host) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::lock_guard lock(mu_);
  if (total_ >= options_.max_total) {
    *refusal = Refusal::kTotal;
    return nullptr;
  }
  size_t& count = per_host_[key];
  if (count >= options_.max_per_host) {
    if (count == 0) per_host_.erase(key);
    *refusal = Refusal::kHost;
    return nullptr;
  }
  ++count;
  ++total_;
  *refusal = Refusal::kNone;
  return std::make_unique<Slot>(this, std::move(key));
}

void InFlight::Release(const std::string& host) {
  std::lock_guard lock(mu_);
  --total_;
  auto it = per_host_.find(host);
  if (it != per_host_.end() && --it->second == 0) per_host_.erase(it);
}

size_t InFlight::total() const {
  std::lock_guard lock(mu_);
  return total_;
}

}  // namespace cv::rpc
