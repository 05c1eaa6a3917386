#include "report_world.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"

namespace cv::testing {

void ReportSuite::SetUpTestSuite() {
  calls_ = 0;
  StartWorld(Records()
                 .Host("smtp.office365.com", "127.0.0.1")
                 .Mx("contoso.test", "contoso-test.mail.protection.outlook.com", 0));
  if (HasFatalFailure()) return;
  auto m365 = SmtpPeer::StartProfile("m365-smtp-auth-disabled-tenant", ca_);
  ASSERT_TRUE(m365.ok()) << m365.status();
  m365_ = new SmtpPeer(std::move(*m365));
  auto silent = SmtpPeer::StartSilent();
  ASSERT_TRUE(silent.ok()) << silent.status();
  silent_ = new SmtpPeer(std::move(*silent));
  // Step timeouts short enough that the silent server's timeouts take a second, not twenty.
  quick_ = SuiteServer({"--greeting_timeout_ms=800", "--connect_timeout_ms=800",
                        "--tls_timeout_ms=800", "--command_timeout_ms=800"});
}

void ReportSuite::TearDownTestSuite() {
  ChannelctlSuite::TearDownTestSuite();
  delete silent_;
  delete m365_;
  silent_ = m365_ = nullptr;
  quick_ = nullptr;
}

const std::vector<std::string>& ReportSuite::Scenarios() {
  static const auto* scenarios =
      new std::vector<std::string>{"pass", "wrong-password", "m365-smtp-auth-disabled", "timeout"};
  return *scenarios;
}

int ReportSuite::ExitCodeOf(const std::string& scenario) { return scenario == "pass" ? 0 : 2; }

MadeReport ReportSuite::Make(const std::string& scenario, const std::string& lang,
                             const std::string& path) {
  // jobs@t.test, then jobs1@t.test, jobs2@t.test, ...
  const int n = calls_++;
  const std::string local = n == 0 ? "jobs" : absl::StrCat("jobs", n);
  std::string user = local + "@t.test", host = "smtp.t.test", password = kCtlPassword;
  int port = smtp_->port();
  if (scenario == "pass") {
    user = kCtlUser;  // the peer knows this one account
  } else if (scenario == "wrong-password") {
    password = kCtlWrongPassword;
  } else if (scenario == "m365-smtp-auth-disabled") {
    user = local + "@contoso.test";
    host = "smtp.office365.com";
    port = m365_->port();
  } else {
    port = silent_->port();
  }
  std::string encoded = user;
  encoded.replace(encoded.find('@'), 1, "%40");
  MadeReport made;
  made.path = path;
  made.ctl = RunCtl({"--server=" + quick_->address(), "verify",
                     absl::StrCat("smtp://", encoded, "@", host, ":", port, "?tls=starttls"),
                     "--from", user, "--lang", lang, "--report", path, "--output", "json"},
                    {{"CHANNELCTL_PASSWORD", password}});
  if (!google::protobuf::util::JsonStringToMessage(made.ctl.out, &made.response).ok()) {
    made.response.Clear();
  }
  return made;
}

}  // namespace cv::testing
