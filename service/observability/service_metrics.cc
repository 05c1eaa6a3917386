#include "observability/service_metrics.h"

#include <google/protobuf/util/time_util.h>

#include <chrono>
#include <string>

#include "absl/strings/ascii.h"

namespace cv::observability {
namespace v1 = channelverify::v1;

namespace {

// Probe steps take milliseconds on loopback and up to the step timeouts (10 s by default)
// against slow servers; RPCs up to the 120 s deadline cap.
const std::vector<double> kProbeBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                          0.5,   1,    2.5,   5,    10,  30};
const std::vector<double> kRpcBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                        1,     2.5,  5,     10,   30,  60,   120};

// VERDICT_PASS -> "pass", DIAGNOSIS_CODE_INVALID_CREDENTIALS -> "INVALID_CREDENTIALS": short,
// stable label values (enum names are part of the API contract).
std::string StripPrefix(const std::string& name, std::string_view prefix) {
  if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0) {
    return name.substr(prefix.size());
  }
  return name.empty() ? "UNKNOWN" : name;
}

std::string VerdictLabel(v1::Verdict verdict) {
  return absl::AsciiStrToLower(StripPrefix(v1::Verdict_Name(verdict), "VERDICT_"));
}

std::string OutcomeLabel(v1::ProbeStatus status) {
  return absl::AsciiStrToLower(StripPrefix(v1::ProbeStatus_Name(status), "PROBE_STATUS_"));
}

void RecordCommon(std::string_view method, v1::Verdict verdict,
                  const google::protobuf::RepeatedPtrField<v1::Diagnosis>& diagnoses,
                  const google::protobuf::RepeatedPtrField<v1::Probe>& probes) {
  auto& m = Metrics();
  m.verifications.Increment({std::string(method), VerdictLabel(verdict)});
  for (const auto& d : diagnoses) {
    m.diagnoses.Increment({StripPrefix(v1::DiagnosisCode_Name(d.code()), "DIAGNOSIS_CODE_")});
  }
  for (const auto& p : probes) {
    const double seconds =
        static_cast<double>(
            google::protobuf::util::TimeUtil::DurationToMicroseconds(p.duration())) /
        1e6;
    m.probe_seconds.Observe({p.name(), OutcomeLabel(p.status())}, seconds);
  }
}

}  // namespace

