#include "verify/dialog_machine.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/strings.h"
#include "diagnosis/probe_names.h"
#include "mail/message.h"
#include "verify/connect_race.h"
#include "verify/provider.h"

namespace cv::verify {
namespace v1 = channelverify::v1;
using diagnosis::Observation;
using diagnosis::Stage;
using smtp::StepResult;
using Kind = StepResult::Kind;

namespace {

v1::ProbeStatus StatusOf(const StepResult& r) {
  switch (r.kind) {
    case Kind::kOk:
      return v1::PROBE_STATUS_OK;
    case Kind::kTimedOut:
    case Kind::kCancelled:
      return v1::PROBE_STATUS_TIMED_OUT;
    default:
      return v1::PROBE_STATUS_FAILED;
  }
}

}  // namespace

std::map<std::string, std::string> SettingFacts(const DialogPlan& plan) {
  if (plan.primary) return {};
  switch (plan.tls_mode) {
    case v1::TLS_MODE_IMPLICIT:
      return {{facts::kTlsMode, "implicit"}};
    case v1::TLS_MODE_NONE:
      return {{facts::kTlsMode, "none"}};
    default:
      return {{facts::kTlsMode, "starttls"}};
  }
}

DialogMachine::DialogMachine(const probe::Run& run, const probe::SmtpTarget& target,
                             const DialogPlan& plan, boost::asio::ip::address remote)
    : run_(run),
      target_(target),
      plan_(plan),
      remote_(remote),
      endpoint_(TargetName(plan.host, plan.port, remote)),
      setting_(SettingFacts(plan)),
      exchange_(run.config->ehlo_name, run.redactor) {
  out_.port = plan.port;
}

// --- Events: hand them to the exchange, then see where the dialog stands.

DialogAction DialogMachine::Start() {
  if (plan_.tls_mode == v1::TLS_MODE_IMPLICIT) {
    BeginStep(probes::step::kTls, run_.config->timeouts.tls, &DialogMachine::AfterImplicitTls);
    exchange_.Handshake();
  } else {
    ReadGreeting();
  }
  return Advance();
}

DialogAction DialogMachine::OnWritten(std::optional<smtp::IoFailure> failure) {
  exchange_.OnWritten(std::move(failure));
  return Advance();
}

DialogAction DialogMachine::OnRead(std::string_view bytes, std::optional<smtp::IoFailure> failure) {
  exchange_.OnRead(bytes, std::move(failure));
  return Advance();
}

DialogAction DialogMachine::OnTlsEstablished(const net::TlsFacts& tls, absl::Time now) {
  tls_at_ = now;
  exchange_.OnTlsEstablished(tls);
  return Advance();
}

DialogAction DialogMachine::OnTlsFailed(const smtp::IoFailure& failure, net::TlsFailure kind,
                                        std::string_view description) {
  exchange_.OnTlsFailed(failure, kind, description);
  return Advance();
}

DialogAction DialogMachine::Advance() {
  // A step may end without any I/O (a reply the parser already holds, a command an encoder
  // refused), and the next one start at once.
  while (!finished_ && exchange_.done()) EndStep(exchange_.TakeResult());
  DialogAction action;
  const smtp::IoRequest& request = exchange_.request();
  if (finished_ || request.kind == smtp::IoRequest::Kind::kNone) {
    finished_ = true;
    action.kind = DialogAction::Kind::kFinish;
    action.quit = out_.failure == TransportFailure::kNone ||
                  out_.failure == TransportFailure::kGreetingRejected ||
                  out_.failure == TransportFailure::kStartTlsNotOffered;
    return action;
  }
  action.deadline = deadline_;
  switch (request.kind) {
    case smtp::IoRequest::Kind::kWrite:
      action.kind = DialogAction::Kind::kWrite;
      action.bytes = request.bytes;
      break;
    case smtp::IoRequest::Kind::kRead:
      action.kind = DialogAction::Kind::kRead;
      break;
    case smtp::IoRequest::Kind::kHandshake:
      action.kind = DialogAction::Kind::kHandshake;
      break;
    case smtp::IoRequest::Kind::kNone:  // finished, above
      break;
  }
  return action;
}

// --- Steps: each a probe with its timing, transcript and the reply as a fact.

std::string DialogMachine::ProbeName(std::string_view step) const {
  return absl::StrCat(plan_.probe_prefix, ".", Av(step));
}

void DialogMachine::BeginStep(std::string_view step, net::Clock::duration timeout, Then then) {
  probe_ = run_.recorder->Begin(ProbeName(step), endpoint_);
  probe_->mutable_facts()->insert(setting_.begin(), setting_.end());
  deadline_ = step_deadline_ = run_.budget.Step(timeout);
  then_ = then;
}

void DialogMachine::EndStep(const StepResult& result) {
  if (probe_ != nullptr) {
    for (auto& line : exchange_.TakeTranscript()) probe_->add_transcript(std::move(line));
    if (result.reply) (*probe_->mutable_facts())[facts::kReply] = result.reply->Raw();
    last_probe_ = probe_;
    probe_ = nullptr;
    run_.recorder->End(last_probe_, StatusOf(result),
                       result.ok() ? ""
                                   : (result.detail.empty() && result.reply
                                          ? std::string(smtp::KindName(result.kind))
                                          : result.detail));
  }
  const Then then = then_;
  then_ = nullptr;
  if (then == nullptr) {
    End();
    return;
  }
  (this->*then)(result);
}

void DialogMachine::End() { finished_ = true; }

// --- The dialog.

void DialogMachine::AfterImplicitTls(const StepResult& r) {
  if (!r.ok()) {
    // A silent implicit-TLS port looks like a silent greeting: a timeout, not a TLS fault.
    Stop(r.kind == Kind::kNotTls       ? TransportFailure::kNotTls
         : r.kind == Kind::kTlsVersion ? TransportFailure::kTlsVersion
         : r.kind == Kind::kClosed     ? TransportFailure::kClosedEarly
         : r.kind == Kind::kTimedOut   ? TransportFailure::kTimedOut
                                       : TransportFailure::kTlsFailed,
         r);
    return;
  }
  RecordTls();
  ReadGreeting();
}

void DialogMachine::ReadGreeting() {
  BeginStep(probes::step::kGreeting, run_.config->timeouts.greeting, &DialogMachine::AfterGreeting);
  exchange_.ReadGreeting();
}

void DialogMachine::AfterGreeting(const StepResult& r) {
  if (r.reply) {
    out_.greeting_provider = ProviderFromGreeting(r.reply->Text());
    (*last_probe_->mutable_facts())[facts::kServer] =
        r.reply->lines.empty() ? "" : r.reply->lines[0];
  }
  if (!r.ok()) {
    if (r.kind == Kind::kRejected && r.reply) {
      Classify(Stage::kGreeting, *r.reply);
      Fail(TransportFailure::kGreetingRejected, r);
    } else {
      Fail(r.kind == Kind::kTimedOut ? TransportFailure::kGreetingTimeout
                                     : TransportFailure::kClosedEarly,
           r);
    }
    End();
    return;
  }
  SendEhlo(&DialogMachine::AfterFirstEhlo);
}

void DialogMachine::SendEhlo(Then then) {
  BeginStep(probes::step::kEhlo, run_.config->timeouts.command, then);
  exchange_.Ehlo();
}

void DialogMachine::AfterFirstEhlo(const StepResult& r) {
  if (!EhloAnswered(r)) return;
  if (plan_.tls_mode != v1::TLS_MODE_STARTTLS) {
    SessionReady();
    return;
  }
  const smtp::Capabilities& caps = exchange_.capabilities();
  if (!caps.starttls) {
    out_.failure = TransportFailure::kStartTlsNotOffered;
    out_.evidence = absl::StrCat("EHLO offered: ", absl::StrJoin(caps.keywords, " "));
    out_.capabilities = caps;
    End();
    return;
  }
  BeginStep(probes::step::kStartTls, run_.config->timeouts.command, &DialogMachine::AfterStartTls);
  exchange_.StartTls();
}

void DialogMachine::AfterStartTls(const StepResult& r) {
  if (!r.ok()) {
    if (r.reply) Classify(Stage::kStartTls, *r.reply);
    // Only a reply can reject STARTTLS; a connection dropped at this point is no refusal.
    Stop(r.reply ? TransportFailure::kStartTlsRejected : TransportFailure::kProtocolError, r);
    return;
  }
  BeginStep(probes::step::kTls, run_.config->timeouts.tls, &DialogMachine::AfterStartTlsHandshake);
  exchange_.Handshake();
}

void DialogMachine::AfterStartTlsHandshake(const StepResult& r) {
  if (!r.ok()) {
    // The server agreed to TLS, so it is reachable: a handshake that then fails or never
    // ends is its TLS failing (Fail keeps kTlsFailed on a timeout).
    Stop(r.kind == Kind::kTlsVersion ? TransportFailure::kTlsVersion : TransportFailure::kTlsFailed,
         r);
    return;
  }
  RecordTls();
  SendEhlo(&DialogMachine::AfterSecondEhlo);
}

void DialogMachine::AfterSecondEhlo(const StepResult& r) {
  if (EhloAnswered(r)) SessionReady();
}

// A refused or unanswered EHLO ends the dialog; an answered one's capabilities become facts.
bool DialogMachine::EhloAnswered(const StepResult& r) {
  if (!r.ok()) {
    if (r.reply) Classify(Stage::kEhlo, *r.reply);
    Stop(TransportFailure::kProtocolError, r);
    return false;
  }
  RecordCapabilities();
  return true;
}

// EHLO went through, over TLS where the plan asks for it. Alternatives stop here.
void DialogMachine::SessionReady() {
  out_.capabilities = exchange_.capabilities();
  if (!plan_.primary) {
    End();
    return;
  }
  Authenticate();
}

// After AUTH, or whatever stood in for it: SendTest's message, if the session may carry one.
void DialogMachine::AfterAuthentication() {
  if (plan_.send != nullptr) {
    if (may_send_) {
      SendMessage();
      return;
    }
    if (out_.send.skip_reason.empty()) {
      out_.send.skip_reason = out_.auth_attempted ? "not sent: AUTH did not succeed"
                                                  : "not sent: the channel could not sign in";
    }
  }
  End();
}

// --- What the answers mean.

void DialogMachine::Classify(Stage stage, const smtp::Reply& reply, bool* found) {
  diagnosis::SmtpEvidence evidence;
  evidence.stage = stage;
  evidence.reply = reply;
  evidence.provider = plan_.host_provider != v1::PROVIDER_UNSPECIFIED ? plan_.host_provider
                                                                      : out_.greeting_provider;
  evidence.google_smtp_host =
      plan_.google_smtp_host || out_.greeting_provider == v1::PROVIDER_GOOGLE;
  evidence.username_given = !target_.username.empty();
  auto findings = diagnosis::ClassifySmtpReply(evidence);
  if (found != nullptr) *found = !findings.empty();
  for (auto& f : findings) {
    f.probe = last_probe_ != nullptr ? last_probe_->name() : "";
    run_.recorder->Add(std::move(f));
  }
}

void DialogMachine::Fail(TransportFailure failure, const StepResult& r) {
  if (r.kind == Kind::kTimedOut) {
    out_.cut_by_caller = run_.budget.CutByCaller(step_deadline_);
    if (r.partial_bytes > 0 && !out_.cut_by_caller) {
      // Part of a reply came, the rest did not in time (a trickle, a reply without end): the
      // server is reachable and talking, but not SMTP as a client can use it.
      failure = TransportFailure::kProtocolError;
    } else if (failure != TransportFailure::kGreetingTimeout &&
               failure != TransportFailure::kTlsFailed) {
      failure = TransportFailure::kTimedOut;
    }
  } else if (r.kind == Kind::kCancelled) {
    failure = TransportFailure::kCancelled;
  } else if (r.kind == Kind::kProtocolError) {
    failure = TransportFailure::kProtocolError;
  }
  out_.failure = failure;
  out_.evidence = r.reply ? r.reply->Raw() : r.detail;
}

void DialogMachine::Stop(TransportFailure failure, const StepResult& r) {
  Fail(failure, r);
  End();
}

void DialogMachine::Diagnose(diagnosis::Finding f) {
  if (f.probe.empty() && last_probe_ != nullptr) f.probe = last_probe_->name();
  run_.recorder->Add(std::move(f));
}

// Every EHLO probe carries what that EHLO advertised, so no reader has to parse its reply.
void DialogMachine::RecordCapabilities() {
  const smtp::Capabilities& caps = exchange_.capabilities();
  auto& facts = *last_probe_->mutable_facts();
  facts[facts::kCapabilities] = absl::StrJoin(caps.keywords, " ");
  if (!caps.auth_mechanisms.empty()) {
    facts[facts::kAuthMechanisms] = absl::StrJoin(caps.auth_mechanisms, " ");
  }
  facts[facts::kStartTls] = caps.starttls ? facts::kOffered : facts::kNotOffered;
  if (caps.size) facts[facts::kSizeLimit] = std::to_string(*caps.size);
}

void DialogMachine::RecordTls() {
  const net::TlsFacts& tls = exchange_.tls();
  out_.tls = tls;
  out_.tls_active = true;
  auto& facts = *last_probe_->mutable_facts();
  facts[facts::kTlsVersion] = tls.version;
  facts[facts::kCipher] = tls.cipher;
  facts[facts::kCertSubject] = tls.cert_subject;
  facts[facts::kCertIssuer] = tls.cert_issuer;
  facts[facts::kCertNotAfter] = tls.cert_not_after;
  facts[facts::kCertVerified] = tls.verified ? "true" : "false";
  if (!tls.verified) {
    facts[facts::kCertError] = tls.verify_error;
    last_probe_->set_detail(absl::StrCat("certificate not accepted: ", tls.verify_error));
  }
  CheckCertificateExpiry();
}

// Only the channel's own server: an expired certificate is TLS_CERTIFICATE_INVALID already,
// and the providers' endpoints (XOAUTH2, alternatives) are not the customer's to renew.
void DialogMachine::CheckCertificateExpiry() {
  const int days = run_.config->cert_expiry_warning_days;
  if (!plan_.primary || plan_.probe_prefix != probes::kSmtp || days <= 0 || !out_.tls.verified) {
    return;
  }
  absl::Time not_after;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, out_.tls.cert_not_after, &not_after, &error)) return;
  const absl::Duration left = not_after - tls_at_;
  if (left > absl::Hours(24) * days) return;
  Diagnose(diagnosis::ClassifyObservation(
      Observation::kTlsCertificateExpiring,
      {absl::StrCat("the certificate of ", plan_.host, " expires on ", out_.tls.cert_not_after,
                    ", in ", std::max<int64_t>(0, absl::ToInt64Hours(left) / 24),
                    " days; renewing it is up to the mail server's operator"),
       absl::StrCat("subject: ", out_.tls.cert_subject),
       absl::StrCat("issuer: ", out_.tls.cert_issuer)}));
}

}  // namespace cv::verify
