#include "rpc/service.h"

#include <google/protobuf/util/json_util.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "diagnosis/catalog.h"
#include "diagnosis/probe_names.h"
#include "observability/request_id.h"
#include "observability/service_metrics.h"
#include "rpc/account_key.h"
#include "rpc/caller.h"
#include "rpc/local_resources.h"
#include "rpc/pending_run.h"
#include "rpc/request_checks.h"
#include "rpc/status.h"
#include "rpc/validate.h"
#include "verify/response.h"

namespace cv::rpc {
namespace v1 = channelverify::v1;
using Clock = std::chrono::steady_clock;

// (Outside the unnamed namespace: the header names it.)
// A unary call whose work runs on the event loop: OnCancel reaches the probes. It logs one
// line and counts the call in the metrics when it finishes; its request id is the caller's
// x-request-id (else a new one) and goes back to the caller in the initial metadata.
class UnaryCall : public grpc::ServerUnaryReactor {
 public:
  UnaryCall(std::string method, grpc::CallbackServerContext* context, std::string caller)
      : method_(std::move(method)),
        id_(observability::RequestIdOf(*context)),
        caller_(std::move(caller)) {
    context->AddInitialMetadata(std::string(observability::kRequestIdHeader), id_);
  }
  const std::string& caller() const { return caller_; }

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
                      {"caller", caller_},
                      {"code", static_cast<int>(status.error_code())},
                      {"verdict", verdict},
                      {"ms", elapsed}});
    Finish(status);
  }

 private:
  std::string method_;
  std::string id_;
  std::string caller_;
  Clock::time_point start_ = Clock::now();
  std::mutex mu_;
  bool cancelled_ = false;
  std::function<void()> cancel_;
};

namespace {

// A call with its caller's identity (rpc/caller.h). A malformed identity header is refused
// with INVALID_ARGUMENT naming it: *refused is then true and the call already finished.
UnaryCall* NewCall(std::string method, grpc::CallbackServerContext* context,
                   const std::string& identity_header, bool* refused) {
  bool bad_header = false;
  std::string caller = CallerIdentity(*context, identity_header, &bad_header);
  auto* call = new UnaryCall(std::move(method), context, std::move(caller));
  *refused = bad_header;
  if (bad_header) {
    call->Done(InvalidArgument(identity_header,
                               "must be a plain token: letters, digits and ._:/@+=-, at most 128"));
  }
  return call;
}

// At debug level the whole response is logged: what the caller saw, for support. Responses
// carry no secrets (the suite's secret scan reads these lines to prove it).
void LogResponse(std::string_view method, const google::protobuf::Message& response) {
  if (!log::Enabled(log::Level::kDebug)) return;
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  if (!google::protobuf::util::MessageToJsonString(response, &json, options).ok()) return;
  log::Write(log::Level::kDebug, "response", {{"method", method}, {"response", json}});
}

// A host as a metric label: never the host name itself (unbounded), only its class.
std::string HostClass(const std::string& host) {
  if (host == "microsoft" || host == "google") return host;
  if (host.starts_with("oauth:")) return "oauth";
  return "other";
}

InFlight::Options WithWaitMetrics(InFlight::Options options) {
  options.waiting_changed = [](const std::string& host, int delta) {
    observability::Metrics().host_waiting.Add({HostClass(host)}, delta);
  };
  return options;
}

// A call answered from the memory of rejected passwords: the diagnosis the rejection had,
// and the AUTH probe as skipped. Nothing was dialed.
template <typename Response>
Response FromMemory(const AuthGate::Decision& decision, const probe::SmtpTarget& target, Lang lang,
                    const diagnosis::RenderContext& render) {
  Response response;
  *response.add_diagnoses() = diagnosis::Render(decision.known, lang, render);
  auto* probe = response.add_probes();
  probe->set_name(probes::kSmtpAuth);
  probe->set_status(v1::PROBE_STATUS_SKIPPED);
  probe->set_target(absl::StrCat(target.host, ":", target.port));
  probe->set_detail(
      absl::StrCat("not sent: the server rejected this exact password at ", decision.known_at));
  (*probe->mutable_facts())[facts::kRejectedAt] = decision.known_at;
  response.set_verdict(verify::VerdictOf(response.diagnoses()));
  return response;
}

}  // namespace

ChannelVerifierService::ChannelVerifierService(std::shared_ptr<verify::Verifier> verifier,
                                               ServiceOptions options)
    : verifier_(std::move(verifier)),
      options_(options),
      auth_gate_(options.store, options.keyring, options.auth_budget,
                 verifier_->io().get_executor()),
      in_flight_(verifier_->io().get_executor(), WithWaitMetrics(options.in_flight)) {}

