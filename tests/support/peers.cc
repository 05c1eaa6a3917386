#include "support/peers.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace cv::testing {
namespace {

namespace fs = std::filesystem;

fs::path PeerScript(const std::string& name) {
  return fs::path(CV_SOURCE_DIR) / "tests" / "peers" / name;
}

std::vector<std::string> PythonArgv(const std::string& script) {
  // -B: no __pycache__ in the source tree.
  return {CV_PYTHON, "-B", PeerScript(script).string()};
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Files in `dir` whose names start with `prefix` and end with `suffix`, sorted by name.
std::vector<fs::path> ListFiles(const fs::path& dir, const std::string& prefix,
                                const std::string& suffix) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (absl::StartsWith(name, prefix) && absl::EndsWith(name, suffix)) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

template <typename T, typename F>
absl::StatusOr<std::vector<T>> PollFor(size_t count, absl::Duration timeout, F list) {
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    std::vector<T> got = list();
    if (got.size() >= count) return got;
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("expected ", count, " message(s), got ", got.size()));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

}  // namespace

std::vector<std::string> TestCa::DefaultNames() {
  std::vector<std::string> names = {"localhost",
                                    "t.test",
                                    "*.t.test",
                                    "smtp.office365.com",
                                    "smtp-mail.outlook.com",
                                    "smtp.gmail.com",
                                    "smtp-relay.gmail.com",
                                    "::1"};
  for (int i = 1; i <= 9; ++i) names.push_back(absl::StrCat("127.0.0.", i));
  return names;
}

absl::StatusOr<TestCa> TestCa::Create(fs::path dir, std::vector<std::string> names) {
  if (dir.empty()) dir = fs::path(CV_BINARY_DIR) / "test-certs";
  std::vector<std::string> argv = {"/bin/bash", PeerScript("make_certs.sh").string(), dir.string()};
  argv.insert(argv.end(), names.begin(), names.end());
  absl::StatusOr<std::string> out = RunCommand(std::move(argv));
  if (!out.ok()) return out.status();
  TestCa ca;
  ca.dir_ = std::move(dir);
  ca.names_ = std::move(names);
  return ca;
}

absl::StatusOr<SmtpPeer> SmtpPeer::Start(SmtpPeerOptions options) {
  TempDir dir("cv-smtp-peer-");
  std::vector<std::string> argv = PythonArgv("smtp_peer.py");
  auto add = [&argv](std::string flag, std::string value) {
    argv.push_back(std::move(flag));
    argv.push_back(std::move(value));
  };
  bool scripted =
      !options.profile.empty() || !options.script_json.empty() || !options.fault.empty();
  add("--mode", options.silent ? "silent" : scripted ? "scripted" : "aiosmtpd");
  add("--host", options.bind);
  add("--port", std::to_string(options.port));
  add("--maildir", (dir.path() / "mail").string());
  switch (options.tls) {
    case SmtpTls::kNone:
      break;
    case SmtpTls::kStartTls:
      add("--tls", "starttls");
      break;
    case SmtpTls::kImplicit:
      add("--tls", "implicit");
      break;
  }
  if (options.cert) {
    add("--cert", options.cert->cert.string());
    add("--key", options.cert->key.string());
  }
  if (options.require_starttls) argv.push_back("--require-starttls");
  if (!options.users.empty()) {
    std::vector<std::string> users;
    for (const auto& [user, password] : options.users) users.push_back(user + ":" + password);
    add("--users", absl::StrJoin(users, ","));
  }
  if (!options.auth_fail_reply.empty()) add("--auth-fail-reply", options.auth_fail_reply);
  if (!options.hostname.empty()) add("--hostname", options.hostname);
  if (!options.tls_max_version.empty()) add("--tls-max-version", options.tls_max_version);
  if (!options.profile.empty()) add("--profile", options.profile);
  if (!options.script_json.empty()) add("--script-json", options.script_json);
  if (!options.fault.empty()) add("--fault", options.fault);
  if (options.delay_ms > 0) add("--delay-ms", std::to_string(options.delay_ms));
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());

  int port = 0;
  absl::StatusOr<ChildProcess> child = ChildProcess::StartAndWaitReady(
      {.argv = std::move(argv), .stderr_path = dir.path() / "stderr.log"}, &port);
  if (!child.ok()) return child.status();
  return SmtpPeer(std::move(dir), std::move(*child), options.bind, port);
}

absl::StatusOr<SmtpPeer> SmtpPeer::StartProfile(const std::string& profile, const TestCa* ca,
                                                const std::string& bind) {
  SmtpPeerOptions options;
  options.profile = profile;
  options.bind = bind;
  if (ca != nullptr) options.cert = ca->valid();
  return Start(std::move(options));
}

absl::StatusOr<SmtpPeer> SmtpPeer::StartSilent(const std::string& bind) {
  SmtpPeerOptions options;
  options.silent = true;
  options.bind = bind;
  return Start(std::move(options));
}

