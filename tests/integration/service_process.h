// The channel-verifier binary as a child process, with a gRPC stub to it, for integration tests
// that go through the real server. (No ServerProcess in tests/support yet; this can move there.)
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "channelverify/v1/channel_verifier.grpc.pb.h"
#include "support/peers.h"
#include "support/process.h"

namespace cv::testing {

class ServiceProcess {
 public:
  // Starts build/<preset>/service/channel-verifier on 127.0.0.1 with a port of its choice,
  // trusting the test CA, resolving through `dns`, loopback allowed; waits for "serving".
  static absl::StatusOr<std::unique_ptr<ServiceProcess>> Start(
      const TestCa& ca, const DnsPeer& dns, std::vector<std::string> extra_flags = {});

  channelverify::v1::ChannelVerifierService::Stub& stub() { return *stub_; }
  int port() const { return port_; }
  // Everything the server logged (JSON lines on stdout).
  std::string Output() const { return process_.Output(); }

 private:
  ServiceProcess(ChildProcess process, int port);
  ChildProcess process_;
  int port_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<channelverify::v1::ChannelVerifierService::Stub> stub_;
};

// The ErrorInfo reason of a failed call ("" when there is none).
std::string ErrorReason(const grpc::Status& status);

}  // namespace cv::testing
