// Child processes, free ports and temporary directories for tests that run real peers.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace cv::testing {

// A child process in its own process group with stdout captured. Destruction stops the whole
// group (SIGTERM, then SIGKILL after a grace period) and reaps the child, so a failing test
// leaves no server behind. Movable, not copyable.
class ChildProcess {
 public:
  struct Options {
    std::vector<std::string> argv;  // argv[0] is a path; no PATH search
    // Where the child's stderr goes; empty: inherit the test's stderr.
    std::filesystem::path stderr_path;
    absl::Duration stop_grace = absl::Seconds(3);
  };

  // Starts the child. Fails only if it cannot be spawned.
  static absl::StatusOr<ChildProcess> Start(Options options);

  // Starts the child and waits for a "READY <port>" line on its stdout. On failure (timeout,
  // exit, other output) the child is stopped and the error carries its output and stderr.
  static absl::StatusOr<ChildProcess> StartAndWaitReady(Options options, int* port,
                                                        absl::Duration timeout = absl::Seconds(15));

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ~ChildProcess();

  // Waits for the "READY <port>" line and returns the port.
  absl::StatusOr<int> WaitReady(absl::Duration timeout);

  // SIGTERM to the group, SIGKILL after the grace period, then reap. Returns the exit status
  // as waitpid reports it (-1 if already stopped). Idempotent.
  int Stop();

  // Waits up to `timeout` for the child to exit by itself and returns its waitpid status;
  // DeadlineExceeded (the child is left running) if it does not.
  absl::StatusOr<int> Wait(absl::Duration timeout);

  bool Running();
  pid_t pid() const { return pid_; }
  // Everything the child printed on stdout so far.
  std::string Output() const;
  // Waits (up to `timeout`) until the child's stdout is closed, then returns all of it.
  std::string CollectOutput(absl::Duration timeout);
  // The tail of the stderr file (if stderr_path was set), for error messages.
  std::string StderrTail(size_t max_bytes = 4000) const;

 private:
  struct Pipe;  // the stdout reader thread and what it collected
  ChildProcess() = default;

  Options options_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
  std::unique_ptr<Pipe> pipe_;
};

// Polls `condition` (every 20 ms) until it holds or `timeout` has passed; whether it held. For
// a state another process reaches in its own time, where a fixed sleep would be a guess that a
// loaded machine can prove wrong.
bool Eventually(const std::function<bool()>& condition, absl::Duration timeout = absl::Seconds(10));

// Runs a command to completion (stdout captured, stderr inherited); fails on a non-zero exit,
// with its output in the message.
absl::StatusOr<std::string> RunCommand(std::vector<std::string> argv,
                                       absl::Duration timeout = absl::Seconds(30));

// A port that was free on `address` a moment ago (TCP and UDP), for servers that cannot pick
// their own. Prefer letting the peer bind port 0 and report it.
absl::StatusOr<int> FreePort(const std::string& address = "127.0.0.1");

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
// World-traversable (0755): Postfix and Dovecot drop privileges and must reach their files.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "cv-test-");
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }
  // Keeps the directory after the test (to look at logs); also if CV_KEEP_TEMP is set.
  void Keep() { keep_ = true; }

 private:
  std::filesystem::path path_;
  bool keep_ = false;
};

}  // namespace cv::testing
