// A progress line on stderr while a call runs ("⠋ verifying … 1.4s"), erased when it ends.
// Only on a terminal: in a pipe or a log it would be noise.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace channelctl {

class Spinner {
 public:
  // Does nothing unless `enabled` (the caller checks isatty(2) and the output format).
  Spinner(bool enabled, std::string text);
  ~Spinner();  // stops and erases the line
  Spinner(const Spinner&) = delete;
  Spinner& operator=(const Spinner&) = delete;

 private:
  void Run();

  std::string text_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace channelctl
