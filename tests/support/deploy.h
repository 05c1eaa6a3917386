// Helpers for tests of the server as it is deployed: TLS client credentials and client
// certificates, the extra ports the "serving" log line reports, and /metrics over HTTP.
#pragma once

#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "support/peers.h"

namespace cv::testing {

// The number logged as "key":N in the first "serving" line of the server's output.
absl::StatusOr<int> LoggedPort(const std::string& logs, std::string_view key);

// A client certificate (extendedKeyUsage clientAuth, CN = `name`) signed by the test CA in
// `ca_dir` (its ca.pem and ca.key), written as DIR/name.pem and DIR/name.key.
// `san` (e.g. "URI:spiffe://hr/platform"), when given, becomes the subjectAltName.
absl::StatusOr<CertKey> MakeClientCert(const std::filesystem::path& ca_dir,
                                       const std::filesystem::path& dir, const std::string& name,
                                       const std::string& san = "");

std::string ReadText(const std::filesystem::path& path);

// A channel to 127.0.0.1:port over TLS trusting `ca` (PEM file), presenting `client` if set.
// The server's certificate is checked for "localhost" (one of TestCa's names).
std::shared_ptr<grpc::Channel> TlsChannel(int port, const std::filesystem::path& ca,
                                          const std::optional<CertKey>& client = std::nullopt);
std::shared_ptr<grpc::Channel> PlainChannel(int port);

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};
// One HTTP/1.1 GET to 127.0.0.1:port (5 s timeout).
absl::StatusOr<HttpResponse> HttpGet(int port, const std::string& target);

// The value of one series in a Prometheus text exposition, e.g.
// `channel_verifier_rpcs_total{method="ListDiagnoses",code="OK"}`; nullopt when absent.
std::optional<double> MetricValue(const std::string& exposition, std::string_view series);

}  // namespace cv::testing
