#include "verify/send_test.h"

#include <openssl/rand.h>

#include <array>
#include <chrono>
#include <ctime>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mail/message.h"
#include "verify/connect_race.h"
#include "verify/dns_probe.h"
#include "verify/provider.h"
#include "verify/response.h"
#include "verify/smtp_dialog.h"
#include "verify/transport.h"

namespace cv::verify {
namespace asio = boost::asio;
namespace v1 = channelverify::v1;

namespace {

// Unpredictable ids: a Message-ID or correlation id that could be guessed would let anyone
// forge "this test arrived" answers.
std::array<unsigned char, 16> RandomBytes() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    absl::BitGen gen;
    for (auto& b : bytes) b = absl::Uniform<unsigned char>(gen);
  }
  return bytes;
}

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[data[i] >> 4]);
    out.push_back(kHex[data[i] & 0x0f]);
  }
  return out;
}

// RFC 9562 version 4 layout, so log search tools recognise it.
std::string NewCorrelationId() {
  auto b = RandomBytes();
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  return absl::StrCat(Hex(&b[0], 4), "-", Hex(&b[4], 2), "-", Hex(&b[6], 2), "-", Hex(&b[8], 2),
                      "-", Hex(&b[10], 6));
}

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

asio::awaitable<v1::SendTestResponse> SendTestSmtp(Run run, SmtpTarget target,
                                                   std::string recipient) {
  v1::SendTestResponse response;

  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  const auto random = RandomBytes();
  mail::TestMessageParams params;
  params.from = target.from_address;
  params.to = recipient;
  params.lang = run.lang;
  params.date = now;
  params.unique =
      absl::StrFormat("%04d%02d%02d%02d%02d%02d.%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec, Hex(random.data(), random.size()));
  params.correlation_id = NewCorrelationId();
  params.channel =
      absl::StrCat(target.host, ":", target.port, " (", ModeLabel(target.tls_mode), ")");
  const mail::TestMessage message = mail::BuildTestMessage(params);

  SendPlan send;
  send.from = target.from_address;
  send.recipient = recipient;
  send.size = message.data.size();
  send.stuffed = mail::DotStuff(message.data);
  send.needs_smtputf8 = mail::NeedsSmtpUtf8(send.from) || mail::NeedsSmtpUtf8(send.recipient);

  auto host = co_await LookupHostProbe(run, target.host);
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
      run.recorder->Skip("smtp.mail_from", TargetName(target.host, target.port, addresses.front()),
                         outcome.send.skip_reason.empty() ? "not sent: no usable SMTP session"
                                                          : outcome.send.skip_reason);
    }
    const v1::Provider provider =
        host_provider != v1::PROVIDER_UNSPECIFIED ? host_provider : outcome.greeting_provider;
    DiagnoseSmtpPolicy(run, target, outcome, provider,
                       google_host || outcome.greeting_provider == v1::PROVIDER_GOOGLE);
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
