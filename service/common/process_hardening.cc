#include "common/process_hardening.h"

#include <sys/prctl.h>

#include <cerrno>
#include <cstring>

namespace cv {

FileLimits RaiseOpenFileLimit() {
  FileLimits out;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    out.error = std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno);
    return out;
  }
  out.soft_before = limit.rlim_cur;
  out.soft = limit.rlim_cur;
  out.hard = limit.rlim_max;
  if (limit.rlim_cur == limit.rlim_max) return out;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    out.error = std::string("setrlimit(RLIMIT_NOFILE): ") + std::strerror(errno);
    return out;
  }
  out.soft = limit.rlim_max;
  return out;
}

std::string DisableCoreDumps() {
  std::string error;
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    error = std::string("prctl(PR_SET_DUMPABLE, 0): ") + std::strerror(errno);
  }
  const rlimit none{0, 0};
  if (setrlimit(RLIMIT_CORE, &none) != 0) {
    if (!error.empty()) error += "; ";
    error += std::string("setrlimit(RLIMIT_CORE, 0): ") + std::strerror(errno);
  }
  return error;
}

}  // namespace cv
