#include "rpc/service.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "diagnosis/catalog.h"
#include "observability/request_id.h"
#include "observability/service_metrics.h"
#include "rpc/request_checks.h"
#include "rpc/status.h"
#include "rpc/validate.h"

namespace cv::rpc {
namespace v1 = channelverify::v1;
using Clock = std::chrono::steady_clock;

namespace {

// A unary call whose work runs on the event loop: OnCancel reaches the probes. It logs one
// line and counts the call in the metrics when it finishes; its request id is the caller's
// x-request-id (else a new one) and goes back to the caller in the initial metadata.
class UnaryCall : public grpc::ServerUnaryReactor {
 public:
  UnaryCall(std::string method, grpc::CallbackServerContext* context)
      : method_(std::move(method)), id_(observability::RequestIdOf(*context)) {
    context->AddInitialMetadata(std::string(observability::kRequestIdHeader), id_);
  }

  void SetHandle(std::shared_ptr<verify::Handle> handle) {
    SetCancel([handle] { handle->Cancel(); });
  }
  void SetCancel(std::function<void()> cancel) {
    std::lock_guard lock(mu_);
    cancel_ = std::move(cancel);
    if (cancelled_) cancel_();
  }
  void OnCancel() override {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    if (cancel_) cancel_();
  }
  void OnDone() override { delete this; }

  void Done(const grpc::Status& status, std::string_view verdict = "") {
    const auto elapsed = std::chrono::duration<double, std::milli>(Clock::now() - start_).count();
    observability::RecordRpc(method_, status.error_code(), elapsed / 1000);
    log::Info("rpc", {{"method", method_},
                      {"request_id", id_},
                      {"code", static_cast<int>(status.error_code())},
                      {"verdict", verdict},
                      {"ms", elapsed}});
    Finish(status);
  }

 private:
  std::string method_;
  std::string id_;
  Clock::time_point start_ = Clock::now();
  std::mutex mu_;
  bool cancelled_ = false;
  std::function<void()> cancel_;
};

// At debug level the whole response is logged: what the caller saw, for support. Responses
// carry no secrets (the suite's secret scan reads these lines to prove it).
void LogResponse(std::string_view method, const google::protobuf::Message& response) {
  if (!log::Enabled(log::Level::kDebug)) return;
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  if (!google::protobuf::util::MessageToJsonString(response, &json, options).ok()) return;
  log::Write(log::Level::kDebug, "response", {{"method", method}, {"response", json}});
}

}  // namespace

ChannelVerifierService::ChannelVerifierService(std::shared_ptr<verify::Verifier> verifier,
                                               ServiceOptions options)
    : verifier_(std::move(verifier)),
      options_(options),
      send_dedup_(options.send_dedup_window, options.send_dedup_capacity),
      auth_limiter_(options.auth_limiter),
      in_flight_(options.in_flight) {}

grpc::Status ChannelVerifierService::Admit(const std::string& host, const std::string& username,
                                           std::unique_ptr<InFlight::Slot>* slot) {
  if (!username.empty()) {
    if (auto wait = auth_limiter_.Blocked(host, username)) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*wait).count();
      observability::CountLimiterRejection("AUTH_RATE_LIMITED");
      return Error(grpc::StatusCode::RESOURCE_EXHAUSTED, "AUTH_RATE_LIMITED",
                   absl::StrCat("AUTH for this account at ", host, " failed ",
                                auth_limiter_.options().max_failures,
                                " times recently; not trying again for ", (ms + 999) / 1000,
                                " s, so the account does not get locked"),
                   ms);
    }
  }
  InFlight::Refusal refusal;
  *slot = in_flight_.TryAcquire(host, &refusal);
  if (refusal == InFlight::Refusal::kTotal) {
    observability::CountLimiterRejection("OVERLOADED");
    return Error(grpc::StatusCode::RESOURCE_EXHAUSTED, "OVERLOADED",
                 "too many verifications in flight; retry with backoff", 1000);
  }
  if (refusal == InFlight::Refusal::kHost) {
    observability::CountLimiterRejection("HOST_BUSY");
    return Error(grpc::StatusCode::RESOURCE_EXHAUSTED, "HOST_BUSY",
                 absl::StrCat("too many verifications of ", host, " in flight"), 1000);
  }
  return grpc::Status::OK;
}

