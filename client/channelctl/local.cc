// --local: the server's engine in this process, on an io_context of its own with one thread.
// Validation and the egress policy are the server's (rpc/request_checks.h, verify/config.h), so
// a local run refuses and probes exactly what the service would.
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
#include "probe/config.h"
#include "rpc/request_checks.h"
#include "rpc/status.h"
#include "rpc/validate.h"
#include "verify/verifier.h"

namespace channelctl {
namespace v1 = channelverify::v1;

namespace {

class LocalBackend final : public Backend {
 public:
  LocalBackend(std::shared_ptr<const cv::probe::Config> config, std::chrono::milliseconds timeout)
      : work_(boost::asio::make_work_guard(io_)),
        verifier_(io_, std::move(config)),
        timeout_(timeout),
        loop_([this] { io_.run(); }) {}

  ~LocalBackend() override {
    work_.reset();
    io_.stop();
    loop_.join();
  }

  // The server's checks in its order (rpc/request_checks.h), then the engine with the same
  // deadline margin.
  grpc::Status VerifyChannel(const v1::VerifyChannelRequest& request,
                             v1::VerifyChannelResponse* response) override {
    cv::rpc::CheckedRequest checked;
    if (grpc::Status s =
            cv::rpc::CheckVerifyRequest(request, verifier_.config().egress, kPortHint, &checked);
        !s.ok()) {
      return s;
    }
    *response = Await<v1::VerifyChannelResponse>([&](auto done) {
      if (checked.oauth) {
        return verifier_.VerifyOAuth(std::move(*checked.oauth), checked.lang, Deadline(), done);
      }
      return verifier_.VerifySmtp(std::move(*checked.smtp), checked.lang, Deadline(), done);
    });
    if (response->verdict() == v1::VERDICT_UNSPECIFIED) {
      return {grpc::StatusCode::INTERNAL, "verification failed"};
    }
    return grpc::Status::OK;
  }

  // Less request_id deduplication: one process sends once, and the id only guards against a
  // second call to a server.
  grpc::Status SendTest(const v1::SendTestRequest& request,
                        v1::SendTestResponse* response) override {
    cv::rpc::CheckedRequest checked;
    if (grpc::Status s =
            cv::rpc::CheckSendTestRequest(request, verifier_.config().egress, kPortHint, &checked);
        !s.ok()) {
      return s;
    }
    *response = Await<v1::SendTestResponse>([&](auto done) {
      if (checked.oauth) {
        return verifier_.SendTestOAuth(std::move(*checked.oauth), std::move(checked.recipient),
                                       checked.lang, Deadline(), done);
      }
      return verifier_.SendTestSmtp(std::move(*checked.smtp), std::move(checked.recipient),
                                    checked.lang, Deadline(), done);
    });
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
    for (auto& ip : cv::diagnosis::EgressIps(verifier_.config().render)) {
      response->add_egress_ips(std::move(ip));
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
  static constexpr std::string_view kPortHint = "(see --smtp-ports)";

  // Starts the engine with `start(done)` and waits for its answer on this thread.
  template <typename Response, typename Start>
  Response Await(Start start) {
    std::promise<Response> promise;
    auto future = promise.get_future();
    start([&promise](Response result) { promise.set_value(std::move(result)); });
    return future.get();
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
constexpr std::pair<std::string_view, std::string cv::probe::ConfigOptions::*> kOAuthFields[] = {
    {"google_client_id", &cv::probe::ConfigOptions::google_client_id},
    {"google_client_secret_file", &cv::probe::ConfigOptions::google_client_secret_file},
    {"microsoft_client_id", &cv::probe::ConfigOptions::microsoft_client_id},
    {"microsoft_client_secret_file", &cv::probe::ConfigOptions::microsoft_client_secret_file},
    {"google_token_url", &cv::probe::ConfigOptions::google_token_url},
    {"gmail_api_base", &cv::probe::ConfigOptions::gmail_api_base},
    {"google_directory_api_base", &cv::probe::ConfigOptions::google_directory_api_base},
    {"microsoft_login_base", &cv::probe::ConfigOptions::microsoft_login_base},
    {"microsoft_graph_base", &cv::probe::ConfigOptions::microsoft_graph_base},
    {"google_smtp_host", &cv::probe::ConfigOptions::google_smtp_host},
    {"microsoft_smtp_host", &cv::probe::ConfigOptions::microsoft_smtp_host},
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
  cv::probe::ConfigOptions config_options;
  config_options.allow_cidrs = options.allow_cidrs;
  config_options.allow_plaintext_auth_cidrs = options.allow_plaintext_auth_cidrs;
  config_options.dns_servers = options.dns_servers;
  config_options.trusted_ca_file = options.trusted_ca_file;
  config_options.smtp_ports = options.smtp_ports;
  config_options.egress_ips = options.egress_ips;
  config_options.ehlo_name = options.ehlo_name;
  config_options.cert_expiry_warning_days = options.cert_expiry_warning_days;
  for (const auto& [name, value] : options.oauth) {
    const auto* it = std::find_if(std::begin(kOAuthFields), std::end(kOAuthFields),
                                  [&](const auto& f) { return f.first == name; });
    if (it == std::end(kOAuthFields)) {
      *error = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "unknown OAuth option " + name);
      return nullptr;
    }
    config_options.*(it->second) = value;
  }
  auto config = cv::probe::BuildConfig(config_options);
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
