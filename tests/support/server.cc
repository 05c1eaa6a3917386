#include "support/server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace cv::testing {
namespace {

std::filesystem::path ArtifactsDir() {
  const std::filesystem::path dir = std::filesystem::path(CV_BINARY_DIR) / "test-artifacts";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  return dir;
}

// What the sanitizers print when they find something (ASan, LSan, UBSan). Under the asan
// preset a report in the server would otherwise only reach its stderr, and the calling test
// could still pass.
bool HasSanitizerReport(const std::string& text) {
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                             "runtime error:", "SUMMARY: UndefinedBehaviorSanitizer"}) {
    if (text.find(marker) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<ServerProcess> ServerProcess::Start(std::vector<std::string> flags,
                                                   absl::Duration timeout,
                                                   std::vector<std::string> wrapper) {
  ChildProcess::Options options;
  options.argv = std::move(wrapper);
  options.argv.push_back(std::string(CV_BINARY_DIR) + "/service/channel-verifier");
  options.argv.push_back("--listen=127.0.0.1:0");
  options.argv.insert(options.argv.end(), flags.begin(), flags.end());
  static std::atomic<int> started{0};
  options.stderr_path =
      ArtifactsDir() / absl::StrCat("server-", getpid(), "-", started++, ".stderr");
  auto process = ChildProcess::Start(std::move(options));
  if (!process.ok()) return process.status();
  static const std::regex kServing(R"re("msg":"serving".*"port":(\d+))re");
  const absl::Time end = absl::Now() + timeout;
  while (absl::Now() < end) {
    std::smatch match;
    const std::string output = process->Output();
    if (std::regex_search(output, match, kServing)) {
      return ServerProcess(std::move(*process), std::stoi(match[1]));
    }
    if (!process->Running()) {
      return absl::InternalError(
          absl::StrCat("channel-verifier exited: ", output, "\nstderr: ", process->StderrTail()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "channel-verifier did not start: ", process->Output(), "\nstderr: ", process->StderrTail()));
}

ServerProcess::~ServerProcess() {
  if (process_.pid() <= 0) return;  // moved from
  const pid_t pid = process_.pid();
  process_.Stop();
  const std::string logs = process_.CollectOutput(absl::Seconds(2));
  std::ofstream out(ArtifactsDir() / absl::StrCat("server-", pid, "-", getpid(), ".log"));
  out << logs;
  const std::string stderr_tail = process_.StderrTail(64 * 1024);
  if (HasSanitizerReport(stderr_tail)) {
    ADD_FAILURE() << "channel-verifier (pid " << pid << ") reported:\n" << stderr_tail;
  }
}

std::vector<std::string> ServerProcess::TestFlags(const std::string& ca_file,
                                                  const std::string& dns,
                                                  std::vector<std::string> more) {
  std::vector<std::string> flags = {"--allow_cidrs=127.0.0.0/8,::1/128",
                                    "--trusted_ca_file=" + ca_file,
                                    "--dns_servers=" + dns,
                                    "--ehlo_name=verifier.test",
                                    "--io_threads=2",
                                    "--log_level=debug"};
  const bool sets_a_quota = std::any_of(more.begin(), more.end(), [](const std::string& f) {
    return f.rfind("--send_quota_", 0) == 0;
  });
  if (!sets_a_quota) {
    for (auto& f : LiftedSendQuotas()) flags.push_back(std::move(f));
  }
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}

std::vector<std::string> ServerProcess::LiftedSendQuotas() {
  return {"--send_quota_per_recipient_per_hour=100000", "--send_quota_per_channel_per_hour=100000",
          "--send_quota_per_caller_per_hour=100000"};
}

std::unique_ptr<channelverify::v1::ChannelVerifierService::Stub> ServerProcess::Stub() const {
  return channelverify::v1::ChannelVerifierService::NewStub(
      grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
}

std::unique_ptr<grpc::health::v1::Health::Stub> ServerProcess::HealthStub() const {
  return grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(address(), grpc::InsecureChannelCredentials()));
}

std::string EngineFlag(std::string name, const std::string& value, char sep) {
  std::replace(name.begin(), name.end(), '_', sep);
  return "--" + name + "=" + value;
}

std::string ErrorReason(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

std::string ErrorMetadata(const grpc::Status& status, const std::string& key) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (!any.UnpackTo(&info)) continue;
    const auto it = info.metadata().find(key);
    return it == info.metadata().end() ? "" : it->second;
  }
  return "";
}

long RetryDelayMs(const grpc::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return -1;
  for (const auto& any : details.details()) {
    google::rpc::RetryInfo info;
    if (any.UnpackTo(&info)) {
      return static_cast<long>(info.retry_delay().seconds() * 1000 +
                               info.retry_delay().nanos() / 1000000);
    }
  }
  return -1;
}

}  // namespace cv::testing
