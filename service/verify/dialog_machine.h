#pragma once

#include <boost/asio/ip/address.hpp>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "diagnosis/classifier.h"
#include "net/deadline.h"
#include "net/tls.h"
#include "probe/run.h"
#include "probe/smtp_request.h"
#include "smtp/exchange.h"
#include "verify/dialog_plan.h"

// The SMTP dialog with one endpoint as a state machine without I/O: what to send next (EHLO,
// STARTTLS, EHLO again, the AUTH mechanism, MAIL FROM, RSET, the message, QUIT) and what each
// answer means (the probes, the findings, the AUTH outcome). The coroutine in smtp_dialog.cc
// only carries out its actions: it moves the bytes and keeps the time.
namespace cv::verify {

// What the driver does next.
struct DialogAction {
  enum class Kind {
    kWrite,      // write `bytes` by `deadline`, then OnWritten()
    kRead,       // read what comes by `deadline`, then OnRead()
    kHandshake,  // the TLS client handshake by `deadline`, then OnTlsEstablished() / Failed()
    kFinish,     // the dialog is over (outcome()): QUIT first when `quit`, then close
  };
  Kind kind = Kind::kFinish;
  std::string_view bytes;  // kWrite; valid until the next call
  net::Clock::time_point deadline;
  // kFinish: the server is still in a state to take QUIT (sent without waiting for its reply).
  bool quit = false;
};

// An alternative's probes say which TLS mode it tried (facts::kTlsMode: starttls, implicit,
// none, as in channelctl's ?tls=): alternatives can share a port, and their probes interleave in
// time. The primary dialog's setting is the request's own, so its probes carry nothing extra.
std::map<std::string, std::string> SettingFacts(const DialogPlan& plan);

// One dialog on a connected socket. Probes, findings and skips go to run.recorder as the
// dialog goes; the AUTH attempt (primary password dialogs) to target.auth_report. `run`,
// `target` and `plan` outlive the machine; `remote` is the address connected to.
class DialogMachine {
 public:
  DialogMachine(const probe::Run& run, const probe::SmtpTarget& target, const DialogPlan& plan,
                boost::asio::ip::address remote);

  // The connection is up: the first action.
  DialogAction Start();
  DialogAction OnWritten(std::optional<smtp::IoFailure> failure = std::nullopt);
  // The bytes a read got; `failure` when the read also ended in an error.
  DialogAction OnRead(std::string_view bytes,
                      std::optional<smtp::IoFailure> failure = std::nullopt);
  // `now` dates the certificate's expiry check.
  DialogAction OnTlsEstablished(const net::TlsFacts& tls, absl::Time now);
  DialogAction OnTlsFailed(const smtp::IoFailure& failure, net::TlsFailure kind,
                           std::string_view description);

  const DialogOutcome& outcome() const { return out_; }

 private:
  using Then = void (DialogMachine::*)(const smtp::StepResult&);

  // A step is one probe with a deadline of its own; `then` gets its result once the probe has
  // ended, and starts the next step or ends the dialog.
  void BeginStep(std::string_view step, net::Clock::duration timeout, Then then);
  void EndStep(const smtp::StepResult& result);
  // Runs the finished steps' continuations until the exchange needs I/O or the dialog ends.
  DialogAction Advance();
  std::string ProbeName(std::string_view step) const;

  // The dialog, step by step, in the order the steps run.
  void AfterImplicitTls(const smtp::StepResult& r);
  void ReadGreeting();
  void AfterGreeting(const smtp::StepResult& r);
  void SendEhlo(Then then);
  void AfterFirstEhlo(const smtp::StepResult& r);
  void AfterStartTls(const smtp::StepResult& r);
  void AfterStartTlsHandshake(const smtp::StepResult& r);
  void AfterSecondEhlo(const smtp::StepResult& r);
  bool EhloAnswered(const smtp::StepResult& r);
  void SessionReady();
  void Authenticate();
  bool Withhold();
  void AfterAuth(const smtp::StepResult& r);
  void AfterAuthentication();
  void CheckSender();
  void AfterSenderMailFrom(const smtp::StepResult& r);
  void AfterRset(const smtp::StepResult& r);
  void SendMessage();
  void AfterMailFrom(const smtp::StepResult& r);
  void AfterRcptTo(const smtp::StepResult& r);
  void AfterData(const smtp::StepResult& r);
  void AfterDataEnd(const smtp::StepResult& r);
  void End();

  // What the answers mean.
  void Classify(diagnosis::Stage stage, const smtp::Reply& reply, bool* found = nullptr);
  // Maps a failed transport step to the outcome; Stop() also ends the dialog.
  void Fail(TransportFailure failure, const smtp::StepResult& r);
  void Stop(TransportFailure failure, const smtp::StepResult& r);
  void Diagnose(diagnosis::Finding f);
  void RecordCapabilities();
  void RecordTls();
  void CheckCertificateExpiry();
  // The send step's reply was what `want_354` says; otherwise records why not.
  bool SendStepOk(const smtp::StepResult& r, diagnosis::Stage stage, bool want_354);

  const probe::Run& run_;
  const probe::SmtpTarget& target_;
  const DialogPlan& plan_;
  const boost::asio::ip::address remote_;
  const std::string endpoint_;
  const std::map<std::string, std::string> setting_;  // SettingFacts(plan_)
  smtp::Exchange exchange_;
  DialogOutcome out_;

  Then then_ = nullptr;
  bool finished_ = false;
  channelverify::v1::Probe* probe_ = nullptr;  // the step under way, if it is one
  channelverify::v1::Probe* last_probe_ = nullptr;
  channelverify::v1::Probe* sender_probe_ = nullptr;  // the sender check's MAIL FROM
  net::Clock::time_point deadline_;                   // of the exchange under way
  net::Clock::time_point step_deadline_;              // of the last step
  absl::Time tls_at_;
  std::string mechanism_;
  std::string sender_;
  std::optional<uint64_t> size_;  // SendTest: SIZE= on MAIL FROM
  // SendTest only: the session may carry a message (authenticated, or no credentials to use).
  bool may_send_ = false;
};

}  // namespace cv::verify
