#include "support/fault_proxy.h"

#include <filesystem>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace cv::testing {

absl::StatusOr<FaultProxy> FaultProxy::Start(FaultProxyOptions options) {
  if (options.upstream_port <= 0) return absl::InvalidArgumentError("upstream_port not set");
  TempDir dir("cv-fault-proxy-");
  std::vector<std::string> argv = {
      CV_PYTHON, "-B",
      (std::filesystem::path(CV_SOURCE_DIR) / "tests" / "peers" / "fault_proxy.py").string()};
  auto add = [&argv](std::string flag, const std::string& value) {
    argv.push_back(std::move(flag));
    argv.push_back(value);
  };
  add("--host", options.bind);
  add("--port", std::to_string(options.port));
  add("--upstream", absl::StrCat(options.upstream_host, ":", options.upstream_port));
  switch (options.direction) {
    case FaultProxyOptions::Direction::kServerToClient:
      add("--direction", "s2c");
      break;
    case FaultProxyOptions::Direction::kClientToServer:
      add("--direction", "c2s");
      break;
    case FaultProxyOptions::Direction::kBoth:
      add("--direction", "both");
      break;
  }
  if (options.latency_ms > 0) add("--latency-ms", std::to_string(options.latency_ms));
  if (options.slice > 0) add("--slice", std::to_string(options.slice));
  if (options.slice_delay_ms > 0) add("--slice-delay-ms", std::to_string(options.slice_delay_ms));
  if (options.reset_after_bytes) {
    add("--reset-after-bytes", std::to_string(*options.reset_after_bytes));
  }
  if (options.stall_after_bytes) {
    add("--stall-after-bytes", std::to_string(*options.stall_after_bytes));
  }
  if (options.limit_bytes) add("--limit-bytes", std::to_string(*options.limit_bytes));

  int port = 0;
  absl::StatusOr<ChildProcess> child = ChildProcess::StartAndWaitReady(
      {.argv = std::move(argv), .stderr_path = dir.path() / "stderr.log"}, &port);
  if (!child.ok()) return child.status();
  return FaultProxy(std::move(dir), std::move(*child), options.bind, port);
}

}  // namespace cv::testing
