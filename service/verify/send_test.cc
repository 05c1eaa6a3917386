#include "verify/send_test.h"

#include "absl/strings/str_cat.h"
#include "diagnosis/probe_names.h"
#include "mail/message.h"
#include "verify/connect_race.h"
#include "verify/dns_probe.h"
#include "verify/provider.h"
#include "verify/response.h"
#include "verify/smtp_dialog.h"
#include "verify/test_message.h"
#include "verify/transport.h"

namespace cv::verify {
namespace asio = boost::asio;
namespace v1 = channelverify::v1;

namespace {

std::string ModeLabel(v1::TlsMode mode) {
  switch (mode) {
    case v1::TLS_MODE_IMPLICIT:
      return "implicit TLS";
    case v1::TLS_MODE_NONE:
      return "no TLS";
    default:
      return "STARTTLS";
  }
}

}  // namespace

asio::awaitable<v1::SendTestResponse> SendTestSmtp(probe::Run run, probe::SmtpTarget target,
                                                   std::string recipient) {
  v1::SendTestResponse response;

  const mail::TestMessage message = NewTestMessage(
      target.from_address, recipient, run.lang,
      absl::StrCat(target.host, ":", target.port, " (", ModeLabel(target.tls_mode), ")"));

  SendPlan send;
  send.from = target.from_address;
  send.recipient = recipient;
  send.size = message.data.size();
  send.stuffed = mail::DotStuff(message.data);
  send.needs_smtputf8 = mail::NeedsSmtpUtf8(send.from) || mail::NeedsSmtpUtf8(send.recipient);

  auto host = co_await LookupHostProbe(run, target.host);
  ReportResolved(target, host);
  v1::Provider host_provider = ProviderFromHost(target.host);
  for (const auto& alias : host.cname_chain) {
    if (host_provider == v1::PROVIDER_UNSPECIFIED) host_provider = ProviderFromHost(alias);
  }
  const bool google_host =
      IsGoogleSmtpHost(target.host) ||
      std::any_of(host.cname_chain.begin(), host.cname_chain.end(), IsGoogleSmtpHost);

  std::vector<asio::ip::address> addresses;
  if (host.outcome == net::DnsOutcome::kOk) {
    addresses = VetAddresses(run, target.host, host.addresses, target.port, net::Purpose::kSmtp);
  }
  DialogOutcome outcome;
  outcome.failure = TransportFailure::kCancelled;
  if (!addresses.empty()) {
    DialogPlan plan;
    plan.host = target.host;
    plan.port = target.port;
    plan.tls_mode = target.tls_mode;
    plan.host_provider = host_provider;
    plan.google_smtp_host = google_host;
    plan.send = &send;
    outcome = co_await RunSmtpDialog(run, target, plan, addresses);
    if (!outcome.send.attempted) {
      // Transport problems are diagnosed as VerifyChannel would, without its alternatives:
      // finding a working setting is VerifyChannel's job, sending is this one's.
      if (outcome.failure != TransportFailure::kCancelled) {
        DiagnoseTransport(run, target, outcome, std::nullopt);
      }
      DiagnoseWithheldAuth(run, outcome, std::nullopt);
      run.recorder->Skip(probes::kSmtpMailFrom,
                         TargetName(target.host, target.port, addresses.front()),
                         outcome.send.skip_reason.empty() ? "not sent: no usable SMTP session"
                                                          : outcome.send.skip_reason);
    }
    const v1::Provider provider =
        host_provider != v1::PROVIDER_UNSPECIFIED ? host_provider : outcome.greeting_provider;
    std::string_view app_password = AppPasswordProvider(target.host);
    for (const auto& alias : host.cname_chain) {
      if (app_password.empty()) app_password = AppPasswordProvider(alias);
    }
    DiagnoseSmtpPolicy(run, target, outcome, provider,
                       google_host || outcome.greeting_provider == v1::PROVIDER_GOOGLE,
                       app_password);
  }

  response.set_accepted(outcome.send.accepted);
  response.set_server_reply(outcome.send.server_reply);
  // The correlation id names this attempt in any case; the Message-ID only once a message with
  // it may exist somewhere.
  response.set_correlation_id(message.correlation_id);
  if (outcome.send.data_sent) response.set_message_id(message.message_id);
  FinishSendResponse(run, &response);
  co_return response;
}

}  // namespace cv::verify
