#include "support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

extern char** environ;

namespace cv::testing {

// The reader thread drains the child's stdout for its whole life: a child that keeps writing
// must never block on a full pipe, and WaitReady needs the lines as they come.
struct ChildProcess::Pipe {
  int fd = -1;
  std::thread reader;
  std::atomic<bool> stop{false};
  mutable std::mutex mu;
  std::condition_variable cv;
  std::string output;  // guarded by mu
  bool eof = false;    // guarded by mu

  void Run() {
    char buf[4096];
    while (!stop.load()) {
      pollfd p{fd, POLLIN, 0};
      int r = poll(&p, 1, 50);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) continue;
      ssize_t n = read(fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      std::lock_guard lock(mu);
      if (n <= 0) {
        eof = true;
        cv.notify_all();
        return;
      }
      output.append(buf, n);
      cv.notify_all();
    }
  }

  void StopReader() {
    stop = true;
    if (reader.joinable()) reader.join();
    if (fd >= 0) close(fd);
    fd = -1;
  }

  ~Pipe() { StopReader(); }
};

absl::StatusOr<ChildProcess> ChildProcess::Start(Options options) {
  if (options.argv.empty()) return absl::InvalidArgumentError("empty argv");
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return absl::ErrnoToStatus(errno, "pipe2");

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (!options.stderr_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, options.stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Own process group, so Stop() reaches the peer's own children (Postfix, Dovecot, dnsmasq).
  // Default signal dispositions and an empty mask: gtest or a test may have changed ours.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> argv;
  for (auto& a : options.argv) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int err = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[1]);
  if (err != 0) {
    close(fds[0]);
    return absl::ErrnoToStatus(err, absl::StrCat("posix_spawn ", options.argv[0]));
  }

  ChildProcess child;
  child.options_ = std::move(options);
  child.pid_ = pid;
  child.pipe_ = std::make_unique<Pipe>();
  child.pipe_->fd = fds[0];
  child.pipe_->reader = std::thread([p = child.pipe_.get()] { p->Run(); });
  return child;
}

absl::StatusOr<ChildProcess> ChildProcess::StartAndWaitReady(Options options, int* port,
                                                             absl::Duration timeout) {
  std::string what = absl::StrJoin(options.argv, " ");
  absl::StatusOr<ChildProcess> child = Start(std::move(options));
  if (!child.ok()) return child.status();
  absl::StatusOr<int> ready = child->WaitReady(timeout);
  if (!ready.ok()) {
    child->Stop();
    return absl::Status(ready.status().code(),
                        absl::StrCat(ready.status().message(), "\ncommand: ", what, "\nstdout: ",
                                     child->Output(), "\nstderr: ", child->StderrTail()));
  }
  *port = *ready;
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept { *this = std::move(other); }

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    Stop();
    options_ = std::move(other.options_);
    pid_ = std::exchange(other.pid_, -1);
    exit_status_ = other.exit_status_;
    pipe_ = std::move(other.pipe_);
  }
  return *this;
}

ChildProcess::~ChildProcess() { Stop(); }

absl::StatusOr<int> ChildProcess::WaitReady(absl::Duration timeout) {
  if (!pipe_) return absl::FailedPreconditionError("not started");
  absl::Time deadline = absl::Now() + timeout;
  std::unique_lock lock(pipe_->mu);
  while (true) {
    // Only whole lines count; the peers print nothing else on stdout before READY.
    size_t start = 0;
    for (size_t nl; (nl = pipe_->output.find('\n', start)) != std::string::npos; start = nl + 1) {
      absl::string_view line(pipe_->output.data() + start, nl - start);
      if (line.substr(0, 6) == "READY ") {
        int port = 0;
        if (absl::SimpleAtoi(line.substr(6), &port) && port > 0) return port;
        return absl::InternalError(absl::StrCat("bad READY line: ", line));
      }
    }
    if (pipe_->eof) {
      lock.unlock();
      // EOF on stdout usually means the child died: give it a moment to be reaped.
      for (int i = 0; i < 50 && Running(); ++i) usleep(10000);
      return absl::UnavailableError(
          absl::StrCat("child exited before READY (status ", exit_status_, ")"));
    }
    absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return absl::DeadlineExceededError(
          absl::StrCat("no READY line within ", absl::FormatDuration(timeout)));
    }
    pipe_->cv.wait_for(lock, absl::ToChronoMilliseconds(std::min(left, absl::Milliseconds(100))));
  }
}

absl::StatusOr<int> ChildProcess::Wait(absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (Running()) {
    if (absl::Now() >= deadline) return absl::DeadlineExceededError("child still running");
    usleep(5000);
  }
  return exit_status_;
}

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_status_ = status;
    // The leader is gone; stragglers in its group must not outlive it.
    kill(-pid_, SIGKILL);
    pid_ = -1;
    return false;
  }
  return r == 0;
}

