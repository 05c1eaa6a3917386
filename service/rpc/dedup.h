#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"

namespace cv::rpc {

// Remembers SendTest request ids for a window, so that a client's accidental second call (a
// retry policy, a double click) is refused instead of sending a second message. In memory and
// per process: a restart or another replica forgets, which the proto documents by promising
// only "within the server's window". Thread-safe.
class RequestDedup {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Result {
    kClaimed,    // first sighting in the window: go ahead
    kDuplicate,  // seen within the window: refuse
    kFull,       // `capacity` ids inside the window already: refuse rather than forget one
  };

  // A zero window turns deduplication off (every id is claimed).
  RequestDedup(Clock::duration window, size_t capacity) : window_(window), capacity_(capacity) {}

  Result Claim(std::string_view id, Clock::time_point now);
  size_t size() const;

 private:
  const Clock::duration window_;
  const size_t capacity_;
  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, Clock::time_point> seen_;
  // Claims in time order, for expiry without a scan.
  std::deque<std::pair<Clock::time_point, std::string>> order_;
};

}  // namespace cv::rpc
