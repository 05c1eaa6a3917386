#pragma once

#include <boost/asio/awaitable.hpp>

#include "channelverify/v1/channel_verifier.pb.h"
#include "probe/oauth_request.h"
#include "probe/run.h"

namespace cv::verify {

// The direct integration: the token probe, then the account checks and the XOAUTH2 probe side
// by side, then advice across them (a working token with a failing mailbox names the account
// requirement that is missing).
boost::asio::awaitable<channelverify::v1::VerifyChannelResponse> VerifyOAuth(
    probe::Run run, probe::OAuthTarget target);

}  // namespace cv::verify
