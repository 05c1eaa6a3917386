#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace cv::bench {

// Latency samples in milliseconds; percentiles by the nearest-rank method.
class Latencies {
 public:
  void Reserve(size_t n) { samples_.reserve(n); }
  void Add(double ms) { samples_.push_back(ms); }
  size_t size() const { return samples_.size(); }
  // p in (0, 100]; 0 without samples.
  double Percentile(double p) {
    if (samples_.empty()) return 0;
    std::sort(samples_.begin(), samples_.end());
    const size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * samples_.size()));
    return samples_[std::clamp<size_t>(rank, 1, samples_.size()) - 1];
  }

 private:
  std::vector<double> samples_;
};

}  // namespace cv::bench
