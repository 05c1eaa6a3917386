// cv_bench_load: drives VerifyChannel against a running server with the async gRPC API (one
// completion queue, one thread) at a fixed concurrency until a total count, then prints
//   key value
// lines: count, ok, rpc_errors, bad_verdicts, elapsed_s, rate_per_s, p50_ms, p90_ms, p99_ms,
// max_ms, max_in_flight. Every request has its own username (user-<run>-<n>@bench.test) so that
// the server's coalescer never merges two of them: each is a real verification.
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "channelverify/v1/channel_verifier.grpc.pb.h"
#include "load/latency.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "The server, HOST:PORT");
ABSL_FLAG(int, concurrency, 16, "Verifications in flight at once");
ABSL_FLAG(int, total, 1000, "Verifications in all");
ABSL_FLAG(int, channels, 0,
          "gRPC connections to spread the calls over (0: one per 2,500 in flight, since the "
          "server caps the streams of one connection)");
ABSL_FLAG(int, deadline_ms, 30000, "Deadline of each call");
ABSL_FLAG(std::string, smtp_host, "smtp.bench.test", "channel.smtp.host");
ABSL_FLAG(int, smtp_port, 587, "channel.smtp.port");
ABSL_FLAG(std::string, tls_mode, "starttls", "starttls or implicit");
ABSL_FLAG(std::string, password, "", "channel.smtp.password (the peer's)");
ABSL_FLAG(std::string, run_id, "run", "Part of every username, so that runs never repeat one");
ABSL_FLAG(std::string, from_address, "jobs@bench.test", "channel.smtp.from_address");
ABSL_FLAG(double, ramp_s, 0,
          "Spread the first --concurrency calls over this many seconds (0: all at once), as "
          "real traffic arrives, instead of one synchronised burst");
ABSL_FLAG(bool, print_last, false, "Print the last response (proto3 JSON) on stderr");

namespace {

namespace v1 = channelverify::v1;
using Clock = std::chrono::steady_clock;

struct Call {
  grpc::ClientContext context;
  v1::VerifyChannelResponse response;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::VerifyChannelResponse>> reader;
  Clock::time_point start;
};

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("Load generator for VerifyChannel.");
  absl::ParseCommandLine(argc, argv);
  const int total = absl::GetFlag(FLAGS_total);
  const int concurrency = std::max(1, std::min(absl::GetFlag(FLAGS_concurrency), total));
  int channels = absl::GetFlag(FLAGS_channels);
  if (channels <= 0) channels = (concurrency + 2499) / 2500;
  if (absl::GetFlag(FLAGS_password).empty()) {
    std::fprintf(stderr, "cv_bench_load: --password is required\n");
    return 2;
  }

  std::vector<std::unique_ptr<v1::ChannelVerifierService::Stub>> stubs;
  for (int i = 0; i < channels; ++i) {
    grpc::ChannelArguments args;
    // Each channel its own TCP connection (and so its own stream limit).
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("cv.bench.channel", i);
    args.SetMaxReceiveMessageSize(16 << 20);
    stubs.push_back(v1::ChannelVerifierService::NewStub(grpc::CreateCustomChannel(
        absl::GetFlag(FLAGS_target), grpc::InsecureChannelCredentials(), args)));
  }

  v1::VerifyChannelRequest request;
  request.set_language_code("en");
  auto* smtp = request.mutable_channel()->mutable_smtp();
  smtp->set_host(absl::GetFlag(FLAGS_smtp_host));
  smtp->set_port(static_cast<uint32_t>(absl::GetFlag(FLAGS_smtp_port)));
  smtp->set_tls_mode(absl::GetFlag(FLAGS_tls_mode) == "implicit" ? v1::TLS_MODE_IMPLICIT
                                                                 : v1::TLS_MODE_STARTTLS);
  smtp->set_password(absl::GetFlag(FLAGS_password));
  smtp->set_from_address(absl::GetFlag(FLAGS_from_address));
  const std::string user_prefix = absl::StrCat("user-", absl::GetFlag(FLAGS_run_id), "-");

