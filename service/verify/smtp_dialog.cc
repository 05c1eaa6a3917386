#include "verify/smtp_dialog.h"

#include <algorithm>
#include <map>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/strings.h"
#include "diagnosis/classifier.h"
#include "diagnosis/probe_names.h"
#include "mail/message.h"
#include "smtp/session.h"
#include "verify/connect_race.h"
#include "verify/provider.h"

namespace cv::verify {
namespace asio = boost::asio;
namespace v1 = channelverify::v1;
using diagnosis::Observation;
using diagnosis::Stage;
using smtp::StepResult;
using Kind = StepResult::Kind;

namespace {

// An alternative's probes say which TLS mode it tried ("tls_mode": starttls, implicit, none, as
// in channelctl's ?tls=): alternatives can share a port, and their probes interleave in time.
// The primary dialog's setting is the request's own, so its probes carry nothing extra.
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

// The state of one dialog: which endpoint, where its probes go, what the server said.
class Dialog {
 public:
  Dialog(const probe::Run& run, const probe::SmtpTarget& target, const DialogPlan& plan,
         std::shared_ptr<net::Conn> conn)
      : run_(run),
        target_(target),
        plan_(plan),
        session_(conn, plan.host, run.config->ehlo_name, run.redactor),
        endpoint_(TargetName(plan.host, plan.port, conn->remote().address())),
        setting_(SettingFacts(plan)) {}

  asio::awaitable<DialogOutcome> Run();
  smtp::Session& session() { return session_; }

 private:
  // "smtp.auth", "alt.smtp.ehlo", ...: this dialog's probe for a step.
  std::string ProbeName(std::string_view step) const {
    return absl::StrCat(plan_.probe_prefix, ".", Av(step));
  }

  // Runs one step as a probe: its timing, transcript, the reply as a fact.
  template <typename Op>
  asio::awaitable<StepResult> Step(std::string_view name, net::Clock::duration timeout, Op op) {
    auto* probe = run_.recorder->Begin(ProbeName(name), endpoint_);
    probe->mutable_facts()->insert(setting_.begin(), setting_.end());
    last_deadline_ = run_.budget.Step(timeout);
    StepResult result = co_await op(last_deadline_);
    for (auto& line : session_.TakeTranscript()) probe->add_transcript(std::move(line));
    if (result.reply) (*probe->mutable_facts())[facts::kReply] = result.reply->Raw();
    last_probe_ = probe;
    run_.recorder->End(probe, StatusOf(result),
                       result.ok() ? ""
                                   : (result.detail.empty() && result.reply
                                          ? std::string(smtp::KindName(result.kind))
                                          : result.detail));
    co_return result;
  }

  void Classify(Stage stage, const smtp::Reply& reply, bool* found = nullptr);
  // Maps a failed transport step to the outcome.
  DialogOutcome Fail(TransportFailure failure, const StepResult& r);
  void RecordCapabilities();
  void RecordTls(const StepResult& r);
  asio::awaitable<bool> Authenticate();
  bool Withhold();
  asio::awaitable<void> CheckSender();
  void CheckCertificateExpiry();
  asio::awaitable<void> SendMessage();
  // The send step's reply was what `want` says; otherwise records why not.
  bool SendStepOk(const StepResult& r, Stage stage, bool want_354);
  void Diagnose(diagnosis::Finding f);

