#include "channelctl/spinner.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace channelctl {

Spinner::Spinner(bool enabled, std::string text) : text_(std::move(text)) {
  if (enabled) thread_ = std::thread([this] { Run(); });
}

Spinner::~Spinner() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Spinner::Run() {
  static constexpr const char* kFrames[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  // A call that answers at once shows no flicker: the first frame waits a moment.
  if (cv_.wait_for(lock, std::chrono::milliseconds(150), [this] { return stop_; })) return;
  for (int frame = 0;; ++frame) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "\r\033[2K%s %s … %.1fs", kFrames[frame % 10], text_.c_str(), seconds);
    std::fflush(stderr);
    if (cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stop_; })) break;
  }
  std::fprintf(stderr, "\r\033[2K");
  std::fflush(stderr);
}

}  // namespace channelctl
