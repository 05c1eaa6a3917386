#include "rpc/status.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace cv::rpc {
namespace {

constexpr char kFieldPayload[] = "type.channelverify.v1/field";

grpc::Status Build(grpc::StatusCode code, std::string_view reason, std::string message,
                   std::string_view field, std::string_view description, long retry_after_ms,
                   const std::map<std::string, std::string>& metadata = {}) {
  google::rpc::Status status;
  status.set_code(static_cast<int>(code));
  status.set_message(message);
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(std::string(kErrorDomain));
  if (!field.empty()) (*info.mutable_metadata())["field"] = std::string(field);
  for (const auto& [key, value] : metadata) (*info.mutable_metadata())[key] = value;
  status.add_details()->PackFrom(info);
  if (!field.empty()) {
    google::rpc::BadRequest bad;
    auto* violation = bad.add_field_violations();
    violation->set_field(std::string(field));
    violation->set_description(std::string(description));
    status.add_details()->PackFrom(bad);
  }
  if (retry_after_ms > 0) {
    google::rpc::RetryInfo retry;
    retry.mutable_retry_delay()->set_seconds(retry_after_ms / 1000);
    retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>(retry_after_ms % 1000) * 1000000);
    status.add_details()->PackFrom(retry);
  }
  return grpc::Status(code, std::move(message), status.SerializeAsString());
}

}  // namespace

grpc::Status InvalidArgument(std::string_view field, std::string_view description) {
  return Build(grpc::StatusCode::INVALID_ARGUMENT, "INVALID_FIELD",
               absl::StrCat(Av(field), ": ", Av(description)), field, description, 0);
}

grpc::Status Error(grpc::StatusCode code, std::string_view reason, std::string_view message,
                   long retry_after_ms) {
  return Build(code, reason, std::string(message), "", "", retry_after_ms);
}

grpc::Status Error(grpc::StatusCode code, std::string_view reason, std::string_view message,
                   long retry_after_ms, const std::map<std::string, std::string>& metadata) {
  return Build(code, reason, std::string(message), "", "", retry_after_ms, metadata);
}

absl::Status FieldError(std::string_view field, std::string_view description) {
  absl::Status status(absl::StatusCode::kInvalidArgument,
                      absl::StrCat(Av(field), ": ", Av(description)));
  status.SetPayload(kFieldPayload, absl::Cord(Av(field)));
  return status;
}

grpc::Status FromAbsl(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  if (auto field = status.GetPayload(kFieldPayload)) {
    const std::string name(*field);
    std::string_view message = Sv(status.message());
    const std::string prefix = absl::StrCat(name, ": ");
    if (message.substr(0, prefix.size()) == prefix) message.remove_prefix(prefix.size());
    return InvalidArgument(name, message);
  }
  const auto code = static_cast<grpc::StatusCode>(status.code());
  return Error(code, absl::StatusCodeToString(status.code()), Sv(status.message()));
}

}  // namespace cv::rpc
