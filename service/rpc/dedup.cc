#include "rpc/dedup.h"

#include "common/strings.h"

namespace cv::rpc {

RequestDedup::Result RequestDedup::Claim(std::string_view id, Clock::time_point now) {
  if (window_ <= Clock::duration::zero()) return Result::kClaimed;
  std::lock_guard lock(mu_);
  while (!order_.empty() && order_.front().first + window_ <= now) {
    seen_.erase(Av(order_.front().second));
    order_.pop_front();
  }
  if (seen_.contains(Av(id))) return Result::kDuplicate;
  // Dropping the oldest id would quietly allow a second message for it: say "busy" instead.
  if (seen_.size() >= capacity_) return Result::kFull;
  seen_.emplace(std::string(id), now);
  order_.emplace_back(now, std::string(id));
  return Result::kClaimed;
}

size_t RequestDedup::size() const {
  std::lock_guard lock(mu_);
  return seen_.size();
}

}  // namespace cv::rpc