void ChannelVerifierService::Admit(const std::string& host, const std::string& caller,
                                   Clock::time_point deadline,
                                   std::function<void(grpc::Status, std::shared_ptr<void>)> done) {
  // A call may wait for a busy host while it could still run: at least half its budget (up to
  // 10 s) is left for the verification itself.
  const auto budget = deadline - Clock::now();
  const auto latest_start =
      deadline - std::min<Clock::duration>(budget / 2, std::chrono::seconds(10));
  const std::string host_class = HostClass(host);
  in_flight_.Acquire(
      host, caller, latest_start,
      [host, host_class, done = std::move(done)](
          std::shared_ptr<InFlight::Slot> slot, InFlight::Refusal refusal, Clock::duration waited) {
        observability::RecordHostWait(host_class, std::chrono::duration<double>(waited).count());
        switch (refusal) {
          case InFlight::Refusal::kNone:
            done(grpc::Status::OK, std::move(slot));
            return;
          case InFlight::Refusal::kTotal:
            observability::CountLimiterRejection("OVERLOADED");
            done(Error(grpc::StatusCode::RESOURCE_EXHAUSTED, "OVERLOADED",
                       "too many verifications in flight; retry with backoff", 1000),
                 nullptr);
            return;
          case InFlight::Refusal::kCaller:
            observability::CountLimiterRejection("CALLER_BUSY");
            done(Error(grpc::StatusCode::RESOURCE_EXHAUSTED, "CALLER_BUSY",
                       "this caller has its fair share of verifications in flight; retry when "
                       "some have finished",
                       1000),
                 nullptr);
            return;
          case InFlight::Refusal::kHost:
            observability::CountLimiterRejection("HOST_BUSY");
            done(Error(grpc::StatusCode::RESOURCE_EXHAUSTED, "HOST_BUSY",
                       absl::StrCat("too many verifications of ", host,
                                    " in flight to start this one in time; retry with backoff"),
                       1000),
                 nullptr);
            return;
        }
      });
}

