#pragma once

#include <string>

#include "common/lang.h"
#include "mail/message.h"

namespace cv::verify {

// SendTest's message for one call: mail::BuildTestMessage with what pure code leaves out, the
// clock and the randomness. The Message-ID's unique part is the UTC time and 128 random bits,
// the correlation id a random UUID. `channel` says how the message goes out, for its body
// ("smtp.example.com:587 (STARTTLS)", "Gmail API (OAuth)").
mail::TestMessage NewTestMessage(const std::string& from, const std::string& to, Lang lang,
                                 const std::string& channel);

}  // namespace cv::verify
