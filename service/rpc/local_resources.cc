#include "rpc/local_resources.h"

#include "absl/strings/str_cat.h"
#include "net/socket_budget.h"
#include "observability/service_metrics.h"
#include "rpc/status.h"
#include "verify/local_failure.h"

namespace cv::rpc {
namespace {

// The sockets one call may hold at once: the capped addresses of the primary endpoint, three
// alternatives, an HTTPS exchange, and slack.
constexpr size_t kSocketsPerCall = 16;

template <typename Response>
grpc::Status FromResponse(const Response& response) {
  const std::string* what = verify::LocalFailure(response);
  if (what == nullptr) return grpc::Status::OK;
  return Error(grpc::StatusCode::UNAVAILABLE, "LOCAL_RESOURCES",
               absl::StrCat("channel-verifier ran short of its own resources (", *what,
                            "); the channel was not judged. Retry later"),
               1000);
}

}  // namespace

grpc::Status CheckSocketHeadroom() {
  if (net::SocketBudget::Fits(kSocketsPerCall)) return grpc::Status::OK;
  observability::CountLimiterRejection("OVERLOADED");
  return Error(
      grpc::StatusCode::RESOURCE_EXHAUSTED, "OVERLOADED",
      absl::StrCat("channel-verifier has ", net::SocketBudget::open(), " of its budget of ",
                   net::SocketBudget::limit(), " sockets open; retry with backoff"),
      1000);
}

grpc::Status LocalResourceStatus(const channelverify::v1::VerifyChannelResponse& response) {
  return FromResponse(response);
}

grpc::Status LocalResourceStatus(const channelverify::v1::SendTestResponse& response) {
  return FromResponse(response);
}

}  // namespace cv::rpc
