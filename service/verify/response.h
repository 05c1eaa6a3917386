#pragma once

#include "channelverify/v1/channel_verifier.pb.h"
#include "probe/run.h"

namespace cv::verify {

// The verdict from the findings' severities: any error fails, any warning warns.
channelverify::v1::Verdict VerdictOf(
    const google::protobuf::RepeatedPtrField<channelverify::v1::Diagnosis>& diagnoses);

// Renders the run's findings in its language (errors first), moves its probes in, sets the
// verdict and the elapsed time.
void FinishResponse(const probe::Run& run, channelverify::v1::VerifyChannelResponse* response);
// The same for SendTest, whose verdict is FAIL whenever the message was not accepted (even if no
// diagnosis is an error, e.g. the caller cancelled).
void FinishSendResponse(const probe::Run& run, channelverify::v1::SendTestResponse* response);

}  // namespace cv::verify
