// channelctl as an engineer runs it: a subprocess against the channel-verifier binary and in
// --local mode, with an aiosmtpd peer (STARTTLS, AUTH) and dnsmasq on loopback. Plus a fake
// service where the request channelctl sends is what is under test (OAuth, send-test).
#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "absl/strings/match.h"
#include "ctl_support.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "support/find.h"
#include "support/peers.h"
#include "support/server.h"

namespace cv::testing {
namespace {
namespace v1 = channelverify::v1;
using ::testing::HasSubstr;
using ::testing::Not;

// Ports and durations differ from run to run; everything else must not.
std::string Normalize(std::string text) {
  text = std::regex_replace(text, std::regex(":[0-9]{2,5}\\b"), ":PORT");
  return text;
}

class ChannelctlTest : public ChannelctlSuite {};

constexpr char kPassSnapshot[] =
    "SMTP jobs@t.test @ smtp.t.test:PORT STARTTLS, from jobs@t.test\n"
    "\n"
    "  ✓ dns.host         127.0.0.1\n"
    "  ✓ dns.mx           MX 10 mx.t.test\n"
    "  ✓ egress           127.0.0.1 allowed\n"
    "  ✓ smtp.tcp         127.0.0.1\n"
    "  ✓ smtp.greeting    220 mx.peer.test ESMTP channel-verifier test peer\n"
    "  ✓ smtp.ehlo        no AUTH · STARTTLS offered\n"
    "  ✓ smtp.starttls    220 Ready to start TLS\n"
    "  ✓ smtp.tls         TLSv1.3, certificate verified\n"
    "  ✓ smtp.ehlo        AUTH LOGIN PLAIN\n"
    "  ✓ smtp.auth        PLAIN · 235 2.7.0 Authentication successful\n"
    "  ✓ smtp.mail_from   jobs@t.test · 250 OK\n"
    "\n"
    "✓ PASS: the channel works\n";

TEST_F(ChannelctlTest, VerifyPassHumanSnapshotWithServerAndLocal) {
  const std::vector<std::string> args = {"verify", Channel(), "--from", kCtlUser, "--no-timing"};
  for (bool local : {false, true}) {
    SCOPED_TRACE(local ? "--local" : "server");
    CtlResult r =
        RunCtl(Args(local, args), {{"CHANNELCTL_PASSWORD", kCtlPassword}, {"NO_COLOR", "1"}});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(Normalize(r.out), kPassSnapshot) << r.out;
    EXPECT_EQ(r.err, "");  // no spinner when stderr is not a terminal
  }
}

TEST_F(ChannelctlTest, VerifyWrongPasswordSaysWhatToDoAndExits2) {
  const std::string file = WriteTestFile("wrong-pw", kCtlWrongPassword);
  const std::vector<std::string> args = {"verify",      Channel(),         "--from", kCtlUser,
                                         "--no-timing", "--password-file", file};
  for (bool local : {false, true}) {
    SCOPED_TRACE(local ? "--local" : "server");
    CtlResult r = RunCtl(Args(local, args));
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_THAT(Normalize(r.out),
                HasSubstr("  ✗ smtp.auth        rejected · PLAIN · 535 5.7.8 Authentication "
                          "credentials invalid\n"
                          "\n"
                          "✗ FAIL: the channel does not work (1 diagnosis)\n"
                          "\n"
                          "✗ The access data was not accepted\n"
                          "  INVALID_CREDENTIALS · credentials · probe smtp.auth\n"
                          "  What to do: While you change the channel, first switch the sending"));
    EXPECT_THAT(r.out, HasSubstr("The email server rejected the username or password."));
    EXPECT_THAT(r.out, HasSubstr("  Evidence:\n    AUTH: 535 5.7.8"));
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(kCtlWrongPassword)));
  }
}

TEST_F(ChannelctlTest, TimingIsShownUnlessNoTiming) {
  CtlResult r = RunCtl(Remote({"verify", Channel(), "--from", kCtlUser}),
                       {{"CHANNELCTL_PASSWORD", kCtlPassword}});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("✓ smtp\\.auth +[0-9]+ ms  PLAIN"))) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("PASS: the channel works in [0-9]+ ms")));
}

