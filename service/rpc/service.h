#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include "channelverify/v1/channel_verifier.grpc.pb.h"
#include "rpc/auth_gate.h"
#include "rpc/coalescer.h"
#include "rpc/host_aliases.h"
#include "rpc/in_flight.h"
#include "rpc/request_checks.h"
#include "verify/verifier.h"

namespace cv::rpc {

struct ServiceOptions {
  // Used when the caller sets no deadline; longer deadlines are capped to max_deadline.
  std::chrono::milliseconds default_deadline{30000};
  std::chrono::milliseconds max_deadline{120000};
  // SendTest request_id deduplication: how long an id is remembered (0: off).
  std::chrono::seconds send_dedup_window{600};
  // The AUTH budget per account (rpc/auth_gate.h).
  state::AuthBudget auth_budget;
  InFlight::Options in_flight;
  // The metadata header a trusted proxy sets with the caller's identity, used only without
  // mutual TLS; empty: none (rpc/caller.h).
  std::string caller_identity_header;
  // SendTest: test messages per recipient, channel and caller in a sliding hour.
  struct SendQuotas {
    int per_recipient = 10;
    int per_channel = 20;
    int per_caller = 200;
    std::chrono::seconds window{3600};
  } send_quotas;
  // The shared state (in-process or Redis) and the key its digests are made with. Both are
  // required.
  std::shared_ptr<state::Store> store;
  std::shared_ptr<const state::Keyring> keyring;
};

// The gRPC adapter: validates, turns the caller's deadline into the verification's budget,
// starts the work on the event loop and returns at once (no gRPC thread ever blocks); the loop
// calls Finish. Caller cancellation reaches the probes through the request's CancelScope.
class ChannelVerifierService final
    : public channelverify::v1::ChannelVerifierService::CallbackService {
 public:
  ChannelVerifierService(std::shared_ptr<verify::Verifier> verifier, ServiceOptions options);

  grpc::ServerUnaryReactor* VerifyChannel(
      grpc::CallbackServerContext* context, const channelverify::v1::VerifyChannelRequest* request,
      channelverify::v1::VerifyChannelResponse* response) override;
  grpc::ServerUnaryReactor* SendTest(grpc::CallbackServerContext* context,
                                     const channelverify::v1::SendTestRequest* request,
                                     channelverify::v1::SendTestResponse* response) override;
  grpc::ServerUnaryReactor* ListDiagnoses(
      grpc::CallbackServerContext* context, const channelverify::v1::ListDiagnosesRequest* request,
      channelverify::v1::ListDiagnosesResponse* response) override;

 private:
  // The prologue VerifyChannel and SendTest share: the request checks (rpc/request_checks.h),
  // then the caller's deadline as the run's budget. OK, or the error to answer with.
  grpc::Status Prologue(const grpc::CallbackServerContext* context,
                        const channelverify::v1::VerifyChannelRequest& request,
                        CheckedRequest* checked,
                        std::chrono::steady_clock::time_point* deadline) const;
  grpc::Status Prologue(const grpc::CallbackServerContext* context,
                        const channelverify::v1::SendTestRequest& request, CheckedRequest* checked,
                        std::chrono::steady_clock::time_point* deadline) const;
  // The budget for the probes: the caller's deadline, less a margin to send the answer;
  // DEADLINE_EXCEEDED when that leaves no time at all.
  grpc::Status Budget(const grpc::CallbackServerContext* context,
                      std::chrono::steady_clock::time_point* deadline) const;

  // The in-flight caps: in total, per caller and per canonical `host` (where a call waits for a
  // slot while it could still start in time). `done` gets OK and the slot to hold while the
  // work runs, or the error to answer with; never inline.
  void Admit(const std::string& host, const std::string& caller,
             std::chrono::steady_clock::time_point deadline,
             std::function<void(grpc::Status, std::shared_ptr<void>)> done);
  // SendTest's request_id, spent once claimed, per caller: `done` gets OK (also for an empty
  // id or with dedup off) or the error to answer with.
  void ClaimRequestId(const std::string& caller, const std::string& request_id,
                      std::function<void(grpc::Status)> done);
  void UnclaimRequestId(const std::string& caller, const std::string& request_id);
  // The server identity of `host` for budgets and caps: ServerIdentity, with an IP literal
  // counted as the name it belongs to when this replica has seen that name resolve to it.
  std::string ServerOf(const std::string& host);
  // The SendTest quotas (ServiceOptions::send_quotas), counted in the shared store.
  void ConsumeSendQuotas(const std::string& caller, const std::string& channel,
                         const std::string& recipient, std::function<void(grpc::Status)> done);
  // SendTest once admitted: quotas, AUTH budget, request id, the send.
  void SendAdmitted(class UnaryCall* call, channelverify::v1::SendTestResponse* response,
                    std::shared_ptr<class PendingRun> pending, CheckedRequest checked,
                    std::chrono::steady_clock::time_point deadline, const std::string& request_id,
                    std::shared_ptr<void> held);
  // The AUTH budget, then `run`: a password AUTH is reserved first (or answered from the
  // memory of rejected passwords, or refused, or withheld when the store is unreachable) and
  // settled when the run is over. `before_run` (may be null) runs last before `run` and may
  // refuse. `done` is called exactly once, never inline.
  template <typename Response>
  void GateThenRun(
      std::shared_ptr<probe::SmtpTarget> target, Lang lang,
      std::chrono::steady_clock::time_point deadline, std::shared_ptr<class PendingRun> pending,
      std::function<void(std::function<void(grpc::Status)>)> before_run,
      std::function<std::shared_ptr<verify::Handle>(std::function<void(Response)>)> run,
      std::function<void(grpc::Status, Response)> done);

  std::shared_ptr<verify::Verifier> verifier_;
  ServiceOptions options_;
  AuthGate auth_gate_;
  HostAliases aliases_;
  InFlight in_flight_;
  Coalescer coalescer_;
};

}  // namespace cv::rpc
