#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "channelverify/v1/channel_verifier.pb.h"
#include "common/secret.h"

namespace cv::probe {

// What became of a password AUTH attempt, typed, for the AUTH budget (rpc/auth_gate.h). The
// primary dialog fills it; the caller reads it after the run's `done`.
struct AuthReport {
  enum class Outcome {
    kNotSent,    // no AUTH command went out
    kAccepted,   // 235
    kRejected,   // a permanent (5xx) answer to the credentials
    kNoVerdict,  // sent, but a temporary failure, no answer or a dropped connection
  };
  Outcome outcome = Outcome::kNotSent;
  // kRejected: the diagnosis the rejection got, and the server's (redacted) reply.
  channelverify::v1::DiagnosisCode code = channelverify::v1::DIAGNOSIS_CODE_UNSPECIFIED;
  std::string variant;
  std::string reply;
};

// A validated SMTP channel (see rpc/validate.h): the port resolved from the TLS mode, the
// password wrapped so that it cannot be printed.
struct SmtpTarget {
  std::string host;
  uint16_t port = 587;
  channelverify::v1::TlsMode tls_mode = channelverify::v1::TLS_MODE_STARTTLS;
  std::string username;
  Secret password;
  std::string from_address;
  // Set before the run when AUTH must not be sent (the budget store could not be asked); the
  // AUTH probe is skipped with a diagnosis and every other probe runs.
  bool withhold_auth = false;
  // Where the primary dialog reports its AUTH attempt; may be null.
  std::shared_ptr<AuthReport> auth_report;
  // Where the run reports the addresses `host` resolved to (so that the caller can count an
  // IP literal with the name it belongs to); may be null.
  std::shared_ptr<std::vector<std::string>> resolved;
};

}  // namespace cv::probe
