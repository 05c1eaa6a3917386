#include "rpc/health.h"

#include <optional>

namespace cv::rpc {
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// One Watch stream: writes the current status, then every change; at most one write in flight,
// and only the newest status is kept while one is.
class HealthService::Watcher : public grpc::ServerWriteReactor<HealthCheckResponse> {
 public:
  Watcher(HealthService* service, std::string name) : service_(service), name_(std::move(name)) {}

  void Send(HealthCheckResponse::ServingStatus status) {
    std::lock_guard lock(mu_);
    if (finished_) return;
    if (writing_) {
      pending_ = status;
      return;
    }
    StartWrite(status);
  }

  void End() {
    std::lock_guard lock(mu_);
    if (finished_) return;
    finished_ = true;
    if (!writing_) Finish(grpc::Status::OK);
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok) {
      if (!finished_) {
        finished_ = true;
        Finish(grpc::Status::OK);
      }
      return;
    }
    if (finished_) {
      Finish(grpc::Status::OK);
    } else if (pending_) {
      const auto next = *pending_;
      pending_.reset();
      StartWrite(next);
    }
  }

  void OnCancel() override {
    std::lock_guard lock(mu_);
    if (!finished_) {
      finished_ = true;
      if (!writing_) Finish(grpc::Status::CANCELLED);
    }
  }

  void OnDone() override {
    service_->Forget(this);
    delete this;
  }

  const std::string& name() const { return name_; }

 private:
  void StartWrite(HealthCheckResponse::ServingStatus status) {
    writing_ = true;
    response_.set_status(status);
    grpc::ServerWriteReactor<HealthCheckResponse>::StartWrite(&response_);
  }

  HealthService* service_;
  std::string name_;
  std::mutex mu_;
  HealthCheckResponse response_;
  bool writing_ = false;
  bool finished_ = false;
  std::optional<HealthCheckResponse::ServingStatus> pending_;
};

HealthService::HealthService(std::set<std::string> services) : services_(std::move(services)) {
  services_.insert("");
}

HealthCheckResponse::ServingStatus HealthService::StatusFor(const std::string& service) {
  if (auto dep = dependencies_.find(service); dep != dependencies_.end()) {
    return serving_ && dep->second ? HealthCheckResponse::SERVING
                                   : HealthCheckResponse::NOT_SERVING;
  }
  if (!services_.count(service)) return HealthCheckResponse::SERVICE_UNKNOWN;
  return serving_ ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING;
}

grpc::ServerUnaryReactor* HealthService::Check(grpc::CallbackServerContext* context,
                                               const HealthCheckRequest* request,
                                               HealthCheckResponse* response) {
  auto* reactor = context->DefaultReactor();
  std::lock_guard lock(mu_);
  const auto status = StatusFor(request->service());
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service"));
  } else {
    response->set_status(status);
    reactor->Finish(grpc::Status::OK);
  }
  return reactor;
}

grpc::ServerWriteReactor<HealthCheckResponse>* HealthService::Watch(
    grpc::CallbackServerContext* context, const HealthCheckRequest* request) {
  auto* watcher = new Watcher(this, request->service());
  HealthCheckResponse::ServingStatus status;
  {
    std::lock_guard lock(mu_);
    status = StatusFor(request->service());
    if (ended_) {
      watcher->Send(status);
      watcher->End();
      return watcher;
    }
    watchers_.insert(watcher);
  }
  watcher->Send(status);
  return watcher;
}

void HealthService::SetServing(bool serving) {
  std::lock_guard lock(mu_);
  serving_ = serving;
  for (Watcher* w : watchers_) w->Send(StatusFor(w->name()));
}

void HealthService::SetDependency(const std::string& name, bool up) {
  std::lock_guard lock(mu_);
  dependencies_[name] = up;
  for (Watcher* w : watchers_) {
    if (w->name() == name) w->Send(StatusFor(w->name()));
  }
}

void HealthService::EndWatches() {
  std::lock_guard lock(mu_);
  ended_ = true;
  for (Watcher* w : watchers_) w->End();
}

void HealthService::Forget(Watcher* watcher) {
  std::lock_guard lock(mu_);
  watchers_.erase(watcher);
}

namespace {

class WithoutPluginsOption final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->clear();
  }
};

}  // namespace

std::unique_ptr<grpc::ServerBuilderOption> WithoutPlugins() {
  return std::make_unique<WithoutPluginsOption>();
}

}  // namespace cv::rpc
