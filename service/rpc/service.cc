#include "rpc/service.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "diagnosis/catalog.h"
#include "observability/request_id.h"
#include "observability/service_metrics.h"
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

grpc::Status ChannelVerifierService::Admit(const verify::SmtpTarget& target,
                                           std::unique_ptr<InFlight::Slot>* slot) {
  if (!target.username.empty()) {
    if (auto wait = auth_limiter_.Blocked(target.host, target.username)) {
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*wait).count();
      observability::CountLimiterRejection("AUTH_RATE_LIMITED");
      return Error(grpc::StatusCode::RESOURCE_EXHAUSTED, "AUTH_RATE_LIMITED",
                   absl::StrCat("AUTH for this account at ", target.host, " failed ",
                                auth_limiter_.options().max_failures,
                                " times recently; not trying again for ", (ms + 999) / 1000,
                                " s, so the account does not get locked"),
                   ms);
    }
  }
  InFlight::Refusal refusal;
  *slot = in_flight_.TryAcquire(target.host, &refusal);
  if (refusal == InFlight::Refusal::kTotal) {
    observability::CountLimiterRejection("OVERLOADED");
    return Error(grpc::StatusCode::RESOURCE_EXHAUSTED, "OVERLOADED",
                 "too many verifications in flight; retry with backoff", 1000);
  }
  if (refusal == InFlight::Refusal::kHost) {
    observability::CountLimiterRejection("HOST_BUSY");
    return Error(grpc::StatusCode::RESOURCE_EXHAUSTED, "HOST_BUSY",
                 absl::StrCat("too many verifications of ", target.host, " in flight"), 1000);
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

Clock::time_point ChannelVerifierService::BudgetFor(const grpc::CallbackServerContext* context,
                                                    bool* too_short) const {
  const auto now_sys = std::chrono::system_clock::now();
  const auto caller = context->deadline();
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
      caller > now_sys + options_.max_deadline ? options_.max_deadline : caller - now_sys);
  if (caller == std::chrono::system_clock::time_point::max()) remaining = options_.default_deadline;
  // Keep a tenth (at most 250 ms) to serialise and send the answer.
  const auto margin =
      std::min<std::chrono::milliseconds>(remaining / 10, std::chrono::milliseconds(250));
  *too_short = remaining < std::chrono::milliseconds(20);
  return Clock::now() + remaining - margin;
}

