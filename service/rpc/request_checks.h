#pragma once

#include <grpcpp/support/status.h>

#include <optional>
#include <string>
#include <string_view>

#include "channelverify/v1/channel_verifier.pb.h"
#include "common/lang.h"
#include "net/egress.h"
#include "probe/oauth_request.h"
#include "probe/smtp_request.h"

// The checks VerifyChannel and SendTest make before anything is dialed or claimed, in one
// order, shared by the server (rpc/service.cc) and channelctl --local so both refuse the same
// requests with the same errors: the language, (SendTest) the request id, the channel and its
// fields, (SendTest) the sender and the recipient, then the SMTP port policy. The recipient and
// the sender end up in headers and SMTP commands, so CR, LF, NUL or a second address never get
// past these.
namespace cv::rpc {

// A request that passed the checks: exactly one of smtp / oauth is set.
struct CheckedRequest {
  Lang lang = Lang::kEn;
  std::optional<probe::SmtpTarget> smtp;
  std::optional<probe::OAuthTarget> oauth;
  std::string recipient;  // SendTest only
};

// `port_hint` ends the PERMISSION_DENIED message for a refused SMTP port (channelctl names its
// flag there; the server, whose caller cannot change its flags, passes "").
grpc::Status CheckVerifyRequest(const channelverify::v1::VerifyChannelRequest& request,
                                const net::EgressPolicy& egress, std::string_view port_hint,
                                CheckedRequest* out);
grpc::Status CheckSendTestRequest(const channelverify::v1::SendTestRequest& request,
                                  const net::EgressPolicy& egress, std::string_view port_hint,
                                  CheckedRequest* out);

// Wipes the password and tokens of a request whose secrets the checks above have copied into
// Secrets: the request message lives as long as the call, and its copies should not.
void WipeRequestSecrets(channelverify::v1::Channel* channel);

}  // namespace cv::rpc
