// The four channels the HTML report is tested with (tests/integration/channelctl_report_test.cc
// reads the pages, tests/browser/ opens them in Chromium): one that works, a wrong password,
// a Microsoft 365 tenant with SMTP AUTH disabled and a server that never answers. All on
// loopback, checked by the real server with short step timeouts, through channelctl --report.
// A fixture base: ChannelctlSuite's world, with the Microsoft 365 and silent peers and that
// server, started once per suite.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "channelverify/v1/channel_verifier.pb.h"
#include "ctl_support.h"
#include "support/peers.h"
#include "support/server.h"

namespace cv::testing {

struct MadeReport {
  CtlResult ctl;  // channelctl's run (stdout: the response as JSON)
  channelverify::v1::VerifyChannelResponse response;
  std::string path;  // the page
};

class ReportSuite : public ChannelctlSuite {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  // "pass", "wrong-password", "m365-smtp-auth-disabled", "timeout".
  static const std::vector<std::string>& Scenarios();
  // The exit status channelctl gives for a scenario.
  static int ExitCodeOf(const std::string& scenario);

  // Verifies the scenario's channel with `lang` ("en", "de") and writes the report to `path`.
  // The account of a failing sign-in differs from call to call, so that the server's memory
  // of rejected passwords does not answer a call from an earlier one's result.
  static MadeReport Make(const std::string& scenario, const std::string& lang,
                         const std::string& path);

  // The server the reports come from.
  static const ServerProcess& server() { return *quick_; }

 private:
  static inline SmtpPeer* m365_ = nullptr;
  static inline SmtpPeer* silent_ = nullptr;
  static inline ServerProcess* quick_ = nullptr;
  static inline std::atomic<int> calls_{0};
};

}  // namespace cv::testing
