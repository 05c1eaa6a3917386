// --local: the server's engine in this process, on an io_context of its own with one thread.
// Validation and the egress policy are the server's (rpc/request_checks.h, probe/config.h), so
// a local run refuses and probes exactly what the service would.
#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cctype>
#include <future>
#include <thread>

#include "channelctl/backend.h"
#include "common/lang.h"
#include "diagnosis/catalog.h"
#include "probe/config.h"
#include "probe/engine_options.h"
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

// The options as the engine's configuration; the errors name the engine's option.
absl::StatusOr<std::shared_ptr<cv::probe::Config>> BuildConfig(const LocalOptions& options) {
  cv::probe::ConfigOptions config_options;
  for (const auto& [name, text] : options.engine) {
    if (auto s = cv::probe::SetEngineOption(name, text, &config_options); !s.ok()) return s;
  }
  return cv::probe::BuildConfig(config_options);
}

}  // namespace

std::unique_ptr<Backend> MakeLocalBackend(const LocalOptions& options, grpc::Status* error) {
  auto config = BuildConfig(options);
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
