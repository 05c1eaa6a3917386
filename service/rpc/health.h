#pragma once

#include <grpcpp/impl/server_builder_option.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "grpc/health/v1/health.grpc.pb.h"

namespace cv::rpc {

// grpc.health.v1.Health compiled from Debian's grpc-proto health.proto, so that server
// reflection lists it (gRPC 1.51's built-in one is invisible to reflection) and `buf curl`
// can call it. Serves "" (the whole server) and the API's service name.
class HealthService final : public grpc::health::v1::Health::CallbackService {
 public:
  explicit HealthService(std::set<std::string> services);

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  grpc::health::v1::HealthCheckResponse* response) override;
  grpc::ServerWriteReactor<grpc::health::v1::HealthCheckResponse>* Watch(
      grpc::CallbackServerContext* context,
      const grpc::health::v1::HealthCheckRequest* request) override;

  // SERVING or NOT_SERVING for every service; watchers are told.
  void SetServing(bool serving);
  // A dependency reported under its own name (e.g. "channelverify.v1.StateStore"): SERVING
  // while it is up. The server as a whole ("") keeps serving without it, degraded, so that
  // a store outage does not take every replica out of the load balancer.
  void SetDependency(const std::string& name, bool up);
  // Ends every Watch stream (before the server shuts down, so it need not wait for them).
  void EndWatches();

  class Watcher;

 private:
  grpc::health::v1::HealthCheckResponse::ServingStatus StatusFor(const std::string& service);
  friend class Watcher;
  void Forget(Watcher* watcher);

  std::mutex mu_;
  std::set<std::string> services_;
  std::map<std::string, bool> dependencies_;
  bool serving_ = true;
  bool ended_ = false;
  std::set<Watcher*> watchers_;
};

// A ServerBuilder option that removes every plugin (server reflection registers itself as one
// with every builder of the process): for the plaintext health port, which must serve nothing
// but the services registered on it explicitly.
std::unique_ptr<grpc::ServerBuilderOption> WithoutPlugins();

}  // namespace cv::rpc
