#include "verify/smtp_dialog.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/strings.h"
#include "diagnosis/classifier.h"
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
  Dialog(const Run& run, const SmtpTarget& target, const DialogPlan& plan,
         std::shared_ptr<net::Conn> conn)
      : run_(run),
        target_(target),
        plan_(plan),
        session_(conn, plan.host, run.config->ehlo_name, {std::string(target.password.Reveal())}),
        endpoint_(TargetName(plan.host, plan.port, conn->remote().address())) {}

  asio::awaitable<DialogOutcome> Run();
  smtp::Session& session() { return session_; }

 private:
  // Runs one step as a probe: its timing, transcript, the reply as a fact.
  template <typename Op>
  asio::awaitable<StepResult> Step(std::string_view name, net::Clock::duration timeout, Op op) {
    auto* probe = run_.recorder->Begin(absl::StrCat(plan_.probe_prefix, ".", Av(name)), endpoint_);
    last_deadline_ = run_.budget.Step(timeout);
    StepResult result = co_await op(last_deadline_);
    for (auto& line : session_.TakeTranscript()) probe->add_transcript(std::move(line));
    if (result.reply) (*probe->mutable_facts())["reply"] = result.reply->Raw();
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
  void RecordTls(const StepResult& r);
  asio::awaitable<bool> Authenticate();

  const verify::Run& run_;
  const SmtpTarget& target_;
  const DialogPlan& plan_;
  smtp::Session session_;
  std::string endpoint_;
  DialogOutcome out_;
  net::Clock::time_point last_deadline_;
  v1::Probe* last_probe_ = nullptr;
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
    if (failure != TransportFailure::kGreetingTimeout) failure = TransportFailure::kTimedOut;
  } else if (r.kind == Kind::kCancelled) {
    failure = TransportFailure::kCancelled;
  } else if (r.kind == Kind::kProtocolError) {
    failure = TransportFailure::kProtocolError;
  }
  out_.failure = failure;
  out_.evidence = r.reply ? r.reply->Raw() : r.detail;
  return out_;
}

void Dialog::RecordTls(const StepResult& r) {
  if (!r.ok() || last_probe_ == nullptr) return;
  const net::TlsFacts& tls = session_.tls();
  out_.tls = tls;
  out_.tls_active = true;
  auto& facts = *last_probe_->mutable_facts();
  facts["tls_version"] = tls.version;
  facts["cipher"] = tls.cipher;
  facts["cert_subject"] = tls.cert_subject;
  facts["cert_issuer"] = tls.cert_issuer;
  facts["cert_not_after"] = tls.cert_not_after;
  facts["cert_verified"] = tls.verified ? "true" : "false";
  if (!tls.verified) {
    facts["cert_error"] = tls.verify_error;
    last_probe_->set_detail(absl::StrCat("certificate not accepted: ", tls.verify_error));
  }
}