TEST_F(ChannelctlTest, JsonOutputIsTheResponse) {
  const std::string file = WriteTestFile("pw", kCtlPassword);
  for (bool local : {false, true}) {
    SCOPED_TRACE(local ? "--local" : "server");
    const std::vector<std::string> args = {"verify",          Channel(), "--from",   kCtlUser,
                                           "--password-file", file,      "--output", "json"};
    CtlResult r = RunCtl(Args(local, args));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    v1::VerifyChannelResponse response;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &response).ok()) << r.out;
    EXPECT_EQ(response.verdict(), v1::VERDICT_PASS);
    EXPECT_THAT(r.out, HasSubstr("\"verdict\": \"VERDICT_PASS\""));
    EXPECT_EQ(ProbeOrFail(response, "smtp.auth").status(), v1::PROBE_STATUS_OK) << r.out;
    EXPECT_THAT(r.out, Not(HasSubstr(kCtlPassword)));
    EXPECT_THAT(r.out, Not(HasSubstr("\033[")));
  }
}

// The step timeouts are engine options like the others: --local takes them, and they bite.
TEST_F(ChannelctlTest, LocalTakesTheStepTimeouts) {
  auto silent = SmtpPeer::StartSilent();
  ASSERT_TRUE(silent.ok()) << silent.status();
  const std::string channel =
      "smtp://jobs%40t.test@smtp.t.test:" + std::to_string(silent->port()) + "?tls=starttls";
  CtlResult r = RunCtl(Local({"--greeting-timeout-ms", "300", "--tls_timeout_ms=300", "verify",
                              channel, "--from", kCtlUser, "--output", "json"}),
                       {{"CHANNELCTL_PASSWORD", kCtlPassword}});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  v1::VerifyChannelResponse response;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &response).ok()) << r.out;
  const v1::Probe* greeting = FindProbe(response, "smtp.greeting");
  ASSERT_NE(greeting, nullptr) << r.out;
  EXPECT_EQ(greeting->status(), v1::PROBE_STATUS_TIMED_OUT) << r.out;
  // 300 ms instead of the default 10 s, with room for a loaded machine.
  EXPECT_LT(greeting->duration().seconds(), 5) << r.out;
  EXPECT_THAT(r.out, HasSubstr("DIAGNOSIS_CODE_SERVER_UNREACHABLE"));

  // Checked as the server checks its flag, and named as channelctl spells it.
  CtlResult zero = RunCtl(Local({"--greeting-timeout-ms=0", "verify", channel, "--from", kCtlUser}),
                          {{"CHANNELCTL_PASSWORD", kCtlPassword}});
  EXPECT_EQ(zero.exit_code, 3);
  EXPECT_THAT(zero.err, HasSubstr("--greeting-timeout-ms: must be positive"));
  // An engine option configures the engine in this process, not a server's.
  CtlResult remote = RunCtl(Remote({"--greeting-timeout-ms=300", "verify", channel}));
  EXPECT_EQ(remote.exit_code, 3);
  EXPECT_THAT(remote.err, HasSubstr("--greeting-timeout-ms configures the local engine"));
}

TEST_F(ChannelctlTest, ColourOnlyWhenAsked) {
  const std::vector<std::string> args = {"verify", Channel(), "--from", kCtlUser};
  // Not a terminal: no colour by default.
  CtlResult plain = RunCtl(Remote(args), {{"CHANNELCTL_PASSWORD", kCtlPassword}});
  EXPECT_THAT(plain.out, Not(HasSubstr("\033[")));
  CtlResult forced = RunCtl(Remote({"verify", Channel(), "--from", kCtlUser, "--color=always"}),
                            {{"CHANNELCTL_PASSWORD", kCtlPassword}, {"NO_COLOR", "1"}});
  EXPECT_EQ(forced.exit_code, 0);
  EXPECT_THAT(forced.out, HasSubstr("\033[32m✓\033[0m smtp.auth"));
}

TEST_F(ChannelctlTest, NoPasswordAndNoTerminalIsAUsageError) {
  CtlResult r = RunCtl(Remote({"verify", Channel()}));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("no password for jobs@t.test"));
  EXPECT_THAT(r.err, HasSubstr("Usage: channelctl verify CHANNEL"));
}

