#pragma once

#include <cstdint>
#include <string>

#include "channelverify/v1/channel_verifier.pb.h"
#include "common/secret.h"

namespace cv::verify {

// A validated SMTP channel (see rpc/validate.h): the port resolved from the TLS mode, the
// password wrapped so that it cannot be printed.
struct SmtpTarget {
  std::string host;
  uint16_t port = 587;
  channelverify::v1::TlsMode tls_mode = channelverify::v1::TLS_MODE_STARTTLS;
  std::string username;
  Secret password;
  std::string from_address;
};

}  // namespace cv::verify
