#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "channelverify/v1/channel_verifier.pb.h"
#include "verify/run.h"
#include "verify/smtp_request.h"

namespace cv::verify {

// SendTest over SMTP: DNS and the egress policy as for VerifyChannel, then ONE dialog that
// signs in and, on that same connection, sends one message to `recipient` (MAIL FROM, RCPT TO,
// DATA, the message). Nothing is retried: not another address, not another port, not after a
// drop. target.from_address must be set (the RPC layer requires it).
boost::asio::awaitable<channelverify::v1::SendTestResponse> SendTestSmtp(Run run, SmtpTarget target,
                                                                         std::string recipient);

}  // namespace cv::verify
