#include "verify/smtp_verifier.h"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "diagnosis/classifier.h"
#include "diagnosis/probe_names.h"
#include "net/when_all.h"
#include "verify/dns_probe.h"
#include "verify/provider.h"
#include "verify/response.h"
#include "verify/smtp_dialog.h"
#include "verify/transport.h"

namespace cv::verify {
namespace asio = boost::asio;
namespace v1 = channelverify::v1;
using diagnosis::Observation;
using namespace asio::experimental::awaitable_operators;

namespace {

const char* ModeName(v1::TlsMode mode) {
  switch (mode) {
    case v1::TLS_MODE_IMPLICIT:
      return "implicit TLS";
    case v1::TLS_MODE_NONE:
      return "no TLS";
    default:
      return "STARTTLS";
  }
}

using Alternative = SmtpSetting;

// The usual settings worth trying when the configured one fails, most common first: the
// same port with the other TLS mode (the classic mix-up), 587 STARTTLS, 465 implicit.
std::vector<Alternative> AlternativesFor(const probe::Run& run, const probe::SmtpTarget& t) {
  std::vector<Alternative> all;
  // Without TLS, the same port with STARTTLS first: the server may offer it right there.
  if (t.tls_mode == v1::TLS_MODE_NONE) all.push_back({t.port, v1::TLS_MODE_STARTTLS});
  if (t.tls_mode == v1::TLS_MODE_STARTTLS) all.push_back({t.port, v1::TLS_MODE_IMPLICIT});
  if (t.tls_mode == v1::TLS_MODE_IMPLICIT) all.push_back({t.port, v1::TLS_MODE_STARTTLS});
  all.push_back({587, v1::TLS_MODE_STARTTLS});
  all.push_back({465, v1::TLS_MODE_IMPLICIT});
  std::vector<Alternative> out;
  for (const auto& a : all) {
    const bool same = a.port == t.port && a.mode == t.tls_mode;
    const bool dup = std::any_of(out.begin(), out.end(), [&](const Alternative& b) {
      return b.port == a.port && b.mode == a.mode;
    });
    if (!same && !dup) out.push_back(a);
  }
  return out;
}

}  // namespace

asio::awaitable<v1::VerifyChannelResponse> VerifySmtp(probe::Run run, probe::SmtpTarget target) {
  auto& rec = *run.recorder;
  const std::string from_domain =
      target.from_address.empty()
          ? ""
          : absl::AsciiStrToLower(target.from_address.substr(target.from_address.rfind('@') + 1));

  // The sender domain's MX only matters for the verdict at the end: it runs beside everything.
  auto [host, mx] = co_await (LookupHostProbe(run, target.host) && LookupMxProbe(run, from_domain));
  ReportResolved(target, host);

  v1::Provider host_provider = ProviderFromHost(target.host);
  for (const auto& alias : host.cname_chain) {
    if (host_provider == v1::PROVIDER_UNSPECIFIED) host_provider = ProviderFromHost(alias);
  }
  const bool google_host =
      IsGoogleSmtpHost(target.host) ||
      std::any_of(host.cname_chain.begin(), host.cname_chain.end(), IsGoogleSmtpHost);
  const v1::Provider mx_provider = ProviderFromMx(mx.records);

  DialogOutcome primary;
  primary.failure = TransportFailure::kCancelled;
  std::optional<Alternative> working;
  std::vector<asio::ip::address> addresses;
  if (host.outcome == net::DnsOutcome::kOk) {
    addresses = VetAddresses(run, target.host, host.addresses, target.port, net::Purpose::kSmtp);
  }
  if (!addresses.empty()) {
    DialogPlan plan;
    plan.host = target.host;
    plan.port = target.port;
    plan.tls_mode = target.tls_mode;
    plan.host_provider = host_provider;
    plan.google_smtp_host = google_host;
    primary = co_await RunSmtpDialog(run, target, plan, addresses);

    const bool withheld = primary.auth_withheld != AuthWithheld::kNo;
    if ((IsTransportFailure(primary.failure) || withheld) && !primary.cut_by_caller &&
        !run.budget.Expired()) {
      std::vector<Alternative> alternatives;
      for (const auto& alt : AlternativesFor(run, target)) {
        if (run.config->egress.Check(addresses.front(), alt.port, net::Purpose::kSmtp).allowed) {
          alternatives.push_back(alt);
        }
      }
      std::vector<asio::awaitable<DialogOutcome>> tasks;
      for (const auto& alt : alternatives) {
        DialogPlan alt_plan = plan;
        alt_plan.port = alt.port;
        alt_plan.tls_mode = alt.mode;
        alt_plan.primary = false;
        alt_plan.probe_prefix = probes::kAltSmtp;
        tasks.push_back(RunSmtpDialog(run, target, alt_plan, {addresses.front()}));
      }
      auto results = co_await net::WhenAll(std::move(tasks));
      for (size_t i = 0; i < results.size(); ++i) {
        if (results[i] && results[i]->failure == TransportFailure::kNone) {
          working = alternatives[i];
          break;
        }
      }
    }
  }

  if (primary.failure != TransportFailure::kCancelled && !addresses.empty()) {
    DiagnoseTransport(run, target, primary, working);
  }
  const bool said = DiagnoseWithheldAuth(run, primary, working);
  if (working && !said) {
    rec.Add(Observe(working->port == target.port ? Observation::kTlsModeMismatch
                                                 : Observation::kWrongPortOrTlsMode,
                    absl::StrCat("port ", working->port, " with ", ModeName(working->mode),
                                 " works; the channel is set to port ", target.port, " with ",
                                 ModeName(target.tls_mode)),
                    probes::kAltSmtp));
  }
  if (primary.failure == TransportFailure::kConnectRefused && !working) {
    rec.Add(
        Observe(Observation::kRefusedOnEveryPort,
                absl::StrCat("every connection to ", target.host,
                             " was refused at once, on the usual ports too, though the name "
                             "resolves: a firewall that only admits listed IPs looks like this"),
                probes::kSmtpTcp));
  }
  if (primary.failure == TransportFailure::kClosedEarly) {
    rec.Add(Observe(
        Observation::kClosedBeforeGreeting,
        absl::StrCat("the server closed the connection before its greeting: ", primary.evidence),
        probes::kSmtpGreeting));
  }

  const v1::Provider provider = host_provider != v1::PROVIDER_UNSPECIFIED ? host_provider
                                : primary.greeting_provider != v1::PROVIDER_UNSPECIFIED
                                    ? primary.greeting_provider
                                    : mx_provider;
  std::string_view app_password = AppPasswordProvider(target.host);
  for (const auto& alias : host.cname_chain) {
    if (app_password.empty()) app_password = AppPasswordProvider(alias);
  }
  if (app_password.empty() && !mx.records.empty()) {
    app_password = AppPasswordProvider(mx.records.front().host);
  }
  DiagnoseSmtpPolicy(run, target, primary, provider,
                     google_host || primary.greeting_provider == v1::PROVIDER_GOOGLE, app_password);
  const bool microsoft = provider == v1::PROVIDER_MICROSOFT;
  if (primary.auth_attempted && !primary.auth_succeeded && microsoft &&
      mx_provider == v1::PROVIDER_MICROSOFT && primary.capabilities.HasAuth("XOAUTH2")) {
    rec.Add(Observe(Observation::kDirectIntegrationRecommended,
                    "password AUTH failed at Microsoft 365, which offers XOAUTH2, and the sender "
                    "domain's mail is hosted there",
                    probes::kSmtpAuth));
  }
  const v1::Provider smtp_provider =
      host_provider != v1::PROVIDER_UNSPECIFIED ? host_provider : primary.greeting_provider;
  if ((mx_provider == v1::PROVIDER_GOOGLE || mx_provider == v1::PROVIDER_MICROSOFT) &&
      smtp_provider != mx_provider && host.outcome == net::DnsOutcome::kOk) {
    rec.Add(Observe(Observation::kProviderMismatch,
                    absl::StrCat("MX of ", from_domain, ": ", mx.records.front().host,
                                 "; SMTP host: ", target.host),
                    probes::kDnsMx));
  }

  CapAtWarningWhenSending(run, primary);

  v1::VerifyChannelResponse response;
  response.set_detected_provider(provider);
  if (working) {
    response.mutable_suggested_smtp_settings()->set_port(working->port);
    response.mutable_suggested_smtp_settings()->set_tls_mode(working->mode);
  }
  FinishResponse(run, &response);
  co_return response;
}

}  // namespace cv::verify
