// channelverify::Client: the C++ client of channel-verifier for other services and channelctl.
//
//   channelverify::ClientOptions options;
//   options.target = "channel-verifier.mail.svc:50051";
//   std::unique_ptr<channelverify::Client> client;
//   if (grpc::Status s = channelverify::Client::Create(options, &client); !s.ok()) { ... }
//   channelverify::v1::VerifyChannelResponse response;
//   grpc::Status s = client->VerifyChannel(request, &response);
//
// Retries follow gRPC's own mechanism: the channel carries a service config whose retryPolicy
// retries VerifyChannel and ListDiagnoses on UNAVAILABLE with exponential backoff, all attempts
// within the call's one deadline. SendTest has no retry policy at all: every attempt that
// reaches the server sends a real message.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "channelverify/v1/channel_verifier.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace channelverify {

// gRPC's retryPolicy fields (https://github.com/grpc/proposal/blob/master/A6-client-retries.md).
struct RetryOptions {
  // Attempts in total, the first included; 1 disables retries. gRPC caps this at 5.
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{250};
  std::chrono::milliseconds max_backoff{2000};
  double backoff_multiplier = 2.0;
};

struct ClientOptions {
  // HOST:PORT, or any gRPC target URI ("dns:///verifier.svc:50051", "unix:///run/cv.sock").
  std::string target = "127.0.0.1:50051";
  // TLS to the server; without ca_file the system's trust store is used. Setting any of the
  // fields below implies TLS.
  bool tls = false;
  std::string ca_file;
  // Client certificate and key for mTLS (both or neither).
  std::string cert_file;
  std::string key_file;
  // Overrides the name checked in the server's certificate (tests, port-forwards).
  std::string tls_server_name;
  // Default deadline of every call (CallOptions::timeout overrides it). Retries share it.
  std::chrono::milliseconds timeout{30000};
  RetryOptions retry;
  // How soon the channel dials again after a failed connect. gRPC's default starts at 1 s and
  // grows to 120 s, which would outlast most deadlines; a verifier that restarts is back
  // within a second or two.
  std::chrono::milliseconds reconnect_backoff_initial{200};
  std::chrono::milliseconds reconnect_backoff_max{2000};
};

// Per call: a zero timeout means ClientOptions::timeout.
struct CallOptions {
  std::chrono::milliseconds timeout{0};
  // Extra metadata (e.g. a caller id for the server's logs).
  std::vector<std::pair<std::string, std::string>> metadata;
};

class Client {
 public:
  template <typename Response>
  using Callback = std::function<void(grpc::Status, Response)>;

  // Builds the channel; INVALID_ARGUMENT when a TLS file cannot be read or options conflict.
  // Connecting happens lazily on the first call.
  static grpc::Status Create(const ClientOptions& options, std::unique_ptr<Client>* out);
  // A client on a channel made elsewhere (its service config decides about retries).
  Client(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout);

  // The service config JSON that Create puts on the channel.
  static std::string ServiceConfigJson(const RetryOptions& retry);
  // A fresh random SendTest request_id (128 bits, hex).
  static std::string NewRequestId();

  // Blocking calls.
  grpc::Status VerifyChannel(const v1::VerifyChannelRequest& request,
                             v1::VerifyChannelResponse* response, const CallOptions& call = {});
  // Never retried. Set request.request_id (NewRequestId) so that a second call made by
  // mistake is refused by the server with ALREADY_EXISTS instead of sending twice.
  grpc::Status SendTest(const v1::SendTestRequest& request, v1::SendTestResponse* response,
                        const CallOptions& call = {});
  grpc::Status ListDiagnoses(const v1::ListDiagnosesRequest& request,
                             v1::ListDiagnosesResponse* response, const CallOptions& call = {});
  // grpc.health.v1.Health/Check; service "" is the server as a whole.
  grpc::Status CheckHealth(const std::string& service,
                           grpc::health::v1::HealthCheckResponse* response,
                           const CallOptions& call = {});

  // Asynchronous calls: `done` runs once, on a gRPC thread, when the call ends. It must not
  // block for long. The Client must outlive the calls it started.
  void VerifyChannelAsync(v1::VerifyChannelRequest request,
                          Callback<v1::VerifyChannelResponse> done, const CallOptions& call = {});
  void SendTestAsync(v1::SendTestRequest request, Callback<v1::SendTestResponse> done,
                     const CallOptions& call = {});
  void ListDiagnosesAsync(v1::ListDiagnosesRequest request,
                          Callback<v1::ListDiagnosesResponse> done, const CallOptions& call = {});

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

 private:
  void Prepare(grpc::ClientContext* context, const CallOptions& call) const;

  std::shared_ptr<grpc::Channel> channel_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<v1::ChannelVerifierService::Stub> stub_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

}  // namespace channelverify