TEST_F(ChannelctlTest, UsageErrorsExit3WithUsage) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"frobnicate"},
      {"verify"},
      {"verify", "imap://h"},
      {"verify", "smtp://u:" + std::string(kCtlPassword) + "@h"},
      {"verify", Channel(), "--password", kCtlPassword},
      {"verify", Channel(), "--output", "yaml"},
      {"verify", Channel(), "--timeout", "soon"},
      {"verify", "google"},
      {"verify", "microsoft", "--account", kCtlUser},
      {"send-test", Channel()},
      {"diagnoses", "a", "b"},
      {"health", "--lang", "fr"},
      {"health", "--allow-cidrs", "127.0.0.0/8"},
      {"--local", "--server", "127.0.0.1:1", "health"},
      {"--local", "--allow-cidrs", "not-a-cidr", "health"},
  };
  for (const auto& args : cases) {
    CtlResult r = RunCtl(args, {{"CHANNELCTL_PASSWORD", kCtlPassword}});
    const std::string line =
        args.empty() ? "(none)" : args[0] + " " + (args.size() > 1 ? args[1] : "");
    EXPECT_EQ(r.exit_code, 3) << line << "\n" << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr("Usage: channelctl")) << line;
    EXPECT_EQ(r.out, "") << line;
    EXPECT_THAT(r.err, Not(HasSubstr(kCtlPassword))) << line;
  }
}

TEST_F(ChannelctlTest, HelpForEveryCommand) {
  for (const char* command : {"verify", "send-test", "diagnoses", "health"}) {
    CtlResult r = RunCtl({command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_THAT(r.out, HasSubstr(std::string("Usage: channelctl ") + command)) << command;
    EXPECT_THAT(r.out, HasSubstr("--server")) << command;
  }
  CtlResult r = RunCtl({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("send-test"));
}

TEST_F(ChannelctlTest, ServerDownIsExit3WithAHint) {
  auto port = FreePort();
  ASSERT_TRUE(port.ok());
  CtlResult r = RunCtl({"--server=127.0.0.1:" + std::to_string(*port), "--timeout=2s", "verify",
                        Channel(), "--from", kCtlUser},
                       {{"CHANNELCTL_PASSWORD", kCtlPassword}});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("cannot reach the server at 127.0.0.1:"));
  EXPECT_THAT(r.err, HasSubstr("--local"));
  EXPECT_THAT(r.err, Not(HasSubstr(kCtlPassword)));
}

TEST_F(ChannelctlTest, ServerValidationErrorNamesTheField) {
  CtlResult r = RunCtl(Remote({"verify", "smtp://bad_host!.test", "--from", "not-an-address"}));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("channel.smtp.host"));
}

TEST_F(ChannelctlTest, Health) {
  CtlResult r = RunCtl(Remote({"health"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "SERVING\n");
  r = RunCtl(Remote({"health", "--output", "json"}));
  EXPECT_THAT(r.out, HasSubstr("\"status\": \"SERVING\""));
}

TEST_F(ChannelctlTest, Diagnoses) {
  for (const char* code : {"INVALID_CREDENTIALS", "diagnosis_code_invalid_credentials",
                           "DIAGNOSIS_CODE_INVALID_CREDENTIALS"}) {
    CtlResult r = RunCtl(Remote({"diagnoses", code}));
    EXPECT_EQ(r.exit_code, 0) << code << r.err;
    EXPECT_THAT(r.out, HasSubstr("The access data was not accepted\n"
                                 "  INVALID_CREDENTIALS · credentials · error\n"
                                 "  What to do: "))
        << code;
  }
  CtlResult de = RunCtl(Remote({"diagnoses", "m365-smtp-auth", "--lang", "de"}));
  EXPECT_EQ(de.exit_code, 0);
  EXPECT_THAT(de.out, HasSubstr("Was tun: "));
  // Every variant of the code, and the article's escalation path.
  EXPECT_THAT(de.out, HasSubstr("  [tenant] SMTP AUTH ist für Ihre Microsoft-365-Organisation"));
  EXPECT_THAT(de.out, HasSubstr("  [mailbox] SMTP AUTH ist für dieses Microsoft-365-Postfach"));
  EXPECT_THAT(de.out, HasSubstr("  Wenn das nicht hilft: Wenn Sie weiterhin Probleme haben"));
  CtlResult json = RunCtl(Remote({"diagnoses", "--output", "json"}));
  v1::ListDiagnosesResponse catalog;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.out, &catalog).ok());
  EXPECT_GT(catalog.entries_size(), 40);
  // Where the service connects from, as the texts quote it (the server's --egress_ips default).
  EXPECT_THAT(std::vector<std::string>(catalog.egress_ips().begin(), catalog.egress_ips().end()),
              ::testing::ElementsAre("3.121.59.239/32", "3.65.146.216/32", "18.158.122.164/32"));
  CtlResult all = RunCtl(Remote({"diagnoses"}));
  EXPECT_EQ(all.exit_code, 0);
  EXPECT_THAT(all.out, HasSubstr("M365_SMTP_AUTH_DISABLED"));
  CtlResult unknown = RunCtl(Remote({"diagnoses", "NO_SUCH_CODE"}));
  EXPECT_EQ(unknown.exit_code, 3);
  EXPECT_THAT(unknown.err, HasSubstr("unknown diagnosis code"));
}

TEST_F(ChannelctlTest, SendTestDeliversOneMessageWithServerAndLocal) {
  size_t expected = smtp_->Messages().size();
  for (bool local : {false, true}) {
    SCOPED_TRACE(local ? "--local" : "server");
    const std::vector<std::string> args = {"send-test", Channel(),   "--from",     kCtlUser,
                                           "--to",      "me@t.test", "--no-timing"};
    CtlResult r = RunCtl(Args(local, args), {{"CHANNELCTL_PASSWORD", kCtlPassword}});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr("✓ Accepted: 250 "));
    EXPECT_THAT(r.out, HasSubstr("  Message-ID: <"));
    EXPECT_THAT(r.out + r.err, Not(HasSubstr(kCtlPassword)));
    ++expected;
    auto messages = smtp_->WaitForMessages(expected);
    ASSERT_TRUE(messages.ok()) << messages.status();
    EXPECT_EQ(messages->size(), expected);
    EXPECT_EQ(messages->back().rcpt_to, std::vector<std::string>{"me@t.test"});
    EXPECT_EQ(messages->back().auth_user, kCtlUser);
  }
}

