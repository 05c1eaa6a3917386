#include "ctl_support.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace cv::testing {
namespace v1 = channelverify::v1;

std::string CtlPath() { return std::string(CV_BINARY_DIR) + "/client/channelctl"; }

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::vector<std::string> CtlEnvironment(const std::map<std::string, std::string>& env) {
  // The developer's own settings must not leak into what the tests see.
  std::vector<std::string> env_s;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (entry.starts_with("CHANNELCTL_") || entry.starts_with("NO_COLOR=")) continue;
    // getenv takes the first entry of a name: the test's own value must not shadow `env`'s.
    if (env.contains(std::string(entry.substr(0, entry.find('='))))) continue;
    env_s.emplace_back(entry);
  }
  for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
  // Under the sanitizers: a known leak of gRPC's resolver, see the file.
  if (!env.contains("LSAN_OPTIONS")) {
    env_s.push_back("LSAN_OPTIONS=print_suppressions=0:suppressions=" + std::string(CV_SOURCE_DIR) +
                    "/tests/lsan-channelctl.supp");
  }
  return env_s;
}

CtlResult RunCtl(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& env, std::chrono::seconds timeout) {
  CtlResult result;
  TempDir dir("cv-ctl-");
  const std::string out_path = (dir.path() / "out").string();
  const std::string err_path = (dir.path() / "err").string();

  std::vector<std::string> argv_s = {CtlPath()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_s = CtlEnvironment(env);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    result.err = absl::StrCat("posix_spawn failed: ", rc);
    return result;
  }
  const auto end = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (std::chrono::steady_clock::now() > end) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      status = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  result.out = Slurp(out_path);
  result.err = Slurp(err_path);
  result.exit_code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

void ChannelctlSuite::StartWorld(DnsPeerOptions records) {
  StartLoopback(std::move(records));
  if (::testing::Test::HasFatalFailure()) return;
  SmtpPeerOptions smtp;
  smtp.tls = SmtpTls::kStartTls;
  smtp.cert = ca_->valid();
  smtp.require_starttls = true;
  smtp.users = {{kCtlUser, kCtlPassword}};
  smtp.hostname = "mx.peer.test";
  auto peer = SmtpPeer::Start(smtp);
  ASSERT_TRUE(peer.ok()) << peer.status();
  smtp_ = new SmtpPeer(std::move(*peer));
}

void ChannelctlSuite::SetUpTestSuite() {
  StartWorld();
  if (::testing::Test::HasFatalFailure()) return;
  server_ = KeepForSuite(ServerProcess::Start(EngineFlags('_')));
}

void ChannelctlSuite::TearDownTestSuite() {
  LoopbackSuite::TearDownTestSuite();
  delete smtp_;
  smtp_ = nullptr;
  server_ = nullptr;
}

std::vector<std::string> ChannelctlSuite::EngineFlags(char sep) {
  return {EngineFlag("allow_cidrs", "127.0.0.0/8", sep),
          EngineFlag("trusted_ca_file", ca_->ca().string(), sep),
          EngineFlag("dns_servers", Resolver(), sep),
          EngineFlag("ehlo_name", "verifier.test", sep)};
}

std::string ChannelctlSuite::Channel() {
  return absl::StrCat("smtp://jobs%40t.test@smtp.t.test:", smtp_->port(), "?tls=starttls");
}

std::vector<std::string> ChannelctlSuite::Remote(std::vector<std::string> args) {
  return RemoteArgs(*server_, std::move(args));
}

std::vector<std::string> ChannelctlSuite::Local(std::vector<std::string> args) {
  return LocalArgs(EngineFlags('-'), std::move(args));
}

std::vector<std::string> RemoteArgs(const ServerProcess& server, std::vector<std::string> args) {
  args.insert(args.begin(), "--server=" + server.address());
  return args;
}

std::vector<std::string> LocalArgs(const std::vector<std::string>& engine_flags,
                                   std::vector<std::string> args) {
  args.insert(args.begin(), engine_flags.begin(), engine_flags.end());
  args.insert(args.begin(), "--local");
  return args;
}

std::string WriteTestFile(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::path(::testing::TempDir()) / name;
  std::ofstream(path) << content << "\n";
  return path.string();
}

grpc::Status FakeVerifier::Answer(std::atomic<int>& calls) {
  const int n = ++calls;
  if (delay.count() > 0) std::this_thread::sleep_for(delay);
  if (n <= fail_first.load()) return failure;
  return grpc::Status::OK;
}

grpc::Status FakeVerifier::VerifyChannel(grpc::ServerContext*,
                                         const v1::VerifyChannelRequest* request,
                                         v1::VerifyChannelResponse* response) {
  {
    std::lock_guard lock(mu);
    last_verify = *request;
  }
  grpc::Status s = Answer(verify_calls);
  if (s.ok()) {
    std::lock_guard lock(mu);
    *response = verify_response;
  }
  return s;
}

grpc::Status FakeVerifier::SendTest(grpc::ServerContext*, const v1::SendTestRequest* request,
                                    v1::SendTestResponse* response) {
  {
    std::lock_guard lock(mu);
    last_send = *request;
  }
  grpc::Status s = Answer(send_calls);
  if (s.ok()) {
    std::lock_guard lock(mu);
    *response = send_response;
  }
  return s;
}

grpc::Status FakeVerifier::ListDiagnoses(grpc::ServerContext*, const v1::ListDiagnosesRequest*,
                                         v1::ListDiagnosesResponse* response) {
  grpc::Status s = Answer(list_calls);
  if (s.ok()) {
    auto* e = response->add_entries();
    e->set_code(v1::DIAGNOSIS_CODE_INVALID_CREDENTIALS);
    e->set_title("fake entry");
  }
  return s;
}

FakeServer::FakeServer(grpc::Service* service) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(service);
  server = builder.BuildAndStart();
}

FakeServer::~FakeServer() {
  if (server) server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

}  // namespace cv::testing
