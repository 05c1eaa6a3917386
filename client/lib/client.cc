#include "channelverify/client.h"

#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

namespace channelverify {
namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream data;
  data << in.rdbuf();
  *out = data.str();
  return in.good() || in.eof();
}

// Durations in service config JSON are strings of seconds with up to nine decimals ("0.25s").
std::string JsonSeconds(std::chrono::milliseconds d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "\"%lld.%03llds\"", static_cast<long long>(d.count() / 1000),
                static_cast<long long>(d.count() % 1000));
  return buf;
}

// Keeps request, response and context alive until the callback API is done with them.
template <typename Request, typename Response>
struct AsyncCall {
  grpc::ClientContext context;
  Request request;
  Response response;
  Client::Callback<Response> done;
};

// Frees the call's state before the caller hears of the result: once `done` runs, the caller may
// tear everything down (the Client, the test's fake server), and nothing of ours may still be
// alive to be destroyed afterwards.
template <typename Request, typename Response>
void Finish(AsyncCall<Request, Response>* state, grpc::Status status) {
  auto done = std::move(state->done);
  Response response = std::move(state->response);
  delete state;
  done(std::move(status), std::move(response));
}

}  // namespace

std::string Client::ServiceConfigJson(const RetryOptions& retry) {
  const std::string service = "channelverify.v1.ChannelVerifierService";
  // VerifyChannel makes at most one AUTH attempt and sends nothing, and ListDiagnoses reads a
  // table: both are safe to repeat. UNAVAILABLE is the one code that means "the call did not
  // run" (server down, restarting, connection lost before an answer).
  std::string retry_policy;
  if (retry.max_attempts > 1) {
    retry_policy = ", \"retryPolicy\": {\"maxAttempts\": " + std::to_string(retry.max_attempts) +
                   ", \"initialBackoff\": " + JsonSeconds(retry.initial_backoff) +
                   ", \"maxBackoff\": " + JsonSeconds(retry.max_backoff) +
                   ", \"backoffMultiplier\": " + std::to_string(retry.backoff_multiplier) +
                   ", \"retryableStatusCodes\": [\"UNAVAILABLE\"]}";
  }
  // SendTest gets its own entry with no retryPolicy, so that a later catch-all entry can never
  // give it one.
  return "{\"methodConfig\": [{\"name\": [{\"service\": \"" + service +
         "\", \"method\": \"VerifyChannel\"}, {\"service\": \"" + service +
         "\", \"method\": \"ListDiagnoses\"}, {\"service\": \"grpc.health.v1.Health\", "
         "\"method\": \"Check\"}]" +
         retry_policy + "}, {\"name\": [{\"service\": \"" + service +
         "\", \"method\": \"SendTest\"}]}]}";
}

std::string Client::NewRequestId() {
  std::random_device random;
  char buf[33];
  for (int i = 0; i < 4; ++i) {
    std::snprintf(buf + 8 * i, 9, "%08x", static_cast<unsigned>(random()));
  }
  return std::string(buf, 32);
}

grpc::Status Client::Create(const ClientOptions& options, std::unique_ptr<Client>* out) {
  if (options.target.empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "target: required (HOST:PORT)"};
  }
  if (options.retry.max_attempts < 1) {
    return {grpc::StatusCode::INVALID_ARGUMENT, "retry.max_attempts: must be at least 1"};
  }
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // Any TLS setting means TLS: a CA file or a server name quietly ignored would send the
  // calls (and the passwords in them) in the clear.
  const bool any_tls_setting = !options.ca_file.empty() || !options.cert_file.empty() ||
                               !options.key_file.empty() || !options.tls_server_name.empty();
  if (options.tls || any_tls_setting) {
    grpc::SslCredentialsOptions ssl;
    if (!options.ca_file.empty() && !ReadFile(options.ca_file, &ssl.pem_root_certs)) {
      return {grpc::StatusCode::INVALID_ARGUMENT, "ca_file: cannot read " + options.ca_file};
    }
    if (options.cert_file.empty() != options.key_file.empty()) {
      return {grpc::StatusCode::INVALID_ARGUMENT,
              "cert_file and key_file: give both for mTLS, or neither"};
    }
    if (!options.cert_file.empty()) {
      if (!ReadFile(options.cert_file, &ssl.pem_cert_chain)) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "cert_file: cannot read " + options.cert_file};
      }
      if (!ReadFile(options.key_file, &ssl.pem_private_key)) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "key_file: cannot read " + options.key_file};
      }
    }
    credentials = grpc::SslCredentials(ssl);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }

  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(ServiceConfigJson(options.retry));
  // Retries are on by default in gRPC 1.51; say so explicitly so that an environment or a
  // future default cannot silently turn them off.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, options.retry.max_attempts > 1 ? 1 : 0);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
              static_cast<int>(options.reconnect_backoff_initial.count()));
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
              static_cast<int>(options.reconnect_backoff_initial.count()));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
              static_cast<int>(options.reconnect_backoff_max.count()));
  if (!options.tls_server_name.empty()) {
    args.SetSslTargetNameOverride(options.tls_server_name);
  }
  auto channel = grpc::CreateCustomChannel(options.target, credentials, args);
  *out = std::make_unique<Client>(std::move(channel), options.timeout);
  return grpc::Status::OK;
}

