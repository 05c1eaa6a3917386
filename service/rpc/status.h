#pragma once

#include <grpcpp/support/status.h>

#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"

// RPC errors as AIP-193 wants them: a google.rpc.Status in the details with exactly one
// google.rpc.ErrorInfo (reason, domain, metadata), plus a BadRequest naming the field for
// INVALID_ARGUMENT and a RetryInfo where waiting helps.
namespace cv::rpc {

inline constexpr std::string_view kErrorDomain = "channelverify.v1";

// A validation failure: "channel.smtp.host" and what is wrong with it.
grpc::Status InvalidArgument(std::string_view field, std::string_view description);
// Any other error with its machine-readable reason ("AUTH_RATE_LIMITED", "TARGET_FORBIDDEN",
// "OVERLOADED", ...). retry_after_ms > 0 adds a RetryInfo.
grpc::Status Error(grpc::StatusCode code, std::string_view reason, std::string_view message,
                   long retry_after_ms = 0);
// The same with ErrorInfo metadata (e.g. {"account": "microsoft/jobs@example.com"}).
grpc::Status Error(grpc::StatusCode code, std::string_view reason, std::string_view message,
                   long retry_after_ms, const std::map<std::string, std::string>& metadata);

// absl::Status from validation ("field: description" in the message, field in the payload
// "field") to grpc::Status with details.
grpc::Status FromAbsl(const absl::Status& status);

// The absl::Status a validator returns for a bad field.
absl::Status FieldError(std::string_view field, std::string_view description);

}  // namespace cv::rpc