void ChannelVerifierService::Learn(const verify::SmtpTarget& target,
                                   const google::protobuf::RepeatedPtrField<v1::Probe>& probes) {
  if (target.username.empty()) return;
  for (const auto& probe : probes) {
    if (probe.name() != "smtp.auth") continue;
    if (probe.status() == v1::PROBE_STATUS_OK) {
      auth_limiter_.RecordSuccess(target.host, target.username);
      return;
    }
    // Only a rejection counts (a permanent 5xx answer to the credentials), not a timeout or a
    // temporary failure: those do not count towards a lockout either.
    const auto reply = probe.facts().find("reply");
    if (probe.status() == v1::PROBE_STATUS_FAILED && reply != probe.facts().end() &&
        !reply->second.empty() && reply->second[0] == '5') {
      auth_limiter_.RecordFailure(target.host, target.username);
      return;
    }
  }
}

grpc::Status ChannelVerifierService::Budget(const grpc::CallbackServerContext* context,
                                            Clock::time_point* deadline) const {
  const auto now_sys = std::chrono::system_clock::now();
  const auto caller = context->deadline();
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
      caller > now_sys + options_.max_deadline ? options_.max_deadline : caller - now_sys);
  if (caller == std::chrono::system_clock::time_point::max()) remaining = options_.default_deadline;
  if (remaining < std::chrono::milliseconds(20)) {
    return Error(grpc::StatusCode::DEADLINE_EXCEEDED, "DEADLINE_TOO_SHORT",
                 "the deadline leaves no time for any probe");
  }
  // Keep a tenth (at most 250 ms) to serialise and send the answer.
  const auto margin =
      std::min<std::chrono::milliseconds>(remaining / 10, std::chrono::milliseconds(250));
  *deadline = Clock::now() + remaining - margin;
  return grpc::Status::OK;
}

grpc::Status ChannelVerifierService::Prologue(const grpc::CallbackServerContext* context,
                                              const v1::VerifyChannelRequest& request,
                                              CheckedRequest* checked,
                                              Clock::time_point* deadline) const {
  if (auto s = CheckVerifyRequest(request, verifier_->config().egress, "", checked); !s.ok()) {
    return s;
  }
  return Budget(context, deadline);
}

grpc::Status ChannelVerifierService::Prologue(const grpc::CallbackServerContext* context,
                                              const v1::SendTestRequest& request,
                                              CheckedRequest* checked,
                                              Clock::time_point* deadline) const {
  if (auto s = CheckSendTestRequest(request, verifier_->config().egress, "", checked); !s.ok()) {
    return s;
  }
  return Budget(context, deadline);
}

grpc::ServerUnaryReactor* ChannelVerifierService::VerifyChannel(
    grpc::CallbackServerContext* context, const v1::VerifyChannelRequest* request,
    v1::VerifyChannelResponse* response) {
  auto* call = new UnaryCall("VerifyChannel", context);
  CheckedRequest checked;
  Clock::time_point deadline;
  if (grpc::Status s = Prologue(context, *request, &checked, &deadline); !s.ok()) {
    call->Done(s);
    return call;
  }
  const Lang lang = checked.lang;
  auto finish = [call, response](v1::VerifyChannelResponse result) {
    if (result.verdict() == v1::VERDICT_UNSPECIFIED) {
      call->Done(Error(grpc::StatusCode::INTERNAL, "INTERNAL", "verification failed"));
      return;
    }
    *response = std::move(result);
    LogResponse("VerifyChannel", *response);
    call->Done(grpc::Status::OK, v1::Verdict_Name(response->verdict()));
  };
  if (checked.oauth) {
    call->SetHandle(verifier_->VerifyOAuth(std::move(*checked.oauth), lang, deadline,
                                           [finish, counted = observability::CountInFlight()](
                                               v1::VerifyChannelResponse result) mutable {
                                             counted.reset();
                                             observability::RecordResult("VerifyChannel", result);
                                             finish(std::move(result));
                                           }));
    return call;
  }
  const std::string key = Coalescer::Key(*checked.smtp, lang);
  auto shared_target = std::make_shared<verify::SmtpTarget>(std::move(*checked.smtp));
  grpc::Status refused;
  auto start = [&](Coalescer::Done run_done) -> absl::StatusOr<std::shared_ptr<verify::Handle>> {
    std::unique_ptr<InFlight::Slot> slot;
    refused = Admit(shared_target->host, shared_target->username, &slot);
    if (!refused.ok()) return absl::ResourceExhaustedError("refused");
    auto held = std::shared_ptr<InFlight::Slot>(std::move(slot));
    return verifier_->VerifySmtp(
        *shared_target, lang, deadline,
        [this, held, shared_target, run_done,
         counted = observability::CountInFlight()](v1::VerifyChannelResponse result) mutable {
          held.reset();
          counted.reset();
          // Once per verification run, however many coalesced callers it answers.
          observability::RecordResult("VerifyChannel", result);
          Learn(*shared_target, result.probes());
          run_done(std::move(result));
        });
  };
  auto ticket = coalescer_.Join(key, finish, start);
  if (!ticket.ok()) {
    call->Done(refused.ok() ? Error(grpc::StatusCode::INTERNAL, "INTERNAL",
                                    std::string(ticket.status().message()))
                            : refused);
    return call;
  }
  call->SetCancel([ticket = *ticket] { ticket->Cancel(); });
  return call;
}

