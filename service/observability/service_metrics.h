#pragma once

#include <grpcpp/support/status.h>

#include <memory>
#include <string>
#include <string_view>

#include "channelverify/v1/channel_verifier.pb.h"
#include "observability/metrics.h"

// The service's own metrics (names in README.md, "Metrics"). One set per process, reached
// through Metrics(), so that the RPC layer, the limiter and whatever comes next count into the
// same registry without it being passed through every constructor.
namespace cv::observability {

struct ServiceMetrics {
  ServiceMetrics();

  Registry registry;
  Counter& rpcs;                   // method, code: every finished RPC of the API
  Histogram& rpc_seconds;          // method: from the handler's start to Finish
  Counter& verifications;          // method, verdict: VerifyChannel / SendTest results
  Counter& diagnoses;              // code: each diagnosis in a result
  Histogram& probe_seconds;        // probe, outcome: each probe that ran
  Gauge& in_flight;                // verification runs and test sends going on now
  Counter& limiter_rejections;     // reason: calls the limiter refused (RESOURCE_EXHAUSTED)
  Counter& auth_budget;            // outcome: what the AUTH budget said before a password AUTH
  Counter& send_quota_rejections;  // quota: SendTests refused by a quota
  Gauge& host_waiting;             // host_class: calls waiting for a busy host's slot
  Histogram& host_wait_seconds;    // host_class: how long admitted or refused calls waited
  Gauge& state_store_up;           // store: 1 while the shared store answers
  Counter& state_store_errors;     // store: exchanges with the store that failed
  Histogram& state_store_seconds;  // store: one exchange (a batch of commands, a connect)
  Counter& local_resource_errors;  // resource: runs that met EMFILE, ENFILE, ENOBUFS, ENOMEM
  Gauge& build_info;               // version: always 1
  Gauge& start_time;               // process start, seconds since the epoch
};

ServiceMetrics& Metrics();

// "OK", "INVALID_ARGUMENT", ... as gRPC spells the codes.
std::string_view CodeName(grpc::StatusCode code);

void RecordRpc(std::string_view method, grpc::StatusCode code, double seconds);
// The verdict, the diagnoses and the probes of a result.
void RecordResult(std::string_view method, const channelverify::v1::VerifyChannelResponse& r);
void RecordResult(std::string_view method, const channelverify::v1::SendTestResponse& r);
// One verification run (or test send) in the in-flight gauge while the token lives; reset it
// when the run completes.
std::shared_ptr<void> CountInFlight();

// For the limiter: one call it refused, by its ErrorInfo reason. The reasons the admission
// code has today are shown at 0 from the start.
inline constexpr std::string_view kLimiterReasons[] = {
    "AUTH_RATE_LIMITED", "OVERLOADED", "HOST_BUSY", "CALLER_BUSY", "SEND_QUOTA_EXCEEDED"};
inline constexpr std::string_view kSendQuotas[] = {"recipient", "channel", "caller"};
// Host classes: the label values for hosts (never a host name: unbounded).
inline constexpr std::string_view kHostClasses[] = {"microsoft", "google", "other", "oauth"};
inline constexpr std::string_view kAuthBudgetOutcomes[] = {
    "reserved", "known_rejected", "exhausted", "same_in_flight", "unavailable"};
inline void CountLimiterRejection(std::string_view reason) {
  Metrics().limiter_rejections.Increment({std::string(reason)});
}

inline void CountSendQuotaRejection(std::string_view quota) {
  Metrics().send_quota_rejections.Increment({std::string(quota)});
}
inline void RecordHostWait(std::string_view host_class, double seconds) {
  Metrics().host_wait_seconds.Observe({std::string(host_class)}, seconds);
}
inline void CountAuthBudget(std::string_view outcome) {
  Metrics().auth_budget.Increment({std::string(outcome)});
}
// The shared store's health and cost, by kind ("memory", "redis").
void RecordStateStoreExchange(std::string_view store, double seconds, bool ok);
void SetStateStoreUp(std::string_view store, bool up);

}  // namespace cv::observability
