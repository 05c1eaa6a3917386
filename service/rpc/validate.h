#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "channelverify/v1/channel_verifier.pb.h"
#include "common/lang.h"
#include "probe/oauth_request.h"
#include "probe/smtp_request.h"

// Request validation: every field a caller sends is checked here, before anything is dialed,
// and a bad one is an INVALID_ARGUMENT naming it (rpc::FieldError). The limits are the ones
// documented in the proto.
namespace cv::rpc {

struct Limits {
  static constexpr size_t kHost = 253;
  static constexpr size_t kUsername = 256;
  static constexpr size_t kPassword = 1024;
  static constexpr size_t kAddress = 320;
  static constexpr size_t kToken = 8192;
  static constexpr size_t kTenant = 128;
  static constexpr size_t kLanguage = 16;
  static constexpr size_t kRequestId = 128;
};

absl::Status ValidateLanguage(std::string_view code, std::string_view field, Lang* lang);
// A DNS name (LDH labels, IDNA A-labels) or an IPv4 / IPv6 literal (brackets allowed).
absl::Status ValidateHost(std::string_view host, std::string_view field);
// Exactly one addr-spec (local@domain): no display name, no second address, no CR, LF, NUL,
// spaces, angle brackets or commas, so it can go into a header or an SMTP command as is.
absl::Status ValidateAddress(std::string_view address, std::string_view field);
// Printable text without control characters, within `max` bytes.
absl::Status ValidateText(std::string_view text, std::string_view field, size_t max, bool required);

// The SMTP channel at `field` ("channel.smtp"), with the port resolved from the TLS mode.
absl::StatusOr<probe::SmtpTarget> ValidateSmtpChannel(const channelverify::v1::SmtpChannel& smtp,
                                                      std::string_view field);

// A bearer or refresh token: required, at most Limits::kToken bytes, visible ASCII only (no
// whitespace, no control characters), since it goes into a header or a form field as is.
absl::Status ValidateToken(std::string_view token, std::string_view field);

// The OAuth channel at `field` ("channel.oauth"): provider Google or Microsoft, one address,
// exactly one of refresh_token / access_token, a tenant (Microsoft only) that can go into a URL
// path.
absl::StatusOr<probe::OAuthTarget> ValidateOAuthChannel(
    const channelverify::v1::OAuthChannel& oauth, std::string_view field);

}  // namespace cv::rpc
