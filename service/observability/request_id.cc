#include "observability/request_id.h"

#include <cstdio>

#include "absl/random/random.h"

namespace cv::observability {

std::optional<std::string> SanitizeRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return std::nullopt;
  for (unsigned char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '/' || c == '+' || c == '=' ||
                    c == '@' || c == '-';
    if (!ok) return std::nullopt;
  }
  return std::string(id);
}

std::string NewRequestId() {
  // absl::BitGen is seeded from the OS per generator; one per thread avoids a lock.
  thread_local absl::BitGen gen;
  const uint64_t hi = absl::Uniform<uint64_t>(gen);
  const uint64_t lo = absl::Uniform<uint64_t>(gen);
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(hi),
                static_cast<unsigned long long>(lo));
  return buf;
}

std::string RequestIdOf(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto [begin, end] =
      metadata.equal_range(grpc::string_ref(kRequestIdHeader.data(), kRequestIdHeader.size()));
  for (auto it = begin; it != end; ++it) {
    if (auto id = SanitizeRequestId(std::string_view(it->second.data(), it->second.size()))) {
      return *id;
    }
  }
  return NewRequestId();
}

}  // namespace cv::observability