template <typename Response>
void ChannelVerifierService::GateThenRun(
    std::shared_ptr<probe::SmtpTarget> target, Lang lang, Clock::time_point deadline,
    std::shared_ptr<PendingRun> pending,
    std::function<void(std::function<void(grpc::Status)>)> before_run,
    std::function<std::shared_ptr<verify::Handle>(std::function<void(Response)>)> run,
    std::function<void(grpc::Status, Response)> done) {
  // Runs `run` after `before_run` agreed; `settle` (may be null) sees the run's AUTH report
  // and calls its argument when the store has it.
  using Settle = std::function<void(std::function<void()>)>;
  // What the host name resolves to teaches the alias book (rpc/host_aliases.h).
  target->resolved = std::make_shared<std::vector<std::string>>();
  auto learn = [this, target] {
    const std::string identity = ServerIdentity(target->host);
    boost::system::error_code not_an_address;
    boost::asio::ip::make_address(identity, not_an_address);
    if (not_an_address) aliases_.Learn(identity, *target->resolved);
  };
  auto start = [pending, before_run, run, done, learn](Settle settle) {
    auto go = [pending, run, done, settle, learn](grpc::Status status) {
      if (!status.ok() || pending->cancelled()) {
        if (settle) settle([] {});
        done(status.ok() ? Error(grpc::StatusCode::CANCELLED, "CANCELLED", "cancelled") : status,
             Response());
        return;
      }
      pending->Attach(run([done, settle, learn](Response response) {
        learn();
        if (!settle) {
          done(grpc::Status::OK, std::move(response));
          return;
        }
        // The answer waits for the store to have the outcome (a fraction of a millisecond):
        // the caller's next click then finds a rejected password remembered.
        auto shared = std::make_shared<Response>(std::move(response));
        settle([done, shared] { done(grpc::Status::OK, std::move(*shared)); });
      }));
    };
    if (before_run) {
      before_run(go);
    } else {
      go(grpc::Status::OK);
    }
  };
  if (target->username.empty()) {
    // Nothing to lock out: straight to the run, never inline.
    boost::asio::post(verifier_->io(), [start] { start(nullptr); });
    return;
  }
  // The reservation outlives the call by a margin, so that a slow settle never frees it early;
  // a process that dies frees it when the lease ends.
  const auto lease =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()) +
      std::chrono::seconds(10);
  auth_gate_.Reserve(*target, ServerOf(target->host), lease,
                     [this, target, lang, start, done](AuthGate::Decision d) {
                       switch (d.kind) {
                         case AuthGate::Decision::Kind::kRefused:
                           observability::CountLimiterRejection("AUTH_RATE_LIMITED");
                           done(d.refusal, Response());
                           return;
                         case AuthGate::Decision::Kind::kKnownRejected:
                           done(grpc::Status::OK,
                                FromMemory<Response>(d, *target, lang, verifier_->config().render));
                           return;
                         case AuthGate::Decision::Kind::kProceedWithoutAuth:
                           target->withhold_auth = true;
                           start(nullptr);
                           return;
                         case AuthGate::Decision::Kind::kProceed: {
                           auto report = std::make_shared<probe::AuthReport>();
                           target->auth_report = report;
                           start([this, d = std::move(d), report](std::function<void()> settled) {
                             auth_gate_.Settle(d, *report, std::move(settled));
                           });
                           return;
                         }
                       }
                     });
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
  bool refused = false;
  UnaryCall* call = NewCall("VerifyChannel", context, options_.caller_identity_header, &refused);
  if (refused) return call;
  CheckedRequest checked;
  Clock::time_point deadline;
  if (grpc::Status s = Prologue(context, *request, &checked, &deadline); !s.ok()) {
    call->Done(s);
    return call;
  }
  // The secrets are in `checked` now. gRPC hands the request as const, but it is this call's
  // own message: its copy of the password or token is wiped here.
  WipeRequestSecrets(const_cast<v1::Channel*>(&request->channel()));
  if (grpc::Status s = CheckSocketHeadroom(); !s.ok()) {
    call->Done(s);
    return call;
  }
  const Lang lang = checked.lang;
  auto finish = [call, response](v1::VerifyChannelResponse result) {
    if (grpc::Status local = LocalResourceStatus(result); !local.ok()) {
      call->Done(local);
      return;
    }
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
  auto shared_target = std::make_shared<probe::SmtpTarget>(std::move(*checked.smtp));
  const std::string caller = call->caller();
  auto start = [&](Coalescer::Done run_done) -> Coalescer::Cancel {
    auto pending = std::make_shared<PendingRun>();
    // Admission never answers inline: the coalescer holds its lock while it starts a run.
    Admit(ServerOf(shared_target->host), caller, deadline,
          [this, pending, shared_target, lang, deadline, run_done](grpc::Status admitted,
                                                                   std::shared_ptr<void> held) {
            if (!admitted.ok()) {
              run_done({std::move(admitted), {}});
              return;
            }
            GateThenRun<v1::VerifyChannelResponse>(
                shared_target, lang, deadline, pending, nullptr,
                [this, shared_target, lang,
                 deadline](std::function<void(v1::VerifyChannelResponse)> d) {
                  return verifier_->VerifySmtp(*shared_target, lang, deadline, std::move(d));
                },
                [held, run_done, counted = observability::CountInFlight()](
                    grpc::Status status, v1::VerifyChannelResponse result) mutable {
                  held.reset();
                  counted.reset();
                  // Once per verification run, however many coalesced callers it answers.
                  if (status.ok()) observability::RecordResult("VerifyChannel", result);
                  run_done({std::move(status), std::move(result)});
                });
          });
    return [pending] { pending->Cancel(); };
  };
  auto ticket = coalescer_.Join(
      key,
      [call, finish](Coalescer::Outcome outcome) {
        if (!outcome.status.ok()) {
          call->Done(outcome.status);
          return;
        }
        finish(std::move(outcome.response));
      },
      start);
  call->SetCancel([ticket] { ticket->Cancel(); });
  return call;
}

void ChannelVerifierService::ClaimRequestId(const std::string& caller,
                                            const std::string& request_id,
                                            std::function<void(grpc::Status)> done) {
  if (request_id.empty() || options_.send_dedup_window.count() == 0) {
    done(grpc::Status::OK);
    return;
  }
  // Keyed by the caller as well, so that one caller cannot spend another's id.
  const std::string key = options_.keyring->Mac("request", {caller, request_id}, 32);
  options_.store->ClaimOnce(
      key, std::chrono::duration_cast<std::chrono::milliseconds>(options_.send_dedup_window),
      [done = std::move(done)](state::Claim claim) {
        switch (claim) {
          case state::Claim::kClaimed:
            done(grpc::Status::OK);
            return;
          case state::Claim::kDuplicate:
            done(Error(grpc::StatusCode::ALREADY_EXISTS, "DUPLICATE_REQUEST",
                       "a SendTest with this request_id was already received; no second message "
                       "is sent"));
            return;
          case state::Claim::kFull:
            done(Error(grpc::StatusCode::RESOURCE_EXHAUSTED, "OVERLOADED",
                       "too many SendTest request ids in the deduplication window", 60000));
            return;
          case state::Claim::kUnavailable:
            // Fail closed: without the store this id may have been used on another replica.
            done(Error(grpc::StatusCode::UNAVAILABLE, "STATE_STORE_UNAVAILABLE",
                       "the store that remembers SendTest request ids is unreachable; nothing was "
                       "sent, so that a retried request cannot send a second message",
                       1000));
            return;
        }
      });
}