grpc::ServerUnaryReactor* ChannelVerifierService::VerifyChannel(
    grpc::CallbackServerContext* context, const v1::VerifyChannelRequest* request,
    v1::VerifyChannelResponse* response) {
  auto* call = new UnaryCall("VerifyChannel", context);
  Lang lang;
  if (auto s = ValidateLanguage(request->language_code(), "language_code", &lang); !s.ok()) {
    call->Done(FromAbsl(s));
    return call;
  }
  if (!request->has_channel() || request->channel().kind_case() == v1::Channel::KIND_NOT_SET) {
    call->Done(InvalidArgument("channel", "required: set channel.smtp or channel.oauth"));
    return call;
  }
  auto finish = [call, response](v1::VerifyChannelResponse result) {
    if (result.verdict() == v1::VERDICT_UNSPECIFIED) {
      call->Done(Error(grpc::StatusCode::INTERNAL, "INTERNAL", "verification failed"));
      return;
    }
    *response = std::move(result);
    LogResponse("VerifyChannel", *response);
    call->Done(grpc::Status::OK, v1::Verdict_Name(response->verdict()));
  };
  if (request->channel().has_oauth()) {
    auto oauth = ValidateOAuthChannel(request->channel().oauth(), "channel.oauth");
    if (!oauth.ok()) {
      call->Done(FromAbsl(oauth.status()));
      return call;
    }
    bool too_short = false;
    const auto deadline = BudgetFor(context, &too_short);
    if (too_short) {
      call->Done(Error(grpc::StatusCode::DEADLINE_EXCEEDED, "DEADLINE_TOO_SHORT",
                       "the deadline leaves no time for any probe"));
      return call;
    }
    call->SetHandle(verifier_->VerifyOAuth(std::move(*oauth), lang, deadline,
                                           [finish, counted = observability::CountInFlight()](
                                               v1::VerifyChannelResponse result) mutable {
                                             counted.reset();
                                             observability::RecordResult("VerifyChannel", result);
                                             finish(std::move(result));
                                           }));
    return call;
  }
  auto target = ValidateSmtpChannel(request->channel().smtp(), "channel.smtp");
  if (!target.ok()) {
    call->Done(FromAbsl(target.status()));
    return call;
  }
  if (!verifier_->config().egress.PortAllowedSomewhere(target->port, net::Purpose::kSmtp)) {
    call->Done(Error(grpc::StatusCode::PERMISSION_DENIED, "TARGET_FORBIDDEN",
                     absl::StrCat("port ", target->port, " is not an allowed SMTP port")));
    return call;
  }
  bool too_short = false;
  const auto deadline = BudgetFor(context, &too_short);
  if (too_short) {
    call->Done(Error(grpc::StatusCode::DEADLINE_EXCEEDED, "DEADLINE_TOO_SHORT",
                     "the deadline leaves no time for any probe"));
    return call;
  }
  const std::string key = Coalescer::Key(*target, lang);
  auto shared_target = std::make_shared<verify::SmtpTarget>(std::move(*target));
  grpc::Status refused;
  auto start = [&](Coalescer::Done run_done) -> absl::StatusOr<std::shared_ptr<verify::Handle>> {
    std::unique_ptr<InFlight::Slot> slot;
    refused = Admit(*shared_target, &slot);
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

grpc::ServerUnaryReactor* ChannelVerifierService::SendTest(grpc::CallbackServerContext* context,
                                                           const v1::SendTestRequest* request,
                                                           v1::SendTestResponse* response) {
  auto* call = new UnaryCall("SendTest", context);
  // Everything the caller sent is checked before anything is dialed or claimed: the recipient
  // and the sender end up in headers and SMTP commands, so CR, LF, NUL or a second address
  // must never get that far.
  Lang lang;
  if (auto s = ValidateLanguage(request->language_code(), "language_code", &lang); !s.ok()) {
    call->Done(FromAbsl(s));
    return call;
  }
  if (auto s = ValidateText(request->request_id(), "request_id", Limits::kRequestId, false);
      !s.ok()) {
    call->Done(FromAbsl(s));
    return call;
  }
  if (!request->has_channel() || request->channel().kind_case() == v1::Channel::KIND_NOT_SET) {
    call->Done(InvalidArgument("channel", "required: set channel.smtp or channel.oauth"));
    return call;
  }
  if (request->channel().has_oauth()) {
    call->Done(Error(grpc::StatusCode::UNIMPLEMENTED, "OAUTH_NOT_AVAILABLE",
                     "SendTest through OAuth channels is not available in this build"));
    return call;
  }
  auto target = ValidateSmtpChannel(request->channel().smtp(), "channel.smtp");
  if (!target.ok()) {
    call->Done(FromAbsl(target.status()));
    return call;
  }
  if (target->from_address.empty()) {
    call->Done(InvalidArgument("channel.smtp.from_address",
                               "required for SendTest: the sender of the test message"));
    return call;
  }
  if (auto s = ValidateAddress(request->recipient(), "recipient"); !s.ok()) {
    call->Done(FromAbsl(s));
    return call;
  }
  if (!verifier_->config().egress.PortAllowedSomewhere(target->port, net::Purpose::kSmtp)) {
    call->Done(Error(grpc::StatusCode::PERMISSION_DENIED, "TARGET_FORBIDDEN",
                     absl::StrCat("port ", target->port, " is not an allowed SMTP port")));
    return call;
  }
  bool too_short = false;
  const auto deadline = BudgetFor(context, &too_short);
  if (too_short) {
    call->Done(Error(grpc::StatusCode::DEADLINE_EXCEEDED, "DEADLINE_TOO_SHORT",
                     "the deadline leaves no time to send"));
    return call;
  }
  std::unique_ptr<InFlight::Slot> slot;
  if (grpc::Status admitted = Admit(*target, &slot); !admitted.ok()) {
    call->Done(admitted);
    return call;
  }
  // Claimed last, so that a request refused above can be corrected and sent with the same id;
  // from here on the id is spent, whatever the send's outcome.
  if (!request->request_id().empty()) {
    switch (send_dedup_.Claim(request->request_id(), Clock::now())) {
      case RequestDedup::Result::kClaimed:
        break;
      case RequestDedup::Result::kDuplicate:
        call->Done(Error(grpc::StatusCode::ALREADY_EXISTS, "DUPLICATE_REQUEST",
                         "a SendTest with this request_id was already received; no second "
                         "message is sent"));
        return call;
      case RequestDedup::Result::kFull:
        call->Done(Error(grpc::StatusCode::RESOURCE_EXHAUSTED, "OVERLOADED",
                         "too many SendTest request ids in the deduplication window", 60000));
        return call;
    }
  }
  auto held = std::shared_ptr<InFlight::Slot>(std::move(slot));
  auto shared_target = std::make_shared<verify::SmtpTarget>(*target);
  call->SetHandle(verifier_->SendTestSmtp(
      std::move(*target), request->recipient(), lang, deadline,
      [this, call, response, held, shared_target,
       counted = observability::CountInFlight()](v1::SendTestResponse result) mutable {
        held.reset();
        counted.reset();
        observability::RecordResult("SendTest", result);
        Learn(*shared_target, result.probes());
        if (result.verdict() == v1::VERDICT_UNSPECIFIED) {
          call->Done(Error(grpc::StatusCode::INTERNAL, "INTERNAL", "SendTest failed"));
          return;
        }
        *response = std::move(result);
        LogResponse("SendTest", *response);
        call->Done(grpc::Status::OK, v1::Verdict_Name(response->verdict()));
      }));
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
