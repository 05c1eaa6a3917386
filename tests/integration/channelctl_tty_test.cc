// channelctl at a terminal: run on a real pseudo-terminal (support/pty.h) against the server
// binary or --local, with the aiosmtpd peer. The password prompt with echo off and the typed
// password used, colour only on a terminal without NO_COLOR, the progress line on stderr while
// the probes run and only when stderr is a terminal.
#include <signal.h>
#include <termios.h>

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ctl_support.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/pty.h"
#include "support/server.h"

namespace cv::testing {
namespace {
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kTimeout = absl::Seconds(60);

// The text without its colours and attributes (ESC [ ... m).
std::string Plain(const std::string& screen) {
  return std::regex_replace(screen, std::regex("\033\\[[0-9;]*m"), "");
}

class ChannelctlTtyTest : public ChannelctlSuite {
 protected:
  static void SetUpTestSuite() {
    ChannelctlSuite::SetUpTestSuite();
    if (HasFatalFailure()) return;
    // Every reply 200 ms late: a verification of about two seconds, long enough that the
    // progress line (first shown after 150 ms) is certain to show while it runs.
    SmtpPeerOptions slow;
    slow.profile = "generic-ok";
    slow.tls = SmtpTls::kStartTls;
    slow.cert = ca_->valid();
    slow.delay_ms = 200;
    auto slow_peer = SmtpPeer::Start(slow);
    ASSERT_TRUE(slow_peer.ok()) << slow_peer.status();
    slow_ = new SmtpPeer(std::move(*slow_peer));
  }
  static void TearDownTestSuite() {
    delete slow_;
    slow_ = nullptr;
    ChannelctlSuite::TearDownTestSuite();
  }

  static std::string SlowChannel() {
    return absl::StrCat("smtp://jobs%40t.test@smtp.t.test:", slow_->port(), "?tls=starttls");
  }

  // channelctl on a terminal of its own, TERM=xterm unless `env` says otherwise.
  static PtyProcess Start(const std::vector<std::string>& args,
                          std::map<std::string, std::string> env = {}, bool stdout_on_tty = true,
                          bool stderr_on_tty = true) {
    env.emplace("TERM", "xterm");
    PtyProcess::Options options;
    options.argv = {CtlPath()};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.env = CtlEnvironment(env);
    options.stdout_on_tty = stdout_on_tty;
    options.stderr_on_tty = stderr_on_tty;
    auto p = PtyProcess::Start(std::move(options));
    EXPECT_TRUE(p.ok()) << p.status();
    return std::move(*p);
  }

