#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "channelverify/v1/channel_verifier.pb.h"
#include "probe/oauth_request.h"
#include "probe/run.h"
#include "probe/smtp_request.h"

namespace cv::verify {

// SendTest over SMTP: DNS and the egress policy as for VerifyChannel, then ONE dialog that
// signs in and, on that same connection, sends one message to `recipient` (MAIL FROM, RCPT TO,
// DATA, the message). Nothing is retried: not another address, not another port, not after a
// drop. target.from_address must be set (the RPC layer requires it).
boost::asio::awaitable<channelverify::v1::SendTestResponse> SendTestSmtp(probe::Run run,
                                                                         probe::SmtpTarget target,
                                                                         std::string recipient);

// SendTest through the direct integration (verify/send_test_oauth.cc): the access token as
// VerifyChannel gets it (the "oauth.token" probe, or the given one), then ONE call of Gmail's
// users.messages.send or Graph's sendMail with the same message builder's message, From the
// channel's account. Nothing is retried, not after an error, a timeout or a dropped connection.
boost::asio::awaitable<channelverify::v1::SendTestResponse> SendTestOAuth(probe::Run run,
                                                                          probe::OAuthTarget target,
                                                                          std::string recipient);

}  // namespace cv::verify
