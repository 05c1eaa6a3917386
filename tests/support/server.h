// The channel-verifier binary as a test starts it: a child process on a free loopback port,
// with a gRPC stub to call it and its JSON log lines to inspect.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "channelverify/v1/channel_verifier.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "support/process.h"

namespace cv::testing {

class ServerProcess {
 public:
  // Starts build/.../service/channel-verifier with --listen=127.0.0.1:0 and `flags`, and waits
  // for its "serving" log line.
  // `wrapper` runs it, e.g. {"prlimit", "--nofile=256:256", "--"} for a low open-file limit.
  static absl::StatusOr<ServerProcess> Start(std::vector<std::string> flags,
                                             absl::Duration timeout = absl::Seconds(15),
                                             std::vector<std::string> wrapper = {});
  // Flags that lift the SendTest quotas, for suites that send many test messages through one
  // server (the quotas have tests of their own).
  static std::vector<std::string> LiftedSendQuotas();
  // The usual flags for tests: loopback allowed, the test CA trusted, a test resolver, the
  // SendTest quotas lifted unless `more` sets one.
  static std::vector<std::string> TestFlags(const std::string& ca_file, const std::string& dns,
                                            std::vector<std::string> more = {});

  ServerProcess(ServerProcess&&) = default;
  ServerProcess& operator=(ServerProcess&&) = default;
  // Stops the server and keeps its log in CV_BINARY_DIR/test-artifacts/ for the suite's secret
  // scan (tests/secret_scan.sh).
  ~ServerProcess();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::unique_ptr<channelverify::v1::ChannelVerifierService::Stub> Stub() const;
  std::unique_ptr<grpc::health::v1::Health::Stub> HealthStub() const;
  // Everything logged on stdout so far (JSON lines).
  std::string Logs() const { return process_.Output(); }
  ChildProcess& process() { return process_; }

 private:
  ServerProcess(ChildProcess process, int port) : process_(std::move(process)), port_(port) {}
  ChildProcess process_;
  int port_;
};

// "--name=value" with the '_' of `name` spelled `sep`: the server's flag (sep '_'), or the same
// setting as channelctl --local takes it (sep '-').
std::string EngineFlag(std::string name, const std::string& value, char sep = '_');

// The ErrorInfo reason of a failed call ("" when there is none).
std::string ErrorReason(const grpc::Status& status);
// One ErrorInfo metadata value ("" when there is none).
std::string ErrorMetadata(const grpc::Status& status, const std::string& key);
// The RetryInfo delay in milliseconds (-1 when there is none).
long RetryDelayMs(const grpc::Status& status);

}  // namespace cv::testing
