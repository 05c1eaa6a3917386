#pragma once

#include <string>

#include "channelverify/v1/channel_verifier.pb.h"
#include "common/secret.h"

namespace cv::probe {

// A validated OAuth channel (see rpc/validate.h): the provider is Google or Microsoft, the
// account one address, exactly one of the tokens set, both wrapped so they cannot be printed.
struct OAuthTarget {
  channelverify::v1::Provider provider = channelverify::v1::PROVIDER_GOOGLE;
  std::string account;
  Secret refresh_token;
  Secret access_token;
  std::string tenant = "organizations";  // Microsoft only
};

}  // namespace cv::probe