  static inline SmtpPeer* slow_ = nullptr;
};

TEST_F(ChannelctlTtyTest, PasswordIsAskedForWithEchoOffAndUsed) {
  const std::string prompt = "Password for jobs@t.test at smtp.t.test: ";
  for (bool local : {false, true}) {
    SCOPED_TRACE(local ? "--local" : "server");
    // The right password passes and the wrong one fails at AUTH: what was typed is what was
    // sent (the peer accepts only kCtlPassword).
    for (const char* password : {kCtlPassword, kCtlWrongPassword}) {
      const bool right = password == std::string(kCtlPassword);
      SCOPED_TRACE(right ? "right password" : "wrong password");
      PtyProcess ctl = Start(Args(local, {"verify", Channel(), "--from", kCtlUser, "--no-timing"}));
      ASSERT_TRUE(ctl.WaitForOutput(prompt, kTimeout)) << ctl.terminal();
      // Echo is already off when the prompt shows, so typing at once is safe.
      EXPECT_FALSE(ctl.LocalModes() & ECHO) << "echo is on at the prompt";
      ctl.Type(std::string(password) + "\n");
      const int exit_code = ctl.Wait(kTimeout);
      const std::string& screen = ctl.terminal();
      EXPECT_THAT(screen, Not(HasSubstr(password))) << "the typed password was echoed";
      // The prompt's line ends where the user pressed Enter (ECHONL), then the result.
      EXPECT_THAT(screen, HasSubstr(prompt + "\r\n")) << screen;
      if (right) {
        EXPECT_EQ(exit_code, 0) << screen;
        EXPECT_THAT(Plain(screen), HasSubstr("smtp.auth        PLAIN · 235 2.7.0 Authentication"));
        EXPECT_THAT(Plain(screen), HasSubstr("PASS: the channel works"));
      } else {
        EXPECT_EQ(exit_code, 2) << screen;
        EXPECT_THAT(screen, HasSubstr("INVALID_CREDENTIALS"));
      }
      // The terminal is left as it was found.
      EXPECT_TRUE(ctl.LocalModes() & ECHO) << "echo stayed off after channelctl exited";
    }
  }
}

// Ctrl-C at the prompt ends channelctl, and the terminal gets its echo back.
TEST_F(ChannelctlTtyTest, InterruptAtThePromptRestoresEcho) {
  PtyProcess ctl = Start(Args(false, {"verify", Channel(), "--from", kCtlUser}));
  ASSERT_TRUE(ctl.WaitForOutput("Password for jobs@t.test", kTimeout)) << ctl.terminal();
  EXPECT_FALSE(ctl.LocalModes() & ECHO);
  ctl.Type("half-typed\x03");  // the terminal turns ^C into SIGINT for channelctl
  ctl.Wait(kTimeout);
  EXPECT_EQ(ctl.TermSignal(), SIGINT) << ctl.terminal();
  EXPECT_TRUE(ctl.LocalModes() & ECHO);
  EXPECT_THAT(ctl.terminal(), Not(HasSubstr("half-typed")));
  EXPECT_THAT(ctl.terminal(), Not(HasSubstr("PASS")));
}

// --password-file and $CHANNELCTL_PASSWORD win over the prompt even on a terminal.
TEST_F(ChannelctlTtyTest, NoPromptWhenThePasswordComesFromTheEnvironment) {
  PtyProcess ctl = Start(Args(false, {"verify", Channel(), "--from", kCtlUser}),
                         {{"CHANNELCTL_PASSWORD", kCtlPassword}});
  EXPECT_EQ(ctl.Wait(kTimeout), 0) << ctl.terminal();
  EXPECT_THAT(ctl.terminal(), Not(HasSubstr("Password for")));
  EXPECT_THAT(ctl.terminal(), Not(HasSubstr(kCtlPassword)));
}

TEST_F(ChannelctlTtyTest, ColourOnATerminalButNotWithNoColorOrWhenPiped) {
  const auto args = Args(false, {"verify", Channel(), "--from", kCtlUser, "--no-timing"});
  const std::map<std::string, std::string> env = {{"CHANNELCTL_PASSWORD", kCtlPassword}};
  {
    SCOPED_TRACE("stdout on the terminal");
    PtyProcess ctl = Start(args, env, /*stdout_on_tty=*/true, /*stderr_on_tty=*/false);
    EXPECT_EQ(ctl.Wait(kTimeout), 0) << ctl.terminal();
    EXPECT_THAT(ctl.terminal(), HasSubstr("\033[32m✓\033[0m smtp.auth"));
    EXPECT_THAT(ctl.terminal(), HasSubstr("\033[1m\033[32m✓ PASS\033[0m"));
  }
  {
    SCOPED_TRACE("NO_COLOR on the terminal");
    auto no_color = env;
    no_color["NO_COLOR"] = "1";
    PtyProcess ctl = Start(args, no_color, true, false);
    EXPECT_EQ(ctl.Wait(kTimeout), 0) << ctl.terminal();
    EXPECT_THAT(ctl.terminal(), HasSubstr("✓ smtp.auth"));
    EXPECT_THAT(ctl.terminal(), Not(HasSubstr("\033[")));
  }
  {
    SCOPED_TRACE("stdout piped, stdin and stderr on the terminal");
    PtyProcess ctl = Start(args, env, false, true);
    EXPECT_EQ(ctl.Wait(kTimeout), 0) << ctl.stdout_file();
    EXPECT_THAT(ctl.stdout_file(), HasSubstr("✓ smtp.auth"));
    EXPECT_THAT(ctl.stdout_file(), Not(HasSubstr("\033[")));
  }
}

TEST_F(ChannelctlTtyTest, ProgressLineOnTheTerminalWhileProbesRun) {
  for (bool local : {false, true}) {
    SCOPED_TRACE(local ? "--local" : "server");
    // stderr on the terminal, stdout into a file: what the terminal shows is stderr alone.
    PtyProcess ctl = Start(Args(local, {"verify", SlowChannel(), "--from", kCtlUser}),
                           {{"CHANNELCTL_PASSWORD", kCtlPassword}}, /*stdout_on_tty=*/false,
                           /*stderr_on_tty=*/true);
    const std::string progress = absl::StrCat(
        " verifying SMTP jobs@t.test @ smtp.t.test:", slow_->port(), " STARTTLS, from jobs@t.test");
    ASSERT_TRUE(ctl.WaitForOutput(progress, kTimeout)) << ctl.terminal();
    // Shown while the probes still run: nothing printed yet, the process still going.
    EXPECT_TRUE(ctl.Running());
    EXPECT_EQ(ctl.stdout_file(), "");
    EXPECT_EQ(ctl.Wait(kTimeout), 0) << ctl.terminal() << ctl.stdout_file();
    const std::string& screen = ctl.terminal();
    // Redrawn in place with a spinner frame and the time so far, erased at the end.
    EXPECT_THAT(screen, HasSubstr("\r\033[2K⠋" + progress + " … 0."));
    EXPECT_THAT(screen, EndsWith("\r\033[2K"));
    EXPECT_THAT(screen, Not(HasSubstr("PASS")));
    EXPECT_THAT(ctl.stdout_file(), HasSubstr("✓ PASS: the channel works"));
    EXPECT_THAT(ctl.stdout_file(), Not(HasSubstr("\033[")));
  }
}

TEST_F(ChannelctlTtyTest, NoProgressLineWhenStderrIsNotATerminal) {
  for (bool local : {false, true}) {
    SCOPED_TRACE(local ? "--local" : "server");
    PtyProcess ctl = Start(Args(local, {"verify", SlowChannel(), "--from", kCtlUser}),
                           {{"CHANNELCTL_PASSWORD", kCtlPassword}}, /*stdout_on_tty=*/true,
                           /*stderr_on_tty=*/false);
    EXPECT_EQ(ctl.Wait(kTimeout), 0) << ctl.terminal();
    EXPECT_THAT(Plain(ctl.terminal()), HasSubstr("PASS: the channel works"));
    EXPECT_THAT(ctl.terminal(), Not(HasSubstr("verifying")));
    EXPECT_THAT(ctl.terminal(), Not(HasSubstr("\033[2K")));
    EXPECT_EQ(ctl.stderr_file(), "");
  }
  // Nor for JSON, which is for scripts even when run at a terminal.
  PtyProcess json =
      Start(Args(false, {"verify", SlowChannel(), "--from", kCtlUser, "--output", "json"}),
            {{"CHANNELCTL_PASSWORD", kCtlPassword}}, false, true);
  EXPECT_EQ(json.Wait(kTimeout), 0) << json.terminal();
  EXPECT_EQ(json.terminal(), "");
  EXPECT_THAT(json.stdout_file(), HasSubstr("\"verdict\": \"VERDICT_PASS\""));
}

}  // namespace
}  // namespace cv::testing