asio::awaitable<DialogOutcome> Dialog::Run() {
  const auto& timeouts = run_.config->timeouts;
  const bool implicit = plan_.tls_mode == v1::TLS_MODE_IMPLICIT;
  const bool starttls = plan_.tls_mode == v1::TLS_MODE_STARTTLS;
  auto handshake = [this](auto deadline) { return session_.Handshake(deadline); };

  if (implicit) {
    StepResult r = co_await Step("tls", timeouts.tls, handshake);
    if (!r.ok()) {
      co_return Fail(r.kind == Kind::kNotTls       ? TransportFailure::kNotTls
                     : r.kind == Kind::kTlsVersion ? TransportFailure::kTlsVersion
                     : r.kind == Kind::kClosed     ? TransportFailure::kClosedEarly
                                                   : TransportFailure::kTlsFailed,
                     r);
    }
    RecordTls(r);
  }

  StepResult r = co_await Step("greeting", timeouts.greeting,
                               [this](auto d) { return session_.ReadGreeting(d); });
  if (r.reply) {
    out_.greeting_provider = ProviderFromGreeting(r.reply->Text());
    (*last_probe_->mutable_facts())["server"] = r.reply->lines.empty() ? "" : r.reply->lines[0];
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
  r = co_await Step("ehlo", timeouts.command, ehlo);
  if (!r.ok()) {
    if (r.reply) Classify(Stage::kEhlo, *r.reply);
    co_return Fail(TransportFailure::kProtocolError, r);
  }

  if (starttls) {
    if (!session_.capabilities().starttls) {
      out_.failure = TransportFailure::kStartTlsNotOffered;
      out_.evidence =
          absl::StrCat("EHLO offered: ", absl::StrJoin(session_.capabilities().keywords, " "));
      out_.capabilities = session_.capabilities();
      co_return out_;
    }
    r = co_await Step("starttls", timeouts.command,
                      [this](auto d) { return session_.StartTls(d); });
    if (!r.ok()) {
      if (r.reply) Classify(Stage::kStartTls, *r.reply);
      co_return Fail(TransportFailure::kStartTlsRejected, r);
    }
    r = co_await Step("tls", timeouts.tls, handshake);
    if (!r.ok()) {
      co_return Fail(r.kind == Kind::kTlsVersion ? TransportFailure::kTlsVersion
                                                 : TransportFailure::kTlsFailed,
                     r);
    }
    RecordTls(r);
    r = co_await Step("ehlo", timeouts.command, ehlo);
    if (!r.ok()) {
      if (r.reply) Classify(Stage::kEhlo, *r.reply);
      co_return Fail(TransportFailure::kProtocolError, r);
    }
  }
  out_.capabilities = session_.capabilities();
  {
    auto& facts = *last_probe_->mutable_facts();
    if (!out_.capabilities.auth_mechanisms.empty()) {
      facts["auth_mechanisms"] = absl::StrJoin(out_.capabilities.auth_mechanisms, " ");
    }
    facts["starttls"] = out_.capabilities.starttls ? "offered" : "not offered";
    if (out_.capabilities.size) facts["size_limit"] = std::to_string(*out_.capabilities.size);
  }
  if (plan_.primary) co_await Authenticate();
  co_return out_;
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
    run_.recorder->Skip(absl::StrCat(plan_.probe_prefix, ".auth"), endpoint_,
                        "credentials not sent: the server's certificate could not be verified");
    co_return false;
  }
  if (target_.username.empty()) {
    // Likely, not proven: a server that relays by IP accepts mail without AUTH. Only a server
    // that demands AUTH at MAIL FROM (530 5.7.57) makes it an error, through the rule table.
    auto finding = diagnosis::ClassifyObservation(
        Observation::kSharedMailboxLikely,
        {"the channel has no username and password, as a shared mailbox has none"});
    finding.severity = v1::SEVERITY_WARNING;
    finding.probe = absl::StrCat(plan_.probe_prefix, ".auth");
    run_.recorder->Add(std::move(finding));
    if (!target_.from_address.empty()) {
      StepResult r = co_await Step("mail_from", timeouts.command, [this](auto d) {
        return session_.Command(smtp::MailFrom(target_.from_address, std::nullopt, false), d);
      });
      if (r.kind == Kind::kRejected && r.reply) Classify(Stage::kMailFrom, *r.reply);
      if (r.ok()) co_await session_.Command(smtp::Rset(), run_.budget.Step(timeouts.command));
    }
    co_return false;
  }
  if (caps.auth_mechanisms.empty()) {
    run_.recorder->Add(diagnosis::ClassifyObservation(
        Observation::kAuthNotOffered,
        {absl::StrCat("EHLO offered: ", absl::StrJoin(caps.keywords, " "))}));
    co_return false;
  }
  std::string mechanism;
  if (caps.HasAuth("PLAIN")) {
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
  StepResult r = co_await Step("auth", timeouts.command, [this, &mechanism](auto d) {
    return session_.Auth(mechanism, target_.username, target_.password, d);
  });
  (*last_probe_->mutable_facts())["mechanism"] = mechanism;
  if (r.ok() && r.reply->code == 235) {
    out_.auth_succeeded = true;
    co_return true;
  }
  if (r.reply) {
    bool found = false;
    Classify(Stage::kAuth, *r.reply, &found);
    if (!found) {
      // A rejection no rule knows: still the answer to the credentials, said with less
      // certainty; temporary failures read as throttling.
      diagnosis::Finding f;
      f.code = r.reply->IsTransientFailure() ? v1::DIAGNOSIS_CODE_SERVER_THROTTLING
                                             : v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS;
      f.confidence = 0.5;
      f.evidence.push_back(absl::StrCat("AUTH ", mechanism, ": ", r.reply->Raw()));
      f.probe = last_probe_->name();
      run_.recorder->Add(std::move(f));
    }
  } else {
    Fail(TransportFailure::kTimedOut, r);
  }
  co_return false;
}

}  // namespace

asio::awaitable<DialogOutcome> RunSmtpDialog(const Run& run, const SmtpTarget& target,
                                             DialogPlan plan,
                                             std::vector<asio::ip::address> addrs) {
  auto race = std::make_shared<ConnectRace>(run, plan.host, plan.port,
                                            absl::StrCat(plan.probe_prefix, ".tcp"));
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
