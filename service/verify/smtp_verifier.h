#pragma once

#include <boost/asio/awaitable.hpp>

#include "channelverify/v1/channel_verifier.pb.h"
#include "probe/run.h"
#include "probe/smtp_request.h"

namespace cv::verify {

// Verifies an SMTP channel: DNS (host and the sender domain's MX) at once, the egress policy on
// every address, TCP to every address at once, the dialog with one AUTH attempt, and, when the
// configured port or TLS mode fails, the usual alternatives side by side. Then reasons across
// the probes and renders the diagnoses.
boost::asio::awaitable<channelverify::v1::VerifyChannelResponse> VerifySmtp(
    probe::Run run, probe::SmtpTarget target);

}  // namespace cv::verify