grpc::Status ChannelVerifierService::ClaimRequestId(const std::string& request_id) {
  if (request_id.empty()) return grpc::Status::OK;
  switch (send_dedup_.Claim(request_id, Clock::now())) {
    case RequestDedup::Result::kClaimed:
      return grpc::Status::OK;
    case RequestDedup::Result::kDuplicate:
      return Error(grpc::StatusCode::ALREADY_EXISTS, "DUPLICATE_REQUEST",
                   "a SendTest with this request_id was already received; no second message is "
                   "sent");
    case RequestDedup::Result::kFull:
      break;
  }
  return Error(grpc::StatusCode::RESOURCE_EXHAUSTED, "OVERLOADED",
               "too many SendTest request ids in the deduplication window", 60000);
}

grpc::ServerUnaryReactor* ChannelVerifierService::SendTest(grpc::CallbackServerContext* context,
                                                           const v1::SendTestRequest* request,
                                                           v1::SendTestResponse* response) {
  auto* call = new UnaryCall("SendTest", context);
  // Everything the caller sent is checked before anything is dialed or claimed.
  CheckedRequest checked;
  Clock::time_point deadline;
  if (grpc::Status s = Prologue(context, *request, &checked, &deadline); !s.ok()) {
    call->Done(s);
    return call;
  }
  // An OAuth send is admitted per mailbox: its endpoints are the providers' APIs, which every
  // customer shares, so a per-host cap would let one customer's sends block everyone's.
  const std::string admit_key =
      checked.smtp ? checked.smtp->host : absl::StrCat("oauth:", checked.oauth->account);
  std::unique_ptr<InFlight::Slot> slot;
  if (grpc::Status admitted =
          Admit(admit_key, checked.smtp ? checked.smtp->username : std::string(), &slot);
      !admitted.ok()) {
    call->Done(admitted);
    return call;
  }
  // Claimed last, so that a request refused above can be corrected and sent with the same id;
  // from here on the id is spent, whatever the send's outcome.
  if (grpc::Status claimed = ClaimRequestId(request->request_id()); !claimed.ok()) {
    call->Done(claimed);
    return call;
  }
  auto held = std::shared_ptr<InFlight::Slot>(std::move(slot));
  std::shared_ptr<verify::SmtpTarget> smtp_target;
  if (checked.smtp) smtp_target = std::make_shared<verify::SmtpTarget>(*checked.smtp);
  auto done = [this, call, response, held, smtp_target,
               counted = observability::CountInFlight()](v1::SendTestResponse result) mutable {
    held.reset();
    counted.reset();
    observability::RecordResult("SendTest", result);
    if (smtp_target) Learn(*smtp_target, result.probes());
    if (result.verdict() == v1::VERDICT_UNSPECIFIED) {
      call->Done(Error(grpc::StatusCode::INTERNAL, "INTERNAL", "SendTest failed"));
      return;
    }
    *response = std::move(result);
    LogResponse("SendTest", *response);
    call->Done(grpc::Status::OK, v1::Verdict_Name(response->verdict()));
  };
  if (checked.oauth) {
    call->SetHandle(verifier_->SendTestOAuth(std::move(*checked.oauth),
                                             std::move(checked.recipient), checked.lang, deadline,
                                             std::move(done)));
  } else {
    call->SetHandle(verifier_->SendTestSmtp(std::move(*checked.smtp), std::move(checked.recipient),
                                            checked.lang, deadline, std::move(done)));
  }
  return call;
}

grpc::ServerUnaryReactor* ChannelVerifierService::ListDiagnoses(
    grpc::CallbackServerContext* context, const v1::ListDiagnosesRequest* request,
    v1::ListDiagnosesResponse* response) {
  auto* call = new UnaryCall("ListDiagnoses", context);
  Lang lang;
  if (auto s = ValidateLanguage(request->language_code(), "language_code", &lang); !s.ok()) {
    call->Done(FromAbsl(s));
    return call;
  }
  for (const auto& entry : diagnosis::Catalog()) {
    *response->add_entries() = diagnosis::RenderEntry(entry, lang, verifier_->config().render);
  }
  call->Done(grpc::Status::OK);
  return call;
}

}  // namespace cv::rpc