Client::Client(std::shared_ptr<grpc::Channel> channel, std::chrono::milliseconds timeout)
    : channel_(std::move(channel)),
      timeout_(timeout),
      stub_(v1::ChannelVerifierService::NewStub(channel_)),
      health_(grpc::health::v1::Health::NewStub(channel_)) {}

void Client::Prepare(grpc::ClientContext* context, const CallOptions& call) const {
  const auto timeout = call.timeout.count() > 0 ? call.timeout : timeout_;
  if (timeout.count() > 0) context->set_deadline(std::chrono::system_clock::now() + timeout);
  for (const auto& [key, value] : call.metadata) context->AddMetadata(key, value);
}

grpc::Status Client::VerifyChannel(const v1::VerifyChannelRequest& request,
                                   v1::VerifyChannelResponse* response, const CallOptions& call) {
  grpc::ClientContext context;
  Prepare(&context, call);
  return stub_->VerifyChannel(&context, request, response);
}

grpc::Status Client::SendTest(const v1::SendTestRequest& request, v1::SendTestResponse* response,
                              const CallOptions& call) {
  grpc::ClientContext context;
  Prepare(&context, call);
  return stub_->SendTest(&context, request, response);
}

grpc::Status Client::ListDiagnoses(const v1::ListDiagnosesRequest& request,
                                   v1::ListDiagnosesResponse* response, const CallOptions& call) {
  grpc::ClientContext context;
  Prepare(&context, call);
  return stub_->ListDiagnoses(&context, request, response);
}

grpc::Status Client::CheckHealth(const std::string& service,
                                 grpc::health::v1::HealthCheckResponse* response,
                                 const CallOptions& call) {
  grpc::ClientContext context;
  Prepare(&context, call);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  return health_->Check(&context, request, response);
}

void Client::VerifyChannelAsync(v1::VerifyChannelRequest request,
                                Callback<v1::VerifyChannelResponse> done, const CallOptions& call) {
  auto* state = new AsyncCall<v1::VerifyChannelRequest, v1::VerifyChannelResponse>{
      {}, std::move(request), {}, std::move(done)};
  Prepare(&state->context, call);
  stub_->async()->VerifyChannel(&state->context, &state->request, &state->response,
                                [state](grpc::Status status) { Finish(state, std::move(status)); });
}

void Client::SendTestAsync(v1::SendTestRequest request, Callback<v1::SendTestResponse> done,
                           const CallOptions& call) {
  auto* state = new AsyncCall<v1::SendTestRequest, v1::SendTestResponse>{
      {}, std::move(request), {}, std::move(done)};
  Prepare(&state->context, call);
  stub_->async()->SendTest(&state->context, &state->request, &state->response,
                           [state](grpc::Status status) { Finish(state, std::move(status)); });
}

void Client::ListDiagnosesAsync(v1::ListDiagnosesRequest request,
                                Callback<v1::ListDiagnosesResponse> done, const CallOptions& call) {
  auto* state = new AsyncCall<v1::ListDiagnosesRequest, v1::ListDiagnosesResponse>{
      {}, std::move(request), {}, std::move(done)};
  Prepare(&state->context, call);
  stub_->async()->ListDiagnoses(&state->context, &state->request, &state->response,
                                [state](grpc::Status status) { Finish(state, std::move(status)); });
}

}  // namespace channelverify
