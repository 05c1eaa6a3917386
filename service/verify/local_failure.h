#pragma once

#include <string>

#include "channelverify/v1/channel_verifier.pb.h"
#include "probe/recorder.h"

// A run that met a shortage of this machine (open files, kernel buffers, memory) says nothing
// about the channel: its findings are dropped and the response carries only this marker, which
// the RPC layer turns into UNAVAILABLE (rpc/local_resources.h).
namespace cv::verify {

// The probe name of the marker.
inline constexpr char kLocalFailureProbe[] = "service.local_resources";

// Replaces the response with the marker when the run's recorder saw a local failure; true if
// it did.
bool MarkLocalFailure(const probe::Recorder& recorder, channelverify::v1::VerifyChannelResponse* r);
bool MarkLocalFailure(const probe::Recorder& recorder, channelverify::v1::SendTestResponse* r);

// What the marker says, or nullptr when the response has none.
const std::string* LocalFailure(const channelverify::v1::VerifyChannelResponse& r);
const std::string* LocalFailure(const channelverify::v1::SendTestResponse& r);

}  // namespace cv::verify
