#include "support/redis_peer.h"

#include <signal.h>

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace cv::testing {

std::vector<std::string> RedisPeer::CliArgv(int port, const Options& options) {
  std::vector<std::string> argv = {"/usr/bin/redis-cli", "-h", "127.0.0.1", "-p",
                                   std::to_string(port)};
  if (!options.tls_cert_file.empty()) {
    argv.insert(argv.end(), {"--tls", "--cacert", options.tls_ca_file});
  }
  if (!options.password.empty()) {
    argv.insert(argv.end(), {"--no-auth-warning", "-a", options.password});
  }
  return argv;
}

absl::StatusOr<ChildProcess> RedisPeer::Launch(const TempDir& dir, int port,
                                               const Options& options) {
  std::vector<std::string> argv = {"/usr/bin/redis-server",
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--appendonly",
                                   "no",
                                   "--dir",
                                   dir.path().string(),
                                   "--daemonize",
                                   "no"};
  if (options.tls_cert_file.empty()) {
    argv.insert(argv.end(), {"--port", std::to_string(port)});
  } else {
    argv.insert(argv.end(),
                {"--port", "0", "--tls-port", std::to_string(port), "--tls-cert-file",
                 options.tls_cert_file, "--tls-key-file", options.tls_key_file,
                 "--tls-ca-cert-file", options.tls_ca_file, "--tls-auth-clients", "no"});
  }
  if (!options.password.empty()) {
    argv.push_back("--requirepass");
    argv.push_back(options.password);
  }
  auto child =
      ChildProcess::Start({.argv = std::move(argv), .stderr_path = dir.path() / "redis.log"});
  if (!child.ok()) return child.status();
  // Ready when it answers PING.
  const auto deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::vector<std::string> ping = CliArgv(port, options);
    ping.push_back("PING");
    auto pong = RunCommand(ping, absl::Seconds(2));
    if (pong.ok() && absl::StrContains(*pong, "PONG")) return std::move(*child);
    if (!child->Running()) break;
  }
  return absl::UnavailableError(
      absl::StrCat("redis-server did not answer on port ", port, ": ", child->StderrTail()));
}

absl::StatusOr<RedisPeer> RedisPeer::Start(Options options) {
  TempDir dir("cv-redis-");
  auto port = FreePort();
  if (!port.ok()) return port.status();
  auto child = Launch(dir, *port, options);
  if (!child.ok()) return child.status();
  return RedisPeer(std::move(dir), std::move(*child), *port, std::move(options));
}

// Only ever a positive pid: kill(-1, ...) would signal every process there is.
void RedisPeer::Signal(int signal) {
  if (process_.pid() > 0) ::kill(process_.pid(), signal);
}

void RedisPeer::Freeze() { Signal(SIGSTOP); }
void RedisPeer::Thaw() { Signal(SIGCONT); }

void RedisPeer::Kill() {
  Signal(SIGCONT);
  Signal(SIGKILL);
  process_.Stop();
}

absl::Status RedisPeer::Restart() {
  Kill();
  auto child = Launch(dir_, port_, options_);
  if (!child.ok()) return child.status();
  process_ = std::move(*child);
  return absl::OkStatus();
}

absl::StatusOr<std::string> RedisPeer::Cli(std::vector<std::string> args) const {
  std::vector<std::string> argv = CliArgv(port_, options_);
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, absl::Seconds(10));
}

absl::StatusOr<std::vector<std::string>> RedisPeer::Keys(const std::string& pattern) const {
  auto out = Cli({"--scan", "--pattern", pattern});
  if (!out.ok()) return out.status();
  std::vector<std::string> keys;
  for (absl::string_view line : absl::StrSplit(*out, '\n', absl::SkipEmpty())) {
    keys.emplace_back(absl::StripAsciiWhitespace(line));
  }
  return keys;
}

}  // namespace cv::testing
