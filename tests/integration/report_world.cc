#include "report_world.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"

namespace cv::testing {

absl::StatusOr<std::unique_ptr<ReportWorld>> ReportWorld::Start() {
  auto world = std::make_unique<ReportWorld>();
  auto ca = TestCa::Create();
  if (!ca.ok()) return ca.status();
  world->ca_.emplace(std::move(*ca));
  auto dns = DnsPeer::Start(DnsPeerOptions()
                                .Host("smtp.t.test", "127.0.0.1")
                                .Host("mx.t.test", "127.0.0.1")
                                .Host("smtp.office365.com", "127.0.0.1")
                                .Mx("t.test", "mx.t.test", 10)
                                .Mx("contoso.test", "contoso-test.mail.protection.outlook.com", 0));
  if (!dns.ok()) return dns.status();
  world->dns_.emplace(std::move(*dns));

  SmtpPeerOptions smtp;
  smtp.tls = SmtpTls::kStartTls;
  smtp.cert = world->ca_->valid();
  smtp.require_starttls = true;
  smtp.users = {{kCtlUser, kCtlPassword}};
  smtp.hostname = "mx.peer.test";
  auto peer = SmtpPeer::Start(smtp);
  if (!peer.ok()) return peer.status();
  world->smtp_.emplace(std::move(*peer));
  auto m365 = SmtpPeer::StartProfile("m365-smtp-auth-disabled-tenant", &*world->ca_);
  if (!m365.ok()) return m365.status();
  world->m365_.emplace(std::move(*m365));
  auto silent = SmtpPeer::StartSilent();
  if (!silent.ok()) return silent.status();
  world->silent_.emplace(std::move(*silent));

  // Step timeouts short enough that the silent server's timeouts take a second, not twenty.
  auto server = ServerProcess::Start(ServerProcess::TestFlags(
      world->ca_->ca().string(), absl::StrCat(world->dns_->host(), ":", world->dns_->port()),
      {"--greeting_timeout_ms=800", "--connect_timeout_ms=800", "--tls_timeout_ms=800",
       "--command_timeout_ms=800"}));
  if (!server.ok()) return server.status();
  world->server_.emplace(std::move(*server));
  return world;
}

const std::vector<std::string>& ReportWorld::Scenarios() {
  static const auto* scenarios =
      new std::vector<std::string>{"pass", "wrong-password", "m365-smtp-auth-disabled", "timeout"};
  return *scenarios;
}

int ReportWorld::ExitCodeOf(const std::string& scenario) { return scenario == "pass" ? 0 : 2; }

MadeReport ReportWorld::Make(const std::string& scenario, const std::string& lang,
                             const std::string& path) const {
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
  made.ctl = RunCtl({"--server=" + server_->address(), "verify",
                     absl::StrCat("smtp://", encoded, "@", host, ":", port, "?tls=starttls"),
                     "--from", user, "--lang", lang, "--report", path, "--output", "json"},
                    {{"CHANNELCTL_PASSWORD", password}});
  if (!google::protobuf::util::JsonStringToMessage(made.ctl.out, &made.response).ok()) {
    made.response.Clear();
  }
  return made;
}

}  // namespace cv::testing
