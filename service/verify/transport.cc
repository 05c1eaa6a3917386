#include "verify/transport.h"

#include "absl/strings/str_cat.h"
#include "common/strings.h"
#include "diagnosis/probe_names.h"

namespace cv::verify {
namespace v1 = channelverify::v1;
using diagnosis::Observation;

bool IsTransportFailure(TransportFailure f) {
  switch (f) {
    case TransportFailure::kNone:
    case TransportFailure::kCancelled:
    case TransportFailure::kGreetingRejected:
      return false;
    default:
      return true;
  }
}

diagnosis::Finding Observe(Observation observation, std::string evidence, std::string probe) {
  auto f = diagnosis::ClassifyObservation(observation, {std::move(evidence)});
  f.probe = std::move(probe);
  return f;
}

void DiagnoseTransport(const probe::Run& run, const probe::SmtpTarget& t,
                       const DialogOutcome& primary, const std::optional<SmtpSetting>& working) {
  auto& rec = *run.recorder;
  if (primary.cut_by_caller) {
    rec.Add(Observe(Observation::kDeadlineTooShort, primary.evidence, probes::kSmtp));
    return;
  }
  const bool same_port_works = working && working->port == t.port;
  switch (primary.failure) {
    case TransportFailure::kConnectRefused:
      rec.Add(Observe(Observation::kConnectRefused, primary.evidence, probes::kSmtpTcp));
      break;
    case TransportFailure::kConnectTimeout:
    case TransportFailure::kConnectFailed:
      rec.Add(Observe(Observation::kConnectTimeout, primary.evidence, probes::kSmtpTcp));
      break;
    case TransportFailure::kGreetingTimeout:
      if (same_port_works && t.tls_mode != v1::TLS_MODE_IMPLICIT) {
        rec.Add(Observe(Observation::kTlsModeMismatch,
                        absl::StrCat("connected to port ", t.port,
                                     ", but no greeting came: the server waits for TLS"),
                        probes::kSmtpGreeting));
      } else {
        rec.Add(Observe(Observation::kGreetingTimeout, primary.evidence, probes::kSmtpGreeting));
      }
      break;
    case TransportFailure::kClosedEarly:
      rec.Add(Observe(Observation::kProtocolError, primary.evidence, probes::kSmtpGreeting));
      break;
    case TransportFailure::kNotTls:
      rec.Add(Observe(Observation::kTlsModeMismatch,
                      absl::StrCat("implicit TLS to port ", t.port,
                                   " met a plaintext server: ", primary.evidence),
                      probes::kSmtpTls));
      break;
    case TransportFailure::kTlsVersion:
      rec.Add(Observe(Observation::kTlsVersionUnsupported, primary.evidence, probes::kSmtpTls));
      break;
    case TransportFailure::kTlsFailed:
      rec.Add(Observe(Observation::kTlsHandshakeFailed, primary.evidence, probes::kSmtpTls));
      break;
    case TransportFailure::kStartTlsNotOffered:
    case TransportFailure::kStartTlsRejected:
      if (!rec.Has(v1::DIAGNOSIS_CODE_TLS_MODE_MISMATCH)) {
        rec.Add(Observe(Observation::kStartTlsNotOffered, primary.evidence, probes::kSmtpStartTls));
      }
      break;
    case TransportFailure::kProtocolError:
      rec.Add(Observe(Observation::kProtocolError, primary.evidence, probes::kSmtp));
      break;
    case TransportFailure::kTimedOut:
      rec.Add(Observe(Observation::kGreetingTimeout, primary.evidence, probes::kSmtp));
      break;
    default:
      break;
  }
}

bool DiagnoseWithheldAuth(const probe::Run& run, const DialogOutcome& primary,
                          const std::optional<SmtpSetting>& working) {
  switch (primary.auth_withheld) {
    case AuthWithheld::kNo:
      return false;
    case AuthWithheld::kStartTlsOffered: {
      std::vector<std::string> evidence = {primary.auth_withheld_evidence};
      const bool same_port =
          working && working->mode == v1::TLS_MODE_STARTTLS && working->port == primary.port;
      if (same_port) {
        evidence.push_back(absl::StrCat("port ", working->port, " with STARTTLS works"));
      }
      auto f = diagnosis::ClassifyObservation(Observation::kPlaintextAuthStartTlsOffered,
                                              std::move(evidence));
      run.recorder->Add(std::move(f));
      return same_port;
    }
    case AuthWithheld::kNotAllowed:
      run.recorder->Add(diagnosis::ClassifyObservation(Observation::kPlaintextAuthNotAllowed,
                                                       {primary.auth_withheld_evidence}));
      return false;
  }
  return false;
}

void DiagnoseSmtpPolicy(const probe::Run& run, const probe::SmtpTarget& target,
                        const DialogOutcome& primary, v1::Provider provider, bool google,
                        std::string_view app_password_provider) {
  auto& rec = *run.recorder;
  const bool connected = primary.failure == TransportFailure::kNone;
  // Withheld AUTH has its own, stronger finding (DiagnoseWithheldAuth).
  if (connected && target.tls_mode == v1::TLS_MODE_NONE &&
      primary.auth_withheld == AuthWithheld::kNo) {
    rec.Add(Observe(Observation::kPlaintext, absl::StrCat("port ", target.port, " without TLS"),
                    probes::kSmtp));
  }
  if (primary.auth_attempted && google) {
    rec.Add(Observe(primary.auth_succeeded ? Observation::kGooglePasswordSmtpWorks
                                           : Observation::kGooglePasswordSmtp,
                    absl::StrCat("password AUTH to ", target.host, " (Google)",
                                 primary.auth_succeeded ? " succeeded" : " was refused"),
                    probes::kSmtpAuth));
  }
  const bool microsoft = provider == v1::PROVIDER_MICROSOFT;
  if (primary.auth_succeeded && microsoft) {
    rec.Add(Observe(Observation::kMicrosoftPasswordSmtpWorks,
                    absl::StrCat("password AUTH to ", target.host, " (Microsoft 365) succeeded"),
                    probes::kSmtpAuth));
  }
  // The article's external-apps case: a refused login at such a provider is as often the
  // missing permission for external programs as a wrong password.
  if (primary.auth_attempted && !primary.auth_succeeded && !app_password_provider.empty() &&
      rec.Has(v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS) &&
      !rec.Has(v1::DIAGNOSIS_CODE_EXTERNAL_APPS_BLOCKED)) {
    rec.Add(
        Observe(Observation::kAppPasswordLikely,
                absl::StrCat(target.host, ": the login was refused at ", Av(app_password_provider),
                             ", where external programs must be allowed or use an app "
                             "password"),
                probes::kSmtpAuth));
  }
}

void CapAtWarningWhenSending(const probe::Run& run, const DialogOutcome& primary) {
  if (!primary.auth_succeeded || !primary.sender_accepted) return;
  diagnosis::CapAtWarning(run.recorder->mutable_findings());
}

}  // namespace cv::verify
