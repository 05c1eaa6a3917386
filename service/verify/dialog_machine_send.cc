// The dialog machine's part of SendTest: one MAIL FROM, RCPT TO, DATA and message, and what
// each answer means for whether a message exists.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "diagnosis/probe_names.h"
#include "verify/dialog_machine.h"

namespace cv::verify {
using diagnosis::Observation;
using diagnosis::Stage;
using smtp::StepResult;
using Kind = StepResult::Kind;

// Exactly one MAIL FROM / RCPT TO / DATA / message, whatever happens: no step is ever repeated,
// so a timeout or a drop can never turn into a second message.
void DialogMachine::SendMessage() {
  const SendPlan& send = *plan_.send;
  const smtp::Capabilities& caps = out_.capabilities;
  if (send.needs_smtputf8 && !caps.smtputf8) {
    Diagnose(diagnosis::ClassifyObservation(
        Observation::kSmtpUtf8NotOffered,
        {absl::StrCat("an address has characters outside ASCII before the @, and EHLO did not "
                      "offer SMTPUTF8; it offered: ",
                      absl::StrJoin(caps.keywords, " "))}));
    out_.send.skip_reason = "not sent: the server does not offer SMTPUTF8";
    End();
    return;
  }
  if (caps.size) {
    if (*caps.size > 0 && send.size > *caps.size) {
      Diagnose(diagnosis::ClassifyObservation(
          Observation::kMessageOverSizeLimit,
          {absl::StrCat("the message has ", send.size, " octets; the server's SIZE limit is ",
                        *caps.size)}));
      out_.send.skip_reason = "not sent: larger than the server's SIZE limit";
      End();
      return;
    }
    size_ = send.size;
  }
  out_.send.attempted = true;
  BeginStep(probes::step::kMailFrom, run_.config->timeouts.command, &DialogMachine::AfterMailFrom);
  exchange_.Command(smtp::MailFrom(send.from, size_, send.needs_smtputf8));
}

void DialogMachine::AfterMailFrom(const StepResult& r) {
  if (!SendStepOk(r, Stage::kMailFrom, false)) {
    End();
    return;
  }
  BeginStep(probes::step::kRcptTo, run_.config->timeouts.command, &DialogMachine::AfterRcptTo);
  exchange_.Command(smtp::RcptTo(plan_.send->recipient));
}

void DialogMachine::AfterRcptTo(const StepResult& r) {
  if (!SendStepOk(r, Stage::kRcptTo, false)) {
    End();
    return;
  }
  BeginStep(probes::step::kData, run_.config->timeouts.command, &DialogMachine::AfterData);
  exchange_.Command(smtp::Data());
}

void DialogMachine::AfterData(const StepResult& r) {
  if (!SendStepOk(r, Stage::kData, true)) {
    End();
    return;
  }
  out_.send.data_sent = true;
  BeginStep(probes::step::kDataEnd, run_.config->timeouts.data, &DialogMachine::AfterDataEnd);
  exchange_.SendBody(plan_.send->stuffed);
}

void DialogMachine::AfterDataEnd(const StepResult& r) {
  (*last_probe_->mutable_facts())[facts::kMessageOctets] = std::to_string(plan_.send->size);
  if (SendStepOk(r, Stage::kDataEnd, false)) out_.send.accepted = true;
  End();
}

bool DialogMachine::SendStepOk(const StepResult& r, Stage stage, bool want_354) {
  const std::string stage_name(diagnosis::StageName(stage));
  if (r.reply) out_.send.server_reply = r.reply->Raw();
  if (r.ok()) {
    const int code = r.reply->code;
    if (want_354 ? code == 354 : (code >= 200 && code < 300)) return true;
    // A positive reply of the wrong kind (250 to DATA, 354 to RCPT): going on would put the
    // message where the server does not expect it.
    Diagnose(diagnosis::ClassifyObservation(
        Observation::kProtocolError,
        {absl::StrCat(stage_name, ": unexpected reply ", r.reply->Raw())}));
    return false;
  }
  if (r.kind == Kind::kRejected && r.reply) {
    // Every refusal gets a finding: the table's fallbacks name the ones no row knows.
    Classify(stage, *r.reply);
    return false;
  }
  // No answer at all: the connection is gone or the step ran out of time.
  Fail(r.kind == Kind::kTimedOut ? TransportFailure::kTimedOut : TransportFailure::kProtocolError,
       r);
  if (out_.cut_by_caller) {
    Diagnose(diagnosis::ClassifyObservation(
        Observation::kDeadlineTooShort,
        {absl::StrCat(stage_name, ": the caller's deadline ended the send: ", r.detail)}));
  }
  if (stage == Stage::kDataEnd) {
    Diagnose(diagnosis::ClassifyObservation(
        Observation::kDroppedAfterHandOver,
        {absl::StrCat(stage_name, ": ", r.detail),
         "the whole message had been handed to the server, but no final reply came: the server "
         "may or may not have queued it; it was not sent again"}));
  } else if (!out_.cut_by_caller) {
    Diagnose(diagnosis::ClassifyObservation(
        Observation::kProtocolError,
        {absl::StrCat(stage_name, ": ", r.detail, "; no message was handed over")}));
  }
  return false;
}

}  // namespace cv::verify
