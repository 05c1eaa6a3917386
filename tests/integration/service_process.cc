#include "integration/service_process.h"

#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace cv::testing {

ServiceProcess::ServiceProcess(ChildProcess process, int port)
    : process_(std::move(process)), port_(port) {
  channel_ =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials());
  stub_ = channelverify::v1::ChannelVerifierService::NewStub(channel_);
}

absl::StatusOr<std::unique_ptr<ServiceProcess>> ServiceProcess::Start(
    const TestCa& ca, const DnsPeer& dns, std::vector<std::string> extra_flags) {
  ChildProcess::Options options;
  options.argv = {std::string(CV_BINARY_DIR) + "/service/channel-verifier",
                  "--listen=127.0.0.1:0",
                  "--allow_cidrs=127.0.0.0/8",
                  "--trusted_ca_file=" + ca.ca().string(),
                  absl::StrCat("--dns_servers=", dns.host(), ":", dns.port()),
                  "--ehlo_name=verifier.t.test",
                  "--io_threads=2"};
  options.argv.insert(options.argv.end(), extra_flags.begin(), extra_flags.end());
  auto process = ChildProcess::Start(std::move(options));
  if (!process.ok()) return process.status();
  // {"ts":...,"msg":"serving","listen":"127.0.0.1:0","port":40123,...}
  static const std::regex kServing("\"msg\":\"serving\".*\"port\":([0-9]+)");
  const absl::Time give_up = absl::Now() + absl::Seconds(15);
  while (absl::Now() < give_up) {
    std::smatch match;
    const std::string out = process->Output();
    if (std::regex_search(out, match, kServing)) {
      std::unique_ptr<ServiceProcess> server(
          new ServiceProcess(std::move(*process), std::stoi(match[1].str())));
      if (!server->channel_->WaitForConnected(std::chrono::system_clock::now() +
                                              std::chrono::seconds(5))) {
        return absl::UnavailableError("the server logged \"serving\" but does not answer");
      }
      return server;
    }
    if (!process->Running()) {
      return absl::InternalError(absl::StrCat("channel-verifier exited: ", out));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError(
      absl::StrCat("channel-verifier did not log \"serving\": ", process->Output()));
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

}  // namespace cv::testing