std::vector<ReceivedMessage> SmtpPeer::Messages() const {
  std::vector<ReceivedMessage> out;
  // The .env file is renamed into place last: its presence means the message is complete.
  for (const fs::path& env : ListFiles(maildir(), "msg-", ".env")) {
    ReceivedMessage m;
    std::istringstream lines(ReadFile(env));
    for (std::string line; std::getline(lines, line);) {
      std::string key = line.substr(0, line.find(' '));
      std::string value = line.size() > key.size() ? line.substr(key.size() + 1) : "";
      if (key == "mail_from") m.mail_from = value;
      if (key == "rcpt_to") m.rcpt_to.push_back(value);
      if (key == "auth_user") m.auth_user = value;
      if (key == "tls") m.tls = value == "1";
      if (key == "peer") m.peer = value;
    }
    fs::path eml = env;
    m.data = ReadFile(eml.replace_extension(".eml"));
    out.push_back(std::move(m));
  }
  return out;
}

absl::StatusOr<std::vector<ReceivedMessage>> SmtpPeer::WaitForMessages(
    size_t count, absl::Duration timeout) const {
  return PollFor<ReceivedMessage>(count, timeout, [this] { return Messages(); });
}

std::vector<std::string> SmtpPeer::Transcripts() const {
  std::vector<std::string> out;
  for (const fs::path& log : ListFiles(maildir(), "conn-", ".log")) out.push_back(ReadFile(log));
  return out;
}

int SmtpPeer::MaxConcurrentConnections() const {
  const std::string text = ReadFile(maildir() / "max-concurrent");
  return text.empty() ? 0 : std::stoi(text);
}

absl::StatusOr<PostfixPeer> PostfixPeer::Start(const TestCa& ca, PostfixPeerOptions options) {
  TempDir dir("cv-postfix-");
  CertKey cert = options.cert.value_or(ca.valid());
  std::vector<std::string> argv = PythonArgv("postfix_peer.py");
  argv.insert(argv.end(), {"--dir", dir.path().string(), "--bind", options.bind, "--port",
                           std::to_string(options.port), "--cert", cert.cert.string(), "--key",
                           cert.key.string(), "--users", options.user + ":" + options.password,
                           "--hostname", options.hostname});
  int port = 0;
  absl::StatusOr<ChildProcess> child = ChildProcess::StartAndWaitReady(
      {.argv = std::move(argv), .stderr_path = dir.path() / "peer.stderr"}, &port);
  if (!child.ok()) {
    return absl::Status(child.status().code(),
                        absl::StrCat(child.status().message(),
                                     "\nmaillog: ", ReadFile(dir.path() / "log" / "maillog")));
  }
  return PostfixPeer(std::move(dir), std::move(*child), std::move(options), port);
}

std::vector<std::string> PostfixPeer::Messages() const {
  std::vector<std::string> out;
  // Maildir delivery writes to tmp/ and renames into new/, so what is in new/ is complete.
  std::vector<fs::path> files = ListFiles(maildir() / "new", "", "");
  // Maildir names start with the delivery time in seconds; ties keep name order.
  for (const fs::path& f : files) out.push_back(ReadFile(f));
  return out;
}

absl::StatusOr<std::vector<std::string>> PostfixPeer::WaitForMessages(
    size_t count, absl::Duration timeout) const {
  return PollFor<std::string>(count, timeout, [this] { return Messages(); });
}

absl::StatusOr<DnsPeer> DnsPeer::Start(DnsPeerOptions options) {
  TempDir dir("cv-dns-");
  std::vector<std::string> argv = PythonArgv("dns_peer.py");
  argv.insert(argv.end(), {"--bind", options.bind, "--port", std::to_string(options.port)});
  auto add_all = [&argv](const char* flag, const std::vector<std::string>& values) {
    for (const std::string& v : values) {
      argv.push_back(flag);
      argv.push_back(v);
    }
  };
  add_all("--host", options.hosts);
  add_all("--cname", options.cnames);
  add_all("--mx", options.mx);
  add_all("--txt", options.txt);
  for (const std::string& a : options.extra_dnsmasq_args) argv.push_back("--dnsmasq-arg=" + a);
  int port = 0;
  absl::StatusOr<ChildProcess> child = ChildProcess::StartAndWaitReady(
      {.argv = std::move(argv), .stderr_path = dir.path() / "dnsmasq.log"}, &port);
  if (!child.ok()) return child.status();
  return DnsPeer(std::move(dir), std::move(*child), options.bind, port);
}

size_t AuthAttempts(const SmtpPeer& peer) {
  size_t attempts = 0;
  for (const auto& t : peer.Transcripts()) {
    std::istringstream lines(t);
    for (std::string line; std::getline(lines, line);) {
      attempts += absl::StartsWith(line, "C: AUTH");
    }
  }
  return attempts;
}

}  // namespace cv::testing
