#pragma once

#include <algorithm>
#include <chrono>

namespace cv::net {

using Clock = std::chrono::steady_clock;

// What is left of the caller's deadline. Every step asks for its own timeout and gets it capped
// by the caller's deadline, so no wait outlives the request.
class Budget {
 public:
  explicit Budget(Clock::time_point deadline) : deadline_(deadline) {}

  Clock::time_point deadline() const { return deadline_; }
  Clock::time_point Step(Clock::duration timeout) const {
    return std::min(Clock::now() + timeout, deadline_);
  }
  // True when a step that ended at `step_deadline` was cut by the caller's deadline rather than
  // by its own timeout.
  bool CutByCaller(Clock::time_point step_deadline) const { return step_deadline >= deadline_; }
  bool Expired() const { return Clock::now() >= deadline_; }

 private:
  Clock::time_point deadline_;
};

// Per-step timeouts (flags can change them).
struct StepTimeouts {
  Clock::duration dns = std::chrono::seconds(5);
  Clock::duration connect = std::chrono::seconds(5);
  Clock::duration greeting = std::chrono::seconds(10);
  Clock::duration command = std::chrono::seconds(10);
  Clock::duration tls = std::chrono::seconds(10);
  Clock::duration data = std::chrono::seconds(30);
  Clock::duration http = std::chrono::seconds(10);
};

}  // namespace cv::net
