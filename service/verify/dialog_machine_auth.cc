// The dialog machine's sign-in: whether AUTH may be sent at all, with which mechanism, what the
// answer means, and VerifyChannel's sender check after it.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "diagnosis/probe_names.h"
#include "mail/message.h"
#include "verify/dialog_machine.h"

namespace cv::verify {
using diagnosis::Observation;
using smtp::StepResult;

// One AUTH attempt at most; never a retry after a rejection (repeated failures lock accounts).
void DialogMachine::Authenticate() {
  const auto& caps = out_.capabilities;
  if (out_.tls_active && !out_.tls.verified) {
    run_.recorder->Add(diagnosis::ClassifyObservation(
        Observation::kTlsCertificateInvalid,
        {absl::StrCat(out_.tls.verify_kind, ": ", out_.tls.verify_error),
         absl::StrCat("subject: ", out_.tls.cert_subject),
         absl::StrCat("issuer: ", out_.tls.cert_issuer),
         absl::StrCat("expires: ", out_.tls.cert_not_after)}));
    run_.recorder->Skip(ProbeName(probes::step::kAuth), endpoint_,
                        "credentials not sent: the server's certificate could not be verified");
    out_.send.skip_reason = "not sent: the server's certificate could not be verified";
    AfterAuthentication();
    return;
  }
  if (target_.username.empty() && plan_.send != nullptr) {
    // A channel without credentials (an IP-allowlisted relay, say) sends as it is; whether the
    // server wants AUTH shows in its answer to MAIL FROM.
    may_send_ = true;
    AfterAuthentication();
    return;
  }
  if (target_.username.empty()) {
    // Likely, not proven: a server that relays by IP accepts mail without AUTH.
    auto finding = diagnosis::ClassifyObservation(
        Observation::kSharedMailboxLikely,
        {"the channel has no username and password, as a shared mailbox has none"});
    finding.probe = ProbeName(probes::step::kAuth);
    run_.recorder->Add(std::move(finding));
    if (!target_.from_address.empty()) {
      CheckSender();
    } else {
      AfterAuthentication();
    }
    return;
  }
  if (target_.withhold_auth && plan_.auth_mechanism.empty()) {
    run_.recorder->Skip(ProbeName(probes::step::kAuth), endpoint_,
                        "credentials not sent: the AUTH budget store is unreachable");
    run_.recorder->Add(diagnosis::ClassifyObservation(
        Observation::kAuthWithheldStateStore,
        {"the store that counts failed sign-ins (so that the account is never locked) could not "
         "be reached; without a reservation from it the password is not sent"}));
    out_.send.skip_reason = "not sent: AUTH was withheld";
    AfterAuthentication();
    return;
  }
  if (!out_.tls_active && Withhold()) {
    AfterAuthentication();
    return;
  }
  if (caps.auth_mechanisms.empty()) {
    run_.recorder->Add(diagnosis::ClassifyObservation(
        Observation::kAuthNotOffered,
        {absl::StrCat("EHLO offered: ", absl::StrJoin(caps.keywords, " "))}));
    AfterAuthentication();
    return;
  }
  // The plan's mechanism (XOAUTH2) or, for a password, PLAIN before LOGIN: both carry the same
  // credentials, PLAIN in one round trip.
  if (!plan_.auth_mechanism.empty()) {
    if (caps.HasAuth(plan_.auth_mechanism)) mechanism_ = plan_.auth_mechanism;
  } else if (caps.HasAuth("PLAIN")) {
    mechanism_ = "PLAIN";
  } else if (caps.HasAuth("LOGIN")) {
    mechanism_ = "LOGIN";
  }
  if (mechanism_.empty()) {
    run_.recorder->Add(diagnosis::ClassifyObservation(
        Observation::kAuthMechanismUnsupported,
        {plan_.auth_mechanism.empty()
             ? absl::StrCat("AUTH mechanisms offered: ", absl::StrJoin(caps.auth_mechanisms, " "))
             : absl::StrCat("AUTH ", plan_.auth_mechanism,
                            " not offered; offered: ", absl::StrJoin(caps.auth_mechanisms, " "))}));
    AfterAuthentication();
    return;
  }
  out_.auth_attempted = true;
  BeginStep(probes::step::kAuth, run_.config->timeouts.command, &DialogMachine::AfterAuth);
  exchange_.Auth(mechanism_, target_.username, target_.password);
}

// Without TLS the credentials would cross the network in clear: withheld when the server
// offers STARTTLS (the channel should use it) and, when it offers AUTH but no TLS at all,
// unless its address is in --allow_plaintext_auth_cidrs. The findings are the caller's, which
// knows whether an alternative setting works.
bool DialogMachine::Withhold() {
  const auto& caps = out_.capabilities;
  std::string why;
  if (caps.starttls) {
    out_.auth_withheld = AuthWithheld::kStartTlsOffered;
    why = absl::StrCat("the server offers STARTTLS on port ", plan_.port,
                       "; the channel is set to no encryption, so the credentials were not sent");
  } else if (!caps.auth_mechanisms.empty() &&
             std::none_of(run_.config->plaintext_auth_cidrs.begin(),
                          run_.config->plaintext_auth_cidrs.end(),
                          [&](const net::Cidr& c) { return c.Contains(remote_); })) {
    out_.auth_withheld = AuthWithheld::kNotAllowed;
    why = absl::StrCat("no TLS on port ", plan_.port, " and ", remote_.to_string(),
                       " is not in --allow_plaintext_auth_cidrs: the credentials were not sent "
                       "in clear text");
  } else {
    return false;
  }
  out_.auth_withheld_evidence = why;
  run_.recorder->Skip(ProbeName(probes::step::kAuth), endpoint_, why);
  out_.send.skip_reason = "not sent: the credentials were not sent over an unencrypted connection";
  return true;
}

void DialogMachine::AfterAuth(const StepResult& r) {
  (*last_probe_->mutable_facts())[facts::kMechanism] = mechanism_;
  out_.auth_reply = r.reply;
  auto* report = plan_.auth_mechanism.empty() ? target_.auth_report.get() : nullptr;
  if (report != nullptr) report->outcome = probe::AuthReport::Outcome::kNoVerdict;
  if (r.ok() && r.reply->code == 235) {
    out_.auth_succeeded = true;
    may_send_ = true;
    if (report != nullptr) report->outcome = probe::AuthReport::Outcome::kAccepted;
    // SendTest's MAIL FROM does the same check for real; XOAUTH2 dialogs only test the token.
    if (plan_.send == nullptr && plan_.auth_mechanism.empty()) {
      CheckSender();
    } else {
      AfterAuthentication();
    }
    return;
  }
  const size_t findings_before = run_.recorder->findings().size();
  const bool xoauth2 = mechanism_ == "XOAUTH2";
  constexpr std::string_view kChallenge = "XOAUTH2 challenge: ";
  if (xoauth2 && r.detail.starts_with(kChallenge)) {
    // The decoded challenge says why the token was refused; the 535 after it says less.
    out_.auth_challenge = r.detail.substr(kChallenge.size());
    (*last_probe_->mutable_facts())[facts::kChallenge] = out_.auth_challenge;
  } else if (r.reply) {
    // The rule table ends in fallbacks for every 4xx and 5xx; what is left is a positive reply
    // that is not 235, which no server should send.
    bool found = false;
    Classify(xoauth2 ? diagnosis::Stage::kXoauth2 : diagnosis::Stage::kAuth, *r.reply, &found);
    if (!found) {
      Diagnose(diagnosis::ClassifyObservation(
          Observation::kProtocolError,
          {absl::StrCat("AUTH ", mechanism_, ": unexpected reply ", r.reply->Raw())}));
    }
    // Only a permanent answer is a verdict on the credentials (and what lockouts count).
    if (report != nullptr && r.reply->IsPermanentFailure() &&
        run_.recorder->findings().size() > findings_before) {
      const auto& finding = run_.recorder->findings()[findings_before];
      report->outcome = probe::AuthReport::Outcome::kRejected;
      report->code = finding.code;
      report->variant = finding.variant;
      report->reply = r.reply->Raw();
    }
  } else {
    // No answer to AUTH: out of time, or the connection dropped (which is no verdict on the
    // credentials, and no timeout either).
    Fail(r.kind == StepResult::Kind::kTimedOut ? TransportFailure::kTimedOut
                                               : TransportFailure::kProtocolError,
         r);
  }
  AfterAuthentication();
}

// VerifyChannel's sender check: MAIL FROM with the channel's sender, then RSET. Never RCPT and
// never DATA, so no message can come of it; a refusal is diagnosed as SendTest's would be.
void DialogMachine::CheckSender() {
  sender_ = target_.from_address;
  if (sender_.empty() && target_.username.find('@') != std::string::npos) {
    sender_ = target_.username;
  }
  const std::string probe = ProbeName(probes::step::kMailFrom);
  if (sender_.empty()) {
    run_.recorder->Skip(probe, endpoint_,
                        "no sender address: the channel has no from_address and its username "
                        "is not an address");
    AfterAuthentication();
    return;
  }
  const bool utf8 = mail::NeedsSmtpUtf8(sender_);
  if (utf8 && !out_.capabilities.smtputf8) {
    run_.recorder->Skip(probe, endpoint_,
                        "the sender needs SMTPUTF8, which the server does not offer (SendTest "
                        "says so as a diagnosis)");
    AfterAuthentication();
    return;
  }
  out_.sender_checked = true;
  BeginStep(probes::step::kMailFrom, run_.config->timeouts.command,
            &DialogMachine::AfterSenderMailFrom);
  exchange_.Command(smtp::MailFrom(sender_, std::nullopt, utf8));
}

void DialogMachine::AfterSenderMailFrom(const StepResult& r) {
  sender_probe_ = last_probe_;
  (*sender_probe_->mutable_facts())[facts::kSender] = sender_;
  if (r.ok() && r.reply->code >= 200 && r.reply->code < 300) {
    out_.sender_accepted = true;
    // Ends the transaction before any recipient: the session holds nothing to deliver. Not a
    // probe of its own: its lines join the MAIL FROM's, and its answer changes nothing.
    deadline_ = run_.budget.Step(run_.config->timeouts.command);
    then_ = &DialogMachine::AfterRset;
    exchange_.Command(smtp::Rset());
    return;
  }
  if (r.reply && r.reply->code >= 400) {
    Classify(diagnosis::Stage::kMailFrom, *r.reply);
  } else if (run_.budget.CutByCaller(step_deadline_)) {
    Diagnose(diagnosis::ClassifyObservation(
        Observation::kDeadlineTooShort,
        {absl::StrCat("MAIL FROM: the caller's deadline ended the sender check: ", r.detail)}));
  } else {
    Diagnose(diagnosis::ClassifyObservation(
        Observation::kProtocolError,
        {absl::StrCat("MAIL FROM: ", r.reply ? r.reply->Raw() : r.detail)}));
  }
  AfterAuthentication();
}

void DialogMachine::AfterRset(const StepResult&) {
  for (auto& line : exchange_.TakeTranscript()) sender_probe_->add_transcript(std::move(line));
  AfterAuthentication();
}

}  // namespace cv::verify
