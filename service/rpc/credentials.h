#pragma once

#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace cv::rpc {

struct ServerTlsOptions {
  std::string cert_file;       // PEM chain, leaf first; empty: plaintext
  std::string key_file;        // PEM private key of the leaf
  std::string client_ca_file;  // PEM CAs; set: callers must present a certificate they signed
  int reload_interval_s = 60;  // how often the files are checked for changes
};

// What was loaded, for the startup log line (no key material).
struct ServerTlsSummary {
  std::string subject;
  std::string not_after;  // "2030-01-01T00:00:00Z"
  int client_cas = 0;
};

// Checks the files once, now: readable, PEM, the key belongs to the certificate, the client CA
// file holds at least one certificate. gRPC's file watcher would only log and refuse every
// handshake, so a bad mount or a mistyped path is caught here instead, at startup, with a
// message that names the file.
absl::StatusOr<ServerTlsSummary> CheckServerTlsFiles(const ServerTlsOptions& options);

// Plaintext credentials when no certificate is configured; else TLS (mutual when a client CA is
// set) whose certificate, key and CA files are re-read every reload_interval_s, so that a
// renewed certificate (cert-manager, a rotated Kubernetes Secret) is served without a restart.
// Handshakes keep the last good files while the new ones are incomplete or mismatched.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsOptions& options, ServerTlsSummary* summary = nullptr);

}  // namespace cv::rpc
