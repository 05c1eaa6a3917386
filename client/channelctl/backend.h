// Where channelctl's calls go: a channel-verifier over gRPC, or the engine in this process
// (--local). Both answer with the same messages and grpc::Status, so everything after the call
// (rendering, exit codes) is one code path.
#pragma once

#include <grpcpp/support/status.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "channelverify/client.h"
#include "channelverify/v1/channel_verifier.pb.h"

namespace channelctl {

class Backend {
 public:
  virtual ~Backend() = default;
  virtual grpc::Status VerifyChannel(const channelverify::v1::VerifyChannelRequest& request,
                                     channelverify::v1::VerifyChannelResponse* response) = 0;
  virtual grpc::Status SendTest(const channelverify::v1::SendTestRequest& request,
                                channelverify::v1::SendTestResponse* response) = 0;
  virtual grpc::Status ListDiagnoses(const channelverify::v1::ListDiagnosesRequest& request,
                                     channelverify::v1::ListDiagnosesResponse* response) = 0;
  // "SERVING", "NOT_SERVING", ...
  virtual grpc::Status Health(const std::string& service, std::string* status) = 0;
  // "the server at 127.0.0.1:50051" / "the local engine", for error messages.
  virtual std::string Describe() const = 0;
  // True when the last call could not even connect (so a DEADLINE_EXCEEDED means "down").
  virtual bool Unreachable() const { return false; }
  // After a call failed to connect: why, when it is a matter of TLS settings (one sentence
  // naming the flag to change), else "".
  virtual std::string ExplainConnectionFailure() const { return ""; }
};

std::unique_ptr<Backend> MakeRemoteBackend(const channelverify::ClientOptions& options,
                                           grpc::Status* error);

struct LocalOptions {
  // The engine's options by the server's names ("greeting_timeout_ms"; probe/engine_options.h),
  // as text; the ones not given keep their defaults.
  std::map<std::string, std::string, std::less<>> engine;
  std::chrono::milliseconds timeout{30000};
};

// Builds the engine's configuration at once; INVALID_ARGUMENT names the bad option.
std::unique_ptr<Backend> MakeLocalBackend(const LocalOptions& options, grpc::Status* error);

}  // namespace channelctl