ServiceMetrics::ServiceMetrics()
    : rpcs(registry.AddCounter("channel_verifier_rpcs_total",
                               "API calls finished, by method and gRPC status code.",
                               {"method", "code"})),
      rpc_seconds(registry.AddHistogram("channel_verifier_rpc_duration_seconds",
                                        "Time from the start of an API call to its answer.",
                                        {"method"}, kRpcBounds)),
      verifications(registry.AddCounter("channel_verifier_verifications_total",
                                        "Verification runs and test sends, by method and verdict.",
                                        {"method", "verdict"})),
      diagnoses(registry.AddCounter("channel_verifier_diagnoses_total",
                                    "Diagnoses reported, by diagnosis code.", {"code"})),
      probe_seconds(registry.AddHistogram("channel_verifier_probe_duration_seconds",
                                          "Duration of each probe step, by probe and outcome.",
                                          {"probe", "outcome"}, kProbeBounds)),
      in_flight(registry.AddGauge("channel_verifier_verifications_in_flight",
                                  "Verification runs and test sends going on now.")),
      limiter_rejections(registry.AddCounter(
          "channel_verifier_limiter_rejections_total",
          "Calls refused by the limiter with RESOURCE_EXHAUSTED, by ErrorInfo reason.",
          {"reason"})),
      auth_budget(registry.AddCounter(
          "channel_verifier_auth_budget_total",
          "Password AUTHs asked of the AUTH budget, by outcome: reserved, known_rejected "
          "(answered from the memory of rejected passwords), exhausted, same_in_flight, "
          "unavailable (store unreachable: AUTH withheld).",
          {"outcome"})),
      send_quota_rejections(registry.AddCounter(
          "channel_verifier_send_quota_rejections_total",
          "SendTests refused with SEND_QUOTA_EXCEEDED, by quota: recipient, channel, caller.",
          {"quota"})),
      host_waiting(registry.AddGauge(
          "channel_verifier_host_waiting_calls",
          "Calls waiting for a slot of a busy host, by host class (microsoft, google, other, "
          "oauth).",
          {"host_class"})),
      host_wait_seconds(registry.AddHistogram(
          "channel_verifier_host_wait_seconds",
          "Time a call waited for its host's slot (0 when one was free), by host class.",
          {"host_class"}, {0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})),
      state_store_up(registry.AddGauge("channel_verifier_state_store_up",
                                       "1 while the shared state store answers, else 0.",
                                       {"store"})),
      state_store_errors(registry.AddCounter(
          "channel_verifier_state_store_errors_total",
          "Exchanges with the shared state store that failed (timeouts, refused, dropped).",
          {"store"})),
      state_store_seconds(registry.AddHistogram(
          "channel_verifier_state_store_duration_seconds",
          "Time of one exchange with the shared state store (a pipelined batch or a connect).",
          {"store"}, {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5})),
      local_resource_errors(registry.AddCounter(
          "channel_verifier_local_resource_errors_total",
          "Runs that met a shortage of this machine (failed UNAVAILABLE, never a diagnosis), by "
          "resource.",
          {"resource"})),
      build_info(registry.AddGauge("channel_verifier_build_info",
                                   "Always 1; the labels tell the version.", {"version"})),
      start_time(registry.AddGauge("process_start_time_seconds",
                                   "Start time of the process since the Unix epoch, in seconds.")) {
  // Every verdict of VerifyChannel from the start, so that ratios work before the first fail.
  for (const char* verdict : {"pass", "warn", "fail"}) {
    verifications.Increment({"VerifyChannel", verdict}, 0);
  }
  for (std::string_view reason : kLimiterReasons) {
    limiter_rejections.Increment({std::string(reason)}, 0);
  }
  for (std::string_view quota : kSendQuotas)
    send_quota_rejections.Increment({std::string(quota)}, 0);
  for (std::string_view c : kHostClasses) host_waiting.Set({std::string(c)}, 0);
  for (std::string_view outcome : kAuthBudgetOutcomes) {
    auth_budget.Increment({std::string(outcome)}, 0);
  }
  for (const char* resource : {"open_files", "kernel_buffers", "memory"}) {
    local_resource_errors.Increment({resource}, 0);
  }
#ifdef CV_VERSION
  build_info.Set({CV_VERSION}, 1);
#else
  build_info.Set({"unknown"}, 1);
#endif
  start_time.Set(
      {},
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
}

ServiceMetrics& Metrics() {
  // Never destroyed: threads of gRPC or the event loop may still count during exit.
  static ServiceMetrics* metrics = new ServiceMetrics();
  return *metrics;
}

void RecordStateStoreExchange(std::string_view store, double seconds, bool ok) {
  Metrics().state_store_seconds.Observe({std::string(store)}, seconds);
  if (!ok) Metrics().state_store_errors.Increment({std::string(store)});
}

void SetStateStoreUp(std::string_view store, bool up) {
  Metrics().state_store_up.Set({std::string(store)}, up ? 1 : 0);
  Metrics().state_store_errors.Increment({std::string(store)}, 0);
}

std::shared_ptr<void> CountInFlight() {
  Metrics().in_flight.Add({}, 1);
  return std::shared_ptr<void>(nullptr, [](void*) { Metrics().in_flight.Add({}, -1); });
}

std::string_view CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

void RecordRpc(std::string_view method, grpc::StatusCode code, double seconds) {
  auto& m = Metrics();
  m.rpcs.Increment({std::string(method), std::string(CodeName(code))});
  m.rpc_seconds.Observe({std::string(method)}, seconds);
}

void RecordResult(std::string_view method, const v1::VerifyChannelResponse& r) {
  RecordCommon(method, r.verdict(), r.diagnoses(), r.probes());
}

void RecordResult(std::string_view method, const v1::SendTestResponse& r) {
  RecordCommon(method, r.verdict(), r.diagnoses(), r.probes());
}

}  // namespace cv::observability
