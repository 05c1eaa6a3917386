#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include "channelverify/v1/channel_verifier.grpc.pb.h"
#include "rpc/auth_limiter.h"
#include "rpc/coalescer.h"
#include "rpc/dedup.h"
#include "rpc/in_flight.h"
#include "rpc/request_checks.h"
#include "verify/verifier.h"

namespace cv::rpc {

struct ServiceOptions {
  // Used when the caller sets no deadline; longer deadlines are capped to max_deadline.
  std::chrono::milliseconds default_deadline{30000};
  std::chrono::milliseconds max_deadline{120000};
  // SendTest request_id deduplication: how long an id is remembered, and how many at most.
  std::chrono::seconds send_dedup_window{600};
  size_t send_dedup_capacity = 100000;
  AuthLimiter::Options auth_limiter;
  InFlight::Options in_flight;
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

  // Admission before any probe: the AUTH failure limit for `username` at `host` (none when
  // empty) and the in-flight caps, per `host`. OK, or the error to answer with.
  grpc::Status Admit(const std::string& host, const std::string& username,
                     std::unique_ptr<InFlight::Slot>* slot);
  // SendTest's request_id, spent once claimed; OK when empty.
  grpc::Status ClaimRequestId(const std::string& request_id);
  // Feeds the AUTH outcome of a finished run to the limiter.
  void Learn(const verify::SmtpTarget& target,
             const google::protobuf::RepeatedPtrField<channelverify::v1::Probe>& probes);

  std::shared_ptr<verify::Verifier> verifier_;
  ServiceOptions options_;
  RequestDedup send_dedup_;
  AuthLimiter auth_limiter_;
  InFlight in_flight_;
  Coalescer coalescer_;
};

}  // namespace cv::rpc
