#pragma once

#include <sys/resource.h>

#include <string>

namespace cv {

// The open-file limit before and after RaiseOpenFileLimit().
struct FileLimits {
  rlim_t soft_before = 0;
  rlim_t soft = 0;
  rlim_t hard = 0;
  std::string error;  // why raising failed, "" if it did not
};

// Raises the soft RLIMIT_NOFILE to the hard limit: a container's default soft limit (1,024) is
// far below what thousands of verifications in flight need, and the hard limit is what the
// operator granted.
FileLimits RaiseOpenFileLimit();

// No core dumps: PR_SET_DUMPABLE 0 (also keeps other processes of the same user from
// ptrace-attaching) and RLIMIT_CORE 0. A core of this process would hold the passwords and
// tokens of the calls in flight. "" on success, else what failed.
std::string DisableCoreDumps();

}  // namespace cv
