// Support for the channelctl and client library tests: running channelctl as a subprocess with
// a chosen environment, the fixture base of the suites that run it against real peers, and a
// scriptable fake of the service that records what it was asked. (The real server binary:
// support/server.h.)
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "channelverify/v1/channel_verifier.grpc.pb.h"
#include "support/loopback_suite.h"
#include "support/peers.h"
#include "support/process.h"
#include "support/server.h"

namespace cv::testing {

struct CtlResult {
  int exit_code = -1;  // -1: killed (timeout) or did not start
  std::string out;
  std::string err;
};

// Runs build/.../channelctl with `args`, stdin from /dev/null, the test's environment minus
// CHANNELCTL_* and NO_COLOR, plus `env`.
CtlResult RunCtl(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env = {},
                 std::chrono::seconds timeout = std::chrono::seconds(60));

std::string CtlPath();
// The environment RunCtl gives channelctl: the test's minus CHANNELCTL_* and NO_COLOR, with
// `env` added (replacing the test's value of a name), as "KEY=VALUE" strings.
std::vector<std::string> CtlEnvironment(const std::map<std::string, std::string>& env);

// The loopback world channelctl checks a channel in, started once per suite: LoopbackSuite's CA
// and a resolver for t.test (smtp.t.test and mx.t.test are 127.0.0.1, MX of t.test is
// mx.t.test), an aiosmtpd peer on mx.peer.test with STARTTLS required and one user, kCtlUser /
// kCtlPassword (tests/test_secrets.txt), and the server binary with the engine settings
// channelctl --local gets, so that both give the same answers.
inline constexpr char kCtlUser[] = "jobs@t.test";
inline constexpr char kCtlPassword[] = "Corr3ct-Horse!pw";
inline constexpr char kCtlWrongPassword[] = "wr0ng-Batt3ry!pw";

class ChannelctlSuite : public LoopbackSuite {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  // The CA, a resolver answering `records` and the SMTP peer, without the server (for suites
  // that start servers of their own).
  static void StartWorld(DnsPeerOptions records = Records());
  // smtp.t.test and mx.t.test are 127.0.0.1, the MX of t.test is mx.t.test.
  static DnsPeerOptions Records() {
    return DefaultRecords().Host("mx.t.test", "127.0.0.1").Mx("t.test", "mx.t.test", 10);
  }

  // The engine's settings for this world: the server's flags (sep '_') or channelctl's --local
  // ones (sep '-').
  static std::vector<std::string> EngineFlags(char sep);
  // smtp://jobs%40t.test@smtp.t.test:PORT?tls=starttls
  static std::string Channel();
  // channelctl's `args` against the suite's server, or --local with EngineFlags('-').
  static std::vector<std::string> Remote(std::vector<std::string> args);
  static std::vector<std::string> Local(std::vector<std::string> args);
  static std::vector<std::string> Args(bool local, std::vector<std::string> args) {
    return local ? Local(std::move(args)) : Remote(std::move(args));
  }

  static inline SmtpPeer* smtp_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
};

// channelctl's `args` against `server`, or with --local and the engine's flags before them.
std::vector<std::string> RemoteArgs(const ServerProcess& server, std::vector<std::string> args);
std::vector<std::string> LocalArgs(const std::vector<std::string>& engine_flags,
                                   std::vector<std::string> args);

// A file in the test's temporary directory holding `content` and a newline; its path.
std::string WriteTestFile(const std::string& name, const std::string& content);

// A ChannelVerifierService that answers from a script: the first `fail_first` calls of each
// method fail with `failure`, later ones answer with the canned responses. Counts calls and
// keeps the last request of each method.
class FakeVerifier final : public channelverify::v1::ChannelVerifierService::Service {
 public:
  grpc::Status VerifyChannel(grpc::ServerContext* context,
                             const channelverify::v1::VerifyChannelRequest* request,
                             channelverify::v1::VerifyChannelResponse* response) override;
  grpc::Status SendTest(grpc::ServerContext* context,
                        const channelverify::v1::SendTestRequest* request,
                        channelverify::v1::SendTestResponse* response) override;
  grpc::Status ListDiagnoses(grpc::ServerContext* context,
                             const channelverify::v1::ListDiagnosesRequest* request,
                             channelverify::v1::ListDiagnosesResponse* response) override;

  std::atomic<int> fail_first{0};
  grpc::Status failure{grpc::StatusCode::UNAVAILABLE, "fake: not yet"};
  std::chrono::milliseconds delay{0};
  std::atomic<int> verify_calls{0}, send_calls{0}, list_calls{0};

  std::mutex mu;
  channelverify::v1::VerifyChannelResponse verify_response;
  channelverify::v1::SendTestResponse send_response;
  channelverify::v1::VerifyChannelRequest last_verify;
  channelverify::v1::SendTestRequest last_send;

 private:
  grpc::Status Answer(std::atomic<int>& calls);
};

// A gRPC server for a fake on 127.0.0.1 (a free port).
struct FakeServer {
  explicit FakeServer(grpc::Service* service);
  ~FakeServer();
  std::unique_ptr<grpc::Server> server;
  int port = 0;
  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
};

}  // namespace cv::testing
