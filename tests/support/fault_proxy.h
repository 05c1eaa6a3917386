// A fault-injecting TCP proxy (tests/peers/fault_proxy.py) between the service and a peer:
// latency, trickling, resets, stalls and early closes at chosen byte offsets, for the
// hostile-server tests. One child process per proxy, stopped when the object dies.
//
//   absl::StatusOr<SmtpPeer> peer = SmtpPeer::StartProfile("generic-ok");
//   absl::StatusOr<FaultProxy> proxy = FaultProxy::Start(
//       {.upstream_port = peer->port(), .slice = 1, .slice_delay_ms = 1000});  // 1 byte/s
//   ... connect to proxy->host():proxy->port() ...
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "support/process.h"

namespace cv::testing {

struct FaultProxyOptions {
  std::string upstream_host = "127.0.0.1";
  int upstream_port = 0;
  std::string bind = "127.0.0.1";  // any 127.x.y.z
  int port = 0;                    // 0: a free one
  // Which bytes the faults apply to: server to client (the replies), client to server, both.
  enum class Direction { kServerToClient, kClientToServer, kBoth };
  Direction direction = Direction::kServerToClient;
  int latency_ms = 0;      // before forwarding each chunk
  int slice = 0;           // forward in pieces of this many bytes ...
  int slice_delay_ms = 0;  // ... this far apart
  // After this many bytes (0: at the first byte) in the direction: RST both connections / stop
  // forwarding but keep them open / close them normally.
  std::optional<int> reset_after_bytes;
  std::optional<int> stall_after_bytes;
  std::optional<int> limit_bytes;
};

class FaultProxy {
 public:
  static absl::StatusOr<FaultProxy> Start(FaultProxyOptions options);

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  // The proxy's fault log, one line per fault that struck ("conn 1: reset after 57 bytes
  // server->client").
  std::string Log() const { return process_.StderrTail(); }

 private:
  FaultProxy(TempDir dir, ChildProcess process, std::string host, int port)
      : dir_(std::move(dir)), process_(std::move(process)), host_(std::move(host)), port_(port) {}
  TempDir dir_;
  ChildProcess process_;
  std::string host_;
  int port_;
};

}  // namespace cv::testing