int ChildProcess::Stop() {
  if (pid_ > 0) {
    kill(-pid_, SIGTERM);
    absl::Time deadline = absl::Now() + options_.stop_grace;
    int status = 0;
    pid_t r = 0;
    while ((r = waitpid(pid_, &status, WNOHANG)) == 0 && absl::Now() < deadline) {
      usleep(5000);
    }
    if (r == 0) {
      kill(-pid_, SIGKILL);
      r = waitpid(pid_, &status, 0);
    }
    // Whatever else is left in the group (a grandchild that ignored SIGTERM) goes too.
    kill(-pid_, SIGKILL);
    exit_status_ = r == pid_ ? status : -1;
    pid_ = -1;
  }
  // Keeps what was collected, for error messages after the stop.
  if (pipe_) pipe_->StopReader();
  return exit_status_;
}

std::string ChildProcess::Output() const {
  if (!pipe_) return "";
  std::lock_guard lock(pipe_->mu);
  return pipe_->output;
}

std::string ChildProcess::CollectOutput(absl::Duration timeout) {
  if (!pipe_) return "";
  std::unique_lock lock(pipe_->mu);
  pipe_->cv.wait_for(lock, absl::ToChronoMilliseconds(timeout), [&] { return pipe_->eof; });
  return pipe_->output;
}

std::string ChildProcess::StderrTail(size_t max_bytes) const {
  if (options_.stderr_path.empty()) return "(inherited)";
  std::ifstream in(options_.stderr_path, std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return all.size() > max_bytes ? all.substr(all.size() - max_bytes) : all;
}

bool Eventually(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  while (!condition()) {
    if (absl::Now() >= end) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

absl::StatusOr<std::string> RunCommand(std::vector<std::string> argv, absl::Duration timeout) {
  std::string what = absl::StrJoin(argv, " ");
  absl::StatusOr<ChildProcess> child = ChildProcess::Start({.argv = std::move(argv)});
  if (!child.ok()) return child.status();
  absl::StatusOr<int> status = child->Wait(timeout);
  if (!status.ok()) {
    child->Stop();
    return absl::DeadlineExceededError(
        absl::StrCat(what, ": still running after ", absl::FormatDuration(timeout)));
  }
  std::string out = child->CollectOutput(absl::Seconds(2));
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    return absl::InternalError(absl::StrCat(what, ": exit status ", *status, "\n", out));
  }
  return out;
}

absl::StatusOr<int> FreePort(const std::string& address) {
  bool v6 = address.find(':') != std::string::npos;
  sockaddr_storage ss{};
  socklen_t len;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    if (inet_pton(AF_INET6, address.c_str(), &a->sin6_addr) != 1) {
      return absl::InvalidArgumentError(absl::StrCat("bad address ", address));
    }
    len = sizeof(*a);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    if (inet_pton(AF_INET, address.c_str(), &a->sin_addr) != 1) {
      return absl::InvalidArgumentError(absl::StrCat("bad address ", address));
    }
    len = sizeof(*a);
  }
  for (int attempt = 0; attempt < 20; ++attempt) {
    int tcp = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (tcp < 0) return absl::ErrnoToStatus(errno, "socket");
    sockaddr_storage bound = ss;
    socklen_t bound_len = len;
    if (bind(tcp, reinterpret_cast<sockaddr*>(&bound), len) != 0 ||
        getsockname(tcp, reinterpret_cast<sockaddr*>(&bound), &bound_len) != 0) {
      int e = errno;
      close(tcp);
      return absl::ErrnoToStatus(e, absl::StrCat("bind ", address));
    }
    int udp = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    bool udp_free = udp >= 0 && bind(udp, reinterpret_cast<sockaddr*>(&bound), len) == 0;
    if (udp >= 0) close(udp);
    close(tcp);
    if (udp_free) {
      return ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                      : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    }
  }
  return absl::UnavailableError("no port free for both TCP and UDP");
}

TempDir::TempDir(const std::string& prefix) {
  const char* tmp = getenv("TMPDIR");
  std::string pattern = absl::StrCat(tmp && *tmp ? tmp : "/tmp", "/", prefix, "XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
  }
  chmod(pattern.c_str(), 0755);
  path_ = pattern;
  keep_ = getenv("CV_KEEP_TEMP") != nullptr;
}

TempDir::TempDir(TempDir&& other) noexcept
    : path_(std::exchange(other.path_, {})), keep_(other.keep_) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    std::error_code ec;
    if (!path_.empty() && !keep_) std::filesystem::remove_all(path_, ec);
    path_ = std::exchange(other.path_, {});
    keep_ = other.keep_;
  }
  return *this;
}

TempDir::~TempDir() {
  if (path_.empty() || keep_) return;
  std::error_code ec;  // best effort: a leftover temp dir must not fail a test
  std::filesystem::remove_all(path_, ec);
}

}  // namespace cv::testing
