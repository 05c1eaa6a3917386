#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

namespace cv::rpc {

// Who is calling, for fair shares, SendTest quotas, request-id ownership and the log:
// - with mutual TLS, the client certificate: its first URI SAN, else its first DNS SAN, else
//   its subject CN ("uri:spiffe://hr/platform", "dns:hr.example", "cn:hr-platform");
// - without it, the value of `header` (a trusted proxy's, e.g. "x-caller-id") when that flag
//   is set and the call carries it ("header:…");
// - otherwise "anonymous".
// A header value that is not a plain token (letters, digits and ._:/@+=-, at most 128) is
// refused by the caller of this function with INVALID_ARGUMENT; `*bad_header` says so.
std::string CallerIdentity(const grpc::CallbackServerContext& context, const std::string& header,
                           bool* bad_header);

// The client certificate's identity as above, from its PEM; "" when none can be read.
std::string CertificateIdentity(const std::string& pem);

}  // namespace cv::rpc
