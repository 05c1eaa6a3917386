#include "net/socket_budget.h"

#include <algorithm>
#include <cerrno>

namespace cv::net {

std::atomic<size_t> SocketBudget::limit_{0};
std::atomic<size_t> SocketBudget::open_{0};

size_t SocketBudget::ForFileLimit(size_t soft_limit) {
  const size_t reserve = std::max<size_t>(64, soft_limit / 4);
  return soft_limit > reserve ? soft_limit - reserve : 1;
}

void SocketBudget::SetLimit(size_t limit) { limit_.store(limit, std::memory_order_relaxed); }
size_t SocketBudget::limit() { return limit_.load(std::memory_order_relaxed); }
size_t SocketBudget::open() { return open_.load(std::memory_order_relaxed); }

bool SocketBudget::TryAcquire() {
  const size_t limit = limit_.load(std::memory_order_relaxed);
  size_t current = open_.load(std::memory_order_relaxed);
  do {
    if (limit != 0 && current >= limit) return false;
  } while (!open_.compare_exchange_weak(current, current + 1, std::memory_order_relaxed));
  return true;
}

void SocketBudget::Release() { open_.fetch_sub(1, std::memory_order_relaxed); }

bool SocketBudget::Fits(size_t more) {
  const size_t limit = limit_.load(std::memory_order_relaxed);
  return limit == 0 || open_.load(std::memory_order_relaxed) + more <= limit;
}

bool IsLocalResourceError(const boost::system::error_code& ec) {
  if (ec.category() != boost::system::system_category() &&
      ec.category() != boost::system::generic_category()) {
    return false;
  }
  const int v = ec.value();
  return v == EMFILE || v == ENFILE || v == ENOBUFS || v == ENOMEM;
}

std::string LocalResourceName(const boost::system::error_code& ec) {
  switch (ec.value()) {
    case EMFILE:
    case ENFILE:
      return "open_files";
    case ENOBUFS:
      return "kernel_buffers";
    default:
      return "memory";
  }
}

}  // namespace cv::net