  grpc::CompletionQueue cq;
  int started = 0;
  int in_flight = 0;
  int max_in_flight = 0;
  const auto deadline = std::chrono::milliseconds(absl::GetFlag(FLAGS_deadline_ms));
  auto start_one = [&] {
    auto* call = new Call;
    smtp->set_username(absl::StrCat(user_prefix, started, "@bench.test"));
    call->start = Clock::now();
    call->context.set_deadline(std::chrono::system_clock::now() + deadline);
    call->reader = stubs[static_cast<size_t>(started % channels)]->AsyncVerifyChannel(
        &call->context, request, &cq);
    call->reader->Finish(&call->response, &call->status, call);
    ++started;
    max_in_flight = std::max(max_in_flight, ++in_flight);
  };

  cv::bench::Latencies latencies;
  latencies.Reserve(static_cast<size_t>(total));
  int ok = 0;
  int rpc_errors = 0;
  int bad_verdicts = 0;
  std::map<std::string, int> error_kinds;
  const auto begin = Clock::now();
  const auto ramp = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(std::max(0.0, absl::GetFlag(FLAGS_ramp_s))));
  // The i-th of the first `concurrency` calls starts at begin + ramp * i / concurrency.
  int ramped = 0;
  auto start_due = [&] {
    while (ramped < concurrency && begin + ramp * ramped / concurrency <= Clock::now()) {
      start_one();
      ++ramped;
    }
  };
  start_due();
  void* tag = nullptr;
  bool got = false;
  while (in_flight > 0 || ramped < concurrency) {
    if (ramped < concurrency) {
      const auto next = begin + ramp * ramped / concurrency;
      const auto status =
          cq.AsyncNext(&tag, &got, std::chrono::system_clock::now() + (next - Clock::now()));
      if (status == grpc::CompletionQueue::SHUTDOWN) break;
      if (status == grpc::CompletionQueue::TIMEOUT) {
        start_due();
        continue;
      }
    } else if (!cq.Next(&tag, &got)) {
      break;
    }
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    --in_flight;
    latencies.Add(std::chrono::duration<double, std::milli>(Clock::now() - call->start).count());
    if (absl::GetFlag(FLAGS_print_last) && latencies.size() == static_cast<size_t>(total)) {
      std::string json;
      (void)google::protobuf::util::MessageToJsonString(call->response, &json);
      std::fprintf(stderr, "%s\n", json.c_str());
    }
    if (!call->status.ok()) {
      ++rpc_errors;
      ++error_kinds[absl::StrCat("rpc ", call->status.error_code(), ": ",
                                 call->status.error_message())];
    } else if (call->response.verdict() != v1::VERDICT_PASS) {
      ++bad_verdicts;
      std::string what = v1::Verdict_Name(call->response.verdict());
      for (const auto& d : call->response.diagnoses()) {
        absl::StrAppend(&what, " ", v1::DiagnosisCode_Name(d.code()));
      }
      ++error_kinds[what];
    } else {
      ++ok;
    }
    if (ramped == concurrency && started < total) start_one();
    start_due();
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  cq.Shutdown();
  while (cq.Next(&tag, &got)) {
  }

  std::printf("count %d\nok %d\nrpc_errors %d\nbad_verdicts %d\n", total, ok, rpc_errors,
              bad_verdicts);
  std::printf("elapsed_s %.3f\nrate_per_s %.1f\n", elapsed, total / elapsed);
  std::printf("p50_ms %.1f\np90_ms %.1f\np99_ms %.1f\nmax_ms %.1f\n", latencies.Percentile(50),
              latencies.Percentile(90), latencies.Percentile(99), latencies.Percentile(100));
  std::printf("max_in_flight %d\nchannels %d\n", max_in_flight, channels);
  for (const auto& [what, n] : error_kinds) std::fprintf(stderr, "error %dx %s\n", n, what.c_str());
  return 0;
}
