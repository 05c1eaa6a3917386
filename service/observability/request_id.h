#pragma once

#include <grpcpp/server_context.h>

#include <optional>
#include <string>
#include <string_view>

// The request id that ties a caller's request to our log line: the caller's `x-request-id`
// metadata when it is a sane token, else one we make. It is echoed back in the response's
// initial metadata so a caller that sent none can still quote it.
namespace cv::observability {

inline constexpr std::string_view kRequestIdHeader = "x-request-id";

// The caller's id if it is 1..128 characters of [A-Za-z0-9._:/+=@-]: anything else (spaces,
// quotes, control characters, very long values) is dropped rather than logged, because the
// header is caller input and ends up in log lines and tools that parse them.
std::optional<std::string> SanitizeRequestId(std::string_view id);

// 32 random hex digits.
std::string NewRequestId();

// The first acceptable x-request-id of the call, else a new one.
std::string RequestIdOf(const grpc::ServerContextBase& context);

}  // namespace cv::observability