grpc::ServerUnaryReactor* ChannelVerifierService::SendTest(grpc::CallbackServerContext* context,
                                                           const v1::SendTestRequest* request,
                                                           v1::SendTestResponse* response) {
  bool refused = false;
  UnaryCall* call = NewCall("SendTest", context, options_.caller_identity_header, &refused);
  if (refused) return call;
  // Everything the caller sent is checked before anything is dialed or claimed.
  CheckedRequest checked;
  Clock::time_point deadline;
  if (grpc::Status s = Prologue(context, *request, &checked, &deadline); !s.ok()) {
    call->Done(s);
    return call;
  }
  // The secrets are in `checked` now. gRPC hands the request as const, but it is this call's
  // own message: its copy of the password or token is wiped here.
  WipeRequestSecrets(const_cast<v1::Channel*>(&request->channel()));
  if (grpc::Status s = CheckSocketHeadroom(); !s.ok()) {
    call->Done(s);
    return call;
  }
  // An OAuth send is admitted per mailbox: its endpoints are the providers' APIs, which every
  // customer shares, so a per-host cap would let one customer's sends block everyone's.
  const std::string admit_key =
      checked.smtp ? ServerOf(checked.smtp->host) : absl::StrCat("oauth:", checked.oauth->account);
  auto pending = std::make_shared<PendingRun>();
  call->SetCancel([pending] { pending->Cancel(); });
  auto shared_checked = std::make_shared<CheckedRequest>(std::move(checked));
  Admit(admit_key, call->caller(), deadline,
        [this, call, response, pending, shared_checked, deadline,
         request_id = request->request_id()](grpc::Status admitted, std::shared_ptr<void> held) {
          if (!admitted.ok()) {
            call->Done(admitted);
            return;
          }
          SendAdmitted(call, response, pending, std::move(*shared_checked), deadline, request_id,
                       std::move(held));
        });
  return call;
}

void ChannelVerifierService::SendAdmitted(UnaryCall* call, v1::SendTestResponse* response,
                                          std::shared_ptr<PendingRun> pending,
                                          CheckedRequest checked, Clock::time_point deadline,
                                          const std::string& request_id,
                                          std::shared_ptr<void> held) {
  auto done = [call, response, held, counted = observability::CountInFlight()](
                  grpc::Status status, v1::SendTestResponse result) mutable {
    held.reset();
    counted.reset();
    if (!status.ok()) {
      call->Done(status);
      return;
    }
    observability::RecordResult("SendTest", result);
    if (grpc::Status local = LocalResourceStatus(result); !local.ok()) {
      call->Done(local);
      return;
    }
    if (result.verdict() == v1::VERDICT_UNSPECIFIED) {
      call->Done(Error(grpc::StatusCode::INTERNAL, "INTERNAL", "SendTest failed"));
      return;
    }
    *response = std::move(result);
    LogResponse("SendTest", *response);
    call->Done(grpc::Status::OK, v1::Verdict_Name(response->verdict()));
  };
  // Right before the send: the request id (so that a repeat is a duplicate, not a second
  // count against the quotas), then the quotas (a refusal gives the id back, so that the same
  // request can be sent once the quota allows). From then on the id is spent, whatever the
  // send's outcome.
  const std::string caller = call->caller();
  const std::string channel =
      checked.smtp
          ? AccountKeyAt(ServerOf(checked.smtp->host), checked.smtp->username)
          : AccountKeyAt(v1::Provider_Name(checked.oauth->provider), checked.oauth->account);
  auto before_send = [this, caller, channel, recipient = CanonicalUsername(checked.recipient),
                      request_id](std::function<void(grpc::Status)> go) {
    ClaimRequestId(caller, request_id,
                   [this, caller, channel, recipient, request_id, go](grpc::Status claimed) {
                     if (!claimed.ok()) {
                       go(std::move(claimed));
                       return;
                     }
                     ConsumeSendQuotas(caller, channel, recipient,
                                       [this, caller, request_id, go](grpc::Status allowed) {
                                         if (!allowed.ok()) UnclaimRequestId(caller, request_id);
                                         go(std::move(allowed));
                                       });
                   });
  };
  const Lang lang = checked.lang;
  std::string recipient = std::move(checked.recipient);
  if (checked.oauth) {
    auto target = std::make_shared<probe::OAuthTarget>(std::move(*checked.oauth));
    before_send([this, pending, target, recipient, lang, deadline, done](grpc::Status ok) mutable {
      if (!ok.ok() || pending->cancelled()) {
        done(ok.ok() ? Error(grpc::StatusCode::CANCELLED, "CANCELLED", "cancelled") : ok, {});
        return;
      }
      pending->Attach(verifier_->SendTestOAuth(std::move(*target), recipient, lang, deadline,
                                               [done](v1::SendTestResponse result) mutable {
                                                 done(grpc::Status::OK, std::move(result));
                                               }));
    });
    return;
  }
  auto target = std::make_shared<probe::SmtpTarget>(std::move(*checked.smtp));
  GateThenRun<v1::SendTestResponse>(
      target, lang, deadline, pending, before_send,
      [this, target, recipient, lang, deadline](std::function<void(v1::SendTestResponse)> d) {
        return verifier_->SendTestSmtp(*target, recipient, lang, deadline, std::move(d));
      },
      done);
}

