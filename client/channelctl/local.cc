// --local: the server's engine in this process, on an io_context of its own with one thread.
// Validation and the egress policy are the server's (rpc/validate.h, verify/config.h), so a
// local run refuses and probes exactly what the service would.
#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cctype>
#include <future>
#include <iterator>
#include <thread>

#include "channelctl/backend.h"
#include "common/lang.h"
#include "diagnosis/catalog.h"
#include "rpc/status.h"
#include "rpc/validate.h"
#include "verify/config.h"
#include "verify/verifier.h"

namespace channelctl {
namespace v1 = channelverify::v1;

namespace {

class LocalBackend final : public Backend {
 public:
  LocalBackend(std::shared_ptr<const cv::verify::Config> config, std::chrono::milliseconds timeout)
      : work_(boost::asio::make_work_guard(io_)),
        verifier_(io_, std::move(config)),
        timeout_(timeout),
        loop_([this] { io_.run(); }) {}

  ~LocalBackend() override {
    work_.reset();
    io_.stop();
    loop_.join();
  }

  grpc::Status VerifyChannel(const v1::VerifyChannelRequest& request,
                             v1::VerifyChannelResponse* response) override {
    cv::Lang lang;
    if (auto s = cv::rpc::ValidateLanguage(request.language_code(), "language_code", &lang);
        !s.ok()) {
      return cv::rpc::FromAbsl(s);
    }
    if (request.channel().has_oauth()) {
      return VerifyOAuth(request.channel().oauth(), lang, response);
    }
    if (!request.channel().has_smtp()) {
      return cv::rpc::InvalidArgument("channel", "required: set channel.smtp or channel.oauth");
    }
    auto target = cv::rpc::ValidateSmtpChannel(request.channel().smtp(), "channel.smtp");
    if (!target.ok()) return cv::rpc::FromAbsl(target.status());
    if (grpc::Status s = CheckPort(target->port); !s.ok()) return s;
    const auto deadline = Deadline();
    std::promise<v1::VerifyChannelResponse> promise;
    auto future = promise.get_future();
    verifier_.VerifySmtp(
        std::move(*target), lang, deadline,
        [&promise](v1::VerifyChannelResponse result) { promise.set_value(std::move(result)); });
    *response = future.get();
    if (response->verdict() == v1::VERDICT_UNSPECIFIED) {
      return {grpc::StatusCode::INTERNAL, "verification failed"};
    }
    return grpc::Status::OK;
  }

  // The server's order (rpc/service.cc): validate, then the engine with the same deadline.
  grpc::Status VerifyOAuth(const v1::OAuthChannel& oauth, cv::Lang lang,
                           v1::VerifyChannelResponse* response) {
    auto target = cv::rpc::ValidateOAuthChannel(oauth, "channel.oauth");
    if (!target.ok()) return cv::rpc::FromAbsl(target.status());
    std::promise<v1::VerifyChannelResponse> promise;
    auto future = promise.get_future();
    verifier_.VerifyOAuth(
        std::move(*target), lang, Deadline(),
        [&promise](v1::VerifyChannelResponse result) { promise.set_value(std::move(result)); });
    *response = future.get();
    if (response->verdict() == v1::VERDICT_UNSPECIFIED) {
      return {grpc::StatusCode::INTERNAL, "verification failed"};
    }
    return grpc::Status::OK;
  }

  grpc::Status SendTest(const v1::SendTestRequest& request,
                        v1::SendTestResponse* response) override {
    // The server's checks in its order (rpc/service.cc), less request_id deduplication: one
    // process sends once, and the id only guards against a second call to a server.
    cv::Lang lang;
    if (auto s = cv::rpc::ValidateLanguage(request.language_code(), "language_code", &lang);
        !s.ok()) {
      return cv::rpc::FromAbsl(s);
    }
    if (request.channel().has_oauth()) {
      return {grpc::StatusCode::UNIMPLEMENTED,
              "send-test through OAuth channels is not available in this build"};
    }
    auto target = cv::rpc::ValidateSmtpChannel(request.channel().smtp(), "channel.smtp");
    if (!target.ok()) return cv::rpc::FromAbsl(target.status());
    if (target->from_address.empty()) {
      return cv::rpc::InvalidArgument("channel.smtp.from_address",
                                      "required for SendTest: the sender of the test message");
    }
    if (auto s = cv::rpc::ValidateAddress(request.recipient(), "recipient"); !s.ok()) {
      return cv::rpc::FromAbsl(s);
    }
    if (grpc::Status s = CheckPort(target->port); !s.ok()) return s;
    std::promise<v1::SendTestResponse> promise;
    auto future = promise.get_future();
    verifier_.SendTestSmtp(
        std::move(*target), request.recipient(), lang, Deadline(),
        [&promise](v1::SendTestResponse result) { promise.set_value(std::move(result)); });
    *response = future.get();
    if (response->verdict() == v1::VERDICT_UNSPECIFIED) {
      return {grpc::StatusCode::INTERNAL, "send-test failed"};
    }
    return grpc::Status::OK;
  }

