#pragma once

#include <atomic>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <string>

namespace cv::net {

// The sockets the engine's connections hold, counted against a budget below the process's
// open-file limit, so that the service refuses work (and a connection fails as a local
// shortage) before the kernel answers EMFILE. gRPC's connections, c-ares' few shared sockets
// and the process's other files live in the reserve between the budget and the limit.
class SocketBudget {
 public:
  // The budget for a soft open-file limit: what is left after a reserve of a quarter of the
  // limit (at least 64). 0 disables the budget (tests, channelctl).
  static size_t ForFileLimit(size_t soft_limit);
  static void SetLimit(size_t limit);
  static size_t limit();
  static size_t open();

  // Takes one socket from the budget; false (nothing taken) when none is left.
  static bool TryAcquire();
  static void Release();
  // Whether `more` sockets still fit: what admission asks before a call starts.
  static bool Fits(size_t more);

 private:
  static std::atomic<size_t> limit_;
  static std::atomic<size_t> open_;
};

// A shortage on this machine rather than anything about the remote side: EMFILE, ENFILE,
// ENOBUFS, ENOMEM (and the budget's own refusal, reported as EMFILE).
bool IsLocalResourceError(const boost::system::error_code& ec);
// "open files" / "kernel buffers" / "memory", for the metric's label.
std::string LocalResourceName(const boost::system::error_code& ec);

}  // namespace cv::net