std::string ChannelVerifierService::ServerOf(const std::string& host) {
  return aliases_.Canonical(ServerIdentity(host));
}

void ChannelVerifierService::UnclaimRequestId(const std::string& caller,
                                              const std::string& request_id) {
  if (request_id.empty() || options_.send_dedup_window.count() == 0) return;
  options_.store->Unclaim(options_.keyring->Mac("request", {caller, request_id}, 32));
}

void ChannelVerifierService::ConsumeSendQuotas(const std::string& caller,
                                               const std::string& channel,
                                               const std::string& recipient,
                                               std::function<void(grpc::Status)> done) {
  const auto& q = options_.send_quotas;
  const auto& keys = *options_.keyring;
  // Names of the quotas, in the order of `quotas` below.
  static constexpr const char* kNames[] = {"recipient", "channel", "caller"};
  std::vector<state::Quota> quotas = {
      {keys.Mac("quota", {"recipient", recipient}, 32), q.per_recipient},
      {keys.Mac("quota", {"channel", channel}, 32), q.per_channel},
      {keys.Mac("quota", {"caller", caller}, 32), q.per_caller},
  };
  options_.store->ConsumeQuotas(
      quotas, std::chrono::duration_cast<std::chrono::milliseconds>(q.window),
      [done = std::move(done)](state::QuotaResult r) {
        switch (r.kind) {
          case state::QuotaResult::Kind::kAllowed:
            done(grpc::Status::OK);
            return;
          case state::QuotaResult::Kind::kExceeded: {
            const char* quota = kNames[std::min<size_t>(r.exceeded, 2)];
            observability::CountSendQuotaRejection(quota);
            observability::CountLimiterRejection("SEND_QUOTA_EXCEEDED");
            done(Error(grpc::StatusCode::RESOURCE_EXHAUSTED, "SEND_QUOTA_EXCEEDED",
                       absl::StrCat("the hourly quota of test messages per ", quota,
                                    " is used up; nothing was sent"),
                       static_cast<long>(r.retry_after.count()), {{"quota", quota}}));
            return;
          }
          case state::QuotaResult::Kind::kUnavailable:
            // Fail closed: without the store the quotas cannot hold, and a test message
            // reaches a real inbox.
            done(Error(grpc::StatusCode::UNAVAILABLE, "STATE_STORE_UNAVAILABLE",
                       "the store that keeps the SendTest quotas is unreachable; nothing was sent",
                       1000));
            return;
        }
      });
}

grpc::ServerUnaryReactor* ChannelVerifierService::ListDiagnoses(
    grpc::CallbackServerContext* context, const v1::ListDiagnosesRequest* request,
    v1::ListDiagnosesResponse* response) {
  bool refused = false;
  UnaryCall* call = NewCall("ListDiagnoses", context, options_.caller_identity_header, &refused);
  if (refused) return call;
  Lang lang;
  if (auto s = ValidateLanguage(request->language_code(), "language_code", &lang); !s.ok()) {
    call->Done(FromAbsl(s));
    return call;
  }
  for (const auto& entry : diagnosis::Catalog()) {
    *response->add_entries() = diagnosis::RenderEntry(entry, lang, verifier_->config().render);
  }
  for (auto& ip : diagnosis::EgressIps(verifier_->config().render)) {
    response->add_egress_ips(std::move(ip));
  }
  call->Done(grpc::Status::OK);
  return call;
}

}  // namespace cv::rpc