  grpc::Status ListDiagnoses(const v1::ListDiagnosesRequest& request,
                             v1::ListDiagnosesResponse* response) override {
    cv::Lang lang;
    if (auto s = cv::rpc::ValidateLanguage(request.language_code(), "language_code", &lang);
        !s.ok()) {
      return cv::rpc::FromAbsl(s);
    }
    for (const auto& entry : cv::diagnosis::Catalog()) {
      *response->add_entries() = cv::diagnosis::RenderEntry(entry, lang, verifier_.config().render);
    }
    return grpc::Status::OK;
  }

  grpc::Status Health(const std::string& service, std::string* status) override {
    // The engine was configured when this backend was made; that is all "healthy" can mean
    // without a server.
    *status = "SERVING";
    return grpc::Status::OK;
  }

  std::string Describe() const override { return "the local engine"; }

 private:
  grpc::Status CheckPort(uint16_t port) const {
    if (verifier_.config().egress.PortAllowedSomewhere(port, cv::net::Purpose::kSmtp)) {
      return grpc::Status::OK;
    }
    return cv::rpc::Error(
        grpc::StatusCode::PERMISSION_DENIED, "TARGET_FORBIDDEN",
        "port " + std::to_string(port) + " is not an allowed SMTP port (see --smtp-ports)");
  }
  // The same margin the server keeps to send its answer, so local and remote runs of one
  // channel cut their probes at the same moment.
  cv::net::Clock::time_point Deadline() const {
    const auto margin =
        std::min<std::chrono::milliseconds>(timeout_ / 10, std::chrono::milliseconds(250));
    return cv::net::Clock::now() + timeout_ - margin;
  }

  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  cv::verify::Verifier verifier_;
  std::chrono::milliseconds timeout_;
  std::thread loop_;
};

// LocalOptions::oauth's keys and the settings they fill.
constexpr std::pair<std::string_view, std::string cv::verify::ConfigOptions::*> kOAuthFields[] = {
    {"google_client_id", &cv::verify::ConfigOptions::google_client_id},
    {"google_client_secret_file", &cv::verify::ConfigOptions::google_client_secret_file},
    {"microsoft_client_id", &cv::verify::ConfigOptions::microsoft_client_id},
    {"microsoft_client_secret_file", &cv::verify::ConfigOptions::microsoft_client_secret_file},
    {"google_token_url", &cv::verify::ConfigOptions::google_token_url},
    {"gmail_api_base", &cv::verify::ConfigOptions::gmail_api_base},
    {"google_directory_api_base", &cv::verify::ConfigOptions::google_directory_api_base},
    {"microsoft_login_base", &cv::verify::ConfigOptions::microsoft_login_base},
    {"microsoft_graph_base", &cv::verify::ConfigOptions::microsoft_graph_base},
    {"google_smtp_host", &cv::verify::ConfigOptions::google_smtp_host},
    {"microsoft_smtp_host", &cv::verify::ConfigOptions::microsoft_smtp_host},
};

}  // namespace

const std::vector<std::string_view>& LocalOAuthOptions() {
  static const auto* names = [] {
    auto* out = new std::vector<std::string_view>;
    for (const auto& [name, field] : kOAuthFields) out->push_back(name);
    return out;
  }();
  return *names;
}

std::unique_ptr<Backend> MakeLocalBackend(const LocalOptions& options, grpc::Status* error) {
  cv::verify::ConfigOptions config_options;
  config_options.allow_cidrs = options.allow_cidrs;
  config_options.dns_servers = options.dns_servers;
  config_options.trusted_ca_file = options.trusted_ca_file;
  config_options.smtp_ports = options.smtp_ports;
  config_options.egress_ips = options.egress_ips;
  config_options.ehlo_name = options.ehlo_name;
  for (const auto& [name, value] : options.oauth) {
    const auto* it = std::find_if(std::begin(kOAuthFields), std::end(kOAuthFields),
                                  [&](const auto& f) { return f.first == name; });
    if (it == std::end(kOAuthFields)) {
      *error = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "unknown OAuth option " + name);
      return nullptr;
    }
    config_options.*(it->second) = value;
  }
  auto config = cv::verify::BuildConfig(config_options);
  if (!config.ok()) {
    // The engine names the server's flags (--allow_cidrs); channelctl spells them with dashes.
    // Only the flag names change: a path or value after "=" keeps its underscores.
    std::string message(config.status().message());
    for (size_t i = message.find("--"); i != std::string::npos; i = message.find("--", i)) {
      for (i += 2; i < message.size() &&
                   (std::isalnum(static_cast<unsigned char>(message[i])) || message[i] == '_');
           ++i) {
        if (message[i] == '_') message[i] = '-';
      }
    }
    *error = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
    return nullptr;
  }
  *error = grpc::Status::OK;
  return std::make_unique<LocalBackend>(*config, options.timeout);
}

}  // namespace channelctl
