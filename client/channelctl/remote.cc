#include <algorithm>

#include "channelctl/backend.h"
#include "channelctl/tls_check.h"

namespace channelctl {
namespace v1 = channelverify::v1;

namespace {

class RemoteBackend final : public Backend {
 public:
  RemoteBackend(std::unique_ptr<channelverify::Client> client, channelverify::ClientOptions options)
      : client_(std::move(client)), options_(std::move(options)) {}

  grpc::Status VerifyChannel(const v1::VerifyChannelRequest& request,
                             v1::VerifyChannelResponse* response) override {
    return client_->VerifyChannel(request, response);
  }
  grpc::Status SendTest(const v1::SendTestRequest& request,
                        v1::SendTestResponse* response) override {
    return client_->SendTest(request, response);
  }
  grpc::Status ListDiagnoses(const v1::ListDiagnosesRequest& request,
                             v1::ListDiagnosesResponse* response) override {
    return client_->ListDiagnoses(request, response);
  }
  grpc::Status Health(const std::string& service, std::string* status) override {
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status s = client_->CheckHealth(service, &response);
    if (s.ok())
      *status = grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status());
    return s;
  }
  std::string Describe() const override { return "the server at " + options_.target; }
  bool Unreachable() const override {
    return client_->channel()->GetState(false) == GRPC_CHANNEL_TRANSIENT_FAILURE;
  }
  std::string ExplainConnectionFailure() const override {
    return channelctl::ExplainConnectionFailure(
        options_, std::min(options_.timeout, std::chrono::milliseconds(5000)));
  }

 private:
  std::unique_ptr<channelverify::Client> client_;
  channelverify::ClientOptions options_;
};

}  // namespace

std::unique_ptr<Backend> MakeRemoteBackend(const channelverify::ClientOptions& options,
                                           grpc::Status* error) {
  std::unique_ptr<channelverify::Client> client;
  *error = channelverify::Client::Create(options, &client);
  if (!error->ok()) return nullptr;
  return std::make_unique<RemoteBackend>(std::move(client), options);
}

}  // namespace channelctl
