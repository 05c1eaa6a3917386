// A child process on a pseudo-terminal, as a person at a shell runs it: stdin is the terminal
// (and the child's controlling terminal, so /dev/tty works), stdout and stderr each either the
// terminal or a file. The test reads what the terminal shows and types into it.
#pragma once

#include <sys/types.h>
#include <termios.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "support/process.h"

namespace cv::testing {

class PtyProcess {
 public:
  struct Options {
    std::vector<std::string> argv;  // argv[0] is a path; no PATH search
    std::vector<std::string> env;   // the whole environment, "KEY=VALUE"
    bool stdout_on_tty = true;      // else to a file (stdout())
    bool stderr_on_tty = true;      // else to a file (stderr())
  };

  static absl::StatusOr<PtyProcess> Start(Options options);

  PtyProcess(PtyProcess&& other) noexcept;
  PtyProcess& operator=(PtyProcess&&) = delete;
  PtyProcess(const PtyProcess&) = delete;
  ~PtyProcess();  // kills the child if it still runs

  // Reads the terminal until what it showed contains `text`; false when the child exits or
  // `timeout` passes first.
  bool WaitForOutput(std::string_view text, absl::Duration timeout);
  // What a person types (the terminal's line discipline sees it, echo included).
  void Type(std::string_view keys);
  // Whether the child still runs (reaps it if not).
  bool Running();
  // Waits up to `timeout` for the child to exit (SIGKILL after that) and reads what is left on
  // the terminal. The exit code, or -1 when killed or signalled.
  int Wait(absl::Duration timeout);
  // The signal that ended the child (0 if it exited, still runs, or was killed by Wait).
  int TermSignal() const;

  // The terminal's local modes now (c_lflag: ECHO, ICANON, ...), as the child left them.
  tcflag_t LocalModes() const;

  // Everything the terminal showed so far (the line discipline's "\r\n" line ends included).
  const std::string& terminal() const { return terminal_; }
  // The file behind stdout / stderr when that stream is not on the terminal.
  std::string stdout_file() const;
  std::string stderr_file() const;

 private:
  PtyProcess() = default;
  // Appends what the terminal has to terminal_, waiting at most `timeout` for the first byte.
  void Pump(absl::Duration timeout);

  TempDir dir_{"cv-pty-"};
  int master_ = -1;
  int slave_ = -1;  // kept open so that output written just before exit stays readable
  pid_t pid_ = -1;
  int status_ = -1;
  bool exited_ = false;
  std::string terminal_;
};

}  // namespace cv::testing
