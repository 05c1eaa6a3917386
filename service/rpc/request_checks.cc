#include "rpc/request_checks.h"

#include "absl/strings/str_cat.h"
#include "common/secret.h"
#include "common/strings.h"
#include "rpc/status.h"
#include "rpc/validate.h"

namespace cv::rpc {
namespace v1 = channelverify::v1;

namespace {

// The part both methods share. A `recipient` means SendTest's rules: an SMTP channel needs a
// sender, and the recipient is checked like every other address.
grpc::Status CheckChannel(const v1::Channel& channel, const std::string* recipient,
                          const net::EgressPolicy& egress, std::string_view port_hint,
                          CheckedRequest* out) {
  if (channel.kind_case() == v1::Channel::KIND_NOT_SET) {
    return InvalidArgument("channel", "required: set channel.smtp or channel.oauth");
  }
  if (channel.has_oauth()) {
    auto oauth = ValidateOAuthChannel(channel.oauth(), "channel.oauth");
    if (!oauth.ok()) return FromAbsl(oauth.status());
    out->oauth = std::move(*oauth);
  } else {
    auto smtp = ValidateSmtpChannel(channel.smtp(), "channel.smtp");
    if (!smtp.ok()) return FromAbsl(smtp.status());
    if (recipient != nullptr && smtp->from_address.empty()) {
      return InvalidArgument("channel.smtp.from_address",
                             "required for SendTest: the sender of the test message");
    }
    out->smtp = std::move(*smtp);
  }
  if (recipient != nullptr) {
    if (auto s = ValidateAddress(*recipient, "recipient"); !s.ok()) return FromAbsl(s);
    out->recipient = *recipient;
  }
  // OAuth channels talk to the providers' HTTPS endpoints, which the service's own flags name:
  // only an SMTP port comes from the caller.
  if (out->smtp && !egress.PortAllowedSomewhere(out->smtp->port, net::Purpose::kSmtp)) {
    std::string message = absl::StrCat("port ", out->smtp->port, " is not an allowed SMTP port");
    if (!port_hint.empty()) absl::StrAppend(&message, " ", Av(port_hint));
    return Error(grpc::StatusCode::PERMISSION_DENIED, "TARGET_FORBIDDEN", message);
  }
  return grpc::Status::OK;
}

}  // namespace

grpc::Status CheckVerifyRequest(const v1::VerifyChannelRequest& request,
                                const net::EgressPolicy& egress, std::string_view port_hint,
                                CheckedRequest* out) {
  if (auto s = ValidateLanguage(request.language_code(), "language_code", &out->lang); !s.ok()) {
    return FromAbsl(s);
  }
  return CheckChannel(request.channel(), nullptr, egress, port_hint, out);
}

grpc::Status CheckSendTestRequest(const v1::SendTestRequest& request,
                                  const net::EgressPolicy& egress, std::string_view port_hint,
                                  CheckedRequest* out) {
  if (auto s = ValidateLanguage(request.language_code(), "language_code", &out->lang); !s.ok()) {
    return FromAbsl(s);
  }
  if (auto s = ValidateText(request.request_id(), "request_id", Limits::kRequestId, false);
      !s.ok()) {
    return FromAbsl(s);
  }
  return CheckChannel(request.channel(), &request.recipient(), egress, port_hint, out);
}

void WipeRequestSecrets(v1::Channel* channel) {
  if (channel->has_smtp()) Secret::WipeString(*channel->mutable_smtp()->mutable_password());
  if (channel->has_oauth()) {
    Secret::WipeString(*channel->mutable_oauth()->mutable_refresh_token());
    Secret::WipeString(*channel->mutable_oauth()->mutable_access_token());
  }
}

}  // namespace cv::rpc
