// Debian's redis-server as a test peer: on a free loopback port, nothing on disk, stopped with
// the test. The faults a shared-store test needs: freeze (SIGSTOP: connections stall), kill
// (connections drop, nothing answers) and a restart on the same port (empty, as after a real
// restart without persistence).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "support/process.h"

namespace cv::testing {

class RedisPeer {
 public:
  struct Options {
    std::string password;  // requirepass; empty: none
    // TLS only (rediss://) with this certificate and key; clients are not asked for one.
    std::string tls_cert_file;
    std::string tls_key_file;
    std::string tls_ca_file;  // for redis-cli to verify the server
  };
  static absl::StatusOr<RedisPeer> Start(Options options = {});

  int port() const { return port_; }
  std::string url() const {
    return (options_.tls_cert_file.empty() ? "redis://127.0.0.1:" : "rediss://127.0.0.1:") +
           std::to_string(port_);
  }

  void Freeze();
  void Thaw();
  void Kill();
  // Starts a new, empty redis-server on the same port.
  absl::Status Restart();
  // redis-cli against it; the output (one reply per line).
  absl::StatusOr<std::string> Cli(std::vector<std::string> args) const;
  // The keys that exist, matching `pattern` (SCAN, so it works on any size).
  absl::StatusOr<std::vector<std::string>> Keys(const std::string& pattern = "*") const;

 private:
  RedisPeer(TempDir dir, ChildProcess process, int port, Options options)
      : dir_(std::move(dir)),
        process_(std::move(process)),
        port_(port),
        options_(std::move(options)) {}
  void Signal(int signal);
  static std::vector<std::string> CliArgv(int port, const Options& options);
  static absl::StatusOr<ChildProcess> Launch(const TempDir& dir, int port, const Options& options);

  TempDir dir_;
  ChildProcess process_;
  int port_;
  Options options_;
};

}  // namespace cv::testing