  const probe::Run& run_;
  const probe::SmtpTarget& target_;
  const DialogPlan& plan_;
  smtp::Session session_;
  std::string endpoint_;
  std::map<std::string, std::string> setting_;  // SettingFacts(plan_)
  DialogOutcome out_;
  net::Clock::time_point last_deadline_;
  v1::Probe* last_probe_ = nullptr;
  // SendTest only: the session may carry a message (authenticated, or no credentials to use).
  bool may_send_ = false;
};

void Dialog::Classify(Stage stage, const smtp::Reply& reply, bool* found) {
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

DialogOutcome Dialog::Fail(TransportFailure failure, const StepResult& r) {
  if (r.kind == Kind::kTimedOut) {
    out_.cut_by_caller = run_.budget.CutByCaller(last_deadline_);
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
  return out_;
}

// Every EHLO probe carries what that EHLO advertised, so no reader has to parse its reply.
void Dialog::RecordCapabilities() {
  const smtp::Capabilities& caps = session_.capabilities();
  auto& facts = *last_probe_->mutable_facts();
  facts[facts::kCapabilities] = absl::StrJoin(caps.keywords, " ");
  if (!caps.auth_mechanisms.empty()) {
    facts[facts::kAuthMechanisms] = absl::StrJoin(caps.auth_mechanisms, " ");
  }
  facts[facts::kStartTls] = caps.starttls ? facts::kOffered : facts::kNotOffered;
  if (caps.size) facts[facts::kSizeLimit] = std::to_string(*caps.size);
}

void Dialog::RecordTls(const StepResult& r) {
  if (!r.ok() || last_probe_ == nullptr) return;
  const net::TlsFacts& tls = session_.tls();
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
void Dialog::CheckCertificateExpiry() {
  const int days = run_.config->cert_expiry_warning_days;
  if (!plan_.primary || plan_.probe_prefix != probes::kSmtp || days <= 0 || !out_.tls.verified)
    return;
  absl::Time not_after;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, out_.tls.cert_not_after, &not_after, &error)) return;
  const absl::Duration left = not_after - absl::Now();
  if (left > absl::Hours(24) * days) return;
  auto f = diagnosis::ClassifyObservation(
      Observation::kTlsCertificateExpiring,
      {absl::StrCat("the certificate of ", plan_.host, " expires on ", out_.tls.cert_not_after,
                    ", in ", std::max<int64_t>(0, absl::ToInt64Hours(left) / 24),
                    " days; renewing it is up to the mail server's operator"),
       absl::StrCat("subject: ", out_.tls.cert_subject),
       absl::StrCat("issuer: ", out_.tls.cert_issuer)});
  Diagnose(std::move(f));
}

asio::awaitable<DialogOutcome> Dialog::Run() {
  out_.port = plan_.port;
  const auto& timeouts = run_.config->timeouts;
  const bool implicit = plan_.tls_mode == v1::TLS_MODE_IMPLICIT;
  const bool starttls = plan_.tls_mode == v1::TLS_MODE_STARTTLS;
  auto handshake = [this](auto deadline) { return session_.Handshake(deadline); };

  if (implicit) {
    StepResult r = co_await Step(probes::step::kTls, timeouts.tls, handshake);
    if (!r.ok()) {
      // A silent implicit-TLS port looks like a silent greeting: a timeout, not a TLS fault.
      co_return Fail(r.kind == Kind::kNotTls       ? TransportFailure::kNotTls
                     : r.kind == Kind::kTlsVersion ? TransportFailure::kTlsVersion
                     : r.kind == Kind::kClosed     ? TransportFailure::kClosedEarly
                     : r.kind == Kind::kTimedOut   ? TransportFailure::kTimedOut
                                                   : TransportFailure::kTlsFailed,
                     r);
    }
    RecordTls(r);
  }

  StepResult r = co_await Step(probes::step::kGreeting, timeouts.greeting,
                               [this](auto d) { return session_.ReadGreeting(d); });
  if (r.reply) {
    out_.greeting_provider = ProviderFromGreeting(r.reply->Text());
    (*last_probe_->mutable_facts())[facts::kServer] =
        r.reply->lines.empty() ? "" : r.reply->lines[0];
  }
  if (!r.ok()) {
    if (r.kind == Kind::kRejected && r.reply) {
      Classify(Stage::kGreeting, *r.reply);
      co_return Fail(TransportFailure::kGreetingRejected, r);
    }
    co_return Fail(r.kind == Kind::kTimedOut ? TransportFailure::kGreetingTimeout
                                             : TransportFailure::kClosedEarly,
                   r);
  }

  auto ehlo = [this](auto d) { return session_.Ehlo(d); };
  r = co_await Step(probes::step::kEhlo, timeouts.command, ehlo);
  if (!r.ok()) {
    if (r.reply) Classify(Stage::kEhlo, *r.reply);
    co_return Fail(TransportFailure::kProtocolError, r);
  }
  RecordCapabilities();

  if (starttls) {
    if (!session_.capabilities().starttls) {
      out_.failure = TransportFailure::kStartTlsNotOffered;
      out_.evidence =
          absl::StrCat("EHLO offered: ", absl::StrJoin(session_.capabilities().keywords, " "));
      out_.capabilities = session_.capabilities();
      co_return out_;
    }
    r = co_await Step(probes::step::kStartTls, timeouts.command,
                      [this](auto d) { return session_.StartTls(d); });
    if (!r.ok()) {
      if (r.reply) Classify(Stage::kStartTls, *r.reply);
      // Only a reply can reject STARTTLS; a connection dropped at this point is no refusal.
      co_return Fail(
          r.reply ? TransportFailure::kStartTlsRejected : TransportFailure::kProtocolError, r);
    }
    r = co_await Step(probes::step::kTls, timeouts.tls, handshake);
    if (!r.ok()) {
      // The server agreed to TLS, so it is reachable: a handshake that then fails or never
      // ends is its TLS failing (Fail keeps kTlsFailed on a timeout).
      co_return Fail(r.kind == Kind::kTlsVersion ? TransportFailure::kTlsVersion
                                                 : TransportFailure::kTlsFailed,
                     r);
    }
    RecordTls(r);
    r = co_await Step(probes::step::kEhlo, timeouts.command, ehlo);
    if (!r.ok()) {
      if (r.reply) Classify(Stage::kEhlo, *r.reply);
      co_return Fail(TransportFailure::kProtocolError, r);
    }
    RecordCapabilities();
  }
  out_.capabilities = session_.capabilities();
  if (plan_.primary) co_await Authenticate();
  if (plan_.primary && plan_.send != nullptr) {
    if (may_send_) {
      co_await SendMessage();
    } else if (out_.send.skip_reason.empty()) {
      out_.send.skip_reason = out_.auth_attempted ? "not sent: AUTH did not succeed"
                                                  : "not sent: the channel could not sign in";
    }
  }
  co_return out_;
}

// Without TLS the credentials would cross the network in clear: withheld when the server
// offers STARTTLS (the channel should use it) and, when it offers AUTH but no TLS at all,
// unless its address is in --allow_plaintext_auth_cidrs. The findings are the caller's, which
// knows whether an alternative setting works.
bool Dialog::Withhold() {
  const auto& caps = out_.capabilities;
  const auto remote = session_.conn().remote().address();
  std::string why;
  if (caps.starttls) {
    out_.auth_withheld = AuthWithheld::kStartTlsOffered;
    why = absl::StrCat("the server offers STARTTLS on port ", plan_.port,
                       "; the channel is set to no encryption, so the credentials were not sent");
  } else if (!caps.auth_mechanisms.empty() &&
             std::none_of(run_.config->plaintext_auth_cidrs.begin(),
                          run_.config->plaintext_auth_cidrs.end(),
                          [&](const net::Cidr& c) { return c.Contains(remote); })) {
    out_.auth_withheld = AuthWithheld::kNotAllowed;
    why = absl::StrCat("no TLS on port ", plan_.port, " and ", remote.to_string(),
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

// One AUTH attempt at most; never a retry after a rejection (repeated failures lock accounts).
asio::awaitable<bool> Dialog::Authenticate() {
  const auto& timeouts = run_.config->timeouts;
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
    co_return false;
  }
  if (target_.username.empty() && plan_.send != nullptr) {
    // A channel without credentials (an IP-allowlisted relay, say) sends as it is; whether the
    // server wants AUTH shows in its answer to MAIL FROM.
    may_send_ = true;
    co_return false;
  }
  if (target_.username.empty()) {
    // Likely, not proven: a server that relays by IP accepts mail without AUTH.
    auto finding = diagnosis::ClassifyObservation(
        Observation::kSharedMailboxLikely,
        {"the channel has no username and password, as a shared mailbox has none"});
    finding.probe = ProbeName(probes::step::kAuth);
    run_.recorder->Add(std::move(finding));
    if (!target_.from_address.empty()) co_await CheckSender();
    co_return false;
  }
  if (target_.withhold_auth && plan_.auth_mechanism.empty()) {
    run_.recorder->Skip(ProbeName(probes::step::kAuth), endpoint_,
                        "credentials not sent: the AUTH budget store is unreachable");
    run_.recorder->Add(diagnosis::ClassifyObservation(
        Observation::kAuthWithheldStateStore,
        {"the store that counts failed sign-ins (so that the account is never locked) could not "
         "be reached; without a reservation from it the password is not sent"}));
    out_.send.skip_reason = "not sent: AUTH was withheld";
    co_return false;
  }
  if (!out_.tls_active && Withhold()) co_return false;
  if (caps.auth_mechanisms.empty()) {
    run_.recorder->Add(diagnosis::ClassifyObservation(
        Observation::kAuthNotOffered,
        {absl::StrCat("EHLO offered: ", absl::StrJoin(caps.keywords, " "))}));
    co_return false;
  }
  std::string mechanism;
  if (!plan_.auth_mechanism.empty()) {
    if (!caps.HasAuth(plan_.auth_mechanism)) {
      run_.recorder->Add(diagnosis::ClassifyObservation(
          Observation::kAuthMechanismUnsupported,
          {absl::StrCat("AUTH ", plan_.auth_mechanism,
                        " not offered; offered: ", absl::StrJoin(caps.auth_mechanisms, " "))}));
      co_return false;
    }
    mechanism = plan_.auth_mechanism;
  } else if (caps.HasAuth("PLAIN")) {
    mechanism = "PLAIN";
  } else if (caps.HasAuth("LOGIN")) {
    mechanism = "LOGIN";
  } else {
    run_.recorder->Add(diagnosis::ClassifyObservation(
        Observation::kAuthMechanismUnsupported,
        {absl::StrCat("AUTH mechanisms offered: ", absl::StrJoin(caps.auth_mechanisms, " "))}));
    co_return false;
  }
  out_.auth_attempted = true;
  StepResult r = co_await Step(probes::step::kAuth, timeouts.command, [this, &mechanism](auto d) {
    return session_.Auth(mechanism, target_.username, target_.password, d);
  });
  (*last_probe_->mutable_facts())[facts::kMechanism] = mechanism;
  out_.auth_reply = r.reply;
  auto* report = plan_.auth_mechanism.empty() ? target_.auth_report.get() : nullptr;
  if (report != nullptr) report->outcome = probe::AuthReport::Outcome::kNoVerdict;
  if (r.ok() && r.reply->code == 235) {
    out_.auth_succeeded = true;
    may_send_ = true;
    if (report != nullptr) report->outcome = probe::AuthReport::Outcome::kAccepted;
    // SendTest's MAIL FROM does the same check for real; XOAUTH2 dialogs only test the token.
    if (plan_.send == nullptr && plan_.auth_mechanism.empty()) co_await CheckSender();
    co_return true;
  }
  const size_t findings_before = run_.recorder->findings().size();
  const bool xoauth2 = mechanism == "XOAUTH2";
  constexpr std::string_view kChallenge = "XOAUTH2 challenge: ";
  if (xoauth2 && r.detail.starts_with(kChallenge)) {
    // The decoded challenge says why the token was refused; the 535 after it says less.
    out_.auth_challenge = r.detail.substr(kChallenge.size());
    (*last_probe_->mutable_facts())[facts::kChallenge] = out_.auth_challenge;
    co_return false;
  }
  if (r.reply) {
    // The rule table ends in fallbacks for every 4xx and 5xx; what is left is a positive reply
    // that is not 235, which no server should send.
    bool found = false;
    Classify(xoauth2 ? Stage::kXoauth2 : Stage::kAuth, *r.reply, &found);
    if (!found) {
      Diagnose(diagnosis::ClassifyObservation(
          Observation::kProtocolError,
          {absl::StrCat("AUTH ", mechanism, ": unexpected reply ", r.reply->Raw())}));
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
    Fail(r.kind == Kind::kTimedOut ? TransportFailure::kTimedOut : TransportFailure::kProtocolError,
         r);
  }
  co_return false;
}

// VerifyChannel's sender check: MAIL FROM with the channel's sender, then RSET. Never RCPT and
// never DATA, so no message can come of it; a refusal is diagnosed as SendTest's would be.
asio::awaitable<void> Dialog::CheckSender() {
  const auto& timeouts = run_.config->timeouts;
  std::string sender = target_.from_address;
  if (sender.empty() && target_.username.find('@') != std::string::npos) sender = target_.username;
  const std::string probe = ProbeName(probes::step::kMailFrom);
  if (sender.empty()) {
    run_.recorder->Skip(probe, endpoint_,
                        "no sender address: the channel has no from_address and its username "
                        "is not an address");
    co_return;
  }
  const bool utf8 = mail::NeedsSmtpUtf8(sender);
  if (utf8 && !out_.capabilities.smtputf8) {
    run_.recorder->Skip(probe, endpoint_,
                        "the sender needs SMTPUTF8, which the server does not offer (SendTest "
                        "says so as a diagnosis)");
    co_return;
  }
  out_.sender_checked = true;
  StepResult r = co_await Step(probes::step::kMailFrom, timeouts.command, [&](auto d) {
    return session_.Command(smtp::MailFrom(sender, std::nullopt, utf8), d);
  });
  v1::Probe* mail_probe = last_probe_;
  (*mail_probe->mutable_facts())[facts::kSender] = sender;
  if (r.ok() && r.reply->code >= 200 && r.reply->code < 300) {
    out_.sender_accepted = true;
    // Ends the transaction before any recipient: the session holds nothing to deliver.
    co_await session_.Command(smtp::Rset(), run_.budget.Step(timeouts.command));
    for (auto& line : session_.TakeTranscript()) mail_probe->add_transcript(std::move(line));
    co_return;
  }
  if (r.reply && r.reply->code >= 400) {
    Classify(Stage::kMailFrom, *r.reply);
  } else if (run_.budget.CutByCaller(last_deadline_)) {
    Diagnose(diagnosis::ClassifyObservation(
        Observation::kDeadlineTooShort,
        {absl::StrCat("MAIL FROM: the caller's deadline ended the sender check: ", r.detail)}));
  } else {
    Diagnose(diagnosis::ClassifyObservation(
        Observation::kProtocolError,
        {absl::StrCat("MAIL FROM: ", r.reply ? r.reply->Raw() : r.detail)}));
  }
}

void Dialog::Diagnose(diagnosis::Finding f) {
  if (f.probe.empty() && last_probe_ != nullptr) f.probe = last_probe_->name();
  run_.recorder->Add(std::move(f));
}

bool Dialog::SendStepOk(const StepResult& r, Stage stage, bool want_354) {
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

// Exactly one MAIL FROM / RCPT TO / DATA / message, whatever happens: no step is ever repeated,
// so a timeout or a drop can never turn into a second message.
asio::awaitable<void> Dialog::SendMessage() {
  const auto& timeouts = run_.config->timeouts;
  const SendPlan& send = *plan_.send;
  const smtp::Capabilities& caps = out_.capabilities;
  if (send.needs_smtputf8 && !caps.smtputf8) {
    Diagnose(diagnosis::ClassifyObservation(
        Observation::kSmtpUtf8NotOffered,
        {absl::StrCat("an address has characters outside ASCII before the @, and EHLO did not "
                      "offer SMTPUTF8; it offered: ",
                      absl::StrJoin(caps.keywords, " "))}));
    out_.send.skip_reason = "not sent: the server does not offer SMTPUTF8";
    co_return;
  }
  std::optional<uint64_t> size;
  if (caps.size) {
    if (*caps.size > 0 && send.size > *caps.size) {
      Diagnose(diagnosis::ClassifyObservation(
          Observation::kMessageOverSizeLimit,
          {absl::StrCat("the message has ", send.size, " octets; the server's SIZE limit is ",
                        *caps.size)}));
      out_.send.skip_reason = "not sent: larger than the server's SIZE limit";
      co_return;
    }
    size = send.size;
  }
  const bool smtputf8 = send.needs_smtputf8;

  out_.send.attempted = true;
  StepResult r = co_await Step(probes::step::kMailFrom, timeouts.command, [&](auto d) {
    return session_.Command(smtp::MailFrom(send.from, size, smtputf8), d);
  });
  if (!SendStepOk(r, Stage::kMailFrom, false)) co_return;
  r = co_await Step(probes::step::kRcptTo, timeouts.command,
                    [&](auto d) { return session_.Command(smtp::RcptTo(send.recipient), d); });
  if (!SendStepOk(r, Stage::kRcptTo, false)) co_return;
  r = co_await Step(probes::step::kData, timeouts.command,
                    [&](auto d) { return session_.Command(smtp::Data(), d); });
  if (!SendStepOk(r, Stage::kData, true)) co_return;
  out_.send.data_sent = true;
  r = co_await Step(probes::step::kDataEnd, timeouts.data,
                    [&](auto d) { return session_.SendBody(send.stuffed, d); });
  (*last_probe_->mutable_facts())[facts::kMessageOctets] = std::to_string(send.size);
  if (!SendStepOk(r, Stage::kDataEnd, false)) co_return;
  out_.send.accepted = true;
}

}  // namespace

asio::awaitable<DialogOutcome> RunSmtpDialog(const probe::Run& run, const probe::SmtpTarget& target,
                                             DialogPlan plan,
                                             std::vector<asio::ip::address> addrs) {
  auto race = std::make_shared<ConnectRace>(
      run, plan.host, plan.port, absl::StrCat(plan.probe_prefix, ".", probes::step::kTcp),
      SettingFacts(plan));
  auto conn = co_await race->First(std::move(addrs));
  DialogOutcome out;
  if (conn == nullptr) {
    out.failure = race->all_refused()     ? TransportFailure::kConnectRefused
                  : race->any_timed_out() ? TransportFailure::kConnectTimeout
                                          : TransportFailure::kConnectFailed;
    out.cut_by_caller = race->cut_by_caller();
    out.evidence = race->last_error();
    co_await race->Finish();
    co_return out;
  }
  Dialog dialog(run, target, plan, conn);
  out = co_await dialog.Run();
  if (out.failure == TransportFailure::kNone ||
      out.failure == TransportFailure::kGreetingRejected ||
      out.failure == TransportFailure::kStartTlsNotOffered) {
    co_await dialog.session().QuitAndClose();
  } else {
    conn->Close();
  }
  co_await race->Finish();
  co_return out;
}

}  // namespace cv::verify
