#pragma once

#include <memory>
#include <mutex>

#include "verify/verifier.h"

namespace cv::rpc {

// A run that may be cancelled before it exists: the caller can leave while the AUTH budget
// or the request-id claim is still being asked, and the run started afterwards is cancelled
// at once. Thread-safe.
class PendingRun {
 public:
  void Cancel() {
    std::shared_ptr<verify::Handle> handle;
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
      handle = handle_;
    }
    if (handle) handle->Cancel();
  }
  void Attach(std::shared_ptr<verify::Handle> handle) {
    bool cancelled;
    {
      std::lock_guard lock(mu_);
      handle_ = handle;
      cancelled = cancelled_;
    }
    if (cancelled && handle) handle->Cancel();
  }
  bool cancelled() const {
    std::lock_guard lock(mu_);
    return cancelled_;
  }

 private:
  mutable std::mutex mu_;
  bool cancelled_ = false;
  std::shared_ptr<verify::Handle> handle_;
};

}  // namespace cv::rpc
