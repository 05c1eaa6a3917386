#pragma once

#include <grpcpp/support/status.h>

#include "channelverify/v1/channel_verifier.pb.h"

// The service's own limits are never the customer's fault: a call is refused before it starts
// when the sockets it may need do not fit the budget (RESOURCE_EXHAUSTED, OVERLOADED), and a
// run that met a local shortage anyway (EMFILE, ENFILE, ENOBUFS, ENOMEM) fails as UNAVAILABLE
// naming the service, never as a diagnosis about the channel.
namespace cv::rpc {

// OK, or RESOURCE_EXHAUSTED (OVERLOADED) when a new call's sockets would not fit.
grpc::Status CheckSocketHeadroom();

// OK, or UNAVAILABLE (LOCAL_RESOURCES) when the run reported a local shortage (see
// verify::MarkLocalFailure).
grpc::Status LocalResourceStatus(const channelverify::v1::VerifyChannelResponse& response);
grpc::Status LocalResourceStatus(const channelverify::v1::SendTestResponse& response);

}  // namespace cv::rpc
