#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "channelverify/v1/channel_verifier.pb.h"
#include "diagnosis/classifier.h"
#include "probe/run.h"
#include "probe/smtp_request.h"
#include "verify/smtp_dialog.h"

// What a dialog's transport failure means, shared by VerifyChannel and SendTest so that both
// say the same about the same connection problem.
namespace cv::verify {

// A port and TLS mode, e.g. an alternative that was found to work.
struct SmtpSetting {
  uint16_t port;
  channelverify::v1::TlsMode mode;
};

// Everything short of a usable session (greeting rejections are diagnosed from the reply).
bool IsTransportFailure(TransportFailure f);

diagnosis::Finding Observe(diagnosis::Observation observation, std::string evidence,
                           std::string probe);

// Records the findings for the primary endpoint's failure, given the alternative that works
// (if any was tried and found).
void DiagnoseTransport(const probe::Run& run, const probe::SmtpTarget& t,
                       const DialogOutcome& primary, const std::optional<SmtpSetting>& working);

// The finding for AUTH withheld on a connection without TLS (see AuthWithheld), naming the
// setting that works when the alternatives found one. True when it said what `working` would
// (same port with STARTTLS), so the caller need not say it again.
bool DiagnoseWithheldAuth(const probe::Run& run, const DialogOutcome& primary,
                          const std::optional<SmtpSetting>& working);

// Findings about the channel's settings once the dialog ran: plaintext, password AUTH to Google
// (no longer supported; required to switch even when it works) and to Microsoft 365 (being
// retired even when it works), and the app-password step for providers that need one
// (`app_password_provider`, from AppPasswordProvider(): "" for none).
void DiagnoseSmtpPolicy(const probe::Run& run, const probe::SmtpTarget& target,
                        const DialogOutcome& primary, channelverify::v1::Provider provider,
                        bool google, std::string_view app_password_provider);

// A channel that signed in and whose sender the server took can send: whatever else was
// found is a warning at most, so its verdict is never FAIL.
void CapAtWarningWhenSending(const probe::Run& run, const DialogOutcome& primary);

}  // namespace cv::verify