// The README's table is the generated one: editing the catalog without regenerating fails here.
TEST(ChannelctlReadme, DiagnosisTableMatchesTheCatalog) {
  CtlResult r = RunCtl({"--local", "diagnoses", "--output", "markdown"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(std::string(CV_SOURCE_DIR) + "/README.md");
  std::stringstream readme;
  readme << in.rdbuf();
  const std::string text = readme.str();
  const std::string begin =
      "<!-- BEGIN diagnoses: channelctl --local diagnoses --output markdown -->\n";
  const std::string end = "<!-- END diagnoses -->";
  const size_t b = text.find(begin), e = text.find(end);
  ASSERT_NE(b, std::string::npos) << "README.md lacks the marker " << begin;
  ASSERT_NE(e, std::string::npos) << "README.md lacks the marker " << end;
  ASSERT_LT(b, e);
  EXPECT_EQ(text.substr(b + begin.size(), e - b - begin.size()), r.out)
      << "README.md's diagnosis table is stale: replace it with the output of "
         "`channelctl --local diagnoses --output markdown`";
}

// Against a fake service: what channelctl puts into the request, and what it makes of answers
// the real engine cannot be made to give on demand.
class ChannelctlFakeTest : public ::testing::Test {
 protected:
  FakeVerifier fake_;
  FakeServer server_{&fake_};
  std::vector<std::string> Remote(std::vector<std::string> args) {
    args.insert(args.begin(), "--server=" + server_.address());
    return args;
  }
};

TEST_F(ChannelctlFakeTest, OAuthChannelReachesTheServer) {
  fake_.verify_response.set_verdict(v1::VERDICT_PASS);
  const std::string token = WriteTestFile("refresh", "1//refresh-token-value");
  CtlResult r =
      RunCtl(Remote({"verify", "microsoft", "--account", "jobs@t.test", "--refresh-token-file",
                     token, "--tenant", "contoso", "--lang", "de"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  {
    std::lock_guard lock(fake_.mu);
    const auto& oauth = fake_.last_verify.channel().oauth();
    EXPECT_EQ(oauth.provider(), v1::PROVIDER_MICROSOFT);
    EXPECT_EQ(oauth.account(), "jobs@t.test");
    EXPECT_EQ(oauth.refresh_token(), "1//refresh-token-value");
    EXPECT_EQ(oauth.tenant_id(), "contoso");
    EXPECT_EQ(fake_.last_verify.language_code(), "de");
  }
  EXPECT_THAT(r.out, HasSubstr("Microsoft OAuth jobs@t.test (tenant contoso)"));
  EXPECT_THAT(r.out, Not(HasSubstr("refresh-token-value")));

  r = RunCtl(Remote({"verify", "google", "--account", "jobs@t.test"}),
             {{"CHANNELCTL_ACCESS_TOKEN", "ya29.access"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::lock_guard lock(fake_.mu);
  EXPECT_EQ(fake_.last_verify.channel().oauth().provider(), v1::PROVIDER_GOOGLE);
  EXPECT_EQ(fake_.last_verify.channel().oauth().access_token(), "ya29.access");
}

TEST_F(ChannelctlFakeTest, WarnExits1) {
  fake_.verify_response.set_verdict(v1::VERDICT_WARN);
  auto* d = fake_.verify_response.add_diagnoses();
  d->set_code(v1::DIAGNOSIS_CODE_SHARED_MAILBOX);
  d->set_severity(v1::SEVERITY_WARNING);
  d->set_title("Probably a shared mailbox");
  CtlResult r = RunCtl(Remote({"verify", "smtp://relay.t.test:25?tls=none", "--no-timing"}));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.out, HasSubstr("! WARN: the channel works, but something should be changed"));
  EXPECT_THAT(r.out, HasSubstr("! Probably a shared mailbox\n  SHARED_MAILBOX\n"));
  std::lock_guard lock(fake_.mu);
  EXPECT_EQ(fake_.last_verify.channel().smtp().tls_mode(), v1::TLS_MODE_NONE);
  EXPECT_EQ(fake_.last_verify.channel().smtp().port(), 25u);
  EXPECT_TRUE(fake_.last_verify.channel().smtp().username().empty());
}

TEST_F(ChannelctlFakeTest, SendTestSendsARequestIdAndIsNotRetried) {
  fake_.send_response.set_accepted(true);
  fake_.send_response.set_server_reply("250 2.0.0 Ok: queued as 4F1A2");
  fake_.send_response.set_message_id("<abc@verifier.test>");
  fake_.send_response.set_verdict(v1::VERDICT_PASS);
  CtlResult r = RunCtl(
      Remote({"send-test", "smtp://jobs%40t.test@smtp.t.test", "--to", "me@t.test", "--no-timing"}),
      {{"CHANNELCTL_PASSWORD", kCtlPassword}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("✓ Accepted: 250 2.0.0 Ok: queued as 4F1A2\n"
                               "  Message-ID: <abc@verifier.test>\n"));
  std::string first_id;
  {
    std::lock_guard lock(fake_.mu);
    EXPECT_EQ(fake_.last_send.recipient(), "me@t.test");
    EXPECT_EQ(fake_.last_send.channel().smtp().password(), kCtlPassword);
    first_id = fake_.last_send.request_id();
    EXPECT_EQ(first_id.size(), 32u);
  }
  r = RunCtl(Remote({"send-test", "smtp://jobs%40t.test@smtp.t.test", "--to", "me@t.test",
                     "--request-id", "fixed-id-1"}),
             {{"CHANNELCTL_PASSWORD", kCtlPassword}});
  {
    std::lock_guard lock(fake_.mu);
    EXPECT_EQ(fake_.last_send.request_id(), "fixed-id-1");
  }
  // A server that is unavailable gets exactly one SendTest, and the user gets the id to reuse.
  fake_.send_calls = 0;
  fake_.fail_first = 1000;
  r = RunCtl(Remote({"send-test", "smtp://jobs%40t.test@smtp.t.test", "--to", "me@t.test"}),
             {{"CHANNELCTL_PASSWORD", kCtlPassword}});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(fake_.send_calls.load(), 1);
  EXPECT_THAT(r.err, HasSubstr("request id: "));
  EXPECT_THAT(r.out + r.err, Not(HasSubstr(kCtlPassword)));
}

TEST_F(ChannelctlFakeTest, SendTestNotAcceptedExits2) {
  fake_.send_response.set_accepted(false);
  fake_.send_response.set_server_reply("550 5.7.1 Relaying denied");
  fake_.send_response.set_verdict(v1::VERDICT_FAIL);
  CtlResult r = RunCtl(Remote({"send-test", "smtp://smtp.t.test", "--to", "me@t.test"}));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.out, HasSubstr("✗ Not accepted: 550 5.7.1 Relaying denied"));
}

}  // namespace
}  // namespace cv::testing
