#pragma once

#include <google/protobuf/message.h>

#include "common/redactor.h"

namespace cv::verify {

// Passes every string field of `message` (nested messages, repeated fields and map values
// included) through `redactor`. The last step before a response leaves the engine: probes and
// findings already hold scrubbed server text, and this makes sure nothing that reached them
// another way carries a registered secret either.
void ScrubMessage(const Redactor& redactor, google::protobuf::Message* message);

}  // namespace cv::verify
