#include "support/pty.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/status/status.h"

namespace cv::testing {
namespace {

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

absl::StatusOr<PtyProcess> PtyProcess::Start(Options options) {
  if (options.argv.empty()) return absl::InvalidArgumentError("empty argv");
  PtyProcess p;
  p.master_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (p.master_ < 0) return absl::ErrnoToStatus(errno, "posix_openpt");
  if (grantpt(p.master_) != 0 || unlockpt(p.master_) != 0) {
    return absl::ErrnoToStatus(errno, "grantpt/unlockpt");
  }
  const char* name = ptsname(p.master_);
  if (name == nullptr) return absl::ErrnoToStatus(errno, "ptsname");
  p.slave_ = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (p.slave_ < 0) return absl::ErrnoToStatus(errno, "open pty slave");
  winsize size = {};
  size.ws_row = 24;
  size.ws_col = 100;
  ioctl(p.slave_, TIOCSWINSZ, &size);

  const std::string out_path = (p.dir_.path() / "stdout").string();
  const std::string err_path = (p.dir_.path() / "stderr").string();
  const int out_fd = options.stdout_on_tty
                         ? p.slave_
                         : open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int err_fd = options.stderr_on_tty
                         ? p.slave_
                         : open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out_fd < 0 || err_fd < 0) return absl::ErrnoToStatus(errno, "open output file");

  // Everything the child needs is made before fork: between fork and exec only
  // async-signal-safe calls (the test process has threads).
  std::vector<char*> argv, envp;
  for (auto& a : options.argv) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : options.env) envp.push_back(e.data());
  envp.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) return absl::ErrnoToStatus(errno, "fork");
  if (pid == 0) {
    // A session of its own whose controlling terminal is the pty, like a login shell's child.
    if (setsid() < 0 || ioctl(p.slave_, TIOCSCTTY, 0) < 0) _exit(126);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (dup2(p.slave_, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
        dup2(err_fd, STDERR_FILENO) < 0) {
      _exit(126);
    }
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  p.pid_ = pid;
  if (!options.stdout_on_tty) close(out_fd);
  if (!options.stderr_on_tty) close(err_fd);
  return p;
}

PtyProcess::PtyProcess(PtyProcess&& other) noexcept
    : dir_(std::move(other.dir_)),
      master_(std::exchange(other.master_, -1)),
      slave_(std::exchange(other.slave_, -1)),
      pid_(std::exchange(other.pid_, -1)),
      status_(other.status_),
      exited_(other.exited_),
      terminal_(std::move(other.terminal_)) {}

PtyProcess::~PtyProcess() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
  }
  if (master_ >= 0) close(master_);
  if (slave_ >= 0) close(slave_);
}

void PtyProcess::Pump(absl::Duration timeout) {
  pollfd p{master_, POLLIN, 0};
  int wait_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  char buf[4096];
  while (poll(&p, 1, wait_ms) > 0 && (p.revents & POLLIN)) {
    const ssize_t n = read(master_, buf, sizeof buf);
    if (n <= 0) return;
    terminal_.append(buf, static_cast<size_t>(n));
    wait_ms = 0;  // then only what is already there
  }
}

bool PtyProcess::WaitForOutput(std::string_view text, absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  while (terminal_.find(text) == std::string::npos) {
    const bool running = Running();
    // Poll in short slices only to notice the child's exit; data wakes the poll at once.
    Pump(std::min(absl::Milliseconds(100), std::max(end - absl::Now(), absl::ZeroDuration())));
    if (terminal_.find(text) != std::string::npos) return true;
    if (!running || absl::Now() >= end) return false;
  }
  return true;
}

void PtyProcess::Type(std::string_view keys) {
  while (!keys.empty()) {
    const ssize_t n = write(master_, keys.data(), keys.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    keys.remove_prefix(static_cast<size_t>(n));
  }
}

bool PtyProcess::Running() {
  if (exited_) return false;
  if (waitpid(pid_, &status_, WNOHANG) == pid_) exited_ = true;
  return !exited_;
}

int PtyProcess::Wait(absl::Duration timeout) {
  const absl::Time end = absl::Now() + timeout;
  // Keep reading while waiting: a child blocked on a full terminal buffer would never exit.
  while (Running() && absl::Now() < end) Pump(absl::Milliseconds(50));
  if (!exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
    exited_ = true;
    status_ = -1;
  }
  Pump(absl::ZeroDuration());
  return status_ != -1 && WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
}

int PtyProcess::TermSignal() const {
  return exited_ && status_ != -1 && WIFSIGNALED(status_) ? WTERMSIG(status_) : 0;
}

tcflag_t PtyProcess::LocalModes() const {
  termios modes = {};
  tcgetattr(slave_, &modes);
  return modes.c_lflag;
}

std::string PtyProcess::stdout_file() const { return Slurp(dir_.path() / "stdout"); }
std::string PtyProcess::stderr_file() const { return Slurp(dir_.path() / "stderr"); }

}  // namespace cv::testing
